"""The access log: one append-only row per read of identifying data."""

from __future__ import annotations

import logging

from forbund.models import Forbund

from ..models import (
    Atkomstlogg,
    Deltagande,
    Person,
)

logger = logging.getLogger(__name__)


# --- Access log ----------------------------------------------------------------------------


def atkomstlogg_write(
    *,
    user,
    forbund: Forbund,
    vad: str,
    deltagande: Deltagande | None = None,
    person: Person | None = None,
    begaran: str = "",
) -> Atkomstlogg:
    """Rule (design section 4.3): every read of identifying data writes one row (who, whom,
    which participation, when, what). The row is append-only and hash-chained in PostgreSQL."""
    person = person or (deltagande.person if deltagande is not None else None)
    medlem_id = person.medlem_id if person is not None else None
    if medlem_id is None and deltagande is not None:
        medlem_id = deltagande.insats.personuppgiftsansvarig_id
    return Atkomstlogg.objects.create(
        forbund=forbund,
        medlem_id=medlem_id,
        user=user,
        person_uuid=person.uuid if person is not None else None,
        deltagande=deltagande,
        vad=vad,
        begaran=begaran[:32],
    )
