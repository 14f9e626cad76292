"""Domain errors of the marketplace: the kernel's, re-exported so callers import one place."""

from novacron.core.exceptions import Conflict, DomainError, NotFound, PermissionDenied, ValidationError

__all__ = ["Conflict", "DomainError", "InvalidTransition", "NotFound", "PermissionDenied", "ValidationError"]


class InvalidTransition(Conflict):
    code = "invalid_transition"
