"""The probe's world: two förbund, A (ours) and B (foreign), each with everything a URL can
point at, and in A two controlling parties (kommun and region) with an insats each.

Every object a person could recognise carries a canary: a string that must only ever appear in
the responses of the users entitled to it (see ``Canaries``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from deltagare import services as deltagare_services
from deltagare.models import Deltagande
from finsam.permissions import DELTAGARANSVARIG, INSATSANSVARIG, insats_grant
from finsam.roles import Role
from forbund import services as forbund_services
from forbund import services_budget, services_modell, services_styrelse
from forbund.models import MedlemTyp
from insatser import services as insats_services
from tests.deltagare.factories import START, make_pnr
from tests.factories import UserFactory, forbund_with_members, user_with_role
from tests.insatser.factories import full_insats, struktur_insats
from uppfoljning.models import Variant
from uppfoljning.services import rapport_build, rapport_order
from uppfoljning.stats import half_year

MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pnr_formats(pnr: str) -> list[str]:
    """The ways a 12-digit personnummer can be written: 12 or 10 digits, with or without '-'."""
    return [pnr, f"{pnr[:8]}-{pnr[8:]}", pnr[2:], f"{pnr[2:8]}-{pnr[8:]}"]


@dataclass
class Side:
    """The objects one fill of the URL patterns uses: a förbund's objects and one person insats
    with its participations (identified with consent on a form, and anonymous)."""

    label: str
    forbund: object
    insats: object
    struktur: object
    staff: object
    identified: Deltagande
    anonymous: Deltagande
    medfinansiering: object
    dokument: object
    tillfalle: object
    medlem: object
    budget: object
    utfall: object
    uppdrag: object
    sammantrade: object
    forbundsordning: object
    rapport: object
    otp_device: object
    canaries: list[str] = field(default_factory=list)  # strings of this side's participants


@dataclass
class World:
    a1: Side  # förbund A, insats I1 (controlled by kommun 1)
    a2: Side  # förbund A, insats I2 (controlled by the region)
    b: Side  # förbund B: foreign to every probed user
    users: dict  # role label → user (None: anonymous)
    modellberakning: object
    nationell_rapport: object
    forbund_canaries: list[str]  # B's own names (förbund, insatser, board, documents …)


def _person_side(forbund, *, chef, insats, struktur, staff, pnr, namn, fodd, medlem):
    """Two participations in ``insats``: one identified (consent on a paper form), one
    anonymous; a document, co-financing and an occasion beside them."""
    identified = deltagare_services.deltagande_register(
        insats=insats,
        user=staff,
        kon="K",
        inskrivning=dt.date(2025, 2, 3),
        personnummer=pnr,
        namn=namn,
        samtycke=deltagare_services.SamtyckeInput(
            datum=dt.date(2025, 1, 20),
            satt="BLANKETT",
            blankettversion="2025:1",
            dokument=MINIMAL_PDF,
            dokument_typ="application/pdf",
        ),
        start=START,
    ).deltagande
    deltagare_services.deltagande_end(
        deltagande=identified,
        user=staff,
        utskrivning=dt.date(2025, 5, 30),
        avslutsorsak="MAL",
        sysselsattning_efter="ARBETE",
        forsorjning_efter=["LON"],
    )
    anonymous = deltagare_services.deltagande_register(
        insats=insats, user=staff, kon="M", fodelsear=fodd, inskrivning=dt.date(2025, 3, 3)
    ).deltagande
    rad = insats_services.medfinansiering_set(
        insats=insats, user=chef, finansiar=f"ESF {insats.kod}", ar=2026, belopp=Decimal(1000)
    )
    insats_services.budget_set(insats=insats, user=chef, ar=2026, belopp=Decimal(50000))
    dok = insats_services.dokument_upload(
        insats=insats,
        user=chef,
        typ="ANSOKAN",
        datum=dt.date(2025, 1, 1),
        fil=SimpleUploadedFile(f"ansokan-{insats.kod}.pdf", MINIMAL_PDF),
        titel=f"Ansökan {insats.namn}",
    )
    tillfalle = insats_services.tillfalle_save(
        insats=struktur,
        user=chef,
        datum=dt.date(2025, 3, 1),
        titel=f"Träff {struktur.namn}",
        timmar=Decimal(2),
        antal={(medlem, "CHEF"): 6},
    )
    return identified, anonymous, rad, dok, tillfalle


def _forbund_objects(forbund, *, chef, tag: str):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    fk = forbund.medlemmar.get(typ=MedlemTyp.FK)
    budget = services_budget.budget_create(forbund=forbund, ar=2026, user=chef)
    utfall = services_budget.utfall_add(
        forbund=forbund,
        datum=dt.date(2025, 3, 1),
        post="REVISION",
        belopp=Decimal(1200),
        text=f"Revision {tag}",
    )
    uppdrag = services_styrelse.uppdrag_create(
        forbund=forbund,
        medlem=fk,
        namn=f"Ledamot {tag}",
        roll="LEDAMOT",
        fran=dt.date(2023, 1, 1),
        till=dt.date(2026, 12, 31),
        valbarhet="ANSTALLD_FK",
    )
    sammantrade = services_styrelse.sammantrade_create(
        forbund=forbund, datum=dt.date(2025, 4, 4), plats=f"Sal {tag}"
    )
    ordning = forbund_services.forbundsordning_upload(
        forbund=forbund,
        giltig_fran=dt.date(2020, 1, 1),
        fil=SimpleUploadedFile(f"forbundsordning-{tag}.pdf", MINIMAL_PDF),
        kommentar=f"Förbundsordning {tag}",
        user=chef,
    )
    device, _ = TOTPDevice.objects.get_or_create(user=chef, confirmed=True, defaults={"name": "t"})
    return fk, budget, utfall, uppdrag, sammantrade, ordning, device


def _build_rapport(forbund, chef, variant):
    rapport = rapport_order(
        forbund=forbund, user=chef, typ="halvar", period=half_year(2025), variant=variant
    )
    rapport_build(rapport_id=rapport.pk)
    rapport.refresh_from_db()
    assert rapport.status == "klar", rapport.fel
    return rapport


def _finished_rapport_without_rendering(forbund, chef):
    """A finished report row with its two files, written directly: rendering a real one costs
    seconds of WeasyPrint, and for the foreign side only the row and its files must exist. The
    files carry the förbund's name, so a leak would also show as a canary hit."""
    import io

    from django.core.files.base import ContentFile
    from openpyxl import Workbook

    from uppfoljning.models import Rapport

    rapport = rapport_order(forbund=forbund, user=chef, typ="halvar", period=half_year(2025))
    book = Workbook()
    book.active["A1"] = forbund.namn
    xlsx = io.BytesIO()
    book.save(xlsx)
    rapport.pdf.save("b.pdf", ContentFile(MINIMAL_PDF), save=False)
    rapport.xlsx.save("b.xlsx", ContentFile(xlsx.getvalue()), save=False)
    rapport.status = "klar"
    rapport.progress = 100
    rapport.save()
    return Rapport.objects.get(pk=rapport.pk)


def build_world() -> World:
    """Everything through the real services (the same paths the views use)."""
    from deltagare import kodlistor
    from insatser.reference import kodlistor_ensure

    kodlistor.ensure_loaded()
    kodlistor_ensure()
    fa = forbund_with_members(kommun_koder=("2083", "2082"), namn="Samordningsförbundet Alfahem")
    fb = forbund_with_members(kommun_koder=("2084",), namn="Samordningsförbundet Kanariebo")
    chef_a = user_with_role(fa, Role.FORBUNDSCHEF, username="probe-chef")
    chef_b = user_with_role(fb, Role.FORBUNDSCHEF, username="probe-chef-b")
    kommun_a = fa.medlemmar.filter(typ=MedlemTyp.KOMMUN).order_by("id").first()
    region_a = fa.medlemmar.get(typ=MedlemTyp.REGION)
    kommun_b = fb.medlemmar.get(typ=MedlemTyp.KOMMUN)

    i1 = full_insats(
        fa, user=chef_a, kod="ALFA1", namn="Ettans väg", personuppgiftsansvarig=kommun_a
    )
    i2 = full_insats(
        fa,
        user=chef_a,
        kod="ALFA2",
        namn="Regionens väg",
        personuppgiftsansvarig=region_a,
        huvudman=[region_a],
    )
    s_a = struktur_insats(fa, user=chef_a, kod="ALFA3", namn="Alfas träffar")
    ib = full_insats(
        fb,
        user=chef_b,
        kod="KANB1",
        namn="Kanarieprojektet Bravo",
        personuppgiftsansvarig=kommun_b,
    )
    s_b = struktur_insats(fb, user=chef_b, kod="KANB2", namn="Kanarieträffarna")

    def staff(insats, medlem, role=Role.HANDLAGGARE, perm=DELTAGARANSVARIG, **kw):
        user = user_with_role(insats.forbund, role, medlem=medlem, **kw)
        insats_grant(user=user, insats=insats, perm=perm)
        return user

    handlaggare = staff(i1, kommun_a, username="probe-handlaggare")
    insatsansvarig = staff(
        i1, kommun_a, Role.INSATSANSVARIG, INSATSANSVARIG, username="probe-insatsansvarig"
    )
    handlaggare_region = staff(i2, region_a, username="probe-handlaggare-region")
    staff_b = staff(ib, kommun_b, username="probe-handlaggare-b")

    pnr1 = make_pnr(dt.date(1991, 5, 17), 382)
    pnr2 = make_pnr(dt.date(1988, 10, 9), 274)
    pnr3 = make_pnr(dt.date(1979, 12, 28), 519)
    names = ("Ingrid Kanarieett", "Ivar Kanarietvå", "Bodil Kanariebe")

    objects_a = _forbund_objects(fa, chef=chef_a, tag="Alfa")
    objects_b = _forbund_objects(fb, chef=chef_b, tag="Kanariebo")
    rapport_a = _build_rapport(fa, chef_a, Variant.STYRELSE)
    sides = {}
    for label, forbund, insats, struktur, user, pnr, namn, fodd, medlem, objs in (
        ("A1", fa, i1, s_a, handlaggare, pnr1, names[0], 1991, kommun_a, objects_a),
        ("A2", fa, i2, s_a, handlaggare_region, pnr2, names[1], 1988, region_a, objects_a),
        ("B", fb, ib, s_b, staff_b, pnr3, names[2], 1979, kommun_b, objects_b),
    ):
        chef = chef_b if forbund == fb else chef_a
        identified, anonymous, rad, dok, tillfalle = _person_side(
            forbund,
            chef=chef,
            insats=insats,
            struktur=struktur,
            staff=user,
            pnr=pnr,
            namn=namn,
            fodd=fodd,
            medlem=medlem,
        )
        fk, budget, utfall, uppdrag, sammantrade, ordning, device = objs
        sides[label] = Side(
            label=label,
            forbund=forbund,
            insats=insats,
            struktur=struktur,
            staff=user,
            identified=identified,
            anonymous=anonymous,
            medfinansiering=rad,
            dokument=dok,
            tillfalle=tillfalle,
            medlem=fk,
            budget=budget,
            utfall=utfall,
            uppdrag=uppdrag,
            sammantrade=sammantrade,
            forbundsordning=ordning,
            rapport=None,
            otp_device=device,
            canaries=[
                namn,
                *pnr_formats(pnr),
                str(identified.uuid),
                str(anonymous.uuid),
                str(identified.person.uuid),
                str(identified.samtycke.uuid),
            ],
        )
    sides["A1"].rapport = sides["A2"].rapport = rapport_a
    sides["B"].rapport = _finished_rapport_without_rendering(fb, chef_b)

    nationell = user_with_role(fa, Role.NATIONELL, username="probe-nationell")
    nationell_rapport = rapport_order(
        forbund=None,
        user=nationell,
        typ="halvar",
        period=half_year(2025),
        variant=Variant.NATIONELL,
    )
    rapport_build(rapport_id=nationell_rapport.pk)
    nationell_rapport.refresh_from_db()
    modell = services_modell.modell_berakna(
        ar=2027,
        nationell_summa=Decimal(10_000_000),
        grundbelopp=Decimal(400_000),
        vikt_forsorjning=Decimal(75),
        vikt_befolkning=Decimal(25),
        golv_procent=Decimal(-10),
        rows=[
            services_modell.ModellRadInput(
                forbund=f,
                befolkning=n,
                forsorjningsmatt=Decimal(n * 1000),
                foregaende=Decimal(0),
                ek_over_niva=False,
            )
            for f, n in ((fa, 40000), (fb, 30000))
        ],
        user=nationell,
    )

    users = {
        "förbundschef": chef_a,
        "handläggare": handlaggare,
        "insatsansvarig": insatsansvarig,
        "handläggare region": handlaggare_region,
        "styrelse": user_with_role(fa, Role.STYRELSE, username="probe-styrelse"),
        "ekonomi": user_with_role(fa, Role.EKONOMI, username="probe-ekonomi"),
        "nationell": nationell,
        "systemadmin": UserFactory(username="probe-systemadmin", is_systemadmin=True),
        "utan roll": UserFactory(username="probe-utan-roll"),
        "anonym": None,
    }
    b = sides["B"]
    forbund_canaries = [
        fb.namn,
        ib.namn,
        ib.kod,
        s_b.namn,
        s_b.kod,
        b.uppdrag.namn,
        "Sal Kanariebo",
        "Revision Kanariebo",
        "Förbundsordning Kanariebo",
        str(b.rapport.uuid),
        str(b.budget.uuid),
        str(b.sammantrade.uuid),
        str(b.medlem.uuid),
        str(b.dokument.uuid),
        str(b.tillfalle.uuid),
        str(ib.uuid),
        staff_b.username,
        chef_b.username,
    ]
    return World(
        a1=sides["A1"],
        a2=sides["A2"],
        b=b,
        users=users,
        modellberakning=modell,
        nationell_rapport=nationell_rapport,
        forbund_canaries=forbund_canaries,
    )
