from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "opsloop.content"
    label = "content"
    verbose_name = "opsloop content"

    def ready(self) -> None:
        from opsloop.content.imports import IMPORTER
        from opsloop.core.tables import register_importer

        register_importer(IMPORTER)
