"""The board's columns: the first cards, then "show more" per column, filters kept."""

from __future__ import annotations

import re

from opsloop.work.models import State
from opsloop.work.queries import BOARD_CARDS
from tests.work.test_views import client, make_items  # noqa: F401  (fixture)


def _refs(html: str) -> list[str]:
    return re.findall(r'data-ref="(D11-\d+)"', html)


def test_a_long_column_shows_its_first_cards_and_loads_the_rest(
    client,  # noqa: F811
    project,
    owner,
    workspace,
    django_assert_max_num_queries,
):
    items = make_items(project, owner, workspace, BOARD_CARDS * 2 + 5)
    todo = items[0].state
    board = client.get("/w/acme/p/D11/board/").content.decode()
    assert _refs(board) == [i.ref for i in items[:BOARD_CARDS]]
    assert f"offset={BOARD_CARDS}" in board and "25" in board  # 25 left
    with django_assert_max_num_queries(12):
        more = client.get(
            "/w/acme/p/D11/board/",
            {"column": todo.pk, "offset": BOARD_CARDS},
            HTTP_HX_REQUEST="true",
        )
    html = more.content.decode()
    assert more.status_code == 200 and "<html" not in html
    assert _refs(html) == [i.ref for i in items[BOARD_CARDS : BOARD_CARDS * 2]]
    # The button is replaced out of band, pointing further on.
    assert 'hx-swap-oob="true"' in html and f"offset={BOARD_CARDS * 2}" in html
    last = client.get("/w/acme/p/D11/board/", {"column": todo.pk, "offset": BOARD_CARDS * 2})
    html = last.content.decode()
    assert _refs(html) == [i.ref for i in items[BOARD_CARDS * 2 :]]
    assert "offset=" not in html  # nothing left: the button is emptied


def test_show_more_keeps_the_filters(client, project, owner, workspace):  # noqa: F811
    todo = make_items(project, owner, workspace, BOARD_CARDS + 3, priority="high")[0].state
    make_items(project, owner, workspace, 3, priority="low")
    board = client.get("/w/acme/p/D11/board/", {"priority": "high"}).content.decode()
    assert "priority=high&amp;column=" in board
    more = client.get(
        "/w/acme/p/D11/board/", {"priority": "high", "column": todo.pk, "offset": BOARD_CARDS}
    ).content.decode()
    assert len(_refs(more)) == 3
    assert "priority=high&amp;column=" not in more  # nothing left


def test_show_more_refuses_a_foreign_column_and_bad_numbers(client, project, workspace, owner):  # noqa: F811
    from opsloop.work import actions
    from opsloop.work.schemas import ProjectIn
    from tests.conftest import membership_of

    other = actions.do_create_project(
        actor=membership_of(owner, workspace), data=ProjectIn(name="别的", key="OTH")
    )
    foreign = other.states.first()
    assert (
        client.get("/w/acme/p/D11/board/", {"column": foreign.pk, "offset": 0}).status_code == 404
    )
    assert client.get("/w/acme/p/D11/board/", {"column": "x", "offset": 0}).status_code == 400
    todo = State.objects.get(project=project, group="backlog")
    assert client.get("/w/acme/p/D11/board/", {"column": todo.pk, "offset": -1}).status_code == 400
