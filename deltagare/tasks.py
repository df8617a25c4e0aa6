"""Celery tasks of the deltagare app: the nightly gallring.

The beat schedule is registered here (``on_after_finalize``) so that the app owns its schedule
without editing the shared settings; ``CELERY_BEAT_SCHEDULE`` in settings may override it.
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


@app.on_after_finalize.connect
def _schedule(sender, **kwargs) -> None:
    if "deltagare-gallring" in (sender.conf.beat_schedule or {}):
        return
    sender.add_periodic_task(crontab(hour=2, minute=30), gallring.s(), name="deltagare-gallring")
