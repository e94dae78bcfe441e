"""A frozen block's chart drawn on the server, with no plotting library: as SVG (pages,
and the PDF export) and as PNG (email: mail clients show a PNG attachment but many drop
SVG). Line and bar charts of the series a frozen block keeps:

    {"type": "line" | "bar", "x": ["2026-03-02", ...],
     "series": [{"name": "...", "data": [12, None, 15.5, ...]}, ...]}

The PNG holds the plot alone (axes, grid, lines or bars, in the series' colours); the
words (series names, the axis' first and last values) go beside it in the email's HTML,
as a PNG drawn without a font cannot write them."""

from __future__ import annotations

import math
from html import escape
from typing import Any

from opsloop.core.png import encode_rgb

# The series' colours, in order (the insights charts' palette).
COLORS = ["#2f6fed", "#e8793a", "#23a26d", "#c43d7a", "#7a5af5", "#c9a227", "#3aa6c4"]
WIDTH, HEIGHT = 640, 240
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 56, 16, 12, 28


def _numbers(series: list[dict[str, Any]]) -> list[float]:
    return [
        float(v)
        for s in series
        for v in s.get("data") or []
        if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
    ]


def scale(chart: dict[str, Any]) -> tuple[float, float, float]:
    """The value axis' bottom, top and step between grid lines: from 0 (or the least
    value, if below 0) to a round number over the greatest, in at most 5 round steps."""
    values = _numbers(chart.get("series") or [])
    low = min([0.0, *values])
    high = max([0.0, *values])
    if high == low:
        high = low + 1
    step = 10 ** math.floor(math.log10((high - low) / 5))
    for factor in (1, 2, 2.5, 5, 10):
        if (high - low) / (step * factor) <= 5:
            step *= factor
            break
    return math.floor(low / step) * step, math.ceil(high / step) * step, step


def drawable(chart: dict[str, Any] | None) -> bool:
    return bool(
        chart
        and chart.get("type") in ("line", "bar")
        and chart.get("x")
        and _numbers(chart.get("series") or [])
    )


class _Geometry:
    def __init__(self, chart: dict[str, Any], width: int, height: int) -> None:
        self.chart = chart
        self.n = len(chart["x"])
        self.low, self.high, self.step = scale(chart)
        self.left, self.right = PAD_LEFT, width - PAD_RIGHT
        self.top, self.bottom = PAD_TOP, height - PAD_BOTTOM

    def x(self, i: int) -> float:
        if self.chart["type"] == "bar":
            slot = (self.right - self.left) / self.n
            return self.left + slot * (i + 0.5)
        if self.n == 1:
            return (self.left + self.right) / 2
        return self.left + (self.right - self.left) * i / (self.n - 1)

    def y(self, value: float) -> float:
        share = (value - self.low) / (self.high - self.low)
        return self.bottom - (self.bottom - self.top) * share

    def ticks(self) -> list[float]:
        """Grid lines at the scale's round steps (25, 50, 75, not 31.25, 62.5)."""
        count = round((self.high - self.low) / self.step)
        return [self.low + self.step * i for i in range(count + 1)]

    def bars(self) -> list[tuple[int, float, float, float, float]]:
        """(series index, x0, x1, y0, y1) of each bar."""
        series = self.chart["series"]
        slot = (self.right - self.left) / self.n
        width = slot * 0.8 / max(1, len(series))
        out = []
        zero = self.y(max(self.low, 0.0))
        for s, line in enumerate(series):
            for i, value in enumerate(line.get("data") or []):
                if not isinstance(value, int | float) or isinstance(value, bool):
                    continue
                x0 = self.left + slot * i + slot * 0.1 + width * s
                top = self.y(float(value))
                out.append((s, x0, x0 + width, min(top, zero), max(top, zero)))
        return out

    def lines(self) -> list[tuple[int, list[tuple[float, float]]]]:
        """Each series' runs of points (a missing value breaks the line)."""
        out = []
        for s, line in enumerate(self.chart["series"]):
            run: list[tuple[float, float]] = []
            for i, value in enumerate(line.get("data") or []):
                if isinstance(value, int | float) and not isinstance(value, bool):
                    run.append((self.x(i), self.y(float(value))))
                elif run:
                    out.append((s, run))
                    run = []
            if run:
                out.append((s, run))
        return out


def _tick(value: float) -> str:
    if abs(value) >= 10_000:
        return f"{value / 10_000:g}万"
    return f"{value:g}"


def text_width(text: str, size: float = 11) -> float:
    """About how wide a text is drawn: a CJK character is a full em, others about 0.6."""
    return sum(size if ord(c) >= 0x2E80 else size * 0.6 for c in text)


def _legend(
    series: list[dict[str, Any]], left: float, right: float
) -> list[tuple[int, float, int, str]]:
    """(series index, x, row, name) of each legend entry: side by side, a new row when
    the next would pass the right edge, so that no two names overlap."""
    out = []
    x, row = left, 0
    for s, line in enumerate(series):
        name = str(line.get("name", ""))[:40]
        width = 14 + text_width(name) + 14
        if x > left and x + width > right:
            x, row = left, row + 1
        out.append((s, x, row, name))
        x += width
    return out


def chart_svg(chart: dict[str, Any], *, width: int = WIDTH, height: int = HEIGHT) -> str:
    """The chart as an SVG element with its axis labels and legend; "" when there is
    nothing to draw. Every text in it is escaped."""
    if not drawable(chart):
        return ""
    g = _Geometry(chart, width, height)
    legend = _legend(chart["series"][:7], g.left, width - PAD_RIGHT)
    full = height + 22 * max(1, len({y for _s, _x, y, _n in legend}))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {full}" '
        f'width="{width}" height="{full}" class="report-chart" role="img" '
        f'font-family="sans-serif" font-size="11">'
    ]
    for value in g.ticks():
        y = g.y(value)
        parts.append(
            f'<line x1="{g.left}" x2="{g.right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e6eb"/>'
            f'<text x="{g.left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#667">'
            f"{escape(_tick(value))}</text>"
        )
    labels = chart["x"]
    every = max(1, math.ceil(len(labels) / 8))
    for i, label in enumerate(labels):
        if i % every == 0 or i == len(labels) - 1:
            parts.append(
                f'<text x="{g.x(i):.1f}" y="{g.bottom + 16}" text-anchor="middle" fill="#667">'
                f"{escape(str(label)[-5:] if len(str(label)) == 10 else str(label)[:12])}</text>"
            )
    if chart["type"] == "bar":
        for s, x0, x1, y0, y1 in g.bars():
            parts.append(
                f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{x1 - x0:.1f}" '
                f'height="{max(y1 - y0, 0.5):.1f}" fill="{COLORS[s % len(COLORS)]}"/>'
            )
    else:
        for s, run in g.lines():
            points = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
            color = COLORS[s % len(COLORS)]
            parts.append(
                f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2"/>'
            )
            if len(run) == 1:
                x, y = run[0]
                parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}"/>')
    for s, x, row, name in legend:
        y = height + 16 + 22 * row
        parts.append(
            f'<rect x="{x:.0f}" y="{y - 9}" width="10" height="10" '
            f'fill="{COLORS[s % len(COLORS)]}"/><text x="{x + 14:.0f}" y="{y}" fill="#333">'
            f"{escape(name)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


class _Canvas:
    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.pixels = bytearray(b"\xff" * (width * height * 3))

    def dot(self, x: int, y: int, color: tuple[int, int, int]) -> None:
        if 0 <= x < self.width and 0 <= y < self.height:
            i = (y * self.width + x) * 3
            self.pixels[i : i + 3] = bytes(color)

    def rect(self, x0: float, y0: float, x1: float, y1: float, color: tuple[int, int, int]) -> None:
        for y in range(max(0, round(y0)), min(self.height, max(round(y1), round(y0) + 1))):
            for x in range(max(0, round(x0)), min(self.width, max(round(x1), round(x0) + 1))):
                self.dot(x, y, color)

    def line(self, a: tuple[float, float], b: tuple[float, float], color, thick: int = 2) -> None:
        (x0, y0), (x1, y1) = a, b
        steps = max(1, int(max(abs(x1 - x0), abs(y1 - y0))))
        for i in range(steps + 1):
            x = x0 + (x1 - x0) * i / steps
            y = y0 + (y1 - y0) * i / steps
            for dx in range(thick):
                for dy in range(thick):
                    self.dot(round(x) + dx - thick // 2, round(y) + dy - thick // 2, color)

    def png(self) -> bytes:
        row = self.width * 3
        rows = [bytes(self.pixels[y * row : (y + 1) * row]) for y in range(self.height)]
        return encode_rgb(self.width, self.height, rows)


def chart_png(chart: dict[str, Any], *, width: int = WIDTH, height: int = HEIGHT) -> bytes:
    """The plot as a PNG (no words: see the module's docstring); b"" when there is
    nothing to draw."""
    if not drawable(chart):
        return b""
    g = _Geometry(chart, width, height)
    canvas = _Canvas(width, height)
    grid, axis = (227, 230, 235), (150, 155, 165)
    for value in g.ticks():
        canvas.rect(g.left, g.y(value), g.right, g.y(value) + 1, grid)
    canvas.rect(g.left, g.top, g.left + 1, g.bottom, axis)
    canvas.rect(g.left, g.bottom, g.right, g.bottom + 1, axis)
    if chart["type"] == "bar":
        for s, x0, x1, y0, y1 in g.bars():
            canvas.rect(x0, y0, x1, max(y1, y0 + 1), _rgb(COLORS[s % len(COLORS)]))
    else:
        for s, run in g.lines():
            color = _rgb(COLORS[s % len(COLORS)])
            if len(run) == 1:
                x, y = run[0]
                canvas.rect(x - 2, y - 2, x + 3, y + 3, color)
            for a, b in zip(run, run[1:], strict=False):
                canvas.line(a, b, color)
    return canvas.png()
