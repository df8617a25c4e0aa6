"""Smoke test of the web sections of the benchmark (2 PDF, 3 pages, 4 load) on tiny data: each
runs end to end, its requests are answered as a real user would be answered, and its rows carry
the figures the runner prints. No timing is asserted: performance goals live in the benchmark
run (``python -m bench``), never in tests."""

import datetime as dt
from types import SimpleNamespace

import pytest

from bench import load, pages, pdf
from bench.accounts import ensure_users
from deltagare.models import Deltagande
from finsam.models import User
from finsam.permissions import insatser_granted
from insatser.models import Insats
from tests.deltagare.factories import (
    make_pnr,
    person_insats,
    register_anonymous,
    register_identified,
    staff_on,
)
from tests.factories import forbund_with_members

D = dt.date


def _populate(forbund, n_identified: int, n_anonymous: int, serial: int):
    insats = person_insats(forbund, kod="UNGA", namn="Ungdomsteamet", status="PAGAENDE")
    user = staff_on(insats)
    for i in range(n_identified):
        register_identified(insats, user, pnr=make_pnr(D(1990, 1, 1 + i), serial + i))
    for _ in range(n_anonymous):
        register_anonymous(insats, user, inskrivning=D(2025, 3, 1))
    return insats


@pytest.fixture
def bench_data():
    """A large and a small förbund (12 and 2 participations), the bench users in the large."""
    large = forbund_with_members(kommun_koder=("2083",))
    small = forbund_with_members(kommun_koder=("2084",))
    insats = _populate(large, 6, 6, serial=100)
    _populate(small, 1, 1, serial=300)
    ensure_users(forbund=large, medlem=insats.personuppgiftsansvarig)
    return SimpleNamespace(
        large_forbund_id=large.pk, report_year=2025, quick=True, cores=2, insats=insats
    )


@pytest.mark.django_db
def test_pdf_section_renders_the_report_and_a_floor_with_as_many_pages(bench_data):
    (r,) = pdf.run(bench_data)
    assert r["section"] == "2 pdf"
    assert r["pages"] >= 4  # cover, contents, summary, sections, method
    assert r["floor_pages"] == r["pages"]
    assert r["tables"] > 10
    assert r["value"] > 0
    assert r["floor"] > 0
    assert r["ratio"] == pytest.approx(r["value"] / r["floor"], rel=1e-2)
    assert r["floor_untagged"] > 0
    assert r["ratio_untagged"] == pytest.approx(r["value"] / r["floor_untagged"], rel=1e-2)


def test_floor_is_tagged_like_the_report_and_its_untagged_twin_is_not():
    from io import BytesIO

    from pypdf import PdfReader

    html = pdf.plain_html(
        {
            "meta": {"forbund": "F", "period": {"start": "2025-01-01", "slut": "2025-06-30"}},
            "nyckeltal": [],
            "sektioner": [],
        }
    )
    tagged = PdfReader(BytesIO(pdf.plain_pdf(html))).trailer["/Root"]
    untagged = PdfReader(BytesIO(pdf.plain_pdf(html, tagged=False))).trailer["/Root"]
    assert "/StructTreeRoot" in tagged
    assert tagged["/MarkInfo"]["/Marked"]
    assert "/StructTreeRoot" not in untagged


def test_plain_floor_document_has_every_table_row_of_the_snapshot():
    snapshot = {
        "meta": {"forbund": "F", "period": {"start": "2025-01-01", "slut": "2025-06-30"}},
        "nyckeltal": [{"key": "a", "label": "A", "value": 3}],
        "sektioner": [
            {
                "key": "s",
                "title": "S",
                "tables": [
                    {"title": "T", "columns": ["x", "y"], "rows": [["r1", {"n": 1, "N": 4}]] * 7}
                ],
            }
        ],
    }
    method = pdf.method_html(SimpleNamespace(data_cutoff=None), snapshot)
    html = pdf.plain_html(snapshot, method=method, extra_pages=2)
    assert html.count("<tr>") == 8  # header + 7 rows
    assert "1 av 4" in html
    assert "<style" not in html
    assert "<svg" not in html
    # The same text as the report's method page, from the report's own template.
    assert "<strong>Aktiv under perioden:</strong>" in html
    assert "Alla siffror gäller perioden 2025-01-01 – 2025-06-30" in html


@pytest.mark.django_db
def test_pages_section_measures_four_pages_with_equal_query_counts_small_and_large(bench_data):
    before = Deltagande.objects.count()
    rows = pages.run(bench_data)
    by_key = {r["measure"]: r for r in rows}
    page_rows = [r for r in rows if r["measure"].endswith("p95")]
    assert len(page_rows) == 4
    for r in page_rows:
        assert r["section"] == "3 sidor"
        assert r["queries"] > 3
        assert r["queries_small"] == r["queries"], r["measure"]
        assert r["floor"] > 0
        assert r["ratio"] > 0
    assert "Minimal vy (golv) median" in by_key
    # Every registration POST created its participation (warm-up, timed and counted ones) in
    # the large förbund, and the small-förbund measurement (committed, as at the large one: the
    # exact caches are only used outside a transaction that has written) two in the small one.
    registrations = pages.QUICK_WARMUP + pages.QUICK_REQUESTS + 2  # + query count (warm, counted)
    assert Deltagande.objects.count() == before + registrations + 2
    assert Deltagande.objects.filter(insats=bench_data.insats).count() == 12 + registrations
    # The bench users are back in the large förbund only, with no grant left in the small one.
    handlaggare = User.objects.get(username="bench_handlaggare")
    assert set(handlaggare.roller.values_list("forbund", flat=True)) == {
        bench_data.large_forbund_id
    }
    small = Insats.objects.exclude(forbund_id=bench_data.large_forbund_id)
    assert not insatser_granted(user=handlaggare, queryset=small).exists()


@pytest.mark.django_db
def test_minimal_view_exists_only_in_the_bench_urlconf(bench_data):
    from django.test import override_settings

    from bench.accounts import logged_in_client

    c = logged_in_client("handlaggare")
    assert c.get(pages.MINIMAL_URL).status_code == 404
    with override_settings(ROOT_URLCONF="bench.urls"):
        response = c.get(pages.MINIMAL_URL)
        assert response.status_code == 200
        assert response["Content-Security-Policy"]  # through the same middleware


@pytest.mark.slow
# gunicorn must see the data, so it is committed; serialized rollback puts the reference tables
# the migrations seeded (code lists, kommuner) back after the flush, for later tests.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_load_section_runs_gunicorn_on_loopback_and_stops_it(bench_data):
    before = Deltagande.objects.count()
    rows = load.run(bench_data)
    steps, summary = rows[:-1], rows[-1]
    assert [r["clients"] for r in steps] == list(load.QUICK_STEPS[: len(steps)])
    assert all(r["errors"] == 0 for r in rows), rows
    assert all(r["requests"] > 0 for r in steps)
    assert summary["cores"] == 2
    # Registrations went through gunicorn into this database: one per loop of each client.
    assert Deltagande.objects.count() > before
