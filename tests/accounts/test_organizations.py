import pytest

from novacron.accounts.models import Organization
from novacron.accounts.services.organizations import organization_create, organization_update
from novacron.core.exceptions import Conflict, PermissionDenied, ValidationError
from novacron.core.models import AuditLog
from tests.factories import UserFactory


@pytest.mark.django_db
def test_slug_from_name_is_made_unique(owner):
    first = organization_create(creator=owner, name="Nova Labs")
    second = organization_create(creator=owner, name="Nova  Labs!")
    assert (first.slug, second.slug) == ("nova-labs", "nova-labs-2")


@pytest.mark.django_db
def test_explicit_slug_conflict_and_validation(owner):
    organization_create(creator=owner, name="One", slug="one")
    with pytest.raises(Conflict) as exc:
        organization_create(creator=owner, name="Other", slug="one")
    assert exc.value.field == "slug"
    with pytest.raises(ValidationError) as exc:
        organization_create(creator=owner, name="Bad", slug="Not a slug")
    assert exc.value.field == "slug"
    with pytest.raises(ValidationError):  # would be ambiguous with public ids in URLs
        organization_create(creator=owner, name="Bad", slug="0b9a8d4e-5f3c-4d2a-9e1b-7c6d5e4f3a2b")
    with pytest.raises(ValidationError) as exc:
        organization_create(creator=owner, name="   ")
    assert exc.value.field == "name"
    with pytest.raises(ValidationError) as exc:
        organization_create(creator=owner, name="X", country="XX")
    assert exc.value.field == "country"
    with pytest.raises(ValidationError) as exc:
        organization_create(creator=owner, name="X", kind="guild")
    assert exc.value.field == "kind"
    assert Organization.objects.count() == 1


@pytest.mark.django_db
def test_update_by_manager_only(org, owner, plain_member):
    with pytest.raises(PermissionDenied):
        organization_update(actor=plain_member, organization=org, name="Hijacked")
    with pytest.raises(PermissionDenied):
        organization_update(actor=UserFactory(), organization=org, name="Hijacked")

    updated = organization_update(actor=owner, organization=org, name="Acme Inc", country="de")
    assert (updated.name, updated.country, updated.slug) == ("Acme Inc", "DE", "acme-corp")
    row = AuditLog.objects.get(action="organization.updated")
    assert row.before == {"name": "Acme Corp", "country": ""}
    assert row.after == {"name": "Acme Inc", "country": "DE"}
