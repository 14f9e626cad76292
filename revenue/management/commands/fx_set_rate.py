"""`python manage.py fx_set_rate BASE QUOTE RATE [--date YYYY-MM-DD]`: record an exchange rate
(1 BASE = RATE QUOTE), valid from that day (default today, UTC) until a later rate is recorded."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError

from novacron.core.money import CurrencyError
from revenue.services.fx import rate_set


class Command(BaseCommand):
    help = "Record an exchange rate: 1 BASE = RATE QUOTE, valid from --date (default today)."

    def add_arguments(self, parser):
        parser.add_argument("base")
        parser.add_argument("quote")
        parser.add_argument("rate")
        parser.add_argument("--date", dest="as_of", help="YYYY-MM-DD (default: today, UTC)")
        parser.add_argument("--source", default="manual")

    def handle(self, *args, base: str, quote: str, rate: str, as_of: str | None, source: str, **options):
        try:
            value = Decimal(rate)
            day = dt.date.fromisoformat(as_of) if as_of else None
            obj = rate_set(base=base, quote=quote, rate=value, as_of=day, source=source)
        except (InvalidOperation, CurrencyError, ValueError) as exc:
            raise CommandError(str(exc) or "Invalid rate or date.") from exc
        self.stdout.write(self.style.SUCCESS(f"Recorded: {obj}"))
