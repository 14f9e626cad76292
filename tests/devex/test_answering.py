"""Answer composition without an LLM: cited sentences, code examples, Sources, "I don't know", the follow-up
rule, and the checking of model-written citation markers. Pure functions: no database."""

import re

import pytest

from devex.answering import (
    DONT_KNOW_INTRO,
    build_retrieval_query,
    compose_answer,
    is_follow_up,
    renumber_citations,
    resolve_docs_href,
    split_blocks,
)
from tests.devex.test_assistant_fakes import FAKE_THRESHOLD, FakePassage, fake_search


def _confident(passage) -> bool:
    return passage.score >= FAKE_THRESHOLD


def _compose(question: str, previous: tuple[str, ...] = ()):
    query = build_retrieval_query(question, previous)
    return compose_answer(question, fake_search(query.text), is_confident=_confident, query=query.text)


def test_the_answer_quotes_the_top_section_with_a_marker_linking_to_its_anchor():
    answer = _compose("How do payouts work?")

    assert answer.answered is True
    first = answer.citations[0]
    assert first.n == 1
    assert first.url == "/devex/docs/user/payouts/#how-payouts-work"
    assert first.heading_path == "Payouts › How payouts work"
    assert "A payout moves the available balance" in answer.body
    assert re.search(r"payout account\. .*\[1\]", answer.body)
    # every marker in the text points at a citation, and every citation is used
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.body)}
    assert markers == {c.n for c in answer.citations}


def test_code_examples_of_the_cited_passages_are_included_as_fenced_blocks():
    answer = _compose("How do I authenticate with an API token?")

    assert answer.citations[0].url == "/devex/docs/api/overview/#authentication"
    assert '```bash\ncurl -H "Authorization: Bearer nc_live_xxx"' in answer.body
    assert "Example [1]:" in answer.body


def test_the_content_ends_with_a_sources_list_of_links():
    answer = _compose("How do payouts work?")

    sources = answer.content.split("**Sources**", 1)[1]
    for citation in answer.citations:
        assert f"{citation.n}. [{citation.heading_path}]({citation.url})" in sources


def test_an_off_topic_question_gets_i_dont_know_with_the_closest_pages_not_a_guess():
    answer = _compose("Does the platform support blockchain smart contract payouts in Japan?")

    assert answer.answered is False
    assert answer.citations == ()
    assert answer.content.startswith(DONT_KNOW_INTRO)
    assert "rephras" in answer.content
    assert answer.suggestions  # the closest pages, below the confidence rule
    assert all(s["url"] in answer.content for s in answer.suggestions)
    assert "[1]" not in answer.content


def test_no_passages_at_all_is_i_dont_know_too():
    answer = compose_answer("What is the capital of France?", [], is_confident=_confident)

    assert answer.answered is False
    assert answer.suggestions == ()
    assert "/devex/docs/" in answer.content  # browse all pages


def test_a_passage_below_the_confidence_rule_is_never_cited():
    strong = FakePassage(1, "A", "A › One", "/devex/docs/a/#one", "Payouts are weekly.", score=0.9)
    weak = FakePassage(2, "B", "B › Two", "/devex/docs/b/#two", "Payouts are fun.", score=0.1)

    answer = compose_answer("payouts", [strong, weak], is_confident=_confident)

    assert [c.url for c in answer.citations] == ["/devex/docs/a/#one"]


def test_repeated_sentences_of_overlapping_chunks_are_quoted_once():
    text = "Payouts are weekly. Payouts go to your bank."
    first = FakePassage(1, "P", "P › A", "/devex/docs/p/#a", text, score=0.9)
    overlap = FakePassage(2, "P", "P › B", "/devex/docs/p/#b", text, score=0.8)

    answer = compose_answer("payouts", [first, overlap], is_confident=_confident)

    assert answer.body.count("Payouts are weekly.") == 1
    assert len(answer.citations) == 1


def test_a_passage_matching_only_in_its_code_is_not_quoted_when_another_says_it_in_prose():
    transcript = FakePassage(
        1,
        "CLI",
        "CLI › Docs",
        "/devex/docs/developer/cli/#docs",
        'It prints the answer.\n\n```\n$ novacron docs ask "how do payouts work?"\n```',
        score=0.9,
    )
    prose = FakePassage(
        2, "Revenue", "Revenue › Today", "/devex/docs/areas/revenue/#today", "Payouts are weekly.", score=0.8
    )

    answer = compose_answer("how do payouts work?", [transcript, prose], is_confident=_confident)

    assert [c.url for c in answer.citations] == ["/devex/docs/areas/revenue/#today"]
    assert "novacron docs ask" not in answer.body


def test_a_meaning_only_match_is_quoted_from_its_opening_sentences():
    passage = FakePassage(
        1,
        "Payouts",
        "Payouts › Money out",
        "/devex/docs/p/#out",
        "Sellers get paid weekly. Banks vary. Fees apply.",
        score=0.9,
    )

    answer = compose_answer("When is my revenue transferred?", [passage], is_confident=_confident)

    assert answer.answered is True
    assert answer.body.startswith("Sellers get paid weekly. Banks vary. Fees apply. [1]")


def test_relative_links_inside_passages_point_at_portal_pages():
    passage = FakePassage(
        1,
        "Dev",
        "Dev › Endpoints",
        "/devex/docs/developer/architecture/#endpoints",
        "Endpoints follow the [API overview](../api/overview.md#errors) rules (see [Tests](#tests)).",
        score=0.9,
    )

    answer = compose_answer("endpoints", [passage], is_confident=_confident)

    assert "(/devex/docs/api/overview/#errors)" in answer.body
    assert "[Tests](/devex/docs/developer/architecture/#tests)" in answer.body


@pytest.mark.parametrize(
    ("href", "current", "expected"),
    [
        ("getting-started.md", "index", "/devex/docs/getting-started/"),
        ("api/overview.md#errors", "index", "/devex/docs/api/overview/#errors"),
        ("../operations/configuration.md", "developer/architecture", "/devex/docs/operations/configuration/"),
        ("#local", "index", "#local"),
        ("https://example.com/x.md", "index", "https://example.com/x.md"),
        ("operations/env.example", "index", "operations/env.example"),
        ("../../../etc/passwd.md", "index", "../../../etc/passwd.md"),
    ],
)
def test_docs_links_resolve_between_pages(href, current, expected):
    assert resolve_docs_href(href, current) == expected


# --- the follow-up rule -------------------------------------------------------------------------------------


def test_a_short_follow_up_carries_the_salient_words_of_the_previous_question():
    query = build_retrieval_query("and how often?", ["how do payouts work?"])

    assert query.follow_up is True
    assert query.context_terms == ("payouts",)
    assert "payouts" in query.text
    assert "schedule" in query.intent_terms  # "how often" asks for a schedule
    assert "often" not in query.text


def test_the_follow_up_retrieves_the_payout_schedule_section():
    answer = _compose("and how often?", ("how do payouts work?",))

    assert answer.answered is True
    assert answer.citations[0].url == "/devex/docs/user/payouts/#payout-schedule"
    assert "daily, weekly (on Mondays) or monthly" in answer.body


@pytest.mark.parametrize(
    ("question", "query"),
    [
        ("How do payouts work?", "How do payouts?"),
        ("Please explain escrow", "escrow"),
        ("How often are payouts made?", "are payouts made? schedule"),
        ("How much does a certification exam cost?", "a certification exam cost? price"),
    ],
)
def test_framing_words_are_left_out_and_intents_named_as_the_docs_would(question, query):
    assert build_retrieval_query(question).text == query


def test_without_an_earlier_turn_there_is_no_context_to_add():
    query = build_retrieval_query("and how often?")

    assert query.follow_up is False
    assert query.text == "and? schedule"


@pytest.mark.parametrize(
    "question",
    ["and how often?", "does it support EUR?", "what about refunds?", "How do I change them?", "limits?"],
)
def test_follow_ups_are_short_or_use_pronouns_or_connectives(question):
    assert is_follow_up(question)


@pytest.mark.parametrize(
    "question",
    ["How do I create an API token with scopes?", "How do I run the tests that need PostgreSQL and Redis?"],
)
def test_a_self_contained_question_is_not_mixed_with_the_previous_subject(question):
    query = build_retrieval_query(question, ["how do payouts work?"])

    assert query.follow_up is False
    assert "payouts" not in query.text


def test_context_comes_from_the_last_two_user_questions_newest_first():
    query = build_retrieval_query(
        "and the fees?", ["how do exams work?", "how do payouts work?", "which currency do refunds use?"]
    )

    assert query.context_terms[:3] == ("currency", "refunds", "payouts")
    assert "exams" not in query.context_terms


# --- model-written markers ----------------------------------------------------------------------------------


def test_markers_to_missing_passages_are_dropped_and_the_rest_renumbered_by_first_use():
    text, cited, dropped = renumber_citations("Weekly [2]. Daily too [7]. Minimum [1, 2].", 2)

    assert text == "Weekly [1]. Daily too. Minimum [2][1]."
    assert cited == [2, 1]
    assert dropped == [7]


def test_brackets_inside_code_are_not_citations():
    text, cited, dropped = renumber_citations("Use it [1].\n\n```python\nrows[0][3]\n```\nand `a[5]`", 1)

    assert "rows[0][3]" in text
    assert "`a[5]`" in text
    assert cited == [1]
    assert dropped == []


def test_markdown_is_split_into_prose_items_and_code():
    blocks = split_blocks(
        "# Title\n\nOne. Two.\n\n- item a\n- item b\n\n```sh\nmake run\n```\n| a | b |\n| - | - |"
    )

    assert [b.kind for b in blocks] == ["heading", "prose", "item", "item", "code", "table"]
    assert blocks[4].language == "sh"
    assert blocks[4].text == "make run"
