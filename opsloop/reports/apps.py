from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "opsloop.reports"
    label = "reports"
    verbose_name = _("Reports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # A campaign that closes gets its retrospective drafted (retrospective.py).
        from opsloop.reports.retrospective import on_project_stage_changed
        from opsloop.work.signals import project_stage_changed

        project_stage_changed.connect(
            on_project_stage_changed, dispatch_uid="reports.on_project_stage_changed"
        )
