"""`python manage.py tax_rate_set JURISDICTION RATE VALID_FROM [--kind vat]`: a rate change from a date (e.g.
`tax_rate_set DE 0.21 2027-01-01`). Sales before that day keep the previous rate."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError

from novacron.core.exceptions import DomainError
from revenue.services.tax import tax_rate_set


class Command(BaseCommand):
    help = "Add a tax rate for a jurisdiction (DE, GB, US-TX) from a date: RATE is a fraction, 0.19 for 19%."

    def add_arguments(self, parser):
        parser.add_argument("jurisdiction")
        parser.add_argument("rate")
        parser.add_argument("valid_from", help="YYYY-MM-DD")
        parser.add_argument("--kind", default="vat", choices=["vat", "gst", "sales_tax"])
        parser.add_argument("--note", default="")

    def handle(self, *args, jurisdiction, rate, valid_from, kind, note, **options):
        try:
            obj = tax_rate_set(
                jurisdiction=jurisdiction,
                rate=Decimal(rate),
                valid_from=dt.date.fromisoformat(valid_from),
                kind=kind,
                note=note,
            )
        except (InvalidOperation, ValueError) as exc:
            raise CommandError("RATE is a decimal like 0.19 and VALID_FROM a date like 2027-01-01.") from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(f"Recorded: {obj}"))
