"""Catalog, course pages, enrolment (free and paid), lessons with language fallback, progress."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from certification import selectors
from certification.forms import BuyForm, EnrolForm
from certification.item_types import ENROLMENT, enrolment_item_id
from certification.models import Certification, Course, Enrolment, Lesson, Resource, Track
from certification.services import learning
from certification.views.common import can_teach, flash_error
from novacron.core.exceptions import DomainError
from novacron.core.money import Money
from novacron.core.once import submit_once
from revenue import facade as revenue


def index(request: HttpRequest) -> HttpResponse:
    tracks = Track.objects.prefetch_related("certifications", "courses").order_by("position")
    courses = selectors.published_courses()
    by_track: dict[int, list[Course]] = {}
    for course in courses:
        by_track.setdefault(course.track_id, []).append(course)
    return render(
        request,
        "certification/index.html",
        {"tracks": [(t, by_track.get(t.pk, [])) for t in tracks], "can_teach": can_teach(request.user)},
    )


def track_detail(request: HttpRequest, slug: str) -> HttpResponse:
    track = get_object_or_404(Track, slug=slug)
    published = Course.objects.filter(is_published=True).order_by("path_position", "title")
    certifications = track.certifications.filter(is_active=True).prefetch_related(
        Prefetch("courses", queryset=published, to_attr="path")
    )
    paths = [(c, c.path) for c in certifications]
    return render(request, "certification/track.html", {"track": track, "paths": paths})


def certification_detail(request: HttpRequest, public_id) -> HttpResponse:
    """The Achievement's public page (its id in every credential)."""
    certification = get_object_or_404(Certification.objects.select_related("track"), public_id=public_id)
    courses = certification.courses.filter(is_published=True).order_by("path_position")
    return render(
        request, "certification/certification.html", {"certification": certification, "courses": courses}
    )


def _price(course: Course) -> str:
    return "" if course.is_free else Money(course.price_amount, course.price_currency).format()


def course_detail(request: HttpRequest, slug: str) -> HttpResponse:
    course = get_object_or_404(Course.objects.select_related("track", "certification"), slug=slug)
    if not course.is_published and not (request.user.is_staff or request.user == course.instructor):
        raise Http404
    enrolment = selectors.enrolment_for(request.user, course)
    active = enrolment if enrolment and enrolment.status != Enrolment.Status.WITHDRAWN else None
    context = {
        "course": course,
        "outline": selectors.course_outline(course),
        "enrolment": active,
        "progress": selectors.enrolment_progress(active) if active else None,
        "deadlines": selectors.module_deadlines(active) if active else {},
        "languages": selectors.course_languages(course),
        "price": _price(course),
        "missing": learning.missing_prerequisites(user_id=request.user.pk, course=course)
        if request.user.is_authenticated
        else [],
        "enrol_form": EnrolForm(course=course),
        "exam": learning.course_exam(course),
    }
    return render(request, "certification/course.html", context)


@login_required
@require_POST
def enrol(request: HttpRequest, slug: str) -> HttpResponse:
    course = get_object_or_404(Course, slug=slug)
    form = EnrolForm(request.POST, course=course)
    if not form.is_valid():
        messages.error(request, "Choose a valid cohort.")
        return redirect("certification:course", slug=slug)
    try:
        learning.enrolment_create(
            user_id=request.user.pk,
            course=course,
            cohort=form.cleaned_data["cohort"],
            language=request.user.preferred_language or "",
            actor=request.user,
        )
    except DomainError as exc:
        flash_error(request, exc)
        return redirect("certification:course", slug=slug)
    messages.success(request, f"You are enrolled in {course.title}.")
    return redirect("certification:resume", slug=slug)


@login_required
def buy(request: HttpRequest, slug: str) -> HttpResponse:
    course = get_object_or_404(Course, slug=slug, is_published=True)
    if course.is_free:
        return redirect("certification:course", slug=slug)
    form = BuyForm(request.POST or None, course=course)
    if request.method == "POST" and form.is_valid():
        cohort = form.cleaned_data["cohort"]

        def pay() -> str:
            order = revenue.checkout(
                buyer_id=request.user.pk,
                items=[(ENROLMENT, enrolment_item_id(course, cohort), 1)],
                currency=course.price_currency,
                payment_method=form.cleaned_data["card_number"],
                billing_country=request.user.country or "",
            )
            return str(order.public_id)

        try:
            order_id, replayed = submit_once(
                user_id=request.user.pk,
                scope=f"certification.buy:{course.slug}",
                token=form.cleaned_data["submission_token"],
                action=pay,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            order = revenue.order_get(order_id)
            if order is not None and order.is_paid:
                if not replayed:  # a repeated submission just lands where the first one did
                    messages.success(request, f"Payment received: you are enrolled in {course.title}.")
                return redirect("certification:resume", slug=slug)
            state = order.state if order else "unknown"
            form.add_error(
                None, (order and order.failure_message) or f"The payment was not completed ({state})."
            )
            form.renew_token()
    return render(
        request, "certification/buy.html", {"course": course, "form": form, "price": _price(course)}
    )


def _enrolment_or_redirect(request, course):
    enrolment = selectors.enrolment_for(request.user, course)
    if enrolment is None or enrolment.status == Enrolment.Status.WITHDRAWN:
        return None
    return enrolment


@login_required
@require_safe
def resource_download(request: HttpRequest, slug: str, lesson_id, pk: int) -> FileResponse:
    """A lesson's file, for the course's learners (and its teachers previewing it); never a public URL."""
    course = get_object_or_404(Course, slug=slug)
    resource = get_object_or_404(Resource, pk=pk, lesson__public_id=lesson_id, lesson__module__course=course)
    if not resource.file or (_enrolment_or_redirect(request, course) is None and not can_teach(request.user)):
        raise Http404
    return FileResponse(
        resource.file.open("rb"), as_attachment=True, filename=resource.file.name.rsplit("/")[-1]
    )


@login_required
def resume(request: HttpRequest, slug: str) -> HttpResponse:
    course = get_object_or_404(Course, slug=slug)
    enrolment = _enrolment_or_redirect(request, course)
    if enrolment is None:
        return redirect("certification:course", slug=slug)
    progress = selectors.enrolment_progress(enrolment)
    if progress.resume is None:
        return redirect("certification:course", slug=slug)
    return redirect("certification:lesson", slug=slug, lesson_id=progress.resume.public_id)


@login_required
def lesson_detail(request: HttpRequest, slug: str, lesson_id) -> HttpResponse:
    course = get_object_or_404(Course, slug=slug)
    lesson = get_object_or_404(
        Lesson.objects.select_related("module__course"), public_id=lesson_id, module__course=course
    )
    enrolment = _enrolment_or_redirect(request, course)
    preview = enrolment is None and can_teach(request.user)
    if enrolment is None and not preview:
        messages.info(request, "Enrol to open the lessons.")
        return redirect("certification:course", slug=slug)
    languages = selectors.course_languages(course)
    language = request.GET.get("lang") or (enrolment.language if enrolment else "") or course.default_language
    if enrolment is not None:
        if request.GET.get("lang") in languages and enrolment.language != request.GET["lang"]:
            learning.enrolment_set_language(enrolment=enrolment, language=request.GET["lang"])
        learning.lesson_open(enrolment=enrolment, lesson=lesson)
    lessons = selectors.lessons_in_order(course)
    index = next(i for i, item in enumerate(lessons) if item.pk == lesson.pk)
    progress = selectors.enrolment_progress(enrolment) if enrolment else None
    return render(
        request,
        "certification/lesson.html",
        {
            "course": course,
            "lesson": lesson,
            "content": selectors.lesson_content(lesson, language),
            "languages": languages,
            "previous": lessons[index - 1] if index > 0 else None,
            "next": lessons[index + 1] if index + 1 < len(lessons) else None,
            "enrolment": enrolment,
            "progress": progress,
            "completed": progress is not None and lesson.pk in progress.completed_ids,
            "resources": lesson.resources.select_related("lesson__module__course"),
            "preview": preview,
        },
    )


@login_required
@require_POST
def lesson_complete(request: HttpRequest, slug: str, lesson_id) -> HttpResponse:
    course = get_object_or_404(Course, slug=slug)
    lesson = get_object_or_404(Lesson, public_id=lesson_id, module__course=course)
    enrolment = _enrolment_or_redirect(request, course)
    if enrolment is None:
        return redirect("certification:course", slug=slug)
    try:
        learning.lesson_complete(enrolment=enrolment, lesson=lesson)
    except DomainError as exc:
        flash_error(request, exc)
        return redirect("certification:lesson", slug=slug, lesson_id=lesson_id)
    lessons = selectors.lessons_in_order(course)
    index = next(i for i, item in enumerate(lessons) if item.pk == lesson.pk)
    if index + 1 < len(lessons):
        return redirect("certification:lesson", slug=slug, lesson_id=lessons[index + 1].public_id)
    messages.success(
        request,
        "All lessons done." if not learning.course_exam(course) else "All lessons done — the exam is next.",
    )
    return redirect("certification:course", slug=slug)
