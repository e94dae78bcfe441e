from django.urls import path

from opsloop.content import views

W = "w/<slug:slug>/content/"
P = W + "<int:piece_id>/"

urlpatterns = [
    path(W, views.content_calendar, name="content_calendar"),
    path(W + "new/", views.content_new, name="content_new"),
    path(W + "preview/", views.content_preview, name="content_preview"),
    path(W + "results/", views.content_results, name="content_results"),
    path(W + "cadence/", views.content_cadence, name="content_cadence"),
    path(P, views.content_piece, name="content_piece"),
    path(P + "edit/", views.content_edit, name="content_edit"),
    path(P + "delete/", views.content_delete, name="content_delete"),
]
