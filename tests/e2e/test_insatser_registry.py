"""Browser tests of the insats registry: real Chromium, axe (WCAG 2.1 AA) and the CSP on every
page the journeys pass."""

import re
from pathlib import Path

import pytest

from finsam.demo_accounts import DEMO_PASSWORD
from insatser.models import Insats


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_chef_creates_insats_assigns_uploads_and_sees_history(page, demo_data, media, tmp_path):
    page.login("chef", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Insatser").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Insatser"
    page.assert_accessible()

    page.get_by_role("link", name="Ny insats").click()
    page.get_by_role("button", name="Skapa insats").click()  # empty: the error state
    assert page.get_by_role("alert").count() == 1
    page.assert_accessible()

    page.get_by_label(re.compile(r"^Kod\b")).fill("UNGA-NORR")
    page.get_by_label(re.compile(r"^Namn\b")).fill("Unga vuxna norr")
    page.get_by_label(re.compile(r"^Kategori\b")).select_option(
        label="Samordnande team/lots (individinriktad)"
    )
    page.get_by_label("Unga 16–29 år").check()
    page.get_by_label("Unga med aktivitetsersättning").check()
    page.get_by_role("checkbox", name="Hedemora kommun").check()
    page.get_by_label("Personuppgiftsansvarig part").select_option(label="Hedemora kommun")
    page.get_by_label(re.compile(r"^Startdatum\b")).fill("2026-01-01")
    page.get_by_role("button", name="Skapa insats").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Unga vuxna norr"
    insats = Insats.objects.get(kod="UNGA-NORR")
    assert set(insats.malgrupper.values_list("kod", flat=True)) == {"UNGA", "UNGA_AKE"}
    page.assert_accessible()

    page.get_by_label("Lägg till deltagaransvarig").select_option(label="Ali Hassan")
    page.get_by_role("button", name="Lägg till").click()
    assert page.get_by_role("listitem").filter(has_text="Ali Hassan").count() == 1

    document = tmp_path / "ansokan.pdf"
    document.write_bytes(b"%PDF-1.4 ansokan")
    page.get_by_label(re.compile(r"^Typ\b")).select_option(label="Ansökan")
    page.get_by_label(re.compile(r"^Titel\b")).fill("Ansökan 2026")
    page.get_by_label(re.compile(r"^Fil\b")).set_input_files(str(document))
    page.get_by_role("button", name="Ladda upp").click()
    assert page.get_by_role("link", name="Ansökan 2026").count() == 1
    assert any(Path(media).rglob("*.pdf"))
    page.assert_accessible()

    page.get_by_role("link", name="Ändra insatsen").click()
    page.assert_accessible()
    page.get_by_label(re.compile(r"^Namn\b")).fill("Unga vuxna Hedemora")
    page.get_by_role("button", name="Spara ändringar").click()
    history = page.get_by_role("table", name="Ändringar, senaste först")  # the audit trail
    row = history.get_by_role("row").filter(has_text="Unga vuxna Hedemora")
    assert "Unga vuxna norr" in row.inner_text()
    assert "Karin Lindqvist" in row.inner_text()
    events = page.get_by_role("table", name="Övriga händelser i insatsen, senaste först")
    assert events.get_by_role("row").filter(has_text="Deltagaransvarig tillagd").count() == 1
    page.assert_accessible()


def test_handlaggare_registers_a_month_of_volume_counts(page, demo_data):
    page.login("handlaggare", DEMO_PASSWORD)
    assert page.get_by_role("heading", level=1).inner_text() == "Mina insatser"
    page.assert_accessible()
    page.get_by_role("link", name="Konsultationsteam rehabilitering").click()
    page.assert_accessible()
    page.get_by_role("link", name="Volymer per månad").click()
    page.get_by_label("Kvinnor, januari").fill("-2")
    page.get_by_role("button", name="Spara volymer").click()
    assert "Antalet kan inte vara negativt" in page.get_by_role("main").inner_text()
    page.assert_accessible()
    page.get_by_label("Kvinnor, januari").fill("14")
    page.get_by_label("Män, januari").fill("9")
    page.get_by_label("Annat/vill ej uppge, januari").fill("1")
    page.get_by_role("button", name="Spara volymer").click()
    assert page.get_by_role("status").filter(has_text="Volymerna är sparade").count() == 1
    assert page.get_by_label("Kvinnor, januari").input_value() == "14"
    page.assert_accessible()


def test_money_and_occasion_pages_are_accessible(page, demo_data):
    page.login("chef", DEMO_PASSWORD)
    kvinna = Insats.objects.get(kod="KVINNA")
    page.visit(f"/insatser/{kvinna.uuid}/ekonomi/")
    assert page.locator("svg.chart").count() == 1
    assert "Europeiska socialfonden" in page.get_by_role("main").inner_text()
    page.assert_accessible()
    page.visit("/insatser/ekonomi/")
    assert "Ekonomiöversikt insatser" in page.get_by_role("heading", level=1).inner_text()
    page.assert_accessible()
    page.visit("/insatser/kostnader/import/")
    page.assert_accessible()
    komp = Insats.objects.get(kod="KOMP-HL")
    page.visit(f"/insatser/{komp.uuid}/tillfallen/")
    page.assert_accessible()
    page.visit("/insatser/?status=PAGAENDE&sort=budget&desc=on")
    page.assert_accessible()


def test_styrelse_reads_insatser_without_edit_controls(page, demo_data):
    page.login("styrelse", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Insatser").click()
    assert page.get_by_role("link", name="Ny insats").count() == 0
    page.get_by_role("link", name="Supported Employment psykiatri").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Supported Employment psykiatri"
    assert page.get_by_role("link", name="Ändra insatsen").count() == 0
    assert page.get_by_role("button", name="Ladda upp").count() == 0
    page.assert_accessible()
    page.get_by_role("link", name="Ekonomi").click()
    assert page.get_by_role("button", name="Spara budget").count() == 0
    page.assert_accessible()
