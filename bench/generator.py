"""The bench data generator: N förbund with members, money, insatser and participations at
national scale, deterministic by seed (``manage.py bench_data``).

How it stays fast (1,000,000 participations in well under 5 minutes on 2 cores):

* Rows are produced by one ``random.Random(seed)`` in a fixed order and streamed to PostgreSQL
  with ``COPY`` (psycopg 3 ``cursor.copy``), one förbund at a time (bounded memory).
* Each identified participation's personnummer is really encrypted (Fernet, ~11 µs each) and
  hashed with the real HMAC key; names come from a small pool of encrypted tokens (a name is not
  an identifier, and a shared token still decrypts).
* During the bulk load the session runs with ``session_replication_role = replica``: user
  triggers (consent check, "details need identity") and the foreign-key triggers do not fire per
  row. CHECK constraints, unique and exclusion indexes still hold. The invariants the skipped
  triggers guard are then validated set-wise (``validate``: every foreign key resolves, every
  identified participation has its own person's valid consent for its insats under the insats's
  controller, no details on anonymous rows) and the load fails if any count is not 0.

Distributions follow the national picture of design section 1 (and ``deltagare/demo.py``):
kön K/M/X 52/45/3, about 45 % aged 16–29, ~30 % anonymous, ~90 % in offentlig försörjning
before and fewer after, about a fifth more in arbete or studier after, 1 % felregistreringar,
durations 1–18 months, follow-ups at +6/+12 months for ~70 % of those reached.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
import time
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.db import connection, transaction

GENERATOR_VERSION = 2
DATA_START = dt.date(2012, 1, 1)  # 15 years of history …
DATA_END = dt.date(2026, 10, 31)  # … up to a fixed day, so the data does not depend on today
STAMP = dt.datetime(DATA_END.year, DATA_END.month, DATA_END.day, 12, tzinfo=dt.UTC)
REPORT_YEAR = 2025  # the last closed year: the annual report the benchmarks time
LARGE_FORBUND = 100_000  # förbund 1: the participant-list page wants 100,000 in one förbund
MEDIUM_FORBUND = 50_000  # förbund 2: statistics (a) times "one large förbund with 50,000"

KON = (["K", "M", "X"], [52, 45, 3])
UTBILDNING = (["FORGYMN", "GYMN", "EFTERGYMN", "OKAND"], [35, 45, 15, 5])
ANVISANDE = (["FK", "AF", "KOMMUN", "REGION", "EGEN", "ANNAN"], [20, 30, 30, 12, 5, 3])
TID = (["<6M", "6-12M", "1-2A", "2-5A", ">5A", "OKAND"], [15, 18, 22, 22, 18, 5])
SYSS_FORE = (
    ["INGEN", "ARBSOK", "SJUK", "ARBTRAN", "STUDIER", "ARBETE", "OKAND"],
    [38, 25, 20, 8, 4, 3, 2],
)
OFFENTLIG = ["EKB", "AKST", "SJP", "AKE", "SA", "AKASSA", "ETAB"]
AVSLUT_OVRIGA = ["PLAN", "ANNAN_INSATS", "AVBROTT_EGEN", "AVBROTT_HALSA", "FLYTT", "EJ_KONTAKT"]
KATEGORIER_PERSON = (["ARBLIV", "FORB", "FOREB", "KARTL", "SAMORD"], [45, 25, 10, 5, 15])
FORNAMN = ["Anna", "Sara", "Emma", "Maja", "Fatima", "Erik", "Ali", "Johan", "Oskar", "Ahmed"]
EFTERNAMN = ["Andersson", "Johansson", "Karlsson", "Nilsson", "Hassan", "Eriksson", "Larsson"]
BUDGETPOSTER = {
    "STYRELSE": 180_000,
    "KANSLI_PERSONAL": 1_150_000,
    "KANSLI_LOKALER": 140_000,
    "KANSLI_OVRIGT": 95_000,
    "REVISION": 60_000,
}


@dataclass(frozen=True)
class Params:
    forbund: int = 72
    deltaganden: int = 1_000_000
    seed: int = 1
    stor_forbund_deltaganden: int = LARGE_FORBUND
    medel_forbund_deltaganden: int = MEDIUM_FORBUND

    def sizes(self) -> list[int]:
        """Participations per förbund: förbund 1 the large one, förbund 2 the 50,000 one (when
        the total allows), the rest split by skewed weights (small and large förbund)."""
        n, total = self.forbund, self.deltaganden
        if n == 1:
            return [total]
        large = min(self.stor_forbund_deltaganden, total // 2)
        medium = min(self.medel_forbund_deltaganden, (total - large) // 2) if n > 2 else 0
        if n == 2:
            return [large, total - large]
        rest = total - large - medium
        rng = random.Random(self.seed * 7919)  # noqa: S311 - bench data
        weights = [rng.lognormvariate(0, 0.6) for _ in range(n - 2)]
        scale = rest / sum(weights)
        sizes = [int(w * scale) for w in weights]
        sizes[-1] += rest - sum(sizes)
        return [large, medium, *sizes]


@dataclass
class Result:
    params: dict
    counts: dict = field(default_factory=dict)
    seconds: float = 0.0
    forbund_ids: list[int] = field(default_factory=list)
    violations: dict = field(default_factory=dict)


class Picker:
    """Weighted choice with a precomputed cumulative table (faster than ``rng.choices``)."""

    def __init__(self, rng: random.Random, spec: tuple[list, list]):
        self.values, weights = spec
        self.cum = list(itertools.accumulate(weights))
        self.total = self.cum[-1]
        self.rng = rng

    def __call__(self):
        return self.values[bisect.bisect_right(self.cum, self.rng.random() * self.total)]


def _luhn(nine: str) -> str:
    total = 0
    for i, ch in enumerate(nine):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


_UUID_V4_MASK = ~(0xF000 << 64) & ~(0xC000 << 48)
_UUID_V4_BITS = (0x4000 << 64) | (0x8000 << 48)


def _uuid(rng: random.Random) -> str:
    """A version-4 UUID from the seeded generator, as text (what COPY sends anyway)."""
    h = f"{(rng.getrandbits(128) & _UUID_V4_MASK) | _UUID_V4_BITS:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _add_months(day: dt.date, months: int) -> dt.date:
    """PostgreSQL's ``date + interval 'n months'`` (the day clamps to the month's end)."""
    import calendar

    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- Reset and the small tables (ORM) --------------------------------------------------------


def reset() -> None:
    """Empty every table the generator fills (the bench database only: users go too)."""
    with connection.cursor() as cursor:
        # Fire pending deferred foreign-key checks now: TRUNCATE refuses tables with pending
        # trigger events (an earlier run in the same transaction, as in the tests).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "TRUNCATE forbund_forbund, finsam_user, forbund_modellberakning, django_session, "
            "bench_benchstamp RESTART IDENTITY CASCADE"
        )


def _create_forbund(rng: random.Random, sizes: list[int]):
    from forbund.models import Forbund, Kommun, Medlem, MedlemTyp
    from forbund.reference import kommuner_load
    from insatser.reference import kodlistor_ensure

    kodlistor_ensure()
    if not Kommun.objects.exists():
        kommuner_load(Kommun)
    from deltagare import kodlistor

    kodlistor.load()
    kommuner = list(Kommun.objects.order_by("kod"))
    per = max(1, min(6, len(kommuner) // len(sizes)))
    forbund_list = Forbund.objects.bulk_create(
        [
            Forbund(
                namn=f"Samordningsförbundet Bench {i + 1:02d}",
                organisationsnummer=f"2220{i:02d}-0000",
                startdatum=dt.date(2008 + i % 4, 1, 1),
                ek_ingaende_ar=DATA_START.year,
                ek_ingaende_belopp=Decimal(500_000 + 10_000 * (i % 30)),
            )
            for i in range(len(sizes))
        ]
    )
    medlemmar: dict[int, list] = {}
    rows = []
    for i, forbund in enumerate(forbund_list):
        start = forbund.startdatum
        rows += [
            Medlem(forbund=forbund, typ=MedlemTyp.FK, namn="Försäkringskassan", startdatum=start),
            Medlem(forbund=forbund, typ=MedlemTyp.AF, namn="Arbetsförmedlingen", startdatum=start),
            Medlem(
                forbund=forbund, typ=MedlemTyp.REGION, namn=f"Region {i + 1:02d}", startdatum=start
            ),
        ]
        for kommun in kommuner[i * per : (i + 1) * per]:
            rows.append(
                Medlem(
                    forbund=forbund,
                    typ=MedlemTyp.KOMMUN,
                    namn=f"{kommun.namn} kommun",
                    kommun=kommun,
                    startdatum=start,
                )
            )
    for medlem in Medlem.objects.bulk_create(rows):
        medlemmar.setdefault(medlem.forbund_id, []).append(medlem)
    return forbund_list, medlemmar


@dataclass
class InsatsPlan:
    insats: object
    weight: float
    start: dt.date
    end: dt.date  # last day participations may start (insats end or DATA_END)
    insats_id: int = 0  # set after the insert (plain int: no model attribute per row)
    kod: str = ""
    controller_id: int | None = None


def _create_insatser(rng: random.Random, forbund_list, medlemmar, sizes):
    """PERSON insatser (more in larger förbund) plus one VOLYM and one STRUKTUR insats each.
    The first three insatser of every förbund run the whole period and carry the most
    participants; in förbund 1 the first kommun controls most of them (the bench handläggare's
    employer)."""
    from insatser.models import Insats, Registreringsform, Status

    kategori = Picker(rng, KATEGORIER_PERSON)
    plans: dict[int, list[InsatsPlan]] = {}
    rows = []
    for i, (forbund, size) in enumerate(zip(forbund_list, sizes, strict=True)):
        members = medlemmar[forbund.pk]
        kommun_members = [m for m in members if m.typ == "KOMMUN"] or members
        n_person = max(3, min(40, 4 + size // 4000))
        for j in range(n_person):
            long_running = j < 3
            if long_running:
                start = dt.date(DATA_START.year, 1 + j, 1)
                end = None
            else:
                start = DATA_START + dt.timedelta(days=rng.randint(0, 365 * 13))
                length = rng.randint(365, 365 * 6)
                end = start + dt.timedelta(days=length)
                if end > DATA_END:
                    end = None
            if i == 0 and (long_running or rng.random() < 0.6):
                controller = kommun_members[0]
            else:
                controller = rng.choice(members)
            insats = Insats(
                forbund=forbund,
                kod=f"P{j + 1:02d}",
                namn=f"Insats {j + 1} i förbund {i + 1}",
                kategori_id=kategori(),
                status=Status.AVSLUTAD if end else Status.PAGAENDE,
                registreringsform=Registreringsform.PERSON,
                personuppgiftsansvarig=controller,
                startdatum=start,
                slutdatum=end,
                planerat_slutdatum=end,
                planerade_deltagare=100,
            )
            weight = (6.0 if long_running else 1.0) * rng.lognormvariate(0, 0.5)
            rows.append(insats)
            plans.setdefault(forbund.pk, []).append(
                InsatsPlan(insats, weight, start, end or DATA_END)
            )
        for kod, form, kat in (("VOL", "VOLYM", "FOREB"), ("STR", "STRUKTUR", "KOMP")):
            rows.append(
                Insats(
                    forbund=forbund,
                    kod=kod,
                    namn=f"{form.capitalize()}insats i förbund {i + 1}",
                    kategori_id=kat,
                    status=Status.PAGAENDE,
                    registreringsform=form,
                    startdatum=dt.date(DATA_START.year, 1, 1),
                )
            )
    Insats.objects.bulk_create(rows)
    for forbund_plans in plans.values():
        for plan in forbund_plans:
            plan.insats_id = plan.insats.pk
            plan.kod = plan.insats.kod
            plan.controller_id = plan.insats.personuppgiftsansvarig_id
    return plans, [r for r in rows if r.registreringsform != "PERSON"]


# --- COPY helpers ----------------------------------------------------------------------------


class Copier:
    """One ``COPY … FROM STDIN`` per table, fed row by row; counts what it wrote."""

    def __init__(self, cursor, table: str, columns: list[str]):
        self.cursor, self.table, self.columns = cursor, table, columns
        self.count = 0

    def __enter__(self):
        from psycopg.copy import QueuedLibpqWriter

        cols = ", ".join(self.columns)
        # The queued writer sends from a thread: Python keeps generating while PostgreSQL
        # parses the previous megabyte.
        self._cm = self.cursor.copy(
            f"COPY {self.table} ({cols}) FROM STDIN", writer=QueuedLibpqWriter(self.cursor)
        )
        self.copy = self._cm.__enter__()
        return self

    def write(self, row) -> None:
        self.copy.write_row(row)
        self.count += 1

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)


class Ids:
    """Explicit ids from 1 after ``TRUNCATE … RESTART IDENTITY``; sequences set at the end."""

    def __init__(self):
        self.next = {}

    def take(self, table: str) -> int:
        value = self.next.get(table, 1)
        self.next[table] = value + 1
        return value


# --- Indexes during the load ------------------------------------------------------------------

BULK_TABLES = [
    "deltagare_person",
    "deltagare_samtycke",
    "deltagare_deltagande",
    "deltagare_forsorjning",
    "deltagare_uppfoljning",
    "deltagare_uppfoljning_forsorjning",
]


def drop_indexes(cursor) -> list[str]:
    """Drop the secondary indexes and the unique/exclusion constraints of the bulk tables (not
    the primary keys) and return the statements that recreate them. Building an index once over
    a million rows is far faster than maintaining fifteen of them row by row; re-adding the
    unique and exclusion constraints checks them over every loaded row (same transaction)."""
    cursor.execute(
        """
        SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
          FROM pg_constraint c
         WHERE c.conrelid = ANY(%s::regclass[]) AND c.contype IN ('u', 'x')
        """,
        [BULK_TABLES],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
          FROM pg_index i
         WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        """,
        [BULK_TABLES],
    )
    indexes = cursor.fetchall()
    recreate = []
    for table, name, definition in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        recreate.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    for name, definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
        recreate.append(definition)
    return recreate


# --- Participations --------------------------------------------------------------------------


def _sources_before(rng, young: bool) -> list[str]:
    if rng.random() < 0.9:
        weights = [5, 4, 3, 3 if young else 1, 1 if young else 3, 1, 1]
        first = rng.choices(OFFENTLIG, weights=weights)[0]
        return [first, "ANNAN"] if rng.random() < 0.1 else [first]
    return [rng.choice(["LON", "STUD", "INGEN", "OKAND"])]


def _outcome(rng, before: list[str]) -> tuple[str, list[str]]:
    roll = rng.random()
    if roll < 0.22:
        return "ARBETE", ["LON", "EKB"] if rng.random() < 0.2 else ["LON"]
    if roll < 0.30:
        return "SUBV", ["SUBV"]
    if roll < 0.38:
        return "STUDIER", ["STUD", "AKE"] if rng.random() < 0.3 else ["STUD"]
    if roll < 0.62:
        return "ARBSOK", [rng.choice(["AKST", "AKASSA", "EKB"])]
    if roll < 0.75:
        return "ANNAN_INSATS", [s for s in before if s in OFFENTLIG] or ["EKB"]
    if roll < 0.92:
        return "SJUK", [rng.choice(["SJP", "SA", "AKE"])]
    return "OKAND", ["OKAND"]


class ParticipationWriter:
    """Writes one förbund's participations and everything hanging off them."""

    def __init__(self, cursor, rng: random.Random, ids: Ids):
        from deltagare import crypto

        self.cursor, self.rng, self.ids = cursor, rng, ids
        self.crypto = crypto
        self.kon = Picker(rng, KON)
        self.utbildning = Picker(rng, UTBILDNING)
        self.anvisande = Picker(rng, ANVISANDE)
        self.tid = Picker(rng, TID)
        self.syss_fore = Picker(rng, SYSS_FORE)
        self.names = [
            crypto.encrypt_text(f"{a} {b}") for a, b in itertools.product(FORNAMN, EFTERNAMN)
        ]
        self.counts: dict[str, int] = {}
        self.lopnummer: list[tuple[int, int, int]] = []
        self.stamp = STAMP

    def _pnr(self, birth_year: int, taken: set) -> tuple[str, str]:
        rng = self.rng
        while True:
            month, day = rng.randint(1, 12), rng.randint(1, 28)
            nine = f"{birth_year % 100:02d}{month:02d}{day:02d}{rng.randint(0, 999):03d}"
            pnr = f"{birth_year // 100}{nine}{_luhn(nine)}"
            if pnr not in taken:
                taken.add(pnr)
                return pnr, self.crypto.lookup_hash(pnr)

    def write_forbund(self, forbund, plans: list[InsatsPlan], n: int) -> None:
        rng = self.rng
        weights = list(itertools.accumulate(p.weight for p in plans))
        # Plan every participation first (sorted by date, so numbers run in time order).
        planned = []
        for _ in range(n):
            plan = plans[bisect.bisect_right(weights, rng.random() * weights[-1])]
            span = (plan.end - plan.start).days
            inskrivning = plan.start + dt.timedelta(days=int(span * rng.random()))
            planned.append((inskrivning, plan))
        planned.sort(key=lambda p: (p[0], p[1].kod))
        taken: dict[int, set] = {}
        numbers: dict[int, int] = {}
        cur, fid = self.cursor, forbund.pk
        # COPY streams cannot interleave on one connection: persons first, their consents
        # after (kept in memory for one förbund), then the participations in the same order.
        identities, consents = [], []
        with Copier(
            cur,
            "deltagare_person",
            [
                "id",
                "forbund_id",
                "medlem_id",
                "uuid",
                "personnummer_krypterat",
                "personnummer_hash",
                "namn_krypterat",
                "created_at",
            ],
        ) as persons:
            for inskrivning, plan in planned:
                if rng.random() < 0.30:  # anonymous: no consent or protected identity
                    identities.append(None)
                    continue
                age = self._age()
                medlem_id = plan.controller_id
                pnr, pnr_hash = self._pnr(
                    inskrivning.year - age, taken.setdefault(medlem_id, set())
                )
                person_id = self.ids.take("person")
                persons.write(
                    (
                        person_id,
                        fid,
                        medlem_id,
                        _uuid(rng),
                        self.crypto.encrypt_text(pnr),
                        pnr_hash,
                        self.names[rng.randrange(len(self.names))],
                        self.stamp,
                    )
                )
                samtycke_id = self.ids.take("samtycke")
                consents.append(
                    (
                        samtycke_id,
                        fid,
                        person_id,
                        plan.insats_id,
                        _uuid(rng),
                        inskrivning,
                        "IMPORT",
                        "bench",
                        "",
                        self.stamp,
                    )
                )
                identities.append((person_id, samtycke_id, age))
        with Copier(
            cur,
            "deltagare_samtycke",
            [
                "id",
                "forbund_id",
                "person_id",
                "insats_id",
                "uuid",
                "datum",
                "satt",
                "blankettversion",
                "dokument_typ",
                "created_at",
            ],
        ) as samtycken:
            for row in consents:
                samtycken.write(row)
        del consents
        details = []
        with Copier(
            cur,
            "deltagare_deltagande",
            [
                "id",
                "forbund_id",
                "insats_id",
                "uuid",
                "nummer",
                "person_id",
                "samtycke_id",
                "kon_id",
                "fodelsear",
                "inskrivning",
                "utbildning_id",
                "sysselsattning_fore_id",
                "tid_offentlig_forsorjning_id",
                "anvisande_part_id",
                "utskrivning",
                "avslutsorsak_id",
                "sysselsattning_efter_id",
                "created_at",
                "updated_at",
            ],
        ) as deltaganden:
            for (inskrivning, plan), identity in zip(planned, identities, strict=True):
                year = inskrivning.year
                numbers[year] = numbers.get(year, 0) + 1
                days = int(30 + rng.lognormvariate(5.4, 0.55))  # median ~250 days
                utskrivning = inskrivning + dt.timedelta(days=days)
                if utskrivning > DATA_END - dt.timedelta(days=14):
                    utskrivning = None
                fel = rng.random() < 0.01
                if fel and utskrivning is None:
                    utskrivning = inskrivning
                kon = self.kon()
                did = self.ids.take("deltagande")
                if identity is None:
                    age = self._age()
                    row = (
                        did,
                        fid,
                        plan.insats_id,
                        _uuid(rng),
                        f"B-{year}-{numbers[year]:06d}",
                        None,
                        None,
                        kon,
                        year - age,
                        inskrivning,
                        None,
                        None,
                        None,
                        None,
                        utskrivning,
                        "FEL" if fel else None,
                        None,
                        self.stamp,
                        self.stamp,
                    )
                    deltaganden.write(row)
                    continue
                person_id, samtycke_id, age = identity
                young = 16 <= age <= 29
                before = _sources_before(rng, young)
                syss_efter = avslut = after = None
                if utskrivning is not None and not fel:
                    syss_efter, after = _outcome(rng, before)
                    avslut = (
                        "MAL"
                        if syss_efter in ("ARBETE", "SUBV", "STUDIER")
                        else AVSLUT_OVRIGA[rng.randrange(len(AVSLUT_OVRIGA))]
                    )
                deltaganden.write(
                    (
                        did,
                        fid,
                        plan.insats_id,
                        _uuid(rng),
                        f"B-{year}-{numbers[year]:06d}",
                        person_id,
                        samtycke_id,
                        kon,
                        year - age,
                        inskrivning,
                        self.utbildning(),
                        self.syss_fore(),
                        self.tid(),
                        self.anvisande(),
                        utskrivning,
                        "FEL" if fel else avslut,
                        syss_efter,
                        self.stamp,
                        self.stamp,
                    )
                )
                details.append((did, plan.insats_id, inskrivning, utskrivning, before, after))
        self._write_details(forbund, details)
        for year, last in numbers.items():
            self.lopnummer.append((fid, year, last))
        self._count("deltagande", n)
        self._count("identifierade", len(details))

    def _age(self) -> int:
        rng = self.rng
        if rng.random() < 0.02:
            return rng.choice([15, 65])
        return rng.randint(16, 29) if rng.random() < 0.45 else rng.randint(30, 63)

    def _count(self, key: str, n: int) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def _write_details(self, forbund, details) -> None:
        rng, cur, fid = self.rng, self.cursor, forbund.pk
        follow = []
        with Copier(
            cur,
            "deltagare_forsorjning",
            [
                "id",
                "forbund_id",
                "deltagande_id",
                "insats_id",
                "skede",
                "kalla_id",
                "inskrivning",
                "utskrivning",
            ],
        ) as forsorjning:
            for did, insats_id, inskrivning, utskrivning, before, after in details:
                for skede, codes in (("FORE", before), ("EFTER", after or ())):
                    for code in dict.fromkeys(codes):
                        forsorjning.write(
                            (
                                self.ids.take("forsorjning"),
                                fid,
                                did,
                                insats_id,
                                skede,
                                code,
                                inskrivning,
                                utskrivning,
                            )
                        )
                if after:
                    for punkt in (6, 12):
                        if _add_months(utskrivning, punkt) <= DATA_END and rng.random() < 0.7:
                            reached = rng.random() < 0.8
                            syss, sources = _outcome(rng, before)
                            follow.append((did, punkt, reached, syss, sources))
        self._count("forsorjning", forsorjning.count)
        links = []
        with Copier(
            cur,
            "deltagare_uppfoljning",
            [
                "id",
                "forbund_id",
                "deltagande_id",
                "uuid",
                "punkt",
                "nadd",
                "sysselsattning_id",
                "registrerad",
            ],
        ) as uppfoljning:
            for did, punkt, reached, syss, sources in follow:
                uid = self.ids.take("uppfoljning")
                uppfoljning.write(
                    (
                        uid,
                        fid,
                        did,
                        _uuid(rng),
                        punkt,
                        reached,
                        syss if reached else None,
                        self.stamp,
                    )
                )
                if reached:
                    links += [(uid, code) for code in dict.fromkeys(sources)]
        self._count("uppfoljning", uppfoljning.count)
        with Copier(
            cur,
            "deltagare_uppfoljning_forsorjning",
            ["id", "uppfoljning_id", "forsorjningskalla_id"],
        ) as through:
            for uid, code in links:
                through.write((self.ids.take("uppfoljning_forsorjning"), uid, code))


# --- Money -----------------------------------------------------------------------------------


def _write_money(cursor, rng, forbund_list, medlemmar, plans, other_insatser, sizes) -> dict:
    """Population, state contribution, budgets (drafts: decided ones are locked in the
    database), monthly utfall per budget line, insats budgets and monthly costs, volume counts."""
    counts = {}
    stamp = STAMP
    years = range(DATA_START.year, DATA_END.year + 1)
    with Copier(
        cursor,
        "forbund_befolkning",
        ["forbund_id", "kommun_id", "ar", "antal", "kalla", "updated_at"],
    ) as befolkning:
        for forbund in forbund_list:
            for medlem in medlemmar[forbund.pk]:
                if medlem.kommun_id:
                    base = rng.randint(3_000, 120_000)
                    for ar in years:
                        befolkning.write(
                            (
                                forbund.pk,
                                medlem.kommun_id,
                                ar,
                                base + 40 * (ar - 2020),
                                "SCB",
                                stamp,
                            )
                        )
        counts["befolkning"] = befolkning.count
    with Copier(
        cursor,
        "forbund_finansieringsar",
        ["forbund_id", "ar", "statlig_tilldelning", "ovriga_intakter", "kalla", "updated_at"],
    ) as fin:
        for forbund, size in zip(forbund_list, sizes, strict=True):
            base = 400_000 + size * 40
            for ar in years:
                fin.write((forbund.pk, ar, base + 10_000 * (ar - 2012), 10_000, "FK", stamp))
    budget_id = 0
    with Copier(
        cursor,
        "forbund_budget",
        ["id", "forbund_id", "uuid", "ar", "version", "status", "andringsorsak", "skapad"],
    ) as budget:
        budget_rows = []
        for forbund in forbund_list:
            for ar in years:
                budget_id += 1
                budget.write((budget_id, forbund.pk, _uuid(rng), ar, 1, "UTKAST", "", stamp))
                budget_rows.append((budget_id, forbund.pk))
    with Copier(cursor, "forbund_budgetrad", ["forbund_id", "budget_id", "post", "belopp"]) as rad:
        for bid, fid in budget_rows:
            for post, belopp in BUDGETPOSTER.items():
                rad.write((fid, bid, post, belopp))
    with Copier(
        cursor,
        "forbund_utfall",
        ["forbund_id", "uuid", "datum", "post", "belopp", "konto", "text", "importerad", "skapad"],
    ) as utfall:
        for forbund in forbund_list:
            for ar in years:
                for month in range(1, 13):
                    datum = dt.date(ar, month, 25)
                    if datum > DATA_END:
                        break
                    for post, yearly in BUDGETPOSTER.items():
                        amount = int(yearly / 12 * (0.9 + 0.2 * rng.random()))
                        utfall.write(
                            (forbund.pk, _uuid(rng), datum, post, amount, "", "bench", True, stamp)
                        )
        counts["utfall"] = utfall.count
    with (
        Copier(
            cursor,
            "insatser_insatsbudget",
            ["forbund_id", "insats_id", "ar", "belopp", "kommentar"],
        ) as ib,  # noqa: E501
    ):
        cost_rows = []
        for forbund in forbund_list:
            for plan in plans[forbund.pk]:
                yearly = rng.randint(300, 2_500) * 1_000
                for ar in range(plan.start.year, plan.end.year + 1):
                    ib.write((forbund.pk, plan.insats_id, ar, yearly, ""))
                    cost_rows.append((forbund.pk, plan, ar, yearly))
    with Copier(
        cursor, "insatser_insatskostnad", ["forbund_id", "insats_id", "ar", "manad", "belopp"]
    ) as kostnad:
        for fid, plan, ar, yearly in cost_rows:
            for month in range(1, 13):
                first = dt.date(ar, month, 1)
                if first < plan.start.replace(day=1) or first > plan.end:
                    continue
                kostnad.write((fid, plan.insats_id, ar, month, int(yearly / 12)))
        counts["insatskostnad"] = kostnad.count
    with Copier(
        cursor,
        "insatser_volym",
        ["forbund_id", "insats_id", "ar", "manad", "kvinnor", "man", "annat"],
    ) as volym:
        for insats in other_insatser:
            if insats.registreringsform != "VOLYM":
                continue
            for ar in years:
                for month in range(1, 13):
                    if dt.date(ar, month, 1) > DATA_END:
                        break
                    volym.write(
                        (
                            insats.forbund_id,
                            insats.pk,
                            ar,
                            month,
                            rng.randint(5, 30),
                            rng.randint(3, 25),
                            rng.randint(0, 2),
                        )
                    )
    return counts


# --- Validation ------------------------------------------------------------------------------

LOADED_TABLES = [
    "deltagare.Person",
    "deltagare.Samtycke",
    "deltagare.Deltagande",
    "deltagare.Forsorjning",
    "deltagare.Uppfoljning",
    "forbund.Befolkning",
    "forbund.Finansieringsar",
    "forbund.Budget",
    "forbund.Budgetrad",
    "forbund.Utfall",
    "insatser.Insatsbudget",
    "insatser.Insatskostnad",
    "insatser.Volym",
]


def validate() -> dict[str, int]:
    """What the triggers skipped during the load would have refused, counted set-wise: every
    count must be 0."""
    from django.apps import apps

    from deltagare.selectors import invariant_violations

    out: dict[str, int] = {}
    with connection.cursor() as cursor:
        for label in LOADED_TABLES:
            model = apps.get_model(label)
            fks = [f for f in model._meta.concrete_fields if f.is_relation]
            for f in fks:
                target = f.related_model._meta
                cursor.execute(
                    f"SELECT count(*) FROM {model._meta.db_table} c "  # noqa: S608
                    f"LEFT JOIN {target.db_table} p ON p.{target.pk.column} = c.{f.column} "
                    f"WHERE c.{f.column} IS NOT NULL AND p.{target.pk.column} IS NULL"
                )
                out[f"fk:{model._meta.db_table}.{f.column}"] = cursor.fetchone()[0]
        for m2m in ("deltagare_uppfoljning_forsorjning",):
            cursor.execute(
                f"SELECT count(*) FROM {m2m} t "  # noqa: S608
                "LEFT JOIN deltagare_uppfoljning u ON u.id = t.uppfoljning_id "
                "LEFT JOIN deltagare_forsorjningskalla k ON k.kod = t.forsorjningskalla_id "
                "WHERE u.id IS NULL OR k.kod IS NULL"
            )
            out[f"fk:{m2m}"] = cursor.fetchone()[0]
        # The consent trigger's full rule (the nightly check covers person/insats/withdrawal;
        # the trigger also wants the person under the insats's controller, in its förbund).
        cursor.execute(
            """
            SELECT count(*) FROM deltagare_deltagande d
              JOIN insatser_insats i ON i.id = d.insats_id
              LEFT JOIN deltagare_samtycke s ON s.id = d.samtycke_id
              LEFT JOIN deltagare_person p ON p.id = d.person_id
             WHERE d.person_id IS NOT NULL
               AND (s.id IS NULL OR s.person_id <> d.person_id OR s.insats_id <> d.insats_id
                    OR s.aterkallad IS NOT NULL OR p.medlem_id <> i.personuppgiftsansvarig_id
                    OR i.forbund_id <> d.forbund_id)
            """
        )
        out["samtycke_trigger_regel"] = cursor.fetchone()[0]
        cursor.execute(
            """
            SELECT count(*) FROM deltagare_forsorjning f
              JOIN deltagare_deltagande d ON d.id = f.deltagande_id
             WHERE f.forbund_id <> d.forbund_id OR f.insats_id <> d.insats_id
                OR f.inskrivning <> d.inskrivning
                OR f.utskrivning IS DISTINCT FROM d.utskrivning
            """
        )
        out["forsorjning_kopia_av_deltagande"] = cursor.fetchone()[0]
    out.update(invariant_violations())
    return out


def _set_sequences(ids: Ids) -> None:
    with connection.cursor() as cursor:
        for label in LOADED_TABLES + ["deltagare.Lopnummer"]:
            from django.apps import apps

            table = apps.get_model(label)._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)"
            )
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('deltagare_uppfoljning_forsorjning', 'id'), "
            "COALESCE((SELECT max(id) FROM deltagare_uppfoljning_forsorjning), 0) + 1, false)"
        )


def checksum() -> str:
    """A digest of the generated content that does not depend on ids or encryption noise
    (the determinism check): participations, their sources and follow-ups, by number."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT md5(string_agg(concat_ws('|', f.namn, i.kod, d.nummer, d.uuid, d.kon_id,
                       d.fodelsear, d.inskrivning, d.utskrivning, d.avslutsorsak_id,
                       d.sysselsattning_fore_id, d.sysselsattning_efter_id, p.personnummer_hash,
                       (SELECT string_agg(skede || kalla_id, ',' ORDER BY skede, kalla_id)
                          FROM deltagare_forsorjning x WHERE x.deltagande_id = d.id),
                       (SELECT string_agg(punkt || ':' || nadd, ',' ORDER BY punkt)
                          FROM deltagare_uppfoljning u WHERE u.deltagande_id = d.id)),
                   ';' ORDER BY f.namn, d.nummer))
              FROM deltagare_deltagande d
              JOIN forbund_forbund f ON f.id = d.forbund_id
              JOIN insatser_insats i ON i.id = d.insats_id
              LEFT JOIN deltagare_person p ON p.id = d.person_id
            """
        )
        return cursor.fetchone()[0]


# --- The whole run ---------------------------------------------------------------------------


def generate(params: Params, *, log=print) -> Result:
    """Empty the bench tables and generate everything for ``params`` (one transaction)."""
    from bench.accounts import ensure_users
    from bench.models import BenchStamp

    t0 = time.perf_counter()
    rng = random.Random(params.seed)  # noqa: S311 - bench data, not security
    sizes = params.sizes()
    result = Result(params=asdict(params))
    with transaction.atomic():
        reset()
        forbund_list, medlemmar = _create_forbund(rng, sizes)
        plans, other = _create_insatser(rng, forbund_list, medlemmar, sizes)
        log(f"{len(forbund_list)} förbund, {sum(len(p) for p in plans.values())} PERSON-insatser")
        ids = Ids()
        raw = connection.connection
        with raw.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            recreate = drop_indexes(cursor)
            result.counts.update(
                _write_money(cursor, rng, forbund_list, medlemmar, plans, other, sizes)
            )
            writer = ParticipationWriter(cursor, rng, ids)
            for k, (forbund, size) in enumerate(zip(forbund_list, sizes, strict=True)):
                writer.write_forbund(forbund, plans[forbund.pk], size)
                if k % 12 == 0 or k == len(forbund_list) - 1:
                    done = sum(sizes[: k + 1])
                    log(f"  {done:>9,} deltaganden ({time.perf_counter() - t0:.0f} s)")
            with Copier(cursor, "deltagare_lopnummer", ["forbund_id", "ar", "senaste"]) as lop:
                for row in writer.lopnummer:
                    lop.write(row)
            log(f"  index och unika villkor ({time.perf_counter() - t0:.0f} s)")
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for statement in recreate:
                cursor.execute(statement)
            log(f"  ordnar raderna i tidsordning ({time.perf_counter() - t0:.0f} s)")
            in_time_order(cursor)
            cursor.execute("SET LOCAL session_replication_role = origin")
        result.counts.update(writer.counts)
        _set_sequences(ids)
        f1 = forbund_list[0]
        employer = next(m for m in medlemmar[f1.pk] if m.typ == "KOMMUN")
        ensure_users(forbund=f1, medlem=employer)
        log(f"  validerar ({time.perf_counter() - t0:.0f} s)")
        result.violations = validate()
        bad = {k: v for k, v in result.violations.items() if v}
        if bad:
            raise RuntimeError(f"Bench data breaks invariants: {bad}")
        result.forbund_ids = [f.pk for f in forbund_list]
        result.seconds = round(time.perf_counter() - t0, 1)
        BenchStamp.objects.create(
            version=GENERATOR_VERSION,
            params=result.params,
            counts=result.counts,
            forbund_ids=result.forbund_ids,
            seconds=result.seconds,
        )
    with connection.cursor() as cursor:
        # The visibility map and statistics a database that autovacuum looks after has (VACUUM
        # cannot run in a transaction: a test's generated data only gets the statistics).
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
    result.seconds = round(time.perf_counter() - t0, 1)
    return result


# Each table's rows in the order production writes them: registered over the years, every
# förbund's interleaved. Written förbund by förbund, a förbund's rows would lie together on
# disk, which no real database has and which makes the planner prefer a plain scan of the
# förbund index over the period indexes.
TIME_ORDER = [
    ("deltagare_deltagande", "inskrivning, id"),
    ("deltagare_forsorjning", "inskrivning, deltagande_id"),
    ("deltagare_uppfoljning", "registrerad, id"),
]


def in_time_order(cursor) -> None:
    for table, columns in TIME_ORDER:
        cursor.execute(f"CREATE INDEX bench_tidsordning ON {table} ({columns})")
        cursor.execute(f"CLUSTER {table} USING bench_tidsordning")
        cursor.execute("DROP INDEX bench_tidsordning")


def stamp_matches(params: Params, *, pristine: bool = False):
    """The stamp of the data in the database when it was generated with ``params`` by this
    generator version, else None (missing or outdated: generate again). ``pristine``: also
    None when benchmark runs have registered participations since."""
    from django.db.utils import ProgrammingError

    from bench.models import BenchStamp

    try:
        stamp = BenchStamp.objects.order_by("-pk").first()
    except ProgrammingError:
        return None
    if stamp is None or stamp.version != GENERATOR_VERSION or stamp.params != asdict(params):
        return None
    if pristine and runs_registrations():
        return None
    return stamp


# Sections 3 and 4 register participations today, after the generated data's last day (a run
# adds about a thousand). They land in the parts the exact caches recount after a
# registration, so each run would start a little slower than the one before: those sections
# start from the data as generated (``stamp_matches(..., pristine=True)``).


def runs_registrations() -> int:
    """Participations the benchmark runs have registered since the data was generated."""
    from deltagare.models import Deltagande

    return Deltagande.objects.filter(inskrivning__gt=DATA_END).count()
