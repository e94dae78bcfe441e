from django.apps import AppConfig


class CollabConfig(AppConfig):
    name = "opsloop.collab"
    label = "collab"
    verbose_name = "opsloop collaboration"
