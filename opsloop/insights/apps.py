from __future__ import annotations

from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "opsloop.insights"
    label = "insights"
    verbose_name = "opsloop insights"
