"""`python manage.py fx_update [--provider dotted.path]`: fetch today's rates from the configured exchange-rate
provider (REVENUE_FX_PROVIDER) and store them with their source and date. Idempotent per day: running it again
changes nothing; rates finance entered by hand for that day are kept. With the manual provider there is
nothing to fetch: it lists the pairs whose latest rate is stale."""

from django.core.management.base import BaseCommand, CommandError

from revenue.fx_providers import ProviderError, provider_get
from revenue.services.fx import rates_update


class Command(BaseCommand):
    help = "Fetch and store today's exchange rates from the configured provider (safe to run twice)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--provider", help="Dotted path of a provider class (default: REVENUE_FX_PROVIDER)"
        )

    def handle(self, *args, provider: str | None, **options):
        try:
            result = rates_update(provider=provider_get(provider))
        except ProviderError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(result.summary()))
        if result.stale:
            self.stdout.write(self.style.WARNING(f"Stale (no recent rate): {', '.join(result.stale)}"))
