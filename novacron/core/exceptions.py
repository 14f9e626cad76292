"""Domain errors. Services raise them; the API maps them to 4xx with the project's error body,
portal views show them as form errors."""


class DomainError(Exception):
    """Base for errors a user can act on. `code` is stable and machine-readable."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code

    def fields(self) -> dict[str, list[str]]:
        return {self.field: [self.message]} if self.field else {}


class ValidationError(DomainError):
    status_code = 400
    code = "invalid"


class PermissionDenied(DomainError):
    status_code = 403
    code = "permission_denied"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"
