"""Reference data every installation needs: the categories and the first developer agreement. Created after
every `migrate` (post_migrate, like the accounts role groups), idempotently; staff edit them in the admin."""

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


def ensure_reference_data(sender: Any = None, using: str = "default", **kwargs: Any) -> None:
    from marketplace.models import Category, DeveloperAgreement

    if Category.objects.using(using).exists() and DeveloperAgreement.objects.using(using).exists():
        return
    for position, (slug, name, description) in enumerate(CATEGORIES):
        Category.objects.using(using).get_or_create(
            slug=slug, defaults={"name": name, "description": description, "position": position}
        )
    DeveloperAgreement.objects.using(using).get_or_create(
        version="1.0",
        defaults={
            "title": "NovaCron Marketplace developer agreement",
            "body": AGREEMENT_BODY,
            "effective_at": timezone.now(),
        },
    )
