"""Publisher registration and acceptance of the developer agreement."""

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from marketplace.exceptions import Conflict, NotFound, ValidationError
from marketplace.models import AgreementAcceptance, DeveloperAgreement, Publisher
from marketplace.services.permissions import require_org_admin, require_publisher
from novacron.accounts import facade as accounts_facade
from novacron.core.services.audit import audit_record
from revenue import facade as revenue_facade


def agreement_current(*, now: Any = None) -> DeveloperAgreement | None:
    now = now or timezone.now()
    return DeveloperAgreement.objects.filter(effective_at__lte=now).order_by("-effective_at").first()


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "publisher"
    slug, n = base, 2
    while Publisher.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def publisher_register(
    *,
    user: Any,
    display_name: str,
    agreement_version: str,
    organization_id: int | None = None,
    website: str = "",
    support_email: str = "",
    ip_address: str | None = None,
) -> Publisher:
    """Register the user (or an organisation they own/administer) as a publisher, accepting the current
    developer agreement, and link revenue's seller that will receive the sales."""
    display_name = (display_name or "").strip()
    if not display_name:
        raise ValidationError("Give the publisher a name.", field="display_name")
    agreement = agreement_current()
    if agreement is None:
        raise Conflict("No developer agreement is in effect yet; try again later.")
    if agreement_version != agreement.version:
        raise ValidationError(
            f"Accept the current developer agreement (version {agreement.version}).",
            field="agreement_version",
        )
    if organization_id is not None:
        require_org_admin(user, organization_id)
        if accounts_facade.organization_get(organization_id) is None:
            raise NotFound("No such organisation.", field="organization")
        if Publisher.objects.filter(organization_id=organization_id).exists():
            raise Conflict("This organisation is already a publisher.", field="organization")
        seller_id = revenue_facade.seller_for_organization(organization_id, display_name)
        kind = Publisher.Kind.ORGANIZATION
    else:
        if Publisher.objects.filter(user_id=user.pk).exists():
            raise Conflict("You are already a publisher.")
        seller_id = revenue_facade.seller_for_user(user.pk, display_name)
        kind = Publisher.Kind.USER
    try:
        with transaction.atomic():
            publisher = Publisher.objects.create(
                kind=kind,
                display_name=display_name,
                slug=_unique_slug(display_name),
                user_id=user.pk if organization_id is None else None,
                organization_id=organization_id,
                website=website,
                support_email=support_email,
                seller_id=seller_id,
                created_by=user,
            )
            _accept(publisher=publisher, agreement=agreement, user=user, ip_address=ip_address)
            audit_record(
                actor=user,
                action="marketplace.publisher.register",
                obj=publisher,
                after={"kind": kind, "organization": organization_id, "agreement": agreement.version},
            )
    except IntegrityError as exc:  # a concurrent registration of the same user/organisation
        raise Conflict("This publisher is already registered.") from exc
    return publisher


def _accept(
    *, publisher: Publisher, agreement: DeveloperAgreement, user: Any, ip_address: str | None
) -> None:
    AgreementAcceptance.objects.get_or_create(
        publisher=publisher,
        agreement=agreement,
        defaults={"accepted_by": user, "accepted_at": timezone.now(), "ip_address": ip_address},
    )


def agreement_accept(
    *, publisher: Publisher, user: Any, agreement_version: str, ip_address: str | None = None
) -> None:
    """Accept a newer agreement version (publishers must accept the current one before submitting)."""
    require_publisher(user, publisher)
    agreement = agreement_current()
    if agreement is None or agreement.version != agreement_version:
        raise ValidationError("That is not the current agreement version.", field="agreement_version")
    with transaction.atomic():
        _accept(publisher=publisher, agreement=agreement, user=user, ip_address=ip_address)
        audit_record(
            actor=user,
            action="marketplace.publisher.accept_agreement",
            obj=publisher,
            after={"agreement": agreement.version},
        )


def publisher_has_current_agreement(publisher: Publisher) -> bool:
    agreement = agreement_current()
    return agreement is None or publisher.acceptances.filter(agreement=agreement).exists()


def publisher_update(*, publisher: Publisher, user: Any, **fields: Any) -> Publisher:
    require_publisher(user, publisher)
    allowed = {"display_name", "website", "support_email"}
    changes = {k: v for k, v in fields.items() if k in allowed and v is not None}
    if "display_name" in changes and not str(changes["display_name"]).strip():
        raise ValidationError("Give the publisher a name.", field="display_name")
    with transaction.atomic():
        before = {k: getattr(publisher, k) for k in changes}
        for key, value in changes.items():
            setattr(publisher, key, value)
        publisher.save()
        audit_record(
            actor=user, action="marketplace.publisher.update", obj=publisher, before=before, after=changes
        )
    return publisher
