"""Who may use decision records (see tests/test_api_permissions.py and
tests/test_page_permissions.py, which read this module): whoever sees the record's
project reads it, guests included where the project is shared with them; its owner (the
owner here) and admins change it; the people asked (the owner and the member) score it;
members and above make records, of a meeting's decisions too."""

from __future__ import annotations

from opsloop.core.models import User

R = "/workspaces/{slug}/decisions"
ONE = R + "/{record_id}"
READ = "200 200 200 200 404"
MADE = "201 201 201 403 404"
EDIT = "200 200 403 403 404"
EDIT_MADE = "201 201 403 403 404"
EDIT_GONE = "204 204 403 403 404"
# The owner and the member are asked to score; the admin is not.
SCORERS = "200 403 200 403 404"

API_ROUTES: dict = {
    ("GET", R): (READ, None),
    ("POST", R): (MADE, lambda c: {"title": "是否加码抖音投放", "project_key": c.get("key")}),
    ("GET", ONE): (READ, None),
    ("PATCH", ONE): (EDIT, lambda c: {"title": "改名", "context": "补充背景"}),
    ("DELETE", ONE): (EDIT_GONE, None),
    ("POST", ONE + "/status"): (EDIT, lambda c: {"status": "draft"}),
    ("POST", ONE + "/options"): (EDIT_MADE, lambda c: {"title": "维持原预算"}),
    ("PATCH", ONE + "/options/{option_id}"): (EDIT, lambda c: {"title": "改"}),
    ("DELETE", ONE + "/options/{option_id}"): (EDIT_GONE, None),
    ("POST", ONE + "/criteria"): (EDIT_MADE, lambda c: {"title": "风险", "weight": 2}),
    ("PATCH", ONE + "/criteria/{criterion_id}"): (EDIT, lambda c: {"weight": 3}),
    ("DELETE", ONE + "/criteria/{criterion_id}"): (EDIT_GONE, None),
    ("GET", ONE + "/scores"): (READ, None),
    ("PUT", ONE + "/scores"): (
        SCORERS,
        lambda c: {
            "scores": [
                {
                    "option_id": c.get("option_id", 1),
                    "criterion_id": c.get("criterion_id", 1),
                    "value": 4,
                }
            ]
        },
    ),  # fmt: skip
    ("GET", ONE + "/ranking"): (READ, None),
    ("POST", ONE + "/decide"): (
        EDIT,
        lambda c: {
            "option_id": c.get("option_id", 1),
            "rationale": "ROI 更高",
            "review_on": "2026-12-15",
        },
    ),  # fmt: skip
    ("GET", ONE + "/review"): (READ, None),
    # The record is still being scored: whoever may review it gets past the permission
    # check to 409 (tests/decisions/test_api.py reviews a decided one).
    ("POST", ONE + "/review"): ("409 409 403 403 404", lambda c: {"outcome": "worked"}),
    ("POST", "/workspaces/{slug}/meetings/{meeting_id}/decisions/{decision_id}/record"): (
        MADE,
        None,
    ),
}


def _member() -> User | None:
    return User.objects.filter(username="member").first()


def _record(owner_ms, project, title: str, *, scorers: list[int], status: str = "scoring"):
    from opsloop.decisions import actions
    from opsloop.decisions.schemas import CriterionIn, DecisionOptionIn, DecisionRecordIn

    record = actions.do_create_record(
        actor=owner_ms,
        data=DecisionRecordIn(
            title=title,
            project_key=project.key if project is not None else None,
            context=f"{title} 背景",
            scorer_ids=scorers,
        ),
    )
    option = actions.do_add_option(
        actor=owner_ms, record=record, data=DecisionOptionIn(title=f"{title} 方案")
    )
    actions.do_add_option(
        actor=owner_ms, record=record, data=DecisionOptionIn(title=f"{title} 备选")
    )
    criterion = actions.do_add_criterion(
        actor=owner_ms, record=record, data=CriterionIn(title=f"{title} 收益", weight=2)
    )
    if status != "draft":
        actions.do_set_status(actor=owner_ms, record=record, status="scoring")
    return record, option, criterion


def project_context(*, owner_ms, project, item, tag) -> dict:
    """A record of `project` being scored by the owner and, where they see it, the member."""
    member = _member()
    scorers = [owner_ms.user_id]
    if member is not None and project.visibility == "workspace":
        scorers.append(member.pk)
    record, option, criterion = _record(owner_ms, project, f"{tag} 决策", scorers=scorers)
    return {"record_id": record.pk, "option_id": option.pk, "criterion_id": criterion.pk}


P = "/w/acme/decisions/{decision_record_id}/"
EVERYONE = dict(owner="ok", admin="ok", member="ok", guest="ok", shared_guest="ok", outsider=404)
MEMBERS = dict(owner="ok", admin="ok", member="ok", guest=403, shared_guest=403, outsider=404)
IN_D11 = dict(owner="ok", admin="ok", member="ok", guest=404, shared_guest="ok", outsider=404)
EDITORS = dict(owner="ok", admin="ok", member=403, guest=404, shared_guest=403, outsider=404)
SCORING = dict(owner="ok", admin=403, member="ok", guest=404, shared_guest=403, outsider=404)
PAGE_CASES: list = [
    ("GET", "decisions", "/w/acme/decisions/", EVERYONE),
    ("GET", "decisions", "/w/acme/decisions/?status=scoring&project=D11", EVERYONE),
    ("GET", "decision_new", "/w/acme/decisions/new/", MEMBERS),
    ("POST", "decision_new", "/w/acme/decisions/new/", MEMBERS),
    ("GET", "project_decisions", "/w/acme/p/D11/decisions/", IN_D11),
    ("GET", "decision", P, IN_D11),
    ("POST", "decision", P, EDITORS),
    ("GET", "decision_edit", P + "edit/", EDITORS),
    ("POST", "decision_edit", P + "edit/", EDITORS),
    ("GET", "decision_score", P + "score/", SCORING),
    ("POST", "decision_score", P + "score/", SCORING),
    ("GET", "decision_review", "/w/acme/decisions/{decided_record_id}/review/", IN_D11),
    ("POST", "decision_review", "/w/acme/decisions/{decided_record_id}/review/", EDITORS),
    ("POST", "decision_delete", P + "delete/", EDITORS),
    # A record of the whole workspace: members, not guests.
    ("GET", "decision", "/w/acme/decisions/{workspace_record_id}/", dict(EVERYONE, guest=404, shared_guest=404)),
    # Members and above who see the meeting (in D11) make a record of its decision.
    ("POST", "decision_promote", "/w/acme/meetings/{promote_meeting_id}/decisions/{promote_decision_id}/record/",
     dict(owner="ok", admin="ok", member="ok", guest=404, shared_guest=403, outsider=404)),
]  # fmt: skip
PAGE_POST_DATA: dict = {
    "decision_new": {"title": "是否加码抖音投放", "project_key": "D11"},
    "decision": {"op": "add_option", "title": "加码 20%"},
    "decision_edit": lambda c: {
        "title": "是否加码抖音投放（改）",
        "project_key": "D11",
        "owner_id": str(c["decision_owner_id"]),
        "scorer_ids": [str(c["decision_owner_id"]), str(c["member_id"])],
    },
    "decision_score": lambda c: {
        f"score-{c['decision_option_id']}-{c['decision_criterion_id']}": "4"
    },
    "decision_review": {"outcome": "partly", "note": "GMV 涨了，ROI 一般"},
}


def page_context(*, owner_ms, project, item) -> dict:
    """Records in D11 (one being scored, one decided), one of the workspace, and a
    meeting of D11 with a decision to make a record of."""
    from opsloop.decisions import actions
    from opsloop.decisions.schemas import DecideIn
    from opsloop.meetings import actions as meeting_actions
    from opsloop.meetings.schemas import DecisionIn, MeetingIn

    member = _member()
    scorers = [owner_ms.user_id, member.pk] if member else [owner_ms.user_id]
    record, option, criterion = _record(owner_ms, project, "大促预算", scorers=scorers)
    decided, chosen, _c = _record(owner_ms, project, "会场改版", scorers=scorers)
    actions.do_decide(actor=owner_ms, record=decided, data=DecideIn(option_id=chosen.pk))
    whole, _o, _c = _record(owner_ms, None, "团队分工", scorers=[owner_ms.user_id], status="draft")
    meeting = meeting_actions.do_create_meeting(
        actor=owner_ms,
        data=MeetingIn(
            title="大促复盘会", project_key=project.key, starts_at="2026-11-12T10:00:00+08:00"
        ),
    )
    decision = meeting_actions.do_add_decision(
        actor=owner_ms, meeting=meeting, data=DecisionIn(text="主会场加码抖音投放")
    )
    return {
        "decision_record_id": record.pk,
        "decision_option_id": option.pk,
        "decision_criterion_id": criterion.pk,
        "decision_owner_id": owner_ms.user_id,
        "decided_record_id": decided.pk,
        "workspace_record_id": whole.pk,
        "promote_meeting_id": meeting.pk,
        "promote_decision_id": decision.pk,
        "member_id": member.pk if member else None,
    }
