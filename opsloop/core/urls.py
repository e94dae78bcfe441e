from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from opsloop.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/change/",
        views.password_checks_limited(
            auth_views.PasswordChangeView.as_view(
                template_name="core/form_page.html",
                success_url=reverse_lazy("password_change_done"),
            )
        ),
        name="password_change",
    ),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="core/message_page.html"),
        name="password_change_done",
    ),
    path(
        "accounts/password/reset/",
        auth_views.PasswordResetView.as_view(
            template_name="core/form_page.html",
            email_template_name="core/email/password_reset.txt",
            subject_template_name="core/email/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="core/message_page.html"),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(template_name="core/form_page.html"),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(template_name="core/message_page.html"),
        name="password_reset_complete",
    ),
    path("account/", views.account, name="account"),
    path("language/", views.set_language, name="set_language"),
    path("workspaces/new/", views.workspace_new, name="workspace_new"),
    path("invite/<str:token>/", views.invitation, name="invitation"),
    path("w/<slug:slug>/members/", views.members, name="members"),
]
