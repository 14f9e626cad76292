"""The services marketplace demo: partners with published listings and a milestone order (one released, one in
progress), idempotent, ledger clean."""

import io

import pytest

from novacron.accounts import demo as accounts_demo
from revenue import demo_partner_services, hooks
from revenue.models import AccountKind, Partner, ServiceListing, ServiceMilestone
from tests.revenue.factories import assert_ledger_clean, balance_of

pytestmark = pytest.mark.django_db


def test_demo_seeds_partners_and_a_half_released_order_once(django_capture_on_commit_callbacks):
    accounts_demo.seed(io.StringIO())
    qualifiers = list(hooks._partner_qualifiers)

    with django_capture_on_commit_callbacks(execute=True):
        demo_partner_services.seed(io.StringIO())
    demo_partner_services.seed(io.StringIO())

    assert Partner.objects.filter(status=Partner.Status.APPROVED).count() == 3
    assert ServiceListing.objects.filter(status=ServiceListing.Status.PUBLISHED).count() == 4
    states = sorted(ServiceMilestone.objects.values_list("state", flat=True))
    assert states == ["awaiting_payment", "funded", "released"]
    cloudsmiths = Partner.objects.get(display_name="Cloudsmiths Partners").seller
    released = ServiceMilestone.objects.get(state="released").order_line
    assert balance_of(AccountKind.SELLER_AVAILABLE, "EUR", seller=cloudsmiths) == released.seller_amount
    assert balance_of(AccountKind.SELLER_PENDING, "EUR", seller=cloudsmiths) > 0
    assert hooks._partner_qualifiers == qualifiers  # the demo's stand-in qualifier is gone
    assert_ledger_clean()
