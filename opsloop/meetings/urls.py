from django.urls import path

from opsloop.meetings import views

urlpatterns = [
    path("w/<slug:slug>/meetings/", views.meeting_list, name="meetings"),
    path("w/<slug:slug>/meetings/new/", views.meeting_new, name="meeting_new"),
    path("w/<slug:slug>/meetings/<int:meeting_id>/", views.meeting_detail, name="meeting"),
    path("w/<slug:slug>/meetings/<int:meeting_id>/edit/", views.meeting_edit, name="meeting_edit"),
    path(
        "w/<slug:slug>/meetings/<int:meeting_id>/meeting.ics",
        views.meeting_calendar,
        name="meeting_ics",
    ),
    path("w/<slug:slug>/p/<str:key>/meetings/", views.project_meetings, name="project_meetings"),
]
