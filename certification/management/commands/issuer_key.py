from django.core.management.base import BaseCommand

from certification.models import IssuerKey
from certification.services.keys import issuer_key_active, issuer_key_create, key_reference


class Command(BaseCommand):
    help = "Show the issuer's signing key (creating it if none exists); --rotate makes a new one."

    def add_arguments(self, parser):
        parser.add_argument(
            "--rotate", action="store_true", help="Retire the active key and create a new one."
        )

    def handle(self, *args, rotate=False, **options):
        key = issuer_key_create() if rotate else issuer_key_active()
        self.stdout.write(f"Active key: {key_reference(key)}")
        self.stdout.write(f"Storage: {key.key_file or 'database (Fernet-encrypted)'}")
        self.stdout.write(f"Published keys: {IssuerKey.objects.count()}")
