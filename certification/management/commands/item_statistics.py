from django.core.management.base import BaseCommand

from certification.services.statistics import item_statistics_recompute


class Command(BaseCommand):
    help = "Recompute item difficulty (proportion correct) and point-biserial discrimination."

    def add_arguments(self, parser):
        parser.add_argument("--track", help="Only this track's items (slug).")

    def handle(self, *args, track=None, **options):
        from certification.models import Track

        track_id = Track.objects.get(slug=track).pk if track else None
        count = item_statistics_recompute(track_id=track_id)
        self.stdout.write(f"Statistics recomputed for {count} items.")
