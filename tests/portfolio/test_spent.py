"""The portfolio's Spent column reads what the projects' Budget tabs count as spent:
spend entries naming no placement plus the placements' daily spend (docs/money.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.test import Client

from opsloop.money import actions
from opsloop.money.schemas import PlacementDayIn, PlacementIn, SpendEntryIn
from opsloop.portfolio.queries import portfolio_rows, spent_by_project
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ProjectIn
from tests.conftest import PASSWORD, membership_of


def test_spent_is_entries_without_a_placement_plus_placement_days(owner, workspace, project):
    ms = membership_of(owner, workspace)
    project.workspace = workspace
    placement = actions.do_create_placement(
        actor=ms, project=project, data=PlacementIn(name="巨量 信息流", platform="ocean_engine")
    )
    actions.do_record_placement_days(
        actor=ms, placement=placement,
        days=[PlacementDayIn(day=dt.date(2026, 11, 2), spend=Decimal("1200.50"))],
    )  # fmt: skip
    for amount, extra in (("300", {}), ("5000", {"placement_id": placement.pk})):
        actions.do_create_entry(
            actor=ms, project=project,
            data=SpendEntryIn(day=dt.date(2026, 11, 3), amount=Decimal(amount), **extra),
        )  # fmt: skip
    empty = work_actions.do_create_project(actor=ms, data=ProjectIn(name="空", key="NIL"))
    # 1,200.50 of the placement's day + 300 of the entry; the 5,000 top-up is a payment.
    assert spent_by_project([project.pk, empty.pk]) == {project.pk: Decimal("1500.50")}
    rows = {r.key: r.spent for r in portfolio_rows(ms)}
    assert rows == {"D11": Decimal("1500.50"), "NIL": None}
    client = Client()
    assert client.login(username=owner.username, password=PASSWORD)
    body = client.get("/w/acme/portfolio/").content.decode()
    assert 'data-testid="row-spent">1,500.50<' in body and 'data-testid="row-spent">—<' in body
    # Guests never see money: a guest the project is shared with reads "—".
    from opsloop.core.models import Role
    from tests.conftest import add_member

    guest = add_member(workspace, "guest", Role.GUEST)
    work_actions.do_add_project_member(actor=ms, project=project, user_id=guest.pk)
    seen = {r.key: r.spent for r in portfolio_rows(membership_of(guest, workspace))}
    assert seen == {"D11": None}
