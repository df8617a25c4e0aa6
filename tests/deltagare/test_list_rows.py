"""The list rows and filter selects are written in Python for speed (docs/performance.md,
section 3); they must give the markup the Django templates gave, escaping included."""

import datetime as dt
import re

import pytest
from django import forms
from django.template import Context, Template

from deltagare import services
from deltagare.models import Deltagande
from deltagare.templatetags.deltagare_lista import deltagande_rader, insats_atgarder
from finsam.widgets import PlainSelect
from tests.deltagare.factories import end_identified, register_anonymous, register_identified

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]

# The row loop as templates/deltagare/_lista.html had it before the tag.
TEMPLATE_ROWS = """{% for d in page %}
      <tr>
        <td><a href="{% url 'deltagare:deltagande' d.uuid %}">{{ d.nummer }}</a></td>
        {% if show_insats %}<td>{{ d.insats.kod }}</td>{% endif %}
        <td>{{ d.kon.namn }}</td>
        <td>{{ d.alder }} år</td>
        <td>{{ d.inskrivning|date:"Y-m-d" }}</td>
        <td>{% if d.utskrivning %}{{ d.utskrivning|date:"Y-m-d" }}{% else %}pågår{% endif %}</td>
        <td>{% if d.is_fel %}<span class="badge badge--muted">Felregistrering</span>{% elif d.person_id %}Med identitet{% else %}Anonym{% endif %}</td>
        <td>
          {% if d.flag_saknar_efter %}<span class="badge badge--warn">Efter-uppgifter saknas</span>{% endif %}
          {% if d.flag_uppfoljning %}<span class="badge badge--warn">Uppföljning att göra</span>{% endif %}
          {% if d.flag_samtycke %}<span class="badge badge--warn">Samtycke går ut</span>{% endif %}
        </td>
      </tr>
    {% empty %}
      <tr><td colspan="{% if show_insats %}8{% else %}7{% endif %}">Inga deltaganden matchar.</td></tr>
    {% endfor %}"""  # noqa: E501


def _norm(html) -> str:
    return re.sub(r"\s*(<[^>]+>)\s*", r"\1", str(html)).strip()


def test_rows_equal_the_template_markup(insats, user):
    insats.kod = "K<&>"  # escaped like the template escaped it
    insats.save()
    end_identified(
        register_identified(insats, user),
        user,
        sysselsattning_efter="OKAND",
        forsorjning_efter=["OKAND"],
    )
    register_anonymous(insats, user, kon="K", inskrivning=dt.date(2025, 3, 1))
    fel = register_anonymous(insats, user, kon="M", inskrivning=dt.date(2025, 4, 1))
    services.deltagande_mark_fel(deltagande=fel, user=user)
    from deltagare.selectors import with_flags

    page = list(with_flags(Deltagande.objects.select_related("insats", "kon"), services.today()))
    flags = {(d.flag_saknar_efter, d.is_fel, bool(d.person_id)) for d in page}
    assert (True, False, True) in flags
    assert any(fel for _s, fel, _p in flags)
    for show_insats in (True, False):
        expected = Template(TEMPLATE_ROWS).render(
            Context({"page": page, "show_insats": show_insats})
        )
        assert _norm(deltagande_rader(page, show_insats)) == _norm(expected)
    for show_insats in (True, False):
        expected = Template(TEMPLATE_ROWS).render(Context({"page": [], "show_insats": show_insats}))
        assert _norm(deltagande_rader([], show_insats)) == _norm(expected)


def test_rows_of_the_hand_written_list_give_the_same_markup(insats, user):
    """The list's rows come from deltagare.lista (not model instances): the tag writes them as
    the template wrote them too."""
    from deltagare.lista import DeltagandeLista, Villkor

    insats.kod = "K<&>"
    insats.save()
    end_identified(
        register_identified(insats, user),
        user,
        sysselsattning_efter="OKAND",
        forsorjning_efter=["OKAND"],
    )
    fel = register_anonymous(insats, user, kon="M", inskrivning=dt.date(2025, 4, 1))
    services.deltagande_mark_fel(deltagande=fel, user=user)
    villkor = Villkor(forbund_id=insats.forbund_id, insats_ids=(insats.pk,), day=services.today())
    page = DeltagandeLista(villkor)[0:50]
    assert len(page) == 2
    assert any(d.flag_saknar_efter for d in page)
    assert any(d.is_fel for d in page)
    for show_insats in (True, False):
        expected = Template(TEMPLATE_ROWS).render(
            Context({"page": page, "show_insats": show_insats})
        )
        assert _norm(deltagande_rader(page, show_insats)) == _norm(expected)


def test_plain_select_equals_djangos_select():
    choices = [("", "Alla"), ("K", "Kvinna <&>"), ("Grupp", [("x", 'X "1"'), ("y", "Y")])]

    class Plain(forms.Form):
        a = forms.ChoiceField(choices=choices, required=False)
        b = forms.ChoiceField(choices=choices, widget=forms.Select(attrs={"class": "c"}))

    class Fast(forms.Form):
        a = forms.ChoiceField(choices=choices, required=False, widget=PlainSelect())
        b = forms.ChoiceField(choices=choices, widget=PlainSelect(attrs={"class": "c"}))

    for data in (None, {"a": "K", "b": "y"}, {"a": "<script>", "b": ""}):
        plain, fast = Plain(data), Fast(data)
        plain.is_bound and plain.is_valid()
        fast.is_bound and fast.is_valid()
        for name in ("a", "b"):
            assert _norm(fast[name]) == _norm(plain[name])


TEMPLATE_INSATSER = """{% for insats in insats_list %}
          <li>
            <a class="button" href="{% url 'deltagare:registrera' insats.uuid %}">Registrera i {{ insats.kod }}<span class="visually-hidden"> {{ insats.namn }}</span></a>
            <a href="{% url 'deltagare:insats' insats.uuid %}">{{ insats.namn }}</a>
          </li>
        {% endfor %}"""  # noqa: E501


def test_insats_links_equal_the_template_markup(insats):
    insats.namn = 'Steg <1> & "2"'
    insats.save()
    expected = Template(TEMPLATE_INSATSER).render(Context({"insats_list": [insats]}))
    # The template put a space (line break) between the two links; the tag puts one space.
    assert _norm(insats_atgarder([insats])) == _norm(expected)
    assert insats_atgarder([]) == ""


@pytest.mark.parametrize(
    "data",
    [None, {"fran": "2025-01-31", "till": 'x" <y>', "status": "aktiva"}, {"till": "2025-13-01"}],
)
def test_date_and_personnummer_inputs_render_as_djangos(data):
    """The list's filter and search forms use the Python-built inputs: same bytes as Django's
    date and text widgets, and a typed personnummer is still never echoed."""
    from deltagare.forms import FilterForm, SokForm
    from finsam.widgets import PlainDateInput, PlainTextInput

    assert isinstance(FilterForm.base_fields["fran"].widget, PlainDateInput)
    assert isinstance(SokForm.base_fields["personnummer"].widget, PlainTextInput)
    django_date = forms.DateInput(format="%Y-%m-%d", attrs=None)
    django_date.input_type = "date"
    form = FilterForm(data)
    form.is_bound and form.is_valid()
    for name in ("fran", "till"):
        bound = form[name]
        reference = bound.as_widget(widget=django_date)
        assert str(bound) == reference
    sok = SokForm({"personnummer": "19900101-0017"})
    sok.is_valid()
    attrs = {"autocomplete": "off", "spellcheck": "false", "maxlength": "20"}
    reference = forms.TextInput(attrs=attrs)
    reference.format_value = lambda value: None
    assert str(sok["personnummer"]) == sok["personnummer"].as_widget(widget=reference)
    assert "19900101" not in str(sok["personnummer"])


@pytest.mark.parametrize(
    "data",
    [None, {"status": "aktiva", "fran": "2025-01-01"}, {"fran": "x", "status": "<nej>"}],
)
def test_field_tag_equals_the_field_template(codes, data):
    """The list's filter and search fields come from the ``falt`` tag instead of including
    _field.html: the same bytes, with and without help text, required mark and errors."""
    from django.template.loader import get_template

    from deltagare.forms import FilterForm, SokForm
    from finsam.templatetags.falt import falt

    template = get_template("_field.html")
    filter_form = FilterForm(data)
    sok = SokForm({"personnummer": "nej"} if data else None)
    assert not sok.is_bound or not sok.is_valid()
    fields = [filter_form[name] for name in filter_form.fields] + [sok["personnummer"]]
    assert any(field.errors for field in fields) == (data is not None)
    for field in fields:
        assert falt(field) == template.render({"field": field})
