"""The activity history as people read it (opsloop/work/history.py): field names in the
reader's language, stages and priorities by their labels, people by their display
names, in the pages and the API alike."""

from __future__ import annotations

from decimal import Decimal

from django.test import Client
from django.utils import translation

from opsloop.core.models import Role
from opsloop.work import actions
from opsloop.work.models import Priority, Stage
from opsloop.work.schemas import ItemPatch, ProjectPatch
from tests.conftest import PASSWORD, add_member, membership_of

W = "/api/v1/workspaces/acme"


def make_history(workspace, owner, project, item):
    designer = add_member(workspace, "design", Role.MEMBER)
    designer.display_name = "周婷"
    designer.save()
    actor = membership_of(owner, workspace)
    actions.do_update_project(actor=actor, project=project, data=ProjectPatch(stage="executing"))
    actions.do_update_project(
        actor=actor, project=project, data=ProjectPatch(budget=Decimal("120000"))
    )
    actions.do_update_item(
        actor=actor,
        item=item,
        data=ItemPatch(
            priority="high", assignee_ids=[designer.pk], progress=40, estimate_hours=Decimal("3")
        ),
    )


def test_the_activity_page_shows_labels_and_display_names_in_the_readers_language(
    workspace, owner, project, item
):
    make_history(workspace, owner, project, item)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert client.login(username="owner", password=PASSWORD)
    body = client.get(f"/w/acme/p/{project.key}/activity/").content.decode()
    with translation.override("zh-hans"):
        planning, executing = str(Stage.PLANNING.label), str(Stage.EXECUTING.label)
        none, high = str(Priority.NONE.label), str(Priority.HIGH.label)
    assert f'{planning}</span> → <span class="new">{executing}' in body
    assert f'{none}</span> → <span class="new">{high}' in body
    assert "周婷" in body and ">design<" not in body
    assert "40%" in body and "¥120,000" in body
    assert "planning" not in body and ">high<" not in body


def test_the_api_gives_each_change_as_stored_and_as_read(api, workspace, owner, project, item):
    make_history(workspace, owner, project, item)
    changes = {c["field"]: c for c in api.get(f"{W}/items/{item.ref}/activity").json()}
    assert (changes["priority"]["old_value"], changes["priority"]["new_value"]) == ("none", "high")
    assert (changes["priority"]["old_text"], changes["priority"]["new_text"]) == ("None", "High")
    assert changes["assignees"]["new_value"] == "design"
    assert changes["assignees"]["new_text"] == "周婷"
    assert changes["estimate_hours"]["field_text"] == "estimate"
    assert changes["estimate_hours"]["new_text"] == "3 h"
    project_changes = api.get(f"{W}/projects/{project.key}/activity").json()["results"]
    stage = next(
        e["change"] for e in project_changes if e["change"] and e["change"]["field"] == "stage"
    )
    assert (stage["old_text"], stage["new_text"]) == ("Planning", "Executing")
