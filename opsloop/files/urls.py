from django.urls import path

from opsloop.files import imports_views, views

urlpatterns = [
    path("w/<slug:slug>/p/<str:key>/files/", views.project_files, name="project_files"),
    path("w/<slug:slug>/files/upload/", views.files_upload, name="files_upload"),
    path("w/<slug:slug>/import/<str:kind>/", imports_views.import_file, name="import_file"),
    path("w/<slug:slug>/files/<int:file_id>/", views.file_page, name="file"),
    path(
        "w/<slug:slug>/files/<int:file_id>/v/<int:number>/",
        views.file_download,
        name="file_download",
    ),
    path(
        "w/<slug:slug>/files/<int:file_id>/v/<int:number>/preview/",
        views.file_preview,
        name="file_preview",
    ),
    path("files/d/<str:token>/", views.file_signed, name="file_signed"),
    path("s/<str:token>/", views.share_page, name="share"),
    path("s/<str:token>/download/", views.share_download, name="share_download"),
]
