"""Template context shared by every page: the current workspace and the user's workspaces."""

from __future__ import annotations


def workspace_nav(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from opsloop.core.queries import list_memberships

    return {"my_memberships": list_memberships(user)}
