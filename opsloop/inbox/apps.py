from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "opsloop.inbox"
    label = "inbox"
    verbose_name = "opsloop inbox"

    def ready(self) -> None:
        from opsloop.inbox.receivers import on_item_changed
        from opsloop.work.signals import item_changed

        item_changed.connect(on_item_changed, dispatch_uid="inbox.on_item_changed")
