"""The state allocation model (FK's fördelningsmodell) as a calculator for the nationell role.

The arithmetic is in ``berakning.allocation_model``; here a run is saved with every input and
parameter, so a published allocation can always be traced back, and published as each förbund's
statlig tilldelning for the year.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from finsam.models import User

from .berakning import ModellFel, ModellIndata, ModellParametrar, allocation_model, round_krona
from .models import Finansieringsar, Forbund, Modellberakning, Modellrad


@dataclass
class ModellRadInput:
    forbund: Forbund
    befolkning: int
    forsorjningsmatt: Decimal
    foregaende: Decimal
    ek_over_niva: bool


@transaction.atomic
def modell_berakna(
    *,
    ar: int,
    nationell_summa: Decimal,
    grundbelopp: Decimal,
    vikt_forsorjning: Decimal,
    vikt_befolkning: Decimal,
    golv_procent: Decimal,
    rows: list[ModellRadInput],
    user: User,
) -> Modellberakning:
    """Run the model and save the run with its inputs and results (not yet published)."""
    params = ModellParametrar(
        nationell_summa=int(nationell_summa),
        grundbelopp=int(grundbelopp),
        vikt_forsorjning=Fraction(vikt_forsorjning),
        vikt_befolkning=Fraction(vikt_befolkning),
        golv_procent=Fraction(golv_procent),
    )
    indata = [
        ModellIndata(
            r.forbund.pk,
            r.forbund.namn,
            r.befolkning,
            int(r.forsorjningsmatt),
            int(r.foregaende),
            r.ek_over_niva,
        )
        for r in rows
    ]
    try:
        result = allocation_model(params, indata)
    except ModellFel as exc:
        raise ValidationError(str(exc)) from exc
    run = Modellberakning.objects.create(
        ar=ar,
        nationell_summa=nationell_summa,
        grundbelopp=grundbelopp,
        vikt_forsorjning=vikt_forsorjning,
        vikt_befolkning=vikt_befolkning,
        golv_procent=golv_procent,
        skapad_av=user,
    )
    Modellrad.objects.bulk_create(
        [
            Modellrad(
                berakning=run,
                forbund=r.forbund,
                befolkning=r.befolkning,
                forsorjningsmatt=r.forsorjningsmatt,
                foregaende=r.foregaende,
                ek_over_niva=r.ek_over_niva,
                modellbelopp=Decimal(round_krona(out.modellbelopp)),
                justering=out.justering,
                tilldelning=Decimal(out.tilldelning),
            )
            for r, out in zip(rows, result.rader, strict=True)
        ]
    )
    return run


@transaction.atomic
def modell_publicera(*, berakning: Modellberakning) -> int:
    """Publish a run: each förbund's result becomes its statlig tilldelning for the year (other
    income is kept). A run is published once; a revised model is a new run."""
    run = Modellberakning.objects.select_for_update().get(pk=berakning.pk)
    if run.publicerad is not None:
        raise ValidationError(_("Beräkningen är redan publicerad."))
    count = 0
    for rad in run.rader.select_related("forbund"):
        Finansieringsar.objects.update_or_create(
            forbund=rad.forbund,
            ar=run.ar,
            defaults={"statlig_tilldelning": rad.tilldelning, "kalla": "modell"},
        )
        count += 1
    run.publicerad = timezone.now()
    run.save(update_fields=["publicerad"])
    return count
