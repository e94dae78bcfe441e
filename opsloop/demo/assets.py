"""Small files for the demo's file library, made in code so the repository holds no blobs."""

from __future__ import annotations

from opsloop.core.png import encode_rgb


def banner_png(
    width: int, height: int, top: tuple[int, int, int], bottom: tuple[int, int, int]
) -> bytes:
    """A PNG with a vertical gradient and a lighter band: a stand-in for a key visual."""
    rows = []
    for y in range(height):
        t = y / max(1, height - 1)
        colour = bytes(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        band = height * 0.42 <= y <= height * 0.58
        if band:
            left, right = int(width * 0.12), int(width * 0.88)
            light = bytes(min(255, c + 90) for c in colour)
            row = colour * left + light * (right - left) + colour * (width - right)
        else:
            row = colour * width
        rows.append(row)
    return encode_rgb(width, height, rows)


def text_pdf(lines: list[str]) -> bytes:
    """A one-page PDF of ASCII lines in Helvetica."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    ops = ["BT", "/F1 20 Tf", "56 780 Td"]
    for i, line in enumerate(lines):
        if i:
            ops.append("0 -30 Td")
        ops.append(f"({escape(line)}) Tj")
    ops.append("ET")
    stream = "\n".join(ops).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out
