"""Forms of the förbund pages: field validation and Swedish messages. The rules that span rows
live in the services; views attach their ``ValidationError`` to these forms (``add_errors``)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from finsam.models import User
from finsam.roles import Role

from .models import (
    ENTERED_POSTER,
    Beslut,
    Budgetpost,
    Forbund,
    Kommun,
    KommunFordelning,
    Medlem,
    MedlemTyp,
    StyrelseRoll,
    Valbarhet,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DateField(forms.DateField):
    """A date within 1900–2100: the förbund's history and plans, never date arithmetic that
    overflows at year 9999."""

    def validate(self, value):
        super().validate(value)
        if value and not 1900 <= value.year <= 2100:
            raise ValidationError(_("Ange ett datum mellan år 1900 och 2100."))


def add_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ``ValidationError`` next to the fields it names (or on the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class KronorField(forms.DecimalField):
    """Whole kronor, never float; accepts '12 345' with spaces."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", Decimal(0))
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 0)
        kwargs.setdefault(
            "error_messages",
            {
                "invalid": _("Ange ett belopp i hela kronor, t.ex. 125000."),
                "max_decimal_places": _("Ange hela kronor, utan ören."),
                "min_value": _("Beloppet kan inte vara negativt."),
                "max_digits": _("Beloppet är för stort."),
            },
        )
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace(" ", "").replace("\u00a0", "")
        return super().to_python(value)


class YearField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1990)
        kwargs.setdefault("max_value", 2100)
        kwargs.setdefault("label", _("År"))
        kwargs.setdefault(
            "error_messages",
            {
                "invalid": _("Ange ett årtal, t.ex. 2026."),
                "min_value": _("Ange ett år från 1990."),
                "max_value": _("Ange ett år senast 2100."),
            },
        )
        super().__init__(**kwargs)


class KommunChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Kommun) -> str:
        return f"{obj.namn} ({obj.kod}, {obj.lan})"


class KommunMultipleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Kommun) -> str:
        return f"{obj.namn} ({obj.kod}, {obj.lan})"


class ForbundCreateForm(forms.Form):
    namn = forms.CharField(label=_("Förbundets namn"), max_length=200)
    organisationsnummer = forms.CharField(
        label=_("Organisationsnummer"),
        max_length=13,
        help_text=_("Tio siffror, t.ex. 222000-1234."),
    )
    startdatum = DateField(label=_("Bildat / medlemmar från"), widget=DATE)
    region_namn = forms.CharField(
        label=_("Region"), max_length=200, help_text=_("T.ex. Region Dalarna.")
    )
    kommuner = KommunMultipleField(
        label=_("Medlemskommuner"),
        queryset=Kommun.objects.order_by("namn"),
        widget=forms.SelectMultiple(attrs={"size": 10}),
        error_messages={"required": _("Välj minst en kommun.")},
    )
    chef_first_name = forms.CharField(label=_("Förbundschefens förnamn"), max_length=150)
    chef_last_name = forms.CharField(label=_("Förbundschefens efternamn"), max_length=150)
    chef_email = forms.EmailField(label=_("Förbundschefens e-post"))
    chef_username = forms.RegexField(
        label=_("Användarnamn"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        error_messages={"invalid": _("Bara bokstäver, siffror och . @ + - _ är tillåtna.")},
    )
    chef_password = forms.CharField(
        label=_("Tillfälligt lösenord"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Minst 12 tecken. Lämna över det säkert; förbundschefen byter det."),
    )


class ForbundProfileForm(forms.ModelForm):
    organisationsnummer = forms.CharField(
        label=_("Organisationsnummer"),
        max_length=13,
        help_text=_("Tio siffror, t.ex. 222000-1234."),
    )
    ek_ingaende_belopp = KronorField(
        label=_("Ingående eget kapital (kr)"), required=False, min_value=None
    )
    ek_ingaende_ar = YearField(
        label=_("Första år med eget kapital"),
        required=False,
        help_text=_("Året då det ingående egna kapitalet nedan gäller från (1 januari)."),
    )
    webbplats = forms.URLField(label=_("Webbplats"), required=False, assume_scheme="https")

    class Meta:
        model = Forbund
        fields = [
            "namn",
            "organisationsnummer",
            "startdatum",
            "utdelningsadress",
            "postnummer",
            "postort",
            "epost",
            "telefon",
            "webbplats",
            "kommun_fordelning",
            "ek_troskel_procent",
            "ek_ingaende_ar",
            "ek_ingaende_belopp",
        ]
        widgets = {"startdatum": DATE}
        help_texts = {
            "ek_ingaende_ar": _(
                "Året då det ingående egna kapitalet nedan gäller från (1 januari)."
            ),
        }

    def clean_postnummer(self):
        value = self.cleaned_data["postnummer"].replace(" ", "")
        if value and (len(value) != 5 or not value.isdigit()):
            raise ValidationError(_("Postnummer har fem siffror, t.ex. 776 30."))
        return f"{value[:3]} {value[3:]}" if value else ""

    def clean_ek_ingaende_belopp(self):
        return self.cleaned_data["ek_ingaende_belopp"] or Decimal(0)


class ForbundsordningForm(forms.Form):
    giltig_fran = DateField(label=_("Gäller från"), widget=DATE)
    fil = forms.FileField(
        label=_("Förbundsordning (PDF)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )
    kommentar = forms.CharField(label=_("Kommentar"), max_length=200, required=False)


class MedlemAddForm(forms.Form):
    typ = forms.ChoiceField(label=_("Typ av medlem"), choices=MedlemTyp.choices)
    kommun = KommunChoiceField(
        label=_("Kommun"),
        queryset=Kommun.objects.order_by("namn"),
        required=False,
        help_text=_("Bara för kommuner."),
    )
    namn = forms.CharField(
        label=_("Namn"),
        max_length=200,
        required=False,
        help_text=_("För kommuner fylls det i själv."),
    )
    startdatum = DateField(label=_("Medlem från"), widget=DATE)
    slutdatum = DateField(label=_("Medlem till"), widget=DATE, required=False)
    andel_procent = forms.DecimalField(
        label=_("Fast andel (%)"),
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=4,
        help_text=_("Bara om förbundsordningen anger fasta andelar för kommunerna."),
    )

    def clean(self):
        data = super().clean()
        if data.get("typ") == MedlemTyp.KOMMUN and not data.get("kommun"):
            self.add_error("kommun", _("Välj kommun."))
        if data.get("typ") and data.get("typ") != MedlemTyp.KOMMUN and not data.get("namn"):
            self.add_error("namn", _("Ange medlemmens namn."))
        return data


class MedlemEditForm(forms.Form):
    namn = forms.CharField(label=_("Namn"), max_length=200)
    startdatum = DateField(label=_("Medlem från"), widget=DATE)
    slutdatum = DateField(
        label=_("Medlem till"),
        widget=DATE,
        required=False,
        help_text=_("Sista dagen som medlem. Tomt om medlemskapet gäller tills vidare."),
    )
    andel_procent = forms.DecimalField(
        label=_("Fast andel (%)"), required=False, min_value=0, max_value=100, decimal_places=4
    )


class MedlemReplaceForm(forms.Form):
    namn = forms.CharField(label=_("Ny medlem (namn)"), max_length=200)
    fran = DateField(label=_("Ny medlem från"), widget=DATE)


class DatumForm(forms.Form):
    datum = DateField(label=_("Datum"), widget=DATE, required=False)


class BefolkningForm(forms.Form):
    kommun = KommunChoiceField(label=_("Kommun"), queryset=Kommun.objects.none())
    ar = YearField()
    antal = forms.IntegerField(
        label=_("Antal invånare 16–64 år"),
        min_value=0,
        max_value=10_000_000,
        error_messages={
            "invalid": _("Ange ett heltal."),
            "min_value": _("Antalet kan inte vara negativt."),
        },
    )

    def __init__(self, *args, forbund: Forbund, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kommun"].queryset = (
            Kommun.objects.filter(medlemskap__forbund=forbund).distinct().order_by("namn")
        )


class ImportForm(forms.Form):
    fil = forms.FileField(
        label=_("CSV-fil"), widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"})
    )


class FinansieringForm(forms.Form):
    ar = YearField()
    statlig_tilldelning = KronorField(label=_("Statlig tilldelning (kr)"))
    ovriga_intakter = KronorField(label=_("Övriga intäkter (kr)"), required=False)

    def clean_ovriga_intakter(self):
        return self.cleaned_data["ovriga_intakter"] or Decimal(0)


class FordelningForm(forms.Form):
    kommun_fordelning = forms.ChoiceField(
        label=_("Kommunernas fördelning"), choices=KommunFordelning.choices
    )


# --- budget ---------------------------------------------------------------------------------


class BudgetCreateForm(forms.Form):
    ar = YearField()


class BudgetLinesForm(forms.Form):
    """One amount per entered budget line; the insatser line is derived."""

    def __init__(self, *args, initial_amounts: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for post in ENTERED_POSTER:
            self.fields[post.value] = KronorField(
                label=post.label,
                initial=(initial_amounts or {}).get(post.value, Decimal(0)),
            )

    def amounts(self) -> dict[str, Decimal]:
        return {p.value: self.cleaned_data[p.value] for p in ENTERED_POSTER}


class BudgetDecideForm(forms.Form):
    beslutsdatum = DateField(label=_("Beslutsdatum"), widget=DATE)
    beslut = forms.ModelChoiceField(
        label=_("Styrelsebeslut"),
        queryset=Beslut.objects.none(),
        required=False,
        to_field_name="uuid",
        help_text=_("Välj ett registrerat beslut, eller ange paragraf och rubrik nedan."),
    )
    paragraf = forms.CharField(
        label=_("Paragraf"), max_length=20, required=False, help_text=_("T.ex. § 12/2026.")
    )
    rubrik = forms.CharField(label=_("Rubrik"), max_length=200, required=False)

    def __init__(self, *args, forbund: Forbund, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["beslut"].queryset = Beslut.objects.filter(forbund=forbund).order_by("-datum")

    def clean(self):
        data = super().clean()
        if not data.get("beslut") and not data.get("paragraf"):
            self.add_error(
                "paragraf", _("Ange beslutets paragraf eller välj ett registrerat beslut.")
            )
        return data


class BudgetVersionForm(forms.Form):
    andringsorsak = forms.CharField(
        label=_("Skäl till ändringen"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class UtfallForm(forms.Form):
    datum = DateField(label=_("Datum"), widget=DATE)
    post = forms.ChoiceField(label=_("Budgetpost"), choices=Budgetpost.choices)
    belopp = KronorField(
        label=_("Belopp (kr)"), min_value=None, help_text=_("Negativt för en kreditering.")
    )
    text = forms.CharField(label=_("Text"), max_length=200, required=False)


class KontoForm(forms.Form):
    konto = forms.RegexField(
        label=_("Konto"),
        regex=r"^\d{3,10}$",
        error_messages={"invalid": _("Ett konto är 3–10 siffror, t.ex. 4010.")},
    )
    post = forms.ChoiceField(label=_("Budgetpost"), choices=Budgetpost.choices)


# --- styrelse -------------------------------------------------------------------------------


class UppdragForm(forms.Form):
    medlem = forms.ModelChoiceField(label=_("Utsedd av"), queryset=Medlem.objects.none())
    namn = forms.CharField(label=_("Namn"), max_length=200)
    roll = forms.ChoiceField(
        label=_("Roll"),
        choices=[
            (r.value, r.label)
            for r in (
                StyrelseRoll.LEDAMOT,
                StyrelseRoll.ERSATTARE,
                StyrelseRoll.ORDFORANDE,
                StyrelseRoll.VICE,
            )
        ],
    )
    fran = DateField(label=_("Mandat från"), widget=DATE)
    till = DateField(label=_("Mandat till"), widget=DATE)
    valbarhet = forms.ChoiceField(label=_("Valbarhetsgrund"), choices=Valbarhet.choices)
    anvandare = forms.ModelChoiceField(
        label=_("Inloggning"),
        queryset=User.objects.none(),
        required=False,
        to_field_name="uuid",
        help_text=_("Användare med rollen styrelse i förbundet, om personen loggar in."),
    )

    def __init__(self, *args, forbund: Forbund, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["medlem"].queryset = Medlem.objects.for_forbund(forbund).ordered()
        self.fields["medlem"].to_field_name = "uuid"
        self.fields["anvandare"].queryset = User.objects.filter(
            roller__forbund=forbund, roller__roll=Role.STYRELSE, roller__is_active=True
        ).order_by("last_name", "first_name")


class SammantradeForm(forms.Form):
    datum = DateField(label=_("Datum"), widget=DATE)
    plats = forms.CharField(label=_("Plats"), max_length=200, required=False)


class BeslutForm(forms.Form):
    paragraf = forms.CharField(label=_("Paragraf"), max_length=20, help_text=_("T.ex. § 12/2026."))
    rubrik = forms.CharField(label=_("Rubrik"), max_length=200)
    text = forms.CharField(
        label=_("Beslutstext"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )


# --- the allocation model -------------------------------------------------------------------


class ModellParamForm(forms.Form):
    ar = YearField(label=_("Tilldelningsår"))
    nationell_summa = KronorField(label=_("Nationell summa (kr)"))
    grundbelopp = KronorField(label=_("Grundbelopp per förbund (kr)"), initial=400_000)
    vikt_forsorjning = forms.DecimalField(
        label=_("Vikt försörjningsmått (%)"),
        min_value=0,
        max_value=100,
        decimal_places=2,
        initial=75,
    )
    vikt_befolkning = forms.DecimalField(
        label=_("Vikt befolkning (%)"), min_value=0, max_value=100, decimal_places=2, initial=25
    )
    golv_procent = forms.DecimalField(
        label=_("Största minskning mot förra året (%)"),
        min_value=-100,
        max_value=0,
        decimal_places=2,
        initial=-10,
        help_text=_("T.ex. −10: ingen tilldelning faller mer än 10 % på ett år."),
    )

    def clean(self):
        data = super().clean()
        vf, vb = data.get("vikt_forsorjning"), data.get("vikt_befolkning")
        if vf is not None and vb is not None and vf + vb != 100:
            self.add_error("vikt_befolkning", _("Vikterna måste tillsammans bli 100 %."))
        return data


class ModellRadForm(forms.Form):
    forbund = forms.UUIDField(widget=forms.HiddenInput)
    befolkning = forms.IntegerField(
        label=_("Befolkning 16–64/65 år"),
        min_value=0,
        max_value=100_000_000,
        error_messages={
            "invalid": _("Ange ett heltal."),
            "min_value": _("Kan inte vara negativt."),
        },
    )
    forsorjningsmatt = KronorField(label=_("Försörjningsmått (kr)"))
    foregaende = KronorField(label=_("Förra årets tilldelning (kr)"), required=False)
    ek_over_niva = forms.BooleanField(
        label=_("Eget kapital över rekommenderad nivå"), required=False
    )

    def clean_foregaende(self):
        return self.cleaned_data["foregaende"] or Decimal(0)


ModellRadFormSet = forms.formset_factory(ModellRadForm, extra=0, max_num=500, validate_max=True)
