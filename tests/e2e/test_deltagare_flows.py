"""Browser tests of the deltagare screens (Playwright + axe, zero violations)."""

import csv
import datetime as dt
import io

import pytest

from deltagare.importer import COLUMNS
from deltagare.personnummer import luhn_digit
from finsam.demo_accounts import DEMO_PASSWORD


def _pnr(birth: dt.date, serial: int) -> str:
    nine = f"{birth:%y%m%d}{serial:03d}"
    return f"{birth:%Y%m%d}{serial:03d}{luhn_digit(nine)}"


PNR = _pnr(dt.date(2001, 7, 14), 812)
TODAY = dt.date.today().isoformat()  # noqa: DTZ011 - the browser fills the local date


def _start_registration(page, skyddad: str, samtycke: str):
    page.visit("/deltagare/mina/")
    page.assert_accessible()
    page.get_by_role("link", name="Registrera i UNGA").click()
    page.assert_accessible()
    page.get_by_role("group", name="Har personen skyddade personuppgifter?").get_by_label(
        skyddad.capitalize(), exact=True
    ).check()
    consent = page.get_by_role("group", name="Har personen samtyckt")
    if skyddad == "ja":
        assert consent.is_hidden()  # protected identity: consent does not matter
    else:
        consent.get_by_label(samtycke.capitalize(), exact=True).check()
    page.get_by_role("button", name="Fortsätt").click()
    page.wait_for_load_state()
    page.assert_accessible()
    assert PNR not in page.url


@pytest.fixture
def handlaggare(page, demo_data):
    page.login("handlaggare", DEMO_PASSWORD)
    return page


def test_register_identified_with_consent_then_end_and_withdraw(handlaggare):
    page = handlaggare
    _start_registration(page, "nej", "ja")
    upload = page.get_by_label("Undertecknad blankett (PDF, JPEG eller PNG, högst 5 MB)")
    page.get_by_label("Undertecknad blankett (uppladdad)").check()
    assert upload.is_visible()
    page.get_by_label("Muntligt vid personligt möte").check()
    assert upload.is_hidden()
    page.get_by_label("Datum för samtycket").fill(TODAY)
    page.get_by_label("Personnummer eller samordningsnummer").fill(PNR[2:8] + "-" + PNR[8:])
    page.get_by_label("Namn").fill("Testa Testsson")
    page.get_by_role("group", name="Kön").get_by_label("Kvinna").check()
    page.get_by_label("Inskrivningsdatum").fill(TODAY)
    page.get_by_label("Anvisande part").select_option("AF")
    page.get_by_label("Utbildningsnivå").select_option("GYMN")
    page.get_by_label("Sysselsättning före insatsen").select_option("ARBSOK")
    page.get_by_label("Tid i offentlig försörjning före inskrivning").select_option("1-2A")
    page.get_by_label("Ekonomiskt bistånd").check()
    page.get_by_role("button", name="Registrera").click()
    page.wait_for_load_state()
    assert "är registrerat" in page.get_by_role("status").first.inner_text()
    assert "Testa Testsson" in page.content()
    assert PNR not in page.url
    page.assert_accessible()

    page.get_by_role("link", name="Avsluta deltagande").click()
    page.assert_accessible()
    page.get_by_label("Utskrivningsdatum").fill(TODAY)
    page.get_by_role("button", name="Avsluta deltagandet").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").count() >= 1
    page.assert_accessible()
    page.get_by_label("Avslutsorsak").select_option("MAL")
    page.get_by_label("Sysselsättning efter insatsen").select_option("ARBETE")
    page.get_by_label("Lön/arbetsinkomst").check()
    page.get_by_role("button", name="Avsluta deltagandet").click()
    page.wait_for_load_state()
    assert "är avslutat" in page.content()
    page.assert_accessible()

    page.get_by_role("link", name="Registrera att samtycket återkallas").click()
    page.assert_accessible()
    page.get_by_role("button", name="Återkalla samtycket och radera uppgifterna").click()
    page.wait_for_load_state()
    assert "Samtycket är återkallat" in page.content()
    assert "Testa Testsson" not in page.content()
    page.assert_accessible()


def test_register_anonymous_without_consent(handlaggare):
    page = handlaggare
    _start_registration(page, "nej", "nej")
    assert page.get_by_label("Personnummer eller samordningsnummer").count() == 0
    page.get_by_role("group", name="Kön").get_by_label("Man").check()
    page.get_by_label("Födelseår").fill("2002")
    page.get_by_label("Inskrivningsdatum").fill(TODAY)
    page.get_by_role("button", name="Registrera").click()
    page.wait_for_load_state()
    assert "Anonym" in page.content()
    page.assert_accessible()


def test_protected_identity_is_registered_anonymously(handlaggare):
    page = handlaggare
    _start_registration(page, "ja", "ja")
    assert "Skyddade personuppgifter" in page.content()
    assert page.get_by_label("Personnummer eller samordningsnummer").count() == 0
    page.get_by_role("group", name="Kön").get_by_label("Kvinna").check()
    page.get_by_label("Födelseår").fill("1999")
    page.get_by_label("Inskrivningsdatum").fill(TODAY)
    page.get_by_role("button", name="Registrera").click()
    page.wait_for_load_state()
    assert "Anonym" in page.content()
    page.assert_accessible()


def _csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row.get(c, "") for c in COLUMNS])
    return out.getvalue().encode()


def test_import_with_errors_then_a_good_file(handlaggare, tmp_path):
    page = handlaggare
    good = {
        "insats": "UNGA",
        "deltagare": "ref-1",
        "samtycke": "nej",
        "skyddad": "nej",
        "kon": "K",
        "fodelsear": "2000",
        "inskrivning": "2024-03-01",
    }
    bad_file = tmp_path / "fel.csv"
    bad_file.write_bytes(_csv([good, {**good, "kon": "Q", "utbildning": "GYMN"}]))
    good_file = tmp_path / "bra.csv"
    good_file.write_bytes(_csv([good, {**good, "deltagare": "ref-2", "kon": "M"}]))
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Importera").click()
    page.assert_accessible()
    page.get_by_label("Fil (CSV eller Excel)").set_input_files(str(bad_file))
    page.get_by_label("Kontrollera bara (spara ingenting)").uncheck()
    page.get_by_role("button", name="Läs in filen").click()
    page.wait_for_load_state()
    assert "Ingenting har importerats" in page.content()
    table = page.get_by_role("table", name="Fel i filen")
    assert table.get_by_role("row").count() == 3  # header + two errors on row 3
    page.assert_accessible()
    page.get_by_label("Fil (CSV eller Excel)").set_input_files(str(good_file))
    page.get_by_label("Kontrollera bara (spara ingenting)").uncheck()
    page.get_by_role("button", name="Läs in filen").click()
    page.wait_for_load_state()
    assert "2 deltaganden importerade" in page.content()
    page.assert_accessible()


def test_forbundschef_sees_counts_and_flags_but_no_participation(page, demo_data):
    page.login("chef", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Deltagare per insats"
    ).click()
    page.wait_for_load_state()
    page.assert_accessible()
    counts = page.get_by_role("table", name="Deltagare per insats i perioden")
    assert counts.get_by_role("rowheader", name="UNGA Ungdomsteamet Bergslagsdalen").count() == 1
    assert (
        counts.get_by_role("rowheader", name="SE-PSYK Supported Employment psykiatri").count() == 1
    )
    assert page.get_by_role("table", name="Datakvalitet per insats").count() == 1
    html = page.content()
    assert "D-20" not in html
    assert "/deltagare/d/" not in html
    page.visit("/deltagare/mina/")
    assert page.get_by_role("heading", level=1).inner_text() != "Deltagare"
    page.visit("/deltagare/logg/")
    page.assert_accessible()


def test_register_with_uploaded_paper_consent(handlaggare, tmp_path):
    page = handlaggare
    blankett = tmp_path / "samtycke.pdf"
    blankett.write_bytes(b"%PDF-1.4\n% samtyckesblankett\n")
    _start_registration(page, "nej", "ja")
    page.get_by_label("Undertecknad blankett (uppladdad)").check()
    page.get_by_label("Undertecknad blankett (PDF, JPEG eller PNG, högst 5 MB)").set_input_files(
        str(blankett)
    )
    page.get_by_label("Blankettversion").fill("2026:1")
    page.get_by_label("Datum för samtycket").fill(TODAY)
    page.get_by_label("Personnummer eller samordningsnummer").fill(_pnr(dt.date(1999, 2, 3), 444))
    page.get_by_role("group", name="Kön").get_by_label("Man").check()
    page.get_by_label("Inskrivningsdatum").fill(TODAY)
    page.get_by_label("Anvisande part").select_option("KOMMUN")
    page.get_by_label("Utbildningsnivå").select_option("FORGYMN")
    page.get_by_label("Sysselsättning före insatsen").select_option("INGEN")
    page.get_by_label("Tid i offentlig försörjning före inskrivning").select_option("2-5A")
    page.get_by_label("Aktivitetsersättning").check()
    page.get_by_role("button", name="Registrera").click()
    page.wait_for_load_state()
    assert "är registrerat" in page.content()
    page.assert_accessible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Ladda ner blanketten").click()
    assert download.value.suggested_filename.endswith(".pdf")
