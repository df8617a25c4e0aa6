"""Participant statistics of the half-year and annual reports (design section 6, tables 3–8).

Definitions (FK's method as the design states it; the report's method page says the same in
Swedish):

* A participation counts in a period when it was active on at least one day of it. *New* =
  inskrivning in the period; *ended* = utskrivning in the period.
* A participation ended with avslutsorsak ``FEL`` (felregistrering) counts nowhere.
* Counts include anonymous participations; the outcome tables (4, 5, 7) cover identified ones.
  A participation whose consent was withdrawn, or whose identity was removed by gallring, is
  anonymous from then on.
* Table 4's denominator: identified participations ended in the period with at least one
  försörjningskälla registered both before and after; those lacking either are counted apart.
  Several sources may hold at once, so a column can sum past 100 %.
* Table 5's denominator: identified participations ended in the period with sysselsättning both
  before and after. *Arbete eller studier* = ARBETE, SUBV or STUDIER (SUBV is also shown alone).
* Age = the inskrivning's year minus the birth year. *Unga* = 16–29.

Every figure is counted in PostgreSQL, in five queries whatever the number of participations:
one pass over the participations active in the period and one over those ended in it (each
grouped for several tables at once, ``count_grouping_sets``), the försörjning table, the
follow-ups, and the per-insats labels. The five are sent together first
(``send_deltagare_queries``: each returns a ``Pending``), then the tables read their results
(``deltagare_tables``), so PostgreSQL counts while Python builds.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.functions import Cast, ExtractYear

from deltagare.kodlistor import (
    ALDERSGRUPPER,
    ANVISANDE_PART,
    AVSLUTSORSAK,
    FEL,
    FORSORJNINGSKALLA,
    KON,
    OKAND,
    SYSSELSATTNING,
    TID_OFFENTLIG_FORSORJNING,
    UTBILDNINGSNIVA,
)
from deltagare.models import Deltagande, Forsorjning, Skede, Uppfoljning
from insatser.models import Insats

from .core import (
    TOTAL,
    Pending,
    Period,
    Section,
    Table,
    active_in,
    count_grouping_sets,
    flag,
    grouping_total,
    send_values,
)

KON_CODES = [k for k, _ in KON]
OFFENTLIG = [k for k, _n, offentlig in FORSORJNINGSKALLA if offentlig]
ARBETE_ELLER_STUDIER = [k for k, _n, aes in SYSSELSATTNING if aes]
# "Main source before" for the transition table: the first that holds, in this order (public
# sources first, the heaviest first, as FK tabulates them).
HUVUDKALLA_ORDNING = ["SA", "AKE", "SJP", "AKASSA", "AKST", "ETAB", "EKB", "SUBV", "LON", "STUD"]
HUVUDKALLA_ORDNING += ["ANNAN", "INGEN", "OKAND"]
KALLA_LABEL = {k: n for k, n, _ in FORSORJNINGSKALLA}
SYSS_LABEL = {k: n for k, n, _ in SYSSELSATTNING}


def days_in_insats():
    """utskrivning − inskrivning in whole days (PostgreSQL's date − date is an integer)."""
    return Func(
        F("utskrivning"),
        F("inskrivning"),
        template="(%(expressions)s)",
        arg_joiner=" - ",
        output_field=IntegerField(),
    )


def counted(forbund_ids: list[int]):
    """Participations of the förbund, with ``FEL`` taken out of every count."""
    return Deltagande.objects.filter(forbund_id__in=forbund_ids).exclude(avslutsorsak_id=FEL)


def active_q(period: Period) -> Q:
    return active_in(period, "inskrivning", "utskrivning")


def new_q(period: Period) -> Q:
    return Q(inskrivning__gte=period.start, inskrivning__lte=period.slut)


def ended_q(period: Period) -> Q:
    return Q(utskrivning__gte=period.start, utskrivning__lte=period.slut)


def _age_expression():
    """Age = the inskrivning's year minus the birth year. PostgreSQL's EXTRACT gives a
    numeric; as an integer the age groups' comparisons are integer comparisons (several per
    row), which is measurably cheaper in the national report."""
    return Cast(ExtractYear("inskrivning"), IntegerField()) - F("fodelsear")


def _age_group_case():
    """The åldersgrupp code of ``alder``. The groups are contiguous and in order, so each WHEN
    needs only its upper bound (the earlier ones failed), the last only its lower one: half the
    comparisons per row of the full ranges, and NULL when the age is unknown, as before."""
    whens = []
    previous_high = None
    for kod, low, high, _label in ALDERSGRUPPER:
        if low is not None and previous_high is not None and low != previous_high + 1:
            raise ValueError("ALDERSGRUPPER must be contiguous")
        condition = Q(alder__lte=high) if high is not None else Q(alder__gte=low)
        whens.append(When(condition, then=Value(kod)))
        previous_high = high
    return Case(*whens)


def has_kalla_in_period(forbund_ids: list[int], period: Period, skede: str, codes: list[str]) -> Q:
    """The participation has one of ``codes`` at that stage; for participations active in the
    period. Försörjning rows carry their participation's förbund and dates (design section 3),
    so the rows of the förbund's active participations are one range of the covering index
    ``forsorjning_period``, read once for all participations (a hashed ``IN``) instead of a
    lookup per participation."""
    rows = Forsorjning.objects.filter(
        active_in(period, "inskrivning", "utskrivning"),
        forbund_id__in=forbund_ids,
        skede=skede,
        kalla_id__in=codes,
    )
    return Q(pk__in=rows.values("deltagande_id"))


def known_sysselsattning() -> Q:
    """Sysselsättning registered both before and after, "Okänd" counting as not registered."""
    return (
        Q(sysselsattning_fore__isnull=False, sysselsattning_efter__isnull=False)
        & ~Q(sysselsattning_fore_id=OKAND)
        & ~Q(sysselsattning_efter_id=OKAND)
    )


def _rate(n: int, total: int) -> dict:
    return {"n": n, "N": total}


@dataclass
class Outcome:
    """Figures the key-figure page and the dashboards reuse."""

    aktiva: int = 0
    nya: int = 0
    avslutade: int = 0
    unga: int = 0
    forsorjning_N: int = 0
    offentlig_fore: int = 0
    offentlig_efter: int = 0
    syss_N: int = 0
    aes_fore: int = 0
    aes_efter: int = 0
    # Active participations per insats id (the per-insats table; the cost table reuses it).
    deltagare_per_insats: dict[int, int] = dataclasses.field(default_factory=dict)


def _kon_columns() -> list[str]:
    return ["Kvinnor", "Män", "Annat/vill ej uppge", "Totalt"]


ACTIVE_AGGREGATES = {
    "aktiva": "count(*)",
    "nya": "count(*) FILTER (WHERE ny)",
    "avslutade": "count(*) FILTER (WHERE avslutad)",
    "identifierade": "count(*) FILTER (WHERE identifierad)",
    "unga": "count(*) FILTER (WHERE ung)",
    "unga_ake": "count(*) FILTER (WHERE ung AND har_ake)",
    "aes_N": "count(*) FILTER (WHERE syss_kand)",
    "aes_n": "count(*) FILTER (WHERE syss_kand AND aes_efter)",
}


def active_counts(forbund_ids: list[int], period: Period) -> Pending:
    """The counts of tables 3a–3c (deltagare) and 8 (per insats), over the participations
    active in the period, in one query (sent at once; the result is ``count_grouping_sets``'s).
    New and ended participations are active in the period too, so only active rows are read."""
    active, new, ended = active_q(period), new_q(period), ended_q(period)
    rows = (
        counted(forbund_ids)
        .filter(active)
        .annotate(alder=_age_expression())
        .annotate(
            grupp=_age_group_case(),
            ny=flag(new),
            avslutad=flag(ended),
            identifierad=flag(Q(person__isnull=False)),
            ung=flag(Q(alder__gte=16, alder__lte=29)),
            har_ake=flag(has_kalla_in_period(forbund_ids, period, Skede.FORE, ["AKE"])),
            # Table 8's share to arbete/studier: identified, ended in the period, with
            # sysselsättning known before and after.
            syss_kand=flag(ended & Q(person__isnull=False) & known_sysselsattning()),
            aes_efter=flag(Q(sysselsattning_efter_id__in=ARBETE_ELLER_STUDIER)),
        )
        .values(
            "kon_id",
            "grupp",
            "insats_id",
            "utbildning_id",
            "anvisande_part_id",
            "tid_offentlig_forsorjning_id",
            "ny",
            "avslutad",
            "identifierad",
            "ung",
            "har_ake",
            "syss_kand",
            "aes_efter",
        )
    )
    return count_grouping_sets(
        rows,
        {
            "kon": ("kon_id",),
            "alder_kon": ("kon_id", "grupp"),
            "total": (),
            "utbildning": ("utbildning_id",),
            "anvisande_part": ("anvisande_part_id",),
            "tid_offentlig": ("tid_offentlig_forsorjning_id",),
            "insats_kon": ("insats_id", "kon_id"),
        },
        ACTIVE_AGGREGATES,
    )


def section_deltagare(counts: dict[str, list[dict]], outcome: Outcome) -> Section:
    """Tables 3a–3c from ``active_counts``'s result."""
    totals = grouping_total(counts["total"], ACTIVE_AGGREGATES)

    # 3a. Active, new, ended by kön.
    kon = {g["kon_id"]: g for g in counts["kon"]}
    rows = []
    for label, key in (("Aktiva", "aktiva"), ("Nya", "nya"), ("Avslutade", "avslutade")):
        values = [kon[k][key] if k in kon else 0 for k in KON_CODES]
        rows.append([label, *values, sum(values)])
    outcome.aktiva, outcome.nya, outcome.avslutade = (r[-1] for r in rows)
    outcome.unga = totals["unga"]
    oversikt = Table(
        key="deltagare_kon",
        title="Deltagare aktiva, nya och avslutade, per kön",
        columns=["", *_kon_columns()],
        rows=rows,
        count_columns=[1, 2, 3, 4],
        total_column=4,
    )

    # 3b. Åldersgrupp × kön, active participations.
    by_group = {(g["grupp"], g["kon_id"]): g["aktiva"] for g in counts["alder_kon"]}
    age_rows = []
    for kod, _lo, _hi, label in ALDERSGRUPPER:
        values = [by_group.get((kod, k), 0) for k in KON_CODES]
        age_rows.append([label, *values, sum(values)])
    age_rows.append([TOTAL, *[sum(r[i] for r in age_rows) for i in range(1, 5)]])
    alder = Table(
        key="alder_kon",
        title="Aktiva deltagare per åldersgrupp och kön",
        columns=["Åldersgrupp", *_kon_columns()],
        rows=age_rows,
        note="Ålder = inskrivningsåret minus födelseåret.",
        count_columns=[1, 2, 3, 4],
        total_column=4,
    )

    anonyma = totals["aktiva"] - totals["identifierade"]
    grupper = Table(
        key="grupper",
        title="Unga, aktivitetsersättning och anonyma",
        columns=["", "Antal", "Andel av aktiva"],
        rows=[
            ["Unga 16–29 år", totals["unga"], _pct(totals["unga"], outcome.aktiva)],
            [
                "Unga med aktivitetsersättning vid inskrivning",
                totals["unga_ake"],
                _pct(totals["unga_ake"], outcome.aktiva),
            ],
            [
                "Identifierade",
                totals["identifierade"],
                _pct(totals["identifierade"], outcome.aktiva),
            ],
            ["Anonyma", anonyma, _pct(anonyma, outcome.aktiva)],
        ],
        note="Anonyma deltaganden har bara kön, födelseår och datum.",
        count_columns=[1],
    )

    # 3c. Start details of active identified participations (anonymous ones have none).
    detail_tables = []
    for key, title, field, codes in (
        ("utbildning", "Utbildningsnivå (aktiva, identifierade)", "utbildning_id", UTBILDNINGSNIVA),
        (
            "anvisande_part",
            "Anvisande part (aktiva, identifierade)",
            "anvisande_part_id",
            ANVISANDE_PART,
        ),
        (
            "tid_offentlig",
            "Tid i offentlig försörjning före inskrivning (aktiva, identifierade)",
            "tid_offentlig_forsorjning_id",
            TID_OFFENTLIG_FORSORJNING,
        ),
    ):
        by_code = {g[field]: g["identifierade"] for g in counts[key]}
        table_rows = [[label, by_code.get(code, 0)] for code, label in codes]
        table_rows.append(["Uppgift saknas", by_code.get(None, 0)])
        table_rows.append([TOTAL, sum(r[1] for r in table_rows)])
        detail_tables.append(
            Table(key=key, title=title, columns=["", "Antal"], rows=table_rows, count_columns=[1])
        )
    return Section(
        key="deltagare",
        title="Deltagare",
        text=(
            "Deltaganden som var aktiva minst en dag under perioden. Anonyma deltaganden räknas "
            "med; felregistreringar räknas inte."
        ),
        tables=[oversikt, alder, grupper, *detail_tables],
    )


def _pct(n: int, total: int) -> dict:
    """A rate cell: numerator and denominator; the renderers format it ("12,5 %")."""
    return {"n": n, "N": total}


def _ended_identified(forbund_ids: list[int], period: Period):
    return counted(forbund_ids).filter(ended_q(period), person__isnull=False)


def forsorjning_counts(forbund_ids: list[int], period: Period) -> Pending:
    """Table 4's figures (``_forsorjning_counts``) for the identified participations ended in
    the period, sent at once."""
    return _forsorjning_counts(_ended_identified(forbund_ids, period))


def section_forsorjning(forsorjning: tuple[dict, dict, dict, dict], outcome: Outcome) -> Section:
    """Table 4 from ``forsorjning_counts``'s result."""
    counts, by, trans, totals_by_main = forsorjning
    total = counts["N"]
    outcome.forsorjning_N = total
    outcome.offentlig_fore, outcome.offentlig_efter = counts["off_fore"], counts["off_efter"]
    source_rows = []
    for code, label, _ in FORSORJNINGSKALLA:
        if code == OKAND:
            continue  # "Okänd" alone keeps a participation out of the denominator
        fore, efter = by.get((Skede.FORE, code), 0), by.get((Skede.EFTER, code), 0)
        source_rows.append([label, fore, _pct(fore, total), efter, _pct(efter, total)])
    source_rows.append(
        [
            "Offentlig försörjning (minst en källa)",
            counts["off_fore"],
            _pct(counts["off_fore"], total),
            counts["off_efter"],
            _pct(counts["off_efter"], total),
        ]
    )
    kallor = Table(
        key="forsorjning_fore_efter",
        title="Försörjningskällor före och efter insatsen",
        columns=["Försörjning", "Före (antal)", "Före (andel)", "Efter (antal)", "Efter (andel)"],
        rows=source_rows,
        note=(
            f"Nämnare: {total} identifierade deltaganden som avslutades under perioden med "
            "försörjning registrerad både före och efter. Flera källor kan gälla samtidigt, så "
            "kolumnerna kan summera till mer än 100 %. "
            f"{counts['avslutade'] - total} avslutade identifierade deltaganden saknar uppgift "
            "(eller har bara Okänd) före eller efter och ingår inte."
        ),
        count_columns=[1, 3],
    )
    forandring = offentlig_forandring_table(counts["off_fore"], counts["off_efter"], total)
    efter_codes = [c for c, _n, _o in FORSORJNINGSKALLA]
    transition_rows = []
    for main in HUVUDKALLA_ORDNING:
        if not totals_by_main.get(main):
            continue
        transition_rows.append(
            [
                KALLA_LABEL[main],
                totals_by_main[main],
                *[trans.get((main, c), 0) for c in efter_codes],
            ]
        )
    overgang = Table(
        key="overgangar",
        title="Huvudsaklig försörjning före × försörjning efter",
        columns=["Huvudsaklig källa före", "Antal", *efter_codes],
        rows=transition_rows,
        note=(
            "Huvudsaklig källa före = den första källan som gällde i ordningen "
            + ", ".join(HUVUDKALLA_ORDNING)
            + ". Kolumnerna efter visar koderna; en person kan ha flera källor efter."
        ),
        count_columns=list(range(1, 2 + len(efter_codes))),
    )
    return Section(
        key="forsorjning",
        title="Försörjning före och efter",
        text=(
            "Identifierade deltaganden som avslutades under perioden. Anonyma deltaganden har "
            "inga uppgifter om försörjning."
        ),
        tables=[kallor, forandring, overgang],
    )


def offentlig_forandring_table(off_fore: int, off_efter: int, total: int) -> Table:
    """Table 4's change in offentlig försörjning, from its counts (the report and the board's
    dashboard build it alike)."""
    return Table(
        key="offentlig_forandring",
        title="Offentlig försörjning före och efter",
        columns=["", "Före", "Efter", "Förändring (personer)", "Förändring (procentenheter)"],
        rows=[
            [
                "I offentlig försörjning",
                off_fore,
                off_efter,
                off_efter - off_fore,
                _pp(off_fore, off_efter, total),
            ],
            [
                "Utan offentlig försörjning",
                total - off_fore,
                total - off_efter,
                off_fore - off_efter,
                _pp(total - off_fore, total - off_efter, total),
            ],
        ],
        note=f"Nämnare: {total}.",
        count_columns=[1, 2],
    )


def _forsorjning_counts(ended) -> Pending:
    """Table 4's figures for the participations of ``ended`` (identified, ended in the
    period), in one query (sent at once) that reads each participation's försörjning rows
    once; its result is the tuple of

    * ``counts``: ``avslutade``; ``N``, those with a known source both before and after (the
      denominator); and of those, ``off_fore`` and ``off_efter`` in offentlig försörjning;
    * participations of the denominator per (skede, source), per (main source before, source
      after), and per main source before.

    "Okänd" is no registered data: alone it does not put a participation into the
    denominator. The main source before is the first of the participation's sources before in
    ``HUVUDKALLA_ORDNING`` (which holds every code). A participation has each (skede, source)
    at most once (``forsorjning_unique_source``), so counts of rows are counts of
    participations; its main source is one of its sources before, so the row (before, main,
    main) counts the participations with that main source."""
    try:
        # Only Django's own compiled SQL (its parameters kept apart) goes into the text.
        ended_sql, ended_params = ended.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # no förbund in scope
        ended_sql, ended_params = "SELECT NULL::bigint WHERE false", ()
    sql = f"""
        WITH avslutade AS MATERIALIZED ({ended_sql}),
        kallor AS (
            SELECT f.deltagande_id, f.skede, f.kalla_id
              FROM {Forsorjning._meta.db_table} f
             WHERE f.deltagande_id IN (SELECT * FROM avslutade)
        ),
        per AS (
            SELECT deltagande_id,
                   bool_or(skede = %s AND kalla_id <> %s)
                     AND bool_or(skede = %s AND kalla_id <> %s) AS bada,
                   bool_or(skede = %s AND kalla_id = ANY(%s)) AS off_fore,
                   bool_or(skede = %s AND kalla_id = ANY(%s)) AS off_efter,
                   (%s::text[])[min(array_position(%s::text[], kalla_id::text))
                      FILTER (WHERE skede = %s)] AS huvud
              FROM kallor
             GROUP BY deltagande_id
        )
        SELECT NULL, NULL, NULL, (SELECT count(*) FROM avslutade), count(*),
               count(*) FILTER (WHERE off_fore), count(*) FILTER (WHERE off_efter)
          FROM per WHERE bada
        UNION ALL
        SELECT k.skede, p.huvud, k.kalla_id, count(*), NULL, NULL, NULL
          FROM kallor k JOIN per p USING (deltagande_id)
         WHERE p.bada
         GROUP BY k.skede, p.huvud, k.kalla_id
    """  # noqa: S608
    fore, efter = Skede.FORE.value, Skede.EFTER.value
    params = [*ended_params, fore, OKAND, efter, OKAND, fore, OFFENTLIG, efter, OFFENTLIG]
    params += [HUVUDKALLA_ORDNING, HUVUDKALLA_ORDNING, fore]

    def tables(rows: list) -> tuple[dict, dict, dict, dict]:
        counts = {"avslutade": 0, "N": 0, "off_fore": 0, "off_efter": 0}
        by: dict[tuple[str, str], int] = {}
        trans: dict[tuple[str, str], int] = {}
        totals_by_main: dict[str, int] = {}
        for skede, huvud, kalla, n, *totals in rows:
            if skede is None:
                counts = dict(zip(counts, (n, *totals), strict=True))
                continue
            by[(skede, kalla)] = by.get((skede, kalla), 0) + n
            if skede == efter:
                trans[(huvud, kalla)] = n
            elif kalla == huvud:
                totals_by_main[huvud] = n
        return counts, by, trans, totals_by_main

    return Pending(sql, params, tables)


def _pp(before: int, after: int, total: int) -> dict | None:
    """A change in percentage points between two shares of the same denominator."""
    if not total:
        return None
    return {"pp": round((after - before) * 100 / total, 1)}


ENDED_AGGREGATES = {
    "avslutade": "count(*)",
    "median_dagar": "percentile_cont(0.5) WITHIN GROUP (ORDER BY dagar)",
    "syss_N": "count(*) FILTER (WHERE syss_kand)",
    "aes_fore": "count(*) FILTER (WHERE syss_kand AND aes_fore)",
    "aes_efter": "count(*) FILTER (WHERE syss_kand AND aes_efter)",
}


def ended_counts(forbund_ids: list[int], period: Period) -> Pending:
    """The counts of tables 5 (sysselsättning, identified participations with sysselsättning
    known before and after) and 6 (avslutsorsak, median days per kategori), over the
    participations ended in the period, in one query (sent at once; the result is
    ``count_grouping_sets``'s)."""
    rows = (
        counted(forbund_ids)
        .filter(ended_q(period))
        .annotate(
            kategori=F(_kategori_field()),
            dagar=days_in_insats(),
            syss_kand=flag(Q(person__isnull=False) & known_sysselsattning()),
            aes_fore=flag(Q(sysselsattning_fore_id__in=ARBETE_ELLER_STUDIER)),
            aes_efter=flag(Q(sysselsattning_efter_id__in=ARBETE_ELLER_STUDIER)),
        )
        .values(
            "avslutsorsak_id",
            "kategori",
            "kon_id",
            "sysselsattning_fore_id",
            "sysselsattning_efter_id",
            "dagar",
            "syss_kand",
            "aes_fore",
            "aes_efter",
        )
    )
    return count_grouping_sets(
        rows,
        {
            "total": (),
            "kon": ("kon_id",),
            "fore": ("sysselsattning_fore_id",),
            "efter": ("sysselsattning_efter_id",),
            "avslutsorsak": ("avslutsorsak_id",),
            "kategori": ("kategori",),
        },
        ENDED_AGGREGATES,
        order_by=("kategori",),
    )


def section_sysselsattning(counts: dict[str, list[dict]], outcome: Outcome) -> Section:
    """Table 5 from ``ended_counts``'s result: identified participations ended in the period with
    sysselsättning known before and after."""
    c = grouping_total(counts["total"], ENDED_AGGREGATES)
    total = c["syss_N"]
    outcome.syss_N, outcome.aes_fore, outcome.aes_efter = total, c["aes_fore"], c["aes_efter"]
    fore = {g["sysselsattning_fore_id"]: g["syss_N"] for g in counts["fore"]}
    efter = {g["sysselsattning_efter_id"]: g["syss_N"] for g in counts["efter"]}
    by_kon = {g["kon_id"]: g for g in counts["kon"]}
    no_kon = dict.fromkeys(ENDED_AGGREGATES, 0)
    syss = sysselsattning_table(total, fore, efter, c["aes_fore"], c["aes_efter"])
    kon_labels = dict(KON)
    kon_rows = []
    for kon in KON_CODES:
        k = by_kon.get(kon, no_kon)
        n_k = k["syss_N"]
        kon_rows.append(
            [
                kon_labels[kon],
                n_k,
                k["aes_fore"],
                k["aes_efter"],
                _pct(k["aes_efter"], n_k),
                _pp(k["aes_fore"], k["aes_efter"], n_k),
            ]
        )
    kon_rows.append(
        [
            TOTAL,
            total,
            c["aes_fore"],
            c["aes_efter"],
            _pct(c["aes_efter"], total),
            _pp(c["aes_fore"], c["aes_efter"], total),
        ]
    )
    aes = Table(
        key="arbete_studier_kon",
        title="Arbete eller studier efter insatsen, per kön",
        columns=["Kön", "Avslutade", "Före", "Efter", "Andel efter", "Förändring (procentenheter)"],
        rows=kon_rows,
        count_columns=[1, 2, 3],
    )
    return Section(
        key="sysselsattning",
        title="Sysselsättning före och efter",
        text="Identifierade deltaganden som avslutades under perioden.",
        tables=[syss, aes],
    )


def sysselsattning_table(
    total: int, fore: dict[str, int], efter: dict[str, int], aes_fore: int, aes_efter: int
) -> Table:
    """Table 5's sysselsättning före and efter from its counts: the denominator, the
    participations per code before and after, and those in arbete eller studier before and
    after (the report and the board's dashboard build it alike)."""
    rows = []
    for code, label, _aes in SYSSELSATTNING:
        if code == OKAND:
            continue
        f, e = fore.get(code, 0), efter.get(code, 0)
        rows.append([label, f, _pct(f, total), e, _pct(e, total)])
    rows.append(
        [
            "Arbete eller studier (arbete, subventionerad anställning, studier)",
            aes_fore,
            _pct(aes_fore, total),
            aes_efter,
            _pct(aes_efter, total),
        ]
    )
    return Table(
        key="sysselsattning_fore_efter",
        title="Sysselsättning före och efter insatsen",
        columns=[
            "Sysselsättning",
            "Före (antal)",
            "Före (andel)",
            "Efter (antal)",
            "Efter (andel)",
        ],
        rows=rows,
        note=(
            f"Nämnare: {total} identifierade deltaganden som avslutades under perioden med "
            "sysselsättning registrerad både före och efter (Okänd räknas som saknad uppgift). "
            "Subventionerad anställning visas för sig och ingår i arbete eller studier."
        ),
        count_columns=[1, 3],
    )


def section_avslut(counts: dict[str, list[dict]]) -> Section:
    """Table 6 from ``ended_counts``'s result: avslutsorsak (FEL excluded) and median days in the
    insats, per insatskategori."""
    reasons = {r["avslutsorsak_id"]: r["avslutade"] for r in counts["avslutsorsak"]}
    rows = [[label, reasons.get(code, 0)] for code, label in AVSLUTSORSAK if code != FEL]
    rows.append(["Uppgift saknas (anonyma)", reasons.get(None, 0)])
    rows.append([TOTAL, sum(r[1] for r in rows)])
    orsak = Table(
        key="avslutsorsak",
        title="Avslutsorsak",
        columns=["Avslutsorsak", "Antal"],
        rows=rows,
        count_columns=[1],
    )

    def time_row(label: str, r: dict) -> list:
        median = r["median_dagar"]
        return [label, r["avslutade"], round(median) if median is not None else None]

    time_rows = [time_row(r["kategori"] or "Okänd", r) for r in counts["kategori"]]
    time_rows.append(time_row(TOTAL, grouping_total(counts["total"], ENDED_AGGREGATES)))
    tid = Table(
        key="tid_i_insats",
        title="Tid i insats (median antal dagar) per insatskategori",
        columns=["Kategori", "Avslutade", "Median dagar"],
        rows=time_rows,
        count_columns=[1],
    )
    return Section(
        key="avslut",
        title="Avslut och tid i insats",
        text="Deltaganden som avslutades under perioden. Felregistreringar räknas inte.",
        tables=[orsak, tid],
    )


def _kategori_field() -> str:
    """Group by the insats's kategori (its Swedish name; "Okänd" when not set)."""
    return "insats__kategori__namn"


def uppfoljning_counts(forbund_ids: list[int], period: Period) -> Pending:
    """Follow-up +6 and +12 months after utskrivning, for the points that fell in the period:
    registered, reached, to arbete/studier and in offentlig försörjning, by point (the result
    is a dict by point).

    One query for both points, sent at once. "In offentlig försörjning" is an EXISTS over the
    follow-up's sources (no join that multiplies rows, so no DISTINCT). The participations
    drive it: the förbund's, by a plain range on utskrivning a little wider than the exact
    month arithmetic (most rows are discarded before each point's date is computed), then
    their follow-ups. The follow-up's own förbund is filtered too; it is always its
    participation's."""
    import datetime as dt

    from dateutil.relativedelta import relativedelta

    # The point's date as PostgreSQL's month arithmetic gives it (31 Dec + 6 months = 30 Jun),
    # the same rule the follow-up worklist uses.
    point = Func(
        F("deltagande__utskrivning"),
        Func(F("punkt"), template="make_interval(months => %(expressions)s)"),
        template="((%(expressions)s)::date)",
        arg_joiner=" + ",
        output_field=DateField(),
    )
    margin = dt.timedelta(days=7)
    offentlig = Uppfoljning.forsorjning.through.objects.filter(
        uppfoljning_id=OuterRef("pk"), forsorjningskalla_id__in=OFFENTLIG
    )
    grouped = (
        Uppfoljning.objects.filter(
            forbund_id__in=forbund_ids,
            deltagande__forbund_id__in=forbund_ids,
            punkt__in=(6, 12),
            deltagande__person__isnull=False,
            deltagande__utskrivning__gte=period.start - relativedelta(months=12) - margin,
            deltagande__utskrivning__lte=period.slut - relativedelta(months=6) + margin,
        )
        .exclude(deltagande__avslutsorsak_id=FEL)
        .annotate(punktdatum=point)
        .filter(punktdatum__gte=period.start, punktdatum__lte=period.slut)
        .annotate(offentlig=Exists(offentlig))
        .values("punkt")
        .annotate(
            registrerade=Count("id"),
            nadda=Count("id", filter=Q(nadd=True)),
            aes=Count("id", filter=Q(nadd=True, sysselsattning_id__in=ARBETE_ELLER_STUDIER)),
            off=Count("id", filter=Q(nadd=True, offentlig=True)),
        )
        .order_by()
    )
    return send_values(grouped, lambda groups: {g["punkt"]: g for g in groups})


def section_uppfoljning(by_punkt: dict[int, dict]) -> Section:
    """Table 7 from ``uppfoljning_counts``'s result."""
    rows = []
    for punkt in (6, 12):
        c = by_punkt.get(punkt, {"registrerade": 0, "nadda": 0, "aes": 0, "off": 0})
        rows.append(
            [
                f"+{punkt} månader",
                c["registrerade"],
                c["nadda"],
                c["aes"],
                _pct(c["aes"], c["nadda"]),
                c["off"],
                _pct(c["off"], c["nadda"]),
            ]
        )
    table = Table(
        key="uppfoljning",
        title="Uppföljning efter avslut",
        columns=[
            "Mätpunkt",
            "Registrerade",
            "Nådda",
            "Arbete eller studier",
            "Andel",
            "Offentlig försörjning",
            "Andel",
        ],
        rows=rows,
        note=(
            "Identifierade deltaganden vars mätpunkt (6 eller 12 månader efter utskrivning) "
            "inföll under perioden. Andelarna räknas på de nådda."
        ),
        count_columns=[1, 2, 3, 5],
    )
    return Section(
        key="uppfoljning",
        title="Uppföljning 6 och 12 månader efter avslut",
        tables=[table],
    )


LABEL_FIELDS = ("pk", "kod", "namn", "forbund__namn")


def insats_labels(forbund_ids: list[int]) -> Pending:
    """Code, name and förbund of every insats in scope, in table 8's order (sent at once; the
    result is dicts with ``pk``, ``kod``, ``namn``, ``forbund__namn``). The services register a
    participation in its insats's förbund, so these cover every insats ``active_counts`` finds
    (``section_per_insats`` fetches any other)."""
    return send_values(
        Insats.objects.filter(forbund_id__in=forbund_ids)
        .values(*LABEL_FIELDS)
        .order_by("forbund__namn", "kod")
    )


def section_per_insats(
    counts: dict[str, list[dict]], labels: list[dict], outcome: Outcome, *, national: bool
) -> Section:
    """Table 8 from the results of ``active_counts`` and ``insats_labels``: one line per insats
    with participants: deltagare, kön, ended, to arbete/studier (identified, ended in the
    period, sysselsättning known)."""
    per_insats: dict[int, dict] = {}
    for g in counts["insats_kon"]:
        line = per_insats.setdefault(g["insats_id"], dict.fromkeys(ACTIVE_AGGREGATES, 0))
        line[g["kon_id"]] = g["aktiva"]
        for key in ACTIVE_AGGREGATES:
            line[key] += g[key]
    if missing := per_insats.keys() - {insats["pk"] for insats in labels}:
        # Only when a participation's förbund is not its insats's (the services never write
        # that; no constraint forbids it): its insats still gets its line.
        labels = sorted(
            [*labels, *Insats.objects.filter(pk__in=missing).values(*LABEL_FIELDS)],
            key=lambda insats: (insats["forbund__namn"], insats["kod"]),
        )
    insatser = [insats for insats in labels if insats["pk"] in per_insats]
    lines = [
        {
            "insats_id": insats["pk"],
            "kod": insats["kod"],
            "namn": insats["namn"],
            "forbund_namn": insats["forbund__namn"],
            "deltagare": (g := per_insats[insats["pk"]])["aktiva"],
            "k": g.get("K", 0),
            "m": g.get("M", 0),
            "x": g.get("X", 0),
            "avslutade": g["avslutade"],
            "aes_N": g["aes_N"],
            "aes_n": g["aes_n"],
        }
        for insats in insatser
    ]
    table = per_insats_table(lines, national=national, outcome=outcome)
    return Section(key="per_insats", title="Per insats", tables=[table])


def per_insats_table(lines: list[dict], *, national: bool, outcome: Outcome) -> Table:
    """Table 8 from one line of counts per insats with participants, in the table's order
    (keys ``insats_id``, ``kod``, ``namn``, ``forbund_namn``, ``deltagare``, ``k``, ``m``,
    ``x``, ``avslutade``, ``aes_N``, ``aes_n``); records each insats's participants in
    ``outcome`` for the cost table. The report and the board's dashboard build it alike."""
    rows = []
    for g in lines:
        outcome.deltagare_per_insats[g["insats_id"]] = g["deltagare"]
        label = f"{g['kod']} {g['namn']}"
        if national:
            label = f"{g['forbund_namn']}: {label}"
        rows.append(
            [
                label,
                g["deltagare"],
                g["k"],
                g["m"],
                g["x"],
                g["avslutade"],
                g["aes_n"],
                _pct(g["aes_n"], g["aes_N"]),
            ]
        )
    return Table(
        key="per_insats",
        title="Per insats",
        columns=[
            "Insats",
            "Deltagare",
            "Kvinnor",
            "Män",
            "Annat",
            "Avslutade",
            "Till arbete/studier",
            "Andel",
        ],
        rows=rows,
        note=(
            "Andelen till arbete eller studier räknas på identifierade deltaganden som avslutades "
            "under perioden med sysselsättning registrerad före och efter."
        ),
        count_columns=[1, 2, 3, 4, 5, 6],
    )


@dataclass
class DeltagareQueries:
    """The participant queries, sent (``send_deltagare_queries``), their results not yet read."""

    active: Pending
    ended: Pending
    forsorjning: Pending
    uppfoljning: Pending
    labels: Pending
    national: bool


def send_deltagare_queries(forbund_ids: list[int], period: Period) -> DeltagareQueries:
    """Send the five participant queries, the heaviest first (in ``core.pipelined`` PostgreSQL
    starts on each while Python builds the next)."""
    return DeltagareQueries(
        active=active_counts(forbund_ids, period),
        uppfoljning=uppfoljning_counts(forbund_ids, period),
        forsorjning=forsorjning_counts(forbund_ids, period),
        ended=ended_counts(forbund_ids, period),
        labels=insats_labels(forbund_ids),
        national=len(forbund_ids) > 1,
    )


def deltagare_tables(
    queries: DeltagareQueries, outcome: Outcome | None = None
) -> tuple[list[Section], list[dict]]:
    """The participant sections and key figures from the queries' results; ``outcome`` (if
    given) receives the figures other tables reuse."""
    outcome = outcome if outcome is not None else Outcome()
    active, ended = queries.active.result(), queries.ended.result()
    sections = [
        section_deltagare(active, outcome),
        section_forsorjning(queries.forsorjning.result(), outcome),
        section_sysselsattning(ended, outcome),
        section_avslut(ended),
        section_uppfoljning(queries.uppfoljning.result()),
        section_per_insats(active, queries.labels.result(), outcome, national=queries.national),
    ]
    return sections, participant_key_figures(outcome)


def deltagare_sections(
    forbund_ids: list[int], period: Period, outcome: Outcome | None = None
) -> tuple[list[Section], list[dict]]:
    """The participant sections and key figures; ``outcome`` (if given) receives the figures
    other tables reuse."""
    return deltagare_tables(send_deltagare_queries(forbund_ids, period), outcome)


def participant_key_figures(outcome: Outcome) -> list[dict]:
    """The participant key figures from the counts in ``outcome`` (person counts: masked for
    the board and the nation)."""
    nyckeltal = [
        {"key": "deltagare_aktiva", "label": "Aktiva deltagare", "value": outcome.aktiva},
        {"key": "deltagare_nya", "label": "Nya deltagare", "value": outcome.nya},
        {"key": "deltagare_avslutade", "label": "Avslutade deltagare", "value": outcome.avslutade},
        {"key": "unga", "label": "Unga 16–29 år", **_rate(outcome.unga, outcome.aktiva)},
        {
            "key": "offentlig_fore",
            "label": "I offentlig försörjning före",
            **_rate(outcome.offentlig_fore, outcome.forsorjning_N),
        },
        {
            "key": "offentlig_efter",
            "label": "I offentlig försörjning efter",
            **_rate(outcome.offentlig_efter, outcome.forsorjning_N),
        },
        {
            "key": "arbete_studier_fore",
            "label": "I arbete eller studier före",
            **_rate(outcome.aes_fore, outcome.syss_N),
        },
        {
            "key": "arbete_studier_efter",
            "label": "I arbete eller studier efter",
            **_rate(outcome.aes_efter, outcome.syss_N),
        },
    ]
    for figure in nyckeltal:
        figure["person_count"] = True
    return nyckeltal
