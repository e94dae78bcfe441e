from django.urls import path

from opsloop.blueprints import views

T = "w/<slug:slug>/templates/<int:template_id>/"

urlpatterns = [
    path("w/<slug:slug>/templates/", views.blueprint_list, name="blueprints"),
    path(T, views.blueprint_detail, name="blueprint"),
    path(T + "use/", views.blueprint_use, name="blueprint_use"),
    path(T + "delete/", views.blueprint_delete, name="blueprint_delete"),
    path(
        "w/<slug:slug>/p/<str:key>/save-as-template/",
        views.project_save_template,
        name="project_save_template",
    ),
]
