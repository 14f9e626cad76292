"""Demo data for `seed_demo` (idempotent): the ten tracks with their certifications, a course and a 20-item bank
with an exam per track, the multilingual flagship course (en + es + de, partly translated), a paid course with a
cohort, and learners at different points: a certificate earned through the real flow, an expired one, a revoked
one, and a learner half-way through a cohort."""

from __future__ import annotations

from datetime import timedelta
from typing import TextIO

from django.contrib.auth import get_user_model
from django.utils import timezone

from certification.demo_content import CERTIFICATION_DESCRIPTIONS, FLAGSHIP_LESSONS, TRACKS
from certification.models import (
    Certificate,
    Certification,
    Cohort,
    Course,
    Enrolment,
    Exam,
    Item,
    Lesson,
    LessonTranslation,
    Level,
    Module,
    Track,
)
from certification.services import exams as exam_service
from certification.services.certificates import certificate_issue, certificate_revoke
from certification.services.learning import enrolment_create, lesson_complete
from certification.services.statistics import item_statistics_recompute

DEMO_DOMAIN = "demo.novacron.dev"
FLAGSHIP = "distributed-systems-on-novacron"
BLUEPRINT = [
    {"skill": "concepts", "difficulty": 1, "count": 3},
    {"skill": "practice", "difficulty": 1, "count": 3},
    {"skill": "concepts", "difficulty": 2, "count": 2},
    {"skill": "practice", "difficulty": 2, "count": 2},
]


def _user(local: str):
    return get_user_model().objects.filter(email=f"{local}@{DEMO_DOMAIN}").first()


def _items(track: Track, glossary: list[tuple[str, str]]) -> None:
    """Two items per glossary term: pick the term for a definition (easy), type the term (medium)."""
    if track.items.exists():
        return
    terms = [term for term, _ in glossary]
    for index, (term, definition) in enumerate(glossary):
        skill = "concepts" if index < 5 else "practice"
        distractors = [t for t in terms if t != term][index % 7 : index % 7 + 3]
        options = [{"id": chr(97 + i), "text": t} for i, t in enumerate(sorted([term, *distractors]))]
        correct = next(o["id"] for o in options if o["text"] == term)
        Item.objects.create(
            track=track,
            skill=skill,
            difficulty=1,
            kind=Item.Kind.SINGLE,
            stem=f"Which term matches this description? *{definition}.*",
            options=options,
            answer={"correct": correct},
            explanation=f"{term.capitalize()}: {definition.lower()}.",
        )
        Item.objects.create(
            track=track,
            skill=skill,
            difficulty=2,
            kind=Item.Kind.TEXT,
            stem=f"Name the term: *{definition}.*",
            answer={"accepted": [term], "case_sensitive": False},
            explanation=f"The term is “{term}”.",
        )


def _extra_distributed_items(track: Track) -> None:
    if track.items.filter(kind=Item.Kind.NUMERIC).exists():
        return
    Item.objects.create(
        track=track,
        skill="practice",
        difficulty=3,
        kind=Item.Kind.NUMERIC,
        stem="A Raft cluster has 5 nodes. How many must store an entry before it is committed?",
        answer={"value": 3, "tolerance": 0},
        explanation="A majority: ⌊5/2⌋+1 = 3.",
    )
    Item.objects.create(
        track=track,
        skill="concepts",
        difficulty=3,
        kind=Item.Kind.ORDERING,
        stem="Put Raft's election steps in order.",
        options=[
            {"id": "a", "text": "A follower's election timeout fires"},
            {"id": "b", "text": "It becomes a candidate and requests votes"},
            {"id": "c", "text": "A majority votes for it"},
            {"id": "d", "text": "It sends heartbeats as leader"},
        ],
        answer={"order": ["a", "b", "c", "d"]},
    )
    Item.objects.create(
        track=track,
        skill="concepts",
        difficulty=3,
        kind=Item.Kind.MULTIPLE,
        stem="Which of these make retries safe?",
        options=[
            {"id": "a", "text": "Idempotency keys"},
            {"id": "b", "text": "Random sleeps"},
            {"id": "c", "text": "Deduplication by request id"},
            {"id": "d", "text": "Larger timeouts"},
        ],
        answer={"correct": ["a", "c"]},
    )


def _glossary_course(track: Track, certification: Certification, glossary, instructor) -> Course:
    course, created = Course.objects.get_or_create(
        slug=f"{track.slug}-fundamentals",
        defaults={
            "title": f"{track.name} fundamentals",
            "summary": f"The core vocabulary of {track.name} on NovaCron.",
            "track": track,
            "certification": certification,
            "instructor": instructor,
            "estimated_minutes": 30,
            "is_published": True,
        },
    )
    if created:
        for position, (title, part) in enumerate(
            (("Key concepts", glossary[:5]), ("In practice", glossary[5:])), start=1
        ):
            module = Module.objects.create(
                course=course, title=title, position=position, due_offset_days=7 * position
            )
            body = "\n".join(f"- **{term}** — {definition}." for term, definition in part)
            Lesson.objects.create(
                module=module,
                title=title,
                position=1,
                estimated_minutes=15,
                body=f"Learn these terms; the exam asks about each of them.\n\n{body}\n",
            )
    return course


def _flagship(track: Track, certification: Certification, instructor) -> Course:
    course, created = Course.objects.get_or_create(
        slug=FLAGSHIP,
        defaults={
            "title": "Distributed systems on NovaCron",
            "summary": "Failures, idempotency, quorums and Raft — in English, Spanish and German.",
            "track": track,
            "certification": certification,
            "instructor": instructor,
            "estimated_minutes": 45,
            "is_published": True,
        },
    )
    if created:
        modules: dict[str, Module] = {}
        for position, (module_title, title, body, translations) in enumerate(FLAGSHIP_LESSONS, start=1):
            if module_title not in modules:
                modules[module_title] = Module.objects.create(
                    course=course,
                    title=module_title,
                    position=len(modules) + 1,
                    due_offset_days=7 * (len(modules) + 1),
                )
            lesson = Lesson.objects.create(
                module=modules[module_title], title=title, body=body, position=position, estimated_minutes=10
            )
            for language, (t_title, t_body) in translations.items():
                LessonTranslation.objects.create(lesson=lesson, language=language, title=t_title, body=t_body)
        Cohort.objects.create(
            course=course, name="Spring cohort", starts_on=timezone.localdate() - timedelta(days=10)
        )
    return course


def _pass_exam(user, exam: Exam) -> None:
    """Take the exam for real, answering from the key (the demo learner studied)."""
    attempt = exam_service.attempt_start(user=user, exam=exam)
    answers = {}
    for ai in attempt.items.select_related("item"):
        key = ai.item.answer
        answers[ai.position] = {
            "single": key.get("correct"),
            "multiple": key.get("correct"),
            "numeric": key.get("value"),
            "text": (key.get("accepted") or [""])[0],
            "ordering": key.get("order"),
        }[ai.item.kind]
    exam_service.attempt_submit(attempt=attempt, answers=answers)


def _fail_exam(user, exam: Exam) -> None:
    attempt = exam_service.attempt_start(user=user, exam=exam)
    exam_service.attempt_submit(attempt=attempt, answers={})


def seed(out: TextIO) -> list[str]:
    instructor = _user("instructor")
    exams: dict[str, Exam] = {}
    for position, (slug, name, summary, glossary) in enumerate(TRACKS):
        track, _ = Track.objects.update_or_create(
            slug=slug, defaults={"name": name, "summary": summary, "position": position}
        )
        for level in Level:
            Certification.objects.get_or_create(
                track=track,
                level=level,
                defaults={
                    "name": f"NovaCron Certified {name} {level.label}",
                    "description": f"The holder {CERTIFICATION_DESCRIPTIONS[level].format(track=name)}.",
                    "criteria": f"Completed the {name} {level.label} learning path and passed its proctored, "
                    "timed exam drawn from the item bank.",
                },
            )
        developer = track.certifications.get(level=Level.DEVELOPER)
        _items(track, glossary)
        if slug == "distributed-systems":
            _extra_distributed_items(track)
            _flagship(track, developer, instructor)
        else:
            _glossary_course(track, developer, glossary, instructor)
        exams[slug], _ = Exam.objects.get_or_create(
            certification=developer,
            kind=Exam.Kind.CERTIFICATION,
            defaults={
                "title": f"{developer.name} exam",
                "blueprint": BLUEPRINT,
                "time_limit_minutes": 20,
                "pass_mark": 70,
            },
        )
    distributed = Track.objects.get(slug="distributed-systems")
    developer = distributed.certifications.get(level=Level.DEVELOPER)
    Exam.objects.get_or_create(
        certification=developer,
        kind=Exam.Kind.RECERTIFICATION,
        defaults={
            "title": f"{developer.name} recertification",
            "blueprint": BLUEPRINT[:2],
            "time_limit_minutes": 10,
        },
    )
    architect = distributed.certifications.get(level=Level.ARCHITECT)
    paid, created = Course.objects.get_or_create(
        slug="distributed-systems-architecture",
        defaults={
            "title": "Designing distributed systems",
            "summary": "Replication, partitioning and consistency trade-offs for architects.",
            "track": distributed,
            "level": Level.ARCHITECT,
            "certification": architect,
            "instructor": instructor,
            "instructor_sells": True,
            "price_amount": 4900,
            "price_currency": "USD",
            "estimated_minutes": 90,
            "is_published": True,
        },
    )
    if created:
        paid.prerequisites.add(Course.objects.get(slug=FLAGSHIP))
        module = Module.objects.create(course=paid, title="Consistency models", position=1)
        Lesson.objects.create(
            module=module,
            title="From linearizable to eventual",
            position=1,
            body=(
                "Stronger consistency costs latency and availability. **Linearizability** needs coordination on every "
                "write; **eventual consistency** lets replicas diverge briefly and converge.\n"
            ),
        )
        Cohort.objects.create(
            course=paid,
            name="Autumn cohort",
            starts_on=timezone.localdate() + timedelta(days=20),
            capacity=30,
        )

    lines = _people(exams)
    item_statistics_recompute()
    out.write(
        f"  {Track.objects.count()} tracks, {Course.objects.count()} courses, {Item.objects.count()} items, "
        f"{Certificate.objects.count()} certificates\n"
    )
    return lines


def _people(exams: dict[str, Exam]) -> list[str]:
    learner, buyer, developer = _user("learner"), _user("buyer"), _user("developer")
    if learner is None or buyer is None or developer is None:
        return ["  (Learn: demo users missing; run the accounts seed first)"]
    flagship = Course.objects.get(slug=FLAGSHIP)
    # Lea: the real flow — enrol, complete every lesson, pass the exam → certificate.
    if not Certificate.objects.filter(user=learner).exists():
        enrolment = enrolment_create(user_id=learner.pk, course=flagship, language="es")
        for lesson in Lesson.objects.filter(module__course=flagship):
            lesson_complete(enrolment=enrolment, lesson=lesson)
        _pass_exam(learner, exams["distributed-systems"])
    # Bea: half-way through the flagship cohort; a failed devops attempt; an expired devops certificate.
    if not Enrolment.objects.filter(user=buyer, course=flagship).exists():
        enrolment = enrolment_create(
            user_id=buyer.pk, course=flagship, cohort=flagship.cohorts.first(), language="de"
        )
        lesson_complete(enrolment=enrolment, lesson=Lesson.objects.filter(module__course=flagship).first())
        devops = Course.objects.get(slug="devops-fundamentals")
        enrolment_create(user_id=buyer.pk, course=devops)
        _fail_exam(buyer, exams["devops"])
        long_ago = timezone.now() - timedelta(days=800)
        certificate_issue(
            user_id=buyer.pk, certification=devops.certification, now=long_ago, valid_from=long_ago
        )
    # Dev: a security certificate, revoked.
    if not Certificate.objects.filter(user=developer).exists():
        security = Course.objects.get(slug="security-fundamentals")
        certificate = certificate_issue(user_id=developer.pk, certification=security.certification)
        certificate_revoke(certificate=certificate, reason="Exam integrity violation found on review (demo).")
    lines = ["", "Learn (/learn/):"]
    for certificate in Certificate.objects.filter(user__in=[learner, buyer, developer]).select_related(
        "certification"
    ):
        state = "expired" if certificate.expires_at <= timezone.now() else certificate.status
        lines.append(
            f"  {certificate.recipient_name}: {certificate.certification.name} [{state}] "
            f"/learn/credentials/{certificate.public_id}/"
        )
    return lines
