"""Revenue in the Django admin: the ledger is read-only for everyone; actions go through the services."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.utils import timezone

from revenue.models import (
    Account,
    ExchangeRate,
    GatewayEvent,
    JournalEntry,
    Order,
    Payout,
    PayoutAccount,
    Posting,
    Product,
    SellerTierChange,
)
from revenue.services.escrow import escrow_release_due
from revenue.services.payouts import payout_account_set, payout_create_for
from tests.factories import UserFactory
from tests.revenue.factories import LineSpec, SellerFactory, assert_ledger_clean, create_paid_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser():
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.mark.parametrize(
    "model", [Account, JournalEntry, Posting, GatewayEvent, Order, Payout, PayoutAccount, SellerTierChange]
)
def test_ledger_and_money_records_are_read_only_even_for_superusers(model, superuser):
    request = RequestFactory().get("/admin/")
    request.user = superuser
    model_admin = admin.site._registry[model]

    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_the_add_page_of_an_account_is_refused_and_entries_render_read_only(client, superuser):
    create_paid_order(lines=[LineSpec(SellerFactory(), 1_000)])
    entry = JournalEntry.objects.get()
    client.force_login(superuser)

    add = client.get("/admin/revenue/account/add/")
    changelist = client.get("/admin/revenue/journalentry/")
    detail = client.get(f"/admin/revenue/journalentry/{entry.pk}/change/")
    delete = client.post(f"/admin/revenue/posting/{Posting.objects.first().pk}/delete/", {"post": "yes"})

    assert add.status_code == 403
    assert changelist.status_code == 200
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
    assert delete.status_code == 403
    assert Posting.objects.count() == 3


def test_orders_show_their_lines_payments_and_refunds(client, superuser):
    order, _ = create_paid_order(lines=[LineSpec(SellerFactory(), 1_000)])
    client.force_login(superuser)

    response = client.get(f"/admin/revenue/order/{order.pk}/change/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "test.item 1" in body
    assert "$10.00" in body or "10.00" in body


def test_rates_and_products_are_editable(superuser):
    request = RequestFactory().get("/admin/")
    request.user = superuser

    for model in (ExchangeRate, Product):
        assert admin.site._registry[model].has_add_permission(request)
        assert admin.site._registry[model].has_change_permission(request)


def test_mark_payout_paid_action_calls_the_service_and_needs_finance(client, superuser):
    seller = SellerFactory()
    create_paid_order(lines=[LineSpec(seller, 10_000)])
    escrow_release_due(now=timezone.now() + timedelta(days=15))
    account = payout_account_set(
        seller=seller,
        currency="USD",
        method="stripe_connect",
        stripe_account_id="acct_1Admin00001",
        actor=seller.user,
    )
    payout = payout_create_for(payout_account=account)
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_payout"))
    client.force_login(staff)
    data = {"action": "mark_payouts_paid", "_selected_action": [payout.pk]}

    as_staff = client.post("/admin/revenue/payout/", data)
    payout.refresh_from_db()
    assert payout.state == Payout.State.IN_TRANSIT  # plain staff have no finance actions
    assert as_staff.status_code == 200

    client.force_login(superuser)
    client.post("/admin/revenue/payout/", data)

    payout.refresh_from_db()
    assert payout.state == Payout.State.PAID
    assert_ledger_clean()
