"""The naming rules of a UTM value, the tracked URL and the short code: pure functions."""

from __future__ import annotations

import re

import pytest

from opsloop.channels import utm
from opsloop.core.errors import Invalid


@pytest.mark.parametrize("value", ["douyin", "d11-2026", "kol_a.b", "双十一", "618大促", "x"])
def test_well_formed_values_pass(value):
    assert utm.check_value(f"  {value} ", field="utm_campaign") == value


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("Douyin", "write douyin"),
        ("D11 Main", "spaces: write d11-main"),
        ("a&b", "does not fit"),
        ("a/b", "does not fit"),
        ("a%20b", "does not fit"),
        ("", "cannot be empty"),
        ("x" * 101, "at most 100"),
    ],
)
def test_ill_formed_values_are_refused_saying_why(value, says):
    with pytest.raises(Invalid) as refused:
        utm.check_value(value, field="utm_source")
    assert says in refused.value.message and refused.value.field == "utm_source"


def test_the_tracked_url_keeps_the_destinations_query_and_fragment():
    url = utm.tracked_url(
        "https://shop.example.com/d11?from=app&flag#top",
        {"utm_source": "xiaohongshu", "utm_medium": "", "utm_campaign": "双十一", "utm_term": "x"},
    )
    assert url == (
        "https://shop.example.com/d11?from=app&flag&utm_source=xiaohongshu"
        "&utm_campaign=%E5%8F%8C%E5%8D%81%E4%B8%80&utm_term=x#top"
    )
    assert utm.tracked_url("https://a.example/", {"utm_source": "sms"}) == (
        "https://a.example/?utm_source=sms"
    )
    assert utm.tracked_url("https://a.example/?x=1&", {"utm_source": "sms"}) == (
        "https://a.example/?x=1&utm_source=sms"
    )
    assert utm.tracked_url("https://a.example/?", {"utm_source": "sms"}) == (
        "https://a.example/?utm_source=sms"
    )


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://x.example/a", "http:// or https://"),
        ("https:///nohost", "http:// or https://"),
        ("shop.example.com", "http:// or https://"),
        ("https://a.example/?utm_source=x", "carries utm_source"),
        ("https://a.example/a b", "spaces"),
        ("", "Give the address"),
    ],
)
def test_destinations_that_cannot_be_tracked_are_refused(url, says):
    with pytest.raises(Invalid) as refused:
        utm.check_destination(url)
    assert says in refused.value.message


def test_codes_are_random_base62_of_eight():
    codes = {utm.new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(re.fullmatch(r"[A-Za-z0-9]{8}", c) for c in codes)
