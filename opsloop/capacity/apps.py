from django.apps import AppConfig


class CapacityConfig(AppConfig):
    name = "opsloop.capacity"
    label = "capacity"
    verbose_name = "opsloop capacity"
