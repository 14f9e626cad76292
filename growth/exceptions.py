"""Domain errors of the community app (the API maps them to 4xx with the core error body)."""

from novacron.core.exceptions import Conflict, DomainError, NotFound, PermissionDenied, ValidationError

__all__ = ["Conflict", "DomainError", "NotFound", "PermissionDenied", "SoldOut", "ValidationError"]


class SoldOut(Conflict):
    code = "sold_out"
