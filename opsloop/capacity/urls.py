from django.urls import path

from opsloop.capacity import views

urlpatterns = [
    path("w/<slug:slug>/team/", views.team, name="team"),
    path("w/<slug:slug>/team/skills/", views.team_skills, name="team_skills"),
    path("w/<slug:slug>/time/", views.time_report, name="time_report"),
    path("w/<slug:slug>/workload/", views.workload, name="workload"),
    path("w/<slug:slug>/workload/cell/", views.workload_cell, name="workload_cell"),
    path("w/<slug:slug>/i/<str:ref>/time/", views.item_time, name="item_time"),
    path(
        "w/<slug:slug>/i/<str:ref>/time/<int:entry_id>/",
        views.item_time_entry,
        name="item_time_entry",
    ),
]
