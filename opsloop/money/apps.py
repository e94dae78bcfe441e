from django.apps import AppConfig


class MoneyConfig(AppConfig):
    name = "opsloop.money"
    label = "money"
    verbose_name = "opsloop money"

    def ready(self) -> None:
        from opsloop.core.tables import register_importer
        from opsloop.money.importers import IMPORTERS

        for importer in IMPORTERS:
            register_importer(importer)
        # Campaign results become a source of KPI values (docs/decisions/0024).
        from opsloop.money import results_kpis

        results_kpis.register()
