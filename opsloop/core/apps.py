from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "opsloop.core"
    label = "core"
    verbose_name = "opsloop core"
