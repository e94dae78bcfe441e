from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "opsloop.files"
    label = "files"
    verbose_name = "opsloop files"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from opsloop.files.models import FileVersion
        from opsloop.files.storage import delete_blob_later

        # Versions also go when their project, item, comment, meeting or workspace is
        # deleted; whichever way, the blob follows its row once the deletion commits.
        def drop_blob(sender, instance: FileVersion, **kwargs) -> None:
            delete_blob_later(instance.blob)

        post_delete.connect(drop_blob, sender=FileVersion, weak=False, dispatch_uid="files_blob")
