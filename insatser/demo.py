"""Demo data for the insatser app: twelve insatser over three years, modelled on the kind of work
the Finsam literature describes, with budgets, monthly costs, people, volume counts, structural
occasions and one ESF co-financed insats.

Idempotent: each insats is keyed on its code; budgets, costs, counts and grants are only added
where missing. Amounts vary by a fixed pattern (no randomness), so every run gives the same data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

from django.utils import timezone

from finsam.models import Roll, User
from finsam.permissions import DELTAGARANSVARIG, INSATSANSVARIG, insats_users_with_perm
from finsam.roles import Role
from forbund.models import Beslut

from . import services
from .models import (
    Insats,
    Insatsbudget,
    Insatskostnad,
    Kategori,
    Malgrupp,
    Metod,
    Tillfalle,
    Volym,
)
from .reference import kodlistor_ensure

D = dt.date

# Extra staff so that the insatser have realistic people (no log-in: unusable passwords).
EXTRA_STAFF = [
    ("lena.holm", "Lena", "Holm", Role.HANDLAGGARE, "Säter kommun"),
    ("johan.strom", "Johan", "Ström", Role.HANDLAGGARE, "Avesta kommun"),
    ("sofia.ek", "Sofia", "Ek", Role.INSATSANSVARIG, "Hedemora kommun"),
    ("amir.karimi", "Amir", "Karimi", Role.HANDLAGGARE, "Arbetsförmedlingen"),
]

INSATSER = [
    {
        "kod": "UNGA",
        "namn": "Ungdomsteamet Bergslagsdalen",
        "beskrivning": (
            "Ett samlokaliserat team med socialsekreterare, arbetsförmedlare och "
            "arbetsterapeut som ger unga 16–29 år som varken arbetar eller studerar ett "
            "samordnat stöd mot studier eller arbete."
        ),
        "kategori": "SAMORD",
        "status": "PAGAENDE",
        "registreringsform": "PERSON",
        "malgrupper": ["UNGA", "UNGA_AKE", "PSYK"],
        "metoder": ["COACH", "CM"],
        "huvudman": ["Hedemora kommun", "Arbetsförmedlingen"],
        "controller": "Hedemora kommun",
        "start": D(2024, 1, 1),
        "planerat_slut": D(2026, 12, 31),
        "planerade": 60,
        "mal": "40 % till arbete eller studier\n70 % upplever ökad livskvalitet",
        "budget": {2024: 1_100_000, 2025: 1_150_000, 2026: 1_200_000},
        "insatsansvarig": "sofia.ek",
        "deltagare": ["handlaggare"],
    },
    {
        "kod": "SE-PSYK",
        "namn": "Supported Employment psykiatri",
        "beskrivning": (
            "Arbetsspecialister i psykiatrins öppenvård stödjer personer med psykisk "
            "funktionsnedsättning till ett arbete på den öppna marknaden enligt IPS-modellen."
        ),
        "kategori": "ARBLIV",
        "status": "PAGAENDE",
        "registreringsform": "PERSON",
        "malgrupper": ["PSYK", "LANGSJUK"],
        "metoder": ["SE", "IPS"],
        "huvudman": ["Region Dalarna"],
        "controller": "Region Dalarna",
        "start": D(2024, 3, 1),
        "planerat_slut": D(2027, 2, 28),
        "planerade": 35,
        "mal": "30 % i arbete efter avslut",
        "budget": {2024: 780_000, 2025: 950_000, 2026: 980_000},
        "insatsansvarig": "insatsansvarig",
        "deltagare": [],
    },
    {
        "kod": "KVINNA",
        "namn": "Kvinnor tillbaka till arbete",
        "beskrivning": (
            "Projekt för långtidssjukskrivna och arbetslösa kvinnor med stöd i grupp och "
            "individuellt, arbetsträning och kontakt med arbetsgivare. Medfinansierat av ESF+."
        ),
        "kategori": "ARBLIV",
        "status": "PAGAENDE",
        "registreringsform": "PERSON",
        "malgrupper": ["LANGSJUK", "LANGARB", "UTRIKES"],
        "metoder": ["ARBTRAN", "COACH"],
        "huvudman": ["Säter kommun"],
        "controller": "Säter kommun",
        "start": D(2025, 1, 1),
        "planerat_slut": D(2027, 6, 30),
        "planerade": 45,
        "mal": "35 % till arbete eller studier\n50 % minskat beroende av offentlig försörjning",
        "budget": {2025: 420_000, 2026: 450_000},
        "extern": [
            ("Europeiska socialfonden (ESF+)", "2024/00312", 2025, 850_000),
            ("Europeiska socialfonden (ESF+)", "2024/00312", 2026, 900_000),
        ],
        "deltagare": ["lena.holm"],
        "beslut": ("§ 31/2024", D(2024, 10, 17), "Beviljande av medfinansiering: Kvinnor"),
    },
    {
        "kod": "MOBKURS",
        "namn": "Steget vidare – mobiliseringskurs",
        "beskrivning": (
            "Tolv veckors kurs i grupp om hälsa, motivation och vägar framåt för personer "
            "som länge stått utanför arbetsmarknaden."
        ),
        "kategori": "FORB",
        "status": "AVSLUTAD",
        "registreringsform": "PERSON",
        "malgrupper": ["LANGARB", "EKB"],
        "metoder": ["MOBKURS"],
        "huvudman": ["Avesta kommun"],
        "controller": "Avesta kommun",
        "start": D(2024, 9, 1),
        "planerat_slut": D(2025, 12, 31),
        "slut": D(2025, 12, 19),
        "planerade": 40,
        "mal": "60 % går vidare till annan insats, arbete eller studier",
        "budget": {2024: 160_000, 2025: 420_000},
        "deltagare": ["johan.strom"],
    },
    {
        "kod": "KOMP-HL",
        "namn": "Utbildningsserie för handläggare: psykisk ohälsa och samverkan",
        "beskrivning": (
            "Gemensamma halvdagar för handläggare och chefer hos medlemmarna om psykisk ohälsa, "
            "varandras uppdrag och regelverk."
        ),
        "kategori": "KOMP",
        "status": "PAGAENDE",
        "registreringsform": "STRUKTUR",
        "malgrupper": ["PSYK"],
        "metoder": [],
        "huvudman": ["Försäkringskassan", "Arbetsförmedlingen"],
        "controller": None,
        "start": D(2025, 2, 1),
        "planerat_slut": D(2026, 12, 31),
        "mal": "200 deltagare från alla fyra parter",
        "budget": {2025: 120_000, 2026: 130_000},
        "insatsansvarig": "amir.karimi",
        "deltagare": ["handlaggare"],
        "tillfallen": [
            (D(2025, 3, 12), "Psykisk ohälsa och arbetsförmåga", Decimal("3.5")),
            (D(2025, 5, 21), "Sjukförsäkringen för kommunens handläggare", Decimal("3")),
            (D(2025, 10, 8), "Unga med aktivitetsersättning", Decimal("3.5")),
            (D(2026, 2, 4), "Neuropsykiatriska funktionsnedsättningar", Decimal("4")),
            (D(2026, 9, 16), "Samordnad individuell plan (SIP)", Decimal("3")),
        ],
    },
    {
        "kod": "KONSULT",
        "namn": "Konsultationsteam rehabilitering",
        "beskrivning": (
            "Handläggare hos medlemmarna kan boka en gemensam konsultation med FK, AF, "
            "socialtjänst och vård om en person som behöver samordnat stöd. Räknas som volym."
        ),
        "kategori": "FOREB",
        "status": "PAGAENDE",
        "registreringsform": "VOLYM",
        "malgrupper": ["LANGSJUK", "PSYK", "OVRIGA"],
        "metoder": ["KARTL"],
        "huvudman": ["Region Dalarna", "Försäkringskassan"],
        "controller": None,
        "start": D(2024, 1, 1),
        "planerat_slut": D(2026, 12, 31),
        "mal": "300 konsultationer per år",
        "budget": {2024: 240_000, 2025: 250_000, 2026: 260_000},
        "insatsansvarig": "insatsansvarig",
        "deltagare": ["handlaggare"],
        "volym": True,
    },
    {
        "kod": "KARTL-NY",
        "namn": "Kartläggning för nyanlända",
        "beskrivning": "Kartläggning av arbetsförmåga och behov för nyanlända med hälsohinder.",
        "kategori": "KARTL",
        "status": "AVVECKLAD",
        "registreringsform": "PERSON",
        "malgrupper": ["UTRIKES"],
        "metoder": ["KARTL"],
        "huvudman": ["Arbetsförmedlingen"],
        "controller": "Arbetsförmedlingen",
        "start": D(2024, 2, 1),
        "planerat_slut": D(2025, 6, 30),
        "slut": D(2025, 6, 30),
        "planerade": 30,
        "budget": {2024: 310_000, 2025: 160_000},
        "insatsansvarig": "amir.karimi",
    },
    {
        "kod": "SAMVERK",
        "namn": "Samverkansarena psykisk hälsa",
        "beskrivning": (
            "Ett återkommande forum där chefer hos medlemmarna tar fram gemensamma rutiner för "
            "personer med psykisk ohälsa."
        ),
        "kategori": "STRUKT",
        "status": "PAGAENDE",
        "registreringsform": "STRUKTUR",
        "malgrupper": ["PSYK"],
        "metoder": [],
        "huvudman": ["Hedemora kommun", "Säter kommun", "Avesta kommun"],
        "controller": None,
        "start": D(2024, 4, 1),
        "mal": "En gemensam rutin för SIP antagen av alla parter",
        "budget": {2024: 60_000, 2025: 60_000, 2026: 65_000},
        "tillfallen": [
            (D(2024, 5, 14), "Uppstart: gemensam problembild", Decimal("2")),
            (D(2024, 11, 12), "Rutin för samordnad individuell plan", Decimal("2")),
            (D(2025, 5, 13), "Uppföljning av rutinen", Decimal("2")),
            (D(2026, 4, 21), "Unga utanför: gemensam kartläggning", Decimal("2.5")),
        ],
    },
    {
        "kod": "ARBTRAN",
        "namn": "Arbetsträning i socialt företag",
        "beskrivning": "Arbetsträning med handledare i ett arbetsintegrerande socialt företag.",
        "kategori": "ARBLIV",
        "status": "PAGAENDE",
        "registreringsform": "PERSON",
        "malgrupper": ["LANGARB", "MISSBRUK", "EKB"],
        "metoder": ["ARBTRAN", "SOCFTG"],
        "huvudman": ["Avesta kommun"],
        "controller": "Avesta kommun",
        "start": D(2025, 4, 1),
        "planerat_slut": D(2027, 3, 31),
        "planerade": 24,
        "mal": "25 % till arbete eller studier",
        "budget": {2025: 380_000, 2026: 520_000},
        "deltagare": ["johan.strom"],
    },
    {
        "kod": "LOTS",
        "namn": "Lots för långtidssjukskrivna",
        "beskrivning": (
            "En lots hjälper personer som länge varit sjukskrivna att hitta rätt mellan "
            "vården, Försäkringskassan och arbetsgivaren."
        ),
        "kategori": "SAMORD",
        "status": "BEVILJAD",
        "registreringsform": "PERSON",
        "malgrupper": ["LANGSJUK"],
        "metoder": ["COACH"],
        "huvudman": ["Region Dalarna"],
        "controller": "Region Dalarna",
        "start": D(2027, 1, 15),
        "planerat_slut": D(2028, 12, 31),
        "planerade": 30,
        "budget": {2027: 650_000},
        "beslut": ("§ 42/2026", D(2026, 10, 22), "Beviljande av insatsen Lots"),
        "insatsansvarig": "insatsansvarig",
    },
    {
        "kod": "IPS-UNGA",
        "namn": "IPS för unga vuxna",
        "beskrivning": "Ansökan: IPS-metoden för unga vuxna med psykisk ohälsa i öppenvården.",
        "kategori": "ARBLIV",
        "status": "ANSOKAN",
        "registreringsform": "PERSON",
        "malgrupper": ["UNGA", "PSYK"],
        "metoder": ["IPS"],
        "huvudman": ["Region Dalarna"],
        "controller": "Region Dalarna",
        "start": D(2027, 3, 1),
        "planerat_slut": D(2029, 2, 28),
        "planerade": 25,
    },
    {
        "kod": "HALSA",
        "namn": "Hälsoskolan",
        "beskrivning": "Förebyggande gruppträffar om sömn, stress och fysisk aktivitet.",
        "kategori": "FOREB",
        "status": "IMPLEMENTERAD",
        "registreringsform": "PERSON",
        "malgrupper": ["LANGSJUK", "OVRIGA"],
        "metoder": ["MOBKURS"],
        "huvudman": ["Hedemora kommun"],
        "controller": "Hedemora kommun",
        "start": D(2024, 1, 15),
        "planerat_slut": D(2024, 12, 20),
        "slut": D(2024, 12, 20),
        "planerade": 50,
        "mal": "Permanent i kommunens ordinarie verksamhet efter projekttiden",
        "budget": {2024: 210_000},
        "deltagare": ["handlaggare"],
    },
]


def _wobble(key: str, low: float, high: float) -> float:
    """A fixed pseudo-random number in [low, high) for ``key`` (same on every run)."""
    digest = hashlib.sha256(key.encode()).digest()
    return low + (high - low) * int.from_bytes(digest[:4], "big") / 2**32


def _staff(ctx) -> None:
    for username, first, last, role, employer in EXTRA_STAFF:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@demo.finsam.se",
            },
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        Roll.objects.get_or_create(
            user=user,
            forbund=ctx.forbund,
            roll=role,
            defaults={"medlem": ctx.medlemmar[employer]},
        )
        ctx.users.setdefault(username, user)


def _data(ctx, spec) -> dict:
    beslut = None
    if spec.get("beslut"):
        paragraf, datum, rubrik = spec["beslut"]
        beslut, _ = Beslut.objects.get_or_create(
            forbund=ctx.forbund, paragraf=paragraf, defaults={"datum": datum, "rubrik": rubrik}
        )
    return {
        "kod": spec["kod"],
        "namn": spec["namn"],
        "beskrivning": spec["beskrivning"],
        "kategori": Kategori.objects.get(kod=spec["kategori"]),
        "status": spec["status"],
        "beslut": beslut,
        "registreringsform": spec["registreringsform"],
        "malgrupper": list(Malgrupp.objects.filter(kod__in=spec["malgrupper"])),
        "metoder": list(Metod.objects.filter(kod__in=spec["metoder"])),
        "huvudman": [ctx.medlemmar[n] for n in spec["huvudman"]],
        "personuppgiftsansvarig": ctx.medlemmar[spec["controller"]] if spec["controller"] else None,
        "startdatum": spec["start"],
        "planerat_slutdatum": spec.get("planerat_slut"),
        "slutdatum": spec.get("slut"),
        "planerade_deltagare": spec.get("planerade"),
        "malvarden": spec.get("mal", ""),
    }


def _months(start: dt.date, end: dt.date):
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        yield y, m
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def _money(ctx, insats, spec, chef, today) -> None:
    for ar, belopp in spec.get("budget", {}).items():
        if not Insatsbudget.objects.filter(insats=insats, ar=ar).exists():
            services.budget_set(insats=insats, user=chef, ar=ar, belopp=Decimal(belopp))
    for finansiar, projekt, ar, belopp in spec.get("extern", []):
        if not insats.medfinansiering.filter(finansiar=finansiar, ar=ar).exists():
            services.medfinansiering_set(
                insats=insats, user=chef, finansiar=finansiar, ar=ar,
                belopp=Decimal(belopp), projektnummer=projekt,
            )  # fmt: skip
    if Insatskostnad.objects.filter(insats=insats).exists():
        return
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    end = min(insats.slutdatum or last_month, last_month)
    rows = []
    for ar, manad in _months(insats.startdatum, end):
        budget = spec.get("budget", {}).get(ar)
        if not budget:
            continue
        amount = round(budget / 12 * _wobble(f"{insats.kod}{ar}{manad}", 0.78, 1.12), -2)
        rows.append(
            Insatskostnad(
                forbund=ctx.forbund, insats=insats, ar=ar, manad=manad, belopp=Decimal(amount)
            )
        )
    Insatskostnad.objects.bulk_create(rows)


def _counts(ctx, insats, spec, today) -> None:
    if spec.get("volym") and not Volym.objects.filter(insats=insats).exists():
        last_month = today.replace(day=1) - dt.timedelta(days=1)
        Volym.objects.bulk_create(
            Volym(
                forbund=ctx.forbund,
                insats=insats,
                ar=ar,
                manad=manad,
                kvinnor=int(_wobble(f"K{ar}{manad}", 12, 26)) if manad != 7 else 3,
                man=int(_wobble(f"M{ar}{manad}", 7, 18)) if manad != 7 else 2,
                annat=int(_wobble(f"X{ar}{manad}", 0, 2)),
            )
            for ar, manad in _months(insats.startdatum, last_month)
        )
    if spec.get("tillfallen") and not Tillfalle.objects.filter(insats=insats).exists():
        medlemmar = list(ctx.medlemmar.values())
        for datum, titel, timmar in spec["tillfallen"]:
            if datum > today:
                continue
            antal = {}
            for medlem in medlemmar:
                for yrke, (lo, hi) in {
                    "HANDLAGGARE": (2, 9),
                    "CHEF": (0, 3),
                    "VARDPERSONAL": (0, 4),
                    "OVRIG": (0, 2),
                }.items():
                    if yrke == "VARDPERSONAL" and medlem.typ != "REGION":
                        continue
                    antal[(medlem, yrke)] = int(_wobble(f"{titel}{medlem.namn}{yrke}", lo, hi))
            services.tillfalle_save(
                insats=insats, user=None, datum=datum, titel=titel, timmar=timmar, antal=antal
            )


def _people(ctx, insats, spec, chef) -> None:
    ansvarig = spec.get("insatsansvarig")
    if ansvarig and not insats_users_with_perm(insats=insats, perm=INSATSANSVARIG):
        services.insats_assign(
            insats=insats, actor=chef, user=ctx.users[ansvarig], perm=INSATSANSVARIG
        )
    current = insats_users_with_perm(insats=insats, perm=DELTAGARANSVARIG)
    for username in spec.get("deltagare", []):
        if ctx.users[username] not in current:
            services.insats_assign(
                insats=insats, actor=chef, user=ctx.users[username], perm=DELTAGARANSVARIG
            )


def seed(ctx) -> None:
    kodlistor_ensure()
    _staff(ctx)
    chef = ctx.users.get("chef")
    today = timezone.localdate()
    for spec in INSATSER:
        insats = Insats.objects.filter(forbund=ctx.forbund, kod=spec["kod"]).first()
        if insats is None:
            insats = services.insats_create(forbund=ctx.forbund, user=chef, data=_data(ctx, spec))
            ctx.log.append(f"insats {spec['kod']}")
        elif insats.kategori_id is None:
            # An insats from an earlier, thinner demo: fill in the registry's fields once.
            services.insats_update(insats=insats, user=chef, data=_data(ctx, spec))
        _money(ctx, insats, spec, chef, today)
        _counts(ctx, insats, spec, today)
        _people(ctx, insats, spec, chef)
