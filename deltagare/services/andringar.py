"""Housekeeping of the change rows (``Dataandring``) that the exact caches check against."""

from __future__ import annotations

from django.db import connection, transaction

from ..models import DATAANDRING_KEEP

# A horizon row has förbund 0 and insats 0 (no real change row does); its ``xid`` is the oldest
# transaction still running when the prune ran.


@transaction.atomic
def dataandring_prune() -> int:
    """Delete the change rows no cache can still need; returns how many. Run nightly.

    A cached aggregate is served while no change row *not visible in its snapshot* exists
    (``deltagare.selectors.reminder_counts``, the board dashboard's partition counts). Each run
    records a horizon: the oldest transaction id still running then. Every transaction below
    a horizon recorded at least ``DATAANDRING_KEEP`` ago had ended by then, so its rows are
    visible to every snapshot taken since, and every cache entry computed before that has
    expired (each lives shorter than ``DATAANDRING_KEEP``): those rows are deleted. This holds
    however long a transaction ran, which a plain age limit on ``tidpunkt`` would not."""
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM deltagare_dataandring WHERE xid < ("
            " SELECT max(xid) FROM deltagare_dataandring WHERE forbund_id = 0 AND insats_id = 0"
            " AND tidpunkt < now() - %s)",
            [DATAANDRING_KEEP],
        )
        deleted = cursor.rowcount
        cursor.execute(
            "INSERT INTO deltagare_dataandring (forbund_id, insats_id, ar, xid)"
            " VALUES (0, 0, 0, txid_snapshot_xmin(txid_current_snapshot()))"
            " ON CONFLICT (forbund_id, insats_id, ar, xid) DO NOTHING"
        )
    return deleted
