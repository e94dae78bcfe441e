"""Every write to accounts and workspaces, with its checks, audit record and email."""

from __future__ import annotations

import secrets
import zoneinfo
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from opsloop.core.errors import Conflict, Forbidden, Invalid, NotFound
from opsloop.core.inputs import clean_line
from opsloop.core.models import (
    ROLE_RANK,
    ApiToken,
    AuditLog,
    Invitation,
    Membership,
    Role,
    User,
    Workspace,
    slug_validator,
)
from opsloop.core.queries import get_invitation, hash_token
from opsloop.core.rows import lock_current, save_changed

INVITATION_DAYS = 7
TOKEN_PREFIX = "opl_"  # noqa: S105 (a prefix, not a secret)


def record_audit(
    *,
    actor: User | None,
    action: str,
    workspace: Workspace | None = None,
    target: str = "",
    **data: object,
) -> AuditLog:
    return AuditLog.objects.create(
        workspace=workspace, actor=actor, action=action, target=target, data=data
    )


def check_text(
    value: str | None,
    *,
    field: str,
    label: str,
    max_length: int,
    required: bool = True,
    multiline: bool = False,
) -> str:
    """Strip a text input; raise Invalid naming the field when empty or too long. A single
    line (the default: names, titles) also loses bidi and control characters."""
    value = (value or "") if multiline else str(clean_line(value or ""))
    value = value.strip()
    if required and not value:
        raise Invalid(_("%(label)s is required.") % {"label": label}, field=field)
    if len(value) > max_length:
        raise Invalid(
            _("%(label)s is too long (at most %(max)d characters).")
            % {"label": label, "max": max_length},
            field=field,
        )
    return value


def check_description(value: str | None, *, field: str = "description") -> str:
    """A free-text description: optional, at most 5,000 characters."""
    return check_text(
        value,
        field=field,
        label=_("Description"),
        max_length=5000,
        required=False,
        multiline=True,
    )


def check_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise Invalid(
            _("Unknown role %(role)s; use one of: %(roles)s.")
            % {"role": role, "roles": ", ".join(Role.values)},
            field="role",
        ) from None


def check_email(email: str | None) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise Invalid(_("Enter a valid email address."), field="email") from None
    return email


def do_signup(
    *, username: str, email: str, password: str, display_name: str = "", language: str = ""
) -> User:
    username = check_text(username, field="username", label=_("Username"), max_length=150)
    try:
        User.username_validator(username)
    except ValidationError:
        raise Invalid(
            _("Use letters, digits and @/./+/-/_ only in a username."), field="username"
        ) from None
    email = check_email(email)
    if User.objects.filter(username__iexact=username).exists():
        raise Invalid(_("That username is taken."), field="username")
    if User.objects.filter(email__iexact=email).exists():
        raise Invalid(_("An account with that email already exists."), field="email")
    candidate = User(username=username, email=email, display_name=display_name.strip()[:80])
    try:
        validate_password(password, candidate)
    except ValidationError as exc:
        raise Invalid(" ".join(exc.messages), field="password") from None
    candidate.set_password(password)
    candidate.language = language if language in dict(settings.LANGUAGES) else ""
    candidate.save()
    record_audit(actor=candidate, action="user.signup", target=username)
    return candidate


def do_remember_language(*, user: User, language: str) -> None:
    """Keep the language someone signed in with, for what is sent to them while away
    (User.message_language) when they have chosen none."""
    if user.language or language not in dict(settings.LANGUAGES) or language == user.last_language:
        return
    User.objects.filter(pk=user.pk).update(last_language=language)
    user.last_language = language


def do_update_profile(
    *, user: User, display_name: str | None = None, language: str | None = None
) -> User:
    if display_name is not None:
        display_name = check_text(
            display_name,
            field="display_name",
            label=_("Display name"),
            max_length=80,
            required=False,
        )
    if language is not None and language and language not in dict(settings.LANGUAGES):
        raise Invalid(_("Unknown language."), field="language")
    with transaction.atomic():
        # The field not given keeps its value as it is now, not as the request read it.
        before = lock_current(user)
        if display_name is not None:
            user.display_name = display_name
        if language is not None:
            user.language = language
        save_changed(user, before)
    return user


def do_create_workspace(*, actor: User, slug: str, name: str) -> Workspace:
    slug = check_text(slug, field="slug", label=_("Slug"), max_length=50).lower()
    name = check_text(name, field="name", label=_("Name"), max_length=100)
    try:
        slug_validator(slug)
    except ValidationError as exc:
        raise Invalid(" ".join(exc.messages), field="slug") from None
    try:
        with transaction.atomic():
            workspace = Workspace.objects.create(slug=slug, name=name, created_by=actor)
            Membership.objects.create(workspace=workspace, user=actor, role=Role.OWNER)
    except IntegrityError:
        raise Invalid(_("A workspace with that slug already exists."), field="slug") from None
    record_audit(actor=actor, action="workspace.create", workspace=workspace, target=slug)
    return workspace


def do_update_workspace(
    *, actor: Membership, name: str | None = None, time_zone: str | None = None
) -> Workspace:
    if not actor.at_least(Role.ADMIN):
        raise Forbidden(_("Only admins can change the workspace."))
    workspace = actor.workspace
    values = {}
    if name is not None:
        values["name"] = check_text(name, field="name", label=_("Name"), max_length=100)
    if time_zone is not None:
        values["time_zone"] = check_time_zone(time_zone)
    if values:
        with transaction.atomic():
            # What is returned is the workspace as it is now.
            before = lock_current(workspace)
            for field, value in values.items():
                setattr(workspace, field, value)
            save_changed(workspace, before)
            if "time_zone" in values:
                record_audit(
                    actor=actor.user,
                    action="workspace.time_zone",
                    workspace=workspace,
                    target=workspace.time_zone,
                )
    return workspace


def check_time_zone(name: str) -> str:
    name = (name or "").strip()
    if name not in zoneinfo.available_timezones():
        raise Invalid(
            _("Unknown time zone %(name)s: use a name such as Asia/Shanghai.") % {"name": name},
            field="time_zone",
        )
    return name


def _check_may_grant(actor: Membership, role: Role) -> None:
    if not actor.at_least(Role.ADMIN):
        raise Forbidden(_("Only admins can manage members."))
    if ROLE_RANK[role] > ROLE_RANK[Role(actor.role)]:
        raise Forbidden(_("You cannot give a role higher than your own."))


@dataclass(frozen=True)
class SentInvitation:
    invitation: Invitation
    url: str


def do_invite_member(*, actor: Membership, email: str, role: str = Role.MEMBER) -> SentInvitation:
    """Create an invitation and email its link; the raw token is only in the link."""
    role = check_role(role)
    _check_may_grant(actor, role)
    email = check_email(email)
    workspace = actor.workspace
    if Membership.objects.filter(workspace=workspace, user__email__iexact=email).exists():
        raise Invalid(_("%(email)s is already a member.") % {"email": email}, field="email")
    raw = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        workspace=workspace,
        email=email,
        role=role,
        token_hash=hash_token(raw),
        invited_by=actor.user,
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
    )
    url = settings.SITE_URL + reverse("invitation", args=[raw])
    context = {
        "workspace": workspace,
        "inviter": actor.user,
        "url": url,
        "days": INVITATION_DAYS,
        "role": role,
    }
    with translation.override(actor.user.language or translation.get_language()):
        subject = _("%(name)s invited you to %(workspace)s on opsloop") % {
            "name": actor.user.label,
            "workspace": workspace.name,
        }
        body = render_to_string("core/email/invitation.txt", context)
    send_mail(subject, body, None, [email])
    record_audit(
        actor=actor.user, action="member.invite", workspace=workspace, target=email, role=role
    )
    return SentInvitation(invitation=invitation, url=url)


def do_revoke_invitation(*, actor: Membership, invitation_id: int) -> None:
    if not actor.at_least(Role.ADMIN):
        raise Forbidden(_("Only admins can manage members."))
    updated = Invitation.objects.filter(
        pk=invitation_id,
        workspace=actor.workspace,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    ).update(revoked_at=timezone.now())
    if not updated:
        raise NotFound(_("No such invitation."))
    record_audit(
        actor=actor.user,
        action="member.invite_revoke",
        workspace=actor.workspace,
        target=str(invitation_id),
    )


def do_accept_invitation(*, user: User, raw_token: str) -> Membership:
    with transaction.atomic():
        invitation = get_invitation(raw_token)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at:
            raise NotFound(_("This invitation is not valid any more."))
        membership, created = Membership.objects.get_or_create(
            workspace=invitation.workspace, user=user, defaults={"role": invitation.role}
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    record_audit(
        actor=user,
        action="member.join",
        workspace=invitation.workspace,
        target=user.username,
        role=membership.role,
    )
    return membership


def _owner_count(workspace: Workspace) -> int:
    return Membership.objects.filter(workspace=workspace, role=Role.OWNER).count()


def do_change_role(*, actor: Membership, member: Membership, role: str) -> Membership:
    role = check_role(role)
    _check_may_grant(actor, role)
    with transaction.atomic():
        # Role changes in a workspace queue here, so that two owners demoting each other
        # at once cannot both count the other as the owner who stays.
        Workspace.objects.select_for_update().filter(pk=member.workspace_id).first()
        # Checked against and recorded from the role the member has now.
        before = lock_current(member)
        if ROLE_RANK[Role(member.role)] > ROLE_RANK[Role(actor.role)]:
            raise Forbidden(_("You cannot change the role of someone above you."))
        if member.role == Role.OWNER and role != Role.OWNER and _owner_count(member.workspace) == 1:
            raise Conflict(_("A workspace needs at least one owner."))
        old = member.role
        member.role = role
        save_changed(member, before)
        record_audit(
            actor=actor.user,
            action="member.role",
            workspace=member.workspace,
            target=member.user.username,
            old=old,
            new=role,
        )
    return member


def do_remove_member(*, actor: Membership, member: Membership) -> None:
    leaving_self = actor.pk == member.pk
    if not leaving_self and not actor.at_least(Role.ADMIN):
        raise Forbidden(_("Only admins can manage members."))
    workspace, username = member.workspace, member.user.username
    with transaction.atomic():
        # Removals queue here with role changes, so that two owners leaving (or removing
        # each other) at once cannot both count the other as the owner who stays.
        Workspace.objects.select_for_update().filter(pk=member.workspace_id).first()
        # Checked against the role the member has now, not the one the request read.
        try:
            lock_current(member)
        except Membership.DoesNotExist:
            raise NotFound(_("No such member.")) from None
        if not leaving_self and ROLE_RANK[Role(member.role)] > ROLE_RANK[Role(actor.role)]:
            raise Forbidden(_("You cannot remove someone above you."))
        if member.role == Role.OWNER and _owner_count(member.workspace) == 1:
            raise Conflict(_("A workspace needs at least one owner."))
        # Leaving the workspace also leaves its projects.
        member.user.project_memberships.filter(project__workspace=workspace).delete()
        member.delete()
    record_audit(actor=actor.user, action="member.remove", workspace=workspace, target=username)


@dataclass(frozen=True)
class CreatedToken:
    token: ApiToken
    raw: str


def do_create_token(*, user: User, name: str) -> CreatedToken:
    """Create an API token; the raw value is returned once and never stored."""
    name = check_text(name, field="name", label=_("Name"), max_length=80)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=raw[:10], token_hash=hash_token(raw)
    )
    record_audit(actor=user, action="token.create", target=token.prefix, name=name)
    return CreatedToken(token=token, raw=raw)


def do_revoke_token(*, user: User, token_id: int) -> None:
    updated = ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not updated:
        raise NotFound(_("No such token."))
    record_audit(actor=user, action="token.revoke", target=str(token_id))
