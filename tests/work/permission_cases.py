"""Who may call the work app's custom field, bulk edit and saved view routes and pages (see
tests/test_api_permissions.py and tests/test_page_permissions.py, which read this module)."""

from __future__ import annotations

from opsloop.work import actions
from opsloop.work.models import CustomField
from opsloop.work.schemas import CustomFieldIn, SavedViewIn

ALL_READ = "200 200 200 200 404"
# The project's owner is the workspace owner: admins manage it too, members do not.
MANAGERS = "200 200 403 403 404"
MANAGERS_CREATE = "201 201 403 403 404"
MANAGERS_DELETE = "204 204 403 403 404"

WS_FIELDS = "/workspaces/{slug}/custom-fields"
FIELDS = "/workspaces/{slug}/projects/{key}/custom-fields"
VIEWS = "/workspaces/{slug}/projects/{key}/views"


def _body(**fields):
    return lambda c: fields


# (method, path) -> (statuses of owner admin member guest outsider on a shared project, body)
API_ROUTES: dict = {
    ("GET", WS_FIELDS): (ALL_READ, None),
    ("POST", WS_FIELDS): (MANAGERS_CREATE, _body(name="新字段", type="text")),
    ("PUT", WS_FIELDS + "/order"): (
        MANAGERS,
        lambda c: {"field_ids": c.get("workspace_field_ids", [1])},
    ),
    ("PATCH", WS_FIELDS + "/{workspace_field_id}"): (MANAGERS, _body(name="改")),
    ("DELETE", WS_FIELDS + "/{workspace_field_id}"): (MANAGERS_DELETE, None),
    ("GET", FIELDS): (ALL_READ, None),
    ("POST", FIELDS): (
        MANAGERS_CREATE,
        _body(name="新渠道", type="select", options=[{"label": "抖音"}]),
    ),
    ("PUT", FIELDS + "/order"): (MANAGERS, lambda c: {"field_ids": c.get("field_ids", [1])}),
    ("PATCH", FIELDS + "/{field_id}"): (MANAGERS, _body(name="改")),
    ("DELETE", FIELDS + "/{field_id}"): (MANAGERS_DELETE, None),
    ("POST", "/workspaces/{slug}/projects/{key}/items/bulk"): (
        "200 200 200 403 404",
        lambda c: {"refs": [c.get("ref", "X-1")], "changes": {"priority": "high"}},
    ),
    ("GET", VIEWS): (ALL_READ, None),
    # A private view is anyone's who sees the project, guests too.
    ("POST", VIEWS): ("201 201 201 201 404", _body(name="我的视图", query="priority=high")),
    ("GET", VIEWS + "/{view_id}"): (ALL_READ, None),
    # The world's view is the owner's, shared: its owner, the project owner or an admin.
    ("PATCH", VIEWS + "/{view_id}"): (MANAGERS, _body(name="改")),
    ("DELETE", VIEWS + "/{view_id}"): (MANAGERS_DELETE, None),
}

OK_FOR_VIEWERS = dict(
    owner="ok", admin="ok", member="ok", guest=404, shared_guest="ok", outsider=404
)
PAGE_CASES: list = [
    (
        "GET",
        "workspace_fields",
        "/w/acme/fields/",
        dict(owner="ok", admin="ok", member="ok", guest="ok", shared_guest="ok", outsider=404),
    ),
    (
        "POST",
        "workspace_fields",
        "/w/acme/fields/",
        dict(owner="ok", admin="ok", member=403, guest=403, shared_guest=403, outsider=404),
    ),
    (
        "POST",
        "item_bulk",
        "/w/acme/p/D11/items/bulk/",
        dict(owner="ok", admin="ok", member="ok", guest=404, shared_guest=403, outsider=404),
    ),
    ("GET", "project_views", "/w/acme/p/D11/views/", OK_FOR_VIEWERS),
    ("POST", "project_views", "/w/acme/p/D11/views/", OK_FOR_VIEWERS),
]
PAGE_POST_DATA: dict = {
    "workspace_fields": {"op": "field_add", "name": "渠道", "type": "select", "options": "抖音"},
    "item_bulk": {"refs": "D11-1", "priority": "high"},
    "project_views": {"op": "create", "name": "我的视图", "query": "priority=high"},
}


def project_context(*, owner_ms, project, item, tag) -> dict:
    """Ids the API routes above need, made in `project` (its names carry `tag`)."""
    workspace_field = CustomField.objects.filter(
        workspace_id=project.workspace_id, project=None
    ).first() or actions.do_create_field(
        actor=owner_ms, project=None, data=CustomFieldIn(name="预算", type="number")
    )
    field = actions.do_create_field(
        actor=owner_ms, project=project, data=CustomFieldIn(name=f"{tag} 字段", type="text")
    )
    view = actions.do_create_view(
        actor=owner_ms,
        project=project,
        data=SavedViewIn(name=f"{tag} 视图", query="priority=high", shared=True),
    )
    return {
        "workspace_field_id": workspace_field.pk,
        "workspace_field_ids": [workspace_field.pk],
        "field_id": field.pk,
        "field_ids": [field.pk],
        "view_id": view.pk,
    }


def page_context(*, owner_ms, project, item) -> dict:
    """Ids the pages above need, made in D11."""
    return {}
