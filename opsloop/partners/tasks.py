"""Background tasks of partners (django-tasks; the worker runs them in `opsloop run`)."""

from __future__ import annotations

from django_tasks import task

from opsloop.partners.actions import do_refresh_prices, do_remind_partners


@task()
def remind_partners() -> int:
    """Remind partners' owners of the follow-ups due and the contracts ending within 30
    days (each once); queued for the day when an interaction or a contract end is saved,
    and by `opsloop partners remind`."""
    return do_remind_partners()


@task()
def refresh_prices() -> int:
    """Bring the rate cards' prices to the ones in force today; queued for the day a
    price change dated ahead takes effect."""
    return do_refresh_prices()
