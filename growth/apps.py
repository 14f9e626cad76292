from django.apps import AppConfig


class GrowthConfig(AppConfig):
    name = "growth"
    verbose_name = "Community"

    def ready(self) -> None:
        from growth.services.tickets import register_item_type

        register_item_type()

        from growth.views.dashboard import panel_context
        from novacron.accounts.facade import PlatformRole, register_role_permissions
        from novacron.core.portal import DashboardPanel, register_dashboard_panel

        register_dashboard_panel(
            DashboardPanel(key="growth", template="growth/panel.html", context=panel_context, order=60)
        )
        register_role_permissions(PlatformRole.STAFF, ["growth.manage_community"])
