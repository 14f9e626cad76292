"""Catalog, app page, install / trial / buy, and the published manifest schema."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from marketplace.api.catalog_views import customer_prices
from marketplace.api.common import visible_app_or_404
from marketplace.forms import BuyForm, InstallForm, ReplyForm, ReportForm, ReviewForm, add_domain_error
from marketplace.models import App, AppVersion, Category, Installation, Plan
from marketplace.selectors.cache import cache_key, cached
from marketplace.selectors.catalog import (
    SORTS,
    CatalogQuery,
    app_badges,
    catalog_results,
    catalog_search_facets,
    lowest_prices,
)
from marketplace.services import installs
from marketplace.services.checks import manifest_schema
from marketplace.services.permissions import can_manage_publisher
from marketplace.services.reviews import has_installed
from marketplace.views.common import managed_organizations, org_choice, page_of, plan_price_text
from novacron.core.exceptions import DomainError
from novacron.core.portal import render_markdown


def catalog(request: HttpRequest) -> HttpResponse:
    query = CatalogQuery.from_params(request.GET)
    count, facets = catalog_search_facets(query)
    page = page_of(request, catalog_results(query, known_count=count))
    ids = [a.pk for a in page.object_list]
    badges, prices = app_badges(ids), lowest_prices(ids)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "marketplace/catalog.html",
        {
            "query": query,
            "page": page,
            "rows": [
                (a, badges.get(a.pk, []), plan_price_text(prices[a.pk]) if a.pk in prices else "")
                for a in page.object_list
            ],
            "facets": facets,
            "sorts": SORTS,
            "categories": Category.objects.all(),
            "querystring": params.urlencode(),
        },
    )


def app_detail(request: HttpRequest, slug: str) -> HttpResponse:
    app = visible_app_or_404(slug, request.user)
    if request.user.is_authenticated or not app.is_listed or messages.get_messages(request):
        return _app_page(request, app)
    # Anonymous visitors all see the same page: cache it briefly, keyed by what changes it.
    key = cache_key(
        "app-page", app.pk, app.updated_at, app.rating_count, app.install_count, request.LANGUAGE_CODE
    )
    html = cached(key, lambda: _app_page(request, app).content.decode())  # noqa: PLW0108 (lazy)
    return HttpResponse(html)


def _app_page(request: HttpRequest, app: App) -> HttpResponse:
    user = request.user
    prices = customer_prices(app, user)
    plans = [
        {
            "plan": plan,
            "price": plan_price_text(plan),
            "your_price": plan_price_text(plan, prices[plan.pk].amount)
            if plan.pk in prices and prices[plan.pk].grandfathered
            else "",
            "kept_until": prices[plan.pk].until if plan.pk in prices else None,
        }
        for plan in app.plans.filter(is_active=True)
    ]
    reviews = (
        app.reviews.filter(is_hidden=False)
        .select_related("author")
        .order_by("-helpful_count", "-created_at")[:20]
    )
    own_review = app.reviews.filter(author_id=user.pk).first() if user.is_authenticated else None
    distribution = [(star, (app.rating_distribution or {}).get(str(star), 0)) for star in range(5, 0, -1)]
    installed = (
        Installation.objects.filter(app=app, user_id=user.pk, status__in=("active", "trial")).first()
        if user.is_authenticated
        else None
    )
    return render(
        request,
        "marketplace/app.html",
        {
            "app": app,
            "description_html": render_markdown(app.description),
            "version": app.versions.filter(state=AppVersion.State.PUBLISHED).first(),
            "plans": plans,
            "badges": app_badges([app.pk]).get(app.pk, []),
            "screenshots": app.screenshots.all(),
            "reviews": reviews,
            "distribution": distribution,
            "rating_max": max([n for _s, n in distribution] + [1]),
            "can_review": user.is_authenticated
            and not own_review
            and has_installed(user, app)
            and not can_manage_publisher(user, app.publisher),
            "own_review": own_review,
            "is_publisher": can_manage_publisher(user, app.publisher),
            "installed": installed,
            "install_form": InstallForm(organizations=managed_organizations(user))
            if user.is_authenticated
            else None,
            "review_form": ReviewForm(),
            "reply_form": ReplyForm(),
            "report_form": ReportForm(),
            "languages": app.languages.all(),
            "tags": app.tags.all(),
        },
    )


def _plan(app: App, plan_id: str) -> Plan:
    plan = app.plans.filter(public_id=plan_id, is_active=True).first() if plan_id else None
    if plan is None:
        raise Http404
    return plan


@login_required
@require_POST
def install(request: HttpRequest, slug: str) -> HttpResponse:
    app = visible_app_or_404(slug, request.user)
    plan = _plan(app, request.POST.get("plan", ""))
    org_id = org_choice(request.POST.get("organization", ""), request.user)
    action = installs.trial_start if request.POST.get("trial") else installs.install
    try:
        installation = action(app=app, plan=plan, user=request.user, organization_id=org_id)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("marketplace:app", slug=app.slug)
    verb = "Your free trial has started" if installation.status == "trial" else "Installed"
    messages.success(
        request, f"{verb}: {app.name}. Granted scopes: {', '.join(installation.granted_scopes) or 'none'}."
    )
    return redirect("marketplace:installations")


@login_required
def buy(request: HttpRequest, slug: str, plan_id: str) -> HttpResponse:
    app = visible_app_or_404(slug, request.user)
    plan = _plan(app, plan_id)
    organizations = managed_organizations(request.user)
    form = BuyForm(request.POST or None, organizations=organizations)
    price = customer_prices(app, request.user).get(plan.pk)
    if request.method == "POST" and form.is_valid():
        org_id = org_choice(form.cleaned_data.get("organization") or "", request.user)
        try:
            order = installs.purchase_start(
                app=app,
                plan=plan,
                user=request.user,
                payment_method=form.cleaned_data["card_number"],
                organization_id=org_id,
                seats=form.cleaned_data.get("seats") or 1,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            if order.is_paid:
                messages.success(
                    request, f"Thank you! {app.name} is installed. Receipt: order {order.public_id}."
                )
                return redirect("marketplace:installations")
            if order.state == "failed":
                form.add_error("card_number", order.failure_message or "The payment was declined.")
            else:
                messages.info(request, "Complete the payment to finish the purchase.")
                return redirect(reverse("revenue:receipt", kwargs={"public_id": order.public_id}))
    return render(
        request,
        "marketplace/buy.html",
        {
            "app": app,
            "plan": plan,
            "price": plan_price_text(plan, price.amount if price else None),
            "grandfathered": bool(price and price.grandfathered),
            "form": form,
        },
    )


def manifest_schema_file(request: HttpRequest) -> JsonResponse:
    """The manifest JSON schema at a stable URL: /marketplace/schemas/manifest-v1.json."""
    response = JsonResponse(manifest_schema(), json_dumps_params={"indent": 2})
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    return response
