"""Reference data every installation needs: the categories and the first developer agreement. A data migration
(0003_catalog_seed) creates them once; staff edit them in the admin afterwards. `seed_demo` (marketplace.demo)
ensures them too, since a flushed database (tests with real transactions) has lost the migration's rows."""

from typing import Any

from django.utils import timezone

CATEGORIES = [
    ("monitoring", "Monitoring & alerting", "Dashboards, alerts and health of your schedules."),
    ("automation", "Automation & workflows", "Chain jobs, trigger runs and automate operations."),
    ("integrations", "Integrations", "Connect NovaCron to the tools you already use."),
    ("analytics", "Analytics & reporting", "Reports, cost analysis and forecasting."),
    ("security", "Security", "Secrets, access reviews and vulnerability scanning."),
    ("compliance", "Compliance", "Audit trails, retention and regulatory reporting."),
    ("developer-tools", "Developer tools", "Testing, CI and local development helpers."),
    ("communication", "Communication", "Notify people in chat, email and paging tools."),
]

AGREEMENT_BODY = """\
## NovaCron Marketplace developer agreement

1. **Your apps.** You own your apps. You grant NovaCron the right to list, distribute and demonstrate them in the
   marketplace while they are published.
2. **Revenue share.** Sales go through NovaCron checkout. You receive the developer share of each net (ex-tax)
   sale according to your revenue-share tier (70% standard, higher tiers from trailing-12-month revenue); the
   platform keeps the rest. Sales are held in escrow before payout.
3. **Pricing.** You may change a plan's price at most once every 30 days; customers who held the plan before a
   change keep their price for 90 days after it.
4. **Data and scopes.** Request only the API scopes your declared features need. Handle customer data according
   to your published privacy policy and applicable law.
5. **Review.** Every version passes automated checks and a manual review before it is published. NovaCron may
   suspend a version that breaks these terms or puts customers at risk.
6. **Support.** You provide support through the support link on your listing.
7. **Refunds.** Refunded sales are reversed from your balance and the licence is revoked.
"""


def reference_data_ensure(category_model: Any, agreement_model: Any, *, using: str = "default") -> None:
    """Create the categories and the first developer agreement where missing (idempotent; never edits what staff
    changed). Takes the model classes, so migration 0003 passes its historical models (apps.get_model) and the
    demo and tests the current ones."""
    categories = category_model.objects.using(using)
    existing = set(categories.values_list("slug", flat=True))
    categories.bulk_create(
        [
            category_model(slug=slug, name=name, description=description, position=position)
            for position, (slug, name, description) in enumerate(CATEGORIES)
            if slug not in existing
        ]
    )
    agreement_model.objects.using(using).get_or_create(
        version="1.0",
        defaults={
            "title": "NovaCron Marketplace developer agreement",
            "body": AGREEMENT_BODY,
            "effective_at": timezone.now(),
        },
    )
