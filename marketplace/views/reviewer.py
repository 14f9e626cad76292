"""Reviewer console: the review queue with SLA timers, a version's review (assignment, checklist, comments,
decision, history), abuse moderation and certification decisions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from marketplace.forms import ChecklistForm, CommentForm, DecisionForm
from marketplace.models import AbuseReport, AppVersion, CertificationRequest
from marketplace.models.versions import REVIEW_CHECKLIST
from marketplace.selectors.console import review_queue, version_sla
from marketplace.services import certification as cert_services
from marketplace.services import reviews as review_services
from marketplace.services import versions
from marketplace.services.permissions import is_moderator, is_reviewer
from marketplace.views.publisher import check_rows, version_history
from novacron.core.exceptions import DomainError


def _require_reviewer(request: HttpRequest) -> None:
    if not is_reviewer(request.user):
        raise PermissionDenied


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    _require_reviewer(request)
    mine = request.GET.get("mine") == "1"
    rows = [(v, version_sla(v)) for v in review_queue(mine_of=request.user if mine else None)]
    return render(
        request,
        "marketplace/queue.html",
        {
            "rows": rows,
            "mine": mine,
            "reports": AbuseReport.objects.filter(status="open").count(),
            "certifications": CertificationRequest.objects.filter(state="pending").count(),
        },
    )


def _version(public_id: str) -> AppVersion:
    version = (
        AppVersion.objects.select_related("app", "app__publisher", "reviewer")
        .filter(public_id=public_id)
        .first()
    )
    if version is None:
        raise Http404
    return version


@login_required
def review_version(request: HttpRequest, public_id: str) -> HttpResponse:
    _require_reviewer(request)
    version = _version(public_id)
    checklist = ChecklistForm(initial=version.checklist)
    return render(
        request,
        "marketplace/review_version.html",
        {
            "version": version,
            "app": version.app,
            "checks": check_rows(version),
            "sla": version_sla(version),
            "checklist_form": checklist,
            "checklist_done": all(version.checklist.get(k) for k, _ in REVIEW_CHECKLIST),
            "decision_form": DecisionForm(),
            "comment_form": CommentForm(),
            "comments": version.comments.select_related("author"),
            "history": version_history(version),
            "is_mine": version.reviewer_id == request.user.pk,
        },
    )


@login_required
@require_POST
def review_action(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    _require_reviewer(request)
    version = _version(public_id)
    try:
        if action == "assign":
            versions.version_assign(version=version, reviewer=request.user)
            messages.success(request, "Assigned to you.")
        elif action == "checklist":
            form = ChecklistForm(request.POST)
            form.is_valid()
            versions.version_checklist_set(
                version=version,
                reviewer=request.user,
                answers={k: bool(form.cleaned_data.get(k)) for k, _ in REVIEW_CHECKLIST},
            )
            messages.success(request, "Checklist saved.")
        elif action == "decide":
            form = DecisionForm(request.POST)
            if not form.is_valid():
                raise DomainError("Choose approve or reject.")
            if form.cleaned_data["decision"] == "approve":
                versions.version_approve(
                    version=version, reviewer=request.user, reason=form.cleaned_data.get("reason") or ""
                )
                messages.success(request, f"{version.app.name} {version.version} is published.")
            else:
                versions.version_reject(
                    version=version, reviewer=request.user, reason=form.cleaned_data.get("reason") or ""
                )
                messages.success(request, "Rejected; the publisher sees your reasons.")
        elif action == "suspend":
            versions.version_suspend(
                version=version, reviewer=request.user, reason=request.POST.get("reason", "")
            )
            messages.success(request, "Suspended.")
        elif action == "reinstate":
            versions.version_reinstate(
                version=version, reviewer=request.user, reason=request.POST.get("reason", "")
            )
            messages.success(request, "Reinstated.")
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("marketplace:review_version", public_id=version.public_id)


@login_required
def moderation(request: HttpRequest) -> HttpResponse:
    if not is_moderator(request.user):
        raise PermissionDenied
    reports = AbuseReport.objects.filter(status="open").select_related(
        "review", "review__app", "review__author", "reporter"
    )
    return render(request, "marketplace/moderation.html", {"reports": reports})


@login_required
@require_POST
def moderation_resolve(request: HttpRequest, public_id: str) -> HttpResponse:
    report = AbuseReport.objects.select_related("review").filter(public_id=public_id).first()
    if report is None:
        raise Http404
    try:
        review_services.report_resolve(
            report=report,
            moderator=request.user,
            uphold=request.POST.get("uphold") == "1",
            note=request.POST.get("note", ""),
        )
        messages.success(request, "Report resolved.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("marketplace:moderation")


@login_required
def certifications(request: HttpRequest) -> HttpResponse:
    _require_reviewer(request)
    pending = CertificationRequest.objects.filter(state="pending").select_related("app", "app__publisher")
    return render(
        request,
        "marketplace/certifications.html",
        {
            "rows": [(r, cert_services.certification_problems(r)) for r in pending],
            "questions": cert_services.QUESTIONNAIRE,
        },
    )


@login_required
@require_POST
def certification_decide(request: HttpRequest, public_id: str) -> HttpResponse:
    _require_reviewer(request)
    found = CertificationRequest.objects.select_related("app").filter(public_id=public_id).first()
    if found is None:
        raise Http404
    try:
        if request.POST.get("grant") == "1":
            badge = cert_services.certification_grant(
                request=found, reviewer=request.user, note=request.POST.get("note", "")
            )
            messages.success(
                request, f"{found.app.name} is {badge.get_kind_display()} until {badge.expires_at:%Y-%m-%d}."
            )
        else:
            cert_services.certification_reject(
                request=found, reviewer=request.user, note=request.POST.get("note", "")
            )
            messages.success(request, "Application rejected.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("marketplace:certifications")
