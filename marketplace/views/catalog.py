"""Catalog, app page, install / trial / buy, and the published manifest schema."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from marketplace.exceptions import ValidationError
from marketplace.forms import BuyForm, InstallForm, ReplyForm, ReportForm, ReviewForm, add_domain_error
from marketplace.models import App, AppVersion, Category, Installation, Plan
from marketplace.selectors.cache import cache_key, cached
from marketplace.selectors.catalog import (
    SORTS,
    CatalogQuery,
    app_badges,
    catalog_search,
    lowest_prices,
)
from marketplace.selectors.lookups import visible_app_or_404
from marketplace.selectors.organizations import managed_organizations, organization_id_of
from marketplace.selectors.pricing import customer_prices
from marketplace.services import installs, subscriptions
from marketplace.services.checks import manifest_schema
from marketplace.services.permissions import can_manage_publisher
from marketplace.services.reviews import has_installed
from marketplace.views.common import page_of, plan_price_text
from novacron.core.exceptions import DomainError
from novacron.core.once import submit_once
from novacron.core.portal import render_markdown
from revenue import facade as revenue_facade


def catalog(request: HttpRequest) -> HttpResponse:
    query = CatalogQuery.from_params(request.GET)
    _count, facets, results = catalog_search(query)
    page = page_of(request, results)
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
    if request.user.is_authenticated or messages.get_messages(request):
        return _app_page(request, visible_app_or_404(slug, request.user))
    # Anonymous visitors all see the same page of a listed app (others are 404 to them): cache it briefly, keyed
    # by what changes it — read without the row's text or joins, so a cached page costs one narrow query.
    figures = (
        App.objects.filter(slug=slug, is_listed=True)
        .values_list("pk", "updated_at", "rating_count", "install_count")
        .first()
    )
    if figures is None:
        raise Http404
    key = cache_key("app-page", *figures, request.LANGUAGE_CODE)
    html = cached(key, lambda: _app_page(request, visible_app_or_404(slug, request.user)).content.decode())  # noqa: PLW0108 (lazy)
    return HttpResponse(html)


def _app_page(request: HttpRequest, app: App) -> HttpResponse:
    user = request.user
    active_plans = list(app.plans.filter(is_active=True))
    prices = customer_prices(active_plans, user)
    plans = [
        {
            "plan": plan,
            "price": plan_price_text(plan),
            "your_price": plan_price_text(plan, prices[plan.pk].amount)
            if plan.pk in prices and prices[plan.pk].grandfathered
            else "",
            "kept_until": prices[plan.pk].until if plan.pk in prices else None,
        }
        for plan in active_plans
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


SUBSCRIPTION_PREFIX = "subscription:"  # what the buy form's submit_once keeps for a subscription


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
    action = installs.trial_start if request.POST.get("trial") else installs.install
    try:
        org_id = organization_id_of(request.POST.get("organization"), request.user)
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
    recurring = plan.model in installs.RECURRING
    form = BuyForm(
        request.POST or None,
        organizations=managed_organizations(request.user),
        per_seat=plan.model == Plan.Model.PER_SEAT,
        recurring=recurring,
    )
    price = customer_prices([plan], request.user).get(plan.pk)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def purchase() -> str:
            values = {
                "app": app,
                "plan": plan,
                "user": request.user,
                "payment_method": data["card_number"],
                "organization_id": organization_id_of(data.get("organization"), request.user),
                "seats": data.get("seats") or 1,
            }
            if recurring:
                subscription = subscriptions.subscribe(**values)
                if subscription.state == "canceled":  # declined: nothing started, the form can be corrected
                    raise ValidationError("The first payment was declined.", field="card_number")
                return f"{SUBSCRIPTION_PREFIX}{subscription.id}"
            order = installs.purchase_start(**values)
            if order.state == "failed":  # nothing charged: raising frees the token for a corrected form
                raise ValidationError(
                    order.failure_message or "The payment was declined.", field="card_number"
                )
            return str(order.public_id)

        try:
            # A double click or a re-POST of the same form runs the purchase once and shows its order.
            order_id, replayed = submit_once(
                user_id=request.user.pk,
                scope="marketplace.buy",
                token=data["submission_token"],
                action=purchase,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return _after_purchase(request, app, order_id, replayed=replayed)
    return render(
        request,
        "marketplace/buy.html",
        {
            "app": app,
            "plan": plan,
            "price": plan_price_text(plan, price.amount if price else None),
            "grandfathered": bool(price and price.grandfathered),
            "form": form,
            "recurring": recurring,
        },
    )


def _after_subscribe(request: HttpRequest, app: App, subscription_id: str, *, replayed: bool) -> HttpResponse:
    subscription = revenue_facade.subscription_get(subscription_id)
    if subscription is not None and subscription.has_access:
        if not replayed:
            until = f"{subscription.current_period_end:%Y-%m-%d}"
            messages.success(request, f"Subscribed: {app.name} is installed. Next renewal on {until}.")
        return redirect("marketplace:installations")
    if not replayed:
        messages.info(request, "Confirm the first payment to start the subscription.")
    return redirect(reverse("revenue:subscription", kwargs={"public_id": subscription_id}))


def _after_purchase(request: HttpRequest, app: App, order_id: str, *, replayed: bool) -> HttpResponse:
    if order_id.startswith(SUBSCRIPTION_PREFIX):
        return _after_subscribe(request, app, order_id[len(SUBSCRIPTION_PREFIX) :], replayed=replayed)
    order = revenue_facade.order_get(order_id)
    if order is not None and order.is_paid:
        if not replayed:
            messages.success(
                request, f"Thank you! {app.name} is installed. Receipt: order {order.public_id}."
            )
        return redirect("marketplace:installations")
    if not replayed:
        messages.info(request, "Complete the payment to finish the purchase.")
    return redirect(reverse("revenue:receipt", kwargs={"public_id": order_id}))


def manifest_schema_file(request: HttpRequest) -> JsonResponse:
    """The manifest JSON schema at a stable URL: /marketplace/schemas/manifest-v1.json."""
    response = JsonResponse(manifest_schema(), json_dumps_params={"indent": 2})
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    return response
