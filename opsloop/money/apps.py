from django.apps import AppConfig


class MoneyConfig(AppConfig):
    name = "opsloop.money"
    label = "money"
    verbose_name = "opsloop money"
