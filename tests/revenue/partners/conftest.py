"""Services marketplace fixtures."""

import pytest

from revenue import hooks


@pytest.fixture
def qualified():
    """A stand-in for certification's qualifier: `qualified.add(user_id)` makes that user certified."""
    users: set[int] = set()

    def qualifier(user_id: int) -> bool:
        return user_id in users

    hooks.register_partner_qualifier(qualifier)
    yield users
    hooks._partner_qualifiers.remove(qualifier)


@pytest.fixture(autouse=True)
def _no_invoice_pdfs(monkeypatch):
    """Invoices and credit notes are billing's (tests/revenue/billing); rendering a PDF per paid milestone would
    only slow these tests down."""
    monkeypatch.setattr("revenue.tasks_billing.invoice_sync_after_commit", lambda order_id: None)
    monkeypatch.setattr("revenue.services.refunds.credit_note_after_commit", lambda refund_id: None)


@pytest.fixture(autouse=True)
def _local_gateway(settings):
    settings.REVENUE_ENABLED_GATEWAYS = ["local_test", "bank_transfer"]
    settings.REVENUE_DEFAULT_GATEWAY = "local_test"
    settings.REVENUE_SERVICES_AUTO_ACCEPT_DAYS = 14
    return settings


@pytest.fixture
def pay(django_capture_on_commit_callbacks):
    """pay(milestone, buyer) → the paid order (checkout through the local test gateway, on_paid hooks run)."""
    from revenue.services.partner_milestones import milestone_pay

    def run(milestone, buyer, card="4242424242424242", **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            order = milestone_pay(milestone=milestone, actor=buyer, payment_method=card, **kwargs)
        milestone.refresh_from_db()
        return order

    return run
