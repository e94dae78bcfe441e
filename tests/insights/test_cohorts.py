"""Cohorts defined by person trait filters (the people page's q and trait=): static ones
copy their persons when saved or refreshed, dynamic ones are evaluated each time an
insight uses them; the definition is either a query's number or such filters, never both.
"""

from __future__ import annotations

import pytest

from opsloop.core.errors import Invalid
from opsloop.core.models import Membership
from opsloop.events.models import Person
from opsloop.insights import actions, queries
from opsloop.insights.models import Cohort, CohortPerson
from tests.events.test_actions import make_person
from tests.insights.test_api import send, today_at


@pytest.fixture(autouse=True)
def _own_store(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.EVENTS_BACKEND = "duckdb"
    settings.INSIGHTS_PERSONS_TTL = 0


@pytest.fixture
def owner_ms(owner, workspace):
    return Membership.objects.select_related("workspace", "user").get(
        workspace=workspace, user=owner
    )


@pytest.fixture
def town(workspace):
    """Four persons: two in Shanghai (one on a plan), one in Beijing on a plan, and an
    anonymous Shanghai person since merged into the first."""
    paying = make_person(workspace, "u1", city="上海", plan="pro")
    free = make_person(workspace, "u2", city="上海")
    beijing = make_person(workspace, "u3", city="北京", plan="pro")
    merged = make_person(workspace, "", "anon-9", city="上海", plan="pro")
    Person.objects.filter(pk=merged.pk).update(merged_into=paying)
    return paying, free, beijing, merged


def set_traits(person: Person, **traits) -> None:
    Person.objects.filter(pk=person.pk).update(traits=traits)


def test_a_static_trait_cohort_keeps_who_matched_until_refreshed(owner_ms, town):
    paying, free, _beijing, _merged = town
    cohort = actions.do_save_cohort(
        actor=owner_ms,
        name="上海付费",
        persons={"q": "", "trait": [" city = 上海 ", "plan"]},
    )
    assert cohort.kind == "static" and cohort.size == 1
    assert cohort.definition == {"persons": {"q": "", "trait": ["city=上海", "plan"]}}
    assert list(CohortPerson.objects.filter(cohort=cohort).values_list("person_id", flat=True)) == [
        paying.pk
    ]
    assert queries.cohort_person_ids(cohort) == [paying.pk]
    set_traits(free, city="上海", plan="basic")
    assert queries.cohort_person_ids(cohort) == [paying.pk]  # static: as it was
    refreshed = actions.do_refresh_cohort(actor=owner_ms, cohort=cohort)
    assert refreshed.size == 2
    assert queries.cohort_person_ids(cohort) == [paying.pk, free.pk]


def test_a_dynamic_trait_cohort_is_evaluated_on_each_use(owner_ms, town):
    paying, free, beijing, _merged = town
    cohort = actions.do_save_cohort(
        actor=owner_ms, name="上海用户", kind="dynamic", persons={"trait": ["city=上海"]}
    )
    assert cohort.size == 2 and not CohortPerson.objects.filter(cohort=cohort).exists()
    # A merged person is their survivor: only persons still standing match.
    assert queries.cohort_person_ids(cohort) == [paying.pk, free.pk]
    set_traits(beijing, city="上海", plan="pro")
    set_traits(free, city="杭州")
    assert queries.cohort_person_ids(cohort) == [paying.pk, beijing.pk]
    first_counted = cohort.computed_at
    refreshed = actions.do_refresh_cohort(actor=owner_ms, cohort=cohort)
    assert refreshed.size == 2 and refreshed.computed_at > first_counted
    set_traits(free, city="上海")
    assert actions.do_refresh_cohort(actor=owner_ms, cohort=cohort).size == 3


def test_free_text_finds_user_ids_distinct_ids_and_trait_text(owner_ms, workspace):
    vip = make_person(workspace, "vip-1")
    noted = make_person(workspace, "u7", note="双11 VIP 客户")
    by_id = make_person(workspace, "u8", "device-vip")
    make_person(workspace, "u9", note="普通")
    cohort = actions.do_save_cohort(
        actor=owner_ms, name="VIP", kind="dynamic", persons={"q": "vip"}
    )
    assert queries.cohort_person_ids(cohort) == [vip.pk, noted.pk, by_id.pk]
    both = actions.do_save_cohort(
        actor=owner_ms, name="VIP 有备注", persons={"q": "vip", "trait": ["note"]}
    )
    assert queries.cohort_person_ids(both) == [noted.pk]


def test_trait_cohorts_keep_at_most_the_limit_by_id(owner_ms, workspace, monkeypatch):
    monkeypatch.setattr(actions, "COHORT_MAX_PERSONS", 2)
    monkeypatch.setattr(queries, "COHORT_MAX_PERSONS", 2)
    made = [make_person(workspace, f"u{i}", city="上海") for i in range(4)]
    static = actions.do_save_cohort(actor=owner_ms, name="前两位", persons={"trait": ["city"]})
    assert static.size == 2 and queries.cohort_person_ids(static) == [p.pk for p in made[:2]]
    dynamic = actions.do_save_cohort(
        actor=owner_ms, name="前两位（动态）", kind="dynamic", persons={"trait": ["city"]}
    )
    assert queries.cohort_person_ids(dynamic) == [p.pk for p in made[:2]]


QUERY = {"kind": "trends", "series": [{"event": "open"}]}


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"query": QUERY, "selection": {"bucket": 0}, "persons": {"trait": ["city"]}}, "persons"),
        ({"persons": {"trait": ["city"]}, "selection": {"bucket": 0}}, "persons"),
        ({}, "query"),
        ({"query": QUERY}, "selection"),
        ({"persons": {}}, "persons.trait"),
        ({"persons": {"q": "  ", "trait": ["", " "]}}, "persons.trait"),
        ({"persons": "city=上海"}, "persons"),
        ({"persons": {"trait": ["city"], "city": "上海"}}, "persons.city"),
        ({"persons": {"trait": ["ci!ty=上海"]}}, "persons.trait"),
        ({"persons": {"trait": [f"k{i}" for i in range(11)]}}, "persons.trait"),
        ({"persons": {"trait": [f"city={'长' * 201}"]}}, "persons.trait"),
        ({"persons": {"q": "x" * 201}}, "persons.q"),
        ({"persons": {"q": 3}}, "persons.q"),
        ({"persons": {"trait": [1]}}, "persons.trait"),
    ],
)
def test_a_cohort_is_a_query_s_number_or_trait_filters_exactly_one(owner_ms, given, field):
    with pytest.raises(Invalid) as raised:
        actions.do_save_cohort(actor=owner_ms, name="坏的", **given)
    assert raised.value.field == field, raised.value.message
    assert not Cohort.objects.exists()


def test_a_bad_kind_is_refused_before_anything_is_counted(owner_ms):
    with pytest.raises(Invalid) as raised:
        actions.do_save_cohort(
            actor=owner_ms, name="x", kind="sometimes", persons={"trait": ["city"]}
        )
    assert raised.value.field == "kind"


def test_a_taken_name_is_a_conflict_for_trait_cohorts_too(owner_ms, town):
    from opsloop.core.errors import Conflict

    actions.do_save_cohort(actor=owner_ms, name="上海", persons={"trait": ["city=上海"]})
    with pytest.raises(Conflict):
        actions.do_save_cohort(actor=owner_ms, name="上海", persons={"trait": ["city=北京"]})


def test_only_its_maker_and_admins_refresh_a_trait_cohort(owner_ms, workspace, member, town):
    from opsloop.core.errors import Forbidden

    cohort = actions.do_save_cohort(actor=owner_ms, name="上海", persons={"trait": ["city=上海"]})
    other = Membership.objects.select_related("workspace").get(workspace=workspace, user=member)
    with pytest.raises(Forbidden):
        actions.do_refresh_cohort(actor=other, cohort=cohort)
    with pytest.raises(Forbidden):
        actions.do_delete_cohort(actor=other, cohort=cohort)


OPENS = {
    "kind": "trends",
    "series": [{"event": "open"}],
    "date_range": {"preset": "last_7_days"},
}


@pytest.mark.parametrize("kind", ["static", "dynamic"])
def test_an_insight_filtered_on_a_trait_cohort_counts_only_its_persons(
    owner_ms, workspace, town, monkeypatch, kind
):
    paying, free, beijing, merged = town
    for person, hour in ((paying, 9), (free, 10), (beijing, 11), (merged, 12)):
        send(workspace, person, "open", today_at(workspace, hour, days=1))
    send(workspace, beijing, "open", today_at(workspace, 13, days=1))
    cohort = actions.do_save_cohort(
        actor=owner_ms, name="上海付费", kind=kind, persons={"trait": ["city=上海", "plan"]}
    )
    seen: list = []
    real = queries.run_query

    def spy(query, plan):
        seen.append(plan.cohort_ids)
        return real(query, plan)

    monkeypatch.setattr(queries, "run_query", spy)
    everyone = queries.run_insight(workspace=workspace, query=queries.check_query(OPENS))
    assert everyone["series"][0]["total"] == 5 and seen == [None]
    only = queries.run_insight(
        workspace=workspace, query=queries.check_query({**OPENS, "cohort": cohort.pk})
    )
    # The engine gets the cohort's ids; the merged person's open is their survivor's.
    assert seen[-1] == [paying.pk]
    assert only["series"][0]["total"] == 2
    users = queries.run_insight(
        workspace=workspace,
        query=queries.check_query(
            {**OPENS, "series": [{"event": "open", "math": "dau"}], "cohort": cohort.pk}
        ),
    )
    assert max(users["series"][0]["data"]) == 1


def test_a_query_cohort_can_stand_on_a_trait_cohort(owner_ms, workspace, town):
    paying, free, beijing, _merged = town
    for person in (paying, free, beijing):
        send(workspace, person, "open", today_at(workspace, 9, days=1))
    shanghai = actions.do_save_cohort(
        actor=owner_ms, name="上海", kind="dynamic", persons={"trait": ["city=上海"]}
    )
    opened = actions.do_save_cohort(
        actor=owner_ms,
        name="上海昨天打开",
        kind="dynamic",
        query={**OPENS, "series": [{"event": "open", "math": "persons"}], "cohort": shanghai.pk},
        selection={"series": 0, "bucket": 5},  # yesterday
    )
    assert queries.cohort_person_ids(opened) == [paying.pk, free.pk]
