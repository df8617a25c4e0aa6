"""The board's dashboard: masked like the reports, equal to the reports, never a participation."""

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deltagare import kodlistor, services
from deltagare.models import Deltagande
from tests.deltagare.factories import (
    end_identified,
    make_pnr,
    person_insats,
    register_anonymous,
    register_identified,
    staff_on,
)
from tests.factories import user_with_role
from uppfoljning.dashboard import build_dashboard, period_for, year_earlier
from uppfoljning.masking import MASK, mask_snapshot
from uppfoljning.stats import build_snapshot, full_year, half_year

pytestmark = pytest.mark.django_db
D = dt.date
Y2025 = full_year(2025)
SMALL = re.compile(r"^[1-4]$")
PNRS = [make_pnr(D(1999, 1, 1 + i), 200 + i) for i in range(5)]


@pytest.fixture
def data(forbund):
    """Twelve participations in one insats: 7 women (5 identified), 3 men, 2 X."""
    kodlistor.ensure_loaded()
    insats = person_insats(forbund, kod="UNGA", namn="Ungdomsteamet", status="PAGAENDE")
    user = staff_on(insats)
    for i in range(5):
        d = register_identified(
            insats,
            user,
            pnr=PNRS[i],
            inskrivning=D(2025, 2, 1),
            samtycke=services.SamtyckeInput(datum=D(2025, 2, 1), satt="PERSONLIGEN"),
            kon="K",
        )
        if i < 3:
            end_identified(d, user, D(2025, 9, 30))
    for kon, n in (("K", 2), ("M", 3), ("X", 2)):
        for _ in range(n):
            register_anonymous(insats, user, inskrivning=D(2025, 3, 1), kon=kon, fodelsear=1990)
    return forbund


def svg_texts(svg: str) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")]


def test_periods_and_comparison():
    today = D(2026, 11, 23)
    assert period_for("i_ar", today).start == D(2026, 1, 1)
    assert period_for("halvar", today) == half_year(2026)
    assert period_for("forra_aret", today) == Y2025
    assert year_earlier(Y2025) == full_year(2024)


# What the dashboard shows of a report: these key figures and tables, masked alike.
DASHBOARD_FIGURES = {
    "deltagare_aktiva",
    "deltagare_nya",
    "deltagare_avslutade",
    "unga",
    "offentlig_fore",
    "offentlig_efter",
    "arbete_studier_fore",
    "arbete_studier_efter",
    "kostnad_per_deltagare",
}
DASHBOARD_TABLES = {
    "per_insats",
    "kostnad_per_insats",
    "offentlig_forandring",
    "sysselsattning_fore_efter",
}


def dashboard_part(snapshot: dict) -> tuple[dict, dict]:
    """The key figures and tables of ``snapshot`` that the dashboard shows, by key."""
    figures = {f["key"]: f for f in snapshot["nyckeltal"] if f["key"] in DASHBOARD_FIGURES}
    tables = {
        t["key"]: t
        for section in snapshot["sektioner"]
        for t in section["tables"]
        if t["key"] in DASHBOARD_TABLES
    }
    assert set(figures) == DASHBOARD_FIGURES
    assert set(tables) == DASHBOARD_TABLES
    return figures, tables


def test_figures_equal_the_report_statistics_of_the_same_period(data):
    dashboard = build_dashboard(forbund=data, period=Y2025, today=D(2026, 11, 23))
    report = mask_snapshot(build_snapshot(forbund=data, period=Y2025))
    assert dashboard_part(dashboard.snapshot) == dashboard_part(report)
    earlier = mask_snapshot(build_snapshot(forbund=data, period=full_year(2024)))
    assert dashboard_part(dashboard.previous) == dashboard_part(earlier)
    figures = {f["key"]: f for f in dashboard.figures}
    assert figures["deltagare_aktiva"]["value"] == 12
    assert figures["deltagare_avslutade"]["value"] == MASK  # 3 ended
    assert figures["deltagare_aktiva"]["change"] == 12  # nothing the year before


def test_no_count_between_one_and_four_is_shown_anywhere(data):
    dashboard = build_dashboard(forbund=data, period=Y2025, today=D(2026, 11, 23))
    for figure in dashboard.figures:
        for key in ("value", "n", "N", "change"):
            value = figure.get(key)
            assert not (isinstance(value, int) and 0 < value < 5), (figure, key)
    for month in dashboard.per_month:
        for kon in ("K", "M", "X"):
            assert not (isinstance(month[kon], int) and 0 < month[kon] < 5)
    for row in dashboard.insats_rows:
        for key in ("deltagare", "kvinnor", "man", "avslutade"):
            assert not (isinstance(row[key], int) and 0 < row[key] < 5), (row, key)
    for name, svg in dashboard.charts.items():
        if name == "budget":
            continue  # kronor, not persons
        for text in svg_texts(svg):
            assert not SMALL.match(text.strip()), (name, text)
        desc = ET.fromstring(svg).find("{http://www.w3.org/2000/svg}desc").text
        assert not re.search(r": [1-4](?![\d,])", desc), (name, desc)


def test_page_and_every_link_on_it_show_no_participation(data, styrelse, login):
    client = login(styrelse)
    page = client.get("/uppfoljning/styrelse/?period=forra_aret")
    assert page.status_code == 200
    numbers = list(Deltagande.objects.values_list("nummer", flat=True))
    links = set(re.findall(r'href="([^"#]+)"', page.text))
    assert links
    for link in links:
        assert "/deltagare/" not in link
        if link.startswith("/static/"):
            continue
        response = client.get(link.replace("&amp;", "&"))
        assert response.status_code in (200, 302, 404), link
        body = response.content.decode(errors="ignore")
        assert not any(n in body for n in numbers), link
        for pnr in PNRS:
            assert pnr not in body, link
            assert f"{pnr[2:8]}-{pnr[8:]}" not in body, link
    # and the participant pages themselves stay closed to the board
    one = Deltagande.objects.first()
    assert client.get(f"/deltagare/{one.uuid}/").status_code == 404


def test_sorting_by_any_column(data, forbund, styrelse, login):
    person_insats(forbund, kod="MOB", namn="Mobilisering", status="PAGAENDE")
    client = login(styrelse)
    for key in ("insats", "deltagare", "avslutade", "arbete_studier", "kostnad", "per_deltagare"):
        for order in ("stigande", "fallande"):
            response = client.get(
                f"/uppfoljning/styrelse/?period=forra_aret&sortera={key}&ordning={order}"
            )
            assert response.status_code == 200
    up = client.get("/uppfoljning/styrelse/?period=forra_aret&sortera=deltagare&ordning=stigande")
    down = client.get("/uppfoljning/styrelse/?period=forra_aret&sortera=deltagare&ordning=fallande")
    assert up.text.index("MOB Mobilisering") < up.text.index("UNGA Ungdomsteamet")
    assert down.text.index("UNGA Ungdomsteamet") < down.text.index("MOB Mobilisering")


def test_board_level_insats_page_shows_aggregates_only(data, styrelse, login):
    response = login(styrelse).get("/uppfoljning/styrelse/insats/UNGA/?period=forra_aret")
    assert response.status_code == 200
    assert "Ungdomsteamet" in response.text
    assert not any(n in response.text for n in Deltagande.objects.values_list("nummer", flat=True))
    assert login(styrelse).get("/uppfoljning/styrelse/insats/FINNSINTE/").status_code == 404


def test_insats_of_another_forbund_is_404(data, other_forbund, styrelse, login):
    person_insats(other_forbund, kod="ANNAN", status="PAGAENDE")
    assert login(styrelse).get("/uppfoljning/styrelse/insats/ANNAN/").status_code == 404


def test_dashboard_query_count_does_not_grow_with_participations(data, forbund, styrelse, login):
    insats = Deltagande.objects.first().insats
    client = login(styrelse)
    counts = []
    for extra in (10, 400):
        Deltagande.objects.bulk_create(
            Deltagande(
                forbund=forbund,
                insats=insats,
                nummer=f"Y-{extra}-{i}",
                kon_id="KMX"[i % 3],
                fodelsear=1980 + i % 30,
                inskrivning=D(2025, 1, 1) + dt.timedelta(days=i % 300),
            )
            for i in range(extra)
        )
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/uppfoljning/styrelse/?period=i_ar").status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("role", ["handlaggare", "ekonomi", "nationell"])
def test_other_roles_do_not_get_the_board_dashboard(data, forbund, login, role):
    user = user_with_role(forbund, role)
    assert login(user).get("/uppfoljning/styrelse/").status_code == 404


def test_bad_period_input_gets_a_swedish_message(data, styrelse, login):
    response = login(styrelse).get(
        "/uppfoljning/styrelse/?period=egen&fran=2025-05-01&till=2025-01-01"
    )
    assert response.status_code == 200
    assert "före den första" in response.text


def test_styrelsepaket_is_a_masked_pdf_in_the_archive(data, styrelse, login, settings, tmp_path):
    import io

    from pypdf import PdfReader

    from uppfoljning.models import Rapport, RapportStatus, RapportTyp, Variant
    from uppfoljning.services import rapport_build

    settings.MEDIA_ROOT = tmp_path
    client = login(styrelse)
    response = client.post(
        "/uppfoljning/styrelse/paket/?period=forra_aret", {"diarienummer": "SF 2026/14"}
    )
    assert response.status_code == 302
    rapport = Rapport.objects.get()
    assert (rapport.typ, rapport.variant) == (RapportTyp.STYRELSEPAKET, Variant.STYRELSE)
    assert (rapport.period_start, rapport.period_slut) == (Y2025.start, Y2025.slut)
    rapport_build(rapport_id=rapport.pk)
    rapport.refresh_from_db()
    assert rapport.status == RapportStatus.KLAR
    with rapport.pdf.open("rb") as handle:
        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(handle.read())).pages)
    assert "Styrelsepaket" in text
    assert "SF 2026/14" in text
    assert "Aktiva deltagare" in text
    assert "UNGA Ungdomsteamet" in text
    # The board finds it in the archive and may download it.
    assert client.get(f"/uppfoljning/rapporter/{rapport.uuid}/fil.pdf").status_code == 200


def test_too_long_diarienummer_changes_nothing(data, styrelse, login):
    from uppfoljning.models import Rapport

    login(styrelse).post("/uppfoljning/styrelse/paket/", {"diarienummer": "x" * 41})
    assert Rapport.objects.count() == 0


def test_insats_links_are_the_paths_reverse_gives():
    from django.urls import reverse

    from uppfoljning.views_styrelse import insats_links

    rows = [{"kod": kod} for kod in ("UNGA", "ÅÄÖ-1", "a_b", "IPS2")]
    insats_links(rows, "period=egen&fran=2025-01-01")
    for row in rows:
        path = reverse("uppfoljning:styrelse_insats", kwargs={"kod": row["kod"]})
        assert row["url"] == f"{path}?period=egen&fran=2025-01-01"
    insats_links(rows, "")
    assert rows[1]["url"] == reverse("uppfoljning:styrelse_insats", kwargs={"kod": "ÅÄÖ-1"})


# The per-insats rows as the template wrote them before the ``styrelse_rader`` tag.
ROWS_TEMPLATE = """{% load rapport %}{% for row in rows %}
        <tr>
          <th scope="row"><a href="{{ row.url }}">{{ row.label }}</a></th>
          <td class="num">{{ row.deltagare|cell }} {% spark row.deltagare peak_deltagare %}</td>
          <td class="num">{{ row.kvinnor|cell }} / {{ row.man|cell }}</td>
          <td class="num">{{ row.avslutade|cell }}</td>
          <td class="num">{{ row.arbete_studier|cell }} {% spark row.arbete_studier|share_pct 100 %}</td>
          <td class="num">{{ row.kostnad|sv_kr }}</td>
          <td class="num">{% if row.per_deltagare is not None %}{{ row.per_deltagare|sv_kr }} {% spark row.per_deltagare peak_kostnad %}{% else %}–{% endif %}</td>
        </tr>
      {% empty %}
        <tr><td colspan="7">Inga insatser under perioden.</td></tr>
      {% endfor %}"""  # noqa: E501 - the template's own lines


def test_per_insats_rows_are_the_bytes_the_template_wrote(data):
    from django.template import engines

    from uppfoljning.templatetags.rapport import styrelse_rader

    dashboard = build_dashboard(forbund=data, period=Y2025, today=D(2026, 11, 23))
    rows = [
        dict(r, url=f"/x/{r['kod']}/?period=egen&fran=2025-01-01") for r in dashboard.insats_rows
    ]
    rows.append(
        {
            "url": "/x/<B>/",
            "label": "B&B <insats>",
            "kod": "B",
            "deltagare": MASK,
            "kvinnor": 0,
            "man": MASK,
            "avslutade": 1234,
            "arbete_studier": {"n": 3, "N": 7},
            "kostnad": 1_234_567,
            "per_deltagare": None,
        }
    )
    reference = engines["django"].from_string(ROWS_TEMPLATE)
    for some in (rows, rows[:1], []):
        context = {"rows": some, "peak_deltagare": 12, "peak_kostnad": 50_000}
        assert styrelse_rader(some, 12, 50_000) == reference.render(context)


def test_period_and_paket_fields_are_the_bytes_django_writes():
    """The dashboard's form fields (finsam's falt tag and Plain widgets) write what Django's
    widgets through _field.html write, with and without errors."""
    from django import forms
    from django.template.loader import get_template

    from finsam.templatetags.falt import falt
    from uppfoljning.forms import DashboardPeriodForm, StyrelsepaketForm

    class DjangoPeriodForm(DashboardPeriodForm):
        period = forms.ChoiceField(
            label="Period",
            choices=DashboardPeriodForm.base_fields["period"].choices,
            required=False,
        )
        fran = forms.DateField(
            label="Från", required=False, widget=forms.DateInput(attrs={"type": "date"})
        )
        till = forms.DateField(
            label="Till", required=False, widget=forms.DateInput(attrs={"type": "date"})
        )

    class DjangoPaketForm(StyrelsepaketForm):
        diarienummer = forms.CharField(
            label=StyrelsepaketForm.base_fields["diarienummer"].label,
            max_length=40,
            required=False,
            help_text=StyrelsepaketForm.base_fields["diarienummer"].help_text,
        )

    field_html = get_template("_field.html")
    for data in (None, {"period": "egen", "fran": "2025-05-01", "till": "2025-01-01"}):
        ours, django = DashboardPeriodForm(data), DjangoPeriodForm(data)
        if data:
            assert not ours.is_valid()
            assert not django.is_valid()
        for name in ("period", "fran", "till"):
            assert falt(ours[name]) == field_html.render({"field": django[name]})
    for data in (None, {"diarienummer": "x" * 41}):
        ours, django = StyrelsepaketForm(data), DjangoPaketForm(data)
        assert falt(ours["diarienummer"]) == field_html.render({"field": django["diarienummer"]})
