from django.urls import path

from opsloop.planning import views

urlpatterns = [
    path("w/<slug:slug>/timeline/", views.timeline, name="timeline"),
    path("w/<slug:slug>/p/<str:key>/timeline/", views.project_timeline, name="project_timeline"),
    path("w/<slug:slug>/p/<str:key>/calendar/", views.project_calendar, name="project_calendar"),
    path(
        "w/<slug:slug>/p/<str:key>/milestones/",
        views.project_milestones,
        name="project_milestones",
    ),
    path(
        "w/<slug:slug>/i/<str:ref>/dependencies/",
        views.item_dependencies,
        name="item_dependencies",
    ),
]
