import datetime as dt
import hashlib
import io
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from pypdf import PdfReader

from insatser.models import Insats
from tests.factories import InsatsFactory
from uppfoljning.formatting import sv_number, sv_percent
from uppfoljning.models import Rapport, RapportStatus, RapportTyp, Variant
from uppfoljning.rendering import FetchRefused, render_pdf, static_only_url_fetcher
from uppfoljning.services import rapport_build, rapport_order, rapport_reorder, rapport_sweep
from uppfoljning.stats import half_year

pytestmark = pytest.mark.django_db
H1 = half_year(2025)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def pdf_text(field) -> str:
    with field.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


def order_and_build(forbund, chef, **kwargs):
    rapport = rapport_order(
        forbund=forbund, user=chef, typ=kwargs.pop("typ", RapportTyp.HALVAR), period=H1, **kwargs
    )
    rapport_build(rapport_id=rapport.pk)
    rapport.refresh_from_db()
    return rapport


@given(st.integers(min_value=-(2**53), max_value=2**53))
def test_whole_numbers_format_as_the_general_path_does(value):
    """sv_number's shortcut for whole numbers gives the text of its general (Decimal) path,
    which a Decimal or an integral float takes."""
    assert sv_number(value) == sv_number(Decimal(value)) == sv_number(float(value))


def test_swedish_number_formatting():
    assert sv_number(1234567) == "1\u00a0234\u00a0567"
    assert sv_number(-1500) == "−1\u00a0500"
    assert sv_number(2.25, 1) == "2,3"
    assert sv_percent(1, 8) == "12,5\u00a0%"
    assert sv_percent(3, 0) == "–"


def test_order_saves_the_row_first_as_queued(forbund, chef):
    rapport = rapport_order(forbund=forbund, user=chef, typ=RapportTyp.HALVAR, period=H1)
    assert rapport.status == RapportStatus.KOAD
    assert rapport.titel == "Halvårsrapport 2025"


def test_build_stores_pdf_and_excel_with_their_checksums(forbund, chef):
    InsatsFactory(
        status="PAGAENDE", forbund=forbund, startdatum=dt.date(2025, 2, 1), namn="Ungdomsteamet"
    )
    rapport = order_and_build(forbund, chef)
    assert rapport.status == RapportStatus.KLAR
    assert rapport.progress == 100
    with rapport.pdf.open("rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == rapport.pdf_sha256
    with rapport.xlsx.open("rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == rapport.xlsx_sha256
    text = pdf_text(rapport.pdf)
    assert "Halvårsrapport 2025" in text
    assert forbund.namn in text
    assert "sida 1 av" in text
    assert "Metod och definitioner" in text
    assert "minst en dag" in text
    assert "Aktiva deltagare per åldersgrupp och kön" in text  # an SVG chart, drawn
    with rapport.xlsx.open("rb") as handle:
        workbook = load_workbook(io.BytesIO(handle.read()))
    assert workbook.sheetnames[0] == "README"
    sheet = next(ws for ws in workbook.worksheets if ws.title.startswith("Insatser per"))
    assert [c.value for c in sheet[2]] == ["Deltagare per person", 1, 1, 0]
    assert isinstance(sheet["B2"].value, int)


def test_every_page_after_the_cover_has_the_running_header(forbund, chef):
    rapport = order_and_build(forbund, chef)
    with rapport.pdf.open("rb") as handle:
        pages = [page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages]
    header = f"{forbund.namn} · Halvårsrapport 2025 · 2025-01-01 – 2025-06-30"
    assert header not in pages[0]  # the cover has none
    assert len(pages) > 3
    for number, text in enumerate(pages[1:], start=2):
        assert text.count(header) == 1, number
        assert f"sida {number} av {len(pages)}" in text


def test_building_again_changes_nothing_and_never_duplicates(forbund, chef):
    rapport = order_and_build(forbund, chef)
    sha = rapport.pdf_sha256
    rapport_build(rapport_id=rapport.pk)
    rapport.refresh_from_db()
    assert rapport.pdf_sha256 == sha
    assert Rapport.objects.count() == 1


def test_finished_report_is_frozen_when_data_changes(forbund, chef):
    InsatsFactory(status="PAGAENDE", forbund=forbund, startdatum=dt.date(2025, 2, 1))
    rapport = order_and_build(forbund, chef)
    snapshot, sha = rapport.snapshot, rapport.pdf_sha256
    Insats.objects.update(startdatum=dt.date(2026, 1, 1))
    InsatsFactory.create_batch(
        3, status="PAGAENDE", forbund=forbund, startdatum=dt.date(2025, 3, 1)
    )
    rapport.refresh_from_db()
    assert rapport.snapshot == snapshot
    assert rapport.pdf_sha256 == sha


def test_reorder_makes_a_new_row_and_shows_what_changed(forbund, chef, login):
    rapport = order_and_build(forbund, chef)
    InsatsFactory.create_batch(
        2, status="PAGAENDE", forbund=forbund, startdatum=dt.date(2025, 3, 1)
    )
    new = rapport_reorder(rapport=rapport, user=chef)
    rapport_build(rapport_id=new.pk)
    assert Rapport.objects.count() == 2
    page = login(chef).get(f"/uppfoljning/rapporter/{new.uuid}/")
    assert "Ändringar sedan föregående version" in page.text
    assert "Aktiva insatser" in page.text


def test_masked_variant_hides_small_counts_in_tables(forbund, chef):
    rapport = order_and_build(forbund, chef, variant=Variant.STYRELSE)
    assert rapport.snapshot["meta"]["maskerad"] is True
    assert "<5" in str(rapport.snapshot) or rapport.snapshot["sektioner"]


def test_sweep_resends_reports_left_queued(forbund, chef):
    rapport = rapport_order(forbund=forbund, user=chef, typ=RapportTyp.HALVAR, period=H1)
    Rapport.objects.filter(pk=rapport.pk).update(
        bestalld_at=rapport.bestalld_at - dt.timedelta(minutes=5)
    )
    assert rapport_sweep() == 1


def test_url_fetcher_serves_static_files_only():
    fetcher = static_only_url_fetcher()
    response = fetcher.fetch("https://finsam.invalid/static/css/rapport-print.css")
    assert b"@page" in response.read()
    for url in (
        "http://127.0.0.1:8000/",
        "file:///etc/passwd",
        "https://example.com/static/css/rapport-print.css",
        "https://finsam.invalid/static/../../finsam/settings.py",
        "https://finsam.invalid/media/rapporter/x.pdf",
    ):
        with pytest.raises((FetchRefused, ValueError)):
            fetcher.fetch(url)


def test_pdf_rendering_makes_no_network_request():
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        html = (
            f'<html><head><link rel="stylesheet" href="http://127.0.0.1:{port}/x.css"></head>'
            f'<body><img src="http://127.0.0.1:{port}/bild.png"><img src="file:///etc/hostname">'
            "<p>Hej</p></body></html>"
        )
        pdf = render_pdf(html)
    finally:
        server.shutdown()
    assert pdf.startswith(b"%PDF")
    assert hits == []


def test_report_pages_are_scoped_and_role_checked(forbund, other_forbund, chef, styrelse, login):
    from tests.factories import user_with_role

    mine = order_and_build(forbund, chef)
    foreign_chef = user_with_role(other_forbund, "forbundschef")
    foreign = order_and_build(other_forbund, foreign_chef)
    client = login(chef)
    assert client.get(f"/uppfoljning/rapporter/{mine.uuid}/").status_code == 200
    assert client.get(f"/uppfoljning/rapporter/{foreign.uuid}/").status_code == 404
    assert client.get(f"/uppfoljning/rapporter/{foreign.uuid}/fil.pdf").status_code == 404
    assert client.get(f"/uppfoljning/rapporter/{mine.uuid}/fil.pdf").status_code == 200
    # The board sees only the masked board variant, never the working version.
    board = login(styrelse)
    assert board.get(f"/uppfoljning/rapporter/{mine.uuid}/").status_code == 404
    assert board.post("/uppfoljning/rapporter/", {"typ": "halvar", "ar": 2025}).status_code == 404
    board_version = order_and_build(forbund, chef, variant=Variant.STYRELSE)
    assert board.get(f"/uppfoljning/rapporter/{board_version.uuid}/").status_code == 200


def test_order_form_rejects_bad_input_with_swedish_messages(forbund, chef, login):
    client = login(chef)
    before = Rapport.objects.count()
    cases = [
        ({"typ": "halvar", "ar": ""}, "Ange vilket år"),
        ({"typ": "egen", "fran": "2025-05-01", "till": "2025-01-01"}, "före den första"),
        ({"typ": "halvar", "ar": "3000"}, "framtiden"),
        ({"typ": "egen", "fran": "inte ett datum", "till": "2025-01-01"}, "giltigt datum"),
        ({"typ": "något", "ar": "2025"}, "giltigt alternativ"),
    ]
    for data, message in cases:
        response = client.post("/uppfoljning/rapporter/", data)
        assert response.status_code == 200
        assert message in response.text, data
    assert Rapport.objects.count() == before


def test_report_list_query_count_is_constant(forbund, chef, login, django_assert_max_num_queries):
    client = login(chef)
    for n in (2, 20):
        while Rapport.objects.count() < n:
            rapport_order(forbund=forbund, user=chef, typ=RapportTyp.HALVAR, period=H1)
        with django_assert_max_num_queries(12):
            assert client.get("/uppfoljning/rapporter/").status_code == 200


def test_beat_drafts_half_year_on_1_july_and_notifies_the_chef(forbund, chef, login):
    from finsam.models import Notis
    from uppfoljning.services import rapporter_draft_periodic

    assert rapporter_draft_periodic(today=dt.date(2026, 3, 1)) == []
    drafted = rapporter_draft_periodic(today=dt.date(2026, 7, 1))
    assert [(r.typ, r.period_start, r.period_slut) for r in drafted] == [
        (RapportTyp.HALVAR, dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    ]
    assert rapporter_draft_periodic(today=dt.date(2026, 7, 1)) == []  # idempotent
    annual = rapporter_draft_periodic(today=dt.date(2027, 1, 1))
    assert annual[0].typ == RapportTyp.HELAR
    assert annual[0].period_start == dt.date(2026, 1, 1)
    notice = Notis.objects.get(user=chef, text__contains="halvårsrapport")
    assert "halvårsrapport 2026" in notice.text
    client = login(chef)
    page = client.get("/forbund/")
    assert "Notiser" in page.text
    assert notice.text in page.text
    client.post("/notiser/las/", {"notis": notice.pk})
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_a_notice_of_another_user_cannot_be_marked_read(forbund, chef, styrelse, login):
    from finsam.models import Notis

    notice = Notis.objects.create(user=chef, forbund=forbund, text="Till chefen")
    login(styrelse).post("/notiser/las/", {"notis": notice.pk})
    notice.refresh_from_db()
    assert notice.read_at is None


def reset_broker_connections(app):
    """Drop the pooled broker connections (kombu keeps them in global registries keyed by
    URL) so the next send connects to ``broker_url`` afresh."""
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.mark.slow
def test_order_while_redis_is_down_is_kept_and_sent_when_it_is_back(
    transactional_db, forbund, chef, login, settings, tmp_path
):
    import time

    from finsam.celery import app
    from tests.worker import WorkerProcess

    worker = WorkerProcess()
    previous = (app.conf.broker_url, app.conf.task_default_queue)
    app.conf.task_default_queue = worker.queue
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens there: "Redis is down"
    reset_broker_connections(app)
    try:
        response = login(chef).post("/uppfoljning/rapporter/", {"typ": "halvar", "ar": "2025"})
        assert response.status_code == 302
        rapport = Rapport.objects.get()
        assert rapport.status == RapportStatus.KOAD  # saved, nothing half-written
        assert not rapport.pdf
    finally:
        app.conf.broker_url = previous[0]
        reset_broker_connections(app)
    try:
        worker.start().wait_until_ready()
        Rapport.objects.filter(pk=rapport.pk).update(
            bestalld_at=rapport.bestalld_at - dt.timedelta(minutes=5)
        )
        assert rapport_sweep() == 1
        deadline = dt.datetime.now() + dt.timedelta(seconds=240)  # noqa: DTZ005
        while dt.datetime.now() < deadline:  # noqa: DTZ005
            rapport.refresh_from_db()
            if rapport.status == RapportStatus.KLAR:
                break
            time.sleep(0.5)
        assert rapport.status == RapportStatus.KLAR
    finally:
        app.conf.task_default_queue = previous[1]
        worker.stop()


@pytest.mark.slow
def test_report_ordered_with_no_worker_completes_when_the_worker_starts(
    transactional_db, forbund, chef
):
    import time

    from finsam.celery import app
    from tests.worker import WorkerProcess

    worker = WorkerProcess()
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = worker.queue
    try:
        rapport = rapport_order(forbund=forbund, user=chef, typ=RapportTyp.HALVAR, period=H1)
        time.sleep(1)
        rapport.refresh_from_db()
        assert rapport.status == RapportStatus.KOAD
        worker.start().wait_until_ready()
        for _ in range(480):  # generous: a loaded CI machine renders slowly
            rapport.refresh_from_db()
            if rapport.status == RapportStatus.KLAR:
                break
            time.sleep(0.5)
        assert rapport.status == RapportStatus.KLAR
        assert rapport.pdf_sha256
    finally:
        app.conf.task_default_queue = previous
        worker.stop()
