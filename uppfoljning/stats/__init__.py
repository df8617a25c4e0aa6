"""Report statistics: pure functions from a förbund (or the nation) and a period to plain data.

Every figure is computed in PostgreSQL with conditional aggregation (a fixed number of queries
per table), never by looping over rows in Python. The result is a JSON-serialisable *snapshot*
with stable keys (documented in the README): the same data feeds the PDF, the Excel file, the
browser preview and the ``rapport_stats`` command.

Snapshot shape::

    {
      "schema": 1,
      "meta": {"omfattning", "forbund", "antal_forbund", "period": {"start", "slut"},
               "data_cutoff"},
      "nyckeltal": [{"key", "label", "value"} | {"key", "label", "n", "N"}],
      "sektioner": [
        {"key", "title", "text", "tables": [
          {"key", "title", "columns", "rows", "note", "count_columns", "total_column"}
        ]}
      ]
    }
"""

from __future__ import annotations

import datetime as dt

from forbund.models import Forbund

from .core import (
    SCHEMA_VERSION,
    TOTAL,
    Period,
    Section,
    Table,
    active_in,
    active_medlemmar,
    forbund_ids_in_scope,
    full_year,
    half_year,
    insats_groups,
    last_closed_half_year,
    last_closed_year,
    pipelined,
    section_forbundet,
    section_insatser,
)
from .deltagare import Outcome, deltagare_tables, send_deltagare_queries
from .ekonomi import (
    insatser_per_kategori,
    kostnad_per_insats_table,
    section_ekonomi,
    send_insats_costs,
    volym_och_struktur,
)

__all__ = [
    "SCHEMA_VERSION",
    "TOTAL",
    "Period",
    "Section",
    "Table",
    "active_in",
    "build_snapshot",
    "full_year",
    "half_year",
    "last_closed_half_year",
    "last_closed_year",
]


def kostnad_per_deltagare_figure(person_cost: int, aktiva: int) -> dict:
    """The cost of the insatser that register persons per active participation (kr)."""
    return {
        "key": "kostnad_per_deltagare",
        "label": "Kostnad per deltagare (kr)",
        "value": round(person_cost / aktiva) if aktiva else None,
    }


def build_snapshot(
    *, forbund: Forbund | None, period: Period, data_cutoff: dt.datetime | None = None
) -> dict:
    """All tables of a report for one förbund (or the nation when ``forbund`` is None)."""
    from django.utils import timezone

    forbund_ids = forbund_ids_in_scope(forbund)
    today = timezone.localdate(data_cutoff) if data_cutoff else timezone.localdate()
    # The money tables read their few rows one query after another, through the budget
    # selectors the budget pages share: before the pipeline, as any ORM code runs.
    medlemmar = active_medlemmar(forbund_ids, period)
    ekonomi_tables, money = section_ekonomi(
        forbund_ids,
        period,
        today,
        medlemmar=medlemmar,
        forbund_list=[forbund] if forbund else None,
    )
    with pipelined():
        # Every other query is sent before any result is read: PostgreSQL counts the
        # participations while Python builds and sends the rest.
        participants = send_deltagare_queries(forbund_ids, period)
        groups = insats_groups(forbund_ids, period)
        costs = send_insats_costs(forbund_ids, period)
        volym = volym_och_struktur(forbund_ids, period)

        forbundet = section_forbundet(medlemmar, national=forbund is None)
        forbundet.tables.extend(ekonomi_tables)
        outcome = Outcome()
        participant_sections, participant_figures = deltagare_tables(participants, outcome)
        group_rows = groups.result()
        insatser, insats_totals = section_insatser(group_rows)
        insatser.tables.append(insatser_per_kategori(group_rows))
        cost_table, person_cost = kostnad_per_insats_table(
            costs.result(),
            outcome.deltagare_per_insats,
            national=len(forbund_ids) > 1,
            year=period.slut.year,
        )
        insatser.tables.append(cost_table)
        participant_sections[0].tables.append(volym.result())
    aktiva = next(f["value"] for f in participant_figures if f["key"] == "deltagare_aktiva")
    # Design section 6 order: förbundet, insatser, deltagare, försörjning, sysselsättning,
    # avslut, uppföljning, per insats.
    sections = [forbundet, insatser, *participant_sections]
    nyckeltal = [
        *participant_figures,
        {"key": "insatser_aktiva", "label": "Aktiva insatser", "value": insats_totals["aktiva"]},
        {"key": "utfall", "label": "Kostnader under perioden (kr)", "value": money["utfall"]},
        kostnad_per_deltagare_figure(person_cost, aktiva),
        {
            "key": "kostnad_per_invanare",
            "label": "Kostnad per invånare 16–64 år (kr)",
            "value": money["kostnad_per_invanare"],
        },
        {
            "key": "kommuner",
            "label": "Kommuner som omfattas",
            "value": len(forbundet.tables[1].rows),
        },
    ]
    return {
        "schema": SCHEMA_VERSION,
        "meta": {
            "omfattning": "forbund" if forbund else "nationell",
            "forbund": forbund.namn if forbund else None,
            "antal_forbund": None if forbund else len(forbund_ids),
            "period": {"start": period.start.isoformat(), "slut": period.slut.isoformat()},
            "data_cutoff": data_cutoff.isoformat() if data_cutoff else None,
            "ekonomi": money,
        },
        "nyckeltal": nyckeltal,
        "sektioner": [s.as_dict() for s in sections],
    }
