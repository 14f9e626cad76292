"""`python manage.py ledger_verify`: check the ledger's invariants (see revenue.services.verify).

Prints one summary line per check; on any violation lists each one and exits with status 1.
"""

import sys

from django.core.management.base import BaseCommand

from revenue.services.verify import ledger_verify


class Command(BaseCommand):
    help = "Verify the ledger: balanced entries, cached balances, non-negative accounts, gateway events applied once."

    def add_arguments(self, parser):
        parser.add_argument(
            "--max-violations", type=int, default=200, help="List at most this many violations (default 200)"
        )

    def handle(self, *args, max_violations: int = 200, **options):
        report = ledger_verify()
        for line in report.summary():
            self.stdout.write(line)
        if report.ok:
            self.stdout.write(self.style.SUCCESS("Ledger verified: no violations."))
            return
        self.stdout.write(self.style.ERROR(f"\n{len(report.violations)} violation(s):"))
        for violation in report.violations[:max_violations]:
            self.stdout.write(f"  {violation}")
        if len(report.violations) > max_violations:
            self.stdout.write(f"  ... and {len(report.violations) - max_violations} more")
        self.stdout.flush()
        sys.exit(1)
