"""Demo data for the förbund app: one fictional förbund covering three real kommuner, with three
years of population, financing, budgets (one changed after decision), utfall and eget kapital, a
full styrelse across a change of mandate period, and a few meetings with decisions.

Idempotent: everything is keyed on natural keys and only created when missing, so running the
demo command again neither duplicates nor wipes anything (a förbundschef's own edits survive).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from .models import (
    Befolkning,
    Beslut,
    Budget,
    Finansieringsar,
    Forbund,
    Kommun,
    Kontomappning,
    Medlem,
    MedlemTyp,
    Sammantrade,
    Styrelseuppdrag,
    Utfall,
)
from .reference import kommuner_load

DEMO_FORBUND = "Samordningsförbundet Bergslagsdalen"
DEMO_KOMMUNER = ["2083", "2082", "2084"]  # Hedemora, Säter, Avesta
DEMO_START = dt.date(2019, 1, 1)

POPULATION_2024 = {"2083": 8_650, "2082": 5_780, "2084": 12_940}
STATLIG = [2_150_000, 2_240_000, 2_310_000]  # the three demo years, oldest first
BUDGET_LINES = {
    "STYRELSE": 180_000,
    "KANSLI_PERSONAL": 1_150_000,
    "KANSLI_LOKALER": 140_000,
    "KANSLI_OVRIGT": 95_000,
    "REVISION": 60_000,
    "RESERV": 100_000,
}
# The insatser the förbund bought per demo year (the ledger books the suppliers' invoices on the
# insatser line); the decided budgets froze the insats budgets at these sums.
INSATSER = [2_750_000, 3_200_000, 3_300_000]
# Share of each line's budget actually spent, per demo year (oldest first): a little under.
SPENT = [Decimal("0.93"), Decimal("0.97"), Decimal("1.02")]
KONTON = {"5010": "KANSLI_LOKALER", "7010": "KANSLI_PERSONAL", "6550": "REVISION"}

# (member name, ledamot, ersättare) per mandate period; the styrelse demo user is the ordförande.
BOARD = {
    "old": {
        "Försäkringskassan": ("Lena Holm", "Johan Ek"),
        "Arbetsförmedlingen": ("Peter Blom", "Sanna Åberg"),
        "Region Dalarna": ("Gunilla Dahl", "Omar Said"),
        "Hedemora kommun": ("Per Olsson", "Eva Lund"),
        "Säter kommun": ("Björn Falk", "Lisa Strand"),
        "Avesta kommun": ("Ingrid Berg", "Mats Nyberg"),
    },
    "current": {
        "Försäkringskassan": ("Lena Holm", "Karl Vik"),
        "Arbetsförmedlingen": ("Amira Haddad", "Sanna Åberg"),
        "Region Dalarna": ("Gunilla Dahl", "Jonas Kvist"),
        "Hedemora kommun": ("Per Olsson", "Eva Lund"),
        "Säter kommun": ("Anna Sjödin", "Lisa Strand"),
        "Avesta kommun": ("Tomas Ring", "Mats Nyberg"),
    },
    "next": {  # already appointed by the state agencies and the region for the coming period
        "Försäkringskassan": ("Lena Holm", "Karl Vik"),
        "Arbetsförmedlingen": ("Amira Haddad", "Rasmus Öhman"),
        "Region Dalarna": ("Fatima Rahimi", "Jonas Kvist"),
    },
}
GROUND = {
    MedlemTyp.FK: "ANSTALLD_FK",
    MedlemTyp.AF: "ANSTALLD_AF",
    MedlemTyp.REGION: "RF_LEDAMOT",
    MedlemTyp.KOMMUN: "KF_LEDAMOT",
}


def seed(ctx) -> None:
    kommuner_load(Kommun)  # a flushed test database has lost the migration's rows
    forbund, created = Forbund.objects.get_or_create(
        namn=DEMO_FORBUND,
        defaults={
            "organisationsnummer": "222000-0000",
            "startdatum": DEMO_START,
            "utdelningsadress": "Stationsgatan 12",
            "postnummer": "776 30",
            "postort": "Hedemora",
            "epost": "kansli@bergslagsdalen.example",
            "telefon": "0225-340 00",
        },
    )
    if created:
        ctx.log.append(f"förbund {forbund.namn}")
    ctx.forbund = forbund
    members = [
        (MedlemTyp.FK, "Försäkringskassan", None),
        (MedlemTyp.AF, "Arbetsförmedlingen", None),
        (MedlemTyp.REGION, "Region Dalarna", None),
    ]
    for kod in DEMO_KOMMUNER:
        kommun = Kommun.objects.get(kod=kod)
        members.append((MedlemTyp.KOMMUN, f"{kommun.namn} kommun", kommun))
    for typ, namn, kommun in members:
        medlem, _ = Medlem.objects.get_or_create(
            forbund=forbund,
            typ=typ,
            namn=namn,
            defaults={"kommun": kommun, "startdatum": DEMO_START},
        )
        ctx.medlemmar[namn] = medlem

    today = timezone.localdate()
    years = [today.year - 2, today.year - 1, today.year]
    if forbund.ek_ingaende_ar is None:
        forbund.ek_ingaende_ar = years[0]
        forbund.ek_ingaende_belopp = Decimal(820_000)
        forbund.save(update_fields=["ek_ingaende_ar", "ek_ingaende_belopp"])
    _seed_money(ctx, forbund, years, today)
    _seed_board(ctx, forbund, today)


def _seed_money(ctx, forbund: Forbund, years: list[int], today: dt.date) -> None:
    for i, ar in enumerate(years):
        for kod, base in POPULATION_2024.items():
            Befolkning.objects.get_or_create(
                forbund=forbund,
                kommun_id=kod,
                ar=ar,
                defaults={"antal": base + (ar - 2024) * 35, "kalla": "SCB"},
            )
        Finansieringsar.objects.get_or_create(
            forbund=forbund,
            ar=ar,
            defaults={
                "statlig_tilldelning": Decimal(STATLIG[i]),
                "ovriga_intakter": Decimal(12_000 + 1_000 * i),
            },
        )
    for konto, post in KONTON.items():
        Kontomappning.objects.get_or_create(forbund=forbund, konto=konto, defaults={"post": post})
    for i, ar in enumerate(years):
        if not Budget.objects.filter(forbund=forbund, ar=ar).exists():
            _seed_budget(ctx, forbund, ar, i, today)
        if not Utfall.objects.filter(forbund=forbund, datum__year=ar).exists():
            _seed_utfall(forbund, ar, i, today)


def _demo_beslut(forbund: Forbund, datum: dt.date, nummer: int, rubrik: str) -> Beslut:
    sammantrade, _ = Sammantrade.objects.get_or_create(
        forbund=forbund, datum=datum, defaults={"plats": "Kansliet, Hedemora"}
    )
    beslut, _ = Beslut.objects.get_or_create(
        forbund=forbund,
        paragraf=f"§ {nummer}/{datum.year}",
        defaults={"datum": datum, "rubrik": rubrik, "sammantrade": sammantrade},
    )
    return beslut


def _seed_budget(ctx, forbund: Forbund, ar: int, i: int, today: dt.date) -> None:
    from .services_budget import (
        budget_create,
        budget_decide,
        budget_new_version,
        budget_set_lines,
    )

    user = None  # the demo users are seeded after the förbund
    budget = budget_create(forbund=forbund, ar=ar, user=user)
    grow = Decimal(1) + Decimal(i) * Decimal("0.03")
    budget_set_lines(
        budget=budget,
        amounts={k: (Decimal(v) * grow).quantize(Decimal(1000)) for k, v in BUDGET_LINES.items()},
    )
    decided = dt.date(ar - 1, 11, 20)
    beslut = _demo_beslut(forbund, decided, 30, f"Budget {ar}")
    budget_decide(budget=budget, beslutsdatum=decided, beslut=beslut)
    _freeze_insatser(budget, INSATSER[i])
    ctx.log.append(f"budget {ar}")
    change = dt.date(ar, 4, 15)
    if i == len(SPENT) - 1 and change <= today:
        # This year's budget was changed after decision: a new lease raised the premises line.
        v2 = budget_new_version(
            budget=budget,
            andringsorsak=(
                "Nytt hyresavtal för kansliet från maj; reserven minskas i motsvarande mån."
            ),
            user=user,
        )
        budget_set_lines(
            budget=v2, amounts={"KANSLI_LOKALER": Decimal(175_000), "RESERV": Decimal(70_000)}
        )
        beslut2 = _demo_beslut(forbund, change, 8, f"Ändrad budget {ar}")
        budget_decide(budget=v2, beslutsdatum=change, beslut=beslut2)
        _freeze_insatser(v2, INSATSER[i])


def _freeze_insatser(budget: Budget, amount: int) -> None:
    """The demo's decided budgets predate the insats registry: set the insatser line to the sum
    the insats budgets had at the decision (what ``budget_decide`` freezes in real use)."""
    with connection.cursor() as cursor:  # the database locks decided budgets (migration 0005)
        cursor.execute("SELECT set_config('finsam.unlock_budget', 'on', true)")
        budget.rader.filter(post="INSATSER").update(belopp=Decimal(amount))
        cursor.execute("SELECT set_config('finsam.unlock_budget', '', true)")


def _seed_utfall(forbund: Forbund, ar: int, i: int, today: dt.date) -> None:
    rows = []
    grow = Decimal(1) + Decimal(i) * Decimal("0.03")
    for month in range(1, 13):
        datum = dt.date(ar, month, 25)
        if datum >= today.replace(day=1):
            break  # only closed months
        for post, yearly in [*BUDGET_LINES.items(), ("INSATSER", INSATSER[i])]:
            if post == "RESERV":
                continue
            scale = grow if post != "INSATSER" else Decimal(1)
            amount = (Decimal(yearly) * scale * SPENT[i] / 12).quantize(Decimal(1))
            if post == "STYRELSE" and month in (7, 8):
                amount = Decimal(0)  # no meetings in summer
            if post == "REVISION" and month != 4:
                continue  # the auditors invoice once a year
            if post == "REVISION":
                amount = (Decimal(yearly) * SPENT[i]).quantize(Decimal(1))
            if amount:
                rows.append(
                    Utfall(
                        forbund=forbund,
                        datum=datum,
                        post=post,
                        belopp=amount,
                        text="Demo: månadens bokföring",
                        importerad=True,
                    )
                )
    Utfall.objects.bulk_create(rows)


def _period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The current four-year mandate period (Swedish election cycle: 2023–2026, 2027–2030 …)."""
    start = 2023 + 4 * ((today.year - 2023) // 4)
    return dt.date(start, 1, 1), dt.date(start + 3, 12, 31)


def _seed_board(ctx, forbund: Forbund, today: dt.date) -> None:
    start, end = _period(today)
    periods = {
        "old": (dt.date(start.year - 4, 1, 1), dt.date(start.year - 1, 12, 31)),
        "current": (start, end),
        "next": (dt.date(end.year + 1, 1, 1), dt.date(end.year + 4, 12, 31)),
    }
    per_member = {}
    for key, people in BOARD.items():
        fran, till = periods[key]
        for medlem_namn, (ledamot, ersattare) in people.items():
            medlem = ctx.medlemmar[medlem_namn]
            fran_m = max(fran, medlem.startdatum)
            roll = "ORDFORANDE" if ledamot == "Per Olsson" else "LEDAMOT"
            if ledamot == "Lena Holm":
                roll = "VICE"
            for namn, r in ((ledamot, roll), (ersattare, "ERSATTARE")):
                uppdrag, _created = Styrelseuppdrag.objects.get_or_create(
                    forbund=forbund,
                    medlem=medlem,
                    namn=namn,
                    fran=fran_m,
                    defaults={"roll": r, "till": till, "valbarhet": GROUND[medlem.typ]},
                )
                if key == "current":
                    per_member.setdefault(medlem_namn, {})[r == "ERSATTARE"] = uppdrag
    _seed_meetings(forbund, per_member, start, today)


def _seed_meetings(forbund: Forbund, seats: dict, start: dt.date, today: dt.date) -> None:
    """A few meetings of the current period: one with an ersättare stepping in, one where too
    few came to decide anything."""
    from .services_styrelse import NarvaroInput, narvaro_set

    plans = {
        dt.date(today.year, 2, 12): ("all", []),
        dt.date(today.year, 4, 15): ("all_but", ["Avesta kommun"]),
        dt.date(today.year, 6, 10): ("few", []),
        dt.date(today.year, 9, 23): ("all", []),
    }
    for datum in plans:
        if start <= datum <= today:
            Sammantrade.objects.get_or_create(
                forbund=forbund, datum=datum, defaults={"plats": "Kansliet, Hedemora"}
            )
    # Every meeting of the period without attendance gets one (the budget meetings included).
    for sammantrade in Sammantrade.objects.filter(
        forbund=forbund, datum__gte=start, datum__lte=today, narvaro__isnull=True
    ):
        plan, stepping = plans.get(sammantrade.datum, ("all", []))
        entries = []
        for i, (medlem_namn, seat) in enumerate(sorted(seats.items())):
            ledamot, ersattare = seat.get(False), seat.get(True)
            if ledamot is None:
                continue
            present = plan == "all" or (plan == "all_but" and medlem_namn not in stepping)
            if plan == "few":
                present = i < 2
            entries.append(NarvaroInput(ledamot, present))
            if ersattare is not None:
                steps = medlem_namn in stepping
                entries.append(NarvaroInput(ersattare, steps, ledamot if steps else None))
        narvaro_set(sammantrade=sammantrade, entries=entries)
    autumn = dt.date(today.year, 9, 23)
    if start <= autumn <= today:
        mote = Sammantrade.objects.get(forbund=forbund, datum=autumn)
        Beslut.objects.get_or_create(
            forbund=forbund,
            paragraf=f"§ 21/{today.year}",
            defaults={
                "datum": autumn,
                "sammantrade": mote,
                "rubrik": "Delårsrapport januari–augusti",
                "text": "Styrelsen godkänner delårsrapporten och lägger den till handlingarna.",
            },
        )
