"""Gap-free numbering: a rolled-back finalisation gives its number back; on PostgreSQL, many threads finalising
at once get consecutive numbers with no gap and no duplicate."""

import threading
from datetime import UTC, datetime

import pytest
from django.db import connection, transaction

from revenue.models import Invoice, InvoiceCounter
from revenue.services.invoices import invoice_create_draft, invoice_finalise
from tests.revenue.factories import LineSpec, SellerFactory, create_paid_order

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def _drafts(count: int) -> list[Invoice]:
    seller = SellerFactory()
    return [
        invoice_create_draft(order=create_paid_order(lines=[LineSpec(seller, 1_000)])[0])
        for _ in range(count)
    ]


@pytest.mark.django_db
def test_a_rolled_back_finalisation_leaves_no_gap():
    first, second = _drafts(2)

    class Boom(Exception):
        pass

    def finalise_then_fail() -> None:
        with transaction.atomic():
            invoice_finalise(invoice=first, now=NOW)
            raise Boom

    with pytest.raises(Boom):
        finalise_then_fail()

    first.refresh_from_db()
    assert first.number is None
    assert invoice_finalise(invoice=second, now=NOW).number == "NC-2026-000001"
    assert invoice_finalise(invoice=first, now=NOW).number == "NC-2026-000002"


@pytest.mark.django_db
def test_each_year_starts_a_new_series():
    first, second = _drafts(2)
    assert invoice_finalise(invoice=first, now=NOW).number == "NC-2026-000001"
    assert (
        invoice_finalise(invoice=second, now=datetime(2027, 1, 1, 9, tzinfo=UTC)).number == "NC-2027-000001"
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_finalisation_gives_consecutive_numbers():
    # Given 40 drafts and 8 threads, each on its own connection
    drafts = _drafts(40)
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def work(chunk: list[Invoice]) -> None:
        try:
            barrier.wait()
            for invoice in chunk:
                invoice_finalise(invoice=invoice, now=NOW)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    # When they all finalise at once (the first also races to create the year's counter row)
    threads = [threading.Thread(target=work, args=(drafts[i::8],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then the numbers are exactly 1..40: no gap, no duplicate, and the counter agrees
    assert errors == []
    sequences = sorted(Invoice.objects.filter(kind="invoice").values_list("sequence", flat=True))
    assert sequences == list(range(1, 41))
    assert set(Invoice.objects.values_list("number", flat=True)) == {f"NC-2026-{n:06d}" for n in range(1, 41)}
    assert InvoiceCounter.objects.get(series="NC", year=2026).last_number == 40
