from django.urls import path

from opsloop.partners import views

P = "w/<slug:slug>/partners/"
ONE = P + "<int:partner_id>/"

urlpatterns = [
    path(P, views.partner_list, name="partners"),
    path(P + "prices/", views.partner_prices, name="partner_prices"),
    path(P + "compare/", views.partner_compare, name="partner_compare"),
    path(ONE, views.partner_detail, name="partner"),
    path(ONE + "edit/", views.partner_edit, name="partner_edit"),
    path(ONE + "delete/", views.partner_delete, name="partner_delete"),
    path(
        ONE + "cooperations/<int:cooperation_id>/",
        views.cooperation_edit,
        name="partner_cooperation",
    ),
]
