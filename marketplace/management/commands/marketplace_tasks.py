"""Run the marketplace's periodic work by hand (the same code as the Celery beat tasks):

manage.py marketplace_tasks expire          # lapsed trials/periods and badges
manage.py marketplace_tasks resume-checks   # re-run checks of submissions stuck for 15 minutes
manage.py marketplace_tasks run-checks <version public id>
"""

from django.core.management.base import BaseCommand, CommandError

from marketplace import tasks
from marketplace.models import AppVersion


class Command(BaseCommand):
    help = "Run marketplace periodic tasks now: expire, resume-checks, run-checks <version>."

    def add_arguments(self, parser) -> None:
        parser.add_argument("task", choices=["expire", "resume-checks", "run-checks"])
        parser.add_argument("version", nargs="?", help="Version public id (run-checks)")

    def handle(self, *args, **options) -> None:
        task = options["task"]
        if task == "expire":
            self.stdout.write(str(tasks.expire()))
        elif task == "resume-checks":
            self.stdout.write(f"{tasks.resume_checks()} submission(s) resumed")
        else:
            version = AppVersion.objects.filter(public_id=options.get("version") or None).first()
            if version is None or version.state != AppVersion.State.SUBMITTED:
                raise CommandError("Name a submitted version by its public id.")
            self.stdout.write(", ".join(tasks.run_checks(version.pk, version.submission)))
