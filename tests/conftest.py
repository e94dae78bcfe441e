"""Shared fixtures: people in every role, a workspace, a project, and API clients.

Data is made through actions, never raw ORM, so every side effect a user would cause happens."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client, override_settings
from hypothesis import settings as hypothesis_settings

from opsloop.core import actions as core_actions
from opsloop.core.models import Membership, Role
from opsloop.work import actions as work_actions
from opsloop.work.schemas import ItemIn, ProjectIn

PASSWORD = "correct-horse-battery-42"
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
T = TypeVar("T")

# Property tests try 25 examples each in `make test`, so the suite stays quick, and 500 in
# `make fuzz` (pytest --hypothesis-profile=fuzz), which is worth running after a change
# to what they test.
hypothesis_settings.register_profile("quick", max_examples=25)
hypothesis_settings.register_profile("fuzz", max_examples=500)
hypothesis_settings.load_profile("quick")


def make_user(username: str, **extra):
    return core_actions.do_signup(
        username=username, email=f"{username}@example.com", password=PASSWORD, **extra
    )


class ApiClient:
    """A Django test client that sends a Bearer token and JSON."""

    def __init__(self, user=None, token: str | None = None):
        self.client = Client()
        self.token = token or (
            core_actions.do_create_token(user=user, name="tests").raw if user else None
        )

    def _headers(self):
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}

    def get(self, path, data=None):
        return self.client.get(path, data, **self._headers())

    def post(self, path, data=None, raw: str | None = None):
        import json

        body = raw if raw is not None else json.dumps(data if data is not None else {})
        return self.client.post(path, body, content_type="application/json", **self._headers())

    def patch(self, path, data=None, raw: str | None = None):
        import json

        body = raw if raw is not None else json.dumps(data if data is not None else {})
        return self.client.patch(path, body, content_type="application/json", **self._headers())

    def put(self, path, data=None):
        import json

        return self.client.put(
            path, json.dumps(data or {}), content_type="application/json", **self._headers()
        )

    def delete(self, path):
        return self.client.delete(path, **self._headers())


@pytest.fixture(scope="session", autouse=True)
def _data_dir(tmp_path_factory):
    # Each test process keeps its events (inbox, flusher state, Parquet) in a directory
    # of its own: never the data of `make run`, and never another xdist worker's.
    with override_settings(DATA_DIR=tmp_path_factory.mktemp("data")):
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The production hasher is slow on purpose; tests make hundreds of accounts.
    settings.PASSWORD_HASHERS = FAST_HASHERS


def kept_for_module(django_db_blocker, build: Callable[[], T]) -> Iterator[T]:
    """Data built once for a module's tests, for a module-scoped fixture to `yield from`.

    It is written inside a transaction that stays open until the module's last test is
    done and is then rolled back, so nothing of it outlives the module. Each test that
    asks for `db` runs in a savepoint inside it (Django's TestCase nests its atomic
    blocks), so whatever one test writes is gone before the next starts, exactly as when
    every test built the data itself, only without building it hundreds of times."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
                data = build()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield data
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _empty_cache():
    # The cache outlives a test (login rate-limit counters, cached reads): start each
    # test with none of another's, so many browser logins in a row are not refused.
    cache.clear()


@pytest.fixture
def owner(db):
    return make_user("owner", display_name="王总")


@pytest.fixture
def workspace(owner):
    return core_actions.do_create_workspace(actor=owner, slug="acme", name="Acme 运营")


def add_member(workspace, username: str, role: str):
    user = make_user(username)
    Membership.objects.create(workspace=workspace, user=user, role=role)
    return user


@pytest.fixture
def admin_user(workspace):
    return add_member(workspace, "admin", Role.ADMIN)


@pytest.fixture
def member(workspace):
    return add_member(workspace, "member", Role.MEMBER)


@pytest.fixture
def guest(workspace):
    return add_member(workspace, "guest", Role.GUEST)


@pytest.fixture
def outsider(db):
    return make_user("outsider")


def membership_of(user, workspace) -> Membership:
    return Membership.objects.select_related("workspace", "user").get(
        user=user, workspace=workspace
    )


@pytest.fixture
def project(workspace, owner):
    return work_actions.do_create_project(
        actor=membership_of(owner, workspace),
        data=ProjectIn(name="双十一大促", key="D11", kind="campaign", goal="GMV 增长 30%"),
    )


@pytest.fixture
def item(project, owner, workspace):
    return work_actions.do_create_item(
        actor=membership_of(owner, workspace), project=project, data=ItemIn(title="准备主会场海报")
    )


@pytest.fixture
def api(owner):
    return ApiClient(owner)


# --- the second pass -------------------------------------------------------------------

DATABASE_FIXTURES = {"db", "transactional_db", "django_db_setup", "live_server"}


def pytest_addoption(parser):
    parser.addoption(
        "--database-pass",
        action="store_true",
        help="Run only the tests that use the database: the PostgreSQL pass of `make test`. "
        "The rest (pure code, and subprocesses that make an SQLite install of their own) "
        "would test the same thing twice.",
    )


def pytest_collection_modifyitems(config, items):
    if not config.getoption("--database-pass"):
        return
    keep, drop = [], []
    for item in items:
        uses_database = item.get_closest_marker("django_db") is not None or bool(
            DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
        )
        (keep if uses_database else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
