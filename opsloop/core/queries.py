"""Reads of accounts and workspaces, with the access checks every page and endpoint uses."""

from __future__ import annotations

import hashlib

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from opsloop.core.errors import Forbidden, NotFound
from opsloop.core.models import ApiToken, Invitation, Membership, Role, User, Workspace


def hash_token(raw: str) -> str:
    # Tokens are 256-bit random strings, so a fast hash is enough (no dictionary to guess from).
    return hashlib.sha256(raw.encode()).hexdigest()


def access_workspace(user: User, slug: str, min_role: str = Role.GUEST) -> Membership:
    """The user's membership of the workspace; 404 if not a member, 403 if the role is too low."""
    if not user or not user.is_authenticated:
        raise NotFound(_("Workspace not found."))
    membership = (
        Membership.objects.select_related("workspace", "user")
        .filter(workspace__slug=slug, user=user)
        .first()
    )
    if membership is None:
        raise NotFound(_("Workspace not found."))
    if not membership.at_least(min_role):
        raise Forbidden(_("Your role in this workspace does not allow this."))
    return membership


def list_workspaces(user: User) -> QuerySet[Workspace]:
    return Workspace.objects.filter(memberships__user=user).order_by("name")


def list_memberships(user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user).select_related("workspace").order_by("workspace__name")
    )


def list_members(workspace: Workspace) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(workspace=workspace)
        .select_related("user")
        .order_by("user__display_name", "user__username")
    )


def get_member(workspace: Workspace, user_id: int) -> Membership:
    membership = (
        Membership.objects.select_related("user")
        .filter(workspace=workspace, user_id=user_id)
        .first()
    )
    if membership is None:
        raise NotFound(_("No such member."))
    return membership


def list_pending_invitations(workspace: Workspace) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        workspace=workspace,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).select_related("invited_by")


def is_member(user: User, workspace_id: int) -> bool:
    """Whether the user belongs to the workspace, in any role."""
    return Membership.objects.filter(workspace_id=workspace_id, user=user).exists()


def get_invitation(raw_token: str) -> Invitation:
    """A pending invitation by the token in its link; 404 when unknown, used, revoked or expired."""
    invitation = (
        Invitation.objects.select_related("workspace", "invited_by")
        .filter(token_hash=hash_token(raw_token))
        .first()
    )
    if (
        invitation is None
        or invitation.accepted_at
        or invitation.revoked_at
        or invitation.expires_at <= timezone.now()
    ):
        raise NotFound(_("This invitation is not valid any more."))
    return invitation


def list_tokens(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True)


def user_for_token(raw: str) -> User | None:
    """The active user owning an unrevoked token, or None."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Record use at most once a minute, so reads do not turn into writes.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
