"""The portfolio page in both languages, its filters, groups and sort links, the sidebar
link, and the CSV download with headers in the reader's language."""

from __future__ import annotations

from django.test import Client

from tests.portfolio.conftest import TODAY
from tests.progress.conftest import at

URL = "/w/acme/portfolio/"


def _client(user, language: str = "en") -> Client:
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def _get(user, path: str = URL, language: str = "en", **params):
    with at(TODAY):
        return _client(user, language).get(path, params)


def test_the_page_shows_every_column(world, owner, django_assert_max_num_queries):
    with django_assert_max_num_queries(40):
        response = _get(owner)
    body = response.content.decode()
    assert response.status_code == 200
    for text in ("Portfolio", "双十一大促", "Budget planned", "Milestones late", "Items at risk",
                 "GMV 到 500 万", "50,000", "8,000.50", "Total: 3 projects", 'data-testid="nav-portfolio"'):  # fmt: skip
        assert text in body, text
    assert 'data-testid="row-spent">—<' in body


def test_the_page_in_chinese(world, owner):
    body = _get(owner, language="zh-hans", group="kind").content.decode()
    for text in (
        "项目组合",
        "计划预算",
        "逾期里程碑",
        "有风险的工作项",
        "营销活动",
        "合计：3 个项目",
        # Money grouped by three in Chinese too, as everywhere (core's number filter).
        "50,000",
        "8,000.50",
        "157,999.50",
    ):
        assert text in body, text


def test_grouped_with_subtotals(world, owner):
    body = _get(owner, group="owner").content.decode()
    assert body.count('data-testid="portfolio-group"') == 2
    assert "李运营" in body and "1 project · Budget 8,000.50" in body


def test_filters_and_sort_links(world, owner):
    body = _get(owner, kind="content").content.decode()
    assert "小红书内容矩阵" in body and "双十一大促" not in body
    # The progress header sorts by it, keeping the filter.
    assert "?kind=content&amp;sort=-progress" in body


def test_a_bad_filter_shows_why(world, owner):
    response = _get(owner, quarter="2026-Q9")
    assert response.status_code == 400
    assert "2026-Q2" in response.content.decode()


def test_members_do_not_see_private_projects(world):
    body = _get(world.member_ms.user).content.decode()
    assert "机密" not in body and "99,999" not in body and "SEC" not in body


def test_csv_in_the_readers_language(world, owner):
    response = _get(owner, "/w/acme/portfolio/export.csv", language="zh-hans", sort="-budget")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("标识,项目,类型,阶段,所有者,开始日期,结束日期,进度 (%)")
    assert "计划预算,已花费预算,逾期里程碑" in lines[0]
    assert [line.split(",")[0] for line in lines[1:]] == ["SEC", "D11", "CNT"]
    english = _get(owner, "/w/acme/portfolio/export.csv").content.decode("utf-8-sig")
    assert english.splitlines()[0].startswith("Key,Project,Kind,Stage,Owner")
    assert "GMV 到 500 万" in english


def test_csv_leaves_out_what_the_reader_may_not_see(world):
    body = _get(world.member_ms.user, "/w/acme/portfolio/export.csv").content.decode()
    assert "SEC" not in body and "机密" not in body
