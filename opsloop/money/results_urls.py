from django.urls import path  # noqa: F401 (pages come with the results' views)

urlpatterns: list = []
