"""Celery tasks of the deltagare app: the nightly gallring and the change-row prune.

The beat entry is added here when the tasks load, so that the app owns its schedule without
editing the shared settings; ``CELERY_BEAT_SCHEDULE`` in settings may override it.
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.schedules import crontab

from finsam.celery import app

logger = logging.getLogger(__name__)


@shared_task(
    name="deltagare.gallring",
    acks_late=True,
    autoretry_for=(OSError,),
    max_retries=3,
    retry_backoff=True,
    soft_time_limit=20 * 60,
    time_limit=25 * 60,
)
def gallring() -> dict:
    """Anonymise identities past the retention period (idempotent: a rerun changes nothing).
    Returns what it did, per förbund, without any identity."""
    from .selectors import invariant_violations
    from .services import gallring_run

    result = gallring_run()
    invariants = invariant_violations()
    if any(invariants.values()):
        logger.error("deltagare: invarianter brutna: %s", invariants)
    return {
        "personer": result.persons,
        "deltaganden": result.deltaganden,
        "per_forbund": result.per_forbund,
        "invarianter": invariants,
    }


@shared_task(name="deltagare.dataandring_prune", acks_late=True, soft_time_limit=10 * 60)
def dataandring_prune() -> int:
    """Delete change rows no cache can still need (``services.dataandring_prune``)."""
    from .services import dataandring_prune as prune

    return prune()


def _schedule() -> None:
    """Put the nightly gallring on the beat schedule when the tasks are loaded (beat imports
    every app's tasks before it reads the schedule). An entry of the same name in
    ``CELERY_BEAT_SCHEDULE`` wins."""
    app.conf.beat_schedule.setdefault(
        "deltagare-gallring",
        {"task": "deltagare.gallring", "schedule": crontab(hour=2, minute=30)},
    )
    app.conf.beat_schedule.setdefault(
        "deltagare-dataandring-prune",
        {"task": "deltagare.dataandring_prune", "schedule": crontab(hour=3, minute=10)},
    )


_schedule()
