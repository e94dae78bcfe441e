"""Markdown to HTML that is safe to show: rendered by markdown-it, sanitized by nh3."""

from __future__ import annotations

import re
from collections.abc import Mapping

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

_md = (
    MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True})
    .enable("table")
    .enable("strikethrough")
)

ALLOWED_TAGS = {
    "a",
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "del",
    "s",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "img",
    "input",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "input": {"checked", "disabled"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
}


# "- [ ] todo" and "- [x] done": a task list item, as GitHub and GitLab write them.
TASK_RE = re.compile(r"^\[([ xX])\]\s+")


def _task_lists(tokens: list[Token]) -> list[Token]:
    """Turn a list item's leading [ ] or [x] into a disabled checkbox.

    The box is markup made here, never the user's: html stays off in the parser, and the
    sanitizer lets an <input> through only as a disabled checkbox."""
    for i in range(2, len(tokens)):
        inline = tokens[i]
        if (
            inline.type != "inline"
            or tokens[i - 1].type != "paragraph_open"
            or tokens[i - 2].type != "list_item_open"
            or not inline.children
            or inline.children[0].type != "text"
        ):
            continue
        first = inline.children[0]
        match = TASK_RE.match(first.content)
        if match is None:
            continue
        first.content = first.content[match.end() :]
        checked = " checked" if match.group(1) != " " else ""
        box = Token("html_inline", "", 0, content=f'<input type="checkbox" disabled{checked}> ')
        inline.children.insert(0, box)
        tokens[i - 2].attrSet("class", "task")
    return tokens


def parse_markdown(text: str) -> list[Token]:
    """The token stream of user Markdown, for renderers that rewrite its text first."""
    return _task_lists(_md.parse(text))


def render_tokens(
    tokens: list[Token], *, allowed_classes: Mapping[str, set[str]] | None = None
) -> str:
    """Sanitized HTML of a token stream (no scripts, handlers or javascript: URLs)."""
    return nh3.clean(
        _md.renderer.render(tokens, _md.options, {}),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        tag_attribute_values={"input": {"type": {"checkbox"}}},
        set_tag_attribute_values={"input": {"disabled": "disabled", "type": "checkbox"}},
        allowed_classes={"li": {"task"}, **dict(allowed_classes or {})},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def render_markdown(text: str) -> str:
    """Render user Markdown to sanitized HTML (no scripts, handlers or javascript: URLs)."""
    if not text:
        return ""
    return render_tokens(parse_markdown(text))


# What can start markup inside a line, as render_markdown reads it (no raw HTML, no
# linkify): links and images ([ ] !), autolinks (< >), emphasis, code, strikethrough,
# tables, entities and the escape itself. Each is escaped with a backslash.
_MARKUP = re.compile(r"([\\`*_\[\]<>!&~|])")


def escape_markdown(text: str) -> str:
    """Plain text (a title, a name) to put inside Markdown so that it reads as itself:
    no link, image, emphasis or HTML comes of it, and it stays on its line."""
    return _MARKUP.sub(r"\\\1", " ".join(text.splitlines()))
