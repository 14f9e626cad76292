from django.apps import AppConfig


class CertificationConfig(AppConfig):
    name = "certification"
    verbose_name = "Learn"

    def ready(self) -> None:
        from certification import item_types
        from certification.views.dashboards import panel_context
        from novacron.accounts.facade import PlatformRole, register_role_permissions
        from novacron.core.portal import DashboardPanel, register_dashboard_panel

        item_types.register()
        from certification.facade import is_certified
        from revenue.facade import register_partner_qualifier

        register_partner_qualifier(is_certified)  # services marketplace: certified partners may publish
        register_dashboard_panel(
            DashboardPanel(
                key="certification", template="certification/panel.html", context=panel_context, order=20
            )
        )
        register_role_permissions(
            PlatformRole.INSTRUCTOR,
            [
                "certification.view_course",
                "certification.add_course",
                "certification.change_course",
                "certification.view_item",
                "certification.add_item",
                "certification.change_item",
            ],
        )
