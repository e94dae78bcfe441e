"""The WSGI application freezes what start-up left alive out of the garbage collector."""

from __future__ import annotations

import gc
import importlib


def test_loading_the_wsgi_application_freezes_startup_objects():
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    import opsloop.wsgi

    try:
        importlib.reload(opsloop.wsgi)
        # Django, ninja and pydantic alone leave tens of thousands of objects behind.
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
