from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GoalsConfig(AppConfig):
    name = "opsloop.goals"
    label = "goals"
    verbose_name = _("Goals")
    default_auto_field = "django.db.models.BigAutoField"
