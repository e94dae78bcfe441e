"""Titles and names are single lines: characters that reorder or hide text (right-to-left
overrides, isolates, direction marks) are dropped and control characters become spaces,
through the API and the pages alike; multi-line text (descriptions, comments) keeps its
lines."""

from __future__ import annotations

import pytest
from django.test import Client

from opsloop.core.inputs import BIDI_CONTROLS
from opsloop.core.models import Workspace
from opsloop.work.models import Item, Label, Project
from tests.conftest import PASSWORD

W = "/api/v1/workspaces/acme"
# Reads "海报.exe" as "海报exe.jpg"-like nonsense in a list when the override is kept.
DISGUISED = "海报\u202egpj.exe\u202c\t定稿\n"


@pytest.mark.parametrize("char", list(BIDI_CONTROLS))
def test_every_bidi_control_is_dropped_from_an_item_title(api, project, char):
    made = api.post(f"{W}/projects/D11/items", {"title": f"主会场{char}海报"})
    assert made.status_code == 201
    assert made.json()["title"] == "主会场海报"


def test_titles_and_names_drop_bidi_and_control_characters_everywhere(api, project, item):
    assert api.post(f"{W}/projects/D11/items", {"title": DISGUISED}).json()["title"] == (
        "海报gpj.exe 定稿"
    )
    assert api.patch(f"{W}/items/{item.ref}", {"title": DISGUISED}).json()["title"] == (
        "海报gpj.exe 定稿"
    )
    api.post(f"{W}/labels", {"name": "\u2066大促\u2069"})
    assert Label.objects.filter(name="大促").exists()
    api.patch(f"{W}/projects/D11", {"name": "\u202b双十一\u202c"})
    assert Project.objects.get(key="D11").name == "双十一"
    api.patch(W, {"name": "运营\u200f团队"})
    assert Workspace.objects.get(slug="acme").name == "运营团队"


def test_multi_line_text_keeps_its_lines(api, item):
    body = api.patch(f"{W}/items/{item.ref}", {"description": "第一行\n第二行"}).json()
    assert body["description"] == "第一行\n第二行"


def test_the_pages_drop_them_too(owner, project):
    client = Client()
    assert client.login(username=owner.username, password=PASSWORD)
    client.post("/w/acme/p/D11/items/new/", {"title": DISGUISED})
    assert Item.objects.filter(title="海报gpj.exe 定稿").exists()
