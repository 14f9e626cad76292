"""Markdown chunking: sections by H1–H3, overlapping windows, anchors identical to the portal's heading ids."""

import itertools
import re

from devex.retrieval import chunking
from devex.retrieval.chunking import OVERLAP_CHARS, TARGET_CHARS, chunk_markdown, document_title, sections
from devex.retrieval.corpus import docs_url
from novacron.core.portal import render_markdown

DOC = """\
# REST API overview

Intro paragraph before any section.

## Authentication

Send a Bearer token.

### Scopes

A token carries scopes.

#### Scope names

`read` and `write`.

## Errors

One JSON body.

## `Idempotency-Key` & retries

Same key, same request.

## Errors

A second section with the same title.

```python
# not a heading: inside a code block
print("hello")
```
"""


def test_sections_split_at_h1_to_h3_and_keep_h4_inside():
    found = sections(DOC, title="REST API overview")

    assert [s.heading_path for s in found] == [
        ("REST API overview",),
        ("REST API overview", "Authentication"),
        ("REST API overview", "Authentication", "Scopes"),
        ("REST API overview", "Errors"),
        ("REST API overview", "Idempotency-Key & retries"),
        ("REST API overview", "Errors"),
    ]
    scopes = found[2]
    assert "#### Scope names" in scopes.body
    assert "`read` and `write`." in scopes.body
    assert "# not a heading" in found[-1].body


def test_anchors_are_the_ids_the_portal_renders():
    # given the HTML the portal serves for the page
    ids = re.findall(r'<h[1-6] id="([^"]+)"', render_markdown(DOC))

    # when the page is chunked
    chunks = chunk_markdown(DOC, title=document_title(DOC, "fallback"))

    # then every chunk's anchor is one of those ids, duplicates and inline code included
    assert {c.anchor for c in chunks} <= set(ids)
    assert [c.anchor for c in chunks] == [
        "rest-api-overview",
        "authentication",
        "scopes",
        "errors",
        "idempotency-key-retries",
        "errors_1",
    ]


def test_text_before_the_first_heading_gets_the_top_of_the_page():
    chunks = chunk_markdown("Just a preamble.\n\n## Later\n\nBody.\n", title="Untitled page")

    assert chunks[0].heading_path == "Untitled page"
    assert chunks[0].anchor == ""
    assert chunks[1].heading_path == "Untitled page › Later"
    assert chunks[1].anchor == "later"


def test_a_heading_without_body_makes_no_chunk_but_stays_in_the_path():
    chunks = chunk_markdown("# Title\n\n## Empty\n\n### Child\n\nText.\n", title="Title")

    assert [(c.heading_path, c.anchor) for c in chunks] == [("Title › Empty › Child", "child")]


def test_a_long_section_is_cut_into_overlapping_windows():
    sentences = [f"Sentence number {i} explains payout detail {i} in a few words." for i in range(60)]
    body = " ".join(sentences)

    chunks = chunk_markdown(f"# Long\n\n## Section\n\n{body}\n", title="Long")

    assert len(chunks) > 2
    assert all(len(c.text) <= TARGET_CHARS for c in chunks)
    assert {c.anchor for c in chunks} == {"section"}
    for previous, current in itertools.pairwise(chunks):
        # the next window opens with the trailing sentences of the previous one
        ends = [m.end() for m in re.finditer(r"\.(?= |$)", current.text)]
        overlap = max((end for end in ends if previous.text.endswith(current.text[:end])), default=0)
        assert 0 < overlap <= OVERLAP_CHARS
    covered = " ".join(c.text for c in chunks)
    assert all(sentence in covered for sentence in sentences)
    assert [c.position for c in chunks] == list(range(len(chunks)))


def test_code_blocks_stay_whole_and_tables_repeat_their_header():
    rows = "\n".join(
        f"| `VAR_{i}` | default {i} | what variable {i} does, described at some length |" for i in range(40)
    )
    code = "```sh\nmake run\nmake test\n```"
    text = f"# Config\n\n## Variables\n\n{code}\n\n| variable | default | meaning |\n| --- | --- | --- |\n{rows}\n"

    chunks = chunk_markdown(text, title="Config")

    assert code in chunks[0].text
    table_chunks = [c for c in chunks if "`VAR_" in c.text]
    assert len(table_chunks) > 1
    assert all(c.text.count("| variable | default | meaning |") == 1 for c in table_chunks)
    assert not any(c.text.rstrip().endswith("| --- | --- | --- |") for c in chunks)


def test_a_huge_code_block_is_cut_into_fenced_pieces():
    lines = "\n".join(f"echo line {i} of a very long generated script" for i in range(200))

    chunks = chunk_markdown(f"# Script\n\n```sh\n{lines}\n```\n", title="Script")

    assert len(chunks) > 1
    assert all(c.text.count("```") % 2 == 0 for c in chunks)


def test_content_hash_covers_heading_path_and_text():
    one = chunk_markdown("# A\n\n## B\n\nSame text.\n", title="A")[0]
    other = chunk_markdown("# A\n\n## C\n\nSame text.\n", title="A")[0]

    assert one.content_hash != other.content_hash
    assert one.content_hash == chunking.sha256("A › B\nSame text.")


def test_docs_urls_follow_the_portal_scheme():
    assert docs_url("getting-started.md") == "/devex/docs/getting-started/"
    assert docs_url("api/overview.md") == "/devex/docs/api/overview/"
