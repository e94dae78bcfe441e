from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "opsloop.inbox"
    label = "inbox"
    verbose_name = "opsloop inbox"
