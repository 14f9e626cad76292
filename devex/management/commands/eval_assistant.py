"""`python manage.py eval_assistant [--method all|lexical|dense|hybrid] [--questions FILE] [--calibrate] [--json]`

Runs the question set (devex/eval/questions.yaml) against the current index and prints recall@5, MRR@10, the
share of unanswerable questions answered with "I don't know" and the share of answerable ones answered, per
retrieval method. `--reindex` brings the index up to date first; `--calibrate` also prints, per method, the
confidence threshold that would balance the two rates best on this set; `-v 2` lists the misses.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from devex.eval.harness import RECALL_AT, evaluate, load_questions, unresolved
from devex.retrieval.search import METHODS, active_backend, confidence_threshold


class Command(BaseCommand):
    help = "Evaluate the docs assistant's retrieval: recall@5, MRR and the correct 'I don't know' rate."

    def add_arguments(self, parser):
        parser.add_argument("--method", default="all", choices=["all", *METHODS])
        parser.add_argument("--questions", type=Path, help="a questions YAML file (default: devex/eval/)")
        parser.add_argument("--reindex", action="store_true", help="run reindex_docs first")
        parser.add_argument("--calibrate", action="store_true", help="print the best threshold per method")
        parser.add_argument("--json", action="store_true", help="print the figures as JSON")

    def handle(self, *args, **options):
        if options["reindex"]:
            from devex.services.indexing import index_rebuild

            index_rebuild()
        try:
            questions = load_questions(options["questions"])
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(f"cannot read the questions: {exc}") from exc
        backend = active_backend()
        if backend.build_id is None:
            raise CommandError("no index yet: run `python manage.py reindex_docs` (or pass --reindex)")
        methods = list(METHODS) if options["method"] == "all" else [options["method"]]
        results = evaluate(questions, methods=methods)
        summaries = [result.summary() for result in results]
        missing = unresolved(questions)

        if options["json"]:
            payload = {
                "backend": {"name": backend.name, "dims": backend.dims, "index_type": backend.index_type},
                "chunks": backend.chunk_count,
                "results": summaries,
                "unresolved": missing,
            }
            self.stdout.write(json.dumps(payload, indent=2))
            return

        answerable = sum(q.answerable for q in questions)
        self.stdout.write(
            f"Backend: {backend.name} ({backend.dims} dimensions, {backend.index_type} index, "
            f"{backend.chunk_count} chunks, build {backend.build_id})\n"
            f"Questions: {answerable} answerable, {len(questions) - answerable} unanswerable\n"
        )
        header = f"| method  | recall@{RECALL_AT} | MRR@10 | I don't know (correct) | answered | threshold | ms/query |"
        self.stdout.write(header)
        self.stdout.write(
            "|---------|---------:|-------:|-----------------------:|---------:|----------:|---------:|"
        )
        for result, summary in zip(results, summaries, strict=True):
            threshold = confidence_threshold(result.method, backend.name)
            self.stdout.write(
                f"| {result.method:<7} | {summary['recall_at_5']:8.3f} | {summary['mrr_at_10']:6.3f} | "
                f"{summary['idk_correct']:22.3f} | {summary['answered']:8.3f} | {threshold:9.3f} | "
                f"{summary['ms_per_query']:8.1f} |"
            )
        if options["calibrate"]:
            self.stdout.write("\nBest thresholds on this set (balanced accuracy):")
            for summary in summaries:
                self.stdout.write(
                    f"  {summary['method']:<7} {summary['calibrated_threshold']:.3f}: answered "
                    f"{summary['calibrated_answered']:.3f}, I don't know correct {summary['calibrated_idk_correct']:.3f}"
                )
        if options["verbosity"] >= 2:
            for result in results:
                self.stdout.write(f"\n{result.method}: misses (no expected section in the first {RECALL_AT})")
                for outcome in result.answerable:
                    if outcome.rank is None or outcome.rank > RECALL_AT:
                        self.stdout.write(
                            f"  - {outcome.question.text} → {outcome.top} (rank {outcome.rank})"
                        )
                for outcome in result.unanswerable:
                    if outcome.confident:
                        self.stdout.write(
                            f"  - answered unanswerable: {outcome.question.text} → {outcome.top} "
                            f"(relevance {outcome.relevance:.3f})"
                        )
        if missing:
            self.stdout.write(self.style.WARNING("\nExpected sections not in the index:"))
            for item in missing:
                self.stdout.write(f"  - {item}")
