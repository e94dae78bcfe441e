from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "opsloop.partners"
    label = "partners"
    verbose_name = "opsloop partners"
