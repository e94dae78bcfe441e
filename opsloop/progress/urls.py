from django.urls import path

from opsloop.progress import views

urlpatterns = [
    path("w/<slug:slug>/p/<str:key>/progress/", views.project_progress, name="project_progress"),
]
