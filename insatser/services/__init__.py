"""Every write on an insats and what belongs to it, as ``<entity>_<action>`` functions.

Nothing in an insats is locked (unlike the national tool): every field stays editable, and every
change is recorded as ``Handelse`` rows (who, when, old → new) in the same transaction. The
package is split by topic; import from ``insatser.services``.
"""

from .dokument import (
    DOKUMENT_MAX_BYTES,
    DOKUMENT_SUFFIXES,
    dokument_check,
    dokument_delete,
    dokument_upload,
)
from .ekonomi import (
    KOSTNAD_COLUMNS,
    ImportResult,
    budget_delete,
    budget_set,
    kostnader_import,
    kostnader_set_year,
    medfinansiering_delete,
    medfinansiering_set,
    parse_kronor,
)
from .history import EMPTY, M2M_FIELDS, NEXT_STATUSES, TRACKED_FIELDS, handelse_record
from .insats import (
    assignable_users,
    insats_assign,
    insats_create,
    insats_transition,
    insats_unassign,
    insats_update,
)
from .registrering import tillfalle_delete, tillfalle_save, volym_set_year

__all__ = [
    "DOKUMENT_MAX_BYTES",
    "DOKUMENT_SUFFIXES",
    "EMPTY",
    "KOSTNAD_COLUMNS",
    "M2M_FIELDS",
    "NEXT_STATUSES",
    "TRACKED_FIELDS",
    "ImportResult",
    "assignable_users",
    "budget_delete",
    "budget_set",
    "dokument_check",
    "dokument_delete",
    "dokument_upload",
    "handelse_record",
    "insats_assign",
    "insats_create",
    "insats_transition",
    "insats_unassign",
    "insats_update",
    "kostnader_import",
    "kostnader_set_year",
    "medfinansiering_delete",
    "medfinansiering_set",
    "parse_kronor",
    "tillfalle_delete",
    "tillfalle_save",
    "volym_set_year",
]
