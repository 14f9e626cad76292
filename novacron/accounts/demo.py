"""Demo users (one per platform role) and organisations for `seed_demo`."""

from typing import TextIO

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.db import transaction

from novacron.accounts.models import Membership, Organization, OrgRole, User
from novacron.accounts.roles import PlatformRole, sync_role_groups
from novacron.core.demo import DEMO_PASSWORD, portal_url

DEMO_DOMAIN = "demo.novacron.dev"

# email local part, display name, country, timezone, roles, is_staff/superuser
DEMO_USERS = [
    ("learner", "Lea Learner", "DE", "Europe/Berlin", [PlatformRole.LEARNER], False),
    ("developer", "Dev Developer", "US", "America/New_York", [PlatformRole.APP_DEVELOPER], False),
    ("buyer", "Bea Buyer", "GB", "Europe/London", [PlatformRole.LEARNER], False),
    ("reviewer", "Rey Reviewer", "FR", "Europe/Paris", [PlatformRole.REVIEWER], False),
    ("instructor", "Ina Instructor", "IN", "Asia/Kolkata", [PlatformRole.INSTRUCTOR], False),
    ("organiser", "Oli Organiser", "BR", "America/Sao_Paulo", [PlatformRole.ORGANISER], False),
    ("finance", "Fin Finance", "IE", "Europe/Dublin", [PlatformRole.FINANCE], True),
    ("staff", "Stef Staff", "NL", "Europe/Amsterdam", [PlatformRole.STAFF], True),
    ("admin", "Ada Admin", "US", "America/Los_Angeles", [PlatformRole.STAFF], True),
]

DEMO_ORGS = [
    (
        "Globex Corporation",
        "globex",
        Organization.Kind.COMPANY,
        "US",
        {"buyer": OrgRole.OWNER, "learner": OrgRole.MEMBER},
    ),
    ("Tech University Berlin", "tu-demo", Organization.Kind.UNIVERSITY, "DE", {"instructor": OrgRole.OWNER}),
    (
        "Cloudsmiths Partners",
        "cloudsmiths",
        Organization.Kind.PARTNER,
        "GB",
        {"developer": OrgRole.OWNER, "buyer": OrgRole.BILLING},
    ),
]


def demo_email(local: str) -> str:
    return f"{local}@{DEMO_DOMAIN}"


def login_url() -> str:
    return portal_url("/accounts/login/")


@transaction.atomic
def seed(out: TextIO) -> list[str]:
    sync_role_groups()
    users: dict[str, User] = {}
    for local, name, country, tz, roles, staff in DEMO_USERS:
        user, created = User.objects.get_or_create(
            email=demo_email(local),
            defaults={"display_name": name, "country": country, "timezone": tz, "is_staff": staff},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.is_superuser = local == "admin"
            user.save()
        EmailAddress.objects.update_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        user.groups.add(*Group.objects.filter(name__in=[r.value for r in roles]))
        users[local] = user
    for name, slug, kind, country, members in DEMO_ORGS:
        org, _ = Organization.objects.get_or_create(
            slug=slug, defaults={"name": name, "kind": kind, "country": country}
        )
        for local, role in members.items():
            Membership.objects.get_or_create(organization=org, user=users[local], defaults={"role": role})
    out.write(f"  {len(users)} users, {len(DEMO_ORGS)} organisations\n")
    lines = ["", f"Demo logins (password for all: {DEMO_PASSWORD}) at {login_url()}"]
    for local, _name, _c, _tz, roles, staff in DEMO_USERS:
        extra = " + Django admin" if staff else ""
        lines.append(f"  {demo_email(local):32} {', '.join(r.label for r in roles)}{extra}")
    return lines
