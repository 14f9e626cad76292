"""Checkout through the local test gateway: service and API."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from novacron.accounts.models import OrgRole
from novacron.core.exceptions import PermissionDenied
from revenue import hooks
from revenue.exceptions import UnknownItem, ValidationError
from revenue.gateways import local
from revenue.gateways.local import LocalTestGateway, local_fee
from revenue.models import AccountKind, JournalEntry, Order, OrderLine, Payment, Posting, Tier
from revenue.services.checkout import checkout_confirm, checkout_create
from revenue.services.sellers import seller_platform
from revenue.share import split_net
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.revenue.factories import ProductFactory, SellerFactory, balance_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("local_gateways")]

K = AccountKind
URL = "/api/v1/revenue/checkouts/"
VISA = "4242 4242 4242 4242"


def _item(product, quantity=1):
    return {"type": "revenue.product", "id": str(product.public_id), "quantity": quantity}


def _buy(buyer, *products, card=VISA, currency="USD", **kwargs):
    return checkout_create(
        buyer=buyer,
        items=[("revenue.product", str(p.public_id), 1) for p in products],
        currency=currency,
        payment_method=card,
        **kwargs,
    )


@pytest.fixture
def german_vat(monkeypatch):
    """A 19% tax calculator for billing country DE (the billing app fills in the real one)."""

    def calculate(lines, context):
        rate = Decimal("0.19") if context.billing_country == "DE" else Decimal(0)
        return [
            hooks.TaxLine(
                amount=int((Decimal(line.net_amount) * rate).quantize(Decimal(1))),
                rate=rate,
                jurisdiction="DE" if rate else "",
            )
            for line in lines
        ]

    monkeypatch.setitem(hooks._tax, "calculator", calculate)


def test_checkout_posts_a_balanced_sale_split_by_each_sellers_tier(
    german_vat, django_capture_on_commit_callbacks
):
    # Given a standard and a gold seller, and a buyer in Germany
    standard = SellerFactory()
    gold = SellerFactory(tier=Tier.GOLD)
    plan = ProductFactory(seller=standard, unit_amount=10_000)
    addon = ProductFactory(seller=gold, unit_amount=3_333)
    buyer = UserFactory()

    # When the buyer pays both with the success card
    with django_capture_on_commit_callbacks(execute=True):
        order = checkout_create(
            buyer=buyer,
            items=[("revenue.product", str(plan.public_id), 1), ("revenue.product", str(addon.public_id), 3)],
            currency="usd",
            payment_method=VISA,
            billing_country="de",
        )

    # Then the order is paid, totals add up and every line stores its tier, rate and split
    assert order.state == Order.State.PAID
    assert (order.subtotal, order.tax_total, order.total) == (19_999, 3_800, 23_799)
    first, second = order.lines.order_by("id")
    assert (first.tier, first.share_rate, first.seller_amount, first.platform_amount) == (
        "standard",
        Decimal("0.7000"),
        7_000,
        3_000,
    )
    assert (second.tier, second.share_rate, second.quantity, second.net_amount) == (
        "gold",
        Decimal("0.7100"),
        3,
        9_999,
    )
    assert (
        (second.seller_amount, second.platform_amount) == split_net(9_999, Decimal("0.71")) == (7_099, 2_900)
    )
    assert (second.tax_amount, second.tax_jurisdiction) == (1_900, "DE")

    # And the payment is captured with the local fee, and the sale and fee entries balance
    payment = order.payments.get()
    assert payment.state == Payment.State.SUCCEEDED
    assert payment.gateway_reference.startswith("lt_pi_")
    assert payment.fee_amount == local_fee(23_799) == 720
    sale = JournalEntry.objects.get(idempotency_key=f"sale:{payment.pk}")
    assert sale.kind == JournalEntry.Kind.SALE
    assert Posting.objects.filter(entry=sale).aggregate(total=Sum("amount"))["total"] == 0
    assert (
        Posting.objects.filter(entry__reference_id=str(order.public_id)).aggregate(t=Sum("amount"))["t"] == 0
    )
    assert balance_of(K.SELLER_PENDING, seller=standard) == 7_000
    assert balance_of(K.SELLER_PENDING, seller=gold) == 7_099
    assert balance_of(K.PLATFORM_REVENUE) == 3_000 + 2_900
    assert balance_of(K.TAX_PAYABLE, jurisdiction="DE") == 3_800
    assert balance_of(K.GATEWAY_FEES) == 720
    assert balance_of(K.GATEWAY_CLEARING, gateway="local_test") == 23_799 - 720
    assert [share["tier"] for share in sale.metadata["shares"]] == ["standard", "gold"]


def test_platform_products_keep_everything_for_the_platform():
    product = ProductFactory(seller=seller_platform(), unit_amount=5_000)

    order = _buy(UserFactory(), product)

    line = order.lines.get()
    assert (line.seller_amount, line.platform_amount, line.share_rate) == (0, 5_000, Decimal(0))
    assert balance_of(K.PLATFORM_REVENUE) == 5_000


def test_on_paid_hooks_run_once_after_commit(monkeypatch, django_capture_on_commit_callbacks):
    # Given an item type from another app that records its fulfilments
    seller = SellerFactory()
    fulfilled = []

    def resolve(*, item_id, quantity, buyer_id, currency):
        return hooks.PricedItem(
            seller.pk, "test.ticket", item_id, f"Ticket {item_id}", 2_500, "EUR", quantity
        )

    monkeypatch.setitem(
        hooks._item_types, "test.ticket", hooks.ItemType("test.ticket", resolve, on_paid=fulfilled.append)
    )

    # When a buyer pays two tickets
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        order = checkout_create(
            buyer=UserFactory(), items=[("test.ticket", "conf-2026", 2)], currency="EUR", payment_method=VISA
        )

    # Then the hook ran once, after the commit, with plain values
    hooks_run = [c for c in callbacks if "on_paid" in getattr(getattr(c, "func", c), "__qualname__", "")]
    assert len(hooks_run) == 1
    assert len(fulfilled) == 1
    sold = fulfilled[0]
    assert (sold.order_id, sold.item_id, sold.quantity, sold.net_amount, sold.currency) == (
        str(order.public_id),
        "conf-2026",
        2,
        5_000,
        "EUR",
    )


@pytest.mark.parametrize(
    ("card", "code"),
    [
        ("4000000000000002", "card_declined"),
        ("4000 0000 0000 9995", "insufficient_funds"),
        ("4000000000000341", "card_declined"),
        ("pm_card_chargeDeclined", "card_declined"),
        ("4242424242424241", "incorrect_number"),
    ],
)
def test_declined_card_leaves_a_failed_order_and_no_ledger_rows(card, code):
    product = ProductFactory()

    order = _buy(UserFactory(), product, card=card) if code != "incorrect_number" else None
    if order is None:
        # an invalid number is refused before any order is written
        with pytest.raises(ValidationError) as error:
            _buy(UserFactory(), product, card=card)
        assert error.value.field == "payment_method"
        assert not Order.objects.exists()
        return

    assert order.state == Order.State.FAILED
    payment = order.payments.get()
    assert (payment.state, payment.failure_code) == (Payment.State.FAILED, code)
    assert payment.failure_message
    assert not JournalEntry.objects.exists()
    assert not Posting.objects.exists()


def test_api_declined_card_answers_402_with_the_error_body(auth_client, user):
    product = ProductFactory()

    response = auth_client.post(
        URL,
        {"items": [_item(product)], "currency": "USD", "payment_method": "4000000000009995"},
        format="json",
    )

    assert response.status_code == 402
    error = response.json()["error"]
    assert error["code"] == "payment_declined"
    assert error["decline_code"] == "insufficient_funds"
    assert error["message"] == "Your card has insufficient funds."
    order = Order.objects.get(public_id=error["order"])
    assert (order.state, order.buyer) == (Order.State.FAILED, user)
    assert not JournalEntry.objects.exists()


def test_api_checkout_success_answers_201_with_the_order(auth_client, user):
    product = ProductFactory(unit_amount=4_900, name="Pro support")

    response = auth_client.post(
        URL,
        {"items": [_item(product, 2)], "currency": "USD", "payment_method": "pm_card_visa"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["state"] == "paid"
    assert (body["subtotal"], body["tax_total"], body["total"], body["currency"]) == (9_800, 0, 9_800, "USD")
    assert body["lines"][0]["description"] == "Pro support"
    assert body["lines"][0]["quantity"] == 2
    assert body["payment"]["state"] == "succeeded"
    assert body["next_action"] is None
    assert response["Location"] == f"/api/v1/revenue/checkouts/{body['id']}/"
    assert auth_client.get(response["Location"]).json()["id"] == body["id"]


def test_api_checkout_is_visible_to_its_buyer_only(auth_client):
    order = _buy(UserFactory(), ProductFactory())

    response = auth_client.get(f"{URL}{order.public_id}/")

    assert response.status_code == 404


def test_three_d_secure_requires_action_then_confirm_pays(auth_client, django_capture_on_commit_callbacks):
    product = ProductFactory(unit_amount=12_000)

    # When the buyer pays with a 3-D Secure card
    response = auth_client.post(
        URL,
        {"items": [_item(product)], "currency": "USD", "payment_method": "4000002760003184"},
        format="json",
    )

    # Then the checkout waits for the buyer's action, with nothing posted yet
    assert response.status_code == 201
    body = response.json()
    assert body["state"] == "requires_action"
    assert body["payment"]["state"] == "requires_action"
    assert body["next_action"]["type"] == "three_d_secure"
    assert body["next_action"]["confirm_url"] == f"{URL}{body['id']}/confirm/"
    assert not JournalEntry.objects.exists()

    # When the buyer confirms after authenticating (twice: the second is a no-op)
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = auth_client.post(body["next_action"]["confirm_url"])
    again = auth_client.post(body["next_action"]["confirm_url"])

    # Then the order is paid and the sale posted once
    assert confirmed.status_code == 200, confirmed.json()
    assert confirmed.json()["state"] == "paid"
    assert again.json()["state"] == "paid"
    assert JournalEntry.objects.filter(kind=JournalEntry.Kind.SALE).count() == 1
    payment = Payment.objects.get()
    assert payment.fee_amount == local_fee(12_000)


def test_only_the_buyer_can_confirm(api_client):
    order = _buy(UserFactory(), ProductFactory(), card="4000002500003155")
    assert order.state == Order.State.REQUIRES_ACTION
    other = UserFactory()
    api_client.force_authenticate(other)

    assert api_client.post(f"{URL}{order.public_id}/confirm/").status_code == 404
    with pytest.raises(PermissionDenied):
        checkout_confirm(order=order, actor=other)


def test_idempotency_key_replay_creates_one_order_and_charges_once(auth_client, monkeypatch):
    # Given a spy on the gateway's charge
    calls = []
    original = LocalTestGateway.charge

    def spy(self, request):
        calls.append(request.idempotency_key)
        return original(self, request)

    monkeypatch.setattr(LocalTestGateway, "charge", spy)
    body = {"items": [_item(ProductFactory())], "currency": "USD", "payment_method": VISA}

    # When the client sends the same checkout twice with one Idempotency-Key
    first = auth_client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="checkout-123")
    second = auth_client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="checkout-123")

    # Then the second answer is the first one replayed: one order, one charge, one sale
    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert second.json()["id"] == first.json()["id"]
    assert Order.objects.count() == 1
    assert len(calls) == 1
    assert calls[0] == f"payment:{Payment.objects.get().public_id}"
    assert JournalEntry.objects.filter(kind=JournalEntry.Kind.SALE).count() == 1


def test_idempotency_key_replay_of_a_decline_replays_the_402(auth_client):
    body = {"items": [_item(ProductFactory())], "currency": "USD", "payment_method": "4000000000000002"}

    first = auth_client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="declined-1")
    second = auth_client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="declined-1")

    assert first.status_code == second.status_code == 402
    assert second.json()["error"]["order"] == first.json()["error"]["order"]
    assert Order.objects.count() == 1


def test_mixed_currencies_are_refused_and_nothing_is_written(auth_client):
    usd = ProductFactory(currency="USD")
    eur = ProductFactory(currency="EUR")

    response = auth_client.post(
        URL, {"items": [_item(usd), _item(eur)], "currency": "USD", "payment_method": VISA}, format="json"
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "mixed_currencies"
    assert "currency" in error["fields"]
    assert not Order.objects.exists()
    assert not OrderLine.objects.exists()


def test_unknown_item_type_and_item_are_refused_with_the_field(auth_client):
    product = ProductFactory()

    unknown_type = auth_client.post(
        URL,
        {
            "items": [_item(product), {"type": "nope.thing", "id": "1"}],
            "currency": "USD",
            "payment_method": VISA,
        },
        format="json",
    )
    unknown_item = auth_client.post(
        URL,
        {
            "items": [{"type": "revenue.product", "id": "not-a-product"}],
            "currency": "USD",
            "payment_method": VISA,
        },
        format="json",
    )

    assert unknown_type.status_code == 404
    assert unknown_type.json()["error"]["code"] == "unknown_item"
    assert "items[1].type" in unknown_type.json()["error"]["fields"]
    assert unknown_item.status_code == 404
    assert "items[0].id" in unknown_item.json()["error"]["fields"]
    assert not Order.objects.exists()


def test_inactive_products_cannot_be_bought():
    product = ProductFactory(is_active=False)

    with pytest.raises(ValidationError) as error:
        _buy(UserFactory(), product)

    assert error.value.code == "item_inactive"
    assert error.value.field == "items[0].id"


def test_unknown_item_raises_unknown_item():
    with pytest.raises(UnknownItem):
        checkout_create(
            buyer=UserFactory(), items=[("revenue.product", "7d3f", 1)], currency="USD", payment_method=VISA
        )


def test_input_errors_name_their_field(auth_client):
    product = ProductFactory()
    cases = [
        ({"items": [], "currency": "USD", "payment_method": VISA}, "items"),
        ({"items": [_item(product)], "currency": "XXX", "payment_method": VISA}, "currency"),
        ({"items": [_item(product)], "currency": "USD", "payment_method": "cash"}, "payment_method"),
        (
            {"items": [_item(product)], "currency": "USD", "payment_method": VISA, "gateway": "stripe"},
            "gateway",
        ),
        ({"items": [_item(product, 0)], "currency": "USD", "payment_method": VISA}, "items"),
    ]
    for body, field in cases:
        response = auth_client.post(URL, body, format="json")
        assert response.status_code == 400, (body, response.json())
        assert field in response.json()["error"]["fields"], (body, response.json())
    assert not Order.objects.exists()


def test_buying_for_an_organisation_needs_a_billing_role(auth_client, user):
    product = ProductFactory()
    organization = OrganizationFactory()
    membership = MembershipFactory(organization=organization, user=user, role=OrgRole.MEMBER)
    body = {
        "items": [_item(product)],
        "currency": "USD",
        "payment_method": VISA,
        "organization": organization.slug,
    }

    refused = auth_client.post(URL, body, format="json")
    membership.role = OrgRole.BILLING
    membership.save()
    accepted = auth_client.post(URL, body, format="json")

    assert refused.status_code == 403
    assert "organization" in refused.json()["error"]["fields"]
    assert accepted.status_code == 201
    assert accepted.json()["organization"] == organization.slug
    assert Order.objects.get().organization == organization


def test_free_items_are_paid_without_a_payment_or_ledger_entry(django_capture_on_commit_callbacks):
    product = ProductFactory(unit_amount=0)

    with django_capture_on_commit_callbacks(execute=True):
        order = _buy(UserFactory(), product)

    assert order.state == Order.State.PAID
    assert not order.payments.exists()
    assert not JournalEntry.objects.exists()


def test_a_gateway_that_times_out_leaves_the_payment_in_flight(auth_client, monkeypatch):
    # Given a gateway that never answers
    def timeout(self, request):
        raise TimeoutError("read timed out")

    monkeypatch.setattr(LocalTestGateway, "charge", timeout)

    # When the buyer checks out
    response = auth_client.post(
        URL, {"items": [_item(ProductFactory())], "currency": "USD", "payment_method": VISA}, format="json"
    )

    # Then the order is accepted but pending, with nothing posted (reconcile --recover settles it)
    assert response.status_code == 202
    assert response.json()["state"] == "pending"
    payment = Payment.objects.get()
    assert (payment.state, payment.gateway_reference) == (Payment.State.PROCESSING, "")
    assert not JournalEntry.objects.exists()


def test_the_dispute_test_card_succeeds_with_a_marked_reference():
    order = _buy(UserFactory(), ProductFactory(), card="4000000000000259")

    payment = order.payments.get()
    assert order.state == Order.State.PAID
    assert payment.gateway_reference.endswith(local.DISPUTE_SUFFIX)


def test_a_failure_to_record_the_answer_is_pending_and_a_replay_does_not_charge_again(
    auth_client, monkeypatch
):
    # Given a database hiccup right after the gateway charged the card
    charges = []
    original = LocalTestGateway.charge

    def spy(self, request):
        charges.append(request.idempotency_key)
        return original(self, request)

    def broken(**kwargs):
        raise RuntimeError("connection lost")

    monkeypatch.setattr(LocalTestGateway, "charge", spy)
    monkeypatch.setattr("revenue.services.checkout.payment_record_result", broken)
    body = {"items": [_item(ProductFactory())], "currency": "USD", "payment_method": VISA}

    # When the client posts and then retries with the same key
    first = auth_client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="hiccup")
    second = auth_client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="hiccup")

    # Then both see the same pending order and the card was charged once
    assert first.status_code == second.status_code == 202
    assert second.json()["id"] == first.json()["id"]
    assert len(charges) == 1
    assert Payment.objects.get().state == Payment.State.PROCESSING


def test_api_tokens_need_the_revenue_write_scope_to_check_out(api_client, user):
    from tests.accounts.factories import api_token

    body = {"items": [_item(ProductFactory())], "currency": "USD", "payment_method": VISA}
    _token, read_only = api_token(user, scopes=["revenue:read"])
    _token, writer = api_token(user, scopes=["revenue:write"], name="writer")

    refused = api_client.post(URL, body, format="json", HTTP_AUTHORIZATION=f"Bearer {read_only}")
    listed = api_client.get("/api/v1/revenue/products/", HTTP_AUTHORIZATION=f"Bearer {read_only}")
    accepted = api_client.post(URL, body, format="json", HTTP_AUTHORIZATION=f"Bearer {writer}")

    assert refused.status_code == 403
    assert "revenue:write" in refused.json()["error"]["message"]
    assert listed.status_code == 200
    assert accepted.status_code == 201


def test_anonymous_callers_cannot_check_out_or_list_products(api_client):
    assert api_client.post(URL, {}, format="json").status_code in (401, 403)
    assert api_client.get("/api/v1/revenue/products/").status_code in (401, 403)
