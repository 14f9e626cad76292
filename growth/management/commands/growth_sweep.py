"""Run the community sweep once (what the `growth.sweep` beat task does every minute)."""

from django.core.management.base import BaseCommand

from growth.tasks import sweep


class Command(BaseCommand):
    help = "Expire unpaid ticket holds and waitlist offers (freeing their seats) and send event reminders."

    def handle(self, *args, **options) -> None:
        result = sweep()
        self.stdout.write(
            f"holds expired: {result['holds_expired']}, reminders sent: {result['reminders_sent']}"
        )
