"""Load the demo workspace from opsloop/demo/data.py through the same actions a user's clicks run.

The demo accounts share one password, the default DEFAULT_PASSWORD or the one given. It is set
on the accounts directly instead of through do_signup, for two reasons: the password
validators must not refuse a short demo password (they stay on for every real sign-up), and
hashing is deliberately slow (about 0.7 s), so the ten accounts share one hash instead of
paying for ten. Everything else (workspace, projects, workflows, items, comments) goes through
the actions, so activity history and audit rows are what a team's real use would leave.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from textwrap import dedent

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from opsloop.capacity.actions import do_create_skill, do_log_time, do_update_profile
from opsloop.capacity.schemas import ProfilePatch, SkillIn, TimeEntryIn
from opsloop.collab.actions import do_add_comment, do_react, do_start_discussion
from opsloop.collab.models import Comment
from opsloop.core.actions import do_create_workspace, record_audit
from opsloop.core.errors import Conflict
from opsloop.core.models import Membership, Role, User, Workspace
from opsloop.demo import assets, data
from opsloop.demo.data import ItemSpec
from opsloop.demo.operations import load_operations
from opsloop.events.actions import do_create_source
from opsloop.events.flusher import persons_changing
from opsloop.events.generate import CHANNEL_NAMES, generate
from opsloop.events.models import Person
from opsloop.events.schemas import SourceIn
from opsloop.events.store import get_store
from opsloop.files.actions import do_create_folder, do_upload_file, do_upload_version
from opsloop.files.models import Folder
from opsloop.files.queries import Place
from opsloop.files.schemas import FolderIn
from opsloop.goals import actions as goal_actions
from opsloop.goals.models import KpiValue
from opsloop.goals.schemas import KeyResultIn, KpiIn, LinksIn, ObjectiveIn
from opsloop.inbox.actions import do_cancel_pending_email
from opsloop.insights.actions import do_save_insight, do_set_display_name
from opsloop.insights.models import Insight
from opsloop.meetings.actions import (
    do_add_action_item,
    do_add_agenda_item,
    do_add_decision,
    do_convert_action_item,
    do_create_meeting,
    do_create_next_occurrence,
    do_update_agenda_item,
)
from opsloop.meetings.schemas import (
    ActionItemIn,
    AgendaItemIn,
    AgendaItemPatch,
    DecisionIn,
    MeetingIn,
)
from opsloop.planning.actions import do_add_dependency, do_create_milestone
from opsloop.planning.schemas import MilestoneIn
from opsloop.work.actions import (
    STAGE_ORDER,
    do_create_field,
    do_create_item,
    do_create_label,
    do_create_project,
    do_create_state,
    do_create_view,
    do_update_item,
    do_update_project,
    do_update_state,
)
from opsloop.work.models import Activity, Item, Label, Project, State, StateGroup
from opsloop.work.queries import list_states
from opsloop.work.schemas import (
    CustomFieldIn,
    ItemIn,
    ItemPatch,
    LabelIn,
    OptionIn,
    ProjectIn,
    ProjectPatch,
    SavedViewIn,
    StateIn,
    StatePatch,
)

DEFAULT_PASSWORD = "opsloop-demo"  # noqa: S105 (the documented demo login)
SLUG = data.WORKSPACE["slug"]
# Items bound for these groups are first put in progress, so their history shows the work.
WORKING = (StateGroup.IN_PROGRESS, StateGroup.IN_REVIEW, StateGroup.DONE)

# What the demo calls its events, keys and channels (docs/insights.md#display-names):
# (kind, key, value, display name). Queries keep the identifiers the events carry.
DISPLAY_NAMES = [
    *(
        ("event", event, "", name)
        for event, name in (
            ("app_open", "打开 App"),
            ("signup", "注册"),
            ("activate", "激活"),
            ("first_order", "首单"),
            ("order_paid", "支付订单"),
            ("product_view", "浏览商品"),
            ("add_to_cart", "加入购物车"),
            ("search", "搜索"),
            ("$pageview", "浏览页面"),
            ("$identify", "识别用户"),
        )
    ),
    *(
        ("property", key, "", name)
        for key, name in (
            ("utm_source", "来源渠道"),
            ("utm_medium", "渠道媒介"),
            ("utm_campaign", "推广活动"),
            ("amount", "金额"),
            ("person.channel", "首次来源渠道"),
            ("person.city", "城市"),
        )
    ),
    # A channel has the same name as the UTM of a visit and as the first touch.
    *(
        ("value", key, channel, name)
        for key in ("utm_source", "person.channel")
        for channel, name in CHANNEL_NAMES.items()
    ),
    ("value", "utm_medium", "video", "短视频"),
    ("value", "utm_medium", "social", "社交"),
    ("value", "utm_medium", "cpc", "搜索竞价"),
    ("value", "utm_medium", "kol", "达人合作"),
    ("value", "utm_medium", "push", "App 推送"),
    ("value", "utm_medium", "sms", "短信"),
    ("value", "utm_campaign", "double11_presale", "双11 预售"),
    ("value", "utm_campaign", "always_on", "日常投放"),
]


@dataclass(frozen=True)
class DemoResult:
    """The demo workspace and the login to print."""

    workspace: Workspace
    username: str
    password: str
    url: str
    # False: the demo workspace existed and was left as it was; password is then the one
    # asked for, which the accounts may no longer have.
    created: bool


def demo_url() -> str:
    return f"{settings.SITE_URL}/w/{SLUG}/"


def demo_email(username: str) -> str:
    return f"{username}@{data.EMAIL_DOMAIN}"


def get_demo_workspace() -> Workspace | None:
    return Workspace.objects.filter(slug=SLUG).first()


def delete_demo() -> bool:
    """Delete the demo workspace and the demo accounts that belong to no other workspace."""
    workspace = get_demo_workspace()
    if workspace is None:
        return False
    # The events live outside the database, so they go first, by their persons; the
    # flusher forgets the persons it knows (persons_changing).
    with persons_changing():
        persons = list(Person.objects.filter(workspace=workspace).values_list("pk", flat=True))
        if persons:
            get_store().delete_persons(workspace.pk, persons)
        with transaction.atomic():
            # Items first: Item.state is PROTECT, which blocks the cascade through the states.
            Item.objects.filter(workspace=workspace).delete()
            workspace.delete()
        User.objects.filter(
            username__in=[username for username, _name, _role in data.PEOPLE],
            email__endswith="@" + data.EMAIL_DOMAIN,
            memberships__isnull=True,
        ).delete()
        record_audit(actor=None, action="demo.delete", target=SLUG)
    return True


def load_demo(
    *, password: str | None = None, today: date | None = None, reset: bool = False
) -> DemoResult:
    """Create the demo workspace; leave an existing one alone unless reset is given."""
    password = password or DEFAULT_PASSWORD
    with transaction.atomic():
        if reset:
            delete_demo()
        workspace = get_demo_workspace()
        if workspace is None:
            # A Chinese team: what the actions write in the actor's language (a converted
            # action item's description, default names) is written in Chinese.
            with translation.override("zh-hans"):
                workspace = _Loader(today or timezone.localdate(), password).load()
            created = True
        else:
            created = False
    return DemoResult(workspace, data.OWNER, password, demo_url(), created)


class _Loader:
    """One load of the demo: the records of data.py, in order, through the actions."""

    def __init__(self, today: date, password: str) -> None:
        self.today = today
        self.password = password
        self.rng = random.Random(data.SEED)  # noqa: S311 (repeatable demo data, not secrets)
        self.users: dict[str, User] = {}
        self.members: dict[str, Membership] = {}
        self.labels: dict[str, Label] = {}
        self.projects: dict[str, Project] = {}
        self.items: dict[str, Item] = {}
        self.comments: dict[str, list[Comment]] = {}

    def load(self) -> Workspace:
        hashed = make_password(self.password)
        for username, name, _role in data.PEOPLE:
            self.users[username] = self._account(username, name, hashed)
        owner = self.users[data.OWNER]
        workspace = do_create_workspace(actor=owner, slug=SLUG, name=data.WORKSPACE["name"])
        for username, _name, role in data.PEOPLE:
            self.members[username] = self._join(workspace, self.users[username], role)
        lead = self.members[data.OWNER]
        for name, color in data.LABELS:
            self.labels[name] = do_create_label(actor=lead, data=LabelIn(name=name, color=color))
        for spec in data.PROJECTS:
            self._project(spec)
        self._conversation()
        self._files()
        self._meetings()
        self._planning()
        self._fields()
        self._capacity()
        # Last: the events are written outside the database's transaction.
        self._events(workspace)
        self._portfolio()
        self._decisions()
        self._reports()
        # Channels, partners, content, money and templates (opsloop/demo/operations.py).
        load_operations(
            today=self.today,
            members=self.members,
            projects=self.projects,
            items=self.items,
            event_days=data.EVENTS["days"],
        )
        # The demo's people are made up: the notifications its loading made stay in the
        # inbox, and none of them is emailed.
        do_cancel_pending_email(workspace_id=workspace.pk)
        return workspace

    def _account(self, username: str, name: str, hashed: str) -> User:
        user = User.objects.filter(username__iexact=username).first()
        if user is None:
            # A Chinese team: what reaches them while away is written in Chinese.
            user = User.objects.create(
                username=username,
                email=demo_email(username),
                display_name=name,
                password=hashed,
                last_language="zh-hans",
            )
            record_audit(actor=user, action="user.signup", target=username, demo=True)
            return user
        if user.email != demo_email(username):
            raise Conflict(
                _("The username %(username)s belongs to an account outside the demo.")
                % {"username": username}
            )
        user.display_name, user.password = name, hashed
        user.save(update_fields=["display_name", "password"])
        return user

    def _join(self, workspace: Workspace, user: User, role: str) -> Membership:
        # The demo's people join without the emailed invitation; the audit row is the same.
        membership = Membership.objects.filter(workspace=workspace, user=user).first()
        if membership is None:
            membership = Membership.objects.create(workspace=workspace, user=user, role=role)
            record_audit(
                actor=user,
                action="member.join",
                workspace=workspace,
                target=user.username,
                role=role,
            )
        membership.workspace = workspace
        membership.user = user
        return membership

    def _day(self, offset: int | None) -> date | None:
        return None if offset is None else self.today + timedelta(days=offset)

    def _project(self, spec: dict) -> None:
        lead = self.members[data.OWNER]
        project = do_create_project(
            actor=lead,
            data=ProjectIn(
                name=spec["name"],
                key=spec["key"],
                kind=spec["kind"],
                goal=spec["goal"],
                scope=spec["scope"],
                start_date=self._day(spec["start"]),
                end_date=self._day(spec["end"]),
                budget=Decimal(spec["budget"]),
                owner_id=self.users[spec["owner"]].pk,
                visibility=spec["visibility"],
                member_ids=[self.users[u].pk for u in spec["members"].split()],
            ),
        )
        # Step through the life cycle as a team would, so the history shows it.
        for stage in STAGE_ORDER[1 : STAGE_ORDER.index(spec["stage"]) + 1]:
            project = do_update_project(actor=lead, project=project, data=ProjectPatch(stage=stage))
        names = {**data.STATE_NAMES, **spec["states"]}
        for state in list_states(project):
            do_update_state(actor=lead, state=state, data=StatePatch(name=names[state.group]))
        for name, group, color in spec["extra_states"]:
            do_create_state(
                actor=lead, project=project, data=StateIn(name=name, group=group, color=color)
            )
        self.projects[project.key] = project
        states = list(list_states(project))
        owner = self.members[spec["owner"]]
        items = spec["items"]
        # Top-level items first, so their numbers follow the list (the text refers to them).
        parents = [self._item(project, states, owner, item) for item in items]
        for parent, item in zip(parents, items, strict=True):
            for child in item.children:
                self._item(project, states, owner, child, parent)

    def _item(
        self,
        project: Project,
        states: list[State],
        owner: Membership,
        spec: ItemSpec,
        parent: Item | None = None,
    ) -> Item:
        creator = self.members[spec.by] if spec.by else owner
        who = spec.who.split()
        target = self._state(states, spec.state)
        # Ideas are filed straight into the backlog; other work starts in the default state.
        filed = target if target.group == StateGroup.BACKLOG else None
        item = do_create_item(
            actor=creator,
            project=project,
            data=ItemIn(
                title=spec.title,
                description=dedent(spec.desc).strip(),
                priority=spec.priority,
                assignee_ids=[self.users[u].pk for u in who],
                label_ids=[self.labels[name].pk for name in spec.labels.split()],
                start_date=self._day(spec.start),
                due_date=self._day(spec.due),
                estimate_hours=Decimal(str(spec.hours)) if spec.hours is not None else None,
                parent_id=parent.pk if parent else None,
                state_id=filed.pk if filed else None,
            ),
        )
        # The first assignee who may edit moves the item along; a guest's items, their creator.
        mover = next(
            (self.members[u] for u in who if self.members[u].at_least(Role.MEMBER)), creator
        )
        steps = [] if filed else self._path(states, target)
        for i, state in enumerate(steps):
            patch = ItemPatch(state_id=state.pk)
            if i == len(steps) - 1 and state.group != StateGroup.DONE:
                patch = ItemPatch(state_id=state.pk, progress=self._progress(spec, state))
            item = do_update_item(actor=mover, item=item, data=patch)
        self._backdate(item, spec)
        self.items[spec.title] = item
        self.comments[spec.title] = [
            do_add_comment(actor=self.members[author], item=item, body=dedent(body).strip())
            for author, body in spec.comments
        ]
        return item

    def _backdate(self, item: Item, spec: ItemSpec) -> None:
        """Spread the item's history over its dates, as if the team had worked it.

        The actions stamp everything with the moment of loading; the burn-up, the
        activity timeline and "done early or late" read those stamps, so the demo moves
        them back: created at the start (or a few days before the due date), each state
        change spaced out up to the due date, never after today."""
        now = timezone.now()
        due = self._day(spec.due)
        # Undated ideas were filed some days into the project.
        filed = (item.project.start_date or self.today) + timedelta(days=self.rng.randint(3, 15))
        start = self._day(spec.start) or (due - timedelta(days=3) if due else filed)
        if start >= self.today:
            # Work planned ahead was put on the plan some days ago.
            start = self.today - timedelta(days=self.rng.randint(1, 10))
        begin = timezone.make_aware(datetime.combine(min(start, self.today), time(9, 30)))
        end_day = min(due or self.today, self.today)
        end = timezone.make_aware(datetime.combine(end_day, time(18, 0)))
        end = max(min(end, now), begin)
        history = list(Activity.objects.filter(item=item).order_by("created_at", "id"))
        if not history:
            return
        step = (end - begin) / max(1, len(history) - 1)
        for i, entry in enumerate(history):
            entry.created_at = begin + step * i
        Activity.objects.bulk_update(history, ["created_at"])
        last = history[-1].created_at
        fields = {"created_at": begin, "updated_at": last}
        if item.completed_at is not None:
            fields["completed_at"] = last
        Item.objects.filter(pk=item.pk).update(**fields)
        for name, value in fields.items():
            setattr(item, name, value)

    def _conversation(self) -> None:
        """Replies and reactions on item comments, project comments, discussions."""
        for title, index, who, body in data.REPLIES:
            parent = self.comments[title][index]
            do_add_comment(
                actor=self.members[who], item=self.items[title], body=body, parent_id=parent.pk
            )
        for title, index, who, emoji in data.REACTIONS:
            do_react(actor=self.members[who], comment=self.comments[title][index], emoji=emoji)
        for key, who, body in data.PROJECT_COMMENTS:
            do_add_comment(actor=self.members[who], project=self.projects[key], body=body)
        for spec in data.DISCUSSIONS:
            project = self.projects[spec["project"]]
            (first_author, first), *rest = spec["posts"]
            discussion = do_start_discussion(
                actor=self.members[first_author], project=project, title=spec["title"], body=first
            )
            for who, body in rest:
                do_add_comment(actor=self.members[who], discussion=discussion, body=body)

    def _files(self) -> None:
        """A file library per project: folders, files with versions, attachments to items."""
        folders: dict[tuple[str, str], Folder] = {}
        for key, name in data.FOLDERS:
            owner = self.members[self.projects[key].owner.username]
            folders[key, name] = do_create_folder(
                actor=owner, project=self.projects[key], data=FolderIn(name=name)
            )
        for spec in data.FILES:
            actor = self.members[spec["by"]]
            project = self.projects[spec["project"]]
            place = Place(project=project, folder=folders.get((spec["project"], spec["folder"])))
            file = do_upload_file(
                actor=actor, place=place, content=self._content(spec, 0), name=spec["name"]
            )
            for number, note in enumerate(spec["versions"], 1):
                do_upload_version(
                    actor=actor,
                    file=file,
                    content=self._content(spec, number),
                    name=spec["name"],
                    note=note,
                )
            if spec["item"]:
                item = self.items[spec["item"]]
                do_upload_file(
                    actor=actor,
                    place=Place(project=project, item=item),
                    content=self._content(spec, len(spec["versions"])),
                    name=spec["name"],
                )

    def _meetings(self) -> None:
        """Meetings with agenda, minutes, decisions and action items, some made work items."""
        for spec in data.MEETINGS:
            organizer = self.members[spec["organizer"]]
            # From next Monday: the weekly sync's latest occurrence is this week's, its
            # next one is coming up.
            monday = self.today + timedelta(days=7 - self.today.weekday())
            day = monday + timedelta(days=spec["day"])
            starts = timezone.make_aware(datetime.combine(day, time(*spec["time"])))
            meeting = do_create_meeting(
                actor=organizer,
                data=MeetingIn(
                    title=spec["title"],
                    kind=spec["kind"],
                    project_key=spec["project"] or None,
                    starts_at=starts,
                    ends_at=starts + timedelta(minutes=spec["minutes_long"]),
                    location=spec["location"],
                    attendee_ids=[self.users[u].pk for u in spec["attendees"].split()],
                    recurrence=spec["recurrence"],
                    minutes=dedent(spec["minutes"]).strip(),
                ),
            )
            for title, owner, done in spec["agenda"]:
                topic = do_add_agenda_item(
                    actor=organizer,
                    meeting=meeting,
                    data=AgendaItemIn(title=title, owner_id=self.users[owner].pk),
                )
                if done:
                    do_update_agenda_item(
                        actor=organizer, topic=topic, data=AgendaItemPatch(done=True)
                    )
            for text in spec["decisions"]:
                do_add_decision(actor=organizer, meeting=meeting, data=DecisionIn(text=text))
            for title, owner, due, convert in spec["actions"]:
                action = do_add_action_item(
                    actor=organizer,
                    meeting=meeting,
                    data=ActionItemIn(
                        title=title, owner_id=self.users[owner].pk, due_date=self._day(due)
                    ),
                )
                if convert:
                    do_convert_action_item(actor=organizer, action=action)
            if spec["next"]:
                do_create_next_occurrence(actor=organizer, meeting=meeting)

    def _planning(self) -> None:
        """Finish-to-start links between items, and milestones with their items."""
        for blocker, blocked in data.DEPENDENCIES:
            source, target = self.items[blocker], self.items[blocked]
            owner = self.members[source.project.owner.username]
            do_add_dependency(actor=owner, source=source, target=target)
        for key, name, day, titles in data.MILESTONES:
            project = self.projects[key]
            do_create_milestone(
                actor=self.members[project.owner.username],
                project=project,
                data=MilestoneIn(
                    name=name,
                    date=self._day(day),
                    item_refs=[self.items[title].ref for title in titles],
                ),
            )

    def _fields(self) -> None:
        """Two custom fields with values on D11's first items, and a view grouped by one."""
        lead = self.members[data.OWNER]
        project = self.projects["D11"]
        channel = do_create_field(
            actor=lead,
            project=project,
            data=CustomFieldIn(
                name="渠道",
                type="select",
                options=[OptionIn(label=label, color=color) for label, color in data.CHANNELS],
            ),
        )
        budget = do_create_field(
            actor=lead, project=None, data=CustomFieldIn(name="预算", type="number")
        )
        options = [option["id"] for option in channel.options]
        items = Item.objects.filter(project=project).order_by("number")[: data.FIELD_ITEMS]
        for i, item in enumerate(items):
            values = {str(channel.pk): options[i % len(options)], str(budget.pk): 5000 + 2500 * i}
            do_update_item(actor=lead, item=item, data=ItemPatch(custom_fields=values))
        do_create_view(
            actor=lead,
            project=project,
            data=SavedViewIn(
                name="按渠道看",
                shared=True,
                query=f"group=cf_{channel.pk}&columns=state,assignees,due,cf_{budget.pk}",
            ),
        )

    def _capacity(self) -> None:
        """Skills and weekly hours of the team, and some time logged on the campaign."""
        lead = self.members[data.OWNER]
        skills = {
            name: do_create_skill(actor=lead, data=SkillIn(name=name, color=color))
            for name, color in data.SKILLS
        }
        for username, (names, hours) in data.PROFILES.items():
            do_update_profile(
                actor=lead,
                member=self.members[username],
                data=ProfilePatch(
                    weekly_capacity=Decimal(hours), skill_ids=[skills[n].pk for n in names]
                ),
            )
        for title, who, days_ago, duration, note in data.TIME_LOGS:
            do_log_time(
                actor=self.members[who],
                item=self.items[title],
                data=TimeEntryIn(
                    spent_on=self.today - timedelta(days=days_ago), duration=duration, note=note
                ),
            )

    def _events(self, workspace: Workspace) -> None:
        """The app's sources and 90 days of its users' events, the same every load."""
        lead = self.members[data.OWNER]
        sources = [
            do_create_source(actor=lead, data=SourceIn(name=name, kind=kind)).source
            for name, kind in data.EVENT_SOURCES
        ]
        generate(
            workspace=workspace,
            seed=data.SEED,
            # Up to yesterday's end: live events then shows what is sent from now on first.
            end=self.today - timedelta(days=1),
            sources=sources,
            **data.EVENTS,
        )
        for insight in data.INSIGHTS:
            do_save_insight(actor=lead, **insight)
        for kind, key, value, name in DISPLAY_NAMES:
            do_set_display_name(actor=lead, kind=kind, key=key, value=value, name=name)
        self._goals(workspace)

    def _goals(self, workspace: Workspace) -> None:
        """The KPIs (computed from the saved insights and the work, or entered by hand)
        and this quarter's objectives, each key result's target a lift on its KPI's
        latest value."""
        lead = self.members[data.OWNER]
        insights = {i.name: i for i in Insight.objects.filter(workspace=workspace)}
        kpis = {}
        for spec in data.KPIS:
            definition = dict(spec.get("definition") or {})
            if "projects" in definition:
                definition["project_ids"] = [
                    self.projects[k].pk for k in definition.pop("projects")
                ]
            kpi = goal_actions.do_create_kpi(
                actor=lead,
                today=self.today,
                data=KpiIn(
                    name=spec["name"],
                    unit=spec["unit"],
                    source=spec["source"],
                    insight_id=insights[spec["insight"]].pk if "insight" in spec else None,
                    definition=definition,
                ),
            )
            if "values" in spec:
                grow = spec["values"]
                values = []
                for n in range(grow["days"]):
                    day = self.today - timedelta(days=grow["days"] - 1 - n)
                    values.append(
                        (day, float(grow["start"] + grow["gain"] * n + self.rng.randint(-40, 40)))
                    )
                goal_actions.do_record_kpi_values(actor=lead, kpi=kpi, values=values)
            kpis[spec["name"]] = kpi
        quarter = self.today.replace(month=(self.today.month - 1) // 3 * 3 + 1, day=1)
        for spec in data.OBJECTIVES:
            objective = goal_actions.do_create_objective(
                actor=lead,
                data=ObjectiveIn(
                    title=spec["title"],
                    start_date=quarter,
                    level="team" if spec.get("team") else "workspace",
                    team=spec.get("team", ""),
                ),
            )
            for kr in spec["key_results"]:
                kpi = kpis[kr["kpi"]]
                values = list(
                    KpiValue.objects.filter(kpi=kpi, day__gte=quarter)
                    .order_by("day")
                    .values_list("value", flat=True)
                )
                first, latest = (values[0], values[-1]) if values else (0.0, 0.0)
                # A count (人, 个) has a whole target: 60,425 people, never 60,424.57.
                digits = 2 if kpi.unit == "%" else 0
                made = goal_actions.do_add_key_result(
                    actor=lead,
                    objective=objective,
                    data=KeyResultIn(
                        title=kr["title"],
                        kpi_id=kpi.pk,
                        start_value=round(first, digits),
                        target_value=round(latest * kr["lift"], digits),
                        weight=kr.get("weight", 1),
                    ),
                )
                if kr.get("projects"):
                    goal_actions.do_link_work(
                        actor=lead,
                        key_result=made,
                        data=LinksIn(project_ids=[self.projects[k].pk for k in kr["projects"]]),
                    )

    def _portfolio(self) -> None:
        """A workspace dashboard with the portfolio of the campaigns and growth projects
        under way, beside a note on what to look at; the portfolio page itself shows the
        demo's projects with their budgets, milestones and linked key results."""
        from opsloop.dashboards.actions import do_add_tile, do_create_dashboard

        lead = self.members[data.OWNER]
        board = do_create_dashboard(
            actor=lead, name="项目组合周会", description="每周一过一遍进行中的活动与增长项目"
        )
        do_add_tile(
            actor=lead,
            dashboard=board,
            data={
                "kind": "portfolio",
                "title": "进行中的活动与增长项目",
                "options": {"kind": ["campaign", "growth"]},
            },
        )
        do_add_tile(
            actor=lead,
            dashboard=board,
            data={
                "kind": "note",
                "text": "**看什么**：逾期里程碑与风险事项多的项目先讲；预算花费在记录花费后出现。",
                "w": 12,
                "h": 2,
            },
        )

    def _decisions(self) -> None:
        """Decision records of the team (opsloop/decisions): one being scored, one decided
        with its work items and a review date, and one reviewed."""
        from opsloop.decisions import actions as decision_actions
        from opsloop.decisions.models import DecisionRecord
        from opsloop.decisions.schemas import (
            CriterionIn,
            DecideIn,
            DecisionOptionIn,
            DecisionRecordIn,
            DecisionReviewIn,
            ScoreIn,
        )
        from opsloop.goals.models import Kpi

        kpis = {
            k.name: k.pk for k in Kpi.objects.filter(workspace=self.members[data.OWNER].workspace)
        }
        for spec in data.DECISIONS:
            owner = self.members[spec["owner"]]
            record = decision_actions.do_create_record(
                actor=owner,
                data=DecisionRecordIn(
                    title=spec["title"],
                    project_key=spec["project"],
                    problem=spec["problem"],
                    context=spec["context"],
                    scorer_ids=[self.users[u].pk for u in spec["scorers"].split()],
                    kpi_ids=[kpis[name] for name in spec["kpis"] if name in kpis],
                    work_refs=[self.items[t].ref for t in spec.get("work", []) if t in self.items],
                ),
            )
            options = [
                decision_actions.do_add_option(
                    actor=owner, record=record, data=DecisionOptionIn(title=title)
                )
                for title in spec["options"]
            ]
            criteria = [
                decision_actions.do_add_criterion(
                    actor=owner, record=record, data=CriterionIn(title=title, weight=weight)
                )
                for title, weight in spec["criteria"]
            ]
            decision_actions.do_set_status(actor=owner, record=record, status="scoring")
            for username, rows in spec["scores"].items():
                decision_actions.do_score(
                    actor=self.members[username],
                    record=record,
                    scores=[
                        ScoreIn(option_id=options[i].pk, criterion_id=criteria[j].pk, value=value)
                        for i, row in enumerate(rows)
                        for j, value in enumerate(row)
                        if value
                    ],
                )
            if "decided" not in spec:
                continue
            decided = spec["decided"]
            decision_actions.do_decide(
                actor=owner,
                record=record,
                data=DecideIn(
                    option_id=options[decided["option"]].pk,
                    rationale=decided["why"],
                    review_on=self._day(decided["review"]),
                ),
            )
            # Taken some days ago, so its KPIs have a before and an after.
            when = timezone.make_aware(datetime.combine(self._day(decided["ago"]), time(18)))
            DecisionRecord.objects.filter(pk=record.pk).update(decided_at=when)
            record.decided_at = when
            if "review" in spec:
                outcome, note = spec["review"]
                decision_actions.do_review(
                    actor=owner, record=record, data=DecisionReviewIn(outcome=outcome, note=note)
                )

    @staticmethod
    def _content(spec: dict, version: int) -> ContentFile:
        if spec["kind"] == "pdf":
            return ContentFile(assets.text_pdf(spec["lines"]))
        top, bottom = spec["colours"]
        # Each version a shade lighter, so versions differ as a designer's would.
        lift = 18 * version
        top = tuple(min(255, c + lift) for c in top)
        return ContentFile(assets.banner_png(800, 450, top, bottom))

    @staticmethod
    def _state(states: list[State], name: str) -> State:
        """The state called name, or else the first state of the group called name."""
        return next((s for s in states if s.name == name), None) or next(
            s for s in states if s.group == name
        )

    @staticmethod
    def _path(states: list[State], target: State) -> list[State]:
        """The states an item passes through from the default state to target, in order."""
        first: dict[str, State] = {}
        for state in states:
            first.setdefault(state.group, state)
        if target.is_default:
            return []
        if target.group not in WORKING:
            return [target]
        path = [first[StateGroup.IN_PROGRESS]]
        if target.group == StateGroup.IN_REVIEW:
            path.append(first[StateGroup.IN_REVIEW])
        return path if path[-1] == target else [*path, target]

    def _progress(self, spec: ItemSpec, state: State) -> int:
        if spec.progress is not None:
            return spec.progress
        if state.group == StateGroup.IN_PROGRESS:
            return self.rng.choice([20, 30, 40, 50, 60])
        if state.group == StateGroup.IN_REVIEW:
            return self.rng.choice([80, 85, 90])
        return 0

    def _reports(self) -> None:
        """The weekly report (运营周报, Mondays 9:00) with its last three weeks written,
        reviewed and published, and the monthly review (月度运营复盘) with last month's
        draft; their numbers computed from the demo's own data (opsloop/reports)."""
        from opsloop.goals.models import Kpi, Objective
        from opsloop.reports import actions as report_actions
        from opsloop.reports.periods import month_of, week_of
        from opsloop.reports.schemas import ReportTemplateIn

        lead, hao = self.members[data.OWNER], self.members["hao"]
        workspace = lead.workspace
        kpis = {k.name: k.pk for k in Kpi.objects.filter(workspace=workspace)}
        insight = Insight.objects.filter(workspace=workspace, name="日活与下单用户").first()
        objective = Objective.objects.filter(workspace=workspace).order_by("pk").first()
        numbers = [
            {"kpi_id": kpis[name]}
            for name in ("日活跃用户", "公众号粉丝", "小红书粉丝")
            if name in kpis
        ]
        if insight is not None:
            numbers.append({"insight_id": insight.pk, "series": 1, "label": "下单用户（周合计）"})
        readers = [self.users[u].pk for u in ("amy", "kevin", "grace", "leo", "data")]
        weekly_blocks = [
            {"kind": "heading", "text": "{team} 运营周报 {period}"},
            {"kind": "text", "markdown": "本周（{start} 至 {end}）概况：……"},
            {"kind": "numbers", "title": "核心指标", "rows": numbers},
        ]
        if "日活跃用户" in kpis:
            weekly_blocks.append({"kind": "kpi", "kpi_id": kpis["日活跃用户"]})
        if insight is not None:
            weekly_blocks.append({"kind": "insight", "insight_id": insight.pk})
        if objective is not None:
            weekly_blocks.append({"kind": "objective", "objective_id": objective.pk})
        weekly_blocks += [
            {"kind": "heading", "text": "项目进展"},
            {"kind": "project_progress", "project_id": self.projects["D11"].pk},
            {"kind": "project_progress", "project_id": self.projects["CNT"].pk},
            {"kind": "decisions", "title": "本周决策"},
            {"kind": "text", "markdown": "### 下周重点\n- ……"},
        ]
        weekly = report_actions.do_create_template(
            actor=lead,
            data=ReportTemplateIn(
                name="运营周报",
                description="每周一 9:00 自动起草，林晓撰写，孙浩审核后发给团队。",
                blocks=weekly_blocks,
                schedule="weekly",
                weekday=0,
                hour=9,
                reviewer_ids=[self.users["hao"].pk],
                subscriber_ids=readers,
            ),
        )
        notes = [
            "双11 预热期：日活随预售稳步上升，首单转化率受新渠道拉低；"
            "主会场海报延期两天，已调整排期。",
            "预售开启：小红书种草笔记带来明显的新客，公众号涨粉放缓；"
            "直播脚本仍在评审，需要设计支持。",
            "大促冲刺：核心指标全部上行，渠道投放 ROI 下降，需要控制信息流预算；"
            "KOL 合作名单已锁定。",
        ]
        for weeks_back, note in zip((3, 2, 1), notes, strict=True):
            period = week_of(self.today - timedelta(days=7 * weeks_back))
            report, _made = report_actions.do_draft_report(
                template=weekly, period=period, actor=lead
            )
            report_actions.do_edit_text(actor=lead, report=report, index=1, markdown=note)
            report_actions.do_submit(actor=lead, report=report)
            report_actions.do_review(
                actor=hao, report=report, approve=True, note="数据已核对，可以发。"
            )
            report_actions.do_publish(actor=lead, report=report, deliver=False)
        monthly = report_actions.do_create_template(
            actor=lead,
            data=ReportTemplateIn(
                name="月度运营复盘",
                description="每月 1 日 10:00 起草上个月的复盘。",
                blocks=[
                    {"kind": "heading", "text": "{team} {period} 月度运营复盘"},
                    {
                        "kind": "text",
                        "markdown": "### 本月结论\n……\n\n### 做得好的\n- ……\n\n### 要改进的\n- ……",
                    },
                    {"kind": "numbers", "title": "核心指标（环比）", "rows": numbers},
                    *([{"kind": "objective", "objective_id": objective.pk}] if objective else []),
                    {"kind": "portfolio", "title": "项目组合"},
                    {"kind": "decisions", "title": "本月决策"},
                ],
                schedule="monthly",
                day=1,
                hour=10,
                reviewer_ids=[self.users["hao"].pk],
                subscriber_ids=readers,
            ),
        )
        report_actions.do_draft_report(
            template=monthly,
            period=month_of(self.today.replace(day=1) - timedelta(days=1)),
            actor=lead,
        )
