from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "opsloop.planning"
    label = "planning"
    verbose_name = "opsloop planning"
