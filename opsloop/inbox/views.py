"""Pages of the inbox: notifications by tab, their row actions, preferences, watch toggles."""

from __future__ import annotations

from datetime import datetime, time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from opsloop.core.errors import Invalid
from opsloop.core.inputs import parse_input
from opsloop.core.models import Membership
from opsloop.core.pages import page
from opsloop.core.queries import access_workspace
from opsloop.inbox import actions, queries
from opsloop.inbox.models import Notification, NotificationKind
from opsloop.inbox.schemas import PreferencesIn, SnoozeIn
from opsloop.work.queries import access_item, access_project

TAB_LABELS = {
    "unread": gettext_lazy("Unread"),
    "all": gettext_lazy("All"),
    "snoozed": gettext_lazy("Snoozed"),
    "archived": gettext_lazy("Archived"),
}


def _tab(value: str | None) -> str:
    return value if value in queries.TABS else "unread"


def _page_number(value: str | None) -> int:
    return int(value) if value and value.isdigit() and int(value) > 0 else 1


def _row_context(membership: Membership, tab: str) -> dict:
    return {
        "membership": membership,
        "workspace": membership.workspace,
        "tab": tab,
        "presets": queries.snooze_presets(),
        "today": timezone.localdate(),
    }


@login_required
@page
def inbox(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    tab = _tab(request.GET.get("tab"))
    counts = queries.inbox_counts(membership)
    context = {
        **_row_context(membership, tab),
        "page_obj": queries.list_notifications(
            membership, tab=tab, page=_page_number(request.GET.get("page"))
        ),
        "counts": counts,
        "inbox_unread": counts["unread"],
        "tabs": [(key, label, counts.get(key)) for key, label in TAB_LABELS.items()],
        "nav": "inbox",
    }
    return TemplateResponse(request, "inbox/inbox.html", context)


@login_required
@page
def inbox_count(request: HttpRequest, slug: str) -> HttpResponse:
    """The unread badge alone, which the sidebar refreshes now and then."""
    membership = access_workspace(request.user, slug)
    context = {"workspace": membership.workspace, "count": queries.unread_count(membership)}
    return TemplateResponse(request, "inbox/_badge.html", context)


@login_required
@page
def inbox_open(request: HttpRequest, slug: str, notification_id: int) -> HttpResponse:
    """Mark the notification read and go to what it is about (a path on this site only)."""
    membership = access_workspace(request.user, slug)
    notification = queries.get_notification(membership, notification_id)
    actions.do_mark_read(notification=notification)
    if queries.is_local_url(notification.url):
        return redirect(notification.url)
    return redirect("inbox", slug=slug)


def _snooze_until(request: HttpRequest) -> datetime | str:
    """A preset's time as posted, or a picked date at 9:00 in the site's time zone."""
    if request.POST.get("until"):
        return request.POST["until"]
    day = parse_date(request.POST.get("date") or "")
    if day is None:
        raise Invalid(_("Pick a date to snooze until."), field="until")
    return timezone.make_aware(datetime.combine(day, time(9)))


def _apply(request: HttpRequest, notification: Notification, op: str | None) -> None:
    if op == "read":
        actions.do_mark_read(notification=notification)
    elif op == "unread":
        actions.do_mark_unread(notification=notification)
    elif op == "archive":
        actions.do_archive(notification=notification)
    elif op == "unarchive":
        actions.do_unarchive(notification=notification)
    elif op == "snooze":
        data = parse_input(SnoozeIn, {"until": _snooze_until(request)})
        actions.do_snooze(notification=notification, until=data.until)
    else:
        raise Invalid(_("Unknown operation."))


@login_required
@require_POST
@page
def inbox_notification(request: HttpRequest, slug: str, notification_id: int) -> HttpResponse:
    """A row action: read, unread, archive, unarchive, snooze. htmx gets the row back."""
    membership = access_workspace(request.user, slug)
    notification = queries.get_notification(membership, notification_id)
    op, tab = request.POST.get("op"), _tab(request.POST.get("tab"))
    error = None
    try:
        _apply(request, notification, op)
    except Invalid as exc:
        error = exc
    if not request.htmx:
        if error:
            messages.error(request, error.message)
        return redirect(reverse("inbox", args=[slug]) + f"?tab={tab}")
    # The row stays where it is unless the action moved it to another tab.
    stays = error is not None or op in ("read", "unread") or (op == "snooze" and tab == "snoozed")
    context = {
        **_row_context(membership, tab),
        "n": notification,
        "row_error": error,
        "stays": stays,
        "count": queries.unread_count(membership),
    }
    return TemplateResponse(request, "inbox/_row_response.html", context)


@login_required
@require_POST
@page
def inbox_read_all(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    marked = actions.do_mark_all_read(membership=membership)
    if marked:
        messages.success(request, _("Marked %(count)d notifications read.") % {"count": marked})
    return redirect("inbox", slug=slug)


@login_required
@page
def inbox_preferences(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    if request.method == "POST":
        data = {
            "preferences": [
                {
                    "kind": kind,
                    "in_app": f"in_app_{kind}" in request.POST,
                    "email": f"email_{kind}" in request.POST,
                }
                for kind in NotificationKind.values
            ]
        }
        actions.do_set_preferences(user=request.user, data=parse_input(PreferencesIn, data))
        messages.success(request, _("Notification settings saved."))
        return redirect("inbox_preferences", slug=slug)
    context = {
        "membership": membership,
        "workspace": membership.workspace,
        "preferences": queries.list_preferences(request.user),
        "nav": "inbox",
    }
    return TemplateResponse(request, "inbox/preferences.html", context)


def _watch_response(request: HttpRequest, context: dict, back: str) -> HttpResponse:
    if request.htmx:
        return TemplateResponse(request, "inbox/_watch_button.html", context)
    return redirect(back)


@login_required
@require_POST
@page
def item_watch(request: HttpRequest, slug: str, ref: str) -> HttpResponse:
    """Watch (watch=1) or stop watching (watch=0) an item, as the signed-in user."""
    access = access_item(request.user, slug, ref)
    item, project = access.item, access.item.project
    if request.POST.get("watch") == "0":
        actions.do_unwatch(user=request.user, project=project, item=item)
    else:
        actions.do_watch(user=request.user, project=project, item=item)
    context = {
        "workspace": access.membership.workspace,
        "item": item,
        "state": queries.watch_state(user=request.user, project=project, item=item),
    }
    return _watch_response(request, context, reverse("item_detail", args=[slug, item.ref]))


@login_required
@require_POST
@page
def project_watch(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    """Watch (watch=1) or stop watching (watch=0) every item of a project."""
    access = access_project(request.user, slug, key)
    project = access.project
    if request.POST.get("watch") == "0":
        actions.do_unwatch(user=request.user, project=project)
    else:
        actions.do_watch(user=request.user, project=project)
    context = {
        "workspace": access.membership.workspace,
        "project": project,
        "state": queries.watch_state(user=request.user, project=project),
    }
    return _watch_response(request, context, reverse("project_items", args=[slug, project.key]))
