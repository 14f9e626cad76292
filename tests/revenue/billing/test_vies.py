"""VIES: the HTTP client against a local server, and the pending-check hold while VIES cannot be reached."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from revenue.exceptions import ValidationError
from revenue.models import Invoice, VatNumberCheck
from revenue.services.invoices import invoice_release_hold, vat_checks_retry
from revenue.tax.vies import HttpViesClient

pytestmark = pytest.mark.django_db

# Recorded shapes of VIES REST answers (GET /ms/{cc}/vat/{number}).
VALID = {
    "isValid": True,
    "requestDate": "2026-11-26T10:00:00.000Z",
    "userError": "VALID",
    "name": "ACME GMBH",
    "address": "HAUPTSTRASSE 1\n10115 BERLIN",
    "requestIdentifier": "WAPIAAAAXYZ123",
    "vatNumber": "136695976",
}
INVALID = {
    "isValid": False,
    "userError": "INVALID",
    "name": "---",
    "address": "---",
    "vatNumber": "136695976",
}
MS_DOWN = {"isValid": False, "userError": "MS_UNAVAILABLE", "name": "---", "address": "---"}


class FakeVies:
    """A local HTTP server answering like VIES; `answer` is the body (or an int: an HTTP error status)."""

    def __init__(self) -> None:
        self.answer: dict | int = VALID
        self.requests: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake.requests.append(self.path)
                status, body = (fake.answer, {}) if isinstance(fake.answer, int) else (200, fake.answer)
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/rest-api"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def vies(settings):
    fake = FakeVies()
    settings.REVENUE_VIES_ENABLED = True
    settings.REVENUE_VIES_URL = fake.url
    settings.REVENUE_VIES_TIMEOUT = 2
    yield fake
    fake.close()


def test_client_reads_valid_invalid_and_unavailable_answers(vies):
    client = HttpViesClient(vies.url, timeout=2)
    result = client.check("DE", "136695976")
    assert (result.state, result.name, result.consultation_number) == ("valid", "ACME GMBH", "WAPIAAAAXYZ123")
    assert vies.requests == ["/rest-api/ms/DE/vat/136695976"]
    vies.answer = INVALID
    assert client.check("DE", "136695976").state == "invalid"
    vies.answer = MS_DOWN
    assert client.check("DE", "136695976").state == "unavailable"
    vies.answer = 503
    assert client.check("DE", "136695976").state == "unavailable"


def test_client_answers_unavailable_when_nothing_listens():
    result = HttpViesClient("http://127.0.0.1:9/rest-api", timeout=0.5).check("DE", "136695976")
    assert result.state == "unavailable"
    assert result.error


def test_a_number_vies_confirms_is_reverse_charged_and_invoiced(vies, buy):
    order = buy(country="DE", vat_number="DE136695976")
    invoice = Invoice.objects.get(order=order)
    assert invoice.reverse_charge
    assert invoice.number
    assert invoice.evidence["vat_check"] == "valid"
    assert invoice.evidence["vat_check_consultation"] == "WAPIAAAAXYZ123"


def test_a_number_vies_says_is_not_registered_is_refused(vies, buy):
    vies.answer = INVALID
    with pytest.raises(ValidationError) as exc:
        buy(country="DE", vat_number="DE136695976")
    assert exc.value.field == "vat_number"
    assert "not registered for VAT" in exc.value.message


def test_while_vies_is_down_the_sale_goes_through_and_its_invoice_is_held(vies, buy, finance_user):
    # Given VIES cannot be reached
    vies.answer = MS_DOWN

    # When a German business buys
    order = buy(country="DE", vat_number="DE136695976")

    # Then it is paid under the reverse charge, but its invoice is a draft held for the check
    assert order.state == "paid"
    assert order.tax_total == 0
    invoice = Invoice.objects.get(order=order)
    assert (invoice.state, invoice.hold, invoice.number) == ("draft", "vat_check_pending", None)
    assert VatNumberCheck.objects.get(vat_number="DE136695976").state == "pending"

    # When VIES is still down at the retry, nothing changes
    assert vat_checks_retry() == 0

    # When VIES answers valid, the retry finalises it with a number
    vies.answer = VALID
    assert vat_checks_retry() == 1
    invoice.refresh_from_db()
    assert (invoice.state, invoice.hold) == ("paid", "")
    assert invoice.number is not None


def test_an_invoice_vies_later_rejects_waits_for_finance(vies, buy, finance_user):
    vies.answer = MS_DOWN
    invoice = Invoice.objects.get(order=buy(country="DE", vat_number="DE136695976"))
    vies.answer = INVALID
    vat_checks_retry()
    invoice.refresh_from_db()
    assert (invoice.state, invoice.hold) == ("draft", "vat_number_invalid")
    # Finance verified the registration by other means and releases it
    released = invoice_release_hold(
        invoice=invoice, actor=finance_user, note="Certificate of registration seen"
    )
    assert released.state == "paid"
    assert released.number
