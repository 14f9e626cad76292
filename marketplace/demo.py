"""Marketplace demo data for `seed_demo`: four publishers (two demo developers, the Cloudsmiths organisation and
Dev Developer), 52 apps across categories and verticals, all through the real services and pipeline — listings,
screenshots, plans, versions submitted and checked by the automated checks (links use example.com
placeholders, so the link check warns instead of calling out), approved by the demo reviewer — plus purchases
through revenue's checkout with the local test card, free installs, a trial, organisation seats, reviews with
replies, helpful votes and an open abuse report, certification badges and a pending application, and
submissions waiting in the review queue (one assigned), one rejected by the quality gate (bandit finding) and
one rejected by a reviewer.

Idempotent: every app is looked up by slug before it is created, installs and reviews by their holder.
Runs after the accounts and revenue seeders.
"""

import io
import zipfile
from typing import Any, TextIO

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.text import slugify
from PIL import Image, ImageDraw

from marketplace.models import (
    App,
    AppVersion,
    Category,
    DeveloperAgreement,
    Installation,
    Plan,
    Publisher,
    Review,
)
from marketplace.models.versions import REVIEW_CHECKLIST
from marketplace.reference import reference_data_ensure
from marketplace.services import apps as app_services
from marketplace.services import (
    certification,
    installs,
    pricing,
    publishers,
    reviews,
    subscriptions,
    usage,
    versions,
)
from marketplace.services.checks import check_run, checks_prepare
from novacron.accounts import facade as accounts_facade
from novacron.core.demo import DEMO_PASSWORD, portal_url
from novacron.core.exceptions import DomainError

DOMAIN = "demo.novacron.dev"
CARD_OK = "4242424242424242"
MANIFEST = {
    "manifest_version": 1,
    "scopes": ["schedules:read", "runs:read"],
    "features": ["dashboards"],
    "compatibility": {"min_platform": "3.0"},
}
# (base name, tagline, category, features/scopes preset)
PRODUCTS = [
    ("Cron Insights", "Dashboards and trends for every schedule", "monitoring", "dashboards"),
    ("PagerBridge", "Page the on-call engineer when a run fails", "communication", "alerting"),
    ("FlowChain", "Chain jobs into workflows with retries and branches", "automation", "automation"),
    ("CostLens", "What every schedule costs, per team and month", "analytics", "cost_reporting"),
    ("VaultSync", "Inject secrets into runs without storing them", "security", "secret_injection"),
    ("AuditTrail Pro", "Tamper-evident audit trails of every run", "compliance", "reporting"),
    ("LogShipper", "Ship run logs to your log platform", "integrations", "log_export"),
    ("ChatOps Notifier", "Run results in your team chat", "communication", "notifications"),
    ("TestBench", "Run schedules against test fixtures before deploying", "developer-tools", "dashboards"),
    ("ReportSmith", "Scheduled PDF reports for stakeholders", "analytics", "reporting"),
    ("TeamSync", "Sync teams and users from your directory", "integrations", "user_sync"),
    ("SLA Guardian", "Alert before a schedule misses its SLA", "monitoring", "alerting"),
    ("Retention Keeper", "Retention policies for run data and logs", "compliance", "log_export"),
]
VERTICAL_SUFFIX = {
    "general": "",
    "healthcare": " for Healthcare",
    "finance": " for Finance",
    "retail": " for Retail",
    "manufacturing": " for Manufacturing",
    "education": " for Education",
}
FEATURE_SCOPES = {
    "dashboards": ["schedules:read", "runs:read"],
    "alerting": ["runs:read", "webhooks:receive"],
    "automation": ["schedules:read", "schedules:write", "runs:write"],
    "cost_reporting": ["billing:read", "runs:read"],
    "secret_injection": ["secrets:read", "schedules:read"],
    "reporting": ["runs:read", "logs:read"],
    "log_export": ["logs:read", "webhooks:receive"],
    "notifications": ["runs:read", "webhooks:receive"],
    "user_sync": ["users:read", "org:read"],
}
# Pricing presets, cycled over the apps: (plan name, model, interval, amount, unit, cap, trial days)
PRICING = [
    [("Free", "free", "", 0, 0, 0, 0)],
    [("Free", "free", "", 0, 0, 0, 0), ("Pro", "subscription", "month", 1900, 0, 0, 14)],
    [("Licence", "one_time", "", 4900, 0, 0, 0)],
    [("Team", "per_seat", "month", 900, 0, 0, 30), ("Team annual", "per_seat", "year", 9000, 0, 0, 0)],
    [("Pay as you go", "usage", "", 0, 2, 10000, 0)],
    [("Business", "subscription", "year", 29900, 0, 0, 30)],
]
LANGUAGE_SETS = [["en"], ["en", "de"], ["en", "fr", "es"], ["en", "ja"], ["en", "de", "fr", "it", "nl"]]
PUBLISHER_USERS = [("nadia", "Nadia Apps", "Northwind Apps"), ("omar", "Omar Tools", "Meridian Software")]
REVIEW_TEXTS = [
    (5, "Does exactly what it says", "Set up in ten minutes; the team uses it every day."),
    (4, "Very useful", "Great value. Would love more export formats."),
    (3, "Good but rough edges", "Works, but the settings page is confusing."),
    (5, "Indispensable", "We cannot imagine running our schedules without it now."),
    (2, "Not for us", "Too many notifications by default and support was slow."),
]


def _user(local: str) -> Any:
    return get_user_model().objects.get(email=f"{local}@{DOMAIN}")


def _publisher_user(local: str, name: str) -> Any:
    user, created = get_user_model().objects.get_or_create(
        email=f"{local}@{DOMAIN}",
        defaults={"display_name": name, "country": "CA", "timezone": "America/Toronto"},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    user.groups.add(*Group.objects.filter(name=accounts_facade.PlatformRole.APP_DEVELOPER))
    return user


def _publisher(user: Any, name: str, organization_id: int | None = None) -> Publisher:
    existing = (
        Publisher.objects.filter(organization_id=organization_id).first()
        if organization_id
        else Publisher.objects.filter(user=user).first()
    )
    if existing:
        return existing
    return publishers.publisher_register(
        user=user,
        display_name=name,
        agreement_version=publishers.agreement_current().version,
        organization_id=organization_id,
        website="https://www.example.com",
        support_email=f"support@{DOMAIN}",
    )


def _image(width: int, height: int, text: str, hue: int, name: str) -> SimpleUploadedFile:
    image = Image.new("RGB", (width, height), ((hue * 37) % 256, (hue * 91) % 200 + 40, 200))
    draw = ImageDraw.Draw(image)
    draw.text((width // 12, height // 2 - 10), text, fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _insecure_bundle() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "app/run.py", "import subprocess\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"
        )
    return SimpleUploadedFile("bundle.zip", buffer.getvalue(), content_type="application/zip")


def _run_checks(version: AppVersion) -> None:
    """The same code the Celery tasks run, synchronously (idempotent: the queued tasks find them done)."""
    version.refresh_from_db()
    if version.state != AppVersion.State.SUBMITTED:
        return
    for name in checks_prepare(version_id=version.pk, run=version.submission):
        check_run(version_id=version.pk, run=version.submission, name=name)


def _create_app(publisher: Publisher, owner: Any, index: int, vertical: str, product: tuple) -> App:
    base, tagline, category, feature = product
    name = f"{base}{VERTICAL_SUFFIX[vertical]}"
    existing = App.objects.filter(slug=slugify(name)).first()
    if existing:
        return existing
    description = (
        f"## {name}\n\n{tagline}. Built for NovaCron teams{VERTICAL_SUFFIX[vertical].replace(' for', ' in') or ''}.\n\n"
        "- Connects in minutes with read-only scopes where possible\n- Works for single users and whole organisations\n"
        "- Documented API, export to CSV and JSON\n\nInstall it, choose a plan and invite your team: every member "
        "with a seat gets access from the next run on."
    )
    app = app_services.app_create(
        publisher=publisher,
        user=owner,
        name=name,
        tagline=tagline,
        description=description,
        category=Category.objects.get(slug=category),
        vertical=vertical,
        tags=[feature.replace("_", "-"), category],
        languages=LANGUAGE_SETS[index % len(LANGUAGE_SETS)],
        documentation_url=f"https://docs.example.com/{slugify(name)}",
        support_url=f"https://support.example.com/{slugify(name)}",
        privacy_policy_url="https://www.example.com/privacy",
        terms_url="https://www.example.com/terms",
        logo=_image(256, 256, base[:12], index, "logo.png"),
    )
    app_services.screenshot_add(
        app=app, user=owner, image=_image(640, 360, name, index + 3, "shot.png"), caption="Overview"
    )
    for plan_name, model, interval, amount, unit, cap, trial in PRICING[index % len(PRICING)]:
        pricing.plan_create(
            app=app,
            user=owner,
            name=plan_name,
            model=model,
            interval=interval,
            amount=amount,
            unit_amount=unit,
            monthly_cap=cap,
            currency="USD",
            trial_days=trial,
        )
    manifest = {**MANIFEST, "features": [feature], "scopes": FEATURE_SCOPES[feature]}
    if "webhooks:receive" in manifest["scopes"]:
        manifest["webhook_url"] = f"https://hooks.example.com/{slugify(name)}"
    versions.version_create(
        app=app, user=owner, version="1.0.0", changelog="First release.", manifest=manifest
    )
    return app


def _submit(version: AppVersion, owner: Any) -> AppVersion:
    if version.state in (AppVersion.State.DRAFT, AppVersion.State.REJECTED):
        versions.version_submit(version=version, user=owner)
        _run_checks(version)
    version.refresh_from_db()
    return version


def _approve(version: AppVersion, reviewer: Any) -> None:
    if version.state != AppVersion.State.IN_REVIEW:
        return
    versions.version_assign(version=version, reviewer=reviewer)
    versions.version_checklist_set(
        version=version, reviewer=reviewer, answers={k: True for k, _ in REVIEW_CHECKLIST}
    )
    versions.version_approve(version=version, reviewer=reviewer, reason="Meets the marketplace guidelines.")


def _safely(action: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return action(*args, **kwargs)
    except DomainError:
        return None  # already done on an earlier run (installed, reviewed, ...)


def _seed_catalog(owners: list[tuple[Publisher, Any]]) -> list[App]:
    apps: list[App] = []
    verticals = list(VERTICAL_SUFFIX)
    index = 0
    for product_index, product in enumerate(PRODUCTS):
        for offset in range(4):  # 13 products × 4 verticals = 52 apps
            vertical = verticals[(product_index + offset) % len(verticals)]
            publisher, owner = owners[index % len(owners)]
            apps.append(_create_app(publisher, owner, index, vertical, product))
            index += 1
    return apps


def _seed_pipeline(apps: list[App], owner_of: dict[int, Any], reviewer: Any) -> None:
    """All but the last six apps are published; those show the other states of the workflow."""
    for app in apps[:-6]:
        version = app.versions.order_by("major", "minor", "patch").first()
        _approve(_submit(version, owner_of[app.publisher_id]), reviewer)
    waiting, assigned, gate_failed, rejected, _draft, suspended = apps[-6:]
    _submit(waiting.versions.first(), owner_of[waiting.publisher_id])
    version = _submit(assigned.versions.first(), owner_of[assigned.publisher_id])
    if version.state == AppVersion.State.IN_REVIEW and version.reviewer_id is None:
        versions.version_assign(version=version, reviewer=reviewer)
        versions.version_comment(
            version=version, user=reviewer, body="Could you add a screenshot of the settings page?"
        )
    version = gate_failed.versions.first()
    if version.state == AppVersion.State.DRAFT:
        versions.version_update(
            version=version, user=owner_of[gate_failed.publisher_id], source_bundle=_insecure_bundle()
        )
        _submit(version, owner_of[gate_failed.publisher_id])
    version = _submit(rejected.versions.first(), owner_of[rejected.publisher_id])
    if version.state == AppVersion.State.IN_REVIEW:
        versions.version_assign(version=version, reviewer=reviewer)
        versions.version_reject(
            version=version,
            reviewer=reviewer,
            reason="The privacy policy does not mention the data the app exports.",
        )
    version = _submit(suspended.versions.first(), owner_of[suspended.publisher_id])
    _approve(version, reviewer)
    version.refresh_from_db()
    if version.state == AppVersion.State.PUBLISHED:
        versions.version_suspend(
            version=version, reviewer=reviewer, reason="Investigating a report of leaked tokens."
        )
    first = apps[0]  # a second release: 1.0.0 becomes deprecated
    if not first.versions.filter(version="1.1.0").exists():
        v2 = versions.version_create(
            app=first,
            user=owner_of[first.publisher_id],
            version="1.1.0",
            changelog="Team filters and CSV export.",
            manifest=first.versions.first().manifest,
        )
        _approve(_submit(v2, owner_of[first.publisher_id]), reviewer)


def _seed_customers(listed: list[App], buyer: Any, learner: Any, staff: Any) -> int:
    """Free installs and purchases through checkout, Globex's seats, a trial. Returns purchases made."""
    purchases = 0
    for i, app in enumerate(listed[:24]):
        plan = app.plans.filter(is_active=True).first()
        customer = buyer if i % 2 == 0 else learner
        if (
            plan is None
            or plan.model == Plan.Model.PER_SEAT
            or Installation.objects.filter(app=app, user=customer).exists()
        ):
            continue
        if plan.model == Plan.Model.FREE:
            _safely(installs.install, app=app, plan=plan, user=customer)
        elif plan.model in installs.RECURRING:
            subscription = _safely(
                subscriptions.subscribe, app=app, plan=plan, user=customer, payment_method=CARD_OK
            )
            purchases += bool(subscription and subscription.has_access)
            if subscription and plan.model == Plan.Model.USAGE:  # usage so far, billed at the renewal
                installation = Installation.objects.get(subscription_id=subscription.id)
                usage.usage_report(installation=installation, quantity=1_250, idempotency_key="demo-usage")
        else:
            order = _safely(
                installs.purchase_start, app=app, plan=plan, user=customer, payment_method=CARD_OK
            )
            purchases += bool(order and order.is_paid)
    globex = accounts_facade.organization_get("globex")
    seat_app = next((a for a in listed if a.plans.filter(model=Plan.Model.PER_SEAT).exists()), None)
    if seat_app and not Installation.objects.filter(app=seat_app, organization_id=globex.id).exists():
        plan = seat_app.plans.get(model=Plan.Model.PER_SEAT, interval="month")
        subscription = _safely(
            subscriptions.subscribe,
            app=seat_app,
            plan=plan,
            user=buyer,
            organization_id=globex.id,
            seats=5,
            payment_method=CARD_OK,
        )
        purchases += bool(subscription and subscription.has_access)
        installation = Installation.objects.filter(
            app=seat_app, organization_id=globex.id, status="active"
        ).first()
        for member in (buyer, learner) if installation else ():
            _safely(installs.seat_assign, installation=installation, user=buyer, member_id=member.pk)
    trial_app = next((a for a in listed if a.plans.filter(trial_days__gt=0).exists()), None)
    if trial_app and not Installation.objects.filter(user=staff, trial_ends_at__isnull=False).exists():
        _safely(
            installs.trial_start,
            app=trial_app,
            plan=trial_app.plans.filter(trial_days__gt=0).first(),
            user=staff,
        )
    return purchases


def _seed_reviews(buyer: Any, learner: Any, staff: Any, owner_of: dict[int, Any]) -> None:
    """Reviews by installers, publisher replies, helpful votes and an abuse report waiting for moderation."""
    for i, installation in enumerate(
        Installation.objects.filter(user__in=[buyer, learner]).select_related("app", "user")
    ):
        rating, title, body = REVIEW_TEXTS[i % len(REVIEW_TEXTS)]
        review = _safely(
            reviews.review_create,
            app=installation.app,
            user=installation.user,
            rating=rating,
            title=title,
            body=body,
        )
        if review is None:
            continue
        if i % 3 == 0:
            _safely(
                reviews.review_reply,
                review=review,
                user=owner_of[installation.app.publisher_id],
                body="Thank you! Tell us what you would like next.",
            )
        _safely(
            reviews.review_vote_helpful, review=review, user=learner if installation.user == buyer else buyer
        )
        if rating == 2:
            _safely(
                reviews.review_report,
                review=review,
                user=staff,
                reason="off_topic",
                details="About support, not the app.",
            )


def _seed_certification(listed: list[App], reviewer: Any, owner_of: dict[int, Any]) -> None:
    """Certified badges for three apps, Enterprise ready for one, one application waiting for a reviewer."""
    questionnaire = {key: True for key, _ in certification.QUESTIONNAIRE}

    def apply(app: App, kind: str, hours: int, slo: str) -> Any:
        return _safely(
            certification.certification_request,
            app=app,
            user=owner_of[app.publisher_id],
            kind=kind,
            questionnaire=questionnaire,
            support_response_hours=hours,
            uptime_slo=slo,
        )

    for app in listed[:3]:
        if not certification.active_badges(app):
            request = apply(app, "certified", 24, "99.9")
            if request:
                _safely(
                    certification.certification_grant,
                    request=request,
                    reviewer=reviewer,
                    note="Security review passed.",
                )
    if not any(b.kind == "enterprise_ready" for b in certification.active_badges(listed[0])):
        request = apply(listed[0], "enterprise_ready", 4, "99.95")
        if request:
            _safely(certification.certification_grant, request=request, reviewer=reviewer)
    apply(listed[3], "certified", 48, "99.5")


def seed(out: TextIO) -> list[str]:
    reference_data_ensure(Category, DeveloperAgreement)  # gone after a flush (migration 0003 made them)
    developer, reviewer, buyer, learner, staff = (
        _user(x) for x in ("developer", "reviewer", "buyer", "learner", "staff")
    )
    cloudsmiths = accounts_facade.organization_get("cloudsmiths")
    owners = [
        (_publisher(developer, "DevWorks"), developer),
        (_publisher(developer, "Cloudsmiths Apps", organization_id=cloudsmiths.id), developer),
    ]
    for local, person, company in PUBLISHER_USERS:
        user = _publisher_user(local, person)
        owners.append((_publisher(user, company), user))
    owner_of = {publisher.pk: user for publisher, user in owners}

    apps = _seed_catalog(owners)
    _seed_pipeline(apps, owner_of, reviewer)
    listed_ids = set(
        App.objects.filter(pk__in=[a.pk for a in apps], is_listed=True).values_list("pk", flat=True)
    )
    listed = [App.objects.get(pk=a.pk) for a in apps if a.pk in listed_ids]
    purchases = _seed_customers(listed, buyer, learner, staff)
    _seed_reviews(buyer, learner, staff, owner_of)
    _seed_certification(listed, reviewer, owner_of)

    out.write(
        f"  {App.objects.count()} apps ({App.objects.filter(is_listed=True).count()} listed), "
        f"{Installation.objects.count()} installations, {Review.objects.count()} reviews, "
        f"{purchases} purchases this run\n"
    )
    return [
        "",
        f"Marketplace: {portal_url('/marketplace/')}",
        f"  publisher console: developer@{DOMAIN} (also nadia@{DOMAIN}, omar@{DOMAIN}) → /marketplace/publish/",
        f"  review queue and moderation: reviewer@{DOMAIN} → /marketplace/review/",
        f"  buyer with purchases, installs and Globex seats: buyer@{DOMAIN} → /marketplace/installed/",
    ]
