"""`python manage.py reconcile [--gateway NAME] [--since DATE] [--recover]`

Compares each gateway's records (`list_payments`) with our Payments and Refunds and with the ledger's gateway
clearing postings, prints every difference and exits 1 if there is any:

- missing_ours / missing_gateway: a charge only the gateway knows (that took money), or a payment of ours with a
  reference the gateway does not know;
- amount, currency, state, refund and fee mismatches between the two sides;
- in_flight: a payment whose gateway answer was never recorded (older than the grace period; `--recover` asks
  the gateway and settles it first, see services.payments.payment_recover);
- ledger: a succeeded payment without its sale entry, a sale or fee entry whose gateway clearing posting differs
  from the payment, a refund without its entry or with a clearing credit other than its amount, an order whose
  state disagrees with its payment;
- event_not_applied: a webhook stored but not applied (its effects failed; redelivery retries it).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from revenue.exceptions import GatewayUnavailable
from revenue.gateways import enabled_gateways
from revenue.services.payments import payments_recover_stale
from revenue.services.reconcile import Difference, reconcile_gateway


def _parse_since(value: str | None) -> datetime | None:
    if not value:
        return None
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        if day is None:
            raise CommandError(f"--since: {value!r} is not a date (YYYY-MM-DD) or an ISO datetime.")
        moment = datetime.combine(day, time.min)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


class Command(BaseCommand):
    help = "Compare the gateways' records with our payments, refunds and ledger; exit 1 on any difference."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--gateway", action="append", help="Only this gateway (repeatable). Default: all enabled."
        )
        parser.add_argument(
            "--since", help="Only payments created on or after this date (YYYY-MM-DD) or datetime."
        )
        parser.add_argument(
            "--recover",
            action="store_true",
            help="First settle payments whose gateway answer was never recorded.",
        )

    def handle(self, *args: object, **options: object) -> None:
        since = _parse_since(options.get("since"))  # type: ignore[arg-type]
        names = options.get("gateway") or enabled_gateways()
        unknown = [name for name in names if name not in enabled_gateways()]  # type: ignore[union-attr]
        if unknown:
            raise CommandError(
                f"Gateway not enabled: {', '.join(unknown)} (enabled: {', '.join(enabled_gateways())})."
            )
        now = timezone.now()
        differences: list[Difference] = []
        counts: dict[str, int] = defaultdict(int)
        for name in names:  # type: ignore[union-attr]
            if options.get("recover"):
                self._recover(name, since, now)
            try:
                found, compared = reconcile_gateway(name, since=since, now=now)
            except GatewayUnavailable as exc:
                raise CommandError(f"{name}: {exc}") from exc
            counts[name] = compared
            differences += found
        for difference in differences:
            self.stdout.write(str(difference))
        summary = ", ".join(f"{name}: {count} payments" for name, count in counts.items())
        if differences:
            raise CommandError(f"{len(differences)} difference(s) ({summary}).", returncode=1)
        self.stdout.write(self.style.SUCCESS(f"Reconciled, no differences ({summary})."))

    def _recover(self, name: str, since: datetime | None, now: datetime) -> None:
        for payment in payments_recover_stale(gateway=name, since=since, now=now):
            self.stdout.write(f"recovered payment {payment.public_id}: {payment.state}")
