from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "opsloop.progress"
    label = "progress"
    verbose_name = "opsloop progress"
