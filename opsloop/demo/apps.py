from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "opsloop.demo"
    label = "demo"
    verbose_name = "opsloop demo data"
