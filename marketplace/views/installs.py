"""Installations: yours and your organisations' (admins uninstall and manage seats), reviews you write."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from marketplace.forms import ReplyForm, ReportForm, ReviewForm, SeatForm
from marketplace.models import Installation, Review
from marketplace.selectors.console import installations_for_user, installations_with_entitlements
from marketplace.selectors.lookups import visible_app_or_404
from marketplace.selectors.organizations import MANAGER_ROLES
from marketplace.services import installs
from marketplace.services import reviews as review_services
from novacron.accounts import facade as accounts_facade
from novacron.core.exceptions import DomainError


@login_required
def installations(request: HttpRequest) -> HttpResponse:
    organizations = [
        {
            "org": org,
            "can_manage": org.role in MANAGER_ROLES,
            "rows": installations_with_entitlements(org.id, member_id=request.user.pk),
        }
        for org in accounts_facade.organizations_for_user(request.user.pk)
    ]
    return render(
        request,
        "marketplace/installations.html",
        {
            "mine": installations_for_user(request.user),
            "organizations": organizations,
            "seat_form": SeatForm(),
        },
    )


def _installation(request: HttpRequest, public_id: str) -> Installation:
    installation = Installation.objects.select_related("app", "plan").filter(public_id=public_id).first()
    if installation is None or not installs.can_manage_installation(request.user, installation):
        raise Http404
    return installation


@login_required
@require_POST
def uninstall(request: HttpRequest, public_id: str) -> HttpResponse:
    installation = _installation(request, public_id)
    try:
        installs.uninstall(installation=installation, user=request.user)
        messages.success(request, f"{installation.app.name} was uninstalled.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("marketplace:installations")


@login_required
@require_POST
def seats(request: HttpRequest, public_id: str) -> HttpResponse:
    installation = _installation(request, public_id)
    form = SeatForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter a member's email.")
        return redirect("marketplace:installations")
    member = get_user_model().objects.filter(email__iexact=form.cleaned_data["email"]).first()
    try:
        if member is None:
            raise DomainError("No member of the organisation has this email.")
        if request.POST.get("remove"):
            installs.seat_unassign(installation=installation, user=request.user, member_id=member.pk)
            messages.success(request, f"{member.email} no longer has a seat.")
        else:
            installs.seat_assign(installation=installation, user=request.user, member_id=member.pk)
            messages.success(request, f"{member.email} now has a seat of {installation.app.name}.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("marketplace:installations")


def _review(public_id: str) -> Review:
    review = Review.objects.select_related("app", "app__publisher").filter(public_id=public_id).first()
    if review is None:
        raise Http404
    return review


@login_required
@require_POST
def review_create(request: HttpRequest, slug: str) -> HttpResponse:
    app = visible_app_or_404(slug, request.user)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            review_services.review_create(app=app, user=request.user, **form.cleaned_data)
            messages.success(request, "Thank you for your review.")
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, "Give a rating, a title and a few words.")
    return redirect("marketplace:app", slug=app.slug)


@login_required
@require_POST
def review_reply(request: HttpRequest, public_id: str) -> HttpResponse:
    review = _review(public_id)
    form = ReplyForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError("Write a reply.")
        review_services.review_reply(review=review, user=request.user, body=form.cleaned_data["body"])
        messages.success(request, "Your reply is published.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("marketplace:app", slug=review.app.slug)


@login_required
@require_POST
def review_helpful(request: HttpRequest, public_id: str) -> HttpResponse:
    review = _review(public_id)
    try:
        if review_services.review_vote_helpful(review=review, user=request.user):
            messages.success(request, "Thanks — marked as helpful.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("marketplace:app", slug=review.app.slug)


@login_required
@require_POST
def review_report(request: HttpRequest, public_id: str) -> HttpResponse:
    review = _review(public_id)
    form = ReportForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError("Choose a reason.")
        review_services.review_report(review=review, user=request.user, **form.cleaned_data)
        messages.success(request, "Thank you; a moderator will look at it.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("marketplace:app", slug=review.app.slug)
