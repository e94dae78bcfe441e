from django.urls import path  # noqa: F401 (pages come with the app's views)

urlpatterns: list = []
