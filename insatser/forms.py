"""Forms for insatser: validation with Swedish messages next to the field.

Forms validate; the writes happen in ``insatser.services`` (forms never save themselves).
"""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from finsam.widgets import PlainNumberInput, PlainSelect, PlainTextInput
from forbund.models import Beslut, Medlem

from .models import (
    Dokumenttyp,
    Inriktning,
    Insats,
    Kategori,
    Malgrupp,
    Metod,
    Registreringsform,
    Status,
    Yrkesgrupp,
)
from .selectors import SORTS
from .services import DOKUMENT_SUFFIXES, NEXT_STATUSES, TRACKED_FIELDS, parse_kronor

KOD_RE = re.compile(r"^[A-Za-z0-9ÅÄÖåäö_-]+$")
MANADER = [
    "jan",
    "feb",
    "mar",
    "apr",
    "maj",
    "jun",
    "jul",
    "aug",
    "sep",
    "okt",
    "nov",
    "dec",
]
MANADER_LANGA = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class KronorField(forms.Field):
    """Whole kronor, typed the Swedish way ("120 000", "120000 kr")."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "maxlength": "20"})

    def to_python(self, value):
        value = (value or "").strip() if isinstance(value, str) else value
        if value in self.empty_values:
            return None
        try:
            return parse_kronor(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from exc

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return str(int(value))
        return value


def year_field(**kwargs) -> forms.IntegerField:
    return forms.IntegerField(
        min_value=2000,
        max_value=2100,
        error_messages={
            "invalid": _("Ange ett årtal, t.ex. 2026."),
            "min_value": _("Ange ett årtal från 2000."),
            "max_value": _("Ange ett årtal till och med 2100."),
        },
        **kwargs,
    )


class InsatsForm(forms.ModelForm):
    """Every field of an insats; members and decisions only from the insats's own förbund."""

    class Meta:
        model = Insats
        fields = TRACKED_FIELDS
        widgets = {
            "beskrivning": forms.Textarea(attrs={"rows": 4}),
            "malvarden": forms.Textarea(attrs={"rows": 3}),
            "malgrupper": forms.CheckboxSelectMultiple,
            "metoder": forms.CheckboxSelectMultiple,
            "huvudman": forms.CheckboxSelectMultiple,
            "startdatum": DateInput(),
            "planerat_slutdatum": DateInput(),
            "slutdatum": DateInput(),
        }
        help_texts = {
            "kategori": _("Kategorin avgör om insatsen är individ- eller strukturinriktad."),
            "personuppgiftsansvarig": _(
                "Den medlem vars personal registrerar deltagarna; krävs när deltagare "
                "registreras per person."
            ),
            "slutdatum": _("Fylls i när insatsen har avslutats."),
            "beslut": _("Styrelsens beslut om att bevilja insatsen, om det finns registrerat."),
        }

    def __init__(self, *args, forbund, **kwargs):
        super().__init__(*args, **kwargs)
        self.forbund = forbund
        self.instance.forbund = forbund
        medlemmar = Medlem.objects.for_forbund(forbund).order_by("typ", "namn")
        self.fields["huvudman"].queryset = medlemmar
        self.fields["personuppgiftsansvarig"].queryset = medlemmar
        self.fields["beslut"].queryset = Beslut.objects.filter(forbund=forbund).order_by("-datum")
        self.fields["kategori"].queryset = Kategori.objects.all()
        self.fields["kategori"].required = True
        self.fields["kategori"].label_from_instance = lambda k: (
            f"{k.namn} ({Inriktning(k.inriktning).label.lower()})"
        )
        self.fields["malgrupper"].queryset = Malgrupp.objects.all()
        self.fields["metoder"].queryset = Metod.objects.all()
        self.fields["huvudman"].required = True
        self.fields["huvudman"].error_messages["required"] = _(
            "Välj minst en medlem som huvudman eller utförare."
        )
        self.fields["kod"].widget.attrs["autocomplete"] = "off"

    def clean_kod(self):
        kod = self.cleaned_data["kod"].strip().upper()
        if not KOD_RE.match(kod):
            raise forms.ValidationError(
                _("Koden får bara innehålla bokstäver, siffror, bindestreck och understreck.")
            )
        taken = Insats.objects.for_forbund(self.forbund).filter(kod__iexact=kod)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("Koden används redan av en annan insats i förbundet."))
        return kod

    def clean(self):
        cleaned = super().clean()
        kategori = cleaned.get("kategori")
        form = cleaned.get("registreringsform")
        if kategori and form:
            individ = kategori.inriktning == Inriktning.INDIVID
            if form == Registreringsform.STRUKTUR and individ:
                self.add_error(
                    "registreringsform",
                    _("Strukturinsats (tillfällen) passar bara strukturinriktade kategorier."),
                )
            if form == Registreringsform.PERSON and not individ:
                self.add_error(
                    "registreringsform",
                    _("En strukturinriktad insats registrerar inte deltagare per person."),
                )
        return cleaned


class TransitionForm(forms.Form):
    """The next lifecycle step, with the date it took effect and (for beviljad) the decision."""

    status = forms.ChoiceField(label=_("Nästa steg"), choices=())
    datum = forms.DateField(label=_("Datum"), widget=DateInput(), required=False)
    beslut = forms.ModelChoiceField(
        label=_("Styrelsebeslut"), queryset=Beslut.objects.none(), required=False
    )

    def __init__(self, *args, insats: Insats, **kwargs):
        super().__init__(*args, **kwargs)
        nexts = NEXT_STATUSES.get(insats.status, ())
        self.fields["status"].choices = [(s, Status(s).label) for s in nexts]
        self.fields["beslut"].queryset = Beslut.objects.filter(forbund_id=insats.forbund_id)
        self.fields["datum"].help_text = _(
            "Pågående: startdatum. Avslutad: faktiskt slutdatum (i dag om tomt)."
        )


class AssignForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Person"), queryset=None, empty_label=_("Välj person"))

    def __init__(self, *args, queryset, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = queryset
        self.fields["user"].label_from_instance = lambda u: u.get_full_name() or u.username
        if label:
            self.fields["user"].label = label


class BudgetForm(forms.Form):
    ar = year_field(label=_("År"))
    belopp = KronorField(label=_("Budget (kr)"), help_text=_("Förbundets medel, hela kronor."))
    kommentar = forms.CharField(label=_("Kommentar"), max_length=200, required=False)


class KostnadGridForm(forms.Form):
    """Actual costs for the twelve months of a year; an empty month has no cost registered."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for m in range(1, 13):
            self.fields[f"m{m}"] = KronorField(
                label=MANADER_LANGA[m - 1].capitalize(), required=False
            )

    def months(self) -> dict[int, Decimal | None]:
        return {m: self.cleaned_data.get(f"m{m}") for m in range(1, 13)}

    def month_fields(self):
        return [self[f"m{m}"] for m in range(1, 13)]


class KostnadImportForm(forms.Form):
    fil = forms.FileField(
        label=_("CSV-fil"),
        help_text=_(
            "Rubrikrad: insats;ar;manad;belopp (semikolon eller komma). En rad per insats och "
            "månad, belopp i hela kronor."
        ),
        error_messages={"required": _("Välj en fil att importera.")},
    )

    def clean_fil(self):
        fil = self.cleaned_data["fil"]
        if fil.size > 2 * 1024 * 1024:
            raise forms.ValidationError(_("Filen är större än 2 MB."))
        if not fil.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError(_("Välj en CSV-fil (.csv)."))
        return fil


class MedfinansieringForm(forms.Form):
    finansiar = forms.CharField(
        label=_("Finansiär"), max_length=200, help_text=_("T.ex. Europeiska socialfonden (ESF+).")
    )
    projektnummer = forms.CharField(label=_("Projektnummer"), max_length=50, required=False)
    ar = year_field(label=_("År"))
    belopp = KronorField(label=_("Belopp (kr)"))


class DokumentForm(forms.Form):
    typ = forms.ChoiceField(label=_("Typ"), choices=Dokumenttyp.choices)
    datum = forms.DateField(label=_("Datum"), widget=DateInput())
    titel = forms.CharField(label=_("Titel"), max_length=200, required=False)
    fil = forms.FileField(
        label=_("Fil"),
        help_text=_("PDF eller kontorsdokument, högst 20 MB."),
        error_messages={"required": _("Välj en fil.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["datum"].initial = timezone.localdate()
        self.fields["fil"].widget.attrs["accept"] = ",".join(sorted(DOKUMENT_SUFFIXES))


COUNT_ERRORS = {
    "invalid": _("Ange ett heltal."),
    "min_value": _("Antalet kan inte vara negativt."),
    "max_value": _("Orimligt stort antal."),
}


def count_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=100000,
        error_messages=COUNT_ERRORS,
        widget=forms.NumberInput(attrs={"class": "num-input"}),
    )


class VolymGridForm(forms.Form):
    """VOLYM: contacts per month and kön for one year. A month left empty is not registered."""

    KON = (("k", _("Kvinnor")), ("m", _("Män")), ("x", _("Annat/vill ej uppge")))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for m in range(1, 13):
            for key, label in self.KON:
                self.fields[f"{key}{m}"] = count_field(f"{label}, {MANADER_LANGA[m - 1]}")

    def rows(self):
        return [
            (MANADER_LANGA[m - 1].capitalize(), [self[f"{k}{m}"] for k, _l in self.KON])
            for m in range(1, 13)
        ]

    def counts(self) -> dict[int, tuple[int, int, int] | None]:
        out = {}
        for m in range(1, 13):
            values = [self.cleaned_data.get(f"{k}{m}") for k, _l in self.KON]
            out[m] = None if all(v is None for v in values) else tuple(v or 0 for v in values)
        return out


class TillfalleForm(forms.Form):
    """STRUKTUR: an occasion and how many took part, by member organisation and profession."""

    datum = forms.DateField(label=_("Datum"), widget=DateInput())
    titel = forms.CharField(label=_("Titel"), max_length=200)
    timmar = forms.DecimalField(
        label=_("Timmar"),
        min_value=Decimal("0.5"),
        max_value=Decimal("1000"),
        max_digits=5,
        decimal_places=1,
        error_messages={
            "invalid": _("Ange antal timmar, t.ex. 3 eller 2,5."),
            "min_value": _("Minst en halv timme."),
            "max_value": _("Högst 1 000 timmar."),
            "max_decimal_places": _("Högst en decimal."),
        },
    )

    def __init__(self, *args, medlemmar, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timmar"].localize = True
        self.fields["timmar"].widget.is_localized = True
        self.medlemmar = list(medlemmar)
        for medlem in self.medlemmar:
            for yrke, label in Yrkesgrupp.choices:
                self.fields[f"n_{medlem.pk}_{yrke}"] = count_field(f"{medlem.namn}, {label}")

    def grid(self):
        return [
            (medlem, [self[f"n_{medlem.pk}_{y}"] for y in Yrkesgrupp.values])
            for medlem in self.medlemmar
        ]

    def antal(self):
        return {
            (medlem, yrke): self.cleaned_data.get(f"n_{medlem.pk}_{yrke}") or 0
            for medlem in self.medlemmar
            for yrke in Yrkesgrupp.values
        }

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not any(self.antal().values()):
            raise forms.ValidationError(_("Ange hur många som deltog (minst en person)."))
        return cleaned


class ListFilterForm(forms.Form):
    """The list's filters and sort order (GET parameters, so a filtered list can be linked)."""

    q = forms.CharField(label=_("Sök"), required=False, max_length=100, widget=PlainTextInput)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Alla"))] + Status.choices,
        widget=PlainSelect,
    )
    kategori = forms.ChoiceField(label=_("Kategori"), required=False, widget=PlainSelect)
    inriktning = forms.ChoiceField(
        label=_("Inriktning"),
        required=False,
        choices=[("", _("Alla"))] + Inriktning.choices,
        widget=PlainSelect,
    )
    registreringsform = forms.ChoiceField(
        label=_("Registreringsform"),
        required=False,
        choices=[("", _("Alla"))] + Registreringsform.choices,
        widget=PlainSelect,
    )
    huvudman = forms.ChoiceField(label=_("Huvudman/utförare"), required=False, widget=PlainSelect)
    ar = forms.IntegerField(
        label=_("Aktiv under år"),
        required=False,
        min_value=2000,
        max_value=2100,
        widget=PlainNumberInput,
        error_messages={
            "invalid": _("Ange ett årtal."),
            "min_value": _("Ange ett årtal från 2000."),
            "max_value": _("Ange ett årtal till och med 2100."),
        },
    )
    sort = forms.ChoiceField(required=False, choices=[(k, k) for k in SORTS])
    desc = forms.BooleanField(required=False)

    def __init__(self, *args, forbund, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kategori"].choices = [("", _("Alla"))] + [
            (k.kod, k.namn) for k in Kategori.objects.all()
        ]
        self.medlemmar = {
            str(m.uuid): m for m in Medlem.objects.for_forbund(forbund).order_by("typ", "namn")
        }
        self.fields["huvudman"].choices = [("", _("Alla"))] + [
            (key, m.namn) for key, m in self.medlemmar.items()
        ]
