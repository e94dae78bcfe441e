from django.urls import path

from opsloop.work import views

urlpatterns = [
    path("w/<slug:slug>/", views.workspace_home, name="workspace"),
    path("w/<slug:slug>/my/", views.my_work, name="my_work"),
    path("w/<slug:slug>/labels/", views.labels, name="labels"),
    path("w/<slug:slug>/fields/", views.workspace_fields, name="workspace_fields"),
    path("w/<slug:slug>/projects/new/", views.project_new, name="project_new"),
    path("w/<slug:slug>/p/<str:key>/", views.project_items, name="project_items"),
    path("w/<slug:slug>/p/<str:key>/board/", views.project_board, name="project_board"),
    path("w/<slug:slug>/p/<str:key>/settings/", views.project_settings, name="project_settings"),
    path("w/<slug:slug>/p/<str:key>/items/new/", views.item_quick_create, name="item_quick_create"),
    path("w/<slug:slug>/p/<str:key>/items/bulk/", views.item_bulk, name="item_bulk"),
    path("w/<slug:slug>/p/<str:key>/views/", views.project_views, name="project_views"),
    path("w/<slug:slug>/i/<str:ref>/", views.item_detail, name="item_detail"),
    path("w/<slug:slug>/i/<str:ref>/move/", views.item_move, name="item_move"),
]
