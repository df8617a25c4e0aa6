"""Import of participations from CSV or Excel, exactly as design section 7.

One code path for the browser and ``manage.py deltagare_import``: read the file, validate every
row (errors by row and column, in Swedish), then import all rows in one transaction or none. A
dry-run does the whole import and rolls it back, so it finds everything a real run would.

Error messages never repeat the ``deltagare`` column: it may hold a personnummer.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from . import services
from .kodlistor import (
    ANVISANDE_PART,
    AVSLUTSORSAK,
    FORSORJNINGSKALLA,
    KON,
    SYSSELSATTNING,
    TID_OFFENTLIG_FORSORJNING,
    UTBILDNINGSNIVA,
)
from .models import Samtyckessatt
from .personnummer import PersonnummerError, looks_like_personnummer, parse

logger = logging.getLogger(__name__)

COLUMNS = [
    "insats",
    "deltagare",
    "samtycke",
    "skyddad",
    "kon",
    "fodelsear",
    "inskrivning",
    "utskrivning",
    "utbildning",
    "anvisande_part",
    "tid_offentlig_forsorjning",
    "sysselsattning_fore",
    "forsorjning_fore",
    "forsorjning_efter",
    "sysselsattning_efter",
    "avslutsorsak",
]
ANONYMOUS_ALLOWED = {"insats", "deltagare", "samtycke", "skyddad", "kon", "fodelsear"}
ANONYMOUS_ALLOWED |= {"inskrivning", "utskrivning"}
START_CODES = {
    "utbildning": {k for k, _n in UTBILDNINGSNIVA},
    "anvisande_part": {k for k, _n in ANVISANDE_PART},
    "tid_offentlig_forsorjning": {k for k, _n in TID_OFFENTLIG_FORSORJNING},
    "sysselsattning_fore": {k for k, _n, _a in SYSSELSATTNING},
}
END_CODES = {
    "avslutsorsak": {k for k, _n in AVSLUTSORSAK if k != "FEL"},
    "sysselsattning_efter": {k for k, _n, _a in SYSSELSATTNING},
}
KALLOR = {k for k, _n, _o in FORSORJNINGSKALLA}
KONSKODER = {k for k, _n in KON}
MAX_ROWS = 20000
EXTRA = "__fler_celler__"
MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class RadFel:
    rad: int
    kolumn: str
    fel: str


@dataclass
class ImportResult:
    errors: list[RadFel] = field(default_factory=list)
    rows: int = 0
    identified: int = 0
    anonymous: int = 0
    imported: int = 0
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


class FileProblem(Exception):
    pass


# --- Reading -------------------------------------------------------------------------------


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(content: bytes, filename: str) -> list[tuple[int, dict[str, str]]]:
    """(row number as in the spreadsheet, values by header) for every non-empty row."""
    if len(content) > MAX_BYTES:
        raise FileProblem("Filen är större än 10 MB.")
    name = filename.lower()
    if name.endswith(".xlsx"):
        table = _read_xlsx(content)
    elif name.endswith(".csv") or name.endswith(".txt"):
        table = _read_csv(content)
    else:
        raise FileProblem("Filen ska vara en CSV-fil (.csv) eller en Excel-fil (.xlsx).")
    if not table:
        raise FileProblem("Filen är tom.")
    header = [_cell(h).lower() for h in table[0]]
    missing = [c for c in COLUMNS if c not in header]
    unknown = [h for h in header if h and h not in COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append("kolumner saknas: " + ", ".join(missing))
        if unknown:
            parts.append("okända kolumner: " + ", ".join(unknown[:10]))
        raise FileProblem("Rubrikraden stämmer inte (" + "; ".join(parts) + ").")
    if len(set(header) - {""}) != len([h for h in header if h]):
        raise FileProblem("Rubrikraden har samma kolumn flera gånger.")
    rows = []
    for number, raw in enumerate(table[1:], start=2):
        values = {h: _cell(raw[i]) if i < len(raw) else "" for i, h in enumerate(header) if h}
        extra = any(_cell(cell) for cell in raw[len(header) :])
        if extra:
            values[EXTRA] = "1"
        if any(values.values()):
            rows.append((number, values))
    if len(rows) > MAX_ROWS:
        raise FileProblem(f"Filen har fler än {MAX_ROWS} rader; dela upp den.")
    if not rows:
        raise FileProblem("Filen har inga rader med deltaganden.")
    return rows


def _read_csv(content: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes nearly everything
        raise FileProblem("Filen går inte att läsa som text (UTF-8 eller Windows-1252).")
    if "\x00" in text:
        raise FileProblem("Filen är inte en textfil.")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise FileProblem("CSV-filen har ett fel i formatet (t.ex. ett citattecken).") from None


def _read_xlsx(content: bytes) -> list[list]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        ws = wb.worksheets[0]
        return [list(row) for row in ws.iter_rows(values_only=True)]
    except Exception:  # noqa: BLE001 - any unreadable workbook gets the same answer
        raise FileProblem("Excel-filen går inte att läsa (spara den som .xlsx).") from None


# --- Validation ----------------------------------------------------------------------------


@dataclass
class ParsedRow:
    rad: int
    insats: object
    identified: bool
    kon: str
    fodelsear: int | None
    inskrivning: dt.date
    utskrivning: dt.date | None
    personnummer: str | None = None
    start: services.StartUppgifter | None = None
    avslutsorsak: str | None = None
    sysselsattning_efter: str | None = None
    forsorjning_efter: list[str] = field(default_factory=list)


_DIGITS = re.compile(r"\d{6}")


def _safe(value: str) -> str:
    """A cell value fit to repeat in an error: short, and never anything that could be (part
    of) a personnummer, whatever column it was typed in."""
    if _DIGITS.search(re.sub(r"\D", "", value)) or looks_like_personnummer(value):
        return "(värdet visas inte)"
    return value[:20]


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


def _codes_list(value: str) -> list[str]:
    return [part.strip().upper() for part in value.split(";") if part.strip()]


def validate(rows, *, insatser_by_kod: dict, today: dt.date) -> tuple[list[RadFel], list]:
    errors: list[RadFel] = []
    parsed: list[ParsedRow] = []
    for rad, v in rows:
        e = len(errors)

        def err(kolumn, fel, rad=rad):
            errors.append(RadFel(rad, kolumn, fel))

        if v.get(EXTRA):
            err(
                "",
                "Raden har fler värden än rubrikraden. Sätt citattecken runt koder som skiljs "
                'med semikolon, t.ex. "EKB;AKST".',
            )
            continue

        insats = insatser_by_kod.get(v["insats"].upper()) if v["insats"] else None
        if not v["insats"]:
            err("insats", "Ange insatsens kod.")
        elif insats is None:
            err(
                "insats",
                f"Insatsen {_safe(v['insats'])} finns inte bland dina insatser i förbundet.",
            )
        flags = {}
        for col in ("samtycke", "skyddad"):
            flags[col] = v[col].lower()
            if flags[col] not in ("ja", "nej"):
                err(col, "Ange ja eller nej.")
        identified = flags["samtycke"] == "ja" and flags["skyddad"] == "nej"
        kon = v["kon"].upper()
        if kon not in KONSKODER:
            err("kon", "Ange K, M eller X.")
        inskrivning = _date(v["inskrivning"])
        if inskrivning is None:
            err("inskrivning", "Ange datum som ÅÅÅÅ-MM-DD.")
        elif insats is not None:
            for problem in services.registration_problems(insats, inskrivning).values():
                err("inskrivning", problem)
        utskrivning = None
        if v["utskrivning"]:
            utskrivning = _date(v["utskrivning"])
            if utskrivning is None:
                err("utskrivning", "Ange datum som ÅÅÅÅ-MM-DD eller lämna tomt.")
            elif utskrivning > today:
                err("utskrivning", "Utskrivningen kan inte ligga i framtiden.")
            elif inskrivning and utskrivning < inskrivning:
                err("utskrivning", "Utskrivningen ligger före inskrivningen.")
        fodelsear = None
        if v["fodelsear"]:
            if v["fodelsear"].isdigit() and 1900 <= int(v["fodelsear"]) <= today.year:
                fodelsear = int(v["fodelsear"])
            else:
                err("fodelsear", f"Ange ett födelseår mellan 1900 och {today.year}.")
        pnr = None
        row = None
        if flags["samtycke"] in ("ja", "nej") and flags["skyddad"] in ("ja", "nej"):
            if identified:
                row, pnr = _validate_identified(v, err, fodelsear, utskrivning)
            else:
                _validate_anonymous(v, err)
                if fodelsear is None and not v["fodelsear"]:
                    err("fodelsear", "Ange födelseår.")
        if len(errors) == e:
            parsed.append(
                ParsedRow(
                    rad=rad,
                    insats=insats,
                    identified=identified,
                    kon=kon,
                    fodelsear=fodelsear if not identified else row["fodelsear"],
                    inskrivning=inskrivning,
                    utskrivning=utskrivning,
                    personnummer=pnr,
                    start=row["start"] if row else None,
                    avslutsorsak=row["avslutsorsak"] if row else None,
                    sysselsattning_efter=row["sysselsattning_efter"] if row else None,
                    forsorjning_efter=row["forsorjning_efter"] if row else [],
                )
            )
    errors.extend(_overlaps_in_file(parsed))
    return errors, parsed


def _validate_anonymous(v, err) -> None:
    if looks_like_personnummer(v["deltagare"]):
        err(
            "deltagare",
            "Ett personnummer får inte anges för en anonym rad (samtycke=nej eller skyddad=ja); "
            "använd en lokal referens.",
        )
    for col in COLUMNS:
        if col not in ANONYMOUS_ALLOWED and v[col]:
            err(col, "Ska vara tom: anonyma deltaganden har bara kön, födelseår och datum.")


def _validate_identified(v, err, fodelsear, utskrivning):
    pnr = None
    row = {
        "fodelsear": fodelsear,
        "start": None,
        "avslutsorsak": None,
        "sysselsattning_efter": None,
        "forsorjning_efter": [],
    }
    try:
        parsed = parse(v["deltagare"])
        pnr = parsed.normalised
        if fodelsear is not None and fodelsear != parsed.birth_year:
            err("fodelsear", "Födelseåret stämmer inte med personnumret.")
        row["fodelsear"] = parsed.birth_year
    except PersonnummerError as exc:
        err("deltagare", f"Personnummer krävs när samtycke=ja och skyddad=nej. {exc}")
    start = {}
    for col, allowed in START_CODES.items():
        code = v[col].upper()
        if not code:
            err(col, "Ange en kod (eller OKAND).")
        elif code not in allowed:
            err(col, f"Okänd kod. Giltiga koder: {', '.join(sorted(allowed))}.")
        start[col] = code
    fore = _codes_list(v["forsorjning_fore"])
    bad = [c for c in fore if c not in KALLOR]
    if not fore:
        err("forsorjning_fore", "Ange minst en kod (eller OKAND), flera skiljs med ;.")
    elif bad:
        err("forsorjning_fore", f"Okänd kod: {', '.join(_safe(b) for b in bad[:3])}.")
    row["start"] = services.StartUppgifter(forsorjning_fore=fore, **start)
    if utskrivning is None:
        for col in ("avslutsorsak", "sysselsattning_efter", "forsorjning_efter"):
            if v[col]:
                err(col, "Ska vara tom när utskrivning saknas.")
        return row, pnr
    for col, allowed in END_CODES.items():
        code = v[col].upper()
        if not code:
            err(col, "Krävs när utskrivning är ifylld (eller OKAND).")
        elif code not in allowed:
            err(col, f"Okänd kod. Giltiga koder: {', '.join(sorted(allowed))}.")
        row[col] = code
    efter = _codes_list(v["forsorjning_efter"])
    bad = [c for c in efter if c not in KALLOR]
    if not efter:
        err("forsorjning_efter", "Krävs när utskrivning är ifylld (minst en kod eller OKAND).")
    elif bad:
        err("forsorjning_efter", f"Okänd kod: {', '.join(_safe(b) for b in bad[:3])}.")
    row["forsorjning_efter"] = efter
    return row, pnr


def _overlaps_in_file(parsed: list[ParsedRow]) -> list[RadFel]:
    errors = []
    seen: dict[tuple, list[ParsedRow]] = {}
    for row in parsed:
        if not row.identified:
            continue
        key = (row.personnummer, row.insats.pk)
        for other in seen.get(key, []):
            end_a = row.utskrivning or dt.date.max
            end_b = other.utskrivning or dt.date.max
            if row.inskrivning <= end_b and other.inskrivning <= end_a:
                errors.append(
                    RadFel(
                        row.rad,
                        "inskrivning",
                        f"Samma person har ett överlappande deltagande i insatsen på rad "
                        f"{other.rad}.",
                    )
                )
                break
        seen.setdefault(key, []).append(row)
    return errors


# --- Import --------------------------------------------------------------------------------


def import_file(
    *, content: bytes, filename: str, forbund, user, insatser, dry_run: bool
) -> ImportResult:
    """Validate everything, then import all rows or none (design section 7)."""
    result = ImportResult(dry_run=dry_run)
    try:
        rows = read_rows(content, filename)
    except FileProblem as exc:
        result.errors.append(RadFel(1, "", str(exc)))
        return result
    result.rows = len(rows)
    by_kod = {i.kod.upper(): i for i in insatser}
    errors, parsed = validate(rows, insatser_by_kod=by_kod, today=services.today())
    result.errors = sorted(
        errors, key=lambda e: (e.rad, COLUMNS.index(e.kolumn) if e.kolumn in COLUMNS else 99)
    )
    if result.errors:
        return result
    result.identified = sum(1 for r in parsed if r.identified)
    result.anonymous = len(parsed) - result.identified
    try:
        with transaction.atomic():
            for row in parsed:
                _import_row(row, user=user)
            if dry_run:
                transaction.set_rollback(True)
    except _RowFailed as failed:
        result.errors = [failed.error]
        return result
    if not dry_run:
        result.imported = len(parsed)
        logger.info("import: %d deltaganden importerade", len(parsed))
    return result


class _RowFailed(Exception):
    def __init__(self, error: RadFel):
        self.error = error


def _import_row(row: ParsedRow, *, user) -> None:
    try:
        if row.identified:
            d = services.deltagande_register(
                insats=row.insats,
                user=user,
                kon=row.kon,
                inskrivning=row.inskrivning,
                personnummer=row.personnummer,
                samtycke=services.SamtyckeInput(
                    datum=row.inskrivning, satt=Samtyckessatt.IMPORT, blankettversion="import"
                ),
                start=row.start,
            ).deltagande
            if row.utskrivning:
                services.deltagande_end(
                    deltagande=d,
                    user=user,
                    utskrivning=row.utskrivning,
                    avslutsorsak=row.avslutsorsak,
                    sysselsattning_efter=row.sysselsattning_efter,
                    forsorjning_efter=row.forsorjning_efter,
                )
        else:
            d = services.deltagande_register(
                insats=row.insats,
                user=user,
                kon=row.kon,
                fodelsear=row.fodelsear,
                inskrivning=row.inskrivning,
            ).deltagande
            if row.utskrivning:
                services.deltagande_end(deltagande=d, user=user, utskrivning=row.utskrivning)
    except ValidationError as exc:
        field_name, messages = next(iter(exc.message_dict.items()))
        column = field_name if field_name in COLUMNS else ""
        raise _RowFailed(RadFel(row.rad, column, messages[0])) from None
