from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "opsloop.channels"
    label = "channels"
    verbose_name = "opsloop channels"
