"""Platform grants (community funding): credited to available once per key, paid out like any balance."""

import pytest

from novacron.core.exceptions import ValidationError
from revenue import facade
from revenue.models import AccountKind, JournalEntry
from revenue.services.ledger import entry_reverse
from tests.revenue.factories import SellerFactory, assert_ledger_clean, balance_of, platform_seller

pytestmark = pytest.mark.django_db


def test_grant_credits_available_once_per_key():
    seller = SellerFactory()
    first = facade.grant_pay(
        seller_id=seller.pk, amount=50_000, currency="eur", reference="funding:7", idempotency_key="funding-7"
    )
    again = facade.grant_pay(
        seller_id=seller.pk, amount=50_000, currency="EUR", reference="funding:7", idempotency_key="funding-7"
    )
    assert first == again
    assert JournalEntry.objects.filter(kind=JournalEntry.Kind.GRANT).count() == 1
    assert balance_of(AccountKind.SELLER_AVAILABLE, "EUR", seller=seller) == 50_000
    assert facade.seller_balances(seller.pk)[0].available == 50_000
    assert_ledger_clean()


def test_reversed_grant_keeps_the_ledger_clean():
    seller = SellerFactory()
    public_id = facade.grant_pay(
        seller_id=seller.pk, amount=1_000, currency="USD", reference="r", idempotency_key="k"
    )
    entry_reverse(entry=JournalEntry.objects.get(public_id=public_id))
    assert balance_of(AccountKind.SELLER_AVAILABLE, "USD", seller=seller) == 0
    assert_ledger_clean()


@pytest.mark.parametrize(
    ("amount", "currency", "key", "field"),
    [
        (0, "USD", "k", "amount"),
        (-5, "USD", "k", "amount"),
        (1.5, "USD", "k", "amount"),
        (5, "USD", "", "idempotency_key"),
    ],
)
def test_bad_grants_are_refused_with_the_field(amount, currency, key, field):
    seller = SellerFactory()
    with pytest.raises(ValidationError) as exc:
        facade.grant_pay(
            seller_id=seller.pk, amount=amount, currency=currency, reference="r", idempotency_key=key
        )
    assert exc.value.field == field
    assert not JournalEntry.objects.exists()


def test_unknown_currency_seller_and_platform_are_refused():
    seller = SellerFactory()
    with pytest.raises(ValidationError):
        facade.grant_pay(seller_id=seller.pk, amount=5, currency="XXX1", reference="r", idempotency_key="a")
    with pytest.raises(facade.UnknownItem):
        facade.grant_pay(seller_id=999_999, amount=5, currency="USD", reference="r", idempotency_key="b")
    with pytest.raises(ValidationError):
        facade.grant_pay(
            seller_id=platform_seller().pk, amount=5, currency="USD", reference="r", idempotency_key="c"
        )
    assert not JournalEntry.objects.exists()
