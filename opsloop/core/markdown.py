"""Markdown to HTML that is safe to show: rendered by markdown-it, sanitized by nh3."""

from __future__ import annotations

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
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
}


def parse_markdown(text: str) -> list[Token]:
    """The token stream of user Markdown, for renderers that rewrite its text first."""
    return _md.parse(text)


def render_tokens(
    tokens: list[Token], *, allowed_classes: Mapping[str, set[str]] | None = None
) -> str:
    """Sanitized HTML of a token stream (no scripts, handlers or javascript: URLs)."""
    return nh3.clean(
        _md.renderer.render(tokens, _md.options, {}),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=dict(allowed_classes or {}),
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def render_markdown(text: str) -> str:
    """Render user Markdown to sanitized HTML (no scripts, handlers or javascript: URLs)."""
    if not text:
        return ""
    return render_tokens(parse_markdown(text))
