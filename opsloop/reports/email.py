"""The published report by email: the report inline as HTML (its charts as PNG images
attached inline, which mail clients show where many drop SVG), and as plain text."""

from __future__ import annotations

from email.mime.image import MIMEImage

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from opsloop.core.models import User
from opsloop.reports import render
from opsloop.reports.charts import COLORS
from opsloop.reports.models import Report


def report_email(report: Report, address: str, user: User | None) -> EmailMultiAlternatives:
    """The message for one address, in its reader's language (the site's for an outside
    address)."""
    from opsloop.reports.actions import report_url

    language = user.message_language if user is not None else settings.LANGUAGE_CODE
    with translation.override(language):
        blocks = render.rendered_blocks(report)
        images: dict[int, tuple[str, bytes]] = {}
        shown: dict[int, dict] = {}
        for block in blocks:
            png = block.chart_png if block.chart is not None else b""
            if png and block.chart is not None:
                cid = f"chart-{report.pk}-{block.index}@opsloop"
                images[block.index] = (cid, png)
                series = block.chart["series"]
                shown[block.index] = {
                    "cid": cid,
                    "legend": [
                        (COLORS[i % len(COLORS)], s.get("name", "")) for i, s in enumerate(series)
                    ],
                    "first": block.chart["x"][0],
                    "last": block.chart["x"][-1],
                }
        context = {
            "report": report,
            "blocks": blocks,
            "charts": shown,
            "user": user,
            "page_url": settings.SITE_URL + report_url(report) if user is not None else "",
        }
        subject = f"[opsloop] {report.title}"
        text = render.report_markdown(report)
        html = render_to_string("reports/email/report.html", context)
    message = EmailMultiAlternatives(subject, text, to=[address])
    message.attach_alternative(html, "text/html")
    if images:
        # multipart/related: the HTML part refers to the images by their Content-ID.
        message.mixed_subtype = "related"  # type: ignore[attr-defined]
        for cid, png in images.values():
            image = MIMEImage(png, "png")
            image.add_header("Content-ID", f"<{cid}>")
            image.add_header("Content-Disposition", "inline", filename=cid.split("@")[0] + ".png")
            message.attach(image)
    return message


def send_report_email(report: Report, address: str, user: User | None) -> None:
    report_email(report, address, user).send()
