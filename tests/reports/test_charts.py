"""Charts drawn on the server: a PNG a mail client shows, an SVG with its words escaped."""

from __future__ import annotations

import struct
import zlib

from opsloop.reports.charts import chart_png, chart_svg, scale

LINE = {"type": "line", "x": ["2026-03-01", "2026-03-02", "2026-03-03"],
        "series": [{"name": "<b>粉丝</b>", "data": [1000, None, 1250]}]}  # fmt: skip


def _pixels(png: bytes) -> tuple[int, int, bytes]:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", png[16:24])
    start = png.index(b"IDAT") + 4
    length = struct.unpack(">I", png[start - 8 : start - 4])[0]
    return width, height, zlib.decompress(png[start : start + length])


def test_the_png_is_a_real_image_with_the_series_drawn():
    width, height, raw = _pixels(chart_png(LINE))
    assert (width, height) == (640, 240)
    assert len(raw) == height * (1 + width * 3)
    blue = bytes([0x2F, 0x6F, 0xED])
    assert raw.count(blue) > 10  # the line, in the first series' colour


def test_bars_and_nothing_to_draw():
    bars = {"type": "bar", "x": ["a", "b"], "series": [{"name": "n", "data": [3, -1]}]}
    assert chart_png(bars) and "<rect" in chart_svg(bars)
    assert chart_png({"type": "line", "x": [], "series": []}) == b""
    assert chart_svg({"type": "sankey", "x": ["a"], "series": [{"data": [1]}]}) == ""


def test_the_svg_escapes_what_people_typed():
    svg = chart_svg(LINE)
    assert "<b>" not in svg and "&lt;b&gt;粉丝&lt;/b&gt;" in svg
    assert svg.count("<polyline") == 2  # a missing value breaks the line


def test_the_axis_is_rounded():
    assert scale(LINE) == (0, 1250)
    assert scale({"series": [{"data": [-3, 7]}]}) == (-4, 8)


def test_a_block_says_when_it_was_computed_in_the_installs_time_zone(settings):
    from opsloop.reports.render import RenderedBlock

    settings.TIME_ZONE = "Asia/Shanghai"
    block = RenderedBlock(
        index=0, kind="kpi", title="", markdown="", html="", table=None, chart=None,
        computed_at="2026-03-02T01:00:00+00:00",
    )  # fmt: skip
    assert block.computed_label == "2026-03-02 09:00"
    assert RenderedBlock(0, "text", "", "", "", None, None).computed_label == ""
