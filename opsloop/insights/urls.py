from django.urls import path

from opsloop.insights import views

urlpatterns = [
    path("w/<slug:slug>/insights/", views.insights, name="insights"),
    path("w/<slug:slug>/insights/persons/", views.insight_persons, name="insight_persons"),
    path("w/<slug:slug>/insights/cohorts/", views.insight_cohorts, name="insight_cohorts"),
    path("w/<slug:slug>/insights/names/", views.insight_names, name="insight_names"),
]
