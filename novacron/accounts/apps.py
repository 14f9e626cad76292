from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "novacron.accounts"
    label = "accounts"
    verbose_name = "Accounts and organisations"

    def ready(self) -> None:
        from novacron.accounts.panels import ACCOUNT_PANEL
        from novacron.accounts.roles import sync_role_groups
        from novacron.core.portal import register_dashboard_panel

        # Like Django's own create_permissions: keep the platform role groups in step after every migrate.
        post_migrate.connect(sync_role_groups, sender=self, dispatch_uid="accounts.sync_role_groups")
        register_dashboard_panel(ACCOUNT_PANEL)
