from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "opsloop.channels"
    label = "channels"
    verbose_name = "opsloop channels"

    def ready(self) -> None:
        from opsloop.channels.importers import IMPORTER
        from opsloop.core.tables import register_importer

        register_importer(IMPORTER)
