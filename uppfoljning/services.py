"""Writes on reports: order, claim, build, fail, sweep.

The ``Rapport`` row is the source of truth. It is saved first and the task is sent after commit;
if Redis is down at that moment the row simply stays queued and the periodic sweep sends it again,
so no order is ever lost. Building is idempotent: it claims the row with a conditional UPDATE,
writes files under names derived from the row, and a finished row is never built again.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import Omfattning, Rapport, RapportStatus, RapportTyp, Variant, rapport_upload_to
from .stats import Period, build_snapshot

logger = logging.getLogger(__name__)

# A running report whose worker has not reported progress for this long is taken to be lost
# (the worker died) and may be claimed again.
STALE_AFTER = dt.timedelta(minutes=10)
# A queued report older than this that no worker took is sent again by the sweep.
REQUEUE_AFTER = dt.timedelta(minutes=2)
MAX_ATTEMPTS = 5


def _send(rapport_id: int) -> bool:
    """Send the build task; a broker that is down leaves the row queued for the sweep."""
    from .tasks import rapport_build_task

    try:
        with rapport_build_task.app.connection_for_write() as conn:
            # One quick attempt: kombu's default is to retry the connection for seconds, and a
            # web request that orders a report must answer within 2 s while Redis is down.
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=1)
            rapport_build_task.apply_async(args=[rapport_id], retry=False, connection=conn)
    except Exception:  # noqa: BLE001 - any broker failure: the sweep will resend the row
        logger.warning("Kunde inte skicka rapport %s till kön; svepet skickar den igen", rapport_id)
        return False
    return True


def rapport_order(
    *,
    forbund,
    user,
    typ: str,
    period: Period,
    variant: str = Variant.ARBETSVERSION,
    foregaende: Rapport | None = None,
    diarienummer: str = "",
) -> Rapport:
    """Order a report: save the row (status köad), then send the task after commit.

    ``rapport.skickad`` tells the caller whether the task reached the queue: False when the
    broker (Redis) was down, and the row waits for the sweep; None while the send waits for an
    outer transaction to commit."""
    omfattning = Omfattning.FORBUND if forbund is not None else Omfattning.NATIONELL
    with transaction.atomic():
        rapport = Rapport.objects.create(
            forbund=forbund,
            typ=typ,
            omfattning=omfattning,
            variant=variant,
            period_start=period.start,
            period_slut=period.slut,
            bestalld_av=user,
            foregaende=foregaende,
            diarienummer=diarienummer,
        )
        rapport.skickad = None

        def send() -> None:
            rapport.skickad = _send(rapport.pk)

        transaction.on_commit(send)
    return rapport


def rapport_reorder(*, rapport: Rapport, user) -> Rapport:
    """ "Ta fram på nytt": a new row for the same report; the finished one stays frozen."""
    return rapport_order(
        forbund=rapport.forbund,
        user=user,
        typ=rapport.typ,
        period=Period(rapport.period_start, rapport.period_slut),
        variant=rapport.variant,
        foregaende=rapport,
        diarienummer=rapport.diarienummer,
    )


def rapport_claim(*, rapport_id: int) -> bool:
    """Take a queued (or abandoned running) report for building; False when there is nothing
    to do (already finished, failed for good, or running in a live worker)."""
    now = timezone.now()
    claimable = Q(status=RapportStatus.KOAD) | Q(
        status=RapportStatus.PAGAR, heartbeat_at__lt=now - STALE_AFTER
    )
    updated = (
        Rapport.objects.filter(pk=rapport_id)
        .filter(claimable)
        .update(
            status=RapportStatus.PAGAR,
            heartbeat_at=now,
            progress=0,
            steg="Startar",
            attempts=F("attempts") + 1,
        )
    )
    return updated == 1


def rapport_progress(*, rapport_id: int, progress: int, steg: str) -> None:
    Rapport.objects.filter(pk=rapport_id, status=RapportStatus.PAGAR).update(
        progress=progress, steg=steg, heartbeat_at=timezone.now()
    )


def rapport_build(*, rapport_id: int) -> None:
    """Compute, render and store one report. Safe to run again for the same row."""
    from .masking import mask_snapshot
    from .rendering import render_pdf, render_report_html, render_xlsx, sha256

    if not rapport_claim(rapport_id=rapport_id):
        return
    rapport = Rapport.objects.select_related("forbund", "bestalld_av").get(pk=rapport_id)
    # The data cut-off is fixed on the first attempt so a retried build gives the same report.
    if rapport.data_cutoff is None:
        rapport.data_cutoff = timezone.now()
        Rapport.objects.filter(pk=rapport_id).update(data_cutoff=rapport.data_cutoff)
    rapport_progress(rapport_id=rapport_id, progress=10, steg="Beräknar statistik")
    period = Period(rapport.period_start, rapport.period_slut)
    if rapport.typ == RapportTyp.STYRELSEPAKET:
        from .dashboard import build_dashboard
        from .rendering import render_styrelsepaket_html

        dashboard = build_dashboard(
            forbund=rapport.forbund, period=period, today=timezone.localdate(rapport.data_cutoff)
        )
        # The archive and the Excel file hold the whole board version of the report's figures
        # (the dashboard shows a part of them).
        snapshot = mask_snapshot(
            build_snapshot(forbund=rapport.forbund, period=period, data_cutoff=rapport.data_cutoff)
        )
        rapport_progress(rapport_id=rapport_id, progress=40, steg="Skapar PDF")
        pdf = render_pdf(render_styrelsepaket_html(rapport, dashboard))
    else:
        snapshot = build_snapshot(
            forbund=rapport.forbund, period=period, data_cutoff=rapport.data_cutoff
        )
        if rapport.is_masked:
            snapshot = mask_snapshot(snapshot)
        rapport_progress(rapport_id=rapport_id, progress=40, steg="Skapar PDF")
        pdf = render_pdf(render_report_html(rapport, snapshot, for_pdf=True))
    rapport_progress(rapport_id=rapport_id, progress=80, steg="Skapar Excel-fil")
    xlsx = render_xlsx(rapport, snapshot)
    stem = rapport.file_stem()
    with transaction.atomic():
        locked = Rapport.objects.select_for_update().get(pk=rapport_id)
        if locked.status != RapportStatus.PAGAR:
            return
        for field, data, ext in (("pdf", pdf, "pdf"), ("xlsx", xlsx, "xlsx")):
            old = getattr(locked, field)
            if old:
                old.delete(save=False)
            # A worker killed between writing a file and committing leaves it behind: replace
            # it, so a report has exactly one file of each kind however often it was retried.
            target = rapport_upload_to(locked, f"{stem}.{ext}")
            if old.storage.exists(target):
                old.storage.delete(target)
            getattr(locked, field).save(f"{stem}.{ext}", ContentFile(data), save=False)
        locked.pdf_sha256 = sha256(pdf)
        locked.xlsx_sha256 = sha256(xlsx)
        locked.snapshot = snapshot
        locked.status = RapportStatus.KLAR
        locked.progress = 100
        locked.steg = "Klar"
        locked.klar_at = timezone.now()
        locked.fel = ""
        locked.save()


def rapport_fail(*, rapport_id: int, error: str) -> None:
    Rapport.objects.filter(pk=rapport_id).exclude(status=RapportStatus.KLAR).update(
        status=RapportStatus.MISSLYCKAD, fel=error[:2000], steg="Misslyckades"
    )


def rapport_sweep() -> int:
    """Send again the reports that no worker is building: queued too long (e.g. Redis was down
    when they were ordered) or running without a heartbeat (the worker died)."""
    now = timezone.now()
    lost = Rapport.objects.filter(attempts__lt=MAX_ATTEMPTS).filter(
        Q(status=RapportStatus.KOAD, bestalld_at__lt=now - REQUEUE_AFTER)
        | Q(status=RapportStatus.PAGAR, heartbeat_at__lt=now - STALE_AFTER)
    )
    sent = 0
    for rapport_id in lost.values_list("pk", flat=True):
        sent += _send(rapport_id)
    return sent


def rapporter_draft_periodic(*, today: dt.date) -> list[Rapport]:
    """Celery beat, 1 July and 1 January: draft the half-year (July) or annual (January) report
    for every active förbund as arbetsversion. Running twice on the same day drafts nothing new."""
    from forbund.models import Forbund

    from .stats import last_closed_half_year, last_closed_year

    if today.month == 7:
        typ, period = RapportTyp.HALVAR, last_closed_half_year(today)
    elif today.month == 1:
        typ, period = RapportTyp.HELAR, last_closed_year(today)
    else:
        return []
    drafted = []
    from django.urls import reverse

    from finsam.roles import Role
    from finsam.services import notis_send_to_role

    for forbund in Forbund.objects.active():
        exists = Rapport.objects.filter(
            forbund=forbund,
            typ=typ,
            period_start=period.start,
            period_slut=period.slut,
            bestalld_av__isnull=True,
        ).exists()
        if not exists:
            rapport = rapport_order(forbund=forbund, user=None, typ=typ, period=period)
            drafted.append(rapport)
            notis_send_to_role(
                forbund=forbund,
                role=Role.FORBUNDSCHEF,
                text=f"Ett utkast till {rapport.titel.lower()} har tagits fram (arbetsversion).",
                url=reverse("uppfoljning:rapport", kwargs={"uuid": rapport.uuid}),
            )
    return drafted


def styrelsepaket_order(*, forbund, user, period: Period, diarienummer: str) -> Rapport:
    """The board's pack: the dashboard for a period as a PDF, made by the report machinery and
    kept in the report archive (board variant, masked)."""
    return rapport_order(
        forbund=forbund,
        user=user,
        typ=RapportTyp.STYRELSEPAKET,
        period=period,
        variant=Variant.STYRELSE,
        diarienummer=diarienummer,
    )


def installning_set_delning(*, forbund, delar: bool) -> None:
    """The förbundschef decides whether the förbund's figures go into national reports."""
    from .models import UppfoljningInstallning

    UppfoljningInstallning.objects.update_or_create(
        forbund=forbund, defaults={"delar_nationell_statistik": delar}
    )
