from django.urls import path

from opsloop.channels import views

W = "w/<slug:slug>/"

urlpatterns = [
    path(W + "channels/", views.channel_list, name="channels"),
    path(W + "channels/settings/", views.channel_settings, name="channel_settings"),
    path(W + "channels/accounts/<int:account_id>/", views.channel_account, name="channel_account"),
    path(W + "links/", views.link_list, name="links"),
    path(W + "links/rules/", views.link_rules, name="link_rules"),
    path(W + "links/<int:link_id>/", views.link_detail, name="link"),
    path(W + "links/<int:link_id>/qr.<str:fmt>", views.link_qr, name="link_qr"),
    # The short address: public, outside the workspace's pages.
    path("l/<str:code>", views.link_redirect, name="link_redirect"),
]
