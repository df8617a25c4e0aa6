"""Excel export of the insats list (openpyxl), with the list's filters applied."""

from __future__ import annotations

import io
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .models import Inriktning, Insats


def _cell_text(value: str) -> str:
    # A cell starting with = + - @ would be run as a formula by spreadsheet programs.
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


def insatser_workbook(insats_list: Iterable[Insats], *, money_year: int) -> bytes:
    """One sheet, one row per insats: the facts a förbundschef filters on and the year's money.
    Expects the queryset from ``selectors.insats_list`` (annotated budget, cost and
    huvudman names)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Insatser"
    header = [
        "Kod",
        "Namn",
        "Status",
        "Kategori",
        "Inriktning",
        "Registreringsform",
        "Huvudman/utförare",
        "Personuppgiftsansvarig",
        "Startdatum",
        "Planerat slutdatum",
        "Faktiskt slutdatum",
        "Planerat antal deltagare",
        f"Budget {money_year} (kr)",
        f"Utfall {money_year} (kr)",
    ]
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for insats in insats_list:
        ws.append(
            [
                _cell_text(insats.kod),
                _cell_text(insats.namn),
                insats.get_status_display(),
                insats.kategori.namn if insats.kategori_id else "",
                str(Inriktning(insats.kategori.inriktning).label) if insats.kategori_id else "",
                insats.get_registreringsform_display(),
                _cell_text(", ".join(insats.huvudman_namn)),
                insats.personuppgiftsansvarig.namn if insats.personuppgiftsansvarig_id else "",
                insats.startdatum,
                insats.planerat_slutdatum,
                insats.slutdatum,
                insats.planerade_deltagare,
                int(insats.budget_ar),
                int(insats.utfall_ar),
            ]
        )
    for i, width in enumerate([12, 40, 14, 28, 18, 24, 36, 28, 12, 12, 12, 10, 14, 14], start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for row in ws.iter_rows(min_row=2, min_col=9, max_col=11):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    for row in ws.iter_rows(min_row=2, min_col=13, max_col=14):
        for cell in row:
            cell.number_format = "#,##0"
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
