"""Payment gateways behind one interface (`base.PaymentGateway`), chosen by configuration.

- local_test: in-process and deterministic, follows Stripe's test cards (the default for `make run`).
- stripe: the Stripe API through the stripe SDK (PaymentIntents, refunds, Connect transfers, webhooks).
- bank_transfer: manual bank transfers that finance marks as received.
"""

from revenue.gateways.registry import (
    GatewayNotEnabled,
    default_gateway_name,
    enabled_gateways,
    get_gateway,
    register_gateway,
)

__all__ = ["GatewayNotEnabled", "default_gateway_name", "enabled_gateways", "get_gateway", "register_gateway"]
