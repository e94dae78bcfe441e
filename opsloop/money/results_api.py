"""Campaign results over the API: spend joined to the users' events (docs/money.md)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["results"])
