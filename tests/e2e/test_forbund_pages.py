"""Browser tests of the förbund pages: the three flows of issue 3, and axe on every page."""

import pytest
from django.utils import timezone

from finsam.demo_accounts import DEMO_PASSWORD
from forbund.models import Befolkning, Budget, Narvaro, Sammantrade

pytestmark = pytest.mark.django_db(transaction=True)


def _scb(rows):
    lines = ['"region";"ålder";"år";"Folkmängd"']
    lines += [f'"{r}";"{a} år";"{y}";{n}' for r, a, y, n in rows]
    return ("\n".join(lines) + "\n").encode("latin-1")


def test_create_a_budget_and_decide_it(page, demo_data):
    year = timezone.localdate().year + 1
    page.login("ekonomi", DEMO_PASSWORD)
    page.visit(f"/forbund/budget/?ar={year}")
    page.assert_accessible()
    page.get_by_role("button", name=f"Skapa budget för {year}").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == f"Budget {year}, version 1"
    page.get_by_label("Kansli: personal").fill("1 250 000")
    page.get_by_label("Revision").fill("tusen")
    page.get_by_role("button", name="Spara budgetposter").click()
    page.wait_for_load_state()
    assert "Ange ett belopp i hela kronor" in page.locator("#id_REVISION_fel").inner_text()
    page.assert_accessible()
    page.get_by_label("Revision").fill("65000")
    page.get_by_role("button", name="Spara budgetposter").click()
    page.wait_for_load_state()
    page.get_by_label("Paragraf").fill(f"§ 41/{year - 1}")
    page.get_by_role("button", name="Registrera beslut och lås budgeten").click()
    page.wait_for_load_state()
    assert "Budgeten är låst" in page.content()
    assert page.get_by_role("button", name="Spara budgetposter").count() == 0
    page.assert_accessible()
    budget = Budget.objects.get(ar=year)
    assert budget.status == "BESLUTAD"
    assert budget.rader.get(post="KANSLI_PERSONAL").belopp == 1_250_000
    page.visit(f"/forbund/budget/?ar={year}")
    assert page.locator("svg.chart").count() == 2
    page.assert_accessible()


def test_scb_import_with_a_bad_row_then_a_good_file(page, demo_data):
    year = 2019
    good = [("2083 Hedemora", age, year, 150) for age in range(16, 65)]
    bad = list(good)
    bad[10] = ("2083 Hedemora", 26, year, "..")
    page.login("chef", DEMO_PASSWORD)
    page.visit("/forbund/befolkning/")
    page.assert_accessible()
    page.get_by_label("CSV-fil").set_input_files(
        files=[{"name": "scb.csv", "mimeType": "text/csv", "buffer": _scb(bad)}]
    )
    page.get_by_role("button", name="Importera").click()
    page.wait_for_load_state()
    alert = page.get_by_role("alert")
    assert "Inget har sparats" in alert.inner_text()
    assert "Rad 12" in alert.inner_text()
    page.assert_accessible()
    assert not Befolkning.objects.filter(ar=year).exists()
    page.get_by_label("CSV-fil").set_input_files(
        files=[{"name": "scb.csv", "mimeType": "text/csv", "buffer": _scb(good)}]
    )
    page.get_by_role("button", name="Importera").click()
    page.wait_for_load_state()
    assert "Importen är klar: 1 befolkningssiffror sparade." in page.content()
    assert Befolkning.objects.get(ar=year, kommun_id="2083").antal == 49 * 150
    page.assert_accessible()


def test_register_a_meeting_and_see_the_quorum_verdict(page, demo_data):
    day = timezone.localdate()
    page.login("chef", DEMO_PASSWORD)
    page.visit("/forbund/styrelse/sammantraden/")
    page.assert_accessible()
    page.get_by_label("Datum").fill(day.isoformat())
    page.get_by_label("Plats").fill("Säters stadshus")
    page.get_by_role("button", name="Registrera sammanträde").click()
    page.wait_for_load_state()
    assert "inte beslutsför" in page.locator("#beslutsforhet").inner_text()
    boxes = page.locator("input[name=narvarande]")
    assert boxes.count() > 0
    # Tick three ordinary ledamöter, then have an ersättare step in for an absent one.
    page.get_by_label("Per Olsson närvarande").check()
    page.get_by_label("Lena Holm närvarande").check()
    page.get_by_label("Gunilla Dahl närvarande").check()
    page.get_by_label("Eva Lund närvarande").check()
    page.get_by_label("Mats Nyberg tjänstgör för").select_option(label="Tomas Ring")
    page.get_by_role("button", name="Spara närvaro").click()
    page.wait_for_load_state()
    assert "Eva Lund kan inte" not in page.content()
    alert = page.get_by_role("alert")
    assert "Mats Nyberg kan inte tjänstgöra utan att vara närvarande" in alert.inner_text()
    page.assert_accessible()
    page.get_by_label("Mats Nyberg närvarande").check()
    page.get_by_role("button", name="Spara närvaro").click()
    page.wait_for_load_state()
    verdict = page.locator("#beslutsforhet").inner_text()
    assert "Styrelsen är beslutsför" in verdict
    assert "4 av 6" in verdict
    page.assert_accessible()
    meeting = Sammantrade.objects.get(datum=day, plats="Säters stadshus")
    assert Narvaro.objects.filter(sammantrade=meeting, tjanstgor_for__isnull=False).count() == 1


PAGES = [
    "/forbund/",
    "/forbund/profil/",
    "/forbund/profil/andra/",
    "/forbund/medlemmar/",
    "/forbund/befolkning/",
    "/forbund/finansiering/",
    "/forbund/budget/",
    "/forbund/utfall/",
    "/forbund/eget-kapital/",
    "/forbund/styrelse/",
    "/forbund/styrelse/sammantraden/",
]


@pytest.mark.parametrize("username", ["chef", "styrelse"])
def test_every_forbund_page_passes_axe(page, demo_data, username):
    page.login(username, DEMO_PASSWORD)
    for path in PAGES:
        response = page.visit(path)
        if username == "styrelse" and path in ("/forbund/", "/forbund/profil/andra/"):
            assert response.status in (403, 404)
            continue
        assert response.status == 200, path
        page.assert_accessible()
    page.visit("/forbund/styrelse/sammantraden/")
    page.get_by_role("link").filter(has_text=str(timezone.localdate().year)).first.click()
    page.wait_for_load_state()
    page.assert_accessible()
    page.visit("/forbund/budget/")
    page.get_by_role("link", name="Öppna budgeten").click()
    page.wait_for_load_state()
    page.assert_accessible()


def test_nationell_calculator_passes_axe(page, demo_data):
    page.login("nationell", DEMO_PASSWORD)
    page.visit("/forbund/fordelningsmodell/")
    page.assert_accessible()
    page.get_by_label("Nationell summa (kr)").fill("339000000")
    page.locator("input[name$=forsorjningsmatt]").first.fill("52000000")
    page.get_by_role("button", name="Beräkna").click()
    page.wait_for_load_state()
    assert "339 000 000" in page.content().replace("&nbsp;", " ").replace("\xa0", " ")
    page.assert_accessible()


def test_systemadmin_create_forbund_page_passes_axe(page, demo_data):
    page.login("admin", DEMO_PASSWORD)
    page.visit("/system/")
    page.get_by_role("link", name="Skapa förbund").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Skapa förbund").click()
    page.wait_for_load_state()
    assert page.locator(".field-errors").count() > 0
    page.assert_accessible()
