from django.contrib.auth.models import Group
from django.db import transaction

from novacron.accounts.models import User
from novacron.accounts.roles import DEFAULT_ROLES


def user_grant_default_roles(*, user: User) -> None:
    with transaction.atomic():
        for role in DEFAULT_ROLES:
            group, _ = Group.objects.get_or_create(name=role.value)
            user.groups.add(group)
