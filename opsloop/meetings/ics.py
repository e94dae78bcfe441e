"""A meeting as an iCalendar (RFC 5545) event, for people's own calendars."""

from __future__ import annotations

from datetime import UTC, datetime

from opsloop.meetings.models import Meeting, Recurrence


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _fold(line: str) -> list[str]:
    """Lines longer than 75 octets continue on the next line after a space."""
    out, current = [], b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > 75:
            out.append(current.decode())
            current = b" "
        current += encoded
    out.append(current.decode())
    return out


# How each way of repeating reads in RFC 5545.
RULES = {
    Recurrence.WEEKLY: "FREQ=WEEKLY",
    Recurrence.BIWEEKLY: "FREQ=WEEKLY;INTERVAL=2",
    Recurrence.MONTHLY: "FREQ=MONTHLY",
}


def meeting_ics(meeting: Meeting, url: str, *, series_id: int | None = None) -> str:
    """The meeting; a recurring one as its series from this occurrence on (RRULE), under
    the series' own UID (its first meeting's id, `series_id`), so that adding the file of
    a later occurrence moves the same series in a calendar rather than adding another."""
    rule = RULES.get(Recurrence(meeting.recurrence))
    uid = f"meeting-series-{series_id or meeting.pk}" if rule else f"meeting-{meeting.pk}"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//opsloop//meetings//EN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{uid}@{meeting.workspace.slug}.opsloop",
        f"DTSTAMP:{_stamp(meeting.updated_at)}",
        f"DTSTART:{_stamp(meeting.starts_at)}",
        f"DTEND:{_stamp(meeting.ends_at)}",
        f"SUMMARY:{_escape(meeting.title)}",
        f"URL:{url}",
        f"DESCRIPTION:{_escape(url)}",
    ]
    if rule:
        lines.append(f"RRULE:{rule}")
    if meeting.location:
        lines.append(f"LOCATION:{_escape(meeting.location)}")
    if meeting.private:
        lines.append("CLASS:PRIVATE")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(part for line in lines for part in _fold(line)) + "\r\n"
