"""Chapters directory, chapter pages, membership, organiser tools (checklist, events, funding), resources."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from growth.forms import ChapterFilterForm, EventForm, FundingForm
from growth.models import (
    Chapter,
    ChapterMember,
    ChapterOrganiser,
    FundingRequest,
    OnboardingCompletion,
    Resource,
)
from growth.onboarding import STEPS
from growth.permissions import can_manage_chapter, organises_chapter
from growth.selectors.conferences import listed_conferences
from growth.selectors.events import chapters as chapters_query
from growth.selectors.events import upcoming_events
from growth.services.chapters import chapter_join, chapter_leave, onboarding_set
from growth.services.events import event_create
from growth.services.funding import funding_request
from growth.views.common import paginate, run
from novacron.core.portal import render_markdown


def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "growth/index.html",
        {
            "events": upcoming_events()[:8],
            "conferences": listed_conferences().reverse()[:3],
            "chapter_count": Chapter.objects.filter(is_active=True).count(),
            "filter_form": ChapterFilterForm(),
        },
    )


def directory(request: HttpRequest) -> HttpResponse:
    form = ChapterFilterForm(request.GET or None)
    values = form.cleaned_data if form.is_valid() else {}
    chapters = chapters_query(
        q=values.get("q", ""), country=values.get("country", ""), region=values.get("region", "")
    )
    countries = (
        Chapter.objects.filter(is_active=True)
        .values_list("country", flat=True)
        .distinct()
        .order_by("country")
    )
    return render(
        request,
        "growth/chapters.html",
        {
            "form": form,
            "page": paginate(request, chapters),
            "countries": countries,
            "total": chapters.count(),
        },
    )


def chapter_detail(request: HttpRequest, slug: str) -> HttpResponse:
    chapter = get_object_or_404(Chapter, slug=slug, is_active=True)
    user = request.user
    return render(
        request,
        "growth/chapter.html",
        {
            "chapter": chapter,
            "events": upcoming_events(chapter=chapter)[:20],
            "organisers": ChapterOrganiser.objects.filter(chapter=chapter).select_related("user"),
            "member_count": chapter.members.count(),
            "is_member": user.is_authenticated
            and ChapterMember.objects.filter(chapter=chapter, user=user).exists(),
            "can_manage": can_manage_chapter(user, chapter.pk),
        },
    )


@login_required
@require_POST
def chapter_membership(request: HttpRequest, slug: str) -> HttpResponse:
    chapter = get_object_or_404(Chapter, slug=slug, is_active=True)
    if request.POST.get("action") == "leave":
        chapter_leave(chapter=chapter, user=request.user)
        messages.success(request, f"You left {chapter.name}.")
    else:
        run(
            request,
            lambda: chapter_join(chapter=chapter, user=request.user),
            success=f"Welcome to {chapter.name}!",
        )
    return redirect("growth:chapter", slug=slug)


@login_required
def chapter_organise(request: HttpRequest, slug: str) -> HttpResponse:
    chapter = get_object_or_404(Chapter, slug=slug)
    if not can_manage_chapter(request.user, chapter.pk):
        raise Http404
    event_form = EventForm(initial={"timezone": chapter.timezone})
    funding_form = FundingForm(chapter=chapter)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "step":
            run(
                request,
                lambda: onboarding_set(
                    chapter=chapter,
                    actor=request.user,
                    step=request.POST.get("step", ""),
                    done=request.POST.get("done") == "1",
                ),
            )
            return redirect("growth:chapter_organise", slug=slug)
        if action == "event":
            event_form = EventForm(request.POST)
            if event_form.is_valid():
                event, ok = run(
                    request,
                    lambda: event_create(actor=request.user, chapter=chapter, **event_form.cleaned_data),
                    form=event_form,
                )
                if ok:
                    return redirect("growth:event", slug=event.slug)
        if action == "funding":
            funding_form = FundingForm(request.POST, chapter=chapter)
            if funding_form.is_valid():
                data = funding_form.cleaned_data
                _, ok = run(
                    request,
                    lambda: funding_request(
                        chapter=chapter,
                        actor=request.user,
                        title=data["title"],
                        purpose=data["purpose"],
                        currency=data["currency"],
                        budget=data["budget"],
                        event=data["event"],
                    ),
                    form=funding_form,
                    success="Funding request sent to the community team.",
                )
                if ok:
                    return redirect("growth:chapter_organise", slug=slug)
    done = set(OnboardingCompletion.objects.filter(chapter=chapter).values_list("step", flat=True))
    return render(
        request,
        "growth/chapter_organise.html",
        {
            "chapter": chapter,
            "steps": [{"step": s, "done": s.key in done} for s in STEPS],
            "progress": len(done),
            "event_form": event_form,
            "funding_form": funding_form,
            "funding": FundingRequest.objects.filter(chapter=chapter),
            "events": chapter.events.order_by("-starts_at")[:20],
            "is_organiser": organises_chapter(request.user, chapter.pk),
        },
    )


@login_required
def resources(request: HttpRequest) -> HttpResponse:
    return render(request, "growth/resources.html", {"resources": Resource.objects.filter(is_published=True)})


@login_required
def resource_detail(request: HttpRequest, slug: str) -> HttpResponse:
    resource = get_object_or_404(Resource, slug=slug, is_published=True)
    return render(
        request, "growth/resource.html", {"resource": resource, "body_html": render_markdown(resource.body)}
    )
