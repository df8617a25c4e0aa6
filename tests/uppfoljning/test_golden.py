"""The golden report: a fixed, hand-made data set of 60 participations loaded through the import
of design section 7 (plus the events an import cannot carry: felregistrering, withdrawn consent,
follow-ups), with every expected figure of the half-year report 2025 worked out by hand below.

Period: 2025-01-01 – 2025-06-30. Groups (G) of rows, all in the CSV further down:

  G1  rows 1–10  identified UNGA K born 2000, in 2024-10-01, out 2025-03-15, MAL.
                 Före: GYMN, AF, 1-2A, INGEN; rows 1–3 AKE;EKB, rows 4–10 EKB;AKST.
                 Efter: LON, ARBETE.                          active, ended, age 24
  G2  rows 11–20 identified UNGA M born 1990, in 2025-01-01 (first day), out 2025-06-30 (last
                 day), PLAN. Före: FORGYMN, FK, 6-12M, SJUK, SJP. Efter: SJP;SUBV;
                 rows 11–16 and 19–20 SUBV, rows 17–18 ARBSOK.
                 Rows 19–20 withdraw consent afterwards → anonymous.
                                                             active, new, ended, age 35
  G3  rows 21–28 identified MOB K born 1970, in 2025-06-30 (last day), still in.
                 Före: EFTERGYMN, KOMMUN, >5A, ARBSOK, AKE.   active, new, age 55
  G4  rows 29–33 identified MOB X born 2008, in 2024-03-01, out 2024-12-31 (the day before),
                 MAL, före EKB/INGEN, efter STUD/STUDIER. Follow-up +6 (2025-06-30) for rows
                 29–31: 29 and 30 reached (ARBETE, LON), 31 not reached.   not active
  G5  rows 34–38 identified UNGA M born 1999, in 2025-07-01 (the day after).  not active
  G6  rows 39–48 anonymous UNGA: 39–44 K born 2003, 45–48 M born 1985, in 2025-02-01,
                 out 2025-05-31.                              active, new, ended, ages 22/40
  G7  rows 49–52 protected identity MOB K born 1960, in 2024-12-31, still in.
                                                             active, age 64 (inskrivning 2024)
  G8  rows 53–56 identified UNGA K born 2001, in 2025-02-01, ended 2025-02-10 as FEL.
                                                             counted nowhere
  G9  rows 57–60 identified UNGA M born 1995, in 2025-03-01, out 2025-04-30, EJ_KONTAKT,
                 every detail OKAND.                          active, new, ended, age 30

Insatser: UNGA (ARBLIV, PERSON, from 2024), MOB (FORB, PERSON, from 2024), VOL (FOREB, VOLYM,
from 2025-01-01: new), STR (KOMP, STRUKTUR, 2023 – 2025-03-31: ended), ANS (an application, not
counted).
"""

import datetime as dt
from decimal import Decimal

import pytest

from deltagare import importer, kodlistor, services
from deltagare.models import Deltagande
from finsam.permissions import DELTAGARANSVARIG, insats_grant
from forbund.models import Befolkning, Budgetpost, Finansieringsar, MedlemTyp, Utfall
from insatser.models import (
    Insatsbudget,
    Insatskostnad,
    Status,
    Tillfalle,
    TillfalleDeltagare,
    Volym,
    Yrkesgrupp,
)
from tests.deltagare.factories import make_pnr, staff_on
from tests.factories import InsatsFactory
from uppfoljning.masking import MASK, mask_snapshot
from uppfoljning.stats import build_snapshot, half_year

pytestmark = pytest.mark.django_db
H1 = half_year(2025)
D = dt.date
HEADER = ",".join(importer.COLUMNS)


def identified(
    kod, pnr, kon, born, start, end, utb, anv, tid, syss_f, fors_f, fors_e, syss_e, avsl
):
    return [
        kod,
        pnr,
        "ja",
        "nej",
        kon,
        str(born),
        start,
        end,
        utb,
        anv,
        tid,
        syss_f,
        fors_f,
        fors_e,
        syss_e,
        avsl,
    ]


def anonymous(kod, ref, kon, born, start, end, skyddad="nej"):
    samtycke = "ja" if skyddad == "ja" else "nej"
    return [kod, ref, samtycke, skyddad, kon, str(born), start, end] + [""] * 8


def pnr(born_year, n):
    return make_pnr(D(born_year, 1 + n % 12, 1 + n % 28), 100 + n)


def rows() -> list[list[str]]:
    out = []
    for n in range(1, 11):  # G1
        fore = "AKE;EKB" if n <= 3 else "EKB;AKST"
        out.append(
            identified(
                "UNGA",
                pnr(2000, n),
                "K",
                2000,
                "2024-10-01",
                "2025-03-15",
                "GYMN",
                "AF",
                "1-2A",
                "INGEN",
                fore,
                "LON",
                "ARBETE",
                "MAL",
            )
        )
    for n in range(11, 21):  # G2
        syss_e = "ARBSOK" if n in (17, 18) else "SUBV"
        out.append(
            identified(
                "UNGA",
                pnr(1990, n),
                "M",
                1990,
                "2025-01-01",
                "2025-06-30",
                "FORGYMN",
                "FK",
                "6-12M",
                "SJUK",
                "SJP",
                "SJP;SUBV",
                syss_e,
                "PLAN",
            )
        )
    for n in range(21, 29):  # G3
        out.append(
            identified(
                "MOB",
                pnr(1970, n),
                "K",
                1970,
                "2025-06-30",
                "",
                "EFTERGYMN",
                "KOMMUN",
                ">5A",
                "ARBSOK",
                "AKE",
                "",
                "",
                "",
            )
        )
    for n in range(29, 34):  # G4
        out.append(
            identified(
                "MOB",
                pnr(2008, n),
                "X",
                2008,
                "2024-03-01",
                "2024-12-31",
                "FORGYMN",
                "KOMMUN",
                "<6M",
                "INGEN",
                "EKB",
                "STUD",
                "STUDIER",
                "MAL",
            )
        )
    for n in range(34, 39):  # G5
        out.append(
            identified(
                "UNGA",
                pnr(1999, n),
                "M",
                1999,
                "2025-07-01",
                "",
                "GYMN",
                "AF",
                "<6M",
                "ARBSOK",
                "AKASSA",
                "",
                "",
                "",
            )
        )
    for n in range(39, 49):  # G6
        kon, born = ("K", 2003) if n <= 44 else ("M", 1985)
        out.append(anonymous("UNGA", f"lokal-{n}", kon, born, "2025-02-01", "2025-05-31"))
    for n in range(49, 53):  # G7
        out.append(anonymous("MOB", f"skyddad-{n}", "K", 1960, "2024-12-31", "", skyddad="ja"))
    for n in range(53, 57):  # G8 (ended as FEL after the import)
        out.append(
            identified(
                "UNGA",
                pnr(2001, n),
                "K",
                2001,
                "2025-02-01",
                "",
                "GYMN",
                "AF",
                "<6M",
                "INGEN",
                "EKB",
                "",
                "",
                "",
            )
        )
    for n in range(57, 61):  # G9
        out.append(
            identified(
                "UNGA",
                pnr(1995, n),
                "M",
                1995,
                "2025-03-01",
                "2025-04-30",
                "OKAND",
                "EGEN",
                "OKAND",
                "OKAND",
                "OKAND",
                "OKAND",
                "OKAND",
                "EJ_KONTAKT",
            )
        )
    return out


def csv_bytes() -> bytes:
    lines = [HEADER]
    for row in rows():
        lines.append(",".join(f'"{v}"' if ";" in v else v for v in row))
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.fixture
def golden(forbund):
    kodlistor.ensure_loaded()
    kommun = forbund.medlemmar.filter(typ=MedlemTyp.KOMMUN).order_by("id").first()
    fk = forbund.medlemmar.get(typ=MedlemTyp.FK)

    def insats(kod, kategori, form, start, slut=None, status=Status.PAGAENDE):
        return InsatsFactory(
            forbund=forbund,
            kod=kod,
            namn=f"Insats {kod}",
            kategori_id=kategori,
            registreringsform=form,
            personuppgiftsansvarig=kommun if form == "PERSON" else None,
            startdatum=start,
            slutdatum=slut,
            status=status,
        )

    unga = insats("UNGA", "ARBLIV", "PERSON", D(2024, 1, 1))
    mob = insats("MOB", "FORB", "PERSON", D(2024, 1, 1))
    vol = insats("VOL", "FOREB", "VOLYM", D(2025, 1, 1))
    struktur = insats("STR", "KOMP", "STRUKTUR", D(2023, 1, 1), D(2025, 3, 31), Status.AVSLUTAD)
    insats("ANS", "ARBLIV", "PERSON", D(2025, 1, 1), status=Status.ANSOKAN)
    user = staff_on(unga)
    insats_grant(user=user, insats=mob, perm=DELTAGARANSVARIG)

    result = importer.import_file(
        content=csv_bytes(),
        filename="golden.csv",
        forbund=forbund,
        user=user,
        insatser=[unga, mob],
        dry_run=False,
    )
    assert result.errors == [], result.errors
    assert result.imported == 60

    by_row = dict(
        zip(
            range(1, 61),
            Deltagande.objects.filter(forbund=forbund).order_by("id"),
            strict=True,
        )
    )
    for n in (53, 54, 55, 56):  # G8: felregistrering
        services.deltagande_end(
            deltagande=by_row[n],
            user=user,
            utskrivning=D(2025, 2, 10),
            avslutsorsak="FEL",
            sysselsattning_efter="OKAND",
            forsorjning_efter=["OKAND"],
        )
    for n in (19, 20):  # G2: consent withdrawn
        services.samtycke_withdraw(deltagande=by_row[n], user=user)
    for n, reached in ((29, True), (30, True), (31, False)):  # G4 follow-ups
        services.uppfoljning_record(
            deltagande=by_row[n],
            user=user,
            punkt=6,
            nadd=reached,
            sysselsattning="ARBETE" if reached else None,
            forsorjning=["LON"] if reached else [],
        )

    # Volume: Jan K3 M2, Jun K1 M1 X1, Jul (outside) K10.
    Volym.objects.create(forbund=forbund, insats=vol, ar=2025, manad=1, kvinnor=3, man=2)
    Volym.objects.create(forbund=forbund, insats=vol, ar=2025, manad=6, kvinnor=1, man=1, annat=1)
    Volym.objects.create(forbund=forbund, insats=vol, ar=2025, manad=7, kvinnor=10)
    # Structure: one occasion in the period (6 handläggare from FK, 2 chefs from the kommun),
    # one after it.
    inside = Tillfalle.objects.create(
        forbund=forbund, insats=struktur, datum=D(2025, 2, 10), titel="Utbildning", timmar=3.5
    )
    TillfalleDeltagare.objects.create(
        forbund=forbund, tillfalle=inside, medlem=fk, yrkesgrupp=Yrkesgrupp.HANDLAGGARE, antal=6
    )
    TillfalleDeltagare.objects.create(
        forbund=forbund, tillfalle=inside, medlem=kommun, yrkesgrupp=Yrkesgrupp.CHEF, antal=2
    )
    after = Tillfalle.objects.create(
        forbund=forbund, insats=struktur, datum=D(2025, 7, 15), titel="Senare", timmar=2
    )
    TillfalleDeltagare.objects.create(
        forbund=forbund, tillfalle=after, medlem=fk, yrkesgrupp=Yrkesgrupp.CHEF, antal=9
    )
    # Money: UNGA 40 000 a month Jan–Jul (Jul outside), MOB 60 000 in March.
    Insatsbudget.objects.create(forbund=forbund, insats=unga, ar=2025, belopp=500_000)
    Insatsbudget.objects.create(forbund=forbund, insats=mob, ar=2025, belopp=300_000)
    for manad in range(1, 8):
        Insatskostnad.objects.create(
            forbund=forbund, insats=unga, ar=2025, manad=manad, belopp=40_000
        )
    Insatskostnad.objects.create(forbund=forbund, insats=mob, ar=2025, manad=3, belopp=60_000)
    Utfall.objects.create(
        forbund=forbund, datum=D(2025, 3, 1), post=Budgetpost.KANSLI_PERSONAL, belopp=100_000
    )
    Utfall.objects.create(
        forbund=forbund, datum=D(2025, 6, 30), post=Budgetpost.STYRELSE, belopp=20_000
    )
    Utfall.objects.create(
        forbund=forbund, datum=D(2025, 7, 1), post=Budgetpost.REVISION, belopp=5_000
    )
    Finansieringsar.objects.create(forbund=forbund, ar=2025, statlig_tilldelning=1_000_000)
    Befolkning.objects.create(forbund=forbund, kommun_id="2083", ar=2025, antal=9_000)
    Befolkning.objects.create(forbund=forbund, kommun_id="2082", ar=2024, antal=6_000)
    return build_snapshot(forbund=forbund, period=H1)


def table(snapshot, key):
    for section in snapshot["sektioner"]:
        for t in section["tables"]:
            if t["key"] == key:
                return t
    raise KeyError(key)


def rows_of(snapshot, key):
    return {row[0]: row[1:] for row in table(snapshot, key)["rows"]}


def figures(snapshot):
    return {f["key"]: f for f in snapshot["nyckeltal"]}


def pct(n, total):
    return {"n": n, "N": total}


def test_section_1_forbundet(golden):
    assert rows_of(golden, "finansiering") == {
        "Staten (Försäkringskassan), 50 %": [1_000_000],
        "Regionen, 25 %": [500_000],
        "Kommunerna tillsammans, 25 %": [500_000],
        "Totalt": [2_000_000],
        "Övriga intäkter": [0],
    }
    budget = rows_of(golden, "budget_utfall")
    # Utfall: personal 100 000, styrelse 20 000, insatser 6 × 40 000 + 60 000 = 300 000.
    assert budget["Kansli: personal"] == [0, 100_000]
    assert budget["Styrelse"] == [0, 20_000]
    assert budget["Revision"] == [0, 0]
    assert budget["Insatser"][1] == 300_000
    assert budget["Totalt"][1] == 420_000
    assert rows_of(golden, "befolkning")["Totalt"] == [2025, 15_000]
    f = figures(golden)
    assert f["kostnad_per_invanare"]["value"] == 28  # 420 000 / 15 000
    assert f["utfall"]["value"] == 420_000
    assert [r[1] for r in table(golden, "kommuner")["rows"]] == ["Säter", "Hedemora"]


def test_section_2_insatser(golden):
    assert rows_of(golden, "insatser_per_registreringsform") == {
        "Deltagare per person": [2, 0, 0],
        "Volym per månad": [1, 1, 0],
        "Strukturinsats (tillfällen)": [1, 0, 1],
        "Totalt": [4, 1, 1],
    }
    per_kategori = rows_of(golden, "insatser_per_kategori")
    assert per_kategori["Arbetslivsinriktad"] == ["Deltagare per person", 1, 0, 0]
    assert per_kategori["Kompetenshöjande"] == ["Strukturinsats (tillfällen)", 1, 0, 1]
    assert per_kategori["Totalt"] == ["", 4, 1, 1]
    cost = rows_of(golden, "kostnad_per_insats")
    # UNGA: 240 000 over 34 active = 7 058,8 → 7 059; MOB: 60 000 over 12 = 5 000.
    assert cost["UNGA Insats UNGA"] == [500_000, 240_000, 34, 7_059]
    assert cost["MOB Insats MOB"] == [300_000, 60_000, 12, 5_000]
    assert cost["VOL Insats VOL"] == [0, 0, 0, None]
    assert "ANS Insats ANS" not in cost
    # Kostnad per deltagare: 300 000 / 46 = 6 521,7 → 6 522.
    assert figures(golden)["kostnad_per_deltagare"]["value"] == 6_522


def test_section_3_deltagare(golden):
    assert rows_of(golden, "deltagare_kon") == {
        # K: G1 10 + G3 8 + G6 6 + G7 4; M: G2 10 + G6 4 + G9 4.
        "Aktiva": [28, 18, 0, 46],
        # K: G3 8 + G6 6; M: G2 10 + G6 4 + G9 4.
        "Nya": [14, 18, 0, 32],
        # K: G1 10 + G6 6; M: G2 10 + G6 4 + G9 4.
        "Avslutade": [16, 18, 0, 34],
    }
    age = rows_of(golden, "alder_kon")
    assert age["20–24"] == [16, 0, 0, 16]  # G1 (24 at inskrivning 2024) + G6 K (22)
    assert age["30–39"] == [0, 14, 0, 14]  # G2 (35) + G9 (30)
    assert age["40–49"] == [0, 4, 0, 4]  # G6 M (40)
    assert age["50–59"] == [8, 0, 0, 8]  # G3 (55)
    assert age["60–64"] == [4, 0, 0, 4]  # G7 (2024 − 1960 = 64)
    assert age["16–19"] == [0, 0, 0, 0]
    assert age["Totalt"] == [28, 18, 0, 46]
    groups = rows_of(golden, "grupper")
    assert groups["Unga 16–29 år"][:2] == [16, pct(16, 46)]
    assert groups["Unga med aktivitetsersättning vid inskrivning"][:2] == [3, pct(3, 46)]
    # Anonymous: G6 10 + G7 4 + the 2 withdrawn in G2.
    assert groups["Anonyma"][:2] == [16, pct(16, 46)]
    assert groups["Identifierade"][:2] == [30, pct(30, 46)]
    # Start details of the 30 active identified: G1 10, G2 8, G3 8, G9 4.
    utb = rows_of(golden, "utbildning")
    assert utb["Gymnasial"] == [10]
    assert utb["Förgymnasial (grundskola eller kortare)"] == [8]
    assert utb["Eftergymnasial"] == [8]
    assert utb["Okänd"] == [4]
    assert utb["Totalt"] == [30]
    anv = rows_of(golden, "anvisande_part")
    assert [anv[k][0] for k in ("Arbetsförmedlingen", "Försäkringskassan", "Egen anmälan")] == [
        10,
        8,
        4,
    ]
    assert anv["Kommun (socialtjänst, arbetsmarknadsenhet)"] == [8]
    tid = rows_of(golden, "tid_offentlig")
    assert tid["1–2 år"] == [10]
    assert tid["6–12 månader"] == [8]
    assert tid["Längre än 5 år"] == [8]
    assert tid["Okänd"] == [4]
    vs = rows_of(golden, "volym_struktur")
    assert vs["Kontakter i volyminsatser, kvinnor"] == [4]
    assert vs["Kontakter i volyminsatser, män"] == [3]
    assert vs["Kontakter i volyminsatser, annat/vill ej uppge"] == [1]
    assert vs["Kontakter i volyminsatser, totalt"] == [8]
    assert vs["Tillfällen i strukturinsatser"] == [1]
    assert vs["Timmar i strukturinsatser"] == [3.5]
    assert vs["Deltagare vid tillfällen (personal hos medlemmarna)"] == [8]


def test_section_4_forsorjning(golden):
    t = table(golden, "forsorjning_fore_efter")
    # Identified ended in the period: G1 10, G2 8, G9 4 = 22; G9 has only OKAND → N = 18.
    assert "Nämnare: 18" in t["note"]
    assert "4 avslutade identifierade deltaganden saknar uppgift" in t["note"]
    src = {row[0]: row[1:] for row in t["rows"]}
    assert src["Aktivitetsersättning"] == [3, pct(3, 18), 0, pct(0, 18)]
    assert src["Ekonomiskt bistånd (försörjningsstöd)"] == [10, pct(10, 18), 0, pct(0, 18)]
    assert src["Aktivitetsstöd/utvecklingsersättning"] == [7, pct(7, 18), 0, pct(0, 18)]
    assert src["Sjukpenning/rehabiliteringspenning"] == [8, pct(8, 18), 8, pct(8, 18)]
    assert src["Lön/arbetsinkomst"] == [0, pct(0, 18), 10, pct(10, 18)]
    assert src["Subventionerad anställning (lönebidrag, nystartsjobb m.fl.)"] == [
        0,
        pct(0, 18),
        8,
        pct(8, 18),
    ]
    # Every one of the 18 had a public source before; after only G2's sjukpenning (8).
    assert src["Offentlig försörjning (minst en källa)"] == [18, pct(18, 18), 8, pct(8, 18)]
    change = rows_of(golden, "offentlig_forandring")
    assert change["I offentlig försörjning"] == [18, 8, -10, {"pp": -55.6}]
    assert change["Utan offentlig försörjning"] == [0, 10, 10, {"pp": 55.6}]
    t = table(golden, "overgangar")
    col = {code: i for i, code in enumerate(t["columns"])}
    trans = {row[0]: row for row in t["rows"]}
    # Main source before: rows 1–3 AKE, rows 4–10 AKST (before EKB in the order), G2 SJP.
    assert [row[0] for row in t["rows"]] == [
        "Aktivitetsersättning",
        "Sjukpenning/rehabiliteringspenning",
        "Aktivitetsstöd/utvecklingsersättning",
    ]
    assert trans["Aktivitetsersättning"][1] == 3
    assert trans["Aktivitetsersättning"][col["LON"]] == 3
    assert trans["Sjukpenning/rehabiliteringspenning"][1] == 8
    assert trans["Sjukpenning/rehabiliteringspenning"][col["SJP"]] == 8
    assert trans["Sjukpenning/rehabiliteringspenning"][col["SUBV"]] == 8
    assert trans["Aktivitetsstöd/utvecklingsersättning"][col["LON"]] == 7
    assert trans["Aktivitetsstöd/utvecklingsersättning"][col["EKB"]] == 0


def test_section_5_sysselsattning(golden):
    t = table(golden, "sysselsattning_fore_efter")
    assert "Nämnare: 18" in t["note"]
    syss = {row[0]: row[1:] for row in t["rows"]}
    assert syss["Ingen sysselsättning"] == [10, pct(10, 18), 0, pct(0, 18)]
    assert syss["Sjukskriven/ej arbetsför"] == [8, pct(8, 18), 0, pct(0, 18)]
    assert syss["Arbete på öppna marknaden"] == [0, pct(0, 18), 10, pct(10, 18)]
    assert syss["Subventionerad anställning"] == [0, pct(0, 18), 6, pct(6, 18)]
    assert syss["Arbetssökande (inskriven på Arbetsförmedlingen)"] == [0, pct(0, 18), 2, pct(2, 18)]
    assert syss["Arbete eller studier (arbete, subventionerad anställning, studier)"] == [
        0,
        pct(0, 18),
        16,
        pct(16, 18),
    ]
    by_kon = rows_of(golden, "arbete_studier_kon")
    assert by_kon["Kvinna"] == [10, 0, 10, pct(10, 10), {"pp": 100.0}]
    assert by_kon["Man"] == [8, 0, 6, pct(6, 8), {"pp": 75.0}]
    assert by_kon["Annat/vill ej uppge"] == [0, 0, 0, pct(0, 0), None]
    assert by_kon["Totalt"] == [18, 0, 16, pct(16, 18), {"pp": 88.9}]
    f = figures(golden)
    assert (f["arbete_studier_fore"]["n"], f["arbete_studier_fore"]["N"]) == (0, 18)
    assert (f["arbete_studier_efter"]["n"], f["arbete_studier_efter"]["N"]) == (16, 18)
    assert (f["offentlig_fore"]["n"], f["offentlig_efter"]["n"]) == (18, 8)


def test_section_6_avslut(golden):
    reasons = rows_of(golden, "avslutsorsak")
    assert reasons["Mål uppnått (arbete/studier)"] == [10]
    assert reasons["Planenligt avslut"] == [8]
    assert reasons["Kontakt upphört"] == [4]
    # G6 (10 anonymous) and the 2 withdrawn carry no avslutsorsak; FEL is not counted.
    assert reasons["Uppgift saknas (anonyma)"] == [12]
    assert reasons["Totalt"] == [34]
    # Days: 10 × 165, 10 × 180, 10 × 119, 4 × 60 → the 17th and 18th values are 165.
    assert rows_of(golden, "tid_i_insats") == {
        "Arbetslivsinriktad": [34, 165],
        "Totalt": [34, 165],
    }


def test_section_7_uppfoljning(golden):
    follow = rows_of(golden, "uppfoljning")
    assert follow["+6 månader"] == [3, 2, 2, pct(2, 2), 0, pct(0, 2)]
    assert follow["+12 månader"] == [0, 0, 0, pct(0, 0), 0, pct(0, 0)]


def test_section_8_per_insats(golden):
    per = rows_of(golden, "per_insats")
    assert per == {
        "MOB Insats MOB": [12, 12, 0, 0, 0, 0, pct(0, 0)],
        "UNGA Insats UNGA": [34, 16, 18, 0, 34, 16, pct(16, 18)],
    }


def test_key_figures(golden):
    f = figures(golden)
    assert f["deltagare_aktiva"]["value"] == 46
    assert f["deltagare_nya"]["value"] == 32
    assert f["deltagare_avslutade"]["value"] == 34
    assert (f["unga"]["n"], f["unga"]["N"]) == (16, 46)
    assert f["insatser_aktiva"]["value"] == 4


def test_board_variant_of_the_golden_report(golden):
    masked = mask_snapshot(golden)
    age = rows_of(masked, "alder_kon")
    # 4 and 4 in the K column (40–49 is M): 60–64 K is 4 → masked; so is the smallest other
    # K cell that a column total could give back.
    assert age["60–64"][0] == MASK
    assert age["40–49"][1] == MASK
    column_k = [row[0] for label, row in age.items() if label != "Totalt"]
    assert column_k.count(MASK) >= 2
    groups = rows_of(masked, "grupper")
    assert groups["Unga med aktivitetsersättning vid inskrivning"][:2] == [MASK, MASK]
    per = rows_of(masked, "per_insats")
    assert per["UNGA Insats UNGA"][0] == 34
    follow = rows_of(masked, "uppfoljning")
    assert follow["+6 månader"][:3] == [MASK, MASK, MASK]


def test_the_same_data_gives_the_same_report(golden, forbund):
    assert build_snapshot(forbund=forbund, period=H1) == golden


def test_money_is_whole_kronor(golden):
    money = golden["meta"]["ekonomi"]
    for key in ("statlig", "region", "kommuner", "utfall", "insatser"):
        assert isinstance(money[key], int)
    assert Decimal(money["utfall"]) == Decimal(420_000)
