"""revenue.facade: the contract other apps sell through (plain values in, frozen dataclasses out)."""

import dataclasses
import uuid

import pytest

from revenue import facade, hooks
from tests.factories import OrganizationFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("local_gateways")]

ITEM_TYPE = "tests.facade_ticket"


@pytest.fixture
def ticket_type():
    """An item type registered the way a higher app does it (through the facade only)."""
    paid: list[facade.SoldLine] = []
    seller_box: dict[str, int] = {}

    def resolve(*, item_id, quantity, buyer_id, currency):
        return facade.PricedItem(
            seller_id=seller_box["id"],
            item_type=ITEM_TYPE,
            item_id=item_id,
            description=f"Ticket {item_id}",
            unit_amount=2_500,
            currency="EUR",
            quantity=quantity,
        )

    facade.register_item_type(facade.ItemType(name=ITEM_TYPE, resolve=resolve, on_paid=paid.append))
    organiser = UserFactory()
    seller_box["id"] = facade.seller_for_user(organiser.pk, "Oli Organiser", kind="organiser")
    yield seller_box["id"], paid
    hooks._item_types.pop(ITEM_TYPE, None)


def test_hook_types_are_the_ones_revenue_uses():
    assert facade.ItemType is hooks.ItemType
    assert facade.PricedItem is hooks.PricedItem
    assert facade.SoldLine is hooks.SoldLine


def test_sellers_are_created_once_per_owner():
    user = UserFactory()
    org = OrganizationFactory()

    first = facade.seller_for_user(user.pk, "Dev")
    again = facade.seller_for_user(user.pk, "Another name")
    partner = facade.seller_for_organization(org.pk, "Acme Partners")

    assert first == again
    assert partner != first
    assert facade.platform_seller_id() == facade.platform_seller_id()


def test_checkout_refund_balances_and_tier_through_the_facade(
    ticket_type, django_capture_on_commit_callbacks
):
    seller_id, paid = ticket_type
    buyer = UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        order = facade.checkout(
            buyer_id=buyer.pk, items=[(ITEM_TYPE, "A1", 2)], currency="EUR", payment_method="4242424242424242"
        )

    assert dataclasses.is_dataclass(order)
    assert order.is_paid
    assert (order.currency, order.total, order.lines[0].quantity) == ("EUR", 5_000, 2)
    assert order.lines[0].seller_amount == 3_500
    assert [line.item_id for line in paid] == ["A1"]
    assert facade.order_get(order.public_id) == order

    refund = facade.refund(order_id=order.public_id, amount=1_000, reason="One seat", idempotency_key="t-1")
    replay = facade.refund(order_id=order.public_id, amount=1_000, reason="One seat", idempotency_key="t-1")

    assert (refund.amount, refund.currency, refund.order_id) == (1_000, "EUR", order.public_id)
    assert replay.public_id == refund.public_id
    (balance,) = facade.seller_balances(seller_id)
    assert (balance.currency, balance.pending, balance.net) == ("EUR", 2_800, 2_800)
    tier = facade.seller_tier(seller_id)
    assert (tier.tier, tier.next_tier) == ("standard", "silver")


def test_declined_cards_give_a_failed_order_not_an_exception(ticket_type):
    order = facade.checkout(
        buyer_id=UserFactory().pk,
        items=[(ITEM_TYPE, "B2", 1)],
        currency="EUR",
        payment_method="4000000000000002",
    )

    assert order.state == "failed"
    assert order.failure_code


def test_three_d_secure_is_confirmed_by_the_buyer(ticket_type):
    buyer = UserFactory()
    order = facade.checkout(
        buyer_id=buyer.pk, items=[(ITEM_TYPE, "C3", 1)], currency="EUR", payment_method="4000002760003184"
    )

    assert order.state == "requires_action"
    assert facade.confirm(order_id=order.public_id, buyer_id=buyer.pk).is_paid


def test_reads_return_none_or_empty_for_unknown_ids():
    assert facade.order_get(uuid.uuid4()) is None
    assert facade.order_get("not-a-uuid") is None
    assert facade.seller_balances(999_999) == []
    assert facade.seller_tier(999_999) is None
