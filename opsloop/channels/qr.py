"""A link's QR code, PNG or SVG, made by segno (a maintained pure-Python QR encoder).

The code holds the short address (/l/<code> on SITE_URL), not the tracked URL: a scan
then counts as a click like a tap does, the code stays small (version 2-3 at medium error
correction, which survives a poster's smudges), and changing where the link leads never
needs a new print run."""

from __future__ import annotations

import io

import segno

PNG_TYPE = "image/png"
SVG_TYPE = "image/svg+xml"
BORDER = 4  # modules of quiet zone, as the standard asks


def qr_image(text: str, fmt: str, scale: int = 10) -> tuple[bytes, str]:
    """The QR code of `text` as (bytes, content type); fmt is "png" or "svg"."""
    code = segno.make(text, error="m", micro=False)
    out = io.BytesIO()
    if fmt == "svg":
        code.save(out, kind="svg", scale=scale, border=BORDER, light="#fff", xmldecl=True)
        return out.getvalue(), SVG_TYPE
    code.save(out, kind="png", scale=scale, border=BORDER)
    return out.getvalue(), PNG_TYPE


def qr_filename(code: str, fmt: str) -> str:
    return f"link-{code}.{fmt}"
