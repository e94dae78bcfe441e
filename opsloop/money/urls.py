from django.urls import path

from opsloop.money import views

P = "w/<slug:slug>/p/<str:key>/"

urlpatterns = [
    path(P + "budget/", views.project_budget, name="project_budget"),
    path(P + "budget/lines/", views.budget_lines, name="budget_lines"),
    path(P + "budget/spend/<int:entry_id>/", views.spend_entry, name="spend_entry"),
    path(P + "placements/", views.project_placements, name="project_placements"),
    path(P + "placements/<int:placement_id>/", views.placement, name="placement"),
    path(
        P + "placements/<int:placement_id>/delete/",
        views.placement_delete,
        name="placement_delete",
    ),
]
