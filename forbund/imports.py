"""Reading the CSV files förbund bring: SCB's population tables and ledger extracts (utfall).

Parsing only: each reader returns the rows it understood and the errors by row, in Swedish; the
services decide and save all or nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000


class FilFel(ValueError):
    """The file as a whole cannot be read (message in Swedish)."""


@dataclass
class Radfel:
    rad: int
    text: str

    def __str__(self) -> str:
        return f"Rad {self.rad}: {self.text}"


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) or, failing that, Latin-1/Windows-1252 as SCB often serves."""
    if len(data) > MAX_BYTES:
        raise FilFel("Filen är för stor (högst 5 MB).")
    if b"\x00" in data[:4096]:
        raise FilFel("Filen ser inte ut att vara en textfil (CSV).")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.strip().strip('"').lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def read_rows(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the data rows with their line numbers; the delimiter is sniffed among
    ``;``, ``,`` and tab. SCB puts a title line or two above the header: lines before the first
    line with at least two delimiters are skipped."""
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise FilFel("Filen är tom.")
    sample = "\n".join(lines[:20])
    delimiter = max([";", ",", "\t"], key=sample.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    for number, row in enumerate(reader, start=1):
        if header is None:
            if len([c for c in row if c.strip()]) >= 2:
                header = row
            continue
        if not any(c.strip() for c in row):
            continue
        rows.append((number, row))
        if len(rows) > MAX_ROWS:
            raise FilFel(f"Filen har för många rader (högst {MAX_ROWS}).")
    if header is None:
        raise FilFel("Hittar ingen rubrikrad med kolumnnamn.")
    return header, rows


MAX_COUNT = 10_000_000  # more people than any kommun has: a wrong column, not a population
MAX_AMOUNT = Decimal(10) ** 12  # whole kronor the database columns hold with margin


def parse_int(text: str) -> int | None:
    cleaned = re.sub(r"[\s\u00a0]", "", text)
    if not re.fullmatch(r"\d{1,9}", cleaned):
        return None
    value = int(cleaned)
    return value if value <= MAX_COUNT else None


def parse_amount(text: str) -> Decimal | None:
    """Whole kronor from '12 345', '-1234,00' or '1234.50' (rounded half up); None if unreadable."""
    cleaned = re.sub(r"[\s\u00a0]", "", text).replace("kr", "")
    if re.fullmatch(r"-?\d+,\d+", cleaned):
        cleaned = cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not value.is_finite() or abs(value) >= MAX_AMOUNT:
        return None
    return value.quantize(Decimal(1), rounding="ROUND_HALF_UP")


def parse_date(text: str) -> dt.date | None:
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%Y%m%d", "%Y-%m"):
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    return None


# --- SCB population -------------------------------------------------------------------------

AGE_MIN, AGE_MAX = 16, 64


@dataclass
class Befolkningsrad:
    kommunkod: str
    ar: int
    antal: int
    rad: int


@dataclass
class BefolkningFil:
    rows: list[Befolkningsrad] = field(default_factory=list)
    errors: list[Radfel] = field(default_factory=list)
    ignored_ages: int = 0


_REGION_HEADERS = {"region", "kommun", "kommunkod", "kod", "kommunnamn"}
_AGE_HEADERS = {"alder", "aldersgrupp", "age"}
_YEAR_HEADERS = {"ar", "year", "tid"}
_COUNT_HEADERS = {"antal", "folkmangd", "befolkning", "count", "varde", "value"}
_SEX_HEADERS = {"kon", "sex"}


def _age_span(text: str) -> tuple[int, int] | None:
    """'16 år' → (16, 16); '16-64 år' or '16–64' → (16, 64); '100+ år' → (100, 100);
    'totalt ålder' and the like → None (not an age row)."""
    t = _norm(text).replace("ar", "").replace("\u2013", "-").strip()
    m = re.fullmatch(r"(\d{1,3})\s*\+?", t)
    if m:
        return int(m.group(1)), int(m.group(1))
    m = re.fullmatch(r"(\d{1,3})\s*-\s*(\d{1,3})", t)
    if m:
        return int(m.group(1)), int(m.group(2))
    return None


def parse_scb_population(data: bytes, *, kommun_by_code: dict, kommun_by_name: dict):
    """SCB's table "Folkmängd efter region, ålder och år" as CSV, long or wide.

    Long: columns region, ålder, år, antal. Wide (SCB's default download): region, ålder (and
    perhaps kön), then one column per year. The region is a kommunkod, a name, or both ("2083
    Hedemora"). Single ages 16–64 are summed per kommun and year; a ready "16-64 år" row is used
    as it is; other ages are ignored. Rows by kön are summed unless a "totalt" row exists.
    """
    out = BefolkningFil()
    header, rows = read_rows(decode(data))
    names = [_norm(h) for h in header]

    def find(options: set[str]) -> int | None:
        for i, name in enumerate(names):
            if name in options or any(name.startswith(o + " ") for o in options):
                return i
        return None

    i_region, i_age = find(_REGION_HEADERS), find(_AGE_HEADERS)
    i_year, i_count, i_sex = find(_YEAR_HEADERS), find(_COUNT_HEADERS), find(_SEX_HEADERS)
    # SCB names a year column "2024" or "Folkmängd 2024": such columns make the file wide.
    other = {i_region, i_age, i_sex} - {None}
    year_columns = [
        (i, int(re.search(r"\b(19|20)\d{2}\b", n).group()))
        for i, n in enumerate(names)
        if i not in other and re.search(r"\b(19|20)\d{2}\b", n)
    ]
    if i_region is None:
        raise FilFel("Kolumnen för region/kommun saknas (t.ex. 'region').")
    if i_age is None:
        raise FilFel("Kolumnen 'ålder' saknas.")
    if not year_columns and (i_year is None or i_count is None):
        raise FilFel("Hittar varken kolumnerna 'år' och 'antal' eller en kolumn per år.")

    # (kommun, år) → {"single": {age: n}, "span": n}, summed over kön
    acc: dict[tuple[str, int], dict] = {}
    first_row: dict[tuple[str, int], int] = {}
    bad_keys: set[tuple[str, int]] = set()  # already reported: no follow-on "ages missing"
    for number, row in rows:
        cells = row + [""] * (len(header) - len(row))
        region = cells[i_region].strip()
        code_match = re.match(r"^(\d{4})\b", region)
        kommun = None
        if code_match:
            kommun = kommun_by_code.get(code_match.group(1))
        else:
            kommun = kommun_by_name.get(_norm(region).removesuffix(" kommun"))
        if kommun is None:
            out.errors.append(Radfel(number, f"okänd kommun ”{region}”."))
            continue
        span = _age_span(cells[i_age])
        if span is None:
            if "totalt" in _norm(cells[i_age]):
                out.ignored_ages += 1
                continue
            out.errors.append(Radfel(number, f"okänd ålder ”{cells[i_age].strip()}”."))
            continue
        lo, hi = span
        if not (lo == AGE_MIN and hi == AGE_MAX) and (lo != hi or not AGE_MIN <= lo <= AGE_MAX):
            out.ignored_ages += 1
            continue
        sex = _norm(cells[i_sex]) if i_sex is not None else "totalt"
        pairs = (
            [(y, cells[i]) for i, y in year_columns]
            if year_columns
            else [(parse_int(cells[i_year]) or 0, cells[i_count])]
        )
        for year, raw in pairs:
            if not 1990 <= year <= 2100:
                out.errors.append(Radfel(number, f"ogiltigt år ”{cells[i_year].strip()}”."))
                continue
            count = parse_int(raw)
            if count is None:
                out.errors.append(Radfel(number, f"antalet ”{raw.strip()}” är inte ett heltal."))
                bad_keys.add((kommun.kod, year))
                continue
            key = (kommun.kod, year)
            first_row.setdefault(key, number)
            entry = acc.setdefault(key, {"single": {}, "span": {}, "total": {}})
            bucket = "span" if lo != hi else "single"
            slot = (sex, lo)
            if "totalt" in sex or "bada" in sex:
                entry["total"][(bucket, lo)] = entry["total"].get((bucket, lo), 0) + count
            else:
                if slot in entry[bucket]:
                    out.errors.append(Radfel(number, "raden förekommer två gånger."))
                    bad_keys.add(key)
                    continue
                entry[bucket][slot] = count
    for (kod, year), entry in acc.items():
        if (kod, year) in bad_keys:
            continue
        number = first_row[(kod, year)]
        if entry["total"]:
            bucket = "span" if any(b == "span" for b, _ in entry["total"]) else "single"
            values = {lo: n for (b, lo), n in entry["total"].items() if b == bucket}
        else:
            bucket = "span" if entry["span"] else "single"
            values = {}
            for (_sex, lo), n in entry[bucket].items():
                values[lo] = values.get(lo, 0) + n
        if bucket == "single" and len(values) != AGE_MAX - AGE_MIN + 1:
            missing = AGE_MAX - AGE_MIN + 1 - len(values)
            out.errors.append(
                Radfel(number, f"{kod} år {year}: {missing} av åldrarna 16–64 saknas i filen.")
            )
            continue
        out.rows.append(Befolkningsrad(kod, year, sum(values.values()), number))
    out.rows.sort(key=lambda r: (r.ar, r.kommunkod))
    return out


# --- ledger extract (utfall) ----------------------------------------------------------------


@dataclass
class Utfallsrad:
    rad: int
    datum: dt.date
    nyckel: str  # an account number or a budget line (code or label)
    belopp: Decimal
    text: str


_DATE_HEADERS = {"datum", "date", "bokforingsdatum", "verifikationsdatum"}
_KEY_HEADERS = {"konto", "account", "post", "budgetpost", "rad"}
_AMOUNT_HEADERS = {"belopp", "amount", "summa", "kostnad"}
_TEXT_HEADERS = {"text", "beskrivning", "description", "verifikationstext"}


def parse_utfall(data: bytes) -> tuple[list[Utfallsrad], list[Radfel]]:
    """A CSV with date, account or budget line, and amount (and optionally a text)."""
    header, rows = read_rows(decode(data))
    names = [_norm(h) for h in header]

    def find(options: set[str]) -> int | None:
        return next((i for i, n in enumerate(names) if n in options), None)

    i_date, i_key, i_amount, i_text = (
        find(_DATE_HEADERS),
        find(_KEY_HEADERS),
        find(_AMOUNT_HEADERS),
        find(_TEXT_HEADERS),
    )
    missing = [
        label
        for label, index in (("datum", i_date), ("konto eller post", i_key), ("belopp", i_amount))
        if index is None
    ]
    if missing:
        raise FilFel("Kolumner saknas: " + ", ".join(missing) + ".")
    out: list[Utfallsrad] = []
    errors: list[Radfel] = []
    for number, row in rows:
        cells = row + [""] * (len(header) - len(row))
        datum = parse_date(cells[i_date])
        belopp = parse_amount(cells[i_amount])
        key = cells[i_key].strip()
        if datum is None:
            errors.append(
                Radfel(number, f"datumet ”{cells[i_date].strip()}” ska skrivas ÅÅÅÅ-MM-DD.")
            )
            continue
        if belopp is None:
            errors.append(Radfel(number, f"beloppet ”{cells[i_amount].strip()}” är inte ett tal."))
            continue
        if not key:
            errors.append(Radfel(number, "konto eller budgetpost saknas."))
            continue
        text = cells[i_text].strip()[:200] if i_text is not None else ""
        out.append(Utfallsrad(number, datum, key, belopp, text))
    return out, errors


def normalise_key(text: str) -> str:
    return _norm(text)
