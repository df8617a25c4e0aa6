import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from finsam.widgets import PlainDateInput, PlainSelect, PlainTextInput

from .models import RapportTyp
from .stats import Period, full_year, half_year, last_closed_half_year


class RapportOrderForm(forms.Form):
    typ = forms.ChoiceField(label=_("Rapport"), choices=RapportTyp.choices)
    ar = forms.IntegerField(
        label=_("År"),
        min_value=2004,
        required=False,
        help_text=_("För halvårs- och årsrapport."),
    )
    fran = forms.DateField(
        label=_("Från"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Endast för egen period."),
    )
    till = forms.DateField(
        label=_("Till"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Endast för egen period."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["ar"].widget.attrs["max"] = today.year
        if not self.is_bound:
            self.initial.setdefault("typ", RapportTyp.HALVAR)
            self.initial.setdefault("ar", last_closed_half_year(today).start.year)

    def clean_ar(self):
        ar = self.cleaned_data.get("ar")
        if ar is not None and ar > timezone.localdate().year:
            raise forms.ValidationError(_("Året kan inte ligga i framtiden."))
        return ar

    def clean(self):
        data = super().clean()
        typ, ar = data.get("typ"), data.get("ar")
        today = timezone.localdate()
        if typ in (RapportTyp.HALVAR, RapportTyp.HELAR):
            if ar is None:
                if "ar" not in self.errors:
                    self.add_error("ar", _("Ange vilket år rapporten gäller."))
                return data
            period = half_year(ar) if typ == RapportTyp.HALVAR else full_year(ar)
        elif typ == RapportTyp.EGEN:
            fran, till = data.get("fran"), data.get("till")
            if fran is None and "fran" not in self.errors:
                self.add_error("fran", _("Ange periodens första dag."))
            if till is None and "till" not in self.errors:
                self.add_error("till", _("Ange periodens sista dag."))
            if fran is None or till is None:
                return data
            if till < fran:
                self.add_error("till", _("Periodens sista dag kan inte ligga före den första."))
                return data
            if (till - fran) > dt.timedelta(days=366 * 5):
                self.add_error("till", _("En egen period får vara högst fem år."))
                return data
            period = Period(fran, till)
        else:
            return data
        if period.start > today:
            self.add_error(
                "ar" if typ != RapportTyp.EGEN else "fran",
                _("Perioden har inte börjat ännu."),
            )
            return data
        data["period"] = period
        return data


class DelningForm(forms.Form):
    delar_nationell_statistik = forms.BooleanField(
        label=_("Dela förbundets statistik i nationella sammanställningar"),
        required=False,
        help_text=_("Bara maskerade summor lämnar förbundet, aldrig enskilda deltaganden."),
    )


class DashboardPeriodForm(forms.Form):
    period = forms.ChoiceField(
        label=_("Period"),
        choices=[
            ("i_ar", _("I år hittills")),
            ("halvar", _("Senaste halvår")),
            ("forra_aret", _("Förra året")),
            ("egen", _("Egen period")),
        ],
        required=False,
        widget=PlainSelect(),
    )
    fran = forms.DateField(
        label=_("Från"), required=False, widget=PlainDateInput(attrs={"type": "date"})
    )
    till = forms.DateField(
        label=_("Till"), required=False, widget=PlainDateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if data.get("period") == "egen":
            fran, till = data.get("fran"), data.get("till")
            if fran is None and "fran" not in self.errors:
                self.add_error("fran", _("Ange periodens första dag."))
            if till is None and "till" not in self.errors:
                self.add_error("till", _("Ange periodens sista dag."))
            if fran and till:
                if till < fran:
                    self.add_error("till", _("Periodens sista dag kan inte ligga före den första."))
                elif (till - fran).days > 3 * 366:
                    self.add_error("till", _("Välj en period på högst tre år."))
                elif fran > timezone.localdate():
                    self.add_error("fran", _("Perioden har inte börjat ännu."))
        return data


class StyrelsepaketForm(forms.Form):
    diarienummer = forms.CharField(
        label=_("Sammanträdets diarienummer"),
        max_length=40,
        required=False,
        help_text=_("Skrivs på styrelsepaketets första sida, t.ex. SF 2026/14."),
        widget=PlainTextInput(),
    )
