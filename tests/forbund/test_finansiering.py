from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from forbund import selectors, services
from forbund.models import Befolkning, KommunFordelning
from tests.factories import forbund_with_members, kommun
from tests.forbund.factories import D, befolkning, kommun_medlem, tilldelning

pytestmark = pytest.mark.django_db


def _amounts(table):
    return {r.namn: r.belopp for r in table.region_rader + table.kommun_rader}


def test_region_pays_half_of_state_and_kommuner_split_by_population(forbund):
    tilldelning(forbund, 2025, 1_000_001)
    befolkning(forbund, 2025, k2083=9000, k2082=6000)
    table = selectors.bidrag_for_year(forbund=forbund, ar=2025)
    assert not table.problems
    assert table.statlig == 1_000_001
    assert table.region_del + table.kommun_del == 1_000_001
    amounts = _amounts(table)
    assert amounts["Hedemora kommun"] == 300_000  # 9/15 of 500 000 (the kommuner's half)
    assert amounts["Säter kommun"] == 200_000
    assert table.total == 2_000_002


def test_equal_split(forbund):
    forbund.kommun_fordelning = KommunFordelning.LIKA
    forbund.save()
    tilldelning(forbund, 2025, 1_000_000)
    table = selectors.bidrag_for_year(forbund=forbund, ar=2025)
    assert _amounts(table)["Hedemora kommun"] == 250_000 == _amounts(table)["Säter kommun"]


def test_fixed_shares_from_the_forbundsordning(forbund):
    forbund.kommun_fordelning = KommunFordelning.FAST
    forbund.save()
    for kod, share in (("2083", "70"), ("2082", "30")):
        m = kommun_medlem(forbund, kod)
        m.andel_procent = Decimal(share)
        m.save()
    tilldelning(forbund, 2025, 1_000_000)
    amounts = _amounts(selectors.bidrag_for_year(forbund=forbund, ar=2025))
    assert amounts["Hedemora kommun"] == 350_000
    assert amounts["Säter kommun"] == 150_000


def test_fixed_shares_not_summing_to_100_are_reported(forbund):
    forbund.kommun_fordelning = KommunFordelning.FAST
    forbund.save()
    for kod in ("2083", "2082"):
        m = kommun_medlem(forbund, kod)
        m.andel_procent = Decimal(40)
        m.save()
    tilldelning(forbund, 2025, 1_000_000)
    table = selectors.bidrag_for_year(forbund=forbund, ar=2025)
    assert "100 %" in table.problems[0]


def test_missing_population_is_reported_not_guessed(forbund):
    tilldelning(forbund, 2025, 1_000_000)
    befolkning(forbund, 2025, k2083=9000)
    table = selectors.bidrag_for_year(forbund=forbund, ar=2025)
    assert "Säter" in table.problems[0]
    assert table.kommun_rader == []


def test_kommun_joining_mid_year_pays_pro_rata_by_days(forbund):
    services.medlem_add(
        forbund=forbund, typ="KOMMUN", namn="", kommun=kommun("2085"), startdatum=D(2025, 7, 1)
    )
    tilldelning(forbund, 2025, 1_000_000)
    forbund.kommun_fordelning = KommunFordelning.LIKA
    forbund.save()
    table = selectors.bidrag_for_year(forbund=forbund, ar=2025)
    rows = {r.namn: r for r in table.kommun_rader}
    joined = rows["Ludvika kommun"]
    assert joined.dagar == 184
    # weights 1, 1 and 184/365: the newcomer pays 184/(365+365+184) of 500 000
    assert joined.belopp == 100_656
    assert sum(r.belopp for r in table.kommun_rader) == 500_000


def test_kommun_leaving_mid_year_pays_for_its_days_only(forbund):
    hedemora = kommun_medlem(forbund, "2083")
    services.medlem_update(
        medlem=hedemora,
        namn=hedemora.namn,
        startdatum=hedemora.startdatum,
        slutdatum=D(2025, 3, 31),
    )
    tilldelning(forbund, 2025, 1_000_000)
    befolkning(forbund, 2025, k2083=10000, k2082=10000)
    rows = {r.namn: r for r in selectors.bidrag_for_year(forbund=forbund, ar=2025).kommun_rader}
    assert rows["Hedemora kommun"].dagar == 90
    assert rows["Hedemora kommun"].belopp == 98_901  # 90/(90+365) of 500 000, rounded
    assert rows["Säter kommun"].belopp == 401_099


def test_contributions_table_page_and_excel(forbund, styrelse, login):
    tilldelning(forbund, 2025, 1_000_000)
    befolkning(forbund, 2025, k2083=9000, k2082=6000)
    client = login(styrelse)
    response = client.get("/forbund/finansiering/?ar=2025")
    assert "Hedemora kommun" in response.text
    assert "300 000" in response.text.replace("\xa0", " ")
    excel = client.get("/forbund/finansiering/excel/?ar=2025")
    assert excel["Content-Type"].startswith("application/vnd.openxml")
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(excel.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[-1][-1] == 2_000_000
    assert any(r[0] == "Hedemora kommun" and r[-1] == 300_000 for r in values)


def test_state_allocation_is_entered_by_chef_only(forbund, chef, styrelse, login):
    assert (
        login(styrelse)
        .post("/forbund/finansiering/", {"ar": "2025", "statlig_tilldelning": "100"})
        .status_code
        == 403
    )
    client = login(chef)
    for bad in ("-1", "12,50", "tusen", ""):
        response = client.post("/forbund/finansiering/", {"ar": "2025", "statlig_tilldelning": bad})
        assert response.status_code == 400
    response = client.post(
        "/forbund/finansiering/", {"ar": "2025", "statlig_tilldelning": "1 200 000"}
    )
    assert response.status_code == 302
    assert forbund.finansieringsar.get(ar=2025).statlig_tilldelning == 1_200_000


def test_finansiering_page_bad_year_falls_back(forbund, chef, login):
    assert login(chef).get("/forbund/finansiering/?ar=abc").status_code == 200


class TestRoundingOverRandomPopulations(HypothesisTestCase):
    """Property: whatever the populations, the members' contributions sum exactly."""

    @settings(max_examples=25, deadline=None)
    @given(
        statlig=st.integers(min_value=0, max_value=50_000_000),
        pops=st.lists(st.integers(min_value=0, max_value=400_000), min_size=3, max_size=3),
    )
    def test_contributions_sum_exactly(self, statlig, pops):
        forbund = forbund_with_members(kommun_koder=("0180", "0181", "0182"))
        tilldelning(forbund, 2025, statlig)
        for kod, antal in zip(("0180", "0181", "0182"), pops, strict=True):
            Befolkning.objects.create(forbund=forbund, kommun=kommun(kod), ar=2025, antal=antal)
        table = selectors.bidrag_for_year(forbund=forbund, ar=2025)
        paid = table.statlig + sum(r.belopp for r in table.region_rader + table.kommun_rader)
        assert paid == 2 * statlig
        assert sum(r.belopp for r in table.kommun_rader) == table.kommun_del


def test_contributions_page_runs_constant_queries(
    forbund, chef, login, django_assert_max_num_queries
):
    for kod in ("0180", "0181", "0182", "0183", "0184"):
        services.medlem_add(
            forbund=forbund, typ="KOMMUN", namn="", kommun=kommun(kod), startdatum=D(2025, 3, 1)
        )
    forbund.kommun_fordelning = KommunFordelning.LIKA
    forbund.save()
    tilldelning(forbund, 2025, 3_000_000)
    client = login(chef)
    with django_assert_max_num_queries(12):  # +2: second-factor device and notices
        response = client.get("/forbund/finansiering/?ar=2025")
    assert response.text.count('<th scope="row">') >= 8
