"""Comment Markdown to safe HTML, with @mentions and #KEY-N references made into links.

Mentions and references are found in the parsed Markdown's text (never inside code or an
existing link), so what a user types cannot smuggle markup in: the links are built here,
their text escaped by the renderer, and the result is sanitized by nh3 like any Markdown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from markdown_it.token import Token

from opsloop.core.markdown import parse_markdown, render_tokens

# @username: Django usernames are letters, digits and . + - _ (Unicode letters too); an
# address like a@b.com is not a mention, nor is a trailing full stop part of the name.
MENTION_RE = re.compile(r"(?<![\w@.+-])@([\w.+-]{0,149}\w)")
REF_RE = re.compile(r"(?<![\w/#&-])#([A-Z][A-Z0-9]{1,9}-[1-9]\d{0,8})(?![\w-])")
TOKEN_RE = re.compile(f"{MENTION_RE.pattern}|{REF_RE.pattern}")


@dataclass(frozen=True)
class MentionTarget:
    """What a resolved @name shows: the member's label and a link to their items here."""

    label: str
    url: str


def find_mentions(text: str) -> set[str]:
    """The usernames after an @ in the text (outside nothing: callers resolve them)."""
    return {m.group(1) for m in MENTION_RE.finditer(text or "")}


def find_refs(text: str) -> set[str]:
    return {m.group(1) for m in REF_RE.finditer(text or "")}


def _link(href: str, css: str, text: str, title: str = "") -> list[Token]:
    attrs = {"href": href, "class": css}
    if title:
        attrs["title"] = title
    opening = Token("link_open", "a", 1, attrs=attrs)
    inner = Token("text", "", 0, content=text)
    return [opening, inner, Token("link_close", "a", -1)]


def _split(
    text: str, mentions: Mapping[str, MentionTarget], refs: Mapping[str, str]
) -> list[Token]:
    out: list[Token] = []
    pos = 0
    for match in TOKEN_RE.finditer(text):
        username, ref = match.group(1), match.group(2)
        if username is not None:
            target = mentions.get(username.lower())
            if target is None:
                continue
            made = _link(target.url, "mention", f"@{target.label}", f"@{username}")
        else:
            url = refs.get(ref)
            if url is None:
                continue
            made = _link(url, "ref", f"#{ref}")
        if match.start() > pos:
            out.append(Token("text", "", 0, content=text[pos : match.start()]))
        out.extend(made)
        pos = match.end()
    if not out:
        return [Token("text", "", 0, content=text)]
    if pos < len(text):
        out.append(Token("text", "", 0, content=text[pos:]))
    return out


def render_comment(
    text: str,
    *,
    mentions: Mapping[str, MentionTarget] | None = None,
    refs: Mapping[str, str] | None = None,
) -> str:
    """Sanitized HTML of a comment; mentions maps lowercased usernames to the members who
    may be mentioned, refs maps KEY-N to item URLs. Anything else stays plain text."""
    if not text:
        return ""
    mentions, refs = mentions or {}, refs or {}
    tokens = parse_markdown(text)
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        in_link = 0
        for child in block.children:
            if child.type == "link_open":
                in_link += 1
            elif child.type == "link_close":
                in_link -= 1
            if child.type == "text" and not in_link and (mentions or refs):
                children.extend(_split(child.content, mentions, refs))
            else:
                children.append(child)
        block.children = children
    return render_tokens(tokens, allowed_classes={"a": {"mention", "ref"}})


def plain_excerpt(text: str, limit: int = 280) -> str:
    """The first words of a comment as plain text, for notifications."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
