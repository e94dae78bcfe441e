"""Input and output shapes of accounts, workspaces, members, invitations and API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from opsloop.core.inputs import clean_line

RoleName = Literal["owner", "admin", "member", "guest"]
# Last in a single-line text type: no bidi or control characters (core/inputs.py
# clean_line), e.g. Annotated[str, StringConstraints(strip_whitespace=True,
# max_length=80), SINGLE_LINE]. Placed last it wraps the constraints and runs before
# them; placed first, pydantic would check the length before stripping.
SINGLE_LINE = BeforeValidator(clean_line)

# The statuses an endpoint may answer with an ErrorOut body, as the OpenAPI document lists them.
ERROR_CODES = frozenset({400, 401, 403, 404, 409})


class ErrorOut(Schema):
    """The body of every 4xx answer."""

    code: str = Field(description="invalid, bad_json, unauthenticated, forbidden, not_found, …")
    message: str = Field(description="What is wrong, in the user's language.")
    field: str | None = Field(None, description="The input at fault, when there is one.")


class Out(BaseModel):
    """An output read straight from a model's attributes, validated in pydantic's core.

    ninja's Schema reads each attribute through a Python wrapper (DjangoGetter), which
    for a page of 50 items with their people and labels cost more than the queries did
    (docs/decisions/0011-lists-serialized-from-attributes.md). Outputs that lists repeat
    derive from this instead; what they need that is not an attribute is a model property."""

    model_config = ConfigDict(from_attributes=True, populate_by_name=True)


class UserOut(Out):
    id: int
    username: str
    display_name: str
    label: str


class MeOut(UserOut):
    email: str
    language: str


class TokenIn(Schema):
    name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80), SINGLE_LINE
    ]


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="The first characters of the token, to tell tokens apart.")
    created_at: datetime
    last_used_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(description="The token itself. It is shown only this once.")


class WorkspaceIn(Schema):
    slug: str = Field(description="3-50 lowercase letters, digits and hyphens; used in URLs.")
    name: str


class WorkspacePatch(Schema):
    name: str | None = None
    time_zone: str | None = Field(
        None, description="An IANA zone such as Asia/Shanghai: the zone insights count days in."
    )


class WorkspaceOut(Schema):
    """A workspace seen through the caller's membership of it."""

    id: int
    slug: str
    name: str
    time_zone: str
    created_at: datetime
    role: str = Field(description="The caller's role in the workspace.")

    # Resolvers rather than dotted aliases, which ninja resolves slowly on every row.
    @staticmethod
    def resolve_id(membership) -> int:
        return membership.workspace.id

    @staticmethod
    def resolve_slug(membership) -> str:
        return membership.workspace.slug

    @staticmethod
    def resolve_name(membership) -> str:
        return membership.workspace.name

    @staticmethod
    def resolve_time_zone(membership) -> str:
        return membership.workspace.time_zone

    @staticmethod
    def resolve_created_at(membership) -> datetime:
        return membership.workspace.created_at


class MemberOut(Schema):
    user: UserOut
    email: str
    role: str
    joined_at: datetime

    @staticmethod
    def resolve_email(membership) -> str:
        return membership.user.email


class MemberPatch(Schema):
    role: RoleName


class InvitationIn(Schema):
    email: str
    role: RoleName = "member"


class InvitationOut(Schema):
    id: int
    email: str
    role: str
    invited_by: UserOut | None
    created_at: datetime
    expires_at: datetime
