"""Reads on reports, always scoped to the förbund (or the nation for the national role)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from finsam.roles import Role

from .models import Omfattning, Rapport, Variant


def rapporter_visible(request) -> QuerySet[Rapport]:
    """The reports a user may see in the chosen förbund.

    Förbundschef and ekonomi see all of the förbund's reports; styrelse sees only the masked
    board variant (never the unmasked working version); nationell sees national reports."""
    roles = request.roles
    qs = Rapport.objects.none()
    if request.forbund is None:
        return qs
    if roles & {Role.FORBUNDSCHEF, Role.EKONOMI}:
        qs = qs | Rapport.objects.for_forbund(request.forbund)
    elif Role.STYRELSE in roles:
        qs = qs | Rapport.objects.for_forbund(request.forbund).filter(variant=Variant.STYRELSE)
    if Role.NATIONELL in roles:
        qs = qs | Rapport.objects.filter(omfattning=Omfattning.NATIONELL)
    return qs.select_related("forbund", "bestalld_av")


def rapport_get_for_user(request, uuid) -> Rapport:
    try:
        return rapporter_visible(request).get(uuid=uuid)
    except (Rapport.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def snapshot_changes(previous: dict | None, current: dict | None) -> list[dict]:
    """The figures that differ between two snapshots ("what changed since the last report")."""
    if not previous or not current:
        return []
    changes = []
    before = {f["key"]: f for f in previous.get("nyckeltal", [])}
    for figure in current.get("nyckeltal", []):
        old = before.get(figure["key"])
        for part in ("value", "n", "N"):
            if old is not None and old.get(part) != figure.get(part):
                changes.append(
                    {
                        "label": figure["label"],
                        "del": part,
                        "fore": old.get(part),
                        "nu": figure.get(part),
                    }
                )
    old_tables = {
        (s["key"], t["key"]): t for s in previous.get("sektioner", []) for t in s["tables"]
    }
    for section in current.get("sektioner", []):
        for table in section["tables"]:
            old = old_tables.get((section["key"], table["key"]))
            if old is None:
                continue
            old_rows = {tuple(map(str, r[:1])): r for r in old["rows"]}
            for row in table["rows"]:
                prior = old_rows.get(tuple(map(str, row[:1])))
                if prior is None:
                    changes.append(
                        {
                            "label": f"{table['title']}: {row[0]}",
                            "del": "ny rad",
                            "fore": None,
                            "nu": row[1:],
                        }
                    )
                    continue
                for i, (a, b) in enumerate(zip(prior, row, strict=False)):
                    if i and a != b:
                        changes.append(
                            {
                                "label": f"{table['title']}: {row[0]} – {table['columns'][i]}",
                                "del": "",
                                "fore": a,
                                "nu": b,
                            }
                        )
    return changes
