from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "opsloop.decisions"
    label = "decisions"
    verbose_name = "opsloop decisions"
