"""API of accounts, tokens, workspaces, members and invitations."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from opsloop.core import actions
from opsloop.core.models import ApiToken, Invitation, Membership, Role, User
from opsloop.core.queries import (
    access_workspace,
    get_member,
    list_members,
    list_memberships,
    list_pending_invitations,
    list_tokens,
)
from opsloop.core.schemas import (
    ERROR_CODES,
    ErrorOut,
    InvitationIn,
    InvitationOut,
    MemberOut,
    MemberPatch,
    MeOut,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
    WorkspaceIn,
    WorkspaceOut,
    WorkspacePatch,
)

router = Router()

ACCOUNT, WORKSPACES, MEMBERS = ["Account"], ["Workspaces"], ["Members"]
ERRORS = {ERROR_CODES: ErrorOut}


# --- the caller and their tokens


@router.get("/me", response={200: MeOut, **ERRORS}, summary="The calling user", tags=ACCOUNT)
def get_me(request: HttpRequest) -> User:
    return request.auth


@router.get(
    "/me/tokens",
    response={200: list[TokenOut], **ERRORS},
    summary="List my API tokens",
    description="Unrevoked tokens only; the token values themselves are never shown again.",
    tags=ACCOUNT,
)
def get_my_tokens(request: HttpRequest) -> list[ApiToken]:
    return list(list_tokens(request.auth))


@router.post(
    "/me/tokens",
    response={201: TokenCreatedOut, **ERRORS},
    summary="Create an API token",
    description="The answer carries the token once; only its hash is stored.",
    tags=ACCOUNT,
)
def create_my_token(request: HttpRequest, payload: TokenIn) -> Status[dict]:
    created = actions.do_create_token(user=request.auth, name=payload.name)
    return Status(
        201, {**TokenOut.model_validate(created.token).model_dump(), "token": created.raw}
    )


@router.delete(
    "/me/tokens/{token_id}",
    response={204: None, **ERRORS},
    summary="Revoke an API token",
    tags=ACCOUNT,
)
def revoke_my_token(request: HttpRequest, token_id: int) -> Status[None]:
    actions.do_revoke_token(user=request.auth, token_id=token_id)
    return Status(204, None)


# --- workspaces


@router.get(
    "/workspaces",
    response={200: list[WorkspaceOut], **ERRORS},
    summary="List my workspaces",
    tags=WORKSPACES,
)
def get_workspaces(request: HttpRequest) -> list[Membership]:
    return list(list_memberships(request.auth))


@router.post(
    "/workspaces",
    response={201: WorkspaceOut, **ERRORS},
    summary="Create a workspace",
    description="The caller becomes its owner.",
    tags=WORKSPACES,
)
def create_workspace(request: HttpRequest, payload: WorkspaceIn) -> Status[Membership]:
    workspace = actions.do_create_workspace(
        actor=request.auth, slug=payload.slug, name=payload.name
    )
    return Status(201, access_workspace(request.auth, workspace.slug))


@router.get(
    "/workspaces/{slug}",
    response={200: WorkspaceOut, **ERRORS},
    summary="Get a workspace",
    tags=WORKSPACES,
)
def get_workspace(request: HttpRequest, slug: str) -> Membership:
    return access_workspace(request.auth, slug)


@router.patch(
    "/workspaces/{slug}",
    response={200: WorkspaceOut, **ERRORS},
    summary="Change a workspace",
    description="Admins and owners only: its name, its time zone (an IANA name such as "
    "Asia/Shanghai, the zone insights count days in), or both.",
    tags=WORKSPACES,
)
def update_workspace(request: HttpRequest, slug: str, payload: WorkspacePatch) -> Membership:
    membership = access_workspace(request.auth, slug)
    membership.workspace = actions.do_update_workspace(
        actor=membership, name=payload.name, time_zone=payload.time_zone
    )
    return membership


# --- members and invitations


@router.get(
    "/workspaces/{slug}/members",
    response={200: list[MemberOut], **ERRORS},
    summary="List the members of a workspace",
    description="Members and above; guests see people through the projects shared with them.",
    tags=MEMBERS,
)
def get_members(request: HttpRequest, slug: str) -> list[Membership]:
    membership = access_workspace(request.auth, slug, Role.MEMBER)
    return list(list_members(membership.workspace))


@router.patch(
    "/workspaces/{slug}/members/{user_id}",
    response={200: MemberOut, **ERRORS},
    summary="Change a member's role",
    description="Admins and owners; nobody may grant a role above their own.",
    tags=MEMBERS,
)
def change_member_role(
    request: HttpRequest, slug: str, user_id: int, payload: MemberPatch
) -> Membership:
    membership = access_workspace(request.auth, slug)
    member = get_member(membership.workspace, user_id)
    return actions.do_change_role(actor=membership, member=member, role=payload.role)


@router.delete(
    "/workspaces/{slug}/members/{user_id}",
    response={204: None, **ERRORS},
    summary="Remove a member, or leave the workspace",
    description="Admins remove others; anyone may remove themselves. The last owner stays.",
    tags=MEMBERS,
)
def remove_member(request: HttpRequest, slug: str, user_id: int) -> Status[None]:
    membership = access_workspace(request.auth, slug)
    member = get_member(membership.workspace, user_id)
    actions.do_remove_member(actor=membership, member=member)
    return Status(204, None)


@router.get(
    "/workspaces/{slug}/invitations",
    response={200: list[InvitationOut], **ERRORS},
    summary="List pending invitations",
    description="Admins and owners only.",
    tags=MEMBERS,
)
def get_invitations(request: HttpRequest, slug: str) -> list[Invitation]:
    membership = access_workspace(request.auth, slug, Role.ADMIN)
    return list(list_pending_invitations(membership.workspace))


@router.post(
    "/workspaces/{slug}/invitations",
    response={201: InvitationOut, **ERRORS},
    summary="Invite someone by email",
    description="Emails a link that is valid for 7 days. Admins and owners only.",
    tags=MEMBERS,
)
def invite_member(request: HttpRequest, slug: str, payload: InvitationIn) -> Status[Invitation]:
    membership = access_workspace(request.auth, slug)
    sent = actions.do_invite_member(actor=membership, email=payload.email, role=payload.role)
    return Status(201, sent.invitation)


@router.delete(
    "/workspaces/{slug}/invitations/{invitation_id}",
    response={204: None, **ERRORS},
    summary="Revoke an invitation",
    tags=MEMBERS,
)
def revoke_invitation(request: HttpRequest, slug: str, invitation_id: int) -> Status[None]:
    membership = access_workspace(request.auth, slug)
    actions.do_revoke_invitation(actor=membership, invitation_id=invitation_id)
    return Status(204, None)
