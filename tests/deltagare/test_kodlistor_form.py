"""The registration forms look up all their code-list answers in one query
(``forms.KodlistorForm``, docs/performance.md section 3); what they accept and the messages they
give must stay those of Django's ModelChoiceField."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deltagare.forms import AndraForm, AnonymForm, IdentifiedForm
from deltagare.models import Forsorjningskalla, Kon

pytestmark = pytest.mark.django_db

VALID = {
    "personnummer": "19900101-0017",
    "kon": "K",
    "inskrivning": "2026-02-01",
    "samtycke_satt": "PERSONLIGEN",
    "samtycke_datum": "2026-02-01",
    "utbildning": "GYMN",
    "anvisande_part": "AF",
    "tid_offentlig_forsorjning": "1-2A",
    "sysselsattning_fore": "INGEN",
}


def _form(**changes):
    data = {**VALID, **changes}
    from django.utils.datastructures import MultiValueDict

    kallor = data.pop("forsorjning_fore", ["EKB", "AKST", "LON"])
    query = MultiValueDict({k: [v] for k, v in data.items()})
    query.setlist("forsorjning_fore", kallor)
    return IdentifiedForm(query)


def test_identified_form_reads_its_six_code_lists_in_one_query(codes):
    form = _form()
    with CaptureQueriesContext(connection) as queries:
        assert form.is_valid(), form.errors
    assert len(queries) == 1
    data = form.cleaned_data
    assert data["kon"] == Kon.objects.get(kod="K")
    assert data["kon"].namn == Kon.objects.get(kod="K").namn
    assert data["utbildning"].kod == "GYMN"
    assert data["anvisande_part"].kod == "AF"
    assert data["tid_offentlig_forsorjning"].kod == "1-2A"
    assert data["sysselsattning_fore"].kod == "INGEN"
    # The sources in the list's order, like the queryset Django returned.
    expected = list(Forsorjningskalla.objects.filter(kod__in=["EKB", "AKST", "LON"]))
    assert [k.kod for k in data["forsorjning_fore"]] == [k.kod for k in expected]
    assert data["forsorjning_fore"][0].offentlig == expected[0].offentlig


@pytest.mark.parametrize(
    "changes",
    [
        {"kon": "Q"},
        {"utbildning": "gymn"},  # codes are case-sensitive, as in the database
        {"anvisande_part": "AF\x00"},
        {"sysselsattning_fore": ""},
        {"forsorjning_fore": ["EKB", "NOPE"]},
        {"forsorjning_fore": []},
        {"tid_offentlig_forsorjning": "1-2A' OR '1'='1"},
    ],
)
def test_a_bad_code_gives_djangos_message_for_that_field_and_nothing_else(codes, changes):
    from django import forms

    form = _form(**changes)
    assert not form.is_valid()
    (name,) = changes
    assert set(form.errors) == {name}
    # The message Django's own fields give for the same input.
    field = IdentifiedForm.base_fields[name]
    plain = (
        forms.ModelMultipleChoiceField(queryset=field.queryset)
        if name == "forsorjning_fore"
        else forms.ModelChoiceField(queryset=field.queryset)
    )
    with pytest.raises(forms.ValidationError) as refused:
        plain.clean(changes[name])
    assert form.errors[name] == refused.value.messages


def test_anonymous_form_reads_kon_in_one_query_and_refuses_an_unknown_one(codes):
    form = AnonymForm({"kon": "M", "fodelsear": "1990", "inskrivning": "2026-02-01"})
    with CaptureQueriesContext(connection) as queries:
        assert form.is_valid(), form.errors
    assert len(queries) == 1
    assert form.cleaned_data["kon"].kod == "M"
    assert not AnonymForm({"kon": "Z", "fodelsear": "1990", "inskrivning": "2026-02-01"}).is_valid()


def test_forms_sharing_the_fields_without_the_lookup_still_validate(codes):
    """AndraForm borrows the registration's fields but not its one lookup: the fields then
    query on their own, as before."""
    data = {
        "kon": "K",
        "inskrivning": dt.date(2026, 2, 1),
        "utbildning": "GYMN",
        "anvisande_part": "AF",
        "tid_offentlig_forsorjning": "1-2A",
        "sysselsattning_fore": "INGEN",
        "forsorjning_fore": ["EKB"],
    }
    form = AndraForm(data, identified=True)
    assert form.is_valid(), form.errors
    assert [k.kod for k in form.cleaned_data["forsorjning_fore"]] == ["EKB"]
    assert not AndraForm({**data, "utbildning": "X"}, identified=True).is_valid()
