from django.urls import path

from opsloop.events import views

urlpatterns = [
    path("w/<slug:slug>/sources/", views.sources, name="sources"),
    path("w/<slug:slug>/people/", views.people, name="people"),
    path("w/<slug:slug>/people/<int:person_id>/", views.person, name="person"),
    path("w/<slug:slug>/live/", views.live_events, name="live_events"),
    path("w/<slug:slug>/events/export/", views.events_export, name="events_export"),
    path("events/export/<str:token>/", views.events_export_signed, name="events_export_signed"),
]
