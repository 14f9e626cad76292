from django.core.management.base import BaseCommand

from certification.services.exams import attempts_expire


class Command(BaseCommand):
    help = "Auto-submit exam attempts whose time limit has passed."

    def handle(self, *args, **options):
        self.stdout.write(f"{attempts_expire()} attempt(s) auto-submitted.")
