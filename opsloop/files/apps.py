from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "opsloop.files"
    label = "files"
    verbose_name = "opsloop files"
