from django.urls import path

from opsloop.collab import views

urlpatterns = [
    path("w/<slug:slug>/i/<str:ref>/comments/", views.item_comments, name="item_comments"),
    path("w/<slug:slug>/p/<str:key>/activity/", views.project_activity, name="project_activity"),
    path(
        "w/<slug:slug>/p/<str:key>/discussions/",
        views.project_discussions,
        name="project_discussions",
    ),
    path("w/<slug:slug>/p/<str:key>/discussions/<int:pk>/", views.discussion, name="discussion"),
    path("w/<slug:slug>/comments/<int:pk>/", views.comment_action, name="comment_action"),
]
