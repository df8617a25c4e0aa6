"""Housekeeping of the change rows (``Dataandring``) that the exact caches check against."""

from __future__ import annotations

from django.db import transaction

from finsam.andringar import prune_change_rows

from ..models import DATAANDRING_KEEP

# A horizon row has förbund 0 and insats 0 (no real change row does); its ``xid`` is the oldest
# transaction still running when the prune ran.
_DELETE = (
    "DELETE FROM deltagare_dataandring WHERE xid < ("
    " SELECT max(xid) FROM deltagare_dataandring WHERE forbund_id = 0 AND insats_id = 0"
    " AND tidpunkt < now() - %s)"
)
_HORIZON = (
    "INSERT INTO deltagare_dataandring (forbund_id, insats_id, ar, manad, xid)"
    " VALUES (0, 0, 0, 0, txid_snapshot_xmin(txid_current_snapshot()))"
    " ON CONFLICT (forbund_id, insats_id, ar, manad, xid) DO NOTHING"
)


@transaction.atomic
def dataandring_prune() -> int:
    """Delete the change rows no cache can still need; returns how many. Run nightly.

    The caches (``deltagare.selectors.reminder_counts``, the board dashboard's partial counts)
    each live shorter than ``DATAANDRING_KEEP``; the rule is ``finsam.andringar``'s."""
    return prune_change_rows(delete_sql=_DELETE, horizon_sql=_HORIZON, keep=DATAANDRING_KEEP)
