from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from novacron_sdk.client import NovacronClient


class Resource:
    """Base of the per-area resources: holds the client that sends the requests."""

    def __init__(self, client: NovacronClient) -> None:
        self._client = client
