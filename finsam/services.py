"""Writes shared by every app: notices to users."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .models import Notis, Roll


@transaction.atomic
def notis_send_to_role(*, forbund, role: str, text: str, url: str = "") -> int:
    """Notify every active holder of ``role`` in ``forbund``; returns how many were notified."""
    user_ids = (
        Roll.objects.active()
        .filter(forbund=forbund, roll=role, user__is_active=True)
        .values_list("user_id", flat=True)
        .distinct()
    )
    notices = [Notis(user_id=uid, forbund=forbund, text=text, url=url) for uid in user_ids]
    Notis.objects.bulk_create(notices)
    return len(notices)


def notis_mark_read(*, user, forbund, notis_id: int | None = None) -> int:
    qs = Notis.objects.filter(user=user, forbund=forbund, read_at__isnull=True)
    if notis_id is not None:
        qs = qs.filter(pk=notis_id)
    return qs.update(read_at=timezone.now())
