"""Writes on budgets, utfall and the account mapping (STYLE: services, ``<entity>_<action>``).

A budget is drafted (utkast), then decided by the styrelse (beslutad, with date and the decision
reference) and from then on locked. A change after the decision is a new version with its reason;
when that version is decided, the previous one is kept as history (ersatt).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from finsam.models import User

from .extensions import insats_budget_total
from .imports import FilFel, Radfel, normalise_key, parse_utfall
from .models import (
    ENTERED_POSTER,
    Beslut,
    Budget,
    Budgetpost,
    Budgetrad,
    BudgetStatus,
    Forbund,
    Kontomappning,
    Utfall,
)
from .services import ImportResultat


def _check_amount(field: str, value: Decimal) -> None:
    if value < 0 or value != value.to_integral_value():
        raise ValidationError({field: _("Ange ett belopp i hela kronor, noll eller mer.")})


@transaction.atomic
def budget_create(*, forbund: Forbund, ar: int, user: User) -> Budget:
    """Start the first budget of a year as a draft. The lines are copied from the latest budget
    of the year before, when there is one, so the förbundschef adjusts rather than retypes."""
    if Budget.objects.filter(forbund=forbund, ar=ar).exists():
        raise ValidationError(
            {"ar": _("Det finns redan en budget för %(ar)s. Öppna den i stället.") % {"ar": ar}}
        )
    previous = (
        Budget.objects.filter(forbund=forbund, ar=ar - 1)
        .exclude(status=BudgetStatus.ERSATT)
        .order_by("-version")
        .first()
    )
    amounts = {r.post: r.belopp for r in previous.rader.all()} if previous is not None else {}
    try:
        with transaction.atomic():
            budget = Budget.objects.create(forbund=forbund, ar=ar, skapad_av=user)
    except IntegrityError as exc:  # a double click: the first request made it
        raise ValidationError(
            {"ar": _("Det finns redan en budget för %(ar)s. Öppna den i stället.") % {"ar": ar}}
        ) from exc
    Budgetrad.objects.bulk_create(
        [
            Budgetrad(forbund=forbund, budget=budget, post=p, belopp=amounts.get(p, Decimal(0)))
            for p in ENTERED_POSTER
        ]
    )
    return budget


def _require_draft(budget: Budget) -> None:
    if budget.is_locked:
        raise ValidationError(
            _(
                "Budgeten är beslutad och låst. Gör en ny version med skäl till ändringen "
                "för att ändra den."
            )
        )


@transaction.atomic
def budget_set_lines(*, budget: Budget, amounts: dict[str, Decimal]) -> Budget:
    """Set the amounts of a draft's entered lines (whole kronor, not negative). The insatser
    line is derived from the insats budgets and cannot be set here."""
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    _require_draft(budget)
    for post, value in amounts.items():
        if post not in {p.value for p in ENTERED_POSTER}:
            raise ValidationError(_("Okänd budgetpost: %(post)s.") % {"post": post})
        _check_amount(post, value)
    for post, value in amounts.items():
        Budgetrad.objects.update_or_create(
            budget=budget, post=post, defaults={"forbund": budget.forbund, "belopp": value}
        )
    return budget


@transaction.atomic
def budget_decide(
    *,
    budget: Budget,
    beslutsdatum: dt.date,
    beslut: Beslut | None = None,
    paragraf: str = "",
    rubrik: str = "",
) -> Budget:
    """The styrelse decides the budget: it is locked from now on, with its decision date and the
    reference to the styrelse decision (an existing Beslut, or one registered here). The derived
    insatser line is frozen at its value on the day of decision. An earlier decided version of
    the same year becomes history (ersatt)."""
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    _require_draft(budget)
    if beslutsdatum > timezone.localdate():
        raise ValidationError({"beslutsdatum": _("Beslutsdatum kan inte ligga i framtiden.")})
    if beslut is not None and beslut.forbund_id != budget.forbund_id:
        raise ValidationError({"beslut": _("Beslutet hör inte till förbundet.")})
    if beslut is None:
        paragraf = paragraf.strip()
        if not paragraf:
            raise ValidationError({"paragraf": _("Ange beslutets paragraf.")})
        if Beslut.objects.filter(forbund=budget.forbund, paragraf=paragraf).exists():
            raise ValidationError(
                {"paragraf": _("Paragrafen finns redan; välj beslutet i listan i stället.")}
            )
        beslut = Beslut.objects.create(
            forbund=budget.forbund,
            datum=beslutsdatum,
            paragraf=paragraf,
            rubrik=rubrik.strip() or _("Budget %(ar)s") % {"ar": budget.ar},
        )
    Budget.objects.filter(
        forbund=budget.forbund, ar=budget.ar, status=BudgetStatus.BESLUTAD
    ).update(status=BudgetStatus.ERSATT)
    Budgetrad.objects.update_or_create(
        budget=budget,
        post=Budgetpost.INSATSER,
        defaults={
            "forbund": budget.forbund,
            "belopp": insats_budget_total(forbund=budget.forbund, year=budget.ar),
        },
    )
    budget.status = BudgetStatus.BESLUTAD
    budget.beslut = beslut
    budget.beslutsdatum = beslutsdatum
    budget.last_at = timezone.now()
    budget.save(update_fields=["status", "beslut", "beslutsdatum", "last_at"])
    return budget


@transaction.atomic
def budget_new_version(*, budget: Budget, andringsorsak: str, user: User) -> Budget:
    """A change after decision: a new draft version with the reason for the change, starting
    from the decided amounts. The decided version stays in force until the new one is decided."""
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    if budget.status != BudgetStatus.BESLUTAD:
        raise ValidationError(_("Bara den gällande beslutade budgeten kan få en ny version."))
    if not andringsorsak.strip():
        raise ValidationError({"andringsorsak": _("Ange skälet till ändringen.")})
    if Budget.objects.filter(
        forbund=budget.forbund, ar=budget.ar, status=BudgetStatus.UTKAST
    ).exists():
        raise ValidationError(_("Det finns redan ett utkast till ny version för året."))
    latest = Budget.objects.filter(forbund=budget.forbund, ar=budget.ar).order_by("-version")[0]
    try:
        with transaction.atomic():
            new = Budget.objects.create(
                forbund=budget.forbund,
                ar=budget.ar,
                version=latest.version + 1,
                andringsorsak=andringsorsak.strip(),
                skapad_av=user,
            )
    except IntegrityError as exc:  # two clicks at once: the constraint keeps one draft
        raise ValidationError(_("Det finns redan ett utkast till ny version för året.")) from exc
    Budgetrad.objects.bulk_create(
        [
            Budgetrad(forbund=budget.forbund, budget=new, post=r.post, belopp=r.belopp)
            for r in budget.rader.all()
            if r.post != Budgetpost.INSATSER
        ]
    )
    return new


@transaction.atomic
def budget_delete_draft(*, budget: Budget) -> None:
    """Throw away a draft (never a decided version: those are history)."""
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    _require_draft(budget)
    budget.delete()


# --- utfall -------------------------------------------------------------------------------


@transaction.atomic
def utfall_add(
    *, forbund: Forbund, datum: dt.date, post: str, belopp: Decimal, text: str = ""
) -> Utfall:
    """An actual cost on a budget line (whole kronor; negative for a credit)."""
    if post not in Budgetpost.values:
        raise ValidationError({"post": _("Okänd budgetpost.")})
    if belopp != belopp.to_integral_value():
        raise ValidationError({"belopp": _("Ange hela kronor, utan ören.")})
    return Utfall.objects.create(forbund=forbund, datum=datum, post=post, belopp=belopp, text=text)


@transaction.atomic
def utfall_delete(*, utfall: Utfall) -> None:
    utfall.delete()


@transaction.atomic
def kontomappning_set(*, forbund: Forbund, konto: str, post: str) -> Kontomappning:
    """Map a ledger account to a budget line (used by the utfall import)."""
    if post not in Budgetpost.values:
        raise ValidationError({"post": _("Okänd budgetpost.")})
    row, _created = Kontomappning.objects.update_or_create(
        forbund=forbund, konto=konto, defaults={"post": post}
    )
    return row


def _post_lookup(forbund: Forbund) -> dict[str, str]:
    lookup = {}
    for post in Budgetpost:
        lookup[normalise_key(post.value)] = post.value
        lookup[normalise_key(str(post.label))] = post.value
    for konto, post in Kontomappning.objects.filter(forbund=forbund).values_list("konto", "post"):
        lookup[normalise_key(konto)] = post
    return lookup


def utfall_import(*, forbund: Forbund, data: bytes) -> ImportResultat:
    """Import actual costs from a ledger CSV (datum, konto or budgetpost, belopp[, text]). Each
    row's account must be mapped to a budget line (or name the line itself); any error and
    nothing is saved."""
    try:
        rows, errors = parse_utfall(data)
    except FilFel as exc:
        return ImportResultat(0, [], str(exc))
    lookup = _post_lookup(forbund)
    new = []
    for row in rows:
        post = lookup.get(normalise_key(row.nyckel))
        if post is None:
            errors.append(
                Radfel(
                    row.rad,
                    _(
                        "kontot eller posten ”%(k)s” är okänd. Koppla kontot till en budgetpost "
                        "under Kontoplan först."
                    )
                    % {"k": row.nyckel},
                )
            )
            continue
        konto = row.nyckel if row.nyckel.isdigit() else ""
        new.append(
            Utfall(
                forbund=forbund,
                datum=row.datum,
                post=post,
                belopp=row.belopp,
                konto=konto[:10],
                text=row.text,
                importerad=True,
            )
        )
    if not new and not errors:
        return ImportResultat(0, [], _("Filen innehåller inga rader."))
    if errors:
        return ImportResultat(0, sorted(errors, key=lambda e: e.rad))
    with transaction.atomic():
        Utfall.objects.bulk_create(new)
    return ImportResultat(len(new), [])
