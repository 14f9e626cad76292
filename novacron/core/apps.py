from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "novacron.core"
    label = "core"
    verbose_name = "Platform kernel"
