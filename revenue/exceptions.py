"""Revenue domain errors (mapped to 4xx by the API error handler)."""

from novacron.core.exceptions import Conflict, DomainError, NotFound, ValidationError


class UnbalancedEntry(ValidationError):
    code = "unbalanced_entry"


class InsufficientFunds(Conflict):
    code = "insufficient_funds"


class PaymentDeclined(DomainError):
    status_code = 402
    code = "payment_declined"


class GatewayUnavailable(DomainError):
    status_code = 503
    code = "gateway_unavailable"


class InvalidState(Conflict):
    code = "invalid_state"


class UnknownItem(NotFound):
    code = "unknown_item"


class NotASeller(NotFound):
    """The user acts for no seller, or not for the one they named."""

    code = "not_a_seller"
