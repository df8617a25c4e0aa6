"""Celery tasks of the forbund app: the nightly prune of the förbund change rows.

The beat entry is added here when the tasks load, so that the app owns its schedule without
editing the shared settings; ``CELERY_BEAT_SCHEDULE`` in settings may override it.
"""

from __future__ import annotations

from celery import shared_task
from celery.schedules import crontab

from finsam.celery import app


@shared_task(name="forbund.forbundsandring_prune", acks_late=True, soft_time_limit=10 * 60)
def forbundsandring_prune() -> int:
    """Delete change rows no cache can still need (``services.forbundsandring_prune``)."""
    from .services import forbundsandring_prune as prune

    return prune()


app.conf.beat_schedule.setdefault(
    "forbund-forbundsandring-prune",
    {"task": "forbund.forbundsandring_prune", "schedule": crontab(hour=3, minute=20)},
)
