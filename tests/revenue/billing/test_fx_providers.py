"""Exchange-rate providers: the ECB daily reference rates parsed from a recorded eurofxref-daily.xml served by a
local HTTP server (no internet here), the manual provider, and choosing the provider by dotted path."""

import datetime as dt
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from revenue.fx_providers import (
    EcbRateProvider,
    ManualRateProvider,
    ProviderError,
    ecb_parse,
    provider_get,
)

RECORDED = Path(__file__).resolve().parent.parent / "recorded" / "ecb_eurofxref_daily.xml"


@pytest.fixture
def ecb_server():
    """A local HTTP server answering like www.ecb.europa.eu: /daily.xml is the recorded file, /down is a 503."""
    body = RECORDED.read_bytes()
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            if self.path == "/daily.xml":
                self.send_response(200)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            else:
                self.send_response(503)
                self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()


def test_ecb_provider_fetches_and_parses_the_recorded_daily_file(ecb_server):
    # given the ECB endpoint answering with the recorded file
    base_url, hits = ecb_server

    # when the provider fetches
    batch = EcbRateProvider(url=f"{base_url}/daily.xml").fetch()

    # then every quoted currency comes back as 1 EUR = rate X, dated by the file's Cube time
    assert hits == ["/daily.xml"]
    assert batch.source == "ecb"
    assert batch.as_of == dt.date(2026, 11, 25)
    rates = {(r.base, r.quote): r.rate for r in batch.rates}
    assert len(rates) == 29
    assert rates[("EUR", "USD")] == Decimal("1.1581")
    assert rates[("EUR", "JPY")] == Decimal("181.13")
    assert rates[("EUR", "IDR")] == Decimal("19321.14")
    assert batch.skipped == ()


def test_ecb_provider_reports_an_unreachable_server(ecb_server):
    base_url, _hits = ecb_server
    with pytest.raises(ProviderError, match="could not be reached"):
        EcbRateProvider(url=f"{base_url}/down").fetch()


def test_ecb_parse_skips_unsupported_currencies_and_refuses_bad_documents():
    # given a file quoting a currency the platform does not support
    xml = (
        b"<Envelope><Cube><Cube time='2026-01-02'><Cube currency='USD' rate='1.10'/>"
        b"<Cube currency='XAU' rate='0.0004'/></Cube></Cube></Envelope>"
    )
    batch = ecb_parse(xml)
    assert [(r.quote, r.rate) for r in batch.rates] == [("USD", Decimal("1.10"))]
    assert batch.skipped == ("XAU",)

    # then documents that are not rates are refused with a reason
    with pytest.raises(ProviderError, match="not valid XML"):
        ecb_parse(b"<html>maintenance")
    with pytest.raises(ProviderError, match="No dated Cube"):
        ecb_parse(b"<Envelope><Cube/></Envelope>")
    with pytest.raises(ProviderError, match="Unusable"):
        ecb_parse(b"<Cube><Cube time='2026-01-02'><Cube currency='USD' rate='-1'/></Cube></Cube>")
    with pytest.raises(ProviderError, match="DTD"):
        ecb_parse(b'<!DOCTYPE x [<!ENTITY a "aaaa">]><Cube time="2026-01-02">&a;</Cube>')


def test_provider_is_chosen_by_dotted_path(settings):
    settings.REVENUE_FX_PROVIDER = "revenue.fx_providers.EcbRateProvider"
    assert isinstance(provider_get(), EcbRateProvider)
    settings.REVENUE_FX_PROVIDER = "revenue.fx_providers.ManualRateProvider"
    manual = provider_get()
    assert isinstance(manual, ManualRateProvider)
    assert manual.fetches is False
    with pytest.raises(ProviderError):
        manual.fetch()
    with pytest.raises(ProviderError, match="No exchange-rate provider"):
        provider_get("revenue.fx_providers.Nope")
    with pytest.raises(ProviderError, match="not a RateProvider"):
        provider_get("revenue.fx_providers.ecb_parse")
