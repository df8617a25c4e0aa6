"""Order a report in the browser; a real Celery worker makes it; download and read it back."""

import io

from openpyxl import load_workbook
from pypdf import PdfReader

from finsam.demo_accounts import DEMO_PASSWORD


def test_order_report_watch_progress_and_download(page, demo_data, celery_worker_process):
    page.login("chef", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Rapporter").click()
    page.assert_accessible()
    page.get_by_role("combobox", name="Rapport").select_option("helar")
    page.get_by_role("spinbutton", name="År").fill("2025")
    page.get_by_role("button", name="Beställ rapport").click()
    assert "Årsrapport 2025 är beställd" in page.get_by_role("status").inner_text()
    # The list polls with htmx until the worker has finished.
    table = page.locator("#rapportlista")
    table.get_by_text("Klar", exact=True).wait_for(timeout=60_000)
    page.assert_accessible()

    with page.expect_download() as download_info:
        table.get_by_role("link", name="PDF för Årsrapport 2025").click()
    pdf = PdfReader(download_info.value.path())
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert "Årsrapport 2025" in text
    assert "Samordningsförbundet Bergslagsdalen" in text
    assert "Metod och definitioner" in text
    assert "sida 2 av" in text

    with page.expect_download() as download_info:
        table.get_by_role("link", name="Excel för Årsrapport 2025").click()
    with open(download_info.value.path(), "rb") as handle:
        workbook = load_workbook(io.BytesIO(handle.read()))
    assert workbook.sheetnames[0] == "README"
    assert workbook["README"]["B1"].value == "Årsrapport 2025"

    table.get_by_role("link", name="Årsrapport 2025", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == "Årsrapport 2025"
    assert page.get_by_role("heading", name="Sammanfattning").count() == 1
    page.assert_accessible()
