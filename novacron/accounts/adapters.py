from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """New accounts get the default platform roles (learner)."""

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            from novacron.accounts.services.users import user_grant_default_roles

            user_grant_default_roles(user=user)
        return user
