from django.urls import path

from opsloop.money import results_views

urlpatterns = [
    path("w/<slug:slug>/results/", results_views.workspace_results, name="results"),
    path(
        "w/<slug:slug>/p/<str:key>/results/",
        results_views.project_results,
        name="project_results",
    ),
]
