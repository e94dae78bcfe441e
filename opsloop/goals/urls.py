from django.urls import path

from opsloop.goals import campaign_views, views

urlpatterns = [
    path("w/<slug:slug>/goals/", views.goals, name="goals"),
    path("w/<slug:slug>/goals/kpis/", views.kpis, name="kpis"),
    path("w/<slug:slug>/goals/<int:objective_id>/", views.goal, name="goal"),
    path("w/<slug:slug>/p/<str:key>/impact/", campaign_views.project_impact, name="project_impact"),
]
