"""Lookups shared by the API and the portal: objects by public id or slug with the caller's visibility applied
(what a caller may not see is a 404, the same as what does not exist). Organisations: selectors.organizations."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from marketplace.exceptions import ValidationError
from marketplace.models import App, AppVersion, Installation, Plan, Publisher
from marketplace.services.installs import can_manage_installation
from marketplace.services.permissions import can_manage_publisher, is_reviewer
from novacron.accounts import facade as accounts_facade


def app_or_404(slug: str, queryset: QuerySet | None = None) -> App:
    qs = App.objects.all() if queryset is None else queryset
    app = qs.select_related("publisher", "category").filter(slug=slug).first()
    if app is None:
        raise Http404
    return app


def visible_app_or_404(slug: str, user: Any, queryset: QuerySet | None = None) -> App:
    """Listed apps for everyone; unlisted ones only for their publisher and reviewers. `queryset` adds what
    the caller renders (prefetches), so the app is read once."""
    app = app_or_404(slug, queryset)
    if not app.is_listed and not (can_manage_publisher(user, app.publisher) or is_reviewer(user)):
        raise Http404
    return app


def owned_app_or_404(slug: str, user: Any) -> App:
    app = app_or_404(slug)
    if not can_manage_publisher(user, app.publisher):
        raise Http404
    return app


def version_or_404(public_id: Any, user: Any) -> AppVersion:
    version = (
        AppVersion.objects.select_related("app", "app__publisher", "reviewer")
        .filter(public_id=public_id)
        .first()
    )
    if version is None or not (can_manage_publisher(user, version.app.publisher) or is_reviewer(user)):
        raise Http404
    return version


def plan_of(app: App, public_id: Any) -> Plan:
    plan = app.plans.filter(public_id=public_id).first()
    if plan is None:
        raise ValidationError("Choose one of this app's plans.", field="plan")
    return plan


def installation_or_404(public_id: Any, user: Any) -> Installation:
    installation = (
        Installation.objects.select_related("app", "plan", "version", "organization")
        .filter(public_id=public_id)
        .first()
    )
    if installation is None:
        raise Http404
    member = installation.organization_id and accounts_facade.organization_role(
        user.pk, installation.organization_id
    )
    if not (member or can_manage_installation(user, installation)):
        raise Http404
    return installation


def publisher_or_404(slug: str, user: Any) -> Publisher:
    publisher = Publisher.objects.filter(slug=slug).first()
    if publisher is None or not can_manage_publisher(user, publisher):
        raise Http404
    return publisher
