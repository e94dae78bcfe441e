"""Charts drawn on the server: a PNG a mail client shows, an SVG with its words escaped."""

from __future__ import annotations

import re
import struct
import zlib

from opsloop.reports.charts import chart_png, chart_svg, scale, text_width

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
    assert scale(LINE) == (0, 1250, 250)
    assert scale({"series": [{"data": [-3, 7]}]}) == (-4, 8, 2)


def _tick_labels(svg: str) -> list[str]:
    return re.findall(r'text-anchor="end" fill="#667">([^<]+)</text>', svg)


def test_grid_lines_fall_on_round_steps():
    """108 over a week: 0, 25 … 125, never 31.25 or 93.75."""
    chart = {"type": "line", "x": ["2026-11-30", "2026-12-06"],
             "series": [{"name": "日活", "data": [79, 108]}]}  # fmt: skip
    assert _tick_labels(chart_svg(chart)) == ["0", "25", "50", "75", "100", "125"]


def test_legend_names_never_overlap_and_wrap_onto_rows():
    names = [
        "打开 App · 日活跃用户",
        "支付订单 · 日活跃用户",
        "公式",
        "注册到首单转化率（按渠道）",
        "新用户次周留存",
    ]
    chart = {"type": "line", "x": ["a", "b"],
             "series": [{"name": n, "data": [1, 2]} for n in names]}  # fmt: skip
    svg = chart_svg(chart)
    spots = [
        (float(x), float(y), name)
        for x, y, name in re.findall(r'<text x="([\d.]+)" y="([\d.]+)" fill="#333">([^<]+)', svg)
    ]
    assert [name for _x, _y, name in spots] == [n.replace("&", "&amp;") for n in names]
    for (x0, y0, a), (x1, y1, _b) in zip(spots, spots[1:], strict=False):
        # The next name starts past this one's drawn width, or on a row below.
        assert y1 > y0 or x1 >= x0 + text_width(a)
    assert len({y for _x, y, _n in spots}) == 2  # too wide for one row of 640 px
    height = int(re.search(r'height="(\d+)"', svg).group(1))
    assert height >= max(y for _x, y, _n in spots) + 4  # the last row is inside the image


def test_a_block_says_when_it_was_computed_in_the_installs_time_zone(settings):
    from opsloop.reports.render import RenderedBlock

    settings.TIME_ZONE = "Asia/Shanghai"
    block = RenderedBlock(
        index=0, kind="kpi", title="", markdown="", html="", table=None, chart=None,
        computed_at="2026-03-02T01:00:00+00:00",
    )  # fmt: skip
    assert block.computed_label == "2026-03-02 09:00"
    assert RenderedBlock(0, "text", "", "", "", None, None).computed_label == ""
