"""Reads of comments, reactions, versions, timelines and discussions, with access checks.

A thread is where comments live: an item, a project (item empty) or a discussion. Every
read starts from a thread the caller may see (work.queries does the project check), so a
comment id from elsewhere is simply not found."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import CharField, Q, QuerySet, Value
from django.urls import reverse
from django.utils.translation import gettext as _

from opsloop.collab.models import EMOJI, Comment, CommentVersion, Discussion, Reaction
from opsloop.core.errors import NotFound
from opsloop.core.models import Membership, User
from opsloop.core.paging import Paged, page_numbers
from opsloop.core.queries import access_workspace
from opsloop.work import history
from opsloop.work.models import Activity, Item, Project
from opsloop.work.queries import access_item, access_project, assignable_users, visible_projects

MAX_PER_PAGE = 100


@dataclass(frozen=True)
class Thread:
    """The item, project or discussion a comment belongs to, as the caller reaches it."""

    membership: Membership
    project: Project
    item: Item | None = None
    discussion: Discussion | None = None

    @property
    def slug(self) -> str:
        return self.membership.workspace.slug

    def comments(self) -> QuerySet[Comment]:
        comments = Comment.objects.filter(project=self.project)
        if self.item is not None:
            return comments.filter(item=self.item)
        if self.discussion is not None:
            return comments.filter(discussion=self.discussion)
        return comments.filter(item__isnull=True, discussion__isnull=True)

    @property
    def url(self) -> str:
        if self.item is not None:
            return reverse("item_detail", args=[self.slug, self.item.ref])
        if self.discussion is not None:
            return reverse("discussion", args=[self.slug, self.project.key, self.discussion.pk])
        return reverse("project_activity", args=[self.slug, self.project.key])

    @property
    def name(self) -> str:
        """How notifications name the thread."""
        if self.item is not None:
            return f"{self.item.ref} {self.item.title}"
        if self.discussion is not None:
            return self.discussion.title
        return f"{self.project.key} {self.project.name}"


def access_item_thread(user: User, slug: str, ref: str) -> Thread:
    access = access_item(user, slug, ref)
    return Thread(access.membership, access.item.project, item=access.item)


def access_project_thread(user: User, slug: str, key: str) -> Thread:
    access = access_project(user, slug, key)
    return Thread(access.membership, access.project)


def access_discussion(user: User, slug: str, key: str, discussion_id: int) -> Thread:
    access = access_project(user, slug, key)
    discussion = (
        Discussion.objects.select_related("author")
        .filter(project=access.project, pk=discussion_id)
        .first()
    )
    if discussion is None:
        raise NotFound(_("Discussion not found."))
    discussion.project = access.project
    return Thread(access.membership, access.project, discussion=discussion)


def access_comment(user: User, slug: str, comment_id: int) -> tuple[Thread, Comment]:
    """A comment by id, with its thread, for pages that act on one comment."""
    membership = access_workspace(user, slug)
    comment = (
        Comment.objects.select_related("author", "project", "item", "discussion")
        .filter(
            workspace_id=membership.workspace_id,
            project__in=visible_projects(membership),
            pk=comment_id,
            deleted_at__isnull=True,
        )
        .first()
    )
    if comment is None:
        raise NotFound(_("Comment not found."))
    project = comment.project
    project.workspace = membership.workspace
    if comment.item is not None:
        comment.item.project = project
    return Thread(membership, project, comment.item, comment.discussion), comment


def get_comment(thread: Thread, comment_id: int) -> Comment:
    """A live comment of the thread; a deleted one or one from elsewhere is not found."""
    comment = (
        thread.comments()
        .select_related("author")
        .filter(pk=comment_id, deleted_at__isnull=True)
        .first()
    )
    if comment is None:
        raise NotFound(_("Comment not found."))
    comment.project, comment.item, comment.discussion = (
        thread.project,
        thread.item,
        thread.discussion,
    )
    return comment


def get_project_comment(thread: Thread, comment_id: int) -> Comment:
    """A live comment anywhere in the thread's project: on it, an item or a discussion."""
    comment = (
        Comment.objects.select_related("author", "item", "discussion")
        .filter(project=thread.project, pk=comment_id, deleted_at__isnull=True)
        .first()
    )
    if comment is None:
        raise NotFound(_("Comment not found."))
    comment.project = thread.project
    if comment.item is not None:
        comment.item.project = thread.project
    return comment


def comment_url(thread: Thread, comment: Comment) -> str:
    return f"{thread.url}#comment-{comment.pk}"


# --- loading comments with their replies, reactions and versions in a fixed number of queries


@dataclass
class ReactionSummary:
    emoji: str
    users: list[User] = field(default_factory=list)
    mine: bool = False

    @property
    def count(self) -> int:
        return len(self.users)

    @property
    def names(self) -> str:
        return ", ".join(u.label for u in self.users)


def load_comments(comments: list[Comment], *, me: User | None = None) -> list[Comment]:
    """Attach replies (oldest first), reactions and earlier versions to top-level comments:
    four queries however many comments, replies and reactions there are."""
    ids = [c.pk for c in comments]
    replies: dict[int, list[Comment]] = defaultdict(list)
    for reply in Comment.objects.filter(parent_id__in=ids).select_related("author"):
        replies[reply.parent_id].append(reply)  # type: ignore[index]
    everything = [*comments, *(r for rs in replies.values() for r in rs)]
    all_ids = [c.pk for c in everything]
    reactions: dict[int, dict[str, ReactionSummary]] = defaultdict(dict)
    for reaction in Reaction.objects.filter(comment_id__in=all_ids).select_related("user"):
        summary = reactions[reaction.comment_id].setdefault(
            reaction.emoji, ReactionSummary(reaction.emoji)
        )
        summary.users.append(reaction.user)
        summary.mine = summary.mine or (me is not None and reaction.user_id == me.pk)
    versions: dict[int, list[CommentVersion]] = defaultdict(list)
    for version in CommentVersion.objects.filter(comment_id__in=all_ids).select_related(
        "replaced_by"
    ):
        versions[version.comment_id].append(version)
    order = {emoji: i for i, emoji in enumerate(EMOJI)}
    for comment in everything:
        comment.reply_list = replies.get(comment.pk, [])  # type: ignore[attr-defined]
        comment.reaction_list = sorted(  # type: ignore[attr-defined]
            reactions.get(comment.pk, {}).values(), key=lambda s: order.get(s.emoji, 99)
        )
        comment.version_list = versions.get(comment.pk, [])  # type: ignore[attr-defined]
    return comments


def list_comments(thread: Thread, *, me: User | None = None) -> list[Comment]:
    """The thread's top-level comments, oldest first, each with its replies."""
    top = list(
        thread.comments()
        .filter(parent__isnull=True)
        .select_related("author")
        .order_by("created_at", "id")
    )
    return load_comments(top, me=me)


def list_versions(comment: Comment) -> QuerySet[CommentVersion]:
    return CommentVersion.objects.filter(comment=comment).select_related("replaced_by")


# --- timelines: comments and changes interleaved


@dataclass(frozen=True)
class Entry:
    """One line of a timeline: a comment (with its replies) or a change."""

    kind: str  # "comment" or "change"
    created_at: datetime
    comment: Comment | None = None
    change: Activity | None = None


@dataclass
class TimelinePage(Paged):
    entries: list[Entry]
    total: int
    page: int
    per_page: int


def _timeline(
    thread: Thread,
    changes: QuerySet[Activity],
    *,
    newest_first: bool,
    page: int | str | None,
    per_page: int | str | None,
    everything: bool = False,
    me: User | None = None,
) -> TimelinePage:
    """Top-level comments and changes, merged in one SQL query of (kind, id, time) that
    pages the union; then one query per kind of row, whatever the page size."""
    number, size = page_numbers(page, per_page, maximum=MAX_PER_PAGE)
    kind = Value("comment", output_field=CharField())
    comment_keys = (
        thread.comments()
        .filter(parent__isnull=True)
        .annotate(kind=kind)
        .order_by()
        .values_list("kind", "id", "created_at")
    )
    change_keys = (
        changes.annotate(kind=Value("change", output_field=CharField()))
        .order_by()
        .values_list("kind", "id", "created_at")
    )
    union = comment_keys.union(change_keys, all=True)
    order = ("-created_at", "-id") if newest_first else ("created_at", "id")
    if everything:
        keys = list(union.order_by(*order))
        total, number, size = len(keys), 1, max(len(keys), 1)
    else:
        total = union.count()
        offset = (number - 1) * size
        keys = list(union.order_by(*order)[offset : offset + size])
    comment_ids = [pk for k, pk, _t in keys if k == "comment"]
    change_ids = [pk for k, pk, _t in keys if k == "change"]
    comments = {
        c.pk: c
        for c in load_comments(
            list(Comment.objects.filter(pk__in=comment_ids).select_related("author")), me=me
        )
    }
    activities = {
        a.pk: a for a in Activity.objects.filter(pk__in=change_ids).select_related("actor", "item")
    }
    history.describe(activities.values())
    entries = []
    for k, pk, created_at in keys:
        if k == "comment":
            entries.append(Entry("comment", created_at, comment=comments[pk]))
        else:
            change = activities[pk]
            if change.item is not None:
                change.item.project = thread.project
            entries.append(Entry("change", created_at, change=change))
    return TimelinePage(entries, total, number, size)


def item_timeline(
    thread: Thread,
    *,
    page: int | str | None = 1,
    per_page: int | str | None = 50,
    everything: bool = False,
    me: User | None = None,
) -> TimelinePage:
    """An item's comments and field changes, oldest first."""
    assert thread.item is not None
    changes = Activity.objects.filter(item=thread.item)
    return _timeline(
        thread,
        changes,
        newest_first=False,
        page=page,
        per_page=per_page,
        everything=everything,
        me=me,
    )


def project_activity(
    thread: Thread,
    *,
    page: int | str | None = 1,
    per_page: int | str | None = 50,
    me: User | None = None,
) -> TimelinePage:
    """A project's comments and the changes to it and its items, newest first."""
    changes = Activity.objects.filter(project=thread.project)
    return _timeline(thread, changes, newest_first=True, page=page, per_page=per_page, me=me)


# --- mentions


def mentionable_users(project: Project) -> QuerySet[User]:
    """Members who can see the project: the only people a comment in it can mention."""
    return assignable_users(project).filter(is_active=True)


def search_mentionable(project: Project, q: str, *, limit: int = 8) -> list[User]:
    """Members who can see the project whose username or display name starts with q."""
    q = (q or "").strip().lstrip("@")
    users = mentionable_users(project)
    if q:
        users = users.filter(
            Q(username__istartswith=q)
            | Q(display_name__istartswith=q)
            | Q(first_name__istartswith=q)
            | Q(last_name__istartswith=q)
        )
    return list(users[:limit])


def resolve_mentions(project: Project, usernames: Iterable[str]) -> list[User]:
    """The members among the named ones who can see the project; anyone else is nobody."""
    wanted = {name.lower() for name in usernames}
    if not wanted:
        return []
    query = Q()
    for name in wanted:
        query |= Q(username__iexact=name)
    return list(mentionable_users(project).filter(query))


def resolve_refs(membership: Membership, refs: Iterable[str]) -> dict[str, str]:
    """Item URLs for the references whose items the writer can see; others stay text."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for ref in refs:
        key, _sep, number = ref.partition("-")
        wanted[key].add(int(number))
    if not wanted:
        return {}
    query = Q()
    for key, numbers in wanted.items():
        query |= Q(project__key=key, number__in=numbers)
    found = Item.objects.filter(query, project__in=visible_projects(membership)).values_list(
        "project__key", "number"
    )
    slug = membership.workspace.slug
    return {
        f"{key}-{number}": reverse("item_detail", args=[slug, f"{key}-{number}"])
        for key, number in found
    }


# --- discussions


@dataclass
class DiscussionPage(Paged):
    discussions: list[Discussion]
    total: int
    page: int
    per_page: int


def list_discussions(
    project: Project,
    *,
    closed: bool | None = None,
    page: int | str | None = 1,
    per_page: int | str | None = 50,
) -> DiscussionPage:
    """A project's discussions, most recently active first."""
    number, size = page_numbers(page, per_page, maximum=MAX_PER_PAGE)
    discussions = Discussion.objects.filter(project=project)
    if closed is not None:
        discussions = discussions.filter(closed=closed)
    total = discussions.count()
    offset = (number - 1) * size
    rows = list(
        discussions.select_related("author").order_by("-last_post_at", "-id")[
            offset : offset + size
        ]
    )
    for row in rows:
        row.project = project
    return DiscussionPage(rows, total, number, size)


def discussion_participants(discussion: Discussion) -> list[User]:
    """Everyone who has posted in the discussion, or started it."""
    ids = set(
        Comment.objects.filter(discussion=discussion, author__isnull=False).values_list(
            "author_id", flat=True
        )
    )
    if discussion.author_id:
        ids.add(discussion.author_id)
    return list(User.objects.filter(pk__in=ids, is_active=True))
