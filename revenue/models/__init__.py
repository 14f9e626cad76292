"""Revenue models: sellers and tiers, the double-entry ledger, orders and payments, refunds and disputes,
payouts, gateway events and exchange rates;
tax rates, billing profiles, VAT checks, invoices and credit notes, coupons."""

from revenue.models.coupons import Coupon, CouponRedemption
from revenue.models.fx import ExchangeRate
from revenue.models.gateway_events import GatewayEvent
from revenue.models.invoices import Invoice, InvoiceCounter, InvoiceLine
from revenue.models.ledger import Account, AccountKind, BalanceIncrease, JournalEntry, Posting
from revenue.models.orders import Dispute, Order, OrderLine, Payment, Refund
from revenue.models.partner_services import (
    Partner,
    PartnerRating,
    Pricing,
    ServiceCategory,
    ServiceDispute,
    ServiceListing,
    ServiceMilestone,
    ServiceQuote,
    ServiceRequest,
    ServiceTimeEntry,
)
from revenue.models.payouts import Payout, PayoutAccount
from revenue.models.products import Product
from revenue.models.sellers import Seller, SellerTierChange, Tier
from revenue.models.tax import BillingProfile, TaxRate, VatNumberCheck

__all__ = [
    "Account",
    "AccountKind",
    "BalanceIncrease",
    "BillingProfile",
    "Coupon",
    "CouponRedemption",
    "Dispute",
    "ExchangeRate",
    "GatewayEvent",
    "Invoice",
    "InvoiceCounter",
    "InvoiceLine",
    "JournalEntry",
    "Order",
    "OrderLine",
    # services marketplace
    "Partner",
    "PartnerRating",
    "Payment",
    "Payout",
    "PayoutAccount",
    "Posting",
    "Pricing",
    "Product",
    "Refund",
    "Seller",
    "SellerTierChange",
    "ServiceCategory",
    "ServiceDispute",
    "ServiceListing",
    "ServiceMilestone",
    "ServiceQuote",
    "ServiceRequest",
    "ServiceTimeEntry",
    "TaxRate",
    "Tier",
    "VatNumberCheck",
]

from revenue.models.subscriptions import (
    DunningAttempt,
    Plan,
    RetentionOffer,
    Subscription,
    SubscriptionCharge,
)

__all__ += ["DunningAttempt", "Plan", "RetentionOffer", "Subscription", "SubscriptionCharge"]
