"""Budget, utfall and eget kapital pages. The förbundschef and the ekonomi role edit budget and
utfall; the styrelse reads."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from finsam.decorators import role_required

from . import selectors_budget as sel
from . import services_budget as svc
from .access import READERS, can_edit_budget, require_budget_edit
from .charts import grouped_bars
from .excel import Sheet, xlsx_response
from .forms import (
    BudgetCreateForm,
    BudgetDecideForm,
    BudgetLinesForm,
    BudgetVersionForm,
    ImportForm,
    KontoForm,
    UtfallForm,
    add_errors,
)
from .models import Budgetpost, Kontomappning, Utfall
from .views import _year, _year_choices

UTFALL_SHOWN = 200


def _charts(overview):
    by_line = grouped_bars(
        title=f"Budget, utfall och prognos per post {overview.ar}",
        description=(
            f"Stapeldiagram. Budget totalt {int(overview.summa_budget)} kr, utfall hittills "
            f"{int(overview.summa_utfall)} kr, prognos {int(overview.summa_prognos)} kr. "
            "Siffrorna per post finns i tabellen."
        ),
        labels=[r.label.replace("Kansli: ", "") for r in overview.rader],
        series=[
            ("Budget", "budget", [r.budget for r in overview.rader]),
            ("Utfall hittills", "utfall", [r.utfall for r in overview.rader]),
            ("Prognos", "prognos", [r.prognos for r in overview.rader]),
        ],
    )
    by_month = grouped_bars(
        title=f"Budget och utfall per månad {overview.ar}",
        description=(
            "Stapeldiagram med en tolftedel av årsbudgeten och utfallet för varje månad. "
            "Siffrorna finns i tabellen Utfall per månad."
        ),
        labels=sel.MONTHS,
        series=[
            ("Budget per månad", "budget", overview.manad_budget),
            ("Utfall", "utfall", overview.manad_utfall),
        ],
    )
    return by_line, by_month


@role_required(*READERS)
@require_GET
def budget(request):
    ar = _year(request)
    overview = sel.budget_overview(forbund=request.forbund, ar=ar, today=timezone.localdate())
    by_line, by_month = _charts(overview)
    return render(
        request,
        "forbund/budget.html",
        {
            "ar": ar,
            "o": overview,
            "months": sel.MONTHS,
            "chart_line": by_line,
            "chart_month": by_month,
            "can_edit": can_edit_budget(request),
            "create_form": BudgetCreateForm(initial={"ar": ar}),
            "year_choices": _year_choices(ar),
        },
    )


@role_required(*READERS)
@require_POST
def budget_create(request):
    require_budget_edit(request)
    form = BudgetCreateForm(request.POST)
    if form.is_valid():
        try:
            b = svc.budget_create(
                forbund=request.forbund, ar=form.cleaned_data["ar"], user=request.user
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Ett budgetutkast för %(ar)s är skapat.") % {"ar": b.ar})
            return redirect("forbund:budget_version", uuid=b.uuid)
    return render(request, "forbund/budget_create.html", {"form": form}, status=400)


@role_required(*READERS)
@require_http_methods(["GET", "POST"])
def budget_version(request, uuid):
    """One budget version: its lines (editable while a draft), deciding it, a new version."""
    b = sel.budget_get(forbund=request.forbund, uuid=uuid)
    amounts = sel.budget_amounts(b)
    lines_form = BudgetLinesForm(initial_amounts=amounts)
    decide_form = BudgetDecideForm(
        forbund=request.forbund, prefix="beslut", initial={"beslutsdatum": timezone.localdate()}
    )
    version_form = BudgetVersionForm(prefix="version")
    action = request.POST.get("action") if request.method == "POST" else None
    if request.method == "POST":
        require_budget_edit(request)
    try:
        if action == "rader":
            lines_form = BudgetLinesForm(request.POST, initial_amounts=amounts)
            if lines_form.is_valid():
                svc.budget_set_lines(budget=b, amounts=lines_form.amounts())
                messages.success(request, _("Budgetraderna är sparade."))
                return redirect("forbund:budget_version", uuid=b.uuid)
        elif action == "besluta":
            decide_form = BudgetDecideForm(request.POST, forbund=request.forbund, prefix="beslut")
            if decide_form.is_valid():
                svc.budget_decide(budget=b, **decide_form.cleaned_data)
                messages.success(
                    request, _("Budgeten för %(ar)s är beslutad och låst.") % {"ar": b.ar}
                )
                return redirect("forbund:budget_version", uuid=b.uuid)
        elif action == "ny_version":
            version_form = BudgetVersionForm(request.POST, prefix="version")
            if version_form.is_valid():
                new = svc.budget_new_version(
                    budget=b, user=request.user, **version_form.cleaned_data
                )
                messages.success(
                    request, _("Version %(v)s är skapad som utkast.") % {"v": new.version}
                )
                return redirect("forbund:budget_version", uuid=new.uuid)
        elif action == "ta_bort":
            svc.budget_delete_draft(budget=b)
            messages.success(request, _("Utkastet är borttaget."))
            return redirect(f"{reverse('forbund:budget')}?ar={b.ar}")
        elif request.method == "POST":
            raise Http404  # an unknown action
    except ValidationError as exc:
        b.refresh_from_db()
        target = {"besluta": decide_form, "ny_version": version_form}.get(action, lines_form)
        add_errors(target, exc)
    failed = any(f.errors for f in (lines_form, decide_form, version_form))
    versions = sel.budget_versions(forbund=request.forbund, ar=b.ar)
    previous = next((v for v in versions if v.version < b.version), None)
    before = sel.budget_amounts(previous) if previous else None
    rows = [(p, amounts[p.value], before[p.value] if before else None) for p in Budgetpost]
    return render(
        request,
        "forbund/budget_version.html",
        {
            "b": b,
            "rows": rows,
            "total": sum(amounts.values()),
            "insatser_belopp": amounts[Budgetpost.INSATSER],
            "lines_form": lines_form,
            "decide_form": decide_form,
            "version_form": version_form,
            "versions": versions,
            "previous": previous,
            "previous_total": sum(before.values()) if before else None,
            "can_edit": can_edit_budget(request),
            "historik": sel.budget_history(request, budget=b),
        },
        status=400 if failed else 200,
    )


@role_required(*READERS)
@require_http_methods(["GET", "POST"])
def utfall(request):
    forbund = request.forbund
    ar = _year(request)
    form = UtfallForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        require_budget_edit(request)
        if form.is_valid():
            try:
                row = svc.utfall_add(forbund=forbund, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("Utfallet är registrerat."))
                return redirect(f"{request.path}?ar={row.datum.year}")
    return _utfall_page(request, ar, form, ImportForm(), KontoForm(prefix="konto"), None)


def _utfall_page(request, ar, form, import_form, konto_form, result):
    forbund = request.forbund
    qs = Utfall.objects.filter(forbund=forbund, datum__year=ar).order_by("-datum", "-skapad")
    rows = list(qs[:UTFALL_SHOWN])
    failed = form.errors or import_form.errors or konto_form.errors or (result and not result.ok)
    return render(
        request,
        "forbund/utfall.html",
        {
            "ar": ar,
            "rows": rows,
            "count": qs.count() if len(rows) == UTFALL_SHOWN else len(rows),
            "shown": UTFALL_SHOWN,
            "form": form,
            "import_form": import_form,
            "konto_form": konto_form,
            "konton": list(Kontomappning.objects.filter(forbund=forbund)),
            "result": result,
            "can_edit": can_edit_budget(request),
            "year_choices": _year_choices(ar),
            "historik": sel.utfall_history(request, forbund=forbund, ar=ar),
        },
        status=400 if failed else 200,
    )


@role_required(*READERS)
@require_POST
def utfall_import(request):
    require_budget_edit(request)
    ar = _year(request)
    import_form = ImportForm(request.POST, request.FILES)
    result = None
    if import_form.is_valid():
        result = svc.utfall_import(
            forbund=request.forbund, data=import_form.cleaned_data["fil"].read()
        )
        if result.ok:
            messages.success(
                request, _("Importen är klar: %(n)s rader sparade.") % {"n": result.saved}
            )
            return redirect(f"{reverse('forbund:utfall')}?ar={ar}")
    return _utfall_page(request, ar, UtfallForm(), import_form, KontoForm(prefix="konto"), result)


@role_required(*READERS)
@require_POST
def utfall_delete(request, uuid):
    row = sel.utfall_get(forbund=request.forbund, uuid=uuid)
    require_budget_edit(request)
    svc.utfall_delete(utfall=row)
    messages.success(request, _("Utfallsraden är borttagen."))
    return redirect(f"{reverse('forbund:utfall')}?ar={row.datum.year}")


@role_required(*READERS)
@require_POST
def kontomappning(request):
    require_budget_edit(request)
    ar = _year(request)
    konto_form = KontoForm(request.POST, prefix="konto")
    if konto_form.is_valid():
        try:
            svc.kontomappning_set(forbund=request.forbund, **konto_form.cleaned_data)
        except ValidationError as exc:
            add_errors(konto_form, exc)
        else:
            messages.success(request, _("Kontot är kopplat."))
            return redirect(f"{reverse('forbund:utfall')}?ar={ar}")
    return _utfall_page(request, ar, UtfallForm(), ImportForm(), konto_form, None)


@role_required(*READERS)
@require_GET
def eget_kapital(request):
    series = sel.eget_kapital_series(forbund=request.forbund, today=timezone.localdate())
    chart = grouped_bars(
        title="Eget kapital vid årets slut",
        description="Stapeldiagram över utgående eget kapital och gränsen per år; "
        "siffrorna finns i tabellen.",
        labels=[str(r.ar) for r in series],
        series=[
            ("Utgående eget kapital", "utfall", [r.utgaende for r in series]),
            ("Gräns", "prognos", [r.troskel for r in series]),
        ],
    )
    return render(
        request,
        "forbund/eget_kapital.html",
        {"series": series, "chart": chart, "forbund": request.forbund},
    )


@role_required(*READERS)
@require_GET
def budget_excel(request):
    ar = _year(request)
    o = sel.budget_overview(forbund=request.forbund, ar=ar, today=timezone.localdate())
    lines = [(r.label, r.budget, r.utfall, r.prognos, r.avvikelse) for r in o.rader]
    lines.append(("Summa", o.summa_budget, o.summa_utfall, o.summa_prognos, 0))
    months = [(r.label, *r.utfall_manad, r.utfall) for r in o.rader]
    series = sel.eget_kapital_series(forbund=request.forbund, today=timezone.localdate())
    ek = [
        (
            r.ar,
            r.ingaende,
            r.medlemsbidrag,
            r.ovriga_intakter,
            r.kostnader,
            r.utgaende,
            r.troskel,
            "ja" if r.over_troskel else "nej",
            "prognos" if r.prognos else "utfall",
        )
        for r in series
    ]
    return xlsx_response(
        f"budget-{ar}.xlsx",
        [
            Sheet(
                f"Budget {ar}",
                ["Post", "Budget (kr)", "Utfall (kr)", "Prognos (kr)", "Avvikelse (kr)"],
                lines,
            ),
            Sheet(f"Utfall per månad {ar}", ["Post", *sel.MONTHS, "Summa"], months),
            Sheet(
                "Eget kapital",
                [
                    "År",
                    "Ingående",
                    "Medlemsbidrag",
                    "Övriga intäkter",
                    "Kostnader",
                    "Utgående",
                    "Gräns",
                    "Över gränsen",
                    "Underlag",
                ],
                ek,
            ),
        ],
    )


urlpatterns = [
    path("budget/", budget, name="budget"),
    path("budget/ny/", budget_create, name="budget_skapa"),
    path("budget/excel/", budget_excel, name="budget_excel"),
    path("budget/<uuid:uuid>/", budget_version, name="budget_version"),
    path("utfall/", utfall, name="utfall"),
    path("utfall/import/", utfall_import, name="utfall_import"),
    path("utfall/konton/", kontomappning, name="kontomappning"),
    path("utfall/<uuid:uuid>/ta-bort/", utfall_delete, name="utfall_ta_bort"),
    path("eget-kapital/", eget_kapital, name="eget_kapital"),
]
