"""Gateway registry: `get_gateway(name)` returns the configured gateway, refusing names that are not enabled.

Gateways are enabled by the REVENUE_ENABLED_GATEWAYS setting ("local_test", "stripe", "bank_transfer");
REVENUE_DEFAULT_GATEWAY is used when a caller names none. Instances are built on each call (cheap: no network),
so settings changed at run time (tests) are always honoured.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings

from revenue.exceptions import ValidationError
from revenue.gateways.base import PaymentGateway


class GatewayNotEnabled(ValidationError):
    code = "gateway_not_enabled"


def _local_test() -> PaymentGateway:
    from revenue.gateways.local import LocalTestGateway

    return LocalTestGateway()


def _stripe() -> PaymentGateway:
    from revenue.gateways.stripe_gateway import StripeGateway

    return StripeGateway.from_settings()


def _bank_transfer() -> PaymentGateway:
    from revenue.gateways.bank_transfer import BankTransferGateway

    return BankTransferGateway()


_FACTORIES: dict[str, Callable[[], PaymentGateway]] = {
    "local_test": _local_test,
    "stripe": _stripe,
    "bank_transfer": _bank_transfer,
}


def register_gateway(name: str, factory: Callable[[], PaymentGateway]) -> None:
    """Add (or replace) a gateway implementation; it is usable once its name is in REVENUE_ENABLED_GATEWAYS."""
    _FACTORIES[name] = factory


def enabled_gateways() -> list[str]:
    return [name for name in settings.REVENUE_ENABLED_GATEWAYS if name in _FACTORIES]


def default_gateway_name() -> str:
    return settings.REVENUE_DEFAULT_GATEWAY


def get_gateway(name: str | None = None) -> PaymentGateway:
    """The enabled gateway called `name` (the default gateway when None); GatewayNotEnabled otherwise."""
    name = name or default_gateway_name()
    if name not in settings.REVENUE_ENABLED_GATEWAYS or name not in _FACTORIES:
        raise GatewayNotEnabled(f'Payment gateway "{name}" is not enabled.', field="gateway")
    return _FACTORIES[name]()
