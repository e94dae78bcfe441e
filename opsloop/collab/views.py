"""Pages of comments, project activity and discussions.

Every form posts and redirects back to the thread (to the comment's anchor), so the pages
work without JavaScript; Alpine only adds the @mention autocomplete to the editor."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opsloop.collab import actions, queries
from opsloop.collab.models import EMOJI
from opsloop.collab.schemas import CommentIn, CommentPatch, DiscussionIn, ReactionIn
from opsloop.core.errors import Invalid, OpsloopError
from opsloop.core.inputs import parse_input
from opsloop.core.models import Role
from opsloop.core.pages import form_data, page, raise_if_denied


def thread_context(request: HttpRequest, thread: queries.Thread) -> dict:
    """What the comment partials need: who is looking and what they may do."""
    membership = thread.membership
    return {
        "membership": membership,
        "workspace": membership.workspace,
        "project": thread.project,
        "thread": thread,
        "emoji": EMOJI,
        "is_admin": membership.at_least(Role.ADMIN),
        "mention_url": f"/api/v1/workspaces/{thread.slug}/projects/{thread.project.key}/mentionable",
        "nav": f"project:{thread.project.key}",
    }


def _add_comment(request: HttpRequest, thread: queries.Thread) -> HttpResponse:
    """Post the form's comment (or reply) to the thread and go back to it."""
    data = form_data(request, blank_is_none=("parent_id",))
    try:
        values = parse_input(CommentIn, data)
        comment = actions.do_add_comment(
            actor=thread.membership,
            item=thread.item,
            project=thread.project,
            discussion=thread.discussion,
            body=values.body,
            parent_id=values.parent_id,
        )
    except OpsloopError as exc:
        raise_if_denied(exc)
        messages.error(request, exc.message)
        return redirect(f"{thread.url}#comments")
    return redirect(queries.comment_url(thread, comment))


@login_required
@require_POST
@page
def item_comments(request: HttpRequest, slug: str, ref: str) -> HttpResponse:
    return _add_comment(request, queries.access_item_thread(request.user, slug, ref))


@login_required
@page
def project_activity(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    thread = queries.access_project_thread(request.user, slug, key)
    if request.method == "POST":
        return _add_comment(request, thread)
    error = None
    try:
        timeline = queries.project_activity(thread, page=request.GET.get("page"), me=request.user)
    except Invalid as exc:
        error, timeline = exc, queries.project_activity(thread, me=request.user)
    context = thread_context(request, thread) | {
        "timeline": timeline,
        "error": error,
        "view": "activity",
    }
    return TemplateResponse(
        request, "collab/project_activity.html", context, status=400 if error else 200
    )


@login_required
@page
def project_discussions(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    thread = queries.access_project_thread(request.user, slug, key)
    error, values = None, {}
    if request.method == "POST":
        values = form_data(request)
        try:
            data = parse_input(DiscussionIn, values)
            discussion = actions.do_start_discussion(
                actor=thread.membership, project=thread.project, title=data.title, body=data.body
            )
        except OpsloopError as exc:
            raise_if_denied(exc)
            error = exc
        else:
            return redirect("discussion", slug=slug, key=thread.project.key, pk=discussion.pk)
    state = request.GET.get("state", "open")
    closed = {"open": False, "closed": True}.get(state)
    try:
        listing = queries.list_discussions(
            thread.project, closed=closed, page=request.GET.get("page")
        )
    except Invalid as exc:
        error, listing = exc, queries.list_discussions(thread.project, closed=closed)
    context = thread_context(request, thread) | {
        "listing": listing,
        "state": state,
        "values": values,
        "error": error,
        "view": "discussions",
    }
    return TemplateResponse(
        request,
        "collab/project_discussions.html",
        context,
        status=error.status if error else 200,
    )


@login_required
@page
def discussion(request: HttpRequest, slug: str, key: str, pk: int) -> HttpResponse:
    thread = queries.access_discussion(request.user, slug, key, pk)
    assert thread.discussion is not None
    op = request.POST.get("op", "post")
    if request.method == "POST" and op == "post":
        return _add_comment(request, thread)
    if request.method == "POST":
        try:
            _discussion_op(request, thread, op)
        except OpsloopError as exc:
            raise_if_denied(exc)
            messages.error(request, exc.message)
        if op == "delete":
            return redirect("project_discussions", slug=slug, key=thread.project.key)
        return redirect(thread.url)
    context = thread_context(request, thread) | {
        "discussion": thread.discussion,
        "comments": queries.list_comments(thread, me=request.user),
        "can_manage": thread.discussion.author_id == request.user.pk
        or (
            thread.membership.at_least(Role.MEMBER)
            and (
                thread.membership.at_least(Role.ADMIN) or thread.project.owner_id == request.user.pk
            )
        ),
        "view": "discussions",
    }
    return TemplateResponse(request, "collab/discussion.html", context)


def _discussion_op(request: HttpRequest, thread: queries.Thread, op: str) -> None:
    assert thread.discussion is not None
    actor, discussion = thread.membership, thread.discussion
    if op in ("close", "reopen"):
        actions.do_update_discussion(actor=actor, discussion=discussion, closed=op == "close")
    elif op == "rename":
        actions.do_update_discussion(
            actor=actor, discussion=discussion, title=request.POST.get("title", "")
        )
    elif op == "delete":
        actions.do_delete_discussion(actor=actor, discussion=discussion)
        messages.success(request, _("Discussion deleted."))
    else:
        raise Invalid(_("Unknown operation."))


@login_required
@require_POST
@page
def comment_action(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Edit, delete or react to one comment, then go back to its thread."""
    thread, comment = queries.access_comment(request.user, slug, pk)
    op = request.POST.get("op")
    anchor = queries.comment_url(thread, comment)
    try:
        if op == "edit":
            data = parse_input(CommentPatch, form_data(request))
            actions.do_edit_comment(actor=thread.membership, comment=comment, body=data.body)
        elif op == "delete":
            actions.do_delete_comment(actor=thread.membership, comment=comment)
            anchor = f"{thread.url}#comments"
        elif op == "react":
            data = parse_input(ReactionIn, {"emoji": request.POST.get("emoji", "")})
            actions.do_toggle_reaction(actor=thread.membership, comment=comment, emoji=data.emoji)
        else:
            raise Invalid(_("Unknown operation."))
    except OpsloopError as exc:
        raise_if_denied(exc)
        messages.error(request, exc.message)
    return redirect(anchor)
