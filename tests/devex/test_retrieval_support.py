"""A tiny documentation corpus for the retrieval tests, written to a temporary folder (no tests here)."""

from pathlib import Path

from devex.retrieval import store

PAYOUTS = """\
# Payouts

Sellers are paid their earnings by bank transfer or card payout.

## Payout schedules

Payouts run on a daily, weekly or monthly schedule chosen per seller. A payout is created once the available
balance reaches the seller's minimum payout amount, in the currency of the payout account.

## Escrow

A seller's share stays pending for a holding period of fourteen days before it becomes available for a payout.

## Failed payouts

When the bank rejects a transfer the payout is marked failed and the amount returns to the available balance.
"""

TOKENS = """\
# API tokens

Personal API tokens authenticate scripts and integrations against the REST API.

## Creating a token

Create a token in the portal under Account, API tokens. The full token is shown once; only its SHA-256 hash is
stored, so a lost token cannot be recovered.

## Scopes

A token carries scopes such as `read`, `write` or `revenue:write`. A request whose token lacks the scope gets
403 permission_denied.

## Errors

Errors share one JSON body with a stable code and a request id.

```json
{"error": {"code": "invalid"}}
```
"""

DEPLOY = """\
# Deployment

Run the platform with Docker Compose on one machine: web, worker, beat, PostgreSQL and Redis.

## gunicorn

The web process runs gunicorn with two synchronous workers and a thirty second timeout.

## Static files

Whitenoise serves the collected static files with far-future cache headers.
"""

TINY_DOCS = {"payouts.md": PAYOUTS, "api/tokens.md": TOKENS, "deploy.md": DEPLOY}


def write_docs(root: Path, docs: dict[str, str]) -> Path:
    for relative, text in docs.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def configure(settings, tmp_path: Path, *, docs: dict[str, str] | None = None, vectoriser: str = "tfidf-lsa"):
    """Point retrieval at a temporary docs folder and index folder; returns the docs folder."""
    root = write_docs(tmp_path / "docs", TINY_DOCS if docs is None else docs)
    settings.DEVEX_DOCS_DIR = str(root)
    settings.DEVEX_INDEX_DIR = str(tmp_path / "index")
    settings.DEVEX_VECTORISER = vectoriser
    settings.DEVEX_VECTOR_INDEX = "auto"
    settings.DEVEX_HNSW_THRESHOLD = 100_000
    settings.DEVEX_CONFIDENCE_THRESHOLDS = ""
    store.forget()
    return root
