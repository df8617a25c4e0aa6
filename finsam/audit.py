"""The audit trail: who changed what, when, old → new (issue 8).

PostgreSQL triggers from django-pghistory write one event row per insert, update and delete of
the tracked models (``@pghistory.track`` in each app's ``models.py``: the förbund profile,
members, budget versions and rows, utfall, the insats and its money rows, participations and
their försörjning rows and follow-ups). The triggers see every path that writes (views, admin,
imports, raw SQL). Each model tracks a chosen list of fields: never identity (the Person, its
encrypted number, HMAC or name, the consent link). The append-only access log and anonymisation
ledger are not tracked: they have triggers of their own.

``AuditContextMiddleware`` ties the events of one request to the acting user and the request's
method and path (never the query string or body; a path that looks like it holds a personnummer
is redacted). ``history`` reads one object's history for its page: newest first, paged, with
Swedish field labels and display values, in a constant number of queries.

When a participation is anonymised, ``deltagare.services.radering`` purges its details from the
history in the same transaction (design section 4 rule 4).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pghistory.middleware import HistoryMiddleware
from pghistory.models import MiddlewareEvents

PER_PAGE = 20
PAGE_PARAM = "historik"
EMPTY = "–"

# A personnummer or samordningsnummer (10 or 12 digits, with or without the separator).
_PERSONNUMMER_LIKE = re.compile(r"(?<!\d)(\d{2})?\d{6}[-+]?\d{4}(?!\d)")


def safe_path(path: str) -> str:
    """The request path as stored with an event; anything shaped like a personnummer is cut out
    (URLs never carry one, design rule 2; this makes sure the history cannot either)."""
    return _PERSONNUMMER_LIKE.sub("[borttaget]", path)


class AuditContextMiddleware(HistoryMiddleware):
    """Stores with every change made by a request: the user's id, the method and the path."""

    def get_context(self, request) -> dict[str, Any]:
        user = getattr(request, "user", None)
        user_id = (
            user._meta.pk.get_db_prep_value(user.pk, connection)
            if user is not None and hasattr(user, "_meta")
            else None
        )
        return {"user": user_id, "url": safe_path(request.path), "method": request.method}


# --- Reading a history -------------------------------------------------------------------------

# The fields that name a row of a child model in the list ("Budgetrad Kansli: personal").
TITLE_FIELDS: dict[str, tuple[str, ...]] = {
    "forbund.Medlem": ("namn",),
    "forbund.Budgetrad": ("post",),
    "forbund.Utfall": ("datum", "post"),
    "insatser.Insatsbudget": ("ar",),
    "insatser.Insatskostnad": ("ar", "manad"),
    "insatser.Medfinansiering": ("finansiar", "ar"),
    "deltagare.Forsorjning": ("skede",),
    "deltagare.Uppfoljning": ("punkt",),
}

ACTIONS = {
    "insert": gettext_lazy("Skapad"),
    "update": gettext_lazy("Ändrad"),
    "delete": gettext_lazy("Borttagen"),
}


@dataclass(frozen=True)
class Change:
    falt: str
    fore: str
    efter: str


@dataclass
class Entry:
    """One event as shown: when, who, on what, and the changed fields."""

    at: dt.datetime
    user: Any
    what: str
    action: str
    changes: list[Change] = field(default_factory=list)


@dataclass
class History:
    entries: list[Entry]
    number: int = 1
    has_next: bool = False
    query: str = ""  # the page's other query parameters, kept by the page links
    param: str = PAGE_PARAM

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def _page_number(value: str | None) -> int:
    """``?historik=N``; anything else is the first page (bad input never fails the page)."""
    try:
        number = int(value or 1)
    except ValueError:
        return 1
    return min(max(number, 1), 10_000)


def field_label(f) -> str:
    """A field's (or model's) verbose name with a capital first letter, as the pages show it."""
    text = str(f.verbose_name)
    return text[:1].upper() + text[1:]


def _shown_fields(event_model, hidden: set[str]) -> list[models.Field]:
    return [
        f
        for f in event_model._meta.concrete_fields
        if not f.name.startswith("pgh_") and f.name not in hidden
    ]


def _display(f: models.Field, value: Any, names: dict) -> str:
    if value is None or value == "":
        return EMPTY
    if f.is_relation:
        return names.get((f.related_model, value), str(value))
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(f, models.BooleanField):
        return _("Ja") if value else _("Nej")
    if isinstance(f, models.DateTimeField):
        parsed = parse_datetime(str(value))
        return formats.date_format(timezone.localtime(parsed), "Y-m-d H:i") if parsed else value
    if isinstance(f, models.DateField):
        parsed = parse_date(str(value)[:10])
        return parsed.isoformat() if parsed else str(value)
    if isinstance(f, models.DecimalField | models.IntegerField) and not isinstance(
        f, models.PositiveSmallIntegerField
    ):
        return formats.number_format(Decimal(str(value)), use_l10n=True, force_grouping=True)
    return str(value)


def _fk_names(rows: Sequence[MiddlewareEvents], fields_by_model: dict) -> dict:
    """``(related model, pk) → str`` for every foreign key value on the page, one query per
    related model (code lists, decisions, members): the count does not grow with the page."""
    wanted: dict[type, set] = defaultdict(set)
    related_models = {
        f.related_model for fields in fields_by_model.values() for f in fields if f.is_relation
    }
    for row in rows:
        for f in fields_by_model[row.pgh_model]:
            if not f.is_relation:
                continue
            values = [row.pgh_data.get(f.column)]
            if row.pgh_diff and f.column in row.pgh_diff:
                values += row.pgh_diff[f.column]
            wanted[f.related_model].update(v for v in values if v not in (None, ""))
    names = {}
    for model in related_models:
        for obj in _any_of(model, wanted[model]):
            names[(model, obj.pk)] = str(obj)
    return names


def _any_of(model: type[models.Model], pks: Iterable) -> models.QuerySet:
    """``pk IN pks`` that runs its query even for no pks (``= ANY('{}')``), so that a page
    makes the same queries whether or not it shows a value of that kind."""
    # The column comes from the model's metadata; the values are parameters.
    column = f'"{model._meta.db_table}"."{model._meta.pk.column}"'
    sql = f"{column}::text = ANY(%s)"  # nosemgrep: finsam-sql-string-building - identifiers only
    condition = RawSQL(sql, ([str(pk) for pk in pks],), BooleanField())  # noqa: S611
    return model._default_manager.filter(condition)


def _title(row, event_model, names) -> str:
    tracked = event_model.pgh_tracked_model
    title = [
        _display(
            event_model._meta.get_field(name), row.pgh_data.get(_column(event_model, name)), names
        )
        for name in TITLE_FIELDS.get(tracked._meta.label, ())
    ]
    return " ".join([field_label(tracked._meta), *title])


def _column(event_model, name: str) -> str:
    return event_model._meta.get_field(name).column


def history(
    request,
    *,
    obj: models.Model,
    event_models: Iterable[type[models.Model]],
    where: models.Q | None = None,
    hidden: Iterable[str] = ("forbund",),
    per_page: int = PER_PAGE,
) -> History:
    """The changes of ``obj`` and of the tracked rows that point at it (``event_models``),
    newest first, one page (``?historik=N``). The caller has already fetched ``obj`` through its
    scoped access helper, so the history is as visible as the page it is shown on.

    ``hidden`` fields are not listed (the förbund; a foreign key to ``obj`` is implied). Updates
    whose changes were all purged (anonymisation) are left out. The same queries for every page,
    whatever the number of events: the page (with its users) and one per kind of foreign key
    the models hold (code lists, members, decisions)."""
    event_models = list(event_models)
    by_label = {m._meta.label: m for m in event_models}
    hidden = set(hidden)
    fields_by_model = {
        label: [
            f
            for f in _shown_fields(m, hidden)
            if not (f.is_relation and f.related_model is obj._meta.concrete_model)
        ]
        for label, m in by_label.items()
    }
    qs = (
        MiddlewareEvents.objects.across(*event_models)
        .references(obj)
        .exclude(pgh_label="update", pgh_diff__isnull=True)
        # Every event table takes its ids from one sequence (the audit migrations), so the id
        # orders events across tables, also within one transaction (where NOW() is one time).
        .order_by("-pgh_id")
    )
    if where is not None:
        qs = qs.filter(where)
    number = _page_number(request.GET.get(PAGE_PARAM))
    start = (number - 1) * per_page
    # One row more than shown tells whether there is a next page, without a count query.
    rows = list(qs.select_related("user")[start : start + per_page + 1])
    has_next = len(rows) > per_page
    rows = rows[:per_page]
    names = _fk_names(rows, fields_by_model)
    entries = []
    for row in rows:
        event_model = by_label[row.pgh_model]
        is_self = event_model.pgh_tracked_model is obj._meta.concrete_model and str(
            row.pgh_obj_id
        ) == str(obj.pk)
        title_names = set(TITLE_FIELDS.get(event_model.pgh_tracked_model._meta.label, ()))
        changes = []
        for f in fields_by_model[row.pgh_model]:
            if row.pgh_label == "update":
                if not row.pgh_diff or f.column not in row.pgh_diff:
                    continue
                old, new = row.pgh_diff[f.column]
            elif f.name in title_names:
                continue
            elif row.pgh_label == "insert":
                old, new = None, row.pgh_data.get(f.column)
            else:
                old, new = row.pgh_data.get(f.column), None
            if old in (None, "") and new in (None, ""):
                continue
            changes.append(Change(field_label(f), _display(f, old, names), _display(f, new, names)))
        entries.append(
            Entry(
                at=row.pgh_created_at,
                user=row.user,
                what="" if is_self else _title(row, event_model, names),
                action=str(ACTIONS.get(row.pgh_label, row.pgh_label)),
                changes=changes,
            )
        )
    others = request.GET.copy()
    others.pop(PAGE_PARAM, None)
    return History(entries=entries, number=number, has_next=has_next, query=others.urlencode())
