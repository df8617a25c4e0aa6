"""Excel export of participations for the insats's own staff (issue 5).

Participation numbers and categories only; identity columns only when asked for, and then each
identified row is logged as an export read. Codes are written as their Swedish labels and codes.
"""

from __future__ import annotations

import io

from django.db import transaction
from django.db.models import QuerySet
from openpyxl import Workbook

from .kodlistor import ALDERSGRUPP_LABELS
from .models import Atkomst, Deltagande, Skede

HEADERS = [
    "nummer",
    "insats",
    "identifierad",
    "kon",
    "fodelsear",
    "aldersgrupp",
    "inskrivning",
    "utskrivning",
    "utbildning",
    "anvisande_part",
    "tid_offentlig_forsorjning",
    "sysselsattning_fore",
    "forsorjning_fore",
    "avslutsorsak",
    "sysselsattning_efter",
    "forsorjning_efter",
]


def _cell_text(value: str) -> str:
    """A name starting with = + - @ would be run as a formula by spreadsheet programs
    (Excel/CSV injection): quote it."""
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


def deltaganden_xlsx(
    *, qs: QuerySet[Deltagande], with_identity: bool, user, begaran: str = ""
) -> bytes:
    from .services import atkomstlogg_write

    rows = list(
        qs.select_related("insats__forbund", "person")
        .prefetch_related("forsorjning")
        .order_by("nummer")
    )
    wb = Workbook()
    ws = wb.active
    ws.title = "Deltaganden"
    ws.append(HEADERS + (["personnummer", "namn"] if with_identity else []))
    with transaction.atomic():
        for d in rows:
            fore = sorted(f.kalla_id for f in d.forsorjning.all() if f.skede == Skede.FORE)
            efter = sorted(f.kalla_id for f in d.forsorjning.all() if f.skede == Skede.EFTER)
            line = [
                d.nummer,
                d.insats.kod,
                "ja" if d.is_identified else "nej",
                d.kon_id,
                d.fodelsear,
                ALDERSGRUPP_LABELS[d.aldersgrupp],
                d.inskrivning,
                d.utskrivning,
                d.utbildning_id or "",
                d.anvisande_part_id or "",
                d.tid_offentlig_forsorjning_id or "",
                d.sysselsattning_fore_id or "",
                ";".join(fore),
                d.avslutsorsak_id or "",
                d.sysselsattning_efter_id or "",
                ";".join(efter),
            ]
            if with_identity:
                if d.is_identified:
                    line += [d.person.personnummer_display, _cell_text(d.person.namn)]
                    atkomstlogg_write(
                        user=user,
                        forbund=d.insats.forbund,
                        vad=Atkomst.EXPORT,
                        deltagande=d,
                        begaran=begaran,
                    )
                else:
                    line += ["", ""]
            ws.append(line)
    for cell in ws["G"] + ws["H"]:
        cell.number_format = "yyyy-mm-dd"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
