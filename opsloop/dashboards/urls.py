from django.urls import path

from opsloop.dashboards import views

urlpatterns = [
    path("w/<slug:slug>/dashboards/", views.dashboards, name="dashboards"),
    path("w/<slug:slug>/dashboards/<int:dashboard_id>/", views.dashboard, name="dashboard"),
    path(
        "w/<slug:slug>/dashboards/<int:dashboard_id>/tiles/<int:tile_id>/",
        views.dashboard_tile,
        name="dashboard_tile",
    ),
    path("s/d/<str:token>/", views.dashboard_share, name="dashboard_share"),
    path(
        "s/d/<str:token>/tiles/<int:tile_id>/",
        views.dashboard_share_tile,
        name="dashboard_share_tile",
    ),
]
