"""A KPI's values as a small line chart PNG, attached to the work item an alert makes."""

from __future__ import annotations

from collections.abc import Sequence

from opsloop.core.png import encode_rgb

BACKGROUND = (255, 255, 255)
GRID = (229, 231, 235)
LINE = (79, 70, 229)
TARGET = (22, 163, 74)
LAST = (220, 38, 38)
MARGIN = 12


def line_png(
    values: Sequence[float], *, target: float | None = None, width: int = 640, height: int = 240
) -> bytes:
    """The values left to right, scaled to the chart (the target, when given, in green),
    the last value marked red."""
    pixels = [bytearray(bytes(BACKGROUND) * width) for _ in range(height)]

    def put(x: int, y: int, colour: tuple[int, int, int]) -> None:
        if 0 <= x < width and 0 <= y < height:
            pixels[y][3 * x : 3 * x + 3] = bytes(colour)

    for k in range(5):  # horizontal grid lines
        y = MARGIN + round(k * (height - 2 * MARGIN) / 4)
        for x in range(MARGIN, width - MARGIN):
            put(x, y, GRID)
    shown = [*values, *([target] if target is not None else [])]
    if values:
        low, high = min(shown), max(shown)
        span = (high - low) or 1.0

        def to_y(v: float) -> int:
            return height - MARGIN - round((v - low) / span * (height - 2 * MARGIN))

        step = (width - 2 * MARGIN) / max(1, len(values) - 1)
        points = [(MARGIN + round(i * step), to_y(v)) for i, v in enumerate(values)]
        if target is not None:
            y = to_y(target)
            for x in range(MARGIN, width - MARGIN):
                if (x // 6) % 2 == 0:  # dashed
                    put(x, y, TARGET)
        for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
            _segment(put, x0, y0, x1, y1)
        x, y = points[-1]
        for dx in range(-3, 4):
            for dy in range(-3, 4):
                if dx * dx + dy * dy <= 9:
                    put(x + dx, y + dy, LAST)
    return encode_rgb(width, height, [bytes(row) for row in pixels])


def _segment(put, x0: int, y0: int, x1: int, y1: int) -> None:  # type: ignore[no-untyped-def]
    """A line two pixels thick (Bresenham's)."""
    dx, dy = abs(x1 - x0), -abs(y1 - y0)
    sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
    err = dx + dy
    while True:
        put(x0, y0, LINE)
        put(x0, y0 + 1, LINE)
        if x0 == x1 and y0 == y1:
            return
        e2 = 2 * err
        if e2 >= dy:
            err += dy
            x0 += sx
        if e2 <= dx:
            err += dx
            y0 += sy
