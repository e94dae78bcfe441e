from django.apps import AppConfig


class WorkConfig(AppConfig):
    name = "opsloop.work"
    label = "work"
    verbose_name = "opsloop work"
