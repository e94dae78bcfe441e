from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "opsloop.content"
    label = "content"
    verbose_name = "opsloop content"
