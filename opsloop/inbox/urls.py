from django.urls import path

from opsloop.inbox import views

urlpatterns = [
    path("w/<slug:slug>/inbox/", views.inbox, name="inbox"),
    path("w/<slug:slug>/inbox/count/", views.inbox_count, name="inbox_count"),
    path("w/<slug:slug>/inbox/read-all/", views.inbox_read_all, name="inbox_read_all"),
    path("w/<slug:slug>/inbox/preferences/", views.inbox_preferences, name="inbox_preferences"),
    path(
        "w/<slug:slug>/inbox/<int:notification_id>/",
        views.inbox_notification,
        name="inbox_notification",
    ),
    path("w/<slug:slug>/inbox/<int:notification_id>/open/", views.inbox_open, name="inbox_open"),
    path("w/<slug:slug>/i/<str:ref>/watch/", views.item_watch, name="item_watch"),
    path("w/<slug:slug>/p/<str:key>/watch/", views.project_watch, name="project_watch"),
]
