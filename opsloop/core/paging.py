"""Pages of a list, shared by every app's queries: the page numbers a request asks for,
checked, and what a page knows of its place among the others."""

from __future__ import annotations

import math
from typing import Any

from django.utils.translation import gettext as _

from opsloop.core.errors import Invalid


def page_numbers(
    page: int | str | None,
    per_page: int | str | None,
    *,
    default: int = 50,
    maximum: int = 200,
) -> tuple[int, int]:
    """(page, per_page) from a request's values, or Invalid naming the one that is wrong."""
    try:
        number, size = int(page or 1), int(per_page or default)
    except (TypeError, ValueError):
        raise Invalid(_("page and per_page must be whole numbers."), field="page") from None
    if number < 1:
        raise Invalid(_("page must be 1 or more."), field="page")
    if not 1 <= size <= maximum:
        raise Invalid(
            _("per_page must be between 1 and %(max)d.") % {"max": maximum}, field="per_page"
        )
    return number, size


class Paged:
    """For a page dataclass with the fields total, page and per_page."""

    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page)) if self.per_page else 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def page_out(page: Paged, results: list[Any]) -> dict[str, Any]:
    """A page as the API answers it: its rows under `results`, and where it is."""
    return {
        "count": page.total,
        "page": page.page,
        "per_page": page.per_page,
        "pages": page.pages,
        "results": results,
    }
