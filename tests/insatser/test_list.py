"""The insats list: filters, sorting, paging, constant query count and the Excel export."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from insatser import services
from insatser.models import Insats
from tests.insatser.factories import full_insats, region, struktur_insats, volym_insats

pytestmark = pytest.mark.django_db


def make_many(forbund, chef, n):
    first = Insats.objects.filter(forbund=forbund).count()
    for i in range(first, first + n):
        insats = full_insats(forbund, user=chef, kod=f"I{i:03d}", namn=f"Insats {i:03d}")
        services.budget_set(insats=insats, user=chef, ar=2026, belopp=Decimal(1000 + i))
        services.kostnader_set_year(
            insats=insats, user=chef, ar=2026, belopp_by_month={1: Decimal(10), 2: Decimal(i)}
        )


@pytest.mark.parametrize("n", [5, 50])
def test_list_query_count_is_bounded(forbund, chef, login, django_assert_max_num_queries, n):
    make_many(forbund, chef, n)
    client = login(chef)
    with django_assert_max_num_queries(12):  # notices incl.; huvudman come with the rows
        response = client.get("/insatser/?ar=2026&sort=utfall&desc=on")
    assert response.status_code == 200
    assert response.text.count("<td>I0") == min(n, 25)


def test_list_query_count_does_not_grow_with_the_number_of_insatser(forbund, chef, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(chef)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/insatser/?sort=namn").status_code == 200
        return len(ctx.captured_queries)

    make_many(forbund, chef, 5)
    queries()  # warm the per-process caches (content types, session)
    counts = [queries()]
    make_many(forbund, chef, 45)
    counts.append(queries())
    assert counts[0] == counts[1]


@pytest.mark.parametrize("n", [5, 50])
def test_export_query_count_is_constant(forbund, chef, login, django_assert_max_num_queries, n):
    make_many(forbund, chef, n)
    client = login(chef)
    with django_assert_max_num_queries(12):  # notices incl.; huvudman come with the rows
        response = client.get("/insatser/export.xlsx")
    assert response.status_code == 200


def test_list_pages_by_25(forbund, chef, login):
    make_many(forbund, chef, 30)
    client = login(chef)
    first = client.get("/insatser/")
    assert "Sida 1 av 2" in first.text
    assert "I024" in first.text
    assert "I025" not in first.text
    second = client.get("/insatser/?sida=2")
    assert "I025" in second.text
    assert "I029" in second.text


def test_list_sorts_by_budget_descending(forbund, chef, login):
    make_many(forbund, chef, 3)
    text = login(chef).get("/insatser/?ar=2026&sort=budget&desc=on").text
    assert text.index("I002") < text.index("I001") < text.index("I000")
    assert 'aria-sort="descending"' in text


def test_filters_narrow_the_list(forbund, chef, login):
    full_insats(forbund, user=chef, kod="PERS", namn="Personinsatsen", status="PAGAENDE")
    volym_insats(forbund, user=chef, kod="VOL", namn="Volyminsatsen", huvudman=[region(forbund)])
    struktur_insats(
        forbund, user=chef, kod="STR", namn="Strukturinsatsen", startdatum=dt.date(2027, 1, 1),
        planerat_slutdatum=None,
    )  # fmt: skip
    client = login(chef)

    def codes(query):
        text = client.get(f"/insatser/?{query}").text
        return {kod for kod in ("PERS", "VOL", "STR") if f"<td>{kod}</td>" in text}

    assert codes("") == {"PERS", "VOL", "STR"}
    assert codes("status=PAGAENDE") == {"PERS"}
    assert codes("kategori=FOREB") == {"VOL"}
    assert codes("inriktning=STRUKTUR") == {"STR"}
    assert codes("registreringsform=VOLYM") == {"VOL"}
    assert codes(f"huvudman={region(forbund).uuid}") == {"VOL"}
    assert codes("ar=2025") == {"PERS", "VOL"}
    assert codes("ar=2027") == {"STR"}  # the others end (as planned) in 2026
    assert codes("q=struktur") == {"STR"}
    assert codes("q=volym+insatsen") == {"VOL"}


def test_bad_filter_values_do_not_break_the_list(forbund, chef, login):
    full_insats(forbund, user=chef, kod="PERS")
    volym_insats(forbund, user=chef, kod="VOL")
    response = login(chef).get(
        "/insatser/?ar=abc&status=NOPE&huvudman=x&sort=drop&sida=99&registreringsform=PERSON"
    )
    assert response.status_code == 200
    assert "<td>PERS</td>" in response.text
    assert "<td>VOL</td>" not in response.text  # the valid filter still applies
    assert "Ange ett årtal." in response.text


def test_export_applies_filters_and_lists_money(forbund, chef, login):
    make_many(forbund, chef, 2)
    volym_insats(forbund, user=chef, kod="VOL", namn='=HYPERLINK("x")')
    response = login(chef).get("/insatser/export.xlsx?registreringsform=PERSON&ar=2026")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Kod"
    assert [r[0] for r in rows[1:]] == ["I000", "I001"]
    assert rows[2][12:14] == (1001, 11)  # budget and utfall 2026
    everything = login(chef).get("/insatser/export.xlsx?q=HYPERLINK")
    cell = load_workbook(io.BytesIO(everything.content)).active["B2"].value
    assert cell.startswith("'=")  # never a live formula


def test_insats_page_query_count_does_not_grow_with_history_or_money(forbund, chef, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    insats = full_insats(forbund, user=chef)
    client = login(chef)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/insatser/{insats.uuid}/").status_code == 200
        return len(ctx.captured_queries)

    services.budget_set(insats=insats, user=chef, ar=2025, belopp=Decimal(1))
    queries()  # warm the per-process caches (content types, session)
    first = queries()
    for ar in range(2026, 2036):
        services.budget_set(insats=insats, user=chef, ar=ar, belopp=Decimal(ar))
        services.kostnader_set_year(
            insats=insats, user=chef, ar=ar, belopp_by_month={m: Decimal(m) for m in range(1, 13)}
        )
        services.medfinansiering_set(
            insats=insats, user=chef, finansiar="ESF+", ar=ar, belopp=Decimal(5)
        )
    assert insats.handelser.count() > 30
    assert queries() == first
    assert first <= 30


def test_every_sort_key_works_both_ways(forbund, chef, login):
    from insatser.selectors import SORTS

    make_many(forbund, chef, 3)
    volym_insats(
        forbund, user=chef, kod="VOL", huvudman=[region(forbund), *forbund.medlemmar.all()]
    )
    client = login(chef)
    for key in SORTS:
        for desc in ("", "&desc=on"):
            response = client.get(f"/insatser/?sort={key}{desc}")
            assert response.status_code == 200, key
            assert response.text.count("<td>VOL</td>") == 1, key  # no duplicate rows


def test_mina_query_count_does_not_grow_with_the_number_of_insatser(forbund, chef, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from finsam.permissions import DELTAGARANSVARIG, insats_grant
    from finsam.roles import Role
    from tests.factories import user_with_role
    from tests.insatser.factories import kommun_medlem

    user = user_with_role(forbund, Role.HANDLAGGARE, medlem=kommun_medlem(forbund))
    client = login(user)

    def grant_more(n, mode):
        for _ in range(n):
            insats = (volym_insats if mode == "VOLYM" else struktur_insats)(forbund, user=chef)
            insats_grant(user=user, insats=insats, perm=DELTAGARANSVARIG)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/insatser/mina/").status_code == 200
        return len(ctx.captured_queries)

    grant_more(2, "VOLYM")
    grant_more(2, "STRUKTUR")
    queries()  # the first request after log-in also touches the session
    first = queries()
    grant_more(10, "VOLYM")
    grant_more(10, "STRUKTUR")
    assert queries() == first


def test_list_rows_show_each_insats_as_the_templates_did(forbund, chef, login):
    """The rows' texts are prepared in the view: names of huvudman in Medlem order (escaped),
    the detail link, labels, ISO dates, money grouped, and a dash where a value is missing."""
    from django.utils.html import escape

    from forbund.models import Medlem, MedlemTyp

    odd = forbund.medlemmar.filter(typ=MedlemTyp.KOMMUN).order_by("namn").last()
    Medlem.objects.filter(pk=odd.pk).update(namn="A & <B> kommun")
    person = full_insats(
        forbund, user=chef, kod="PERS", status="PAGAENDE", huvudman=[region(forbund), odd]
    )
    services.budget_set(insats=person, user=chef, ar=2026, belopp=Decimal(1234567))
    services.kostnader_set_year(
        insats=person, user=chef, ar=2026, belopp_by_month={1: Decimal(1000), 2: Decimal(500)}
    )
    volym = volym_insats(forbund, user=chef, kod="VOL", huvudman=[], planerat_slutdatum=None)
    text = login(chef).get("/insatser/?ar=2026").text

    names = ", ".join(escape(m.namn) for m in person.huvudman.all())
    assert names.index("A &amp; &lt;B&gt; kommun") < names.index(escape(region(forbund).namn))
    assert f"<td>{names}</td>" in text
    assert f'<a href="/insatser/{person.uuid}/">{person.namn}</a>' in text
    assert '<span class="muted">Deltagare per person</span>' in text
    assert '<span class="badge badge--PAGAENDE">Pågående</span>' in text
    assert "<td>2025-01-01</td>\n        <td>2026-12-31</td>" in text
    assert '<td class="num">1\xa0234\xa0567</td>\n        <td class="num">1\xa0500</td>' in text
    row = text[text.index("<td>VOL</td>") :]
    row = row[: row.index("</tr>")]
    assert f'<a href="/insatser/{volym.uuid}/">' in row
    assert "<td>–</td>" in row  # no huvudman
    assert "<td>2025-01-01</td>\n        <td>–</td>" in row  # no planned end
    assert row.count('<td class="num">0</td>') == 2


def test_export_lists_huvudman_in_medlem_order(forbund, chef, login):
    insats = full_insats(
        forbund, user=chef, kod="PERS", huvudman=[region(forbund), *forbund.medlemmar.all()]
    )
    response = login(chef).get("/insatser/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["G2"].value == ", ".join(m.namn for m in insats.huvudman.all())


def _django_widget(widget):
    """The Django widget a Plain* widget stands in for, with the same attributes."""
    from django import forms

    from finsam.widgets import PlainNumberInput, PlainSelect, PlainTextInput

    if isinstance(widget, PlainSelect):
        return forms.Select(attrs=widget.attrs, choices=widget.choices)
    kind = {PlainTextInput: forms.TextInput, PlainNumberInput: forms.NumberInput}[type(widget)]
    return kind(attrs=widget.attrs)


@pytest.mark.parametrize("value", [None, "", "a&b", 3, ["a&b", 3], "missing"])
def test_plain_select_renders_the_bytes_of_djangos_select(value):
    """PlainSelect builds in Python what Django's select templates render; a Django upgrade that
    changes those templates fails here."""
    from finsam.widgets import PlainSelect

    choices = [
        ("", "Alla"),
        ("Grupp <1> & co", [("a&b", 'A "citat" <etikett>'), (3, "Tre")]),
        ('x"y', "Sist"),
    ]
    attrs = {"class": "a<b", "required": True, "disabled": False, "data-n": 5}
    widget = PlainSelect(attrs=attrs, choices=choices)
    for multiple in (False, True):
        widget.allow_multiple_selected = multiple
        reference = _django_widget(widget)
        reference.allow_multiple_selected = multiple
        rendered = widget.render("f<", value, attrs={"id": "id_f"})
        assert rendered == reference.render("f<", value, attrs={"id": "id_f"})
        assert "&lt;etikett&gt;" in rendered


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"status": "PAGAENDE", "kategori": "FOREB", "ar": "abc", "inriktning": "<x>"},
        {"q": '"a" & <b>', "ar": "2026", "registreringsform": "VOLYM"},
    ],
)
def test_filter_form_widgets_render_as_djangos(forbund, data):
    from finsam.widgets import PlainNumberInput, PlainSelect, PlainTextInput
    from forbund.models import Medlem, MedlemTyp
    from insatser.forms import ListFilterForm

    odd = forbund.medlemmar.filter(typ=MedlemTyp.KOMMUN).order_by("namn").last()
    Medlem.objects.filter(pk=odd.pk).update(namn='"Ö" & <kommun>')
    if data is not None:
        data = {**data, "huvudman": str(odd.uuid)}
    form = ListFilterForm(data, forbund=forbund)
    reference = ListFilterForm(data, forbund=forbund)
    plain = [
        name
        for name, field in form.fields.items()
        if isinstance(field.widget, PlainSelect | PlainTextInput | PlainNumberInput)
    ]
    assert plain == ["q", "status", "kategori", "inriktning", "registreringsform", "huvudman", "ar"]
    for name in plain:
        reference.fields[name].widget = _django_widget(reference.fields[name].widget)
        assert str(form[name]) == str(reference[name]), name
    assert "&quot;Ö&quot; &amp; &lt;kommun&gt;" in str(form["huvudman"])


@pytest.mark.parametrize("value", [None, "", 'a"b & <c>', 2026, 0])
def test_plain_inputs_render_the_bytes_of_djangos_inputs(value):
    from finsam.widgets import PlainNumberInput, PlainTextInput

    attrs = {"maxlength": 100, "required": True, "disabled": False, "placeholder": "<x>"}
    for widget in (PlainTextInput(attrs=attrs), PlainNumberInput(attrs=attrs)):
        rendered = widget.render("f<", value, attrs={"id": "id_f"})
        assert rendered == _django_widget(widget).render("f<", value, attrs={"id": "id_f"})
        assert rendered.startswith("<input ")
