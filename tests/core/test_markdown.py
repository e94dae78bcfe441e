"""User Markdown: task lists become disabled checkboxes, and nothing else gets through."""

from __future__ import annotations

import re

import pytest

from opsloop.core.markdown import render_markdown


def test_task_list_items_become_disabled_checkboxes():
    html = render_markdown("- [x] 楼层配置\n- [ ] 埋点验收\n- 普通项")
    assert html.count('<li class="task">') == 2
    assert '<input type="checkbox" disabled="disabled" checked=""> 楼层配置' in html
    assert '<input type="checkbox" disabled="disabled"> 埋点验收' in html
    assert "<li>普通项</li>" in html


@pytest.mark.parametrize(
    "text",
    [
        "[x] a paragraph is no task",
        "- [x]no space",
        "`- [x] in code`",
        "```\n- [x] in a fence\n```",
    ],
)
def test_brackets_outside_a_list_item_stay_text(text):
    assert "<input" not in render_markdown(text)


@pytest.mark.parametrize(
    "text",
    [
        '<input type="submit" formaction="/x">',
        "- [x] <input type=text name=a autofocus onfocus=alert(1)>",
        '- [ ] <input type="checkbox" name="x" onclick="alert(1)">',
    ],
)
def test_no_other_input_gets_through(text):
    html = render_markdown(text)
    boxes = re.findall(r"<input[^>]*>", html)
    assert all(
        box
        in (
            '<input type="checkbox" disabled="disabled">',
            '<input type="checkbox" disabled="disabled" checked="">',
        )
        for box in boxes
    ), boxes
    assert len(boxes) <= 1
