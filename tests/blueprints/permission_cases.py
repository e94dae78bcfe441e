"""Who may use project templates (see tests/test_api_permissions.py and
tests/test_page_permissions.py, which read this module): members, admins and the owner
see the workspace's templates, save the projects they see as templates and make projects
from them; guests do none of it; a template is changed and deleted by its maker (the
owner here) and admins. A private project's template is private to its maker and admins,
so the private project's template is hidden from the member."""

from __future__ import annotations

R = "/workspaces/{slug}/templates"
ONE = R + "/{template_id}"
READ = "200 200 200 403 404"
MADE = "201 201 201 403 404"
EDIT = "200 200 403 403 404"
GONE = "204 204 403 403 404"

API_ROUTES: dict = {
    ("GET", R): (READ, None),
    ("POST", R): (MADE, lambda c: {"project_key": c.get("key"), "name": "新模板"}),
    ("GET", ONE): (READ, None),
    ("PATCH", ONE): (EDIT, lambda c: {"name": "改名的模板", "description": "说明"}),
    ("DELETE", ONE): (GONE, None),
    ("POST", ONE + "/projects"): (
        MADE,
        lambda c: {"name": "模板新项目", "key": "TPL", "start_date": "2027-05-01"},
    ),
}


def project_context(*, owner_ms, project, item, tag) -> dict:
    """A template of `project` (with whatever the other apps put in it), made by the owner."""
    from opsloop.blueprints import actions

    template = actions.do_save_template(
        actor=owner_ms, project=project, name=f"{tag} 模板", description=f"{tag} 说明"
    )
    return {"template_id": template.pk}


T = "/w/acme/templates/{template_id}/"
MEMBERS = dict(owner="ok", admin="ok", member="ok", guest=403, shared_guest=403, outsider=404)
EDITORS = dict(owner="ok", admin="ok", member=403, guest=403, shared_guest=403, outsider=404)
IN_D11 = dict(owner="ok", admin="ok", member="ok", guest=404, shared_guest=403, outsider=404)
PAGE_CASES: list = [
    ("GET", "blueprints", "/w/acme/templates/", MEMBERS),
    ("GET", "blueprint", T, MEMBERS),
    ("POST", "blueprint", T, EDITORS),
    ("GET", "blueprint_use", T + "use/", MEMBERS),
    ("GET", "blueprint_use", T + "use/?start_date=2027-05-01", MEMBERS),
    ("POST", "blueprint_use", T + "use/", MEMBERS),
    # A private template: its maker (the owner) and admins.
    ("GET", "blueprint", "/w/acme/templates/{private_template_id}/",
     dict(EDITORS, member=404)),
    ("GET", "project_save_template", "/w/acme/p/D11/save-as-template/", IN_D11),
    ("POST", "project_save_template", "/w/acme/p/D11/save-as-template/", IN_D11),
    # Last: it deletes the template the rows above use.
    ("POST", "blueprint_delete", T + "delete/", EDITORS),
]  # fmt: skip
PAGE_POST_DATA: dict = {
    "blueprint": {"name": "大促模板（改）", "description": "改过", "visibility": "workspace"},
    "blueprint_use": {"name": "模板新项目", "key": "TPLN", "start_date": "2027-05-01"},
    "project_save_template": {"name": "另存的模板", "visibility": "workspace"},
}


def page_context(*, owner_ms, project, item) -> dict:
    """A template of D11 the workspace sees, and a private one."""
    from opsloop.blueprints import actions

    template = actions.do_save_template(actor=owner_ms, project=project, name="大促模板")
    private = actions.do_save_template(
        actor=owner_ms, project=project, name="私人模板", visibility="private"
    )
    return {"template_id": template.pk, "private_template_id": private.pk}
