"""Publisher console: registration, apps, listing, screenshots, plans, versions and submissions, reviews,
installs, the entitlement API key, certification, and links to revenue's earnings and payout account."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from marketplace.forms import (
    AppForm,
    CertificationForm,
    CommentForm,
    PlanForm,
    PriceChangeForm,
    PublisherRegisterForm,
    ReplyForm,
    ScreenshotForm,
    VersionEditForm,
    VersionForm,
    add_domain_error,
)
from marketplace.models import App, AppVersion, Plan, Publisher
from marketplace.models.versions import EDITABLE_STATES
from marketplace.selectors.console import app_install_figures, publisher_apps, version_sla
from marketplace.selectors.lookups import owned_app_or_404, publisher_or_404, version_or_404
from marketplace.selectors.organizations import managed_organizations, organization_id_of
from marketplace.services import apps as app_services
from marketplace.services import certification as cert_services
from marketplace.services import pricing, publishers, versions
from marketplace.services.checks import CHECK_LABELS, checks_latest
from marketplace.services.permissions import can_manage_publisher, publishers_for_user
from marketplace.views.common import plan_price_text
from novacron.core.exceptions import DomainError
from novacron.core.models import AuditLog
from novacron.core.money import Money
from novacron.core.portal import render_markdown
from revenue import facade as revenue_facade

MANIFEST_EXAMPLE = """{
  "manifest_version": 1,
  "scopes": ["schedules:read", "runs:read"],
  "features": ["dashboards"],
  "compatibility": {"min_platform": "3.0"}
}"""


@login_required
def register(request: HttpRequest) -> HttpResponse:
    agreement = publishers.agreement_current()
    candidates = managed_organizations(request.user)
    taken = set(
        Publisher.objects.filter(organization_id__in=[o.id for o in candidates]).values_list(
            "organization_id", flat=True
        )
    )
    organizations = [o for o in candidates if o.id not in taken]
    form = PublisherRegisterForm(
        request.POST or None,
        organizations=organizations,
        initial={
            "display_name": request.user.get_full_name() if hasattr(request.user, "get_full_name") else ""
        },
    )
    if request.method == "POST" and form.is_valid():
        org = form.cleaned_data.get("organization") or ""
        try:
            publisher = publishers.publisher_register(
                user=request.user,
                display_name=form.cleaned_data["display_name"],
                agreement_version=agreement.version if agreement else "",
                organization_id=organization_id_of(org, request.user),
                website=form.cleaned_data.get("website") or "",
                support_email=form.cleaned_data.get("support_email") or "",
                ip_address=request.META.get("REMOTE_ADDR"),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Welcome, {publisher.display_name}! Create your first app.")
            return redirect("marketplace:app_create", publisher=publisher.slug)
    return render(
        request,
        "marketplace/publisher_register.html",
        {
            "form": form,
            "agreement": agreement,
            "agreement_html": render_markdown(agreement.body) if agreement else "",
        },
    )


@login_required
def console(request: HttpRequest) -> HttpResponse:
    rows = []
    for publisher in publishers_for_user(request.user):
        balances = revenue_facade.seller_balances(publisher.seller_id)
        rows.append(
            {
                "publisher": publisher,
                "apps": publisher_apps(publisher),
                "balances": [
                    {
                        "currency": b.currency,
                        "pending": Money(b.pending, b.currency),
                        "available": Money(b.available, b.currency),
                    }
                    for b in balances
                ],
                "tier": revenue_facade.seller_tier(publisher.seller_id),
                "agreement_ok": publishers.publisher_has_current_agreement(publisher),
            }
        )
    if not rows:
        return redirect("marketplace:publisher_register")
    return render(
        request, "marketplace/console.html", {"rows": rows, "agreement": publishers.agreement_current()}
    )


@login_required
@require_POST
def accept_agreement(request: HttpRequest, publisher: str) -> HttpResponse:
    found = _publisher(request, publisher)
    agreement = publishers.agreement_current()
    try:
        publishers.agreement_accept(
            publisher=found,
            user=request.user,
            agreement_version=agreement.version if agreement else "",
            ip_address=request.META.get("REMOTE_ADDR"),
        )
        messages.success(request, "Agreement accepted.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("marketplace:console")


def _publisher(request: HttpRequest, slug: str) -> Publisher:
    return publisher_or_404(slug, request.user)


def _owned_app(request: HttpRequest, slug: str) -> App:
    return owned_app_or_404(slug, request.user)  # another publisher's app looks like no app at all


def _app_values(form: AppForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data.pop("slug", None)
    if not data.get("logo"):
        data.pop("logo", None)
    return data


@login_required
def app_create(request: HttpRequest, publisher: str) -> HttpResponse:
    found = _publisher(request, publisher)
    form = AppForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            app = app_services.app_create(
                publisher=found,
                user=request.user,
                slug=form.cleaned_data.get("slug") or "",
                **_app_values(form),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request, f"{app.name} created. Add screenshots, a plan and a first version, then submit it."
            )
            return redirect("marketplace:app_console", slug=app.slug)
    return render(request, "marketplace/app_form.html", {"form": form, "publisher": found})


def _listing_initial(app: App) -> dict[str, Any]:
    return {
        **{
            f: getattr(app, f)
            for f in (
                "name",
                "tagline",
                "description",
                "vertical",
                "documentation_url",
                "support_url",
                "privacy_policy_url",
                "terms_url",
            )
        },
        "slug": app.slug,
        "category": app.category.slug,
        "tags": ", ".join(t.slug for t in app.tags.all()),
        "languages": [language.code for language in app.languages.all()],
    }


@login_required
def app_console(request: HttpRequest, slug: str) -> HttpResponse:
    app = _owned_app(request, slug)
    form = AppForm(request.POST or None, request.FILES or None, initial=_listing_initial(app))
    form.fields["slug"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            app_services.app_update(app=app, user=request.user, **_app_values(form))
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "Listing saved.")
            return redirect("marketplace:app_console", slug=app.slug)
    plans = [(plan, plan_price_text(plan), PriceChangeForm(prefix=f"p{plan.pk}")) for plan in app.plans.all()]
    return render(
        request,
        "marketplace/app_console.html",
        {
            "app": app,
            "form": form,
            "screenshot_form": ScreenshotForm(),
            "plan_form": PlanForm(),
            "plans": plans,
            "versions": app.versions.select_related("reviewer"),
            "reviews": app.reviews.select_related("author").order_by("-created_at")[:50],
            "reply_form": ReplyForm(),
            "installs": app_install_figures(app),
            "badges": cert_services.active_badges(app),
            "cert_requests": app.certification_requests.order_by("-created_at")[:10],
        },
    )


@login_required
@require_POST
def screenshot_add(request: HttpRequest, slug: str) -> HttpResponse:
    app = _owned_app(request, slug)
    form = ScreenshotForm(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise DomainError("Choose an image file.")
        app_services.screenshot_add(
            app=app,
            user=request.user,
            image=form.cleaned_data["image"],
            caption=form.cleaned_data.get("caption") or "",
        )
        messages.success(request, "Screenshot added.")
    except DomainError as exc:
        messages.error(request, f"Screenshot not added: {exc.message}")
    return redirect("marketplace:app_console", slug=app.slug)


@login_required
@require_POST
def screenshot_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    app = _owned_app(request, slug)
    shot = app.screenshots.filter(pk=pk).first()
    if shot is None:
        raise Http404
    app_services.screenshot_delete(screenshot=shot, user=request.user)
    messages.success(request, "Screenshot removed.")
    return redirect("marketplace:app_console", slug=app.slug)


@login_required
@require_POST
def plan_create(request: HttpRequest, slug: str) -> HttpResponse:
    app = _owned_app(request, slug)
    form = PlanForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError("; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
        pricing.plan_create(app=app, user=request.user, **form.plan_values())
        messages.success(request, "Plan added.")
    except DomainError as exc:
        messages.error(request, f"Plan not added: {exc.message}")
    return redirect("marketplace:app_console", slug=app.slug)


@login_required
@require_POST
def plan_price(request: HttpRequest, slug: str, plan_id: str) -> HttpResponse:
    app = _owned_app(request, slug)
    plan = app.plans.filter(public_id=plan_id).first()
    if plan is None:
        raise Http404
    form = PriceChangeForm(request.POST, prefix=f"p{plan.pk}")
    try:
        if not form.is_valid():
            raise DomainError("Enter a price above zero.")
        amount = Money.from_decimal(form.cleaned_data["price"], plan.currency).amount
        pricing.plan_change_price(plan=plan, user=request.user, amount=amount, unit_amount=amount)
        messages.success(
            request, f"New price of {plan.name}: {plan_price_text(Plan.objects.get(pk=plan.pk))}."
        )
    except (DomainError, ValueError) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
    return redirect("marketplace:app_console", slug=app.slug)


@login_required
@require_POST
def api_key(request: HttpRequest, slug: str) -> HttpResponse:
    app = _owned_app(request, slug)
    secret = app_services.api_key_rotate(app=app, user=request.user)
    return render(request, "marketplace/api_key.html", {"app": app, "secret": secret})


@login_required
def version_create(request: HttpRequest, slug: str) -> HttpResponse:
    app = _owned_app(request, slug)
    latest = app.versions.first()
    initial = {"manifest": MANIFEST_EXAMPLE}
    if latest is not None:
        import json

        initial["manifest"] = json.dumps(latest.manifest, indent=2)
    form = VersionForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            version = versions.version_create(
                app=app, user=request.user, **{k: v for k, v in form.cleaned_data.items() if v is not None}
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Version {version.version} saved as a draft.")
            return redirect("marketplace:version", public_id=version.public_id)
    return render(request, "marketplace/version_form.html", {"app": app, "form": form})


def _version(request: HttpRequest, public_id: str) -> AppVersion:
    return version_or_404(public_id, request.user)


def version_history(version: AppVersion) -> list[AuditLog]:
    return list(
        AuditLog.objects.filter(
            object_type="marketplace.appversion", object_id=str(version.public_id)
        ).order_by("created_at", "id")
    )


def check_rows(version: AppVersion) -> list[dict[str, Any]]:
    return [
        {"result": r, "label": CHECK_LABELS.get(r.check_name, r.check_name)} for r in checks_latest(version)
    ]


@login_required
def version_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    import json

    version = _version(request, public_id)
    if not can_manage_publisher(request.user, version.app.publisher):
        return redirect("marketplace:review_version", public_id=version.public_id)
    editable = version.state in EDITABLE_STATES
    form = VersionEditForm(
        request.POST or None,
        request.FILES or None,
        initial={"changelog": version.changelog, "manifest": json.dumps(version.manifest, indent=2)},
    )
    if request.method == "POST" and editable and form.is_valid():
        try:
            values = {k: v for k, v in form.cleaned_data.items() if v is not None}
            versions.version_update(version=version, user=request.user, **values)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "Version saved.")
            return redirect("marketplace:version", public_id=version.public_id)
    return render(
        request,
        "marketplace/version_detail.html",
        {
            "version": version,
            "app": version.app,
            "form": form if editable else None,
            "checks": check_rows(version),
            "sla": version_sla(version),
            "comments": version.comments.select_related("author"),
            "comment_form": CommentForm(),
            "history": version_history(version),
            "can_submit": editable,
            "can_deprecate": version.state == AppVersion.State.PUBLISHED,
        },
    )


@login_required
@require_POST
def version_submit(request: HttpRequest, public_id: str) -> HttpResponse:
    version = _version(request, public_id)
    try:
        version = versions.version_submit(version=version, user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        version.refresh_from_db()
        if version.state == AppVersion.State.IN_REVIEW:
            messages.success(
                request, "Submitted. The automated checks passed; the version is in the review queue."
            )
        elif version.state == AppVersion.State.REJECTED:
            messages.warning(request, "Submitted, but an automated check failed: see the results below.")
        else:
            messages.success(
                request, "Submitted. The automated checks are running; refresh to see their results."
            )
    return redirect("marketplace:version", public_id=version.public_id)


@login_required
@require_POST
def version_deprecate(request: HttpRequest, public_id: str) -> HttpResponse:
    version = _version(request, public_id)
    try:
        versions.version_deprecate(version=version, user=request.user)
        messages.success(request, f"Version {version.version} is deprecated.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("marketplace:version", public_id=version.public_id)


@login_required
@require_POST
def version_comment(request: HttpRequest, public_id: str) -> HttpResponse:
    version = _version(request, public_id)
    form = CommentForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError("Write a comment.")
        versions.version_comment(version=version, user=request.user, body=form.cleaned_data["body"])
        messages.success(request, "Comment sent.")
    except DomainError as exc:
        messages.error(request, exc.message)
    target = (
        "marketplace:version"
        if can_manage_publisher(request.user, version.app.publisher)
        else "marketplace:review_version"
    )
    return redirect(target, public_id=version.public_id)


@login_required
def certification_apply(request: HttpRequest, slug: str) -> HttpResponse:
    app = _owned_app(request, slug)
    form = CertificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cert_services.certification_request(
                app=app,
                user=request.user,
                kind=form.cleaned_data["kind"],
                questionnaire=form.questionnaire(),
                support_response_hours=form.cleaned_data["support_response_hours"],
                uptime_slo=form.cleaned_data["uptime_slo"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "Application sent to the reviewers.")
            return redirect("marketplace:app_console", slug=app.slug)
    return render(request, "marketplace/certification_form.html", {"app": app, "form": form})
