"""`python manage.py billing_run [--vat-checks]`: what the billing beat tasks do, on demand — issue the invoices
and credit notes the after-commit hooks missed (revenue.sync_invoices) and, with --vat-checks, ask VIES again
for held reverse-charge invoices (revenue.retry_vat_checks). Safe to run any time, twice, or beside the tasks."""

from django.core.management.base import BaseCommand

from revenue.services.invoices import invoices_sync_due, vat_checks_retry


class Command(BaseCommand):
    help = "Issue missing invoices and credit notes; with --vat-checks, retry VIES for held invoices."

    def add_arguments(self, parser):
        parser.add_argument("--vat-checks", action="store_true")

    def handle(self, *args, vat_checks: bool, **options):
        if vat_checks:
            self.stdout.write(f"VAT checks: {vat_checks_retry()} held invoice(s) released")
        self.stdout.write(f"Invoices and credit notes issued or updated: {invoices_sync_due()}")
