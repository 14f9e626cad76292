"""Celery tasks of billing (imported by RevenueConfig.ready so they register). Thin: each calls one idempotent
service; the same work runs from `manage.py billing_run`."""

from celery import shared_task
from django.db import OperationalError

from revenue.models import Invoice
from revenue.services.invoice_documents import invoice_email_send
from revenue.services.invoices import invoice_sync_after_commit, invoices_sync_due, vat_checks_retry

RETRY = {"acks_late": True, "autoretry_for": (OperationalError,), "retry_backoff": True, "max_retries": 5}


@shared_task(name="revenue.send_invoice_email", time_limit=120, soft_time_limit=100, **RETRY)
def send_invoice_email(invoice_id: int) -> bool:
    """Email a final invoice or credit note to its buyer with the PDF (once)."""
    invoice = Invoice.objects.filter(pk=invoice_id).first()
    return bool(invoice) and invoice_email_send(invoice=invoice)


@shared_task(name="revenue.issue_invoice", time_limit=300, soft_time_limit=280, **RETRY)
def issue_invoice(order_id: int) -> None:
    """Issue a paid order's invoice once the purchase committed: numbering it (a gap-free counter row) happens
    here, off the purchase's path, so concurrent checkouts never queue on that row. A failure is logged and left
    to the sweep below."""
    invoice_sync_after_commit(order_id)


@shared_task(name="revenue.sync_invoices", time_limit=900, soft_time_limit=840, **RETRY)
def sync_invoices() -> int:
    """Invoices and credit notes the after-commit hooks missed (beat: every 5 minutes)."""
    return invoices_sync_due()


@shared_task(name="revenue.retry_vat_checks", time_limit=600, soft_time_limit=540, **RETRY)
def retry_vat_checks() -> int:
    """Ask VIES again for held reverse-charge invoices (beat: every 30 minutes)."""
    return vat_checks_retry()
