from django.apps import AppConfig


class MarketplaceConfig(AppConfig):
    name = "marketplace"
    verbose_name = "Marketplace"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from marketplace.portal import register_portal
        from marketplace.reference import ensure_reference_data

        register_portal()
        post_migrate.connect(ensure_reference_data, sender=self, dispatch_uid="marketplace.reference_data")
