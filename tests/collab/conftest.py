"""Fixtures of the collaboration tests: memberships, and a colleague with a Chinese name."""

from __future__ import annotations

import pytest

from opsloop.core.models import Role
from tests.conftest import make_user, membership_of


@pytest.fixture
def owner_ms(owner, workspace):
    return membership_of(owner, workspace)


@pytest.fixture
def member_ms(member, workspace):
    return membership_of(member, workspace)


@pytest.fixture
def zhang(workspace):
    from opsloop.core.models import Membership

    user = make_user("zhangmin", display_name="张敏")
    Membership.objects.create(workspace=workspace, user=user, role=Role.MEMBER)
    return user


@pytest.fixture
def stranger(db):
    """Not a member of the workspace; their display name must never show."""
    return make_user("stranger", display_name="局外人")
