import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from finsam.roles import Role
from forbund import extensions
from forbund import selectors_budget as sel
from forbund import services_budget as svc
from forbund.models import Beslut, Budget, Budgetpost, BudgetStatus, Kontomappning, Utfall
from tests.factories import user_with_role
from tests.forbund.factories import D, tilldelning

pytestmark = pytest.mark.django_db

LINES = {
    "STYRELSE": "200000",
    "KANSLI_PERSONAL": "900 000",
    "KANSLI_LOKALER": "120000",
    "KANSLI_OVRIGT": "80000",
    "REVISION": "50000",
    "RESERV": "0",
}


@pytest.fixture
def ekonomi(forbund):
    return user_with_role(forbund, Role.EKONOMI)


@pytest.fixture
def budget(forbund, chef):
    b = svc.budget_create(forbund=forbund, ar=2025, user=chef)
    svc.budget_set_lines(
        budget=b, amounts={k: Decimal(v.replace(" ", "")) for k, v in LINES.items()}
    )
    return b


@pytest.fixture
def insats_provider():
    saved = dict(extensions._providers)
    extensions.register_insats_budget(lambda *, forbund, year: Decimal(3_000_000))
    extensions.register_insats_costs(lambda *, forbund, year: {1: Decimal(250_000)})
    yield
    extensions._providers.clear()
    extensions._providers.update(saved)


def test_budget_is_drafted_decided_and_locked(forbund, budget):
    svc.budget_decide(budget=budget, beslutsdatum=D(2024, 12, 10), paragraf="§ 40/2024")
    budget.refresh_from_db()
    assert budget.status == BudgetStatus.BESLUTAD
    assert budget.beslut.paragraf == "§ 40/2024"
    assert budget.beslut.rubrik == "Budget 2025"
    with pytest.raises(ValidationError, match="låst"):
        svc.budget_set_lines(budget=budget, amounts={"STYRELSE": Decimal(1)})
    assert budget.rader.get(post="STYRELSE").belopp == 200_000


def test_decision_needs_a_reference(forbund, budget):
    with pytest.raises(ValidationError) as exc:
        svc.budget_decide(budget=budget, beslutsdatum=D(2024, 12, 10))
    assert "paragraf" in exc.value.message_dict
    budget.refresh_from_db()
    assert budget.status == BudgetStatus.UTKAST


def test_decision_date_cannot_be_in_the_future(forbund, budget):
    with pytest.raises(ValidationError, match="framtiden"):
        svc.budget_decide(budget=budget, beslutsdatum=D(2099, 1, 1), paragraf="§ 1")


def test_decision_may_link_an_existing_beslut_of_the_same_forbund_only(
    forbund, other_forbund, budget
):
    foreign = Beslut.objects.create(
        forbund=other_forbund, datum=D(2024, 12, 1), paragraf="§ 9", rubrik="x"
    )
    with pytest.raises(ValidationError):
        svc.budget_decide(budget=budget, beslutsdatum=D(2024, 12, 1), beslut=foreign)
    own = Beslut.objects.create(
        forbund=forbund, datum=D(2024, 12, 1), paragraf="§ 9", rubrik="Budget"
    )
    svc.budget_decide(budget=budget, beslutsdatum=D(2024, 12, 1), beslut=own)
    assert Budget.objects.get(pk=budget.pk).beslut == own


def test_change_after_decision_is_a_new_version_with_reason_and_history(forbund, chef, budget):
    svc.budget_decide(budget=budget, beslutsdatum=D(2024, 12, 10), paragraf="§ 40/2024")
    with pytest.raises(ValidationError):
        svc.budget_new_version(budget=budget, andringsorsak="  ", user=chef)
    v2 = svc.budget_new_version(budget=budget, andringsorsak="Ny lokal från maj", user=chef)
    assert v2.version == 2
    assert v2.status == BudgetStatus.UTKAST
    assert v2.rader.get(post="KANSLI_PERSONAL").belopp == 900_000
    with pytest.raises(ValidationError, match="redan ett utkast"):
        svc.budget_new_version(budget=budget, andringsorsak="igen", user=chef)
    # the decided version stays in force until the new one is decided
    assert sel.budget_in_force(sel.budget_versions(forbund=forbund, ar=2025)) == budget
    svc.budget_set_lines(budget=v2, amounts={"KANSLI_LOKALER": Decimal(180_000)})
    svc.budget_decide(budget=v2, beslutsdatum=D(2025, 4, 2), paragraf="§ 12/2025")
    statuses = dict(Budget.objects.filter(forbund=forbund).values_list("version", "status"))
    assert statuses == {1: BudgetStatus.ERSATT, 2: BudgetStatus.BESLUTAD}
    assert Budget.objects.get(pk=budget.pk).rader.get(post="KANSLI_LOKALER").belopp == 120_000


def test_only_one_budget_per_year_is_started(forbund, chef, budget):
    with pytest.raises(ValidationError):
        svc.budget_create(forbund=forbund, ar=2025, user=chef)


def test_new_year_copies_last_years_lines(forbund, chef, budget):
    b2026 = svc.budget_create(forbund=forbund, ar=2026, user=chef)
    assert b2026.rader.get(post="STYRELSE").belopp == 200_000


def test_insatser_line_is_derived_live_in_draft_and_frozen_at_decision(
    forbund, budget, insats_provider
):
    assert sel.budget_amounts(budget)[Budgetpost.INSATSER] == 3_000_000
    svc.budget_decide(budget=budget, beslutsdatum=D(2024, 12, 10), paragraf="§ 1")
    extensions.register_insats_budget(lambda *, forbund, year: Decimal(5))
    budget.refresh_from_db()
    assert sel.budget_amounts(budget)[Budgetpost.INSATSER] == 3_000_000


def test_insats_costs_from_the_extension_count_as_utfall(forbund, budget, insats_provider):
    o = sel.budget_overview(forbund=forbund, ar=2025, today=D(2025, 7, 15))
    row = next(r for r in o.rader if r.post == "INSATSER")
    assert row.utfall_manad[0] == 250_000


def test_overview_compares_budget_with_utfall_and_forecasts(forbund, budget):
    svc.budget_decide(budget=budget, beslutsdatum=D(2024, 12, 10), paragraf="§ 1")
    for month in range(1, 7):
        svc.utfall_add(
            forbund=forbund,
            datum=D(2025, month, 25),
            post="KANSLI_PERSONAL",
            belopp=Decimal(80_000),
        )
    svc.utfall_add(
        forbund=forbund, datum=D(2024, 12, 31), post="KANSLI_PERSONAL", belopp=Decimal(999)
    )
    o = sel.budget_overview(forbund=forbund, ar=2025, today=D(2025, 7, 15))
    row = next(r for r in o.rader if r.post == "KANSLI_PERSONAL")
    assert o.stangda_manader == 6
    assert row.utfall == 480_000
    assert row.utfall_manad[:7] == [80_000] * 6 + [0]
    assert row.prognos == 480_000 + 450_000  # six months of 75 000 left
    assert row.avvikelse == 30_000


def test_forecast_of_finished_year_is_its_utfall():
    assert sel.forecast(Decimal(1200), Decimal(700), 12) == 700
    assert sel.forecast(Decimal(1200), Decimal(0), 0) == 1200


def test_eget_kapital_is_carried_forward_with_threshold_warning(forbund):
    forbund.ek_ingaende_ar = 2023
    forbund.ek_ingaende_belopp = Decimal(500_000)
    forbund.save()
    tilldelning(forbund, 2023, 1_000_000, ovriga=5_000)
    tilldelning(forbund, 2024, 1_000_000)
    svc.utfall_add(
        forbund=forbund, datum=D(2023, 5, 1), post="KANSLI_PERSONAL", belopp=Decimal(1_700_000)
    )
    svc.utfall_add(
        forbund=forbund, datum=D(2024, 5, 1), post="KANSLI_PERSONAL", belopp=Decimal(2_500_000)
    )
    series = sel.eget_kapital_series(forbund=forbund, today=D(2025, 1, 10))
    y2023, y2024 = series[0], series[1]
    assert y2023.utgaende == 500_000 + 2_000_000 + 5_000 - 1_700_000
    assert y2024.ingaende == y2023.utgaende
    assert y2024.utgaende == 805_000 + 2_000_000 - 2_500_000
    assert y2023.troskel == 400_000
    assert y2023.over_troskel
    assert not y2024.over_troskel


def test_utfall_import_maps_accounts_and_lines_all_or_nothing(forbund):
    Kontomappning.objects.create(forbund=forbund, konto="5010", post="KANSLI_LOKALER")
    bad = "datum;konto;belopp;text\n2025-01-31;5010;12 000,00;Hyra jan\n2025-02-28;9999;100;?\n"
    result = svc.utfall_import(forbund=forbund, data=bad.encode("latin-1"))
    assert [e.rad for e in result.errors] == [3]
    assert not Utfall.objects.exists()
    good = (
        "datum;konto;belopp\n2025-01-31;5010;12 000,00\n2025-02-28;Revision;5000\n"
        "2025-03-01;KANSLI_OVRIGT;-250\n"
    )
    result = svc.utfall_import(forbund=forbund, data=good.encode())
    assert result.ok
    assert dict(Utfall.objects.values_list("post", "belopp")) == {
        "KANSLI_LOKALER": 12_000,
        "REVISION": 5_000,
        "KANSLI_OVRIGT": -250,
    }


@pytest.mark.parametrize(
    "row", ["2025-13-01;5010;1", "igår;5010;1", "2025-01-01;5010;mycket", "2025-01-01;;1"]
)
def test_utfall_import_reports_bad_rows(forbund, row):
    Kontomappning.objects.create(forbund=forbund, konto="5010", post="REVISION")
    result = svc.utfall_import(forbund=forbund, data=f"datum;konto;belopp\n{row}\n".encode())
    assert result.errors[0].rad == 2
    assert not Utfall.objects.exists()


# --- pages and permissions ------------------------------------------------------------------


@time_machine.travel(dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC))
def test_ekonomi_creates_and_decides_budget_through_pages(forbund, ekonomi, login):
    client = login(ekonomi)
    response = client.post("/forbund/budget/ny/", {"ar": "2025"})
    assert response.status_code == 302
    b = Budget.objects.get(forbund=forbund, ar=2025)
    url = f"/forbund/budget/{b.uuid}/"
    assert client.post(url, {"action": "rader", **LINES, "STYRELSE": "-1"}).status_code == 400
    assert client.post(url, {"action": "rader", **LINES}).status_code == 302
    response = client.post(url, {"action": "besluta", "beslut-beslutsdatum": "2025-02-20"})
    assert response.status_code == 400
    assert "id_beslut-paragraf_fel" in response.text
    response = client.post(
        url,
        {"action": "besluta", "beslut-beslutsdatum": "2025-02-20", "beslut-paragraf": "§ 5/2025"},
    )
    assert response.status_code == 302
    b.refresh_from_db()
    assert b.status == BudgetStatus.BESLUTAD
    assert client.post(url, {"action": "rader", **LINES, "STYRELSE": "5"}).status_code == 400
    b.refresh_from_db()
    assert b.rader.get(post="STYRELSE").belopp == 200_000
    page = client.get("/forbund/budget/?ar=2025").text
    assert "<svg" in page
    assert "Beslutad" in page


def test_styrelse_reads_budget_but_cannot_write(forbund, styrelse, budget, login):
    client = login(styrelse)
    assert client.get("/forbund/budget/?ar=2025").status_code == 200
    assert client.get(f"/forbund/budget/{budget.uuid}/").status_code == 200
    assert client.post("/forbund/budget/ny/", {"ar": "2026"}).status_code == 403
    assert (
        client.post(f"/forbund/budget/{budget.uuid}/", {"action": "rader", **LINES}).status_code
        == 403
    )
    assert (
        client.post(
            "/forbund/utfall/", {"datum": "2025-01-01", "post": "REVISION", "belopp": "1"}
        ).status_code
        == 403
    )
    assert not Utfall.objects.exists()


def test_ekonomi_edits_budget_and_utfall_but_nothing_else(forbund, ekonomi, login):
    client = login(ekonomi)
    assert (
        client.post(
            "/forbund/utfall/", {"datum": "2025-01-01", "post": "REVISION", "belopp": "1 000"}
        ).status_code
        == 302
    )
    assert Utfall.objects.get().belopp == 1000
    assert (
        client.post(
            "/forbund/finansiering/", {"ar": "2025", "statlig_tilldelning": "1"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/forbund/medlemmar/", {"typ": "KOMMUN", "kommun": "2085", "startdatum": "2025-01-01"}
        ).status_code
        == 403
    )
    assert client.get("/forbund/profil/andra/").status_code == 403


def test_budget_and_utfall_of_other_forbund_are_404(forbund, other_forbund, chef, login):
    from tests.factories import user_with_role as uwr

    other_chef = uwr(other_forbund, Role.FORBUNDSCHEF)
    foreign = svc.budget_create(forbund=other_forbund, ar=2025, user=other_chef)
    row = svc.utfall_add(
        forbund=other_forbund, datum=D(2025, 1, 1), post="REVISION", belopp=Decimal(5)
    )
    client = login(chef)
    assert client.get(f"/forbund/budget/{foreign.uuid}/").status_code == 404
    assert client.post(f"/forbund/budget/{foreign.uuid}/", {"action": "ta_bort"}).status_code == 404
    assert client.post(f"/forbund/utfall/{row.uuid}/ta-bort/").status_code == 404
    assert Utfall.objects.filter(pk=row.pk).exists()
    assert str(row.uuid) not in client.get("/forbund/utfall/?ar=2025").text


def test_utfall_import_page_shows_errors_by_row(forbund, chef, login):
    client = login(chef)
    data = b"datum;post;belopp\n2025-01-01;Revision;100\n2025-01-02;Okand;5\n"
    response = client.post(
        "/forbund/utfall/import/?ar=2025", {"fil": SimpleUploadedFile("u.csv", data)}
    )
    assert response.status_code == 400
    assert "Rad 3" in response.text
    assert not Utfall.objects.exists()


def test_budget_pages_run_constant_queries(
    forbund, chef, budget, login, django_assert_max_num_queries
):
    client = login(chef)
    for i in range(30):
        svc.utfall_add(
            forbund=forbund, datum=D(2025, 1 + i % 12, 1), post="REVISION", belopp=Decimal(i)
        )
    with django_assert_max_num_queries(15):  # +1: in-app notices on every page
        client.get("/forbund/budget/?ar=2025")
    with django_assert_max_num_queries(16):  # +1: notices; +1: the Ändringshistorik page
        client.get("/forbund/utfall/?ar=2025")
    with django_assert_max_num_queries(17):  # +1: notices; +2: Ändringshistorik and its beslut
        client.get(f"/forbund/budget/{budget.uuid}/")


def test_budget_excel_has_the_tables(forbund, styrelse, budget, login):
    svc.utfall_add(forbund=forbund, datum=D(2025, 2, 1), post="REVISION", belopp=Decimal(1234))
    response = login(styrelse).get("/forbund/budget/excel/?ar=2025")
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["Budget 2025", "Utfall per månad 2025", "Eget kapital"]
    months = list(book["Utfall per månad 2025"].iter_rows(values_only=True))
    revision = next(r for r in months if r[0] == "Revision")
    assert revision[2] == 1234
    assert revision[-1] == 1234


def test_eget_kapital_page_warns_over_threshold(forbund, chef, login):
    forbund.ek_ingaende_ar = 2023
    forbund.ek_ingaende_belopp = Decimal(3_000_000)
    forbund.save()
    tilldelning(forbund, 2023, 1_000_000)
    text = login(chef).get("/forbund/eget-kapital/").text
    assert "över gränsen" in text


def test_decision_can_link_a_registered_beslut_by_uuid(forbund, chef, budget, login):
    own = Beslut.objects.create(forbund=forbund, datum=D(2024, 12, 1), paragraf="§ 9", rubrik="B")
    page = login(chef).get(f"/forbund/budget/{budget.uuid}/").text
    assert f'value="{own.uuid}"' in page
    response = login(chef).post(
        f"/forbund/budget/{budget.uuid}/",
        {"action": "besluta", "beslut-beslutsdatum": "2024-12-01", "beslut-beslut": str(own.uuid)},
    )
    assert response.status_code == 302
    assert Budget.objects.get(pk=budget.pk).beslut == own


def test_new_version_page_shows_the_change_against_the_previous_version(
    forbund, chef, budget, login
):
    svc.budget_decide(budget=budget, beslutsdatum=D(2024, 12, 10), paragraf="§ 1")
    v2 = svc.budget_new_version(budget=budget, andringsorsak="Ny hyra", user=chef)
    svc.budget_set_lines(budget=v2, amounts={"KANSLI_LOKALER": Decimal(150_000)})
    text = login(chef).get(f"/forbund/budget/{v2.uuid}/").text.replace("\xa0", " ")
    assert "Version 1 (kr)" in text
    assert "Ny hyra" in text
    assert ">30 000<" in text  # 150 000 − 120 000


def test_database_refuses_changes_to_a_decided_budget_even_past_the_service(forbund, budget):
    from django.db import DatabaseError, transaction

    svc.budget_decide(budget=budget, beslutsdatum=D(2024, 12, 10), paragraf="§ 1")
    row = budget.rader.get(post="STYRELSE")
    with pytest.raises(DatabaseError, match="låst"), transaction.atomic():
        type(row).objects.filter(pk=row.pk).update(belopp=1)
    with pytest.raises(DatabaseError, match="låst"), transaction.atomic():
        row.delete()
    assert budget.rader.get(post="STYRELSE").belopp == 200_000


def test_draft_rows_stay_editable_in_the_database(forbund, budget):
    budget.rader.filter(post="STYRELSE").update(belopp=7)
    assert budget.rader.get(post="STYRELSE").belopp == 7
