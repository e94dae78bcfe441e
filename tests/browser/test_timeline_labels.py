"""The timeline's scale in a real browser: at every zoom, no label of the scale (months,
years, weeks, days) runs into another, measured as the browser lays out their text."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from opsloop.core import actions as core_actions
from opsloop.core.models import Membership
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ItemIn, ProjectIn
from tests.browser.conftest import login
from tests.conftest import PASSWORD

# The box of every text node of the scale, and the pairs of boxes that overlap.
MEASURE = """
() => {
  const scale = document.querySelector(".tl-scale");
  const walker = document.createTreeWalker(scale, NodeFilter.SHOW_TEXT);
  const boxes = [];
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const r = range.getBoundingClientRect();
    boxes.push({ text: node.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom });
  }
  const overlaps = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      if (a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5) {
        overlaps.push([a.text, b.text, Math.round(a.left), Math.round(b.left)]);
      }
    }
  }
  return { labels: boxes.map((b) => b.text), overlaps };
}
"""


@pytest.fixture
def plan(transactional_db):
    """Items whose timeline starts on the last day of a month (a one-day stretch before
    the next month) and runs over a year, so months and years meet at every zoom."""
    lead = core_actions.do_signup(
        username="lead", email="lead@example.com", password=PASSWORD, display_name="王总"
    )
    core_actions.do_create_workspace(actor=lead, slug="ops", name="运营团队")
    ms = Membership.objects.select_related("workspace", "user").get(user=lead)
    project = work_actions.do_create_project(actor=ms, data=ProjectIn(name="双十一大促", key="D11"))
    today = timezone.localdate()
    # The last day of the month before last: the scale starts there (7 days before the
    # earliest start).
    month_end = (today.replace(day=1) - timedelta(days=1)).replace(day=1) - timedelta(days=1)
    for n, (start, due) in enumerate(
        [
            (month_end + timedelta(days=7), month_end + timedelta(days=20)),
            (today, today + timedelta(days=40)),
            (today + timedelta(days=30), today + timedelta(days=400)),
        ]
    ):
        work_actions.do_create_item(
            actor=ms, project=project, data=ItemIn(title=f"任务{n}", start_date=start, due_date=due)
        )
    return month_end


@pytest.mark.browser
@pytest.mark.parametrize("browser_locale", ["en", "zh-CN"])
def test_no_label_of_the_scale_overlaps_another_at_any_zoom(
    page: Page, console_errors, plan, browser_locale
):
    login(page, "lead", PASSWORD)
    for zoom in ("day", "week", "month"):
        page.goto(f"/w/ops/p/D11/timeline/?zoom={zoom}")
        expect(page.get_by_test_id("timeline")).to_have_attribute(
            "data-painted", re.compile(r"^\d+$")
        )
        found = page.evaluate(MEASURE)
        assert not found["overlaps"], (zoom, found["overlaps"][:5])
        months = page.locator(".tl-months")
        # A stretch per month (per year at zoom "month"), most of them labelled.
        assert months.count() >= 3
        labelled = page.locator(".tl-months .tl-label").count()
        assert labelled >= months.count() - 2, zoom
        if zoom == "day":
            # The one-day stretch of the first month is too narrow for "Month 2026".
            first = months.first.inner_text()
            assert len(first) <= 4, first
            # The next month, whole, has room for its year too.
            expect(months.nth(1)).to_contain_text(str((plan + timedelta(days=1)).year))
    assert not console_errors
