import pytest

from forbund import services
from forbund.models import Befolkning
from tests.factories import kommun

pytestmark = pytest.mark.django_db

HEADER = '"region";"ålder";"år";"Folkmängd"\n'


def _long(rows, header=HEADER):
    return header + "".join(f'"{r}";"{a} år";"{y}";{n}\n' for r, a, y, n in rows)


def _all_ages(region, year, each=100):
    return [(region, age, year, each) for age in range(16, 65)]


def test_scb_long_format_sums_ages_16_to_64(forbund):
    text = _long(_all_ages("2083 Hedemora", 2024) + [("2083 Hedemora", 15, 2024, 999)])
    result = services.befolkning_import(forbund=forbund, data=text.encode("utf-8"))
    assert result.ok, result.errors
    row = Befolkning.objects.get(forbund=forbund, kommun__kod="2083", ar=2024)
    assert row.antal == 49 * 100  # 15-year-olds are not counted
    assert row.kalla == "SCB"


def test_scb_latin1_file_with_title_line_and_names_is_read(forbund):
    text = "Folkmängd efter region, ålder och år\n\n" + _long(_all_ages("Säter", 2023, 10))
    result = services.befolkning_import(forbund=forbund, data=text.encode("latin-1"))
    assert result.ok, (result.file_error, result.errors)
    assert Befolkning.objects.get(forbund=forbund, kommun__kod="2082", ar=2023).antal == 490


def test_scb_wide_format_with_year_columns_and_kon(forbund):
    lines = ['"region","ålder","kön","2023","2024"']
    for sex in ("män", "kvinnor"):
        for age in range(16, 65):
            lines.append(f'"2083 Hedemora","{age} år","{sex}",10,11')
    result = services.befolkning_import(forbund=forbund, data="\n".join(lines).encode())
    assert result.ok, result.errors
    values = dict(
        Befolkning.objects.filter(forbund=forbund).values_list("ar", "antal").order_by("ar")
    )
    assert values == {2023: 49 * 20, 2024: 49 * 22}


def test_scb_ready_16_64_row_is_used_as_is(forbund):
    text = '"region";"ålder";"år";"antal"\n"2082 Säter";"16-64 år";"2024";"6 123"\n'
    result = services.befolkning_import(forbund=forbund, data=text.encode())
    assert result.ok, result.errors
    assert Befolkning.objects.get(forbund=forbund, kommun__kod="2082", ar=2024).antal == 6123


def test_scb_import_with_one_bad_row_saves_nothing_and_names_the_row(forbund):
    rows = _all_ages("2083 Hedemora", 2024)
    rows[4] = ("2083 Hedemora", 20, 2024, "..")
    result = services.befolkning_import(forbund=forbund, data=_long(rows).encode())
    assert not result.ok
    assert [e.rad for e in result.errors] == [6]
    assert "Rad 6" in str(result.errors[0])
    assert not Befolkning.objects.exists()


def test_scb_import_refuses_kommun_outside_the_forbund(forbund):
    result = services.befolkning_import(
        forbund=forbund, data=_long(_all_ages("2084 Avesta", 2024)).encode()
    )
    assert not result.ok
    assert "inte medlem" in str(result.errors[0])
    assert not Befolkning.objects.exists()


def test_scb_import_reports_unknown_kommun_and_missing_ages(forbund):
    rows = _all_ages("2083 Hedemora", 2024)[:-1] + [("Ingenstans", 30, 2024, 5)]
    result = services.befolkning_import(forbund=forbund, data=_long(rows).encode())
    texts = " ".join(str(e) for e in result.errors)
    assert "okänd kommun" in texts
    assert "saknas" in texts


@pytest.mark.parametrize(
    "data",
    [b"", b"\x00\x01\x02 binary", b"bara en kolumn\n1\n", b'"region";"x"\n"2083";"1"\n'],
)
def test_unreadable_files_give_a_file_error(forbund, data):
    result = services.befolkning_import(forbund=forbund, data=data)
    assert result.file_error
    assert not Befolkning.objects.exists()


def test_import_replaces_existing_figure(forbund):
    Befolkning.objects.create(forbund=forbund, kommun=kommun("2083"), ar=2024, antal=1)
    services.befolkning_import(forbund=forbund, data=_long(_all_ages("2083", 2024, 2)).encode())
    assert Befolkning.objects.get(forbund=forbund, kommun__kod="2083", ar=2024).antal == 98


def test_import_page_shows_row_errors_then_accepts_good_file(forbund, chef, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(chef)
    rows = _all_ages("2083 Hedemora", 2024)
    bad = rows[:3] + [("2083 Hedemora", 19, 2024, "tolv")] + rows[4:]
    response = client.post(
        "/forbund/befolkning/import/",
        {"fil": SimpleUploadedFile("scb.csv", _long(bad).encode("latin-1"))},
    )
    assert response.status_code == 400
    assert "Rad 5" in response.text
    assert "Inget har sparats" in response.text
    assert not Befolkning.objects.exists()
    response = client.post(
        "/forbund/befolkning/import/",
        {"fil": SimpleUploadedFile("scb.csv", _long(rows).encode("latin-1"))},
    )
    assert response.status_code == 302
    assert Befolkning.objects.get(kommun__kod="2083").antal == 4900


def test_manual_population_entry_and_validation(forbund, chef, login):
    client = login(chef)
    assert (
        client.post(
            "/forbund/befolkning/", {"kommun": "2083", "ar": "2024", "antal": "-5"}
        ).status_code
        == 400
    )
    assert (
        client.post(
            "/forbund/befolkning/", {"kommun": "2084", "ar": "2024", "antal": "5"}
        ).status_code
        == 400
    )
    assert (
        client.post(
            "/forbund/befolkning/", {"kommun": "2083", "ar": "2024", "antal": "5100"}
        ).status_code
        == 302
    )
    assert Befolkning.objects.get().antal == 5100


def test_styrelse_may_read_population_but_not_write(forbund, styrelse, login):
    client = login(styrelse)
    assert client.get("/forbund/befolkning/").status_code == 200
    response = client.post("/forbund/befolkning/", {"kommun": "2083", "ar": "2024", "antal": "5"})
    assert response.status_code == 403
    assert not Befolkning.objects.exists()


def test_population_page_runs_constant_queries(forbund, chef, login, django_assert_max_num_queries):
    for year in range(2015, 2026):
        for kod in ("2083", "2082"):
            Befolkning.objects.create(forbund=forbund, kommun=kommun(kod), ar=year, antal=year)
    client = login(chef)
    with django_assert_max_num_queries(10):
        response = client.get("/forbund/befolkning/")
    assert response.text.count('<td class="num">2') >= 22


def test_scb_wide_format_with_named_year_columns(forbund):
    lines = ['"region","ålder","Folkmängd 2023","Folkmängd 2024"']
    lines += [f'"2082 Säter","{age} år",3,4' for age in range(16, 65)]
    result = services.befolkning_import(forbund=forbund, data="\n".join(lines).encode())
    assert result.ok, (result.file_error, result.errors)
    values = dict(Befolkning.objects.filter(forbund=forbund).values_list("ar", "antal"))
    assert values == {2023: 49 * 3, 2024: 49 * 4}
