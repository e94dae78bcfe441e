"""Every API route, called by every role: who gets in, who gets 403, who gets 404, and no leaks.

ROUTES must name every operation the API serves (test_every_route_has_a_permission_case
fails otherwise), so a new endpoint cannot ship without saying who may call it."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import transaction

from opsloop.api import api
from opsloop.collab import actions as collab_actions
from opsloop.core import actions as core_actions
from opsloop.core.models import Role
from opsloop.work import actions as work_actions
from opsloop.work.models import State
from opsloop.work.schemas import ItemIn, LabelIn, ProjectIn, StateIn
from tests.conftest import ApiClient, add_member, kept_for_module, make_user, membership_of

ROLES = ("owner", "admin", "member", "guest", "outsider")
PREFIX = "/api/v1"


@dataclass(frozen=True)
class Case:
    """The statuses that owner, admin, member, guest and a non-member get on a shared project."""

    expect: str
    body: Callable[[dict], dict] | None = None

    def status(self, role: str) -> int:
        return int(dict(zip(ROLES, self.expect.split(), strict=True))[role])


ALL_READ = "200 200 200 200 404"
ALL_EDIT = "200 200 200 403 404"
ADMIN = "200 200 403 403 404"
ADMIN_DELETE = "204 204 403 403 404"

ROUTES: dict[tuple[str, str], Case] = {
    # The caller's own account: every signed-in user, member or not.
    ("GET", "/me"): Case("200 200 200 200 200"),
    ("GET", "/me/tokens"): Case("200 200 200 200 200"),
    ("POST", "/me/tokens"): Case("201 201 201 201 201", lambda c: {"name": "script"}),
    # The token belongs to the owner: anybody else's id is unknown to them.
    ("DELETE", "/me/tokens/{token_id}"): Case("204 404 404 404 404"),
    ("GET", "/workspaces"): Case("200 200 200 200 200"),
    ("POST", "/workspaces"): Case(
        "201 201 201 201 201", lambda c: {"slug": "new-space", "name": "新空间"}
    ),
    ("GET", "/workspaces/{slug}"): Case(ALL_READ),
    ("PATCH", "/workspaces/{slug}"): Case(ADMIN, lambda c: {"name": "改名"}),
    ("GET", "/workspaces/{slug}/members"): Case("200 200 200 403 404"),
    ("PATCH", "/workspaces/{slug}/members/{user_id}"): Case(ADMIN, lambda c: {"role": "guest"}),
    ("DELETE", "/workspaces/{slug}/members/{user_id}"): Case(ADMIN_DELETE),
    ("GET", "/workspaces/{slug}/invitations"): Case(ADMIN),
    ("POST", "/workspaces/{slug}/invitations"): Case(
        "201 201 403 403 404", lambda c: {"email": "new@example.com", "role": "member"}
    ),
    ("DELETE", "/workspaces/{slug}/invitations/{invitation_id}"): Case(ADMIN_DELETE),
    ("GET", "/workspaces/{slug}/projects"): Case(ALL_READ),
    ("POST", "/workspaces/{slug}/projects"): Case(
        "201 201 201 403 404", lambda c: {"name": "新项目", "key": "NEW"}
    ),
    ("GET", "/workspaces/{slug}/projects/{key}"): Case(ALL_READ),
    # The project's owner is the workspace owner; a plain member may not manage it.
    ("PATCH", "/workspaces/{slug}/projects/{key}"): Case(ADMIN, lambda c: {"name": "改名"}),
    ("DELETE", "/workspaces/{slug}/projects/{key}"): Case(ADMIN_DELETE),
    ("GET", "/workspaces/{slug}/projects/{key}/members"): Case(ALL_READ),
    ("POST", "/workspaces/{slug}/projects/{key}/members"): Case(
        "201 201 403 403 404", lambda c: {"user_id": c["member_id"]}
    ),
    ("DELETE", "/workspaces/{slug}/projects/{key}/members/{user_id}"): Case(ADMIN_DELETE),
    ("GET", "/workspaces/{slug}/projects/{key}/states"): Case(ALL_READ),
    ("POST", "/workspaces/{slug}/projects/{key}/states"): Case(
        "201 201 403 403 404", lambda c: {"name": "新状态", "group": "todo"}
    ),
    ("PUT", "/workspaces/{slug}/projects/{key}/states/order"): Case(
        ADMIN, lambda c: {"state_ids": c["state_ids"]}
    ),
    ("PATCH", "/workspaces/{slug}/projects/{key}/states/{state_id}"): Case(
        ADMIN, lambda c: {"name": "改名"}
    ),
    ("DELETE", "/workspaces/{slug}/projects/{key}/states/{state_id}"): Case(ADMIN_DELETE),
    ("GET", "/workspaces/{slug}/labels"): Case(ALL_READ),
    ("POST", "/workspaces/{slug}/labels"): Case("201 201 201 403 404", lambda c: {"name": "新"}),
    ("PATCH", "/workspaces/{slug}/labels/{label_id}"): Case(ADMIN, lambda c: {"name": "改"}),
    ("DELETE", "/workspaces/{slug}/labels/{label_id}"): Case(ADMIN_DELETE),
    ("GET", "/workspaces/{slug}/projects/{key}/items"): Case(ALL_READ),
    ("POST", "/workspaces/{slug}/projects/{key}/items"): Case(
        "201 201 201 403 404", lambda c: {"title": "新任务"}
    ),
    ("GET", "/workspaces/{slug}/items"): Case(ALL_READ),
    ("GET", "/workspaces/{slug}/items/{ref}"): Case(ALL_READ),
    ("PATCH", "/workspaces/{slug}/items/{ref}"): Case(ALL_EDIT, lambda c: {"title": "改"}),
    ("DELETE", "/workspaces/{slug}/items/{ref}"): Case("204 204 204 403 404"),
    ("POST", "/workspaces/{slug}/items/{ref}/move"): Case(
        ALL_EDIT, lambda c: {"state_id": c["move_state_id"]}
    ),
    ("GET", "/workspaces/{slug}/items/{ref}/activity"): Case(ALL_READ),
    # Comments, reactions, timelines and discussions: tests/collab/permission_cases.py.
}


# Each app past the foundation lists its routes in tests/<app>/permission_cases.py:
# API_ROUTES {(method, path): (expect, body or None)} and project_context(owner_ms=,
# project=, item=, tag=) -> the path parameters and ids its routes need in that project.
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
    for _route, (_expect, _body) in _extension.API_ROUTES.items():
        assert _route not in ROUTES, f"{_route} is listed twice"
        ROUTES[_route] = Case(_expect, _body)


def api_routes() -> set[tuple[str, str]]:
    """(method, path) of every operation mounted on the API."""
    routes = set()
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    routes.add((method, f"/{prefix.strip('/')}{path}".replace("//", "/")))
    return routes


def test_every_route_has_a_permission_case():
    routes = api_routes()
    assert routes - set(ROUTES) == set(), "routes without a permission case"
    assert set(ROUTES) - routes == set(), "permission cases for routes that do not exist"


def test_every_route_is_in_the_openapi_document():
    paths = api.get_openapi_schema(path_prefix="")["paths"]
    documented = {(m.upper(), p) for p, ops in paths.items() for m in ops}
    assert documented == set(ROUTES)
    for path, ops in paths.items():
        for method, operation in ops.items():
            assert operation.get("summary"), f"{method} {path} has no summary"
            assert operation.get("tags"), f"{method} {path} has no tags"


# --- the world every case runs in

SECRET = "机密SECRET"  # in every name of the private project and its content
INTERNAL = "内部INTERNAL"  # in every name of the project not shared with the guest
SHARED = "共享SHARED"  # in every name of the project shared with the guest
WORKSPACE = "工作区ACME"


@dataclass
class World:
    users: dict[str, object]  # owner, admin, member, guest, outsider
    clients: dict[str, ApiClient]
    context: dict[str, dict]  # path parameters and body inputs per target project


def _project(owner_ms, workspace, key: str, tag: str, *, private: bool, members: list) -> dict:
    project = work_actions.do_create_project(
        actor=owner_ms,
        data=ProjectIn(
            name=f"{tag} 项目",
            key=key,
            goal=f"{tag} 目标",
            visibility="private" if private else "workspace",
        ),
    )
    for user in members:
        work_actions.do_add_project_member(actor=owner_ms, project=project, user_id=user.pk)
    item = work_actions.do_create_item(
        actor=owner_ms,
        project=project,
        data=ItemIn(title=f"{tag} 任务", description=f"{tag} 描述"),
    )
    comment = collab_actions.do_add_comment(actor=owner_ms, item=item, body=f"{tag} 评论")
    extra = work_actions.do_create_state(
        actor=owner_ms, project=project, data=StateIn(name=f"{tag} 状态", group="todo")
    )
    states = list(State.objects.filter(project=project).order_by("sequence"))
    extra_context: dict = {}
    for extension in EXTENSIONS:
        extra_context.update(
            extension.project_context(owner_ms=owner_ms, project=project, item=item, tag=tag)
        )
    return {
        **extra_context,
        "key": project.key,
        "ref": item.ref,
        "comment_id": comment.pk,
        "state_id": extra.pk,
        "state_ids": [s.pk for s in reversed(states)],
        "move_state_id": next(s.pk for s in states if s.group == "in_progress"),
    }


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker):
    """The world, built once for the module (it takes about a second: every app's objects
    in three projects); each test still starts from it untouched (kept_for_module)."""
    yield from kept_for_module(django_db_blocker, build_world)


@pytest.fixture
def world(shared_world, db) -> World:
    return shared_world


@pytest.fixture
def owner(world):
    return world.users["owner"]


def build_world() -> World:
    """A workspace with a project shared with the guest, a private one and an unshared one."""
    owner = make_user("owner", display_name="王总")
    workspace = core_actions.do_create_workspace(actor=owner, slug="acme", name=WORKSPACE)
    admin_user = add_member(workspace, "admin", Role.ADMIN)
    member = add_member(workspace, "member", Role.MEMBER)
    guest = add_member(workspace, "guest", Role.GUEST)
    outsider = make_user("outsider")
    owner_ms = membership_of(owner, workspace)
    target = add_member(workspace, "target", Role.MEMBER)
    label = work_actions.do_create_label(actor=owner_ms, data=LabelIn(name="标签"))
    invitation = core_actions.do_invite_member(actor=owner_ms, email="x@example.com").invitation
    spare_token = core_actions.do_create_token(user=owner, name="spare").token
    common = {
        "slug": workspace.slug,
        "user_id": target.pk,
        "member_id": member.pk,
        "label_id": label.pk,
        "invitation_id": invitation.pk,
        "token_id": spare_token.pk,
    }
    context = {
        "shared": {
            **common,
            **_project(owner_ms, workspace, "SHR", SHARED, private=False, members=[guest, target]),
        },
        "private": {
            **common,
            **_project(owner_ms, workspace, "SEC", SECRET, private=True, members=[target]),
        },
        "unshared": {
            **common,
            **_project(owner_ms, workspace, "INT", INTERNAL, private=False, members=[target]),
        },
    }
    users = {"owner": owner, "admin": admin_user, "member": member, "guest": guest}
    clients = {role: ApiClient(user) for role, user in users.items()}
    clients["outsider"] = ApiClient(outsider)
    clients["anonymous"] = ApiClient()
    return World(users={**users, "outsider": outsider}, clients=clients, context=context)


# What each role must never see, in any answer.
HIDDEN = {
    "owner": [],
    "admin": [],
    "member": [SECRET],
    "guest": [SECRET, INTERNAL],
    "outsider": [SECRET, INTERNAL, SHARED, WORKSPACE],
    "anonymous": [SECRET, INTERNAL, SHARED, WORKSPACE],
}


def expected(case: Case, role: str, target: str) -> int:
    """The status for a role on a target: the shared project's, unless the role cannot see it."""
    if role == "anonymous":
        return 401
    shared = case.status(role)
    if target == "private" and role in ("member", "guest", "outsider"):
        return 404
    if target == "unshared" and role in ("guest", "outsider"):
        return 404
    return shared


def call(client: ApiClient, method: str, url: str, body: dict | None):
    if method == "GET":
        return client.get(url)
    if method == "DELETE":
        return client.delete(url)
    sender = {"POST": client.post, "PATCH": client.patch, "PUT": client.put}[method]
    return sender(url, body or {})


def cases() -> list:
    params = []
    for (method, path), case in ROUTES.items():
        targets = (
            ("shared", "private", "unshared") if "{key}" in path or "{ref}" in path else ("shared",)
        )
        for target in targets:
            params.append(
                pytest.param(method, path, case, target, id=f"{method} {path} [{target}]")
            )
    return params


@pytest.mark.parametrize(("method", "path", "case", "target"), cases())
def test_route_permissions(world, method, path, case, target):
    context = world.context[target]
    url = PREFIX + path.format(**context)
    body = case.body(context) if case.body else None
    failures = []
    for role in (*ROLES, "anonymous"):
        # Each role starts from the same world: a write by one must not change the next one's case.
        with transaction.atomic():
            response = call(world.clients[role], method, url, body)
            transaction.set_rollback(True)
        want = expected(case, role, target)
        # Decoded: the API escapes non-ASCII text, and a leak must not hide behind the escapes.
        if not response.content:
            text = ""
        elif response.get("Content-Type", "").startswith("application/json"):
            text = json.dumps(response.json(), ensure_ascii=False)
        else:
            # A file (a report's PDF or workbook): its bytes, as far as they read as text.
            text = response.content.decode("utf-8", "replace")
        if response.status_code != want:
            failures.append(f"{role}: expected {want}, got {response.status_code} {text[:200]}")
            continue
        leaked = [secret for secret in HIDDEN[role] if secret in text]
        if leaked:
            failures.append(f"{role}: answer shows {leaked}: {text[:200]}")
        if want >= 400:
            payload = response.json()
            code = {401: "unauthenticated", 403: "forbidden", 404: "not_found", 409: "conflict"}[
                want
            ]
            if payload.get("code") != code or not payload.get("message"):
                failures.append(f"{role}: error body {payload}")
            if want == 404 and set(payload) != {"code", "message"}:
                failures.append(f"{role}: a 404 says more than that: {payload}")
    assert not failures, "\n".join(failures)


def test_guest_lists_show_only_shared_projects(world):
    guest = world.clients["guest"]
    projects = guest.get(f"{PREFIX}/workspaces/acme/projects").json()
    assert [p["key"] for p in projects] == ["SHR"]
    items = guest.get(f"{PREFIX}/workspaces/acme/items").json()["results"]
    # Apps' permission cases may add items to the projects; only the shared one's show.
    assert items and {i["project_key"] for i in items} == {"SHR"}


def test_member_lists_skip_private_projects(world):
    member = world.clients["member"]
    projects = member.get(f"{PREFIX}/workspaces/acme/projects").json()
    assert sorted(p["key"] for p in projects) == ["INT", "SHR"]
    items = member.get(f"{PREFIX}/workspaces/acme/items").json()["results"]
    assert {i["project_key"] for i in items} == {"INT", "SHR"}
    admin = world.clients["admin"]
    assert len(admin.get(f"{PREFIX}/workspaces/acme/projects").json()) == 3


def test_missing_and_hidden_look_the_same(world):
    outsider = world.clients["outsider"]
    hidden = outsider.get(f"{PREFIX}/workspaces/acme/items/SEC-1")
    missing = outsider.get(f"{PREFIX}/workspaces/no-such/items/SEC-1")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    member = world.clients["member"]
    hidden = member.get(f"{PREFIX}/workspaces/acme/items/SEC-1")
    missing = member.get(f"{PREFIX}/workspaces/acme/items/SHR-999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
