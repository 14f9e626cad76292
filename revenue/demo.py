"""Revenue demo data for `seed_demo`: sellers, products, exchange rates, and a few weeks of sales through the
real services and the local test gateway — refunds, a dispute, a 3-D Secure checkout left open, a bank transfer
awaiting payment, escrow releases, payouts (one paid, some in transit) and recomputed tiers — so the earnings,
purchases and finance pages show real figures. Everything goes through the services, so the ledger stays
balanced (`manage.py ledger_verify` is clean afterwards).

Idempotent: sellers, products, rates and payout accounts are looked up before they are created, and the sales
story runs only when the demo buyer has no order yet (the marker). Runs after the accounts seeder (demo users
and organisations).
"""

from datetime import datetime, timedelta
from typing import Any, TextIO

from django.contrib.auth import get_user_model
from django.utils import timezone

from novacron.accounts import facade as accounts_facade
from revenue import demo_partner_services
from revenue.models import Dispute, Order, Payment, PayoutAccount, Product, Seller
from revenue.services.checkout import checkout_create
from revenue.services.disputes import dispute_add_evidence
from revenue.services.escrow import escrow_release_due
from revenue.services.fx import rate_set
from revenue.services.payouts import payout_account_set, payout_create_for, payout_mark_paid
from revenue.services.products import product_create
from revenue.services.refunds import refund_create
from revenue.services.sellers import seller_ensure, seller_platform
from revenue.services.tiers import tiers_recompute

DOMAIN = "demo.novacron.dev"
CARD_OK = "4242424242424242"
CARD_DECLINED = "4000000000000002"
CARD_3DS = "4000002760003184"
CARD_DISPUTED = "4000000000000259"

# (name, price in minor units, currency, description)
DEVELOPER_PRODUCTS = [
    ("Cron Insights Pro — annual licence", 4900, "USD", "Dashboards and alerting for NovaCron schedules."),
    ("Priority support plan (monthly)", 1500, "USD", "Answers within one business day."),
    ("Workflow templates pack", 2900, "EUR", "Forty production-ready workflow templates."),
]
PARTNER_PRODUCTS = [
    ("Migration workshop (1 day)", 120000, "EUR", "On-site or remote migration workshop by Cloudsmiths."),
    ("Enterprise migration programme", 9500000, "EUR", "A full migration of a data centre to NovaCron."),
    ("Architecture review", 45000, "USD", "A written review of your NovaCron deployment."),
]
PLATFORM_PRODUCTS = [
    ("NovaCron Summit sponsorship — Bronze", 500000, "USD", "Logo, booth and two passes at the Summit."),
]
# 1 base = rate USD. Recorded well in the past too, so back-dated sales and payouts find a rate.
RATES = [("EUR", "1.0850"), ("GBP", "1.2700"), ("JPY", "0.0066")]


def _user(local: str) -> Any:
    return get_user_model().objects.get(email=f"{local}@{DOMAIN}")


def _product(seller: Seller, actor: Any, spec: tuple[str, int, str, str]) -> Product:
    name, amount, currency, description = spec
    existing = Product.objects.filter(seller=seller, name=name).first()
    if existing is not None:
        return existing
    return product_create(
        seller=seller, actor=actor, name=name, unit_amount=amount, currency=currency, description=description
    )


def _payout_account(seller: Seller, actor: Any, currency: str, **bank: str) -> PayoutAccount:
    current = PayoutAccount.objects.filter(seller=seller, currency=currency, is_active=True).first()
    if current is not None:
        return current
    return payout_account_set(
        seller=seller, currency=currency, method=PayoutAccount.Method.BANK_TRANSFER, actor=actor, **bank
    )


def _buy(
    buyer: Any, product: Product, *, card: str = CARD_OK, when: datetime, quantity: int = 1, **extra: Any
) -> Order:
    return checkout_create(
        buyer=buyer,
        items=[("revenue.product", str(product.public_id), quantity)],
        currency=product.currency,
        payment_method=card,
        billing_country=getattr(buyer, "country", ""),
        now=when,
        **extra,
    )


def _seed_sales(out: TextIO) -> list[str]:
    now = timezone.now()
    today = timezone.localdate()
    developer, buyer, finance, admin = (_user(u) for u in ("developer", "buyer", "finance", "admin"))
    learner, reviewer, instructor = (_user(u) for u in ("learner", "reviewer", "instructor"))
    cloudsmiths = accounts_facade.organization_get("cloudsmiths")
    globex = accounts_facade.organization_get("globex")

    for currency, rate in RATES:
        for as_of in (today - timedelta(days=400), today):
            rate_set(base=currency, quote="USD", rate=rate, as_of=as_of, source="demo")

    dev_seller = seller_ensure(
        kind=Seller.Kind.DEVELOPER,
        display_name=developer.display_name or "Dev Developer",
        user_id=developer.pk,
    )
    partner = seller_ensure(
        kind=Seller.Kind.PARTNER, display_name="Cloudsmiths Partners", organization_id=cloudsmiths.id
    )
    # A rolling reserve (10% of each release, 90 days) so the earnings page shows one.
    Seller.objects.filter(pk=partner.pk).update(reserve_percent=10, reserve_days=90)
    partner.refresh_from_db()
    platform = seller_platform()
    dev = {p[0]: _product(dev_seller, developer, p) for p in DEVELOPER_PRODUCTS}
    part = {p[0]: _product(partner, developer, p) for p in PARTNER_PRODUCTS}
    plat = {p[0]: _product(platform, admin, p) for p in PLATFORM_PRODUCTS}
    holder = developer.display_name or "Dev Developer"
    dev_usd = _payout_account(
        dev_seller,
        developer,
        "USD",
        account_holder=holder,
        account_number="000123456789",
        routing_number="110000000",
        bank_country="US",
    )
    _payout_account(
        dev_seller, developer, "EUR", account_holder=holder, iban="DE89370400440532013000", bic="COBADEFFXXX"
    )
    partner_eur = _payout_account(
        partner,
        developer,
        "EUR",
        account_holder="Cloudsmiths Partners Ltd",
        iban="GB29NWBK60161331926819",
        bic="NWBKGB2LXXX",
    )

    if Order.objects.filter(buyer=buyer).exists():
        out.write(
            "  revenue: sales already seeded (the demo buyer has orders); sellers and products checked\n"
        )
        return _notes()

    days = lambda n: now - timedelta(days=n)  # noqa: E731
    licence, support = dev["Cron Insights Pro — annual licence"], dev["Priority support plan (monthly)"]
    templates = dev["Workflow templates pack"]
    workshop, programme = part["Migration workshop (1 day)"], part["Enterprise migration programme"]
    review = part["Architecture review"]

    # Older sales, a full refund while still in escrow, then the escrow run of 20 days ago and its payout.
    old = [
        _buy(buyer, licence, when=days(60)),
        _buy(learner, licence, when=days(55)),
        _buy(reviewer, support, when=days(50), quantity=3),
        _buy(instructor, templates, when=days(48)),
        _buy(buyer, workshop, when=days(45), organization=globex.id),
        _buy(buyer, programme, when=days(42), organization=globex.id),
        _buy(learner, review, when=days(40)),
    ]
    refund_create(order=old[1], reason="Bought by mistake (demo: full refund)", actor=finance, now=days(52))
    escrow_release_due(now=days(20))
    payout = payout_create_for(payout_account=dev_usd, now=days(20))
    if payout is not None:
        payout_mark_paid(payout=payout, now=days(17), actor=finance)

    # Later sales and a partial refund; today's escrow run releases those older than the 14-day hold.
    recent = [
        _buy(buyer, templates, when=days(18)),
        _buy(instructor, licence, when=days(16)),
        _buy(reviewer, workshop, when=days(15)),
        _buy(learner, support, when=days(6)),
        _buy(buyer, plat["NovaCron Summit sponsorship — Bronze"], when=days(5), organization=globex.id),
        _buy(instructor, licence, when=days(2)),
    ]
    refund_create(
        order=recent[2],
        amount=20000,
        reason="Workshop shortened (demo: partial refund)",
        actor=finance,
        now=days(10),
    )
    escrow_release_due(now=now)

    # A dispute: card 4000 0000 0000 0259 succeeds, then the buyer disputes it (the local gateway's webhook).
    disputed = _buy(reviewer, licence, card=CARD_DISPUTED, when=days(1))
    dispute = Dispute.objects.filter(payment__order=disputed).first()
    if dispute is not None and dispute.is_open:
        dispute_add_evidence(
            dispute=dispute,
            notes="Licence key activated from the buyer's usual IP address on the day of purchase; "
            "usage logs and the signed order confirmation attached.",
            actor=finance,
        )

    # Left open for the newcomer to finish: 3-D Secure, a bank transfer, and one declined card.
    _buy(buyer, support, card=CARD_3DS, when=now)
    _buy(buyer, review, card="", when=now, gateway="bank_transfer")
    _buy(learner, templates, card=CARD_DECLINED, when=now)

    # Today's payout run: in transit until finance marks them paid (bank transfers are manual).
    payout_create_for(payout_account=dev_usd, now=now)
    payout_create_for(payout_account=partner_eur, now=now)
    changed = tiers_recompute(now=now)

    orders = Order.objects.filter(payments__isnull=False).distinct().count()
    paid = Payment.objects.filter(state=Payment.State.SUCCEEDED).count()
    out.write(
        f"  revenue: {orders} orders ({paid} paid), 2 refunds, 1 dispute, payouts; {changed} tier change(s)\n"
    )
    return _notes()


def _notes() -> list[str]:
    return [
        "",
        "Revenue (local test gateway: card 4242 4242 4242 4242 succeeds, 4000 0027 6000 3184 asks for 3-D Secure):",
        f"  Earnings, tier, payouts, CSV statement: developer@{DOMAIN} → /revenue/earnings/ "
        "(also Cloudsmiths Partners, a silver partner with a 10% rolling reserve)",
        f"  Purchases and receipts (one awaits 3-D Secure, one a bank transfer): buyer@{DOMAIN} → /revenue/purchases/",
        "  Buy something yourself: any user → /revenue/buy/",
        f"  Finance (ledger, disputes, manual payments, payouts): finance@{DOMAIN} → /revenue/finance/",
        "  Read API: /api/v1/revenue/balances/, /earnings/statement/?format=csv, /tier/, /orders/ (see /api/docs/)",
        "  Check the books: python manage.py ledger_verify",
    ]


# --- billing: tax, invoices and credit notes --------------------------------------------------------------------
# The sales above already carry tax from each buyer's country (DE and FR VAT, UK VAT, India's GST) and every paid
# order got its invoice, every refund its credit note. Added here: billing details, an EU B2B reverse-charge sale
# (Globex, German VAT number) and a US sale with the WELCOME10 coupon (sales tax only for states in
# REVENUE_US_NEXUS_STATES).


def _seed_billing(out: TextIO) -> list[str]:
    from revenue.models import Coupon, Invoice
    from revenue.services.coupons import coupon_create
    from revenue.services.invoices import invoices_sync_due
    from revenue.services.tax import billing_profile_update

    buyer, developer = _user("buyer"), _user("developer")
    globex = accounts_facade.organization_get("globex")
    if not Invoice.objects.filter(organization_id=globex.id, reverse_charge=True).exists():
        billing_profile_update(
            actor=buyer,
            organization_id=globex.id,
            values={
                "legal_name": "Globex Deutschland GmbH",
                "address_line1": "Friedrichstraße 68",
                "postal_code": "10117",
                "city": "Berlin",
                "country": "DE",
                "vat_number": "DE136695976",
                "email": f"ap@{DOMAIN}",
            },
        )
        billing_profile_update(
            actor=developer,
            values={
                "legal_name": "Dev Developer",
                "address_line1": "350 5th Ave",
                "postal_code": "10118",
                "city": "New York",
                "region": "NY",
                "country": "US",
            },
        )
        if not Coupon.objects.filter(code="WELCOME10").exists():
            coupon_create(
                actor=_user("finance"),
                values={"code": "WELCOME10", "name": "Welcome: 10% off", "kind": "percent", "percent_off": 10,
                        "max_redemptions": 100, "max_per_buyer": 1},
            )  # fmt: skip
        templates = Product.objects.get(name="Workflow templates pack")
        review = Product.objects.get(name="Architecture review")
        now = timezone.now()
        checkout_create(
            buyer=buyer,
            items=[("revenue.product", str(templates.public_id), 5)],
            currency=templates.currency,
            payment_method=CARD_OK,
            organization=globex.id,
            billing_country="DE",
            now=now,
        )
        checkout_create(
            buyer=developer,
            items=[("revenue.product", str(review.public_id), 1)],
            currency=review.currency,
            payment_method=CARD_OK,
            billing_country="US",
            coupon="WELCOME10",
            now=now,
        )
    invoices_sync_due()
    invoices = Invoice.objects.filter(kind=Invoice.Kind.INVOICE).exclude(state=Invoice.State.DRAFT).count()
    notes = Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).count()
    out.write(
        f"  revenue billing: {invoices} invoices, {notes} credit notes, a reverse-charge sale, a coupon\n"
    )
    return [
        f"  Invoices, credit notes, billing details: buyer@{DOMAIN} → /revenue/billing/ (Globex: reverse charge)",
        f"  Tax report and invoice search: finance@{DOMAIN} → /revenue/finance/tax-report/, /revenue/finance/invoices/",
        f"  Coupons (WELCOME10 used by developer@{DOMAIN}): /revenue/finance/coupons/; self-billing statements: "
        f"developer@{DOMAIN} → /revenue/billing/statements/",
    ]


# --- currencies and volume prices (docs/finance/currencies.md) ---------------------------------------------------
# Finance's manual rates (the default provider is the manual one): 1 EUR = rate X, as the ECB quotes them; BHD and
# KWD have three decimals, JPY none. A per-seat product with volume tiers, and a 12-seat sale whose invoice shows
# the list price and the volume discount.
MANUAL_RATES = [
    ("EUR", "JPY", "181.13"),
    ("EUR", "GBP", "0.87943"),
    ("EUR", "CHF", "0.9322"),
    ("EUR", "BHD", "0.4366"),
]
SEATS_PRODUCT = (
    "Cron Insights Team — per seat (monthly)",
    2000,
    "USD",
    "Volume prices: 10+ seats and 50+ seats.",
)
SEAT_TIERS = [{"min_quantity": 10, "unit_amount": 1800}, {"min_quantity": 50, "unit_amount": 1500}]


def _seed_fx_volume(out: TextIO) -> list[str]:
    from revenue.models import ExchangeRate
    from revenue.services.fx import rate_enter

    finance, developer, buyer = _user("finance"), _user("developer"), _user("buyer")
    today = timezone.localdate()
    for base, quote, rate in MANUAL_RATES:
        if not ExchangeRate.objects.filter(base=base, quote=quote, as_of=today).exists():
            rate_enter(actor=finance, base=base, quote=quote, rate=rate, as_of=today)
    dev_seller = seller_ensure(
        kind=Seller.Kind.DEVELOPER,
        display_name=developer.display_name or "Dev Developer",
        user_id=developer.pk,
    )
    seats = Product.objects.filter(seller=dev_seller, name=SEATS_PRODUCT[0]).first()
    if seats is None:
        name, amount, currency, description = SEATS_PRODUCT
        seats = product_create(
            seller=dev_seller,
            actor=developer,
            name=name,
            unit_amount=amount,
            currency=currency,
            description=description,
            volume_tiers=SEAT_TIERS,
        )
    if not Order.objects.filter(lines__item_id=str(seats.public_id)).exists():
        _buy(buyer, seats, when=timezone.now(), quantity=12)
    out.write(
        "  revenue currencies: manual EUR rates (JPY, GBP, CHF, BHD), a per-seat product with volume tiers\n"
    )
    return [
        f"  Exchange rates (manual provider): finance@{DOMAIN} → /revenue/finance/fx-rates/",
        f"  Volume prices: buyer@{DOMAIN} bought 12 seats of “{SEATS_PRODUCT[0]}” at the 10+ price (invoice on "
        "/revenue/billing/); try 50 seats on /revenue/buy/",
    ]


def seed(out: TextIO) -> list[str]:
    """Every revenue demo section, in order (each is idempotent); returns the notes printed at the end."""
    from revenue.demo_subscriptions import seed_subscriptions

    notes = _seed_sales(out)
    notes += demo_partner_services.seed(out)  # services marketplace: partners, listings, a milestone order
    return notes + _seed_billing(out) + _seed_fx_volume(out) + seed_subscriptions(out)
