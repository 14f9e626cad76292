from django.apps import AppConfig


class DevexConfig(AppConfig):
    name = "devex"
    verbose_name = "Developer tools"

    def ready(self) -> None:
        from devex.views import dashboard_context
        from novacron.core.portal import DashboardPanel, register_dashboard_panel

        register_dashboard_panel(
            DashboardPanel(key="devex", template="devex/panel.html", context=dashboard_context, order=50)
        )
