"""How a model joins the audit trail (``finsam.audit`` reads it): django-pghistory triggers on
insert, update and delete, for a chosen list of fields only (never identity), with the events
reachable from the object as ``audit_events``."""

from __future__ import annotations

import pghistory


def audited(*, fields: list[str], model_name: str):
    """Class decorator: record inserts, updates and deletes of ``fields`` in ``model_name``."""
    return pghistory.track(
        pghistory.InsertEvent(),
        pghistory.UpdateEvent(),
        pghistory.DeleteEvent(),
        fields=fields,
        model_name=model_name,
        obj_field=pghistory.ObjForeignKey(related_name="audit_events"),
    )
