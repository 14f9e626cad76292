from django.apps import AppConfig


class RevenueConfig(AppConfig):
    name = "revenue"
    verbose_name = "Revenue"

    def ready(self) -> None:
        from revenue import item_types

        item_types.register()

        from revenue.portal import register_portal

        register_portal()

        from revenue import hooks, tasks_billing  # noqa: F401  (tasks_billing registers billing's Celery tasks)
        from revenue.services.tax import tax_calculate

        hooks.register_tax_calculator(tax_calculate)

        from revenue import (
            tasks_fx,  # noqa: F401  (registers the exchange-rate task)
            tasks_partner_services,  # noqa: F401  (registers the services marketplace's task)
            tasks_subscriptions,  # noqa: F401  (registers the subscription Celery tasks)
        )
        from revenue.services import partner_milestones

        partner_milestones.register()  # services marketplace: milestones sold through checkout
