"""Money and reach in the reports: population 16–64, budget and utfall, eget kapital, cost per
insats and per deltagare, and the volume and structural counts (design section 6, tables 1–3).

Money is whole kronor (``Decimal``), stored in the snapshot as integers. Figures for the period
follow the same rule as everything else: utfall booked on a day of the period, insats costs of
the months that overlap it, volume counts of the months that overlap it, occasions dated in it.
Budgets and the state contribution are per calendar year: a report shows the year of the
period's last day ("för året").
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from forbund.models import (
    Befolkning,
    Budget,
    Budgetpost,
    Finansieringsar,
    Forbund,
    Medlem,
    Utfall,
)
from forbund.selectors_budget import budget_amounts, budget_in_force
from insatser.models import (
    Insatsbudget,
    Insatskostnad,
    Registreringsform,
    Tillfalle,
    TillfalleDeltagare,
    Volym,
)
from insatser.selectors import insats_budget_totals, months_in

from .core import (
    TOTAL,
    Pending,
    Period,
    Section,
    Table,
    active_in,
    financed_insatser,
    send_values,
)

ZERO = Decimal(0)


def _kr(value) -> int:
    return int(Decimal(value or 0).quantize(Decimal(1)))


def population(
    forbund_ids: list[int], period: Period, medlemmar: list[Medlem]
) -> tuple[int, int | None, list[list]]:
    """Population 16–64 of the covered kommuner for the period's year (or the latest year
    before it that has figures): total, the year used, and rows per kommun. ``medlemmar``:
    the members active in the period (``core.active_medlemmar``)."""
    year = period.slut.year
    pairs = {(m.forbund_id, m.kommun_id) for m in medlemmar if m.kommun_id is not None}
    latest = (
        Befolkning.objects.filter(forbund_id__in=forbund_ids, ar__lte=year)
        .values("forbund_id", "kommun_id", "kommun__namn", "ar", "antal")
        .order_by("forbund_id", "kommun_id", "-ar")
        .distinct("forbund_id", "kommun_id")
    )
    rows, total, years = [], 0, set()
    for row in latest:
        if (row["forbund_id"], row["kommun_id"]) not in pairs:
            continue
        rows.append([row["kommun__namn"], row["ar"], row["antal"]])
        total += row["antal"]
        years.add(row["ar"])
    rows.sort()
    return total, (max(years) if years else None), rows


def budget_och_utfall(forbund_ids: list[int], period: Period) -> tuple[Table, dict]:
    """Budget for the year (the version in force per förbund) and utfall in the period, per
    budget line; members' contributions for the year."""
    year = period.slut.year
    budget = dict.fromkeys(Budgetpost.values, ZERO)
    # Every förbund's versions for the year in one query (rows prefetched), newest first as
    # ``budget_versions`` orders them; the version in force per förbund as the budget pages
    # choose it.
    versions_by_forbund: dict[int, list[Budget]] = {}
    for version in (
        Budget.objects.filter(forbund_id__in=forbund_ids, ar=year)
        .prefetch_related("rader")
        .order_by("forbund_id", "-version")
    ):
        versions_by_forbund.setdefault(version.forbund_id, []).append(version)
    in_force = [v for v in map(budget_in_force, versions_by_forbund.values()) if v is not None]
    # A draft's insatser line is the live sum of its insats budgets: for all drafts in one query.
    drafts = [v.forbund_id for v in in_force if not v.is_locked]
    insats_budgets = insats_budget_totals(forbund_ids=drafts, year=year)
    for version in in_force:
        amounts = budget_amounts(
            version, insats_budget=insats_budgets.get(version.forbund_id, ZERO)
        )
        for post, amount in amounts.items():
            budget[post] += amount
    utfall = dict.fromkeys(Budgetpost.values, ZERO)
    for row in (
        Utfall.objects.filter(
            forbund_id__in=forbund_ids, datum__gte=period.start, datum__lte=period.slut
        )
        .values("post")
        .annotate(s=Sum("belopp"))
        .order_by()
    ):
        utfall[row["post"]] += row["s"]
    key, lo, hi = months_in(period.start, period.slut)
    insats_cost = (
        Insatskostnad.objects.filter(forbund_id__in=forbund_ids)
        .alias(k=key)
        .filter(k__gte=lo, k__lte=hi)
        .aggregate(s=Coalesce(Sum("belopp"), ZERO))["s"]
    )
    utfall[Budgetpost.INSATSER] += insats_cost
    fin = Finansieringsar.objects.filter(forbund_id__in=forbund_ids, ar=year).aggregate(
        stat=Coalesce(Sum("statlig_tilldelning"), ZERO),
        ovrigt=Coalesce(Sum("ovriga_intakter"), ZERO),
    )
    rows = [
        [str(post.label), _kr(budget[post.value]), _kr(utfall[post.value])] for post in Budgetpost
    ]
    total_budget = sum(budget.values(), ZERO)
    total_utfall = sum(utfall.values(), ZERO)
    rows.append([TOTAL, _kr(total_budget), _kr(total_utfall)])
    table = Table(
        key="budget_utfall",
        title=f"Budget {year} och utfall under perioden (kr)",
        columns=["Budgetpost", f"Budget {year}", "Utfall under perioden"],
        rows=rows,
        note=(
            "Budgeten är den beslutade versionen (annars utkastet). Utfallet för insatser är "
            "insatsernas kostnader för de månader som ingår i perioden."
        ),
    )
    stat = fin["stat"]
    money = {
        "ar": year,
        "statlig": _kr(stat),
        "region": _kr(stat / 2),
        "kommuner": _kr(stat / 2),
        "medlemsbidrag": _kr(stat * 2),
        "ovriga_intakter": _kr(fin["ovrigt"]),
        "budget": _kr(total_budget),
        "utfall": _kr(total_utfall),
        "administration": _kr(
            sum(
                (
                    utfall[p]
                    for p in (
                        Budgetpost.KANSLI_PERSONAL,
                        Budgetpost.KANSLI_LOKALER,
                        Budgetpost.KANSLI_OVRIGT,
                    )
                ),
                ZERO,
            )
        ),
        "insatser": _kr(utfall[Budgetpost.INSATSER]),
    }
    return table, money


def eget_kapital_by_forbund(
    forbund_ids: list[int],
    period: Period,
    today: dt.date,
    *,
    forbund_list: list[Forbund] | None = None,
):
    """The förbund and the period year's eget kapital of each (``EgetKapitalAr`` by förbund
    id; a förbund without a row for the year is left out): a handful of queries for all.
    ``forbund_list``: the förbund of ``forbund_ids``, when the caller has them."""
    from forbund.selectors_budget import eget_kapital_for_year

    ar = period.slut.year
    if forbund_list is None:
        forbund_list = list(Forbund.objects.filter(pk__in=forbund_ids))
    insats_costs = {
        (row["forbund_id"], row["ar"]): row["s"]
        for row in Insatskostnad.objects.filter(forbund_id__in=forbund_ids, ar__lte=ar)
        .values("forbund_id", "ar")
        .annotate(s=Sum("belopp"))
        .order_by()
    }
    return forbund_list, eget_kapital_for_year(
        forbund_list=forbund_list, ar=ar, today=today, insats_costs=insats_costs
    )


def eget_kapital(
    forbund_ids: list[int],
    period: Period,
    today: dt.date,
    *,
    forbund_list: list[Forbund] | None = None,
) -> list[list]:
    """The period year's eget kapital per förbund: a handful of queries for all förbund."""
    forbund_list, by_forbund = eget_kapital_by_forbund(
        forbund_ids, period, today, forbund_list=forbund_list
    )
    rows = []
    for forbund in forbund_list:
        row = by_forbund.get(forbund.pk)
        if row is not None:
            rows.append(
                [
                    forbund.namn,
                    _kr(row.ingaende),
                    _kr(row.utgaende),
                    _kr(row.troskel),
                    "Ja" if row.over_troskel else "Nej",
                    "Prognos" if row.prognos else "Utfall",
                ]
            )
    return rows


def section_ekonomi(
    forbund_ids: list[int],
    period: Period,
    today: dt.date,
    *,
    medlemmar: list[Medlem],
    forbund_list: list[Forbund] | None = None,
) -> tuple[list[Table], dict]:
    budget_table, money = budget_och_utfall(forbund_ids, period)
    pop_total, pop_year, pop_rows = population(forbund_ids, period, medlemmar)
    money["befolkning"] = pop_total
    money["befolkning_ar"] = pop_year
    money["kostnad_per_invanare"] = round(money["utfall"] / pop_total) if pop_total else None
    contributions = Table(
        key="finansiering",
        title=f"Finansiering {money['ar']} (kr)",
        columns=["", "Belopp"],
        rows=[
            ["Staten (Försäkringskassan), 50 %", money["statlig"]],
            ["Regionen, 25 %", money["region"]],
            ["Kommunerna tillsammans, 25 %", money["kommuner"]],
            [TOTAL, money["medlemsbidrag"]],
            ["Övriga intäkter", money["ovriga_intakter"]],
        ],
    )
    population_table = Table(
        key="befolkning",
        title="Befolkning 16–64 år i kommunerna",
        columns=["Kommun", "År", "Antal 16–64 år"],
        rows=[*pop_rows, [TOTAL, pop_year or "", pop_total]],
        note=(
            "Senaste registrerade år till och med periodens år. Kostnad per invånare 16–64 år "
            "under perioden: "
            + (f"{money['kostnad_per_invanare']} kr." if pop_total else "uppgift saknas.")
        ),
    )
    ek_rows = eget_kapital(forbund_ids, period, today, forbund_list=forbund_list)
    ek = Table(
        key="eget_kapital",
        title=f"Eget kapital {money['ar']} (kr)",
        columns=["Förbund", "Ingående", "Utgående", "Tröskel", "Över tröskeln", "Underlag"],
        rows=ek_rows,
        note="Tröskeln är förbundets egen nivå (standard 20 % av årets medlemsbidrag).",
    )
    return [contributions, budget_table, population_table, ek], money


def insatser_per_kategori(grouped: list[dict]) -> Table:
    """Insatser active, new and ended by kategori and registration mode
    (``insats_groups``'s result)."""
    labels = dict(Registreringsform.choices)
    rows = [
        [
            g["kategori__namn"] or "Ingen kategori",
            str(labels.get(g["registreringsform"], g["registreringsform"])),
            g["aktiva"],
            g["nya"],
            g["avslutade"],
        ]
        for g in grouped
        if g["aktiva"] or g["nya"] or g["avslutade"]
    ]
    rows.append(
        [TOTAL, "", *[sum(r[i] for r in rows) for i in (2, 3, 4)]],
    )
    return Table(
        key="insatser_per_kategori",
        title="Insatser per kategori och registreringsform",
        columns=["Kategori", "Registreringsform", "Aktiva", "Nya", "Avslutade"],
        rows=rows,
    )


def insats_costs(forbund_ids: list[int], period: Period) -> list[dict]:
    """Per financed insats active in the period (one query with subqueries, in the table's
    order): its budget for the period's year and its costs of the months that overlap the
    period (keys ``pk``, ``kod``, ``namn``, ``forbund__namn``, ``registreringsform``,
    ``kostnad``, ``budget_ar``)."""
    return send_insats_costs(forbund_ids, period).result()


def send_insats_costs(forbund_ids: list[int], period: Period) -> Pending:
    """``insats_costs``'s query, sent at once (its result is ``insats_costs``'s list)."""
    year = period.slut.year
    key, lo, hi = months_in(period.start, period.slut)
    cost = (
        Insatskostnad.objects.filter(insats=OuterRef("pk"))
        .alias(k=key)
        .filter(k__gte=lo, k__lte=hi)
        .values("insats")
        .annotate(s=Sum("belopp"))
        .values("s")
    )
    budget = Insatsbudget.objects.filter(insats=OuterRef("pk"), ar=year).values("belopp")[:1]
    return send_values(
        financed_insatser(forbund_ids)
        .filter(active_in(period, "startdatum", "slutdatum"))
        .annotate(
            kostnad=Coalesce(Subquery(cost), ZERO),
            budget_ar=Coalesce(Subquery(budget), ZERO),
        )
        .order_by("forbund__namn", "kod")
        .values("pk", "kod", "namn", "forbund__namn", "registreringsform", "kostnad", "budget_ar")
    )


def kostnad_per_insats_table(
    items: list[dict], deltagare_per_insats: dict[int, int], *, national: bool, year: int
) -> tuple[Table, int]:
    """The cost table from ``insats_costs`` and the participants per insats, and the cost of
    the insatser that register persons (for the cost per deltagare). The report and the board's
    dashboard build it alike."""
    rows = []
    person_cost = 0
    for insats in items:
        deltagare = deltagare_per_insats.get(insats["pk"], 0)
        person = insats["registreringsform"] == Registreringsform.PERSON
        if person:
            person_cost += _kr(insats["kostnad"])
        label = f"{insats['kod']} {insats['namn']}"
        if national:
            label = f"{insats['forbund__namn']}: {label}"
        per_person = round(insats["kostnad"] / deltagare) if deltagare and person else None
        rows.append(
            [label, _kr(insats["budget_ar"]), _kr(insats["kostnad"]), deltagare, per_person]
        )
    rows.append(
        [
            TOTAL,
            sum(r[1] for r in rows),
            sum(r[2] for r in rows),
            sum(r[3] for r in rows),
            None,
        ]
    )
    table = Table(
        key="kostnad_per_insats",
        title=f"Budget {year}, kostnad och kostnad per deltagare per insats (kr)",
        columns=[
            "Insats",
            f"Budget {year}",
            "Kostnad under perioden",
            "Deltagare",
            "Per deltagare",
        ],
        rows=rows,
        note=(
            "Kostnad per deltagare = insatsens kostnad under perioden delad med antalet "
            "deltaganden som var aktiva under perioden (bara insatser som registrerar personer)."
        ),
        count_columns=[3],
    )
    return table, person_cost


def volym_och_struktur(forbund_ids: list[int], period: Period) -> Pending:
    """Consultative/preventive contacts (VOLYM) by kön and structural occasions (STRUKTUR):
    two queries sent at once; the result is the table."""
    # The sums of insatser.selectors' volym_totals and struktur_totals over the förbund, for
    # all förbund at once (per förbund in SQL, summed here).
    key, lo, hi = months_in(period.start, period.slut)
    volym = send_values(
        Volym.objects.filter(forbund_id__in=forbund_ids)
        .alias(k=key)
        .filter(k__gte=lo, k__lte=hi)
        .values("forbund_id")
        .annotate(kvinnor=Sum("kvinnor"), man=Sum("man"), annat=Sum("annat"))
        .order_by()
    )
    # The occasions and their participants in one query: each occasion's participants summed
    # in a subquery, so the occasions are not multiplied by a join.
    per_occasion = (
        TillfalleDeltagare.objects.filter(tillfalle=OuterRef("pk"))
        .values("tillfalle")
        .annotate(s=Sum("antal"))
        .values("s")
    )
    occasions = (
        Tillfalle.objects.filter(
            forbund_id__in=forbund_ids, datum__gte=period.start, datum__lte=period.slut
        )
        .annotate(antal_deltagare=Subquery(per_occasion))
        .values("forbund_id")
        .annotate(n=Count("id"), h=Sum("timmar"), d=Coalesce(Sum("antal_deltagare"), 0))
        .order_by()
    )
    return send_values(occasions, lambda rows: _volym_table(volym.result(), rows))


def _volym_table(volym: list[dict], occasions: list[dict]) -> Table:
    """The volume table from the per-förbund sums of ``volym_och_struktur``."""
    kvinnor = sum(r["kvinnor"] or 0 for r in volym)
    man = sum(r["man"] or 0 for r in volym)
    annat = sum(r["annat"] or 0 for r in volym)
    tillfallen = sum(r["n"] for r in occasions)
    timmar = sum((r["h"] or ZERO for r in occasions), ZERO)
    deltagare = sum(r["d"] for r in occasions)
    return Table(
        key="volym_struktur",
        title="Volyminsatser och strukturinsatser",
        columns=["", "Antal"],
        rows=[
            ["Kontakter i volyminsatser, kvinnor", kvinnor],
            ["Kontakter i volyminsatser, män", man],
            ["Kontakter i volyminsatser, annat/vill ej uppge", annat],
            ["Kontakter i volyminsatser, totalt", kvinnor + man + annat],
            ["Tillfällen i strukturinsatser", tillfallen],
            ["Timmar i strukturinsatser", float(timmar)],
            ["Deltagare vid tillfällen (personal hos medlemmarna)", deltagare],
        ],
        note=(
            "Volyminsatser räknar kontakter per månad (de månader som ingår i perioden), inte "
            "personer. Strukturinsatsernas deltagare är personal hos medlemmarna."
        ),
        count_columns=[1],
    )


__all__ = [
    "Section",
    "insatser_per_kategori",
    "insats_costs",
    "kostnad_per_insats_table",
    "section_ekonomi",
    "send_insats_costs",
    "volym_och_struktur",
]
