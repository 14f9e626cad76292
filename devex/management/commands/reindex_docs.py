"""`python manage.py reindex_docs [--full] [--json]`: bring the documentation index up to date."""

import json

from django.core.management.base import BaseCommand, CommandError

from devex.retrieval.vectorisers import VectoriserUnavailable
from devex.services.indexing import index_rebuild


class Command(BaseCommand):
    help = (
        "Index docs/ and registered content: re-chunk new and changed documents (content hash), delete removed "
        "ones, rebuild the lexical and vector indexes. --full re-chunks and re-embeds everything."
    )

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="ignore content hashes: rebuild everything")
        parser.add_argument("--json", action="store_true", help="print the counts as JSON")

    def handle(self, *args, **options):
        try:
            report = index_rebuild(full=options["full"])
        except VectoriserUnavailable as exc:
            raise CommandError(str(exc)) from exc
        data = report.as_dict()
        if options["json"]:
            self.stdout.write(json.dumps(data, indent=2))
            return
        if report.skipped:
            self.stdout.write(self.style.WARNING(f"Skipped: {report.skipped}."))
            return
        build = report.build
        self.stdout.write(
            f"Build {build.id}: {build.vectoriser} ({build.dimensions} dimensions, {build.vector_index} index)\n"
            f"documents: {report.created} new, {report.updated} changed, {report.unchanged} unchanged, "
            f"{report.deleted} removed ({build.documents_total} in the index)\n"
            f"chunks: {report.chunks_total} ({report.chunks_embedded} embedded, {report.chunks_reused} reused)"
        )
        for source, error in report.source_errors.items():
            self.stdout.write(self.style.WARNING(f"source {source!r} could not be read: {error}"))
        self.stdout.write(self.style.SUCCESS("Index up to date."))
