"""Insats budgets, monthly costs, CSV import and the roll-up to the förbund budget."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from forbund.extensions import insats_budget_total, insats_costs_by_month
from insatser import services
from insatser.models import Insatsbudget, Insatskostnad
from insatser.selectors import budget_chart, insats_budget_years
from tests.insatser.factories import full_insats, volym_insats

pytestmark = pytest.mark.django_db


def test_forbund_budget_insats_line_is_sum_of_insats_budgets_of_the_year(
    forbund, other_forbund, chef
):
    a = full_insats(forbund, user=chef)
    b = volym_insats(forbund, user=chef)
    foreign = full_insats(other_forbund, user=chef)
    services.budget_set(insats=a, user=chef, ar=2026, belopp=Decimal(500_000))
    services.budget_set(insats=b, user=chef, ar=2026, belopp=Decimal(120_000))
    services.budget_set(insats=b, user=chef, ar=2025, belopp=Decimal(99_000))
    services.budget_set(insats=foreign, user=chef, ar=2026, belopp=Decimal(1_000_000))
    # External co-financing is not the förbund's money and does not count.
    services.medfinansiering_set(
        insats=a, user=chef, finansiar="ESF+", ar=2026, belopp=Decimal(800_000)
    )
    assert insats_budget_total(forbund=forbund, year=2026) == Decimal(620_000)
    assert insats_budget_total(forbund=forbund, year=2025) == Decimal(99_000)
    assert insats_budget_total(forbund=forbund, year=2024) == Decimal(0)


def test_forbund_costs_by_month_sum_every_insats(forbund, other_forbund, chef):
    a = full_insats(forbund, user=chef)
    b = volym_insats(forbund, user=chef)
    foreign = full_insats(other_forbund, user=chef)
    services.kostnader_set_year(
        insats=a, user=chef, ar=2026, belopp_by_month={1: Decimal(100), 2: Decimal(200)}
    )
    services.kostnader_set_year(insats=b, user=chef, ar=2026, belopp_by_month={1: Decimal(5)})
    services.kostnader_set_year(
        insats=foreign, user=chef, ar=2026, belopp_by_month={1: Decimal(9999)}
    )
    assert insats_costs_by_month(forbund=forbund, year=2026) == {
        1: Decimal(105),
        2: Decimal(200),
    }


def test_budget_change_is_recorded_in_history(forbund, chef):
    insats = full_insats(forbund, user=chef)
    services.budget_set(insats=insats, user=chef, ar=2026, belopp=Decimal(100_000))
    services.budget_set(insats=insats, user=chef, ar=2026, belopp=Decimal(120_000))
    entry = insats.handelser.filter(falt="Budget 2026").order_by("-id").first()
    assert (entry.gammalt, entry.nytt) == ("100\u00a0000 kr", "120\u00a0000 kr")
    assert Insatsbudget.objects.get(insats=insats, ar=2026).belopp == 120_000


def test_negative_budget_is_refused(forbund, chef):
    insats = full_insats(forbund, user=chef)
    with pytest.raises(ValidationError):
        services.budget_set(insats=insats, user=chef, ar=2026, belopp=Decimal(-1))
    assert not Insatsbudget.objects.exists()


def test_cost_grid_sets_changes_and_removes_months(forbund, chef):
    insats = full_insats(forbund, user=chef)
    services.kostnader_set_year(
        insats=insats, user=chef, ar=2026, belopp_by_month={1: Decimal(10), 2: Decimal(20)}
    )
    changed = services.kostnader_set_year(
        insats=insats, user=chef, ar=2026, belopp_by_month={1: Decimal(10), 3: Decimal(30)}
    )
    assert changed == 2  # February removed, March added
    rows = dict(Insatskostnad.objects.filter(insats=insats).values_list("manad", "belopp"))
    assert rows == {1: Decimal(10), 3: Decimal(30)}


def test_budget_years_combine_budget_costs_and_external_money(forbund, chef):
    insats = full_insats(forbund, user=chef)
    services.budget_set(insats=insats, user=chef, ar=2025, belopp=Decimal(1200))
    services.kostnader_set_year(
        insats=insats, user=chef, ar=2025, belopp_by_month={m: Decimal(150) for m in range(1, 9)}
    )
    services.medfinansiering_set(
        insats=insats, user=chef, finansiar="ESF+", ar=2026, belopp=Decimal(500)
    )
    rows = insats_budget_years(insats=insats)
    assert [(r.ar, r.budget, r.utfall, r.extern, r.kvar, r.andel) for r in rows] == [
        (2025, Decimal(1200), Decimal(1200), Decimal(0), Decimal(0), 100),
        (2026, None, Decimal(0), Decimal(500), None, None),
    ]


def test_budget_chart_bars_scale_to_the_largest_value(forbund, chef):
    insats = full_insats(forbund, user=chef)
    services.budget_set(insats=insats, user=chef, ar=2025, belopp=Decimal(400_000))
    services.kostnader_set_year(
        insats=insats, user=chef, ar=2025, belopp_by_month={1: Decimal(200_000)}
    )
    chart = budget_chart(insats_budget_years(insats=insats))
    budget_bar, utfall_bar = chart.bars
    assert budget_bar.label == "budget"
    assert utfall_bar.height == pytest.approx(budget_bar.height / 2, abs=0.2)
    assert budget_bar.y + budget_bar.height == pytest.approx(chart.baseline)


CSV_OK = "insats;ar;manad;belopp\nUNGA;2026;1;84 500\nunga;2026;2;91200,00\nKONS;2026;1;1000 kr\n"


def test_csv_import_stores_every_row(forbund, chef):
    unga = full_insats(forbund, user=chef, kod="UNGA")
    kons = volym_insats(forbund, user=chef, kod="KONS")
    result = services.kostnader_import(forbund=forbund, user=chef, raw=CSV_OK.encode())
    assert result.ok, result.errors
    assert result.rows == 3
    assert dict(unga.kostnader.values_list("manad", "belopp")) == {
        1: Decimal(84500),
        2: Decimal(91200),
    }
    assert kons.kostnader.get().belopp == Decimal(1000)


def test_csv_import_is_all_or_nothing_with_errors_by_row(forbund, other_forbund, chef):
    full_insats(forbund, user=chef, kod="UNGA")
    full_insats(other_forbund, user=chef, kod="FRAMMANDE")
    raw = (
        b"insats,ar,manad,belopp\n"
        b"UNGA,2026,1,1000\n"
        b"OKAND,2026,1,1000\n"
        b"UNGA,2026,13,1000\n"
        b"UNGA,2026,3,12.50\n"
        b"FRAMMANDE,2026,1,5\n"
        b"UNGA,2026,1,2000\n"
    )
    result = services.kostnader_import(forbund=forbund, user=chef, raw=raw)
    assert not result.ok
    rows = dict(result.errors)
    assert sorted(rows) == [3, 4, 5, 6, 7]
    assert "okänd insatskod" in rows[3]
    assert "månad måste vara 1–12" in rows[4]
    assert "hela kronor" in rows[5]
    assert "okänd insatskod" in rows[6]  # another förbund's code is unknown here
    assert "flera rader" in rows[7]
    assert not Insatskostnad.objects.exists()


def test_csv_import_reports_missing_columns(forbund, chef):
    result = services.kostnader_import(forbund=forbund, user=chef, raw=b"insats;belopp\nA;1\n")
    assert result.errors == [
        (1, "Kolumner saknas: ar, manad. Rubrikraden ska vara: insats;ar;manad;belopp.")
    ]


def test_csv_import_reads_windows_encoding(forbund, chef):
    full_insats(forbund, user=chef, kod="ÅTER")
    raw = "insats;ar;manad;belopp\nÅTER;2026;4;500\n".encode("cp1252")
    result = services.kostnader_import(forbund=forbund, user=chef, raw=raw)
    assert result.ok, result.errors


def test_csv_import_of_empty_file_is_an_error(forbund, chef):
    assert not services.kostnader_import(forbund=forbund, user=chef, raw=b"").ok
    assert not services.kostnader_import(
        forbund=forbund, user=chef, raw=b"insats;ar;manad;belopp\n"
    ).ok


@pytest.mark.parametrize(
    ("text", "value"),
    [("120 000", 120000), ("120000 kr", 120000), ("1\u00a0500", 1500), ("7,00", 7)],
)
def test_parse_kronor_accepts_swedish_formats(text, value):
    assert services.parse_kronor(text) == Decimal(value)


@pytest.mark.parametrize("text", ["12,5", "-5", "abc", "1.2.3", "", "9" * 13])
def test_parse_kronor_refuses_ore_negatives_and_text(text):
    with pytest.raises(ValueError, match="(?i)belopp"):
        services.parse_kronor(text)


def test_money_overview_lists_each_insats_and_sums_like_the_forbund_line(
    forbund, other_forbund, chef, login, django_assert_max_num_queries
):
    a = full_insats(forbund, user=chef, kod="A")
    b = volym_insats(forbund, user=chef, kod="B")
    full_insats(forbund, user=chef, kod="UTAN")  # no money this year: not listed
    foreign = full_insats(other_forbund, user=chef, kod="FRAMMANDE")
    services.budget_set(insats=a, user=chef, ar=2026, belopp=Decimal(100_000))
    services.budget_set(insats=b, user=chef, ar=2026, belopp=Decimal(50_000))
    services.budget_set(insats=foreign, user=chef, ar=2026, belopp=Decimal(7))
    services.kostnader_set_year(
        insats=a, user=chef, ar=2026, belopp_by_month={1: Decimal(30_000), 2: Decimal(90_000)}
    )
    services.medfinansiering_set(
        insats=b, user=chef, finansiar="ESF+", ar=2026, belopp=Decimal(40_000)
    )
    client = login(chef)
    with django_assert_max_num_queries(12):
        response = client.get("/insatser/ekonomi/?ar=2026")
    text = response.text
    assert response.status_code == 200
    assert "<td>A</td>" in text
    assert "<td>B</td>" in text
    assert "UTAN" not in text
    assert "FRAMMANDE" not in text
    from insatser.selectors import ekonomi_oversikt

    data = ekonomi_oversikt(forbund=forbund, year=2026)
    assert data.budget == insats_budget_total(forbund=forbund, year=2026) == Decimal(150_000)
    assert data.utfall == sum(insats_costs_by_month(forbund=forbund, year=2026).values())
    assert data.extern == Decimal(40_000)
    assert [r.kvar for r in data.rows] == [Decimal(-20_000), Decimal(50_000)]
    assert 'class="num over-budget"' in text


def test_csv_import_survives_broken_line_endings(forbund, chef):
    full_insats(forbund, user=chef, kod="UNGA")
    result = services.kostnader_import(
        forbund=forbund, user=chef, raw=b"insats;ar;manad;belopp\n\r\x00UNGA;2026;1;5\n"
    )
    assert not result.ok
    assert not Insatskostnad.objects.exists()


def test_csv_import_wants_plain_digits_for_year_and_month(forbund, chef):
    full_insats(forbund, user=chef, kod="UNGA")
    raw = "insats;ar;manad;belopp\nUNGA;2_026;1;5\nUNGA;2026;\u0661;5\n".encode()
    result = services.kostnader_import(forbund=forbund, user=chef, raw=raw)
    assert [row for row, _message in result.errors] == [2, 3]
