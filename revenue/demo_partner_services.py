"""Services marketplace demo data for `seed_demo` (called from revenue/demo.py): three approved partners with
published listings, and Globex's migration order with Cloudsmiths — milestone 1 paid, delivered, accepted and
released to Cloudsmiths' available balance; milestone 2 paid and in progress (its money in escrow) — plus a
time-and-materials quote waiting for the buyer. Everything goes through the services and the local test gateway,
so the ledger stays balanced.

Qualification: certification's seeder (which issues the certificates) runs after revenue's, so while this module
seeds, the demo partners' contacts count as certified (`_demo_qualifier`, registered only for the duration of the
seeding). Afterwards only the real qualifier (an active certificate) lets a partner publish.

Idempotent: nothing is done when the Cloudsmiths partner profile exists (the marker).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from typing import Any, TextIO

from django.contrib.auth import get_user_model
from django.utils import timezone

from novacron.accounts import facade as accounts_facade
from revenue import hooks
from revenue.models import Partner, Seller, ServiceMilestone
from revenue.services.partner_milestones import (
    milestone_accept,
    milestone_deliver,
    milestone_pay,
    milestones_link_paid_due,
)
from revenue.services.partner_profiles import (
    listing_create,
    listing_publish,
    partner_apply,
    partner_set_status,
)
from revenue.services.partner_quotes import MilestoneSpec, quote_accept, quote_send, service_request_create

DOMAIN = "demo.novacron.dev"
CARD_OK = "4242424242424242"


def _user(local: str) -> Any:
    return get_user_model().objects.get(email=f"{local}@{DOMAIN}")


@contextmanager
def _demo_qualifier(user_ids: set[int]) -> Iterator[None]:
    def qualifier(user_id: int) -> bool:
        return user_id in user_ids

    hooks.register_partner_qualifier(qualifier)
    try:
        yield
    finally:
        hooks._partner_qualifiers.remove(qualifier)


def _partner(
    contact: Any, staff: Any, *, name: str, country: str, headline: str, org_id: int | None = None
) -> Partner:
    partner = partner_apply(
        user=contact,
        display_name=name,
        country=country,
        headline=headline,
        description=f"{name}: certified NovaCron professionals.",
        organization_id=org_id,
    )
    return partner_set_status(partner=partner, status=Partner.Status.APPROVED, actor=staff)


def seed(out: TextIO) -> list[str]:
    cloudsmiths_org = accounts_facade.organization_get("cloudsmiths")
    seller = Seller.objects.filter(kind=Seller.Kind.PARTNER, organization_id=cloudsmiths_org.id).first()
    if seller is not None and Partner.objects.filter(seller=seller).exists():
        return _notes()
    developer, learner, instructor = _user("developer"), _user("learner"), _user("instructor")
    buyer, staff = _user("buyer"), _user("staff")
    globex = accounts_facade.organization_get("globex")
    due = timezone.localdate() + timedelta(days=30)

    with _demo_qualifier({developer.pk, learner.pk, instructor.pk}):
        cloudsmiths = _partner(
            developer, staff, name="Cloudsmiths Partners", country="GB", org_id=cloudsmiths_org.id,
            headline="Migrations and architecture for NovaCron at scale",
        )  # fmt: skip
        lea = _partner(
            learner, staff, name="Lea Learner Consulting", country="DE", headline="Distributed scheduling"
        )
        ina = _partner(
            instructor, staff, name="Ina Instructor Academy", country="IN", headline="Hands-on training"
        )
        specs = [
            (
                cloudsmiths,
                developer,
                "NovaCron migration",
                "migration",
                "fixed",
                "EUR",
                1_200_000,
                None,
                None,
            ),
            (
                cloudsmiths,
                developer,
                "Architecture review",
                "architecture",
                "fixed",
                "USD",
                450_000,
                None,
                None,
            ),
            (
                lea,
                learner,
                "Scheduling consulting",
                "consulting",
                "time_and_materials",
                "EUR",
                None,
                12_000,
                "40",
            ),
            (ina, instructor, "Operator training (2 days)", "training", "fixed", "USD", 300_000, None, None),
        ]
        listings = {}
        for partner, actor, title, category, pricing, currency, fixed, rate, hours in specs:
            listing = listing_create(
                partner=partner, actor=actor, title=title, category=category, pricing=pricing, currency=currency,
                description=f"{title} by {partner.display_name}.", fixed_amount=fixed, hourly_rate=rate,
                estimated_hours=Decimal(hours) if hours else None,
            )  # fmt: skip
            listings[title] = listing_publish(listing=listing, actor=actor)

    # Globex (Bea) buys a migration: milestone 1 released, milestone 2 paid and in progress.
    request = service_request_create(
        listing=listings["NovaCron migration"],
        buyer=buyer,
        organization_id=globex.id,
        message="Move our 300 cron jobs and two data pipelines to NovaCron before the end of the quarter.",
    )
    quote = quote_send(
        request=request,
        actor=developer,
        notes="Fixed price; each milestone paid when we start it.",
        milestones=[
            MilestoneSpec(title="Assessment and migration plan", due_date=due, amount=300_000),
            MilestoneSpec(title="Cut-over and hypercare", due_date=due + timedelta(days=30), amount=900_000),
        ],
    )
    quote_accept(quote=quote, actor=buyer)
    first, second = quote.milestones.order_by("position")
    for milestone in (first, second):
        milestone_pay(milestone=milestone, actor=buyer, payment_method=CARD_OK, billing_country=buyer.country)
    milestones_link_paid_due()  # normally done by the on_paid hook at commit; a no-op when it already ran
    first.refresh_from_db()
    milestone_deliver(milestone=first, actor=developer, note="Plan delivered: 300 jobs in 4 waves.")
    milestone_accept(milestone=first, actor=buyer)

    # A time-and-materials quote from Lea, waiting for Bea's answer.
    consulting = service_request_create(
        listing=listings["Scheduling consulting"],
        buyer=buyer,
        message="Review our retry and back-off settings.",
    )
    quote_send(
        request=consulting,
        actor=learner,
        milestones=[
            MilestoneSpec(title="Review and recommendations", due_date=due, estimated_hours=Decimal("10"))
        ],
    )
    released = ServiceMilestone.objects.filter(state=ServiceMilestone.State.RELEASED).count()
    out.write(
        f"  revenue services: 3 partners, {len(listings)} listings, 1 order ({released} milestone released)\n"
    )
    return _notes()


def _notes() -> list[str]:
    return [
        "  Services marketplace: /revenue/services/ (directory); "
        f"buyer@{DOMAIN} → /revenue/services/orders/ (Globex migration: one milestone released, one in progress); "
        f"developer@{DOMAIN} → /revenue/services/console/ (Cloudsmiths); "
        f"finance@{DOMAIN} → /revenue/finance/services/disputes/",
    ]
