from django.core.management.base import BaseCommand

from certification.services.certificates import reminders_send


class Command(BaseCommand):
    help = "Email holders whose certificates expire within 90, 30 or 7 days (once per certificate and threshold)."

    def handle(self, *args, **options):
        self.stdout.write(f"{reminders_send()} reminder(s) sent.")
