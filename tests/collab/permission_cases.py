"""Who may call this app's API routes and pages (see tests/test_api_permissions.py and
tests/test_page_permissions.py, which read this module)."""

from __future__ import annotations

from opsloop.collab import actions

ALL_READ = "200 200 200 200 404"
# Guests take part in the conversation of what is shared with them.
ALL_WRITE = "201 201 201 201 404"
# The world's comment is the owner's: only its author edits, its author or an admin deletes.
AUTHOR_EDITS = "200 403 403 403 404"
AUTHOR_OR_ADMIN_DELETES = "204 204 403 403 404"
EVERYONE_DELETES = "204 204 204 204 404"

ITEM_COMMENTS = "/workspaces/{slug}/items/{ref}/comments"
PROJECT_COMMENTS = "/workspaces/{slug}/projects/{key}/comments"
DISCUSSIONS = "/workspaces/{slug}/projects/{key}/discussions"


def _body(**fields):
    return lambda c: fields


def _one_comment_routes(base: str) -> dict:
    one = base + "/{comment_id}"
    return {
        ("PATCH", one): (AUTHOR_EDITS, _body(body="改")),
        ("DELETE", one): (AUTHOR_OR_ADMIN_DELETES, None),
        ("GET", one + "/versions"): (ALL_READ, None),
        ("POST", one + "/reactions"): (ALL_READ, _body(emoji="👍")),
        ("DELETE", one + "/reactions/{emoji}"): (EVERYONE_DELETES, None),
    }


# (method, path) -> (statuses of owner admin member guest outsider on a shared project, body)
API_ROUTES: dict = {
    ("GET", ITEM_COMMENTS): (ALL_READ, None),
    ("POST", ITEM_COMMENTS): (ALL_WRITE, _body(body="评论")),
    **_one_comment_routes(ITEM_COMMENTS),
    ("GET", PROJECT_COMMENTS): (ALL_READ, None),
    ("POST", PROJECT_COMMENTS): (ALL_WRITE, _body(body="项目评论")),
    # The world's comment is on the project's item: reached here as a comment of the project.
    **_one_comment_routes(PROJECT_COMMENTS),
    ("GET", "/workspaces/{slug}/items/{ref}/timeline"): (ALL_READ, None),
    ("GET", "/workspaces/{slug}/projects/{key}/activity"): (ALL_READ, None),
    ("GET", "/workspaces/{slug}/projects/{key}/mentionable"): (ALL_READ, None),
    ("GET", DISCUSSIONS): (ALL_READ, None),
    ("POST", DISCUSSIONS): (ALL_WRITE, _body(title="讨论", body="第一帖")),
    ("GET", DISCUSSIONS + "/{discussion_id}"): (ALL_READ, None),
    # The discussion is the owner's: its author, the project owner or an admin manage it.
    ("PATCH", DISCUSSIONS + "/{discussion_id}"): (
        "200 200 403 403 404",
        _body(title="改"),
    ),
    ("DELETE", DISCUSSIONS + "/{discussion_id}"): (AUTHOR_OR_ADMIN_DELETES, None),
    ("GET", DISCUSSIONS + "/{discussion_id}/posts"): (ALL_READ, None),
    ("POST", DISCUSSIONS + "/{discussion_id}/posts"): (ALL_WRITE, _body(body="回帖")),
}

OK_FOR_VIEWERS = dict(
    owner="ok", admin="ok", member="ok", guest=404, shared_guest="ok", outsider=404
)
PAGE_CASES: list = [
    ("POST", "item_comments", "/w/acme/i/D11-1/comments/", OK_FOR_VIEWERS),
    ("GET", "project_activity", "/w/acme/p/D11/activity/", OK_FOR_VIEWERS),
    ("POST", "project_activity", "/w/acme/p/D11/activity/", OK_FOR_VIEWERS),
    (
        "GET",
        "project_activity",
        "/w/acme/p/SEC/activity/",
        dict(
            owner="ok",
            admin="ok",
            member=404,
            guest=404,
            shared_guest=404,
            outsider=404,
        ),
    ),
    ("GET", "project_discussions", "/w/acme/p/D11/discussions/", OK_FOR_VIEWERS),
    ("POST", "project_discussions", "/w/acme/p/D11/discussions/", OK_FOR_VIEWERS),
    ("GET", "discussion", "/w/acme/p/D11/discussions/{discussion_id}/", OK_FOR_VIEWERS),
    (
        "POST",
        "discussion",
        "/w/acme/p/D11/discussions/{discussion_id}/",
        OK_FOR_VIEWERS,
    ),
    ("POST", "comment_action", "/w/acme/comments/{comment_id}/", OK_FOR_VIEWERS),
    (
        "POST",
        "comment_action",
        "/w/acme/comments/{secret_comment_id}/",
        dict(
            owner="ok",
            admin="ok",
            member=404,
            guest=404,
            shared_guest=404,
            outsider=404,
        ),
    ),
]
PAGE_POST_DATA: dict = {
    "item_comments": {"body": "页面评论"},
    "project_activity": {"body": "项目评论"},
    "project_discussions": {"title": "新讨论", "body": "第一帖"},
    "discussion": {"body": "回帖"},
    "comment_action": {"op": "react", "emoji": "👍"},
}


def project_context(*, owner_ms, project, item, tag) -> dict:
    """Ids the API routes above need, made in `project` (its names carry `tag`)."""
    discussion = actions.do_start_discussion(
        actor=owner_ms, project=project, title=f"{tag} 讨论", body=f"{tag} 帖子"
    )
    actions.do_add_comment(actor=owner_ms, project=project, body=f"{tag} 项目评论")
    return {"discussion_id": discussion.pk, "emoji": "👍"}


def page_context(*, owner_ms, project, item) -> dict:
    """Ids the pages above need, made in D11."""
    from opsloop.work.models import Item

    comment = actions.do_add_comment(actor=owner_ms, item=item, body="页面上的评论")
    discussion = actions.do_start_discussion(
        actor=owner_ms, project=project, title="复盘会讨论", body="大家怎么看？"
    )
    secret = Item.objects.get(project__key="SEC", number=1)
    secret_comment = actions.do_add_comment(actor=owner_ms, item=secret, body="机密预算评论")
    return {
        "comment_id": comment.pk,
        "discussion_id": discussion.pk,
        "secret_comment_id": secret_comment.pk,
    }
