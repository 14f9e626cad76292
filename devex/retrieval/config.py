"""Retrieval settings: read from Django settings when defined there, else from the environment, else defaults.

| name | default | meaning |
| --- | --- | --- |
| `DEVEX_VECTORISER` | `auto` | `auto` (MiniLM when the `ai` extra is installed, else TF-IDF + LSA), `minilm`, `tfidf-lsa` |
| `DEVEX_VECTOR_INDEX` | `auto` | `auto` (exact up to `DEVEX_HNSW_THRESHOLD` chunks, HNSW beyond), `exact`, `hnsw` |
| `DEVEX_HNSW_THRESHOLD` | `100000` | chunk count above which `auto` builds an HNSW index |
| `DEVEX_INDEX_DIR` | `MEDIA_ROOT/devex-index` | where builds are persisted (shared by web and worker processes, like media) |
| `DEVEX_DOCS_DIR` | `BASE_DIR/docs` | the documentation corpus |
| `DEVEX_CONFIDENCE_THRESHOLDS` | calibrated values in `search.py` | JSON `{"hybrid": 0.4, ...}` overriding them |
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.conf import settings

VECTORISER_CHOICES = ("auto", "minilm", "tfidf-lsa")
INDEX_CHOICES = ("auto", "exact", "hnsw")


def _get(name: str, default: Any) -> Any:
    if hasattr(settings, name):
        return getattr(settings, name)
    return os.environ.get(name, default)


def vectoriser_choice() -> str:
    value = str(_get("DEVEX_VECTORISER", "auto")).strip().lower()
    if value not in VECTORISER_CHOICES:
        raise ValueError(f"DEVEX_VECTORISER must be one of {VECTORISER_CHOICES}, not {value!r}")
    return value


def index_choice() -> str:
    value = str(_get("DEVEX_VECTOR_INDEX", "auto")).strip().lower()
    if value not in INDEX_CHOICES:
        raise ValueError(f"DEVEX_VECTOR_INDEX must be one of {INDEX_CHOICES}, not {value!r}")
    return value


def hnsw_threshold() -> int:
    return int(_get("DEVEX_HNSW_THRESHOLD", 100_000))


def index_dir() -> Path:
    configured = _get("DEVEX_INDEX_DIR", "")
    return Path(configured) if configured else Path(settings.MEDIA_ROOT) / "devex-index"


def docs_dir() -> Path:
    configured = _get("DEVEX_DOCS_DIR", "")
    return Path(configured) if configured else Path(settings.BASE_DIR) / "docs"


def threshold_overrides() -> dict[str, float]:
    value = _get("DEVEX_CONFIDENCE_THRESHOLDS", "")
    if not value:
        return {}
    data = value if isinstance(value, dict) else json.loads(value)
    return {str(key): float(threshold) for key, threshold in data.items()}
