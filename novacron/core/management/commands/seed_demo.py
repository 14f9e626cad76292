from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from novacron.core.demo import seeders


class Command(BaseCommand):
    help = "Create (or bring up to date) the demo data set. Safe to run again; prints the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even when NOVACRON_ENV=production")

    def handle(self, *args, force: bool = False, **options):
        if settings.PRODUCTION and not force:
            raise CommandError(
                "Refusing to seed demo data in production (use --force if you really mean it)."
            )
        notes: list[str] = []
        for label, seed in seeders():
            self.stdout.write(f"Seeding {label} ...")
            notes.extend(seed(self.stdout))
        self.stdout.write(self.style.SUCCESS("\nDemo data is ready."))
        for line in notes:
            self.stdout.write(line)
