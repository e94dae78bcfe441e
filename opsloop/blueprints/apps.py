from django.apps import AppConfig


class BlueprintsConfig(AppConfig):
    name = "opsloop.blueprints"
    label = "blueprints"
    verbose_name = "opsloop project templates"
