"""Forms: validation and Swedish messages. Rules themselves live in ``services``."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from finsam.widgets import PlainDateInput, PlainSelect, PlainTextInput

from .kodlistor import ALDERSGRUPPER
from .models import (
    AnvisandePart,
    Atkomst,
    Avslutsorsak,
    Forsorjningskalla,
    Kon,
    Samtyckessatt,
    Sysselsattning,
    TidOffentligForsorjning,
    Utbildningsniva,
)
from .personnummer import PersonnummerError, parse

JA_NEJ = [("ja", _("Ja")), ("nej", _("Nej"))]


class DateInput(PlainDateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class PersonnummerInput(PlainTextInput):
    """Never echoes a typed number back into a page (design section 4.2): after an error the
    number is typed again."""

    def __init__(self, **kwargs):
        super().__init__(attrs={"autocomplete": "off", "spellcheck": "false"}, **kwargs)

    def format_value(self, value):
        return None


class KodChoiceField(forms.ModelChoiceField):
    """A code-list answer. Inside a ``KodlistorForm`` its row comes from the form's one lookup
    of all its code lists (``selectors.kodlista_rows``) instead of a query of its own; the
    validation and the messages are ``ModelChoiceField``'s."""

    found: dict | None = None  # set by KodlistorForm for one cleaning

    def to_python(self, value):
        if self.found is None or value in self.empty_values:
            return super().to_python(value)
        self.validate_no_null_characters(value)
        if isinstance(value, self.queryset.model):
            value = value.pk
        row = self.found.get(str(value))
        if row is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return row


class KodMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several code-list answers (e.g. försörjningskällor), looked up like ``KodChoiceField``.
    The cleaned value is a list of rows in the list's order (``ordning``), not a queryset."""

    found: dict | None = None

    def _check_values(self, value):
        if self.found is None:
            return super()._check_values(value)
        try:
            value = frozenset(value)
        except TypeError:
            raise ValidationError(
                self.error_messages["invalid_list"], code="invalid_list"
            ) from None
        for code in value:
            self.validate_no_null_characters(code)
        for code in value:
            if str(code) not in self.found:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": code},
                )
        return sorted((self.found[str(c)] for c in value), key=lambda r: (r.ordning, r.kod))


class KodlistorForm(forms.Form):
    """Looks up the submitted codes of all its code-list fields in one query before the fields
    are cleaned (a registration has six code lists: one query instead of six). Only fields
    offering a whole list take part; a field with a narrowed queryset (e.g. avslutsorsak without
    FEL) keeps its own query, so what is accepted never changes."""

    def full_clean(self):
        fields = {}
        if self.is_bound:
            fields = {
                name: field
                for name, field in self.fields.items()
                if isinstance(field, KodChoiceField | KodMultipleChoiceField)
                and not field.disabled
                and field.to_field_name is None
                and not field.queryset.query.has_filters()
            }
        wanted: dict[type, set[str]] = {}
        for name, field in fields.items():
            data = self[name].data
            values = data if isinstance(data, list | tuple) else [data]
            codes = wanted.setdefault(field.queryset.model, set())
            codes.update(v for v in values if isinstance(v, str) and v and "\x00" not in v)
        if wanted:
            from .selectors import kodlista_rows

            found = kodlista_rows(wanted)
            for field in fields.values():
                field.found = found[field.queryset.model]
        try:
            super().full_clean()
        finally:
            for field in fields.values():
                field.found = None


class StartFragorForm(forms.Form):
    """Step 1 of "Registrera deltagare": the two questions that decide what may be stored."""

    skyddad = forms.ChoiceField(
        label=_("Har personen skyddade personuppgifter?"),
        choices=JA_NEJ,
        widget=forms.RadioSelect,
        help_text=_("Sekretessmarkering, skyddad folkbokföring eller fingerade personuppgifter."),
    )
    samtycke = forms.ChoiceField(
        label=_("Har personen samtyckt till att personuppgifter registreras i insatsen?"),
        choices=JA_NEJ,
        widget=forms.RadioSelect,
        required=False,
        help_text=_("Skriftligt på blankett eller muntligt vid ett personligt möte."),
    )

    def clean(self):
        data = super().clean()
        if data.get("skyddad") == "nej" and not data.get("samtycke"):
            self.add_error("samtycke", _("Svara på frågan om samtycke."))
        return data

    def identified(self) -> bool:
        return self.cleaned_data["skyddad"] == "nej" and self.cleaned_data["samtycke"] == "ja"


class InlamningsnyckelMixin(forms.Form):
    """A hidden one-time key rendered with a new registration form. A second POST of the same
    form (double click, a resent request) finds the participation the first one made instead of
    making another (SECURITY.md #17)."""

    inlamningsnyckel = forms.UUIDField(
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid": _("Formuläret är ogiltigt. Ladda om sidan och försök igen.")},
    )

    def clean(self):
        data = super().clean()
        # A hidden field's error would otherwise not show next to any field.
        if "inlamningsnyckel" in self.errors:
            self.add_error(None, self.errors.pop("inlamningsnyckel"))
        return data


class AnonymForm(InlamningsnyckelMixin, KodlistorForm):
    """An anonymous participation: kön, birth year and dates only (design sections 1 and 7)."""

    kon = KodChoiceField(
        label=_("Kön"), queryset=Kon.objects.all(), widget=forms.RadioSelect, empty_label=None
    )
    fodelsear = forms.IntegerField(
        label=_("Födelseår"),
        min_value=1900,
        max_value=2100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    inskrivning = forms.DateField(label=_("Inskrivningsdatum"), widget=DateInput())

    def clean_fodelsear(self):
        value = self.cleaned_data["fodelsear"]
        if value > dt.date.today().year:  # noqa: DTZ011 - a year, the time zone cannot change it
            raise ValidationError(_("Födelseåret kan inte ligga i framtiden."))
        return value


MAGIC = {b"%PDF": "application/pdf", b"\xff\xd8\xff": "image/jpeg", b"\x89PNG": "image/png"}


class IdentifiedForm(InlamningsnyckelMixin, KodlistorForm):
    """An identified participation with consent: identity, consent, start details."""

    personnummer = forms.CharField(
        label=_("Personnummer eller samordningsnummer"),
        max_length=20,
        help_text=_(
            "ÅÅÅÅMMDD-NNNN. Finns personen redan hos samma personuppgiftsansvariga kopplas "
            "registreringen till den. Av integritetsskäl visas numret inte igen om formuläret "
            "har fel."
        ),
        widget=PersonnummerInput(),
    )
    namn = forms.CharField(
        label=_("Namn"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    kon = KodChoiceField(
        label=_("Kön"),
        queryset=Kon.objects.all(),
        widget=forms.RadioSelect,
        empty_label=None,
        help_text=_("Som personen själv uppger."),
    )
    inskrivning = forms.DateField(label=_("Inskrivningsdatum"), widget=DateInput())
    samtycke_satt = forms.ChoiceField(
        label=_("Hur lämnades samtycket?"),
        choices=[
            (Samtyckessatt.BLANKETT.value, Samtyckessatt.BLANKETT.label),
            (Samtyckessatt.PERSONLIGEN.value, Samtyckessatt.PERSONLIGEN.label),
        ],
        widget=forms.RadioSelect,
    )
    samtycke_datum = forms.DateField(label=_("Datum för samtycket"), widget=DateInput())
    samtycke_dokument = forms.FileField(
        label=_("Undertecknad blankett (PDF, JPEG eller PNG, högst 5 MB)"),
        required=False,
        help_text=_("Krävs när samtycket lämnats på blankett."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
    blankettversion = forms.CharField(
        label=_("Blankettversion"), max_length=40, required=False, help_text=_("T.ex. 2025:1.")
    )
    samtycke_giltig_till = forms.DateField(
        label=_("Samtycket gäller till"), required=False, widget=DateInput()
    )
    utbildning = KodChoiceField(
        label=_("Utbildningsnivå"), queryset=Utbildningsniva.objects.all(), empty_label="– välj –"
    )
    anvisande_part = KodChoiceField(
        label=_("Anvisande part"), queryset=AnvisandePart.objects.all(), empty_label="– välj –"
    )
    tid_offentlig_forsorjning = KodChoiceField(
        label=_("Tid i offentlig försörjning före inskrivning"),
        queryset=TidOffentligForsorjning.objects.all(),
        empty_label="– välj –",
    )
    sysselsattning_fore = KodChoiceField(
        label=_("Sysselsättning före insatsen"),
        queryset=Sysselsattning.objects.all(),
        empty_label="– välj –",
    )
    forsorjning_fore = KodMultipleChoiceField(
        label=_("Försörjning före insatsen (en eller flera)"),
        queryset=Forsorjningskalla.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_personnummer(self):
        try:
            return parse(self.cleaned_data["personnummer"]).normalised
        except PersonnummerError as exc:
            raise ValidationError(str(exc)) from None

    def clean(self):
        data = super().clean()
        _read_document(self, data)
        return data


def _read_document(form, data) -> None:
    """A paper consent needs its signed form; the type is read from the content, not trusted
    from the browser."""
    upload = data.get("samtycke_dokument")
    if data.get("samtycke_satt") != Samtyckessatt.BLANKETT:
        return
    if not upload:
        form.add_error("samtycke_dokument", _("Ladda upp den undertecknade blanketten."))
        return
    content = upload.read()
    kind = next((t for m, t in MAGIC.items() if content.startswith(m)), None)
    if kind is None:
        form.add_error("samtycke_dokument", _("Blanketten ska vara en PDF, JPEG eller PNG."))
    data["dokument_bytes"], data["dokument_typ"] = content, kind or ""


class SamtyckeForm(forms.Form):
    """A renewed consent: the consent part of the registration form."""

    samtycke_satt = IdentifiedForm.base_fields["samtycke_satt"]
    samtycke_datum = IdentifiedForm.base_fields["samtycke_datum"]
    samtycke_dokument = IdentifiedForm.base_fields["samtycke_dokument"]
    blankettversion = IdentifiedForm.base_fields["blankettversion"]
    samtycke_giltig_till = IdentifiedForm.base_fields["samtycke_giltig_till"]

    def clean(self):
        data = super().clean()
        _read_document(self, data)
        return data


class AvslutaForm(forms.Form):
    utskrivning = forms.DateField(label=_("Utskrivningsdatum"), widget=DateInput())
    avslutsorsak = forms.ModelChoiceField(
        label=_("Avslutsorsak"),
        queryset=Avslutsorsak.objects.exclude(kod="FEL"),
        empty_label="– välj –",
    )
    sysselsattning_efter = forms.ModelChoiceField(
        label=_("Sysselsättning efter insatsen"),
        queryset=Sysselsattning.objects.all(),
        empty_label="– välj –",
        help_text=_("Välj Okänd om det inte går att ta reda på."),
    )
    forsorjning_efter = forms.ModelMultipleChoiceField(
        label=_("Försörjning efter insatsen (en eller flera)"),
        queryset=Forsorjningskalla.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, identified: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not identified:
            for name in ("avslutsorsak", "sysselsattning_efter", "forsorjning_efter"):
                del self.fields[name]


class UppfoljningForm(forms.Form):
    nadd = forms.ChoiceField(
        label=_("Nåddes personen?"),
        choices=JA_NEJ,
        widget=forms.RadioSelect,
        help_text=_("Att personen inte gick att nå är också ett svar."),
    )
    sysselsattning = forms.ModelChoiceField(
        label=_("Sysselsättning vid uppföljningen"),
        queryset=Sysselsattning.objects.all(),
        required=False,
        empty_label="– välj –",
    )
    forsorjning = forms.ModelMultipleChoiceField(
        label=_("Försörjning vid uppföljningen"),
        queryset=Forsorjningskalla.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class SokForm(forms.Form):
    personnummer = forms.CharField(
        label=_("Sök på personnummer"),
        max_length=20,
        widget=PersonnummerInput(),
        help_text=_("Numret skickas aldrig i adressfältet och sparas inte."),
    )

    def clean_personnummer(self):
        try:
            return parse(self.cleaned_data["personnummer"]).normalised
        except PersonnummerError as exc:
            raise ValidationError(str(exc)) from None


STATUS = [("", _("Alla")), ("aktiva", _("Pågående")), ("avslutade", _("Avslutade"))]
SAKNAS = [
    ("", _("Alla")),
    ("alla", _("Någon uppgift saknas")),
    ("efter", _("Avslutad utan efter-uppgifter")),
    ("uppfoljning", _("Uppföljning att göra")),
    ("samtycke", _("Samtycke går snart ut")),
]


class FilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=STATUS, required=False, widget=PlainSelect()
    )
    fran = forms.DateField(label=_("Aktiva från"), required=False, widget=DateInput())
    till = forms.DateField(label=_("Aktiva till"), required=False, widget=DateInput())
    kon = forms.ChoiceField(label=_("Kön"), required=False, widget=PlainSelect())
    aldersgrupp = forms.ChoiceField(
        label=_("Åldersgrupp"),
        required=False,
        choices=[("", _("Alla"))] + [(k, label) for k, _lo, _hi, label in ALDERSGRUPPER],
        widget=PlainSelect(),
    )
    saknas = forms.ChoiceField(
        label=_("Saknade uppgifter"), choices=SAKNAS, required=False, widget=PlainSelect()
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kon"].choices = [("", _("Alla"))] + [
            (k.kod, k.namn) for k in Kon.objects.all()
        ]


class ExportForm(forms.Form):
    identitet = forms.BooleanField(
        label=_("Ta med personnummer och namn"),
        required=False,
        help_text=_("Varje identitet i filen loggas som en läsning."),
    )


class ImportForm(forms.Form):
    fil = forms.FileField(
        label=_("Fil (CSV eller Excel)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    provkor = forms.BooleanField(
        label=_("Kontrollera bara (spara ingenting)"), required=False, initial=True
    )


class LoggFilterForm(forms.Form):
    vad = forms.ChoiceField(
        label=_("Åtkomst"), required=False, choices=[("", _("Alla"))] + list(Atkomst.choices)
    )
    anvandare = forms.ChoiceField(label=_("Användare"), required=False)
    nummer = forms.CharField(label=_("Deltagandenummer"), required=False, max_length=20)
    person = forms.UUIDField(required=False, widget=forms.HiddenInput)
    fran = forms.DateField(label=_("Från"), required=False, widget=DateInput())
    till = forms.DateField(label=_("Till"), required=False, widget=DateInput())

    def __init__(self, *args, users=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["anvandare"].choices = [("", _("Alla"))] + [
            (str(u.uuid), str(u)) for u in users
        ]


class PeriodForm(forms.Form):
    fran = forms.DateField(label=_("Från"), widget=DateInput())
    till = forms.DateField(label=_("Till"), widget=DateInput())

    def clean(self):
        data = super().clean()
        if data.get("fran") and data.get("till") and data["till"] < data["fran"]:
            self.add_error("till", _("Slutet av perioden kan inte ligga före början."))
        return data


class AndraForm(forms.Form):
    """Correct what was registered at start. Anonymous: kön, birth year and date only."""

    kon = forms.ModelChoiceField(
        label=_("Kön"), queryset=Kon.objects.all(), widget=forms.RadioSelect, empty_label=None
    )
    fodelsear = forms.IntegerField(
        label=_("Födelseår"),
        min_value=1900,
        max_value=2100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    inskrivning = forms.DateField(label=_("Inskrivningsdatum"), widget=DateInput())
    anvisande_part = IdentifiedForm.base_fields["anvisande_part"]
    utbildning = IdentifiedForm.base_fields["utbildning"]
    sysselsattning_fore = IdentifiedForm.base_fields["sysselsattning_fore"]
    tid_offentlig_forsorjning = IdentifiedForm.base_fields["tid_offentlig_forsorjning"]
    forsorjning_fore = IdentifiedForm.base_fields["forsorjning_fore"]

    START_FIELDS = (
        "anvisande_part",
        "utbildning",
        "sysselsattning_fore",
        "tid_offentlig_forsorjning",
        "forsorjning_fore",
    )

    utskrivning = AvslutaForm.base_fields["utskrivning"]
    avslutsorsak = AvslutaForm.base_fields["avslutsorsak"]
    sysselsattning_efter = AvslutaForm.base_fields["sysselsattning_efter"]
    forsorjning_efter = AvslutaForm.base_fields["forsorjning_efter"]

    END_DETAILS = ("avslutsorsak", "sysselsattning_efter", "forsorjning_efter")

    def __init__(self, *args, identified: bool, ended: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if identified:
            del self.fields["fodelsear"]
        else:
            for name in self.START_FIELDS:
                del self.fields[name]
        if not ended:
            del self.fields["utskrivning"]
        if not (ended and identified):
            for name in self.END_DETAILS:
                del self.fields[name]


class GallringForm(forms.Form):
    gallring_manader = forms.IntegerField(
        label=_("Gallra identiteter efter (månader)"),
        min_value=1,
        max_value=240,
        help_text=_(
            "Räknas från personens senaste utskrivning. Kvar blir anonyma deltaganden med kön, "
            "födelseår och datum."
        ),
    )
