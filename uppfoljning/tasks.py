"""Celery tasks for reports. They take primary keys and call services; the row is the truth."""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError
from django.utils import timezone

logger = logging.getLogger(__name__)

TRANSIENT = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


@shared_task(
    bind=True,
    name="uppfoljning.rapport_build",
    # The Rapport row is the result. A stored result would also make sending the task from a
    # web request subscribe to the result store first, which retries for ~20 s when Redis is
    # down (SECURITY.md #18: the web answers within 2 s while Redis is down).
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=3,
    soft_time_limit=15 * 60,
    time_limit=16 * 60,
)
def rapport_build_task(self, rapport_id: int) -> None:
    from .services import rapport_build, rapport_fail

    try:
        rapport_build(rapport_id=rapport_id)
    except TRANSIENT as exc:
        # The database or a socket hiccupped: let the row be claimed again and retry.
        from .models import Rapport, RapportStatus

        Rapport.objects.filter(pk=rapport_id, status=RapportStatus.PAGAR).update(
            status=RapportStatus.KOAD
        )
        raise self.retry(exc=exc, countdown=5 * (self.request.retries + 1)) from exc
    except SoftTimeLimitExceeded:
        rapport_fail(rapport_id=rapport_id, error="Rapporten tog för lång tid att ta fram.")
    except Exception as exc:
        logger.exception("Rapport %s misslyckades", rapport_id)
        rapport_fail(rapport_id=rapport_id, error=f"{type(exc).__name__}: {exc}")


@shared_task(name="uppfoljning.rapport_sweep", acks_late=True, soft_time_limit=60, time_limit=90)
def rapport_sweep_task() -> int:
    from .services import rapport_sweep

    return rapport_sweep()


@shared_task(
    name="uppfoljning.rapporter_draft_periodic", acks_late=True, soft_time_limit=300, time_limit=360
)
def rapporter_draft_periodic_task() -> int:
    from .services import rapporter_draft_periodic

    return len(rapporter_draft_periodic(today=timezone.localdate()))
