from django.apps import AppConfig


class DevexConfig(AppConfig):
    name = "devex"
    verbose_name = "Developer tools"
