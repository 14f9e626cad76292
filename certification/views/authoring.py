"""Authoring pages for instructors (their own courses; staff edit any): courses, modules, lessons,
translations, cohorts, items and exams. Saves go through services.authoring (audited)."""

from django.contrib import messages
from django.db import IntegrityError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from certification.forms import (
    CohortForm,
    CourseForm,
    ExamForm,
    ItemForm,
    LessonForm,
    ModuleForm,
    TranslationForm,
)
from certification.models import Certification, Exam, Item, Lesson, LessonTranslation
from certification.services.authoring import content_save
from certification.services.exams import blueprint_validate
from certification.views.common import authored_course, instructor_required
from novacron.core.exceptions import DomainError


def _form_page(request, form, *, title: str, back: str) -> HttpResponse:
    return render(request, "certification/author_form.html", {"form": form, "title": title, "back": back})


@instructor_required
def course_edit(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    course = authored_course(request, slug) if slug else None
    form = CourseForm(request.POST or None, instance=course)
    if request.method == "POST" and form.is_valid():
        instance = form.save(commit=False)
        if instance.instructor_id is None:
            instance.instructor = request.user
        content_save(instance=instance, actor=request.user)
        form.save_m2m()
        messages.success(request, "Course saved.")
        return redirect("certification:author-course", slug=instance.slug)
    if course is None:
        return _form_page(request, form, title="New course", back="certification:teach")
    return render(
        request,
        "certification/author_course.html",
        {
            "course": course,
            "form": form,
            "modules": course.modules.prefetch_related("lessons__translations"),
            "cohorts": course.cohorts.all(),
            "module_form": ModuleForm(),
            "cohort_form": CohortForm(),
        },
    )


@instructor_required
def module_add(request: HttpRequest, slug: str) -> HttpResponse:
    course = authored_course(request, slug)
    form = ModuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        content_save(instance=form.save(commit=False), actor=request.user, fields={"course": course})
        messages.success(request, "Module added.")
        return redirect("certification:author-course", slug=slug)
    return _form_page(request, form, title=f"New module in {course}", back="certification:teach")


@instructor_required
def cohort_add(request: HttpRequest, slug: str) -> HttpResponse:
    course = authored_course(request, slug)
    form = CohortForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        content_save(instance=form.save(commit=False), actor=request.user, fields={"course": course})
        messages.success(request, "Cohort added.")
        return redirect("certification:author-course", slug=slug)
    return _form_page(request, form, title=f"New cohort of {course}", back="certification:teach")


@instructor_required
def lesson_edit(request: HttpRequest, slug: str, lesson_id=None) -> HttpResponse:
    course = authored_course(request, slug)
    lesson = get_object_or_404(Lesson, public_id=lesson_id, module__course=course) if lesson_id else None
    form = LessonForm(request.POST or None, instance=lesson, course=course)
    if request.method == "POST" and form.is_valid():
        content_save(instance=form.save(commit=False), actor=request.user)
        messages.success(request, "Lesson saved.")
        return redirect("certification:author-course", slug=slug)
    return _form_page(request, form, title=f"Lesson — {course}", back="certification:teach")


@instructor_required
def translation_edit(request: HttpRequest, slug: str, lesson_id) -> HttpResponse:
    course = authored_course(request, slug)
    lesson = get_object_or_404(Lesson, public_id=lesson_id, module__course=course)
    language = request.POST.get("language") or request.GET.get("language", "")
    existing = (
        LessonTranslation.objects.filter(lesson=lesson, language=language).first() if language else None
    )
    form = TranslationForm(request.POST or None, instance=existing, initial={"language": language})
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["language"] == course.default_language:
            form.add_error("language", "That is the course's default language; edit the lesson itself.")
        else:
            content_save(instance=form.save(commit=False), actor=request.user, fields={"lesson": lesson})
            messages.success(request, "Translation saved.")
            return redirect("certification:author-course", slug=slug)
    return _form_page(request, form, title=f"Translation of “{lesson}”", back="certification:teach")


@instructor_required
def items(request: HttpRequest) -> HttpResponse:
    tracks = request.user.taught_courses.values_list("track_id", flat=True)
    queryset = Item.objects.select_related("track")
    if not request.user.is_staff:
        queryset = queryset.filter(Q(track_id__in=tracks) | Q(author=request.user))
    exams = Exam.objects.select_related("certification__track")
    return render(request, "certification/author_items.html", {"items": queryset, "exams": exams})


@instructor_required
def item_edit(request: HttpRequest, public_id=None) -> HttpResponse:
    item = get_object_or_404(Item, public_id=public_id) if public_id else None
    # Instructors may improve any item of a bank; the audit log records who changed what.
    form = ItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        instance = form.save(commit=False)
        try:
            content_save(
                instance=instance,
                actor=request.user,
                fields={} if instance.author_id else {"author": request.user},
            )
        except DomainError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, "Item saved.")
            return redirect("certification:author-items")
    return _form_page(request, form, title="Exam item", back="certification:author-items")


@instructor_required
def exam_edit(request: HttpRequest, certification_id, public_id=None) -> HttpResponse:
    certification = get_object_or_404(Certification, public_id=certification_id)
    exam = get_object_or_404(Exam, public_id=public_id, certification=certification) if public_id else None
    form = ExamForm(request.POST or None, instance=exam)
    if request.method == "POST" and form.is_valid():
        instance = form.save(commit=False)
        instance.certification = certification
        problems = blueprint_validate(exam=instance)
        if problems:
            form.add_error("blueprint", " ".join(problems))
        else:
            try:
                content_save(instance=instance, actor=request.user)
            except IntegrityError:
                form.add_error("is_active", "This certification already has an active exam of this kind.")
            else:
                messages.success(request, "Exam saved.")
                return redirect("certification:author-items")
    return _form_page(request, form, title=f"Exam of {certification}", back="certification:author-items")
