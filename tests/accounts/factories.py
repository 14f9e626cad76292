"""Factories and builders of the accounts tests (shared factories live in tests/factories.py)."""

from datetime import timedelta

import factory
from django.utils import timezone

from novacron.accounts.models import ApiToken, Invitation, Membership, Organization, OrgRole, User
from novacron.accounts.services.tokens import api_token_create
from novacron.accounts.tokens import generate_token, hash_secret
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory


class ApiTokenFactory(factory.django.DjangoModelFactory):
    """A stored token whose secret nobody knows (use `api_token()` when a test must authenticate)."""

    class Meta:
        model = ApiToken

    class Params:
        generated = factory.LazyFunction(generate_token)

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"token {n}")
    prefix = factory.LazyAttribute(lambda o: o.generated[0])
    token_hash = factory.LazyAttribute(lambda o: hash_secret(o.generated[1]))
    scopes = factory.LazyFunction(lambda: ["read"])


class InvitationFactory(factory.django.DjangoModelFactory):
    """An invitation; pass token_hash=hash_secret("<raw>") when a test needs its token."""

    class Meta:
        model = Invitation

    organization = factory.SubFactory(OrganizationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    role = OrgRole.MEMBER
    token_hash = factory.Sequence(lambda n: hash_secret(f"invitation-token-{n}"))
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


def api_token(user: User, scopes: list[str] | None = None, name: str = "test") -> tuple[ApiToken, str]:
    """A real token made by the service, with its raw secret."""
    return api_token_create(user=user, name=name, scopes=scopes or ["read", "write"])


def member(organization: Organization, role: str = OrgRole.MEMBER, **user_kwargs) -> User:
    """A new user who belongs to `organization` with `role`."""
    user = UserFactory(**user_kwargs)
    MembershipFactory(organization=organization, user=user, role=role)
    return user


def membership(organization: Organization, user: User) -> Membership:
    return Membership.objects.get(organization=organization, user=user)
