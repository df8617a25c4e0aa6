"""Demo data for reports: a finished half-year and annual report for each closed demo year,
made through the real Celery task (run in-process), plus the board version of the latest year."""

from __future__ import annotations

from .models import Rapport, RapportTyp, Variant
from .stats import full_year, half_year

DEMO_YEARS = (2024, 2025)


def seed(ctx) -> None:
    if not getattr(ctx, "with_reports", True):
        return
    from .services import rapport_order
    from .tasks import rapport_build_task

    chef = ctx.users["chef"]
    wanted = []
    for year in DEMO_YEARS:
        wanted.append((RapportTyp.HALVAR, half_year(year), Variant.ARBETSVERSION))
        wanted.append((RapportTyp.HELAR, full_year(year), Variant.ARBETSVERSION))
    wanted.append((RapportTyp.HELAR, full_year(DEMO_YEARS[-1]), Variant.STYRELSE))
    for typ, period, variant in wanted:
        exists = Rapport.objects.filter(
            forbund=ctx.forbund,
            typ=typ,
            variant=variant,
            period_start=period.start,
            period_slut=period.slut,
        ).exists()
        if exists:
            continue
        rapport = rapport_order(
            forbund=ctx.forbund, user=chef, typ=typ, period=period, variant=variant
        )
        rapport_build_task.apply(args=[rapport.pk])
        ctx.log.append(f"rapport {rapport.titel} ({variant})")
