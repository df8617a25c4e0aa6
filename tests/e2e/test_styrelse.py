"""The board member's day: dashboard, period, sorting, styrelsepaket; screenshots for the README."""

from pathlib import Path

from pypdf import PdfReader

from finsam.demo_accounts import DEMO_PASSWORD

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_board_dashboard_period_sort_and_styrelsepaket(page, demo_data, celery_worker_process):
    page.login("styrelse", DEMO_PASSWORD)
    assert page.get_by_role("heading", level=1).inner_text() == "Styrelsens översikt"
    page.assert_accessible()

    page.get_by_role("combobox", name="Period").select_option("forra_aret")
    page.get_by_role("button", name="Visa").click()
    page.wait_for_load_state()
    assert "2025-01-01 – 2025-12-31" in page.locator(".lead").inner_text()
    page.assert_accessible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "styrelse-dator.png"), full_page=True)

    table = page.get_by_role("table", name="Insatser under perioden, sorterbar")
    table.get_by_role("link", name="Deltagare", exact=True).click()
    page.wait_for_load_state()
    table = page.get_by_role("table", name="Insatser under perioden, sorterbar")
    header = table.get_by_role("columnheader", name="Deltagare", exact=True)
    assert header.get_attribute("aria-sort") in ("ascending", "descending")
    page.assert_accessible()

    page.get_by_label("Sammanträdets diarienummer").fill("SF 2026/14")
    page.get_by_role("button", name="Ta fram styrelsepaket").click()
    assert "Styrelsepaket" in page.get_by_role("status").inner_text()
    lista = page.locator("#rapportlista")
    lista.get_by_text("Klar", exact=True).first.wait_for(timeout=90_000)
    with page.expect_download() as download_info:
        lista.get_by_role("link", name="PDF för Styrelsepaket").first.click()
    pdf = PdfReader(download_info.value.path())
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert "SF 2026/14" in text
    assert "Nyckeltal" in text

    page.set_viewport_size({"width": 390, "height": 844})
    page.visit("/uppfoljning/styrelse/?period=forra_aret")
    page.assert_accessible()
    page.screenshot(path=str(SCREENSHOTS / "styrelse-mobil.png"), full_page=True)
