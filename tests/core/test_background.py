"""A task queued by an action runs only if the action's transaction commits, on the
database queue and on any other (opsloop/core/background.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from opsloop.core.background import enqueue_with_transaction

PATH = "tests.core.test_background.remember"
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@task()
def remember(value: int) -> int:
    """A task for these tests, found by its dotted path."""
    return value


def queued() -> list[list]:
    return [r.args_kwargs["args"] for r in DBTaskResult.objects.filter(task_path=PATH)]


def test_the_database_queue_commits_and_rolls_back_with_the_action(db):
    with transaction.atomic():
        enqueue_with_transaction(PATH, 1)
        assert queued() == [[1]]  # a row of this transaction, at once
    with transaction.atomic():
        enqueue_with_transaction(PATH, 2)
        transaction.set_rollback(True)
    assert queued() == [[1]]


def test_the_database_queue_keeps_run_after(db):
    later = timezone.now() + dt.timedelta(minutes=10)
    enqueue_with_transaction(PATH, 3, run_after=later)
    assert DBTaskResult.objects.get(task_path=PATH).run_after == later


def test_another_queue_hears_of_the_task_only_after_the_commit(
    db, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DUMMY
    backend = remember.get_backend()
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_with_transaction(PATH, 4, run_after=timezone.now())
        assert backend.results == []  # not before the transaction commits
    assert [r.args for r in backend.results] == [[4]]
    assert backend.results[0].task.run_after is not None


def test_another_queue_never_hears_of_a_task_whose_transaction_rolled_back(
    db, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DUMMY
    backend = remember.get_backend()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        enqueue_with_transaction(PATH, 5)
        transaction.set_rollback(True)
    assert callbacks == [] and backend.results == []


@pytest.mark.parametrize("path", ["tests.core.test_background.nothing", "no.such.module.task"])
def test_an_unknown_task_path_fails_loudly(db, path):
    with pytest.raises(ImportError):
        enqueue_with_transaction(path, 1)
