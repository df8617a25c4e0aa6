"""The change rows behind the exact caches: ``deltagare.Dataandring`` (participations, per
insats and inskrivning year) and ``forbund.Forbundsandring`` (the förbund's own figures).

Database triggers write one row per writing transaction (``xid``) and partition of the data,
whatever path wrote it (ORM, bulk, raw SQL). A cached aggregate remembers the snapshot
(``txid_current_snapshot()``) taken *before* it was counted, and is served while no change row of
its partition is visible now that was not visible in that snapshot: then nothing it counted
has changed, including writers that were still in flight while it was counted. No lock is taken.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection


def snapshot_now() -> tuple[bool, str]:
    """``(clean, snapshot)``: whether the current transaction has written nothing (only then may
    it read or fill an exact cache: its own uncommitted writes are in no snapshot another
    request could check against), and the current snapshot, to be taken before counting."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT txid_current_if_assigned() IS NULL, txid_current_snapshot()::text")
        clean, snapshot = cursor.fetchone()
    return clean, snapshot


def prune_change_rows(*, delete_sql: str, horizon_sql: str, keep: dt.timedelta) -> int:
    """Delete the change rows no cache can still need; returns how many. Run nightly, inside a
    transaction.

    Each run records a horizon row (``horizon_sql``: the partition key all zeros, ``xid`` the
    oldest transaction still running then). Every transaction below a horizon recorded at least
    ``keep`` ago had ended by then, so its rows are visible to every snapshot taken since, and
    every cache entry computed before that has expired (each lives shorter than ``keep``):
    ``delete_sql`` removes the rows below the newest such horizon. This holds however long a
    transaction ran, which a plain age limit on the rows' time would not."""
    with connection.cursor() as cursor:
        cursor.execute(delete_sql, [keep])
        deleted = cursor.rowcount
        cursor.execute(horizon_sql)
    return deleted
