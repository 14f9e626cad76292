"""One module per API area: its response models (frozen dataclasses), its endpoints and a resource class that
`NovacronClient` exposes as an attribute (client.accounts, client.revenue, …).

A new area (marketplace, certification, growth) adds a module here and one attribute in client.py; see
docs/developer/sdk.md.
"""

from novacron_sdk.resources import accounts, devex, revenue, system

__all__ = ["accounts", "devex", "revenue", "system"]
