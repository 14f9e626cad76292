"""Revenue models: sellers and tiers, the double-entry ledger, orders and payments, refunds and disputes,
payouts, gateway events and exchange rates."""

from revenue.models.fx import ExchangeRate
from revenue.models.gateway_events import GatewayEvent
from revenue.models.ledger import Account, AccountKind, BalanceIncrease, JournalEntry, Posting
from revenue.models.orders import Dispute, Order, OrderLine, Payment, Refund
from revenue.models.payouts import Payout, PayoutAccount
from revenue.models.products import Product
from revenue.models.sellers import Seller, SellerTierChange, Tier

__all__ = [
    "Account",
    "AccountKind",
    "BalanceIncrease",
    "Dispute",
    "ExchangeRate",
    "GatewayEvent",
    "JournalEntry",
    "Order",
    "OrderLine",
    "Payment",
    "Payout",
    "PayoutAccount",
    "Posting",
    "Product",
    "Refund",
    "Seller",
    "SellerTierChange",
    "Tier",
]
