from django.urls import path

from opsloop.decisions import views

D = "w/<slug:slug>/decisions/<int:record_id>/"

urlpatterns = [
    path("w/<slug:slug>/decisions/", views.decision_list, name="decisions"),
    path("w/<slug:slug>/decisions/new/", views.decision_new, name="decision_new"),
    path(D, views.decision_detail, name="decision"),
    path(D + "edit/", views.decision_edit, name="decision_edit"),
    path(D + "delete/", views.decision_delete, name="decision_delete"),
    path(D + "score/", views.decision_score, name="decision_score"),
    path(D + "review/", views.decision_review, name="decision_review"),
    path("w/<slug:slug>/p/<str:key>/decisions/", views.project_decisions, name="project_decisions"),
    path(
        "w/<slug:slug>/meetings/<int:meeting_id>/decisions/<int:decision_id>/record/",
        views.promote_meeting_decision,
        name="decision_promote",
    ),
]
