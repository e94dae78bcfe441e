"""Every page, with every role: non-members get 404, too-low roles 403, and nothing leaks.

The table below must name every workspace page; a new page without a row fails
test_every_workspace_page_has_a_case."""

from __future__ import annotations

import importlib

import pytest
from django.test import Client
from django.urls import get_resolver

from opsloop.core.models import Role
from opsloop.work import actions
from opsloop.work.schemas import ProjectIn
from tests.conftest import PASSWORD, add_member, membership_of

# (method, url name, path) -> expected status per role; "ok" means 200 for GET and 302 for POST.
ROLES = ("owner", "admin", "member", "guest", "shared_guest", "outsider")
CASES = [
    (
        "GET",
        "workspace",
        "/w/acme/",
        dict(owner="ok", admin="ok", member="ok", guest="ok", shared_guest="ok", outsider=404),
    ),
    (
        "GET",
        "my_work",
        "/w/acme/my/",
        dict(owner="ok", admin="ok", member="ok", guest="ok", shared_guest="ok", outsider=404),
    ),
    (
        "GET",
        "labels",
        "/w/acme/labels/",
        dict(owner="ok", admin="ok", member="ok", guest="ok", shared_guest="ok", outsider=404),
    ),
    (
        "POST",
        "labels",
        "/w/acme/labels/",
        dict(owner="ok", admin="ok", member="ok", guest=403, shared_guest=403, outsider=404),
    ),
    (
        "GET",
        "members",
        "/w/acme/members/",
        dict(owner="ok", admin="ok", member="ok", guest=403, shared_guest=403, outsider=404),
    ),
    (
        "POST",
        "members",
        "/w/acme/members/",
        dict(owner="ok", admin="ok", member=403, guest=403, shared_guest=403, outsider=404),
    ),
    (
        "GET",
        "project_new",
        "/w/acme/projects/new/",
        dict(owner="ok", admin="ok", member="ok", guest=403, shared_guest=403, outsider=404),
    ),
    (
        "GET",
        "project_items",
        "/w/acme/p/D11/",
        dict(owner="ok", admin="ok", member="ok", guest=404, shared_guest="ok", outsider=404),
    ),
    (
        "GET",
        "project_items",
        "/w/acme/p/SEC/",
        dict(owner="ok", admin="ok", member=404, guest=404, shared_guest=404, outsider=404),
    ),
    (
        "GET",
        "project_board",
        "/w/acme/p/D11/board/",
        dict(owner="ok", admin="ok", member="ok", guest=404, shared_guest="ok", outsider=404),
    ),
    (
        "GET",
        "project_settings",
        "/w/acme/p/D11/settings/",
        dict(owner="ok", admin="ok", member="ok", guest=404, shared_guest="ok", outsider=404),
    ),
    (
        "POST",
        "project_settings",
        "/w/acme/p/D11/settings/",
        dict(owner="ok", admin="ok", member=403, guest=404, shared_guest=403, outsider=404),
    ),
    (
        "POST",
        "item_quick_create",
        "/w/acme/p/D11/items/new/",
        dict(owner="ok", admin="ok", member="ok", guest=404, shared_guest=403, outsider=404),
    ),
    (
        "GET",
        "item_detail",
        "/w/acme/i/D11-1/",
        dict(owner="ok", admin="ok", member="ok", guest=404, shared_guest="ok", outsider=404),
    ),
    (
        "GET",
        "item_detail",
        "/w/acme/i/SEC-1/",
        dict(owner="ok", admin="ok", member=404, guest=404, shared_guest=404, outsider=404),
    ),
    (
        "POST",
        "item_detail",
        "/w/acme/i/D11-1/",
        dict(owner="ok", admin="ok", member="ok", guest=404, shared_guest=403, outsider=404),
    ),
    (
        "POST",
        "item_move",
        "/w/acme/i/D11-1/move/",
        dict(owner=200, admin=200, member=200, guest=404, shared_guest=403, outsider=404),
    ),
]
POST_DATA = {
    "labels": {"name": "新标签", "color": "#123456"},
    "members": {"op": "rename", "name": "Acme 运营中心"},
    "project_settings": {"op": "add_state", "name": "已排期", "group": "todo", "color": "#123456"},
    "item_quick_create": {"title": "新任务"},
    "item_detail": {"op": "update", "title": "改过的标题", "state_id": "", "priority": "high"},
}

# Each app past the foundation lists its pages in tests/<app>/permission_cases.py:
# PAGE_CASES (rows as above; paths may hold {names} from page_context), PAGE_POST_DATA
# {url name: data or callable(context) -> data}, and page_context(owner_ms=, project=,
# item=) -> the ids its paths need, made in D11 (shared with shared_guest).
EXTENSIONS = [
    importlib.import_module(f"tests.{app}.permission_cases")
    for app in (
        "inbox",
        "collab",
        "meetings",
        "files",
        "planning",
        "capacity",
        "progress",
        "work",
        "events",
        "insights",
        "goals",
        "portfolio",
        "dashboards",
        "decisions",
        "reports",
        "channels",
        "content",
        "partners",
        "money",
        "blueprints",
    )
]
for _extension in EXTENSIONS:
    CASES.extend(_extension.PAGE_CASES)
    POST_DATA.update(_extension.PAGE_POST_DATA)


@pytest.fixture
def world(workspace, owner, project, item):
    """Users in every role; D11 shared with one guest; SEC private to its owner."""
    people = {
        "owner": owner,
        "admin": add_member(workspace, "admin", Role.ADMIN),
        "member": add_member(workspace, "member", Role.MEMBER),
        "guest": add_member(workspace, "guest", Role.GUEST),
        "shared_guest": add_member(workspace, "shared_guest", Role.GUEST),
    }
    from tests.conftest import make_user

    people["outsider"] = make_user("outsider")
    actions.do_add_project_member(
        actor=membership_of(owner, workspace), project=project, user_id=people["shared_guest"].pk
    )
    secret = actions.do_create_project(
        actor=membership_of(owner, workspace),
        data=ProjectIn(name="保密复盘", key="SEC", visibility="private"),
    )
    from opsloop.work.schemas import ItemIn

    actions.do_create_item(
        actor=membership_of(owner, workspace), project=secret, data=ItemIn(title="机密预算")
    )
    context: dict = {}
    for extension in EXTENSIONS:
        context.update(
            extension.page_context(
                owner_ms=membership_of(owner, workspace), project=project, item=item
            )
        )
    people["context"] = context
    return people


def _client(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _data(name: str, project, context: dict) -> dict:
    data = POST_DATA.get(name, {})
    data = dict(data(context) if callable(data) else data)
    if name == "item_move":
        data = {"state_id": str(project.states.get(group="in_progress").pk)}
    if name == "item_detail":
        data["state_id"] = str(project.states.get(group="in_review").pk)
    return data


@pytest.mark.parametrize("role", ROLES)
def test_pages_answer_each_role_as_its_rights_allow(world, project, role):
    client = _client(world[role])
    for method, name, raw_path, expected in CASES:
        path = raw_path.format(**world["context"])
        want = expected[role]
        if method == "GET":
            response = client.get(path)
            want = 200 if want == "ok" else want
        else:
            response = client.post(path, _data(name, project, world["context"]))
            want = 302 if want == "ok" else want
        assert response.status_code == want, (
            f"{role} {method} {path}: {response.status_code}, wanted {want}"
        )
        if response.status_code == 404:
            body = response.content.decode()
            assert "机密预算" not in body and "双十一大促" not in body, (
                f"{path} leaked data to {role}"
            )


def test_anonymous_visitors_are_sent_to_login(world):
    client = Client()
    for method, _name, raw_path, _expected in CASES:
        path = raw_path.format(**world["context"])
        response = client.get(path) if method == "GET" else client.post(path, {})
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/"), path


def test_private_project_is_not_listed_for_members_outside_it(world):
    body = _client(world["member"]).get("/w/acme/").content.decode()
    assert "双十一大促" in body and "保密复盘" not in body
    guest_body = _client(world["shared_guest"]).get("/w/acme/").content.decode()
    assert "双十一大促" in guest_body and "保密复盘" not in guest_body


def test_every_workspace_page_has_a_case():
    def walk(patterns, prefix=""):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            else:
                yield p.name, prefix + str(p.pattern)

    named = {
        name for name, route in walk(get_resolver().url_patterns) if name and "<slug:slug>" in route
    }
    assert {"workspace", "members", "item_detail"} <= named
    covered = {name for _m, name, _p, _e in CASES}
    assert named - covered == set(), f"pages without a permission case: {named - covered}"
