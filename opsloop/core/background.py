"""Queueing a background task from inside an action's transaction."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from django.db import transaction
from django.utils.module_loading import import_string


def enqueue_with_transaction(task_path: str, *args: Any, run_after: dt.datetime | None = None):
    """Queue the task at `task_path` (e.g. "opsloop.inbox.tasks.send_notification_email")
    so that it runs only if the transaction that wants it commits.

    With the database backend the queue is a table of this database: the task is queued
    inside the transaction and commits or rolls back with the rows it is for. Any other
    backend (Redis) hears of it only once the transaction has committed, so a worker
    never starts on rows that are not there, yet or ever.

    The task is named by its dotted path, not imported by the caller: an app's tasks
    module imports its actions, and an action importing its tasks would close a cycle.
    `run_after` defers it where the backend can."""
    from django_tasks_db import DatabaseBackend

    task = import_string(task_path)
    backend = task.get_backend()
    if run_after is not None and backend.supports_defer:
        task = task.using(run_after=run_after)
    if isinstance(backend, DatabaseBackend):
        task.enqueue(*args)
    else:
        transaction.on_commit(partial(task.enqueue, *args), robust=True)
