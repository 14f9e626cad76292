"""`python manage.py tax_report PERIOD [--jurisdiction DE] [--output FILE]`: the tax report as CSV (PERIOD: 2026,
2026-Q3 or 2026-07), over final invoices and credit notes issued in the period."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from novacron.core.exceptions import DomainError
from revenue.selectors.billing import period_parse, tax_report_csv


class Command(BaseCommand):
    help = "Write the tax report of a period (2026, 2026-Q3, 2026-07) as CSV to stdout or --output."

    def add_arguments(self, parser):
        parser.add_argument("period")
        parser.add_argument("--jurisdiction", default="", help='Only one jurisdiction, e.g. "DE" or "US-TX"')
        parser.add_argument("--output", help="Write to this file instead of stdout")

    def handle(self, *args, period: str, jurisdiction: str, output: str | None, **options):
        try:
            start, end = period_parse(period)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        text = tax_report_csv(start=start, end=end, jurisdiction=jurisdiction.strip().upper())
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stderr.write(f"Wrote {output}")
        else:
            self.stdout.write(text, ending="")
