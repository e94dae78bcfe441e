"""Pages of accounts and workspaces: sign-up, login, account, tokens, members, invitations."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from opsloop.core import actions, queries
from opsloop.core.errors import Invalid, OpsloopError
from opsloop.core.models import Role
from opsloop.core.pages import int_param, page


def ratelimited(request: HttpRequest, exception: Exception) -> HttpResponse:
    response = TemplateResponse(request, "core/ratelimited.html", status=429)
    response["Retry-After"] = "60"
    return response


def _login_rate(group: str, request: HttpRequest) -> str:
    return settings.LOGIN_RATE


def _account(group: str, request: HttpRequest) -> str:
    """Whose password is being tried: the signed-in user changing theirs, else the
    username the form names (case folded, as logins are)."""
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return "name:" + request.POST.get("username", "").strip().casefold()[:150]


def password_checks_limited(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """OPSLOOP_LOGIN_RATE posts per address and per account, counted together over every
    form that checks a password (the login form, the admin's login, changing one's
    password), so guessing cannot move from one form to another, nor spread one account's
    guesses over many addresses. Beyond it: 429 with Retry-After (docs/security.md)."""
    for key in ("ip", _account):
        view = ratelimit(group="password", key=key, rate=_login_rate, method="POST")(view)
    return view


@method_decorator(password_checks_limited, name="post")
class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        actions.do_remember_language(user=form.get_user(), language=self.request.LANGUAGE_CODE)
        return response


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    values = {"username": "", "email": "", "display_name": ""}
    error: Invalid | None = None
    next_url = request.GET.get("next") or request.POST.get("next") or ""
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in values}
        try:
            user = actions.do_signup(
                password=request.POST.get("password", ""),
                language=(request.LANGUAGE_CODE or ""),
                **values,
            )
        except Invalid as exc:
            error = exc
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
                return HttpResponseRedirect(next_url)
            return redirect("home")
    return TemplateResponse(
        request,
        "core/signup.html",
        {"values": values, "error": error, "next": next_url},
        status=400 if error else 200,
    )


@login_required
def home(request: HttpRequest) -> HttpResponse:
    memberships = list(queries.list_memberships(request.user))
    if len(memberships) >= 1 and not request.GET.get("all"):
        return redirect("workspace", slug=memberships[0].workspace.slug)
    return TemplateResponse(request, "core/home.html", {"memberships": memberships})


@login_required
def workspace_new(request: HttpRequest) -> HttpResponse:
    values = {"name": "", "slug": ""}
    error = None
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in values}
        try:
            workspace = actions.do_create_workspace(actor=request.user, **values)
        except Invalid as exc:
            error = exc
        else:
            return redirect("workspace", slug=workspace.slug)
    return TemplateResponse(
        request,
        "core/workspace_new.html",
        {"values": values, "error": error},
        status=400 if error else 200,
    )


@login_required
@page
def members(request: HttpRequest, slug: str) -> HttpResponse:
    membership = queries.access_workspace(request.user, slug, Role.MEMBER)
    error = None
    if request.method == "POST":
        # Rights are the actions' to check: anyone may leave, only admins manage others.
        try:
            left = _handle_member_post(request, membership)
        except OpsloopError as exc:
            error = exc
        else:
            return redirect("home") if left else redirect("members", slug=slug)
    context = {
        "membership": membership,
        "workspace": membership.workspace,
        "members": queries.list_members(membership.workspace),
        "invitations": queries.list_pending_invitations(membership.workspace)
        if membership.at_least(Role.ADMIN)
        else [],
        "roles": Role.choices,
        "time_zones": COMMON_TIME_ZONES,
        "error": error,
        "nav": "members",
    }
    return TemplateResponse(
        request, "core/members.html", context, status=error.status if error else 200
    )


def _handle_member_post(request: HttpRequest, membership) -> bool:
    """Carry out one operation of the members page; True when the user left the workspace."""
    op = request.POST.get("op")
    if op == "invite":
        sent = actions.do_invite_member(
            actor=membership,
            email=request.POST.get("email", ""),
            role=request.POST.get("role", Role.MEMBER),
        )
        messages.success(
            request, _("Invitation sent to %(email)s.") % {"email": sent.invitation.email}
        )
    elif op == "role":
        target = queries.get_member(membership.workspace, int_param(request.POST.get("user_id")))
        actions.do_change_role(actor=membership, member=target, role=request.POST.get("role", ""))
        messages.success(request, _("Role updated."))
    elif op == "remove":
        target = queries.get_member(membership.workspace, int_param(request.POST.get("user_id")))
        actions.do_remove_member(actor=membership, member=target)
        if target.user_id == membership.user_id:
            messages.success(request, _("You left %(name)s.") % {"name": membership.workspace.name})
            return True
        messages.success(request, _("Member removed."))
    elif op == "revoke":
        actions.do_revoke_invitation(
            actor=membership, invitation_id=int_param(request.POST.get("invitation_id"))
        )
        messages.success(request, _("Invitation revoked."))
    elif op == "rename":
        actions.do_update_workspace(actor=membership, name=request.POST.get("name", ""))
        messages.success(request, _("Workspace renamed."))
    elif op == "time_zone":
        actions.do_update_workspace(actor=membership, time_zone=request.POST.get("time_zone", ""))
        messages.success(request, _("Time zone changed."))
    else:
        raise Invalid(_("Unknown operation."))
    return False


# Offered first in the time zone field; any IANA name is taken.
COMMON_TIME_ZONES = (
    "Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Singapore", "Asia/Tokyo",
    "Asia/Seoul", "Asia/Bangkok", "Asia/Kolkata", "Asia/Dubai", "Europe/London",
    "Europe/Berlin", "Europe/Paris", "America/New_York", "America/Chicago",
    "America/Los_Angeles", "Australia/Sydney", "UTC",
)  # fmt: skip


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invite = queries.get_invitation(token)
    except OpsloopError:
        return TemplateResponse(request, "core/invitation_invalid.html", status=404)
    if request.method == "POST" and request.user.is_authenticated:
        membership = actions.do_accept_invitation(user=request.user, raw_token=token)
        messages.success(request, _("Welcome to %(name)s.") % {"name": membership.workspace.name})
        return redirect("workspace", slug=membership.workspace.slug)
    return TemplateResponse(request, "core/invitation.html", {"invite": invite, "token": token})


@login_required
def account(request: HttpRequest) -> HttpResponse:
    error = None
    new_token = None
    if request.method == "POST":
        op = request.POST.get("op")
        try:
            if op == "profile":
                actions.do_update_profile(
                    user=request.user,
                    display_name=request.POST.get("display_name", ""),
                    language=request.POST.get("language", ""),
                )
                response = redirect("account")
                _set_language_cookie(response, request.user.language)
                messages.success(request, _("Profile saved."))
                return response
            if op == "token":
                new_token = actions.do_create_token(
                    user=request.user, name=request.POST.get("name", "")
                ).raw
            elif op == "revoke":
                actions.do_revoke_token(
                    user=request.user, token_id=int_param(request.POST.get("token_id"))
                )
                messages.success(request, _("Token revoked."))
                return redirect("account")
        except OpsloopError as exc:
            error = exc
    context = {
        "tokens": queries.list_tokens(request.user),
        "new_token": new_token,
        "error": error,
        "languages": settings.LANGUAGES,
    }
    return TemplateResponse(
        request, "core/account.html", context, status=error.status if error else 200
    )


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax"
        )
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; remembered on the account when signed in."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        language = ""
    if request.user.is_authenticated:
        actions.do_update_profile(user=request.user, language=language)
    next_url = request.POST.get("next") or reverse("home")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        next_url = reverse("home")
    response = HttpResponseRedirect(next_url)
    _set_language_cookie(response, language)
    return response
