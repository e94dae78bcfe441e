from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "opsloop.meetings"
    label = "meetings"
    verbose_name = "opsloop meetings"
