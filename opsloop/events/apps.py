from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "opsloop.events"
    label = "events"
    verbose_name = "opsloop events"
