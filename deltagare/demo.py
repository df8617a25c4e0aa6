"""Demo participations: a few hundred over three years across the demo insatser.

Deterministic (a fixed random seed) and idempotent (nothing is added when the demo insatser
already have participations). The distributions follow the national picture (design section 1):
more than half aged 16–29, about 90 % in offentlig försörjning before and fewer after, about a
fifth more in arbete or studier after, some anonymous, some with follow-ups.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import connection
from django.utils import timezone

from insatser.models import Insats

from . import crypto, kodlistor
from .models import (
    Deltagande,
    Forsorjning,
    Person,
    Samtycke,
    Samtyckessatt,
    Skede,
    Uppfoljning,
)
from .personnummer import luhn_digit
from .services import add_months

SEED = 20260501
PLAN = [  # insats kod, number of participations, staff username, share aged 16–29
    ("UNGA", 190, "handlaggare", 0.95),
    ("SE-PSYK", 110, "insatsansvarig", 0.2),
]
FORNAMN_K = ["Anna", "Sara", "Emma", "Maja", "Fatima", "Elin", "Hanna", "Amina", "Linnea", "Ida"]
FORNAMN_M = ["Erik", "Ali", "Johan", "Oskar", "Mohammed", "Lucas", "Viktor", "Ahmed", "Emil"]
EFTERNAMN = ["Andersson", "Johansson", "Karlsson", "Nilsson", "Hassan", "Eriksson", "Larsson"]
OFFENTLIG = ["EKB", "AKST", "SJP", "AKE", "SA", "AKASSA", "ETAB"]


def _pnr(rng: random.Random, birth_year: int) -> str:
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    samordning = rng.random() < 0.03
    dd = day + (60 if samordning else 0)
    nine = f"{birth_year % 100:02d}{month:02d}{dd:02d}{rng.randint(0, 999):03d}"
    return f"{birth_year}{month:02d}{dd:02d}{nine[6:]}{luhn_digit(nine)}"


def _sources_before(rng: random.Random, young: bool) -> list[str]:
    if rng.random() < 0.9:
        weights = [5, 4, 3, 3 if young else 1, 1 if young else 3, 1, 1]
        first = rng.choices(OFFENTLIG, weights=weights)[0]
        extra = ["ANNAN"] if rng.random() < 0.1 else []
        return [first, *extra]
    return [rng.choice(["LON", "STUD", "INGEN", "OKAND"])]


def _outcome(rng: random.Random, before: list[str]) -> tuple[str, list[str]]:
    """Sysselsättning and försörjning after: about a fifth more in arbete/studier, and fewer in
    offentlig försörjning (about 78 % against 90 % before)."""
    roll = rng.random()
    if roll < 0.22:
        return "ARBETE", ["LON"] + (["EKB"] if rng.random() < 0.2 else [])
    if roll < 0.30:
        return "SUBV", ["SUBV"]
    if roll < 0.38:
        return "STUDIER", ["STUD"] + (["AKE"] if rng.random() < 0.3 else [])
    if roll < 0.62:
        return "ARBSOK", [rng.choice(["AKST", "AKASSA", "EKB"])]
    if roll < 0.75:
        return "ANNAN_INSATS", [s for s in before if s in OFFENTLIG] or ["EKB"]
    if roll < 0.9:
        return "SJUK", [rng.choice(["SJP", "SA", "AKE"])]
    return "OKAND", ["OKAND"]


def seed(ctx) -> None:
    kodlistor.load()
    forbund = ctx.forbund
    if Deltagande.objects.filter(forbund=forbund).exists():
        return
    rng = random.Random(SEED)  # noqa: S311 - demo data, not security
    today = timezone.localdate()
    numbers: dict[int, int] = {}
    created = 0
    for kod, count, username, share_young in PLAN:
        insats = Insats.objects.filter(forbund=forbund, kod=kod).first()
        if insats is None or insats.personuppgiftsansvarig_id is None:
            continue
        staff = ctx.users[username]
        created += _seed_insats(rng, insats, staff, count, share_young, today, numbers)
    with connection.cursor() as cursor:
        for year, last in numbers.items():
            cursor.execute(
                """
                INSERT INTO deltagare_lopnummer (forbund_id, ar, senaste) VALUES (%s, %s, %s)
                ON CONFLICT (forbund_id, ar) DO UPDATE
                   SET senaste = GREATEST(deltagare_lopnummer.senaste, EXCLUDED.senaste)
                """,
                [forbund.pk, year, last],
            )
    _seed_reads(forbund, ctx)
    if created:
        ctx.log.append(f"{created} deltaganden")


def _seed_reads(forbund, ctx) -> None:
    """A few logged reads, so that the access-log review has something to show."""
    from .models import Atkomst
    from .services import atkomstlogg_write

    for kod, username in (("UNGA", "handlaggare"), ("SE-PSYK", "insatsansvarig")):
        rows = Deltagande.objects.filter(
            forbund=forbund, insats__kod=kod, person__isnull=False
        ).select_related("insats__forbund", "person")[:6]
        for d in rows:
            atkomstlogg_write(
                user=ctx.users[username], forbund=forbund, vad=Atkomst.VISA, deltagande=d
            )


def _seed_insats(rng, insats, staff, count, share_young, today, numbers) -> int:
    span = (today - insats.startdatum).days
    plans = []
    for _i in range(count):
        inskrivning = insats.startdatum + dt.timedelta(days=int(span * rng.random() ** 0.8))
        young = rng.random() < share_young
        age = rng.randint(16, 29) if young else rng.randint(30, 63)
        if rng.random() < 0.02:
            age = rng.choice([15, 65])
        anonymous = rng.random() < 0.15
        days = rng.randint(60, 420)
        ended = inskrivning + dt.timedelta(days=days) < today - dt.timedelta(days=14)
        plans.append((inskrivning, young, age, anonymous, days if ended else None))
    plans.sort(key=lambda p: p[0])

    persons, samtycken, rows, details = [], [], [], []
    for inskrivning, young, age, anonymous, days in plans:
        year = inskrivning.year
        numbers[year] = numbers.get(year, 0) + 1
        kon = rng.choices(["K", "M", "X"], weights=[52, 45, 3])[0]
        d = Deltagande(
            forbund_id=insats.forbund_id,
            insats=insats,
            nummer=f"D-{year}-{numbers[year]:04d}",
            kon_id=kon,
            fodelsear=year - age,
            inskrivning=inskrivning,
            registrerad_av=staff,
        )
        if days is not None:
            d.utskrivning = inskrivning + dt.timedelta(days=days)
        if rng.random() < 0.01:
            d.avslutsorsak_id = kodlistor.FEL
            d.utskrivning = d.utskrivning or inskrivning
        if not anonymous:
            pnr = _pnr(rng, year - age)
            first = rng.choice(FORNAMN_K if kon == "K" else FORNAMN_M)
            person = Person(
                forbund_id=insats.forbund_id,
                medlem_id=insats.personuppgiftsansvarig_id,
                personnummer_krypterat=crypto.encrypt_text(pnr),
                personnummer_hash=crypto.lookup_hash(pnr),
                namn_krypterat=crypto.encrypt_text(f"{first} {rng.choice(EFTERNAMN)}"),
            )
            giltig = None
            if d.utskrivning is None and rng.random() < 0.1:
                giltig = today + dt.timedelta(days=rng.randint(5, 25))
            samtycke = Samtycke(
                forbund_id=insats.forbund_id,
                insats=insats,
                datum=inskrivning,
                satt=Samtyckessatt.PERSONLIGEN,
                blankettversion="2024:1",
                vittne=staff,
                giltig_till=giltig,
                registrerad_av=staff,
            )
            before = _sources_before(rng, young)
            d.utbildning_id = rng.choices(
                ["FORGYMN", "GYMN", "EFTERGYMN", "OKAND"], weights=[35, 45, 15, 5]
            )[0]
            d.anvisande_part_id = rng.choices(
                ["FK", "AF", "KOMMUN", "REGION", "EGEN", "ANNAN"], weights=[20, 30, 30, 12, 5, 3]
            )[0]
            d.tid_offentlig_forsorjning_id = rng.choice(["<6M", "6-12M", "1-2A", "2-5A", ">5A"])
            d.sysselsattning_fore_id = rng.choices(
                ["INGEN", "ARBSOK", "SJUK", "ARBTRAN", "STUDIER", "ARBETE"],
                weights=[40, 25, 20, 8, 4, 3],
            )[0]
            after = None
            if d.utskrivning and d.avslutsorsak_id != kodlistor.FEL:
                syss, after = _outcome(rng, before)
                d.sysselsattning_efter_id = syss
                d.avslutsorsak_id = (
                    "MAL"
                    if syss in ("ARBETE", "SUBV", "STUDIER")
                    else rng.choice(["PLAN", "ANNAN_INSATS", "AVBROTT_HALSA", "EJ_KONTAKT"])
                )
            persons.append(person)
            samtycken.append(samtycke)
            details.append((d, before, after))
        rows.append((d, None if anonymous else len(persons) - 1))

    Person.objects.bulk_create(persons)
    for person, samtycke in zip(persons, samtycken, strict=True):
        samtycke.person = person
    Samtycke.objects.bulk_create(samtycken)
    for d, index in rows:
        if index is not None:
            d.person = persons[index]
            d.samtycke = samtycken[index]
    Deltagande.objects.bulk_create([d for d, _index in rows])

    forsorjning, uppfoljningar, links = [], [], []
    for d, before, after in details:
        for skede, codes in ((Skede.FORE, before), (Skede.EFTER, after or [])):
            for code in dict.fromkeys(codes):
                forsorjning.append(
                    Forsorjning(
                        forbund_id=d.forbund_id,
                        deltagande=d,
                        insats_id=d.insats_id,
                        skede=skede,
                        kalla_id=code,
                        inskrivning=d.inskrivning,
                        utskrivning=d.utskrivning,
                    )
                )
        if after and d.avslutsorsak_id != kodlistor.FEL:
            for punkt in (6, 12):
                if add_months(d.utskrivning, punkt) <= today and rng.random() < 0.7:
                    reached = rng.random() < 0.8
                    syss, sources = _outcome(rng, before)
                    u = Uppfoljning(
                        forbund_id=d.forbund_id,
                        deltagande=d,
                        punkt=punkt,
                        nadd=reached,
                        sysselsattning_id=syss if reached else None,
                        registrerad_av=d.registrerad_av,
                    )
                    uppfoljningar.append(u)
                    if reached:
                        links.append((u, sources))
    Forsorjning.objects.bulk_create(forsorjning)
    Uppfoljning.objects.bulk_create(uppfoljningar)
    through = Uppfoljning.forsorjning.through
    through.objects.bulk_create(
        [
            through(uppfoljning_id=u.pk, forsorjningskalla_id=code)
            for u, sources in links
            for code in dict.fromkeys(sources)
        ]
    )
    return len(rows)
