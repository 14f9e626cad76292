from django.apps import AppConfig


class RevenueConfig(AppConfig):
    name = "revenue"
    verbose_name = "Revenue"

    def ready(self) -> None:
        from revenue import item_types

        item_types.register()

        from revenue.portal import register_portal

        register_portal()
