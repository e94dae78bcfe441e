"""Hostile Markdown renders inert, through the API and on the page."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client

from opsloop.core.models import Membership, Role
from tests.conftest import PASSWORD, ApiClient, make_user

SAFE_TAGS = {
    "a", "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote", "ul", "ol",
    "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "img",
}  # fmt: skip
SAFE_ATTRIBUTES = {"href", "title", "src", "alt", "align", "class", "rel"}

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "<img src=x onerror=alert(1)//",
    '<iframe src="https://evil.example"></iframe>',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<a href="javascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '[x](https://ok.example "title" onmouseover=alert(1))',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p style="width: expression(alert(1))">x</p>',
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "<<script>script>alert(1)<</script>/script>",
    "<object data=javascript:alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "`<script>` and ```\n<script>alert(1)</script>\n```",
    # Mentions and references that try to carry markup.
    "@<script>alert(1)</script>",
    '@owner"><img src=x onerror=alert(1)>',
    "@owner<svg/onload=alert(1)>",
    "[@owner](javascript:alert(1))",
    "#D11-1<img src=x onerror=alert(1)>",
    '#D11-1"><script>alert(1)</script>',
    "[#D11-1](javascript:alert(1))",
    "<a href='#D11-1' onclick='alert(1)'>@owner</a>",
]


class Inspector(HTMLParser):
    """Collects what a browser would make of the HTML: tags, attributes, link targets."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in SAFE_TAGS:
            self.problems.append(f"tag <{tag}>")
        for name, value in attrs:
            if name not in SAFE_ATTRIBUTES:
                self.problems.append(f"attribute {name}")
            target = "".join((value or "").split()).lower()
            if name in ("href", "src") and target.startswith(("javascript:", "data:", "vbscript:")):
                self.problems.append(f"{name}={value}")
            if name == "class" and value not in ("mention", "ref"):
                self.problems.append(f"class={value}")


def assert_inert(html: str) -> None:
    inspector = Inspector()
    inspector.feed(html)
    assert not inspector.problems, f"{inspector.problems} in {html!r}"


@pytest.fixture
def owner_client(owner):
    client = Client()
    client.login(username="owner", password=PASSWORD)
    return client


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_is_inert_through_the_api_and_on_the_page(api, item, owner_client, payload):
    response = api.post("/api/v1/workspaces/acme/items/D11-1/comments", {"body": payload})
    assert response.status_code == 201
    assert_inert(response.json()["body_html"])
    page = owner_client.get("/w/acme/i/D11-1/").content.decode()
    section = page[
        page.index('id="comments"') : page.index("</section>", page.index('id="comments"'))
    ]
    comment = section[section.index('class="markdown comment-body"') :]
    body = comment[comment.index(">") + 1 : comment.index("</div>")]
    assert_inert(body)


@pytest.mark.parametrize("payload", PAYLOADS[:8])
def test_payload_is_inert_in_discussions_and_project_comments(api, project, payload):
    made = api.post(
        "/api/v1/workspaces/acme/projects/D11/discussions", {"title": payload, "body": payload}
    ).json()
    posts = api.get(f"/api/v1/workspaces/acme/projects/D11/discussions/{made['id']}/posts")
    assert_inert(posts.json()[0]["body_html"])
    comment = api.post("/api/v1/workspaces/acme/projects/D11/comments", {"body": payload})
    assert_inert(comment.json()["body_html"])


def test_discussion_titles_are_escaped_on_the_page(api, project, owner_client):
    made = api.post(
        "/api/v1/workspaces/acme/projects/D11/discussions",
        {"title": "<script>alert(1)</script>", "body": "x"},
    ).json()
    for path in ("/w/acme/p/D11/discussions/", f"/w/acme/p/D11/discussions/{made['id']}/"):
        body = owner_client.get(path).content.decode()
        assert "<script>alert(1)" not in body and "&lt;script&gt;alert(1)" in body


def test_a_display_name_with_markup_is_escaped_in_a_mention(api, workspace, item):
    user = make_user("sly", display_name='<img src=x onerror="alert(1)">')
    Membership.objects.create(workspace=workspace, user=user, role=Role.MEMBER)
    html = api.post("/api/v1/workspaces/acme/items/D11-1/comments", {"body": "@sly 你好"}).json()[
        "body_html"
    ]
    assert 'class="mention"' in html
    assert_inert(html)


def test_the_mentionable_list_is_json_not_html(api, workspace, project):
    user = make_user("sly", display_name="<b>sly</b>")
    Membership.objects.create(workspace=workspace, user=user, role=Role.MEMBER)
    response = ApiClient(user).get("/api/v1/workspaces/acme/projects/D11/mentionable?q=sl")
    assert response["Content-Type"].startswith("application/json")
    assert response.json()[0]["display_name"] == "<b>sly</b>"
