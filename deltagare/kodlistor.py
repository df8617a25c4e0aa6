"""The code lists of design section 5 as plain data: the seed migration and the demo read them.

The database holds them as reference tables (``deltagare.models``); codes are stable, labels are
Swedish. Change a label here and in a new data migration, never a code.
"""

from __future__ import annotations

KON = [("K", "Kvinna"), ("M", "Man"), ("X", "Annat/vill ej uppge")]

UTBILDNINGSNIVA = [
    ("FORGYMN", "Förgymnasial (grundskola eller kortare)"),
    ("GYMN", "Gymnasial"),
    ("EFTERGYMN", "Eftergymnasial"),
    ("OKAND", "Okänd"),
]

# (kod, namn, offentlig försörjning)
FORSORJNINGSKALLA = [
    ("LON", "Lön/arbetsinkomst", False),
    ("SUBV", "Subventionerad anställning (lönebidrag, nystartsjobb m.fl.)", False),
    ("SJP", "Sjukpenning/rehabiliteringspenning", True),
    ("SA", "Sjukersättning", True),
    ("AKE", "Aktivitetsersättning", True),
    ("AKST", "Aktivitetsstöd/utvecklingsersättning", True),
    ("AKASSA", "Arbetslöshetsersättning", True),
    ("ETAB", "Etableringsersättning", True),
    ("EKB", "Ekonomiskt bistånd (försörjningsstöd)", True),
    ("STUD", "Studiemedel", False),
    ("ANNAN", "Annan försörjning", False),
    ("INGEN", "Ingen ersättning", False),
    ("OKAND", "Okänd", False),
]

TID_OFFENTLIG_FORSORJNING = [
    ("<6M", "Kortare än 6 månader"),
    ("6-12M", "6–12 månader"),
    ("1-2A", "1–2 år"),
    ("2-5A", "2–5 år"),
    (">5A", "Längre än 5 år"),
    ("OKAND", "Okänd"),
]

ANVISANDE_PART = [
    ("FK", "Försäkringskassan"),
    ("AF", "Arbetsförmedlingen"),
    ("KOMMUN", "Kommun (socialtjänst, arbetsmarknadsenhet)"),
    ("REGION", "Region (vård)"),
    ("EGEN", "Egen anmälan"),
    ("ANNAN", "Annan"),
]

# (kod, namn, arbete eller studier)
SYSSELSATTNING = [
    ("ARBETE", "Arbete på öppna marknaden", True),
    ("SUBV", "Subventionerad anställning", True),
    ("STUDIER", "Studier", True),
    ("ARBSOK", "Arbetssökande (inskriven på Arbetsförmedlingen)", False),
    ("ARBTRAN", "Arbetsträning/praktik", False),
    ("ANNAN_INSATS", "Vidare till annan rehabilitering/insats", False),
    ("SJUK", "Sjukskriven/ej arbetsför", False),
    ("FORALDRA", "Föräldraledig", False),
    ("INGEN", "Ingen sysselsättning", False),
    ("OKAND", "Okänd", False),
]

AVSLUTSORSAK = [
    ("PLAN", "Planenligt avslut"),
    ("MAL", "Mål uppnått (arbete/studier)"),
    ("ANNAN_INSATS", "Övergått till annan insats"),
    ("AVBROTT_EGEN", "Avbrott på egen begäran"),
    ("AVBROTT_HALSA", "Avbrott av hälsoskäl"),
    ("FLYTT", "Flyttat"),
    ("EJ_KONTAKT", "Kontakt upphört"),
    ("AVLIDEN", "Avliden"),
    ("ANNAN", "Annan orsak"),
    ("FEL", "Felregistrering (räknas inte)"),
]

FEL = "FEL"
OKAND = "OKAND"

# Åldersgrupper (design section 5): (kod, lägsta ålder, högsta ålder, etikett)
ALDERSGRUPPER = [
    ("U16", None, 15, "Under 16"),
    ("16-19", 16, 19, "16–19"),
    ("20-24", 20, 24, "20–24"),
    ("25-29", 25, 29, "25–29"),
    ("30-39", 30, 39, "30–39"),
    ("40-49", 40, 49, "40–49"),
    ("50-59", 50, 59, "50–59"),
    ("60-64", 60, 64, "60–64"),
    ("65+", 65, None, "65+"),
]
ALDERSGRUPP_LABELS = {kod: label for kod, _lo, _hi, label in ALDERSGRUPPER}


def alder(*, fodelsear: int, inskrivningsar: int) -> int:
    """Age as the design defines it: the inskrivning's year minus the birth year."""
    return inskrivningsar - fodelsear


def aldersgrupp(*, fodelsear: int, inskrivningsar: int) -> str:
    """The åldersgrupp code for a participation (identified and anonymous alike)."""
    age = alder(fodelsear=fodelsear, inskrivningsar=inskrivningsar)
    for kod, low, high, _label in ALDERSGRUPPER:
        if (low is None or age >= low) and (high is None or age <= high):
            return kod
    raise AssertionError("unreachable: the groups cover every age")


def is_unga(*, fodelsear: int, inskrivningsar: int) -> bool:
    """*Unga* = 16–29 at inskrivning."""
    return 16 <= alder(fodelsear=fodelsear, inskrivningsar=inskrivningsar) <= 29


def load(get_model=None) -> None:
    """Write the code lists into their reference tables (idempotent).

    The seed migration calls it; so do the demo and the test set-up, because transactional
    tests empty every table, reference tables included.
    """
    if get_model is None:
        from django.apps import apps

        get_model = apps.get_model
    simple = [
        ("Kon", KON),
        ("Utbildningsniva", UTBILDNINGSNIVA),
        ("TidOffentligForsorjning", TID_OFFENTLIG_FORSORJNING),
        ("AnvisandePart", ANVISANDE_PART),
        ("Avslutsorsak", AVSLUTSORSAK),
    ]
    for model_name, rows in simple:
        model = get_model("deltagare", model_name)
        for i, (kod, namn) in enumerate(rows):
            model.objects.update_or_create(kod=kod, defaults={"namn": namn, "ordning": i})
    model = get_model("deltagare", "Forsorjningskalla")
    for i, (kod, namn, offentlig) in enumerate(FORSORJNINGSKALLA):
        model.objects.update_or_create(
            kod=kod, defaults={"namn": namn, "ordning": i, "offentlig": offentlig}
        )
    model = get_model("deltagare", "Sysselsattning")
    for i, (kod, namn, aos) in enumerate(SYSSELSATTNING):
        model.objects.update_or_create(
            kod=kod, defaults={"namn": namn, "ordning": i, "arbete_eller_studier": aos}
        )


def ensure_loaded() -> None:
    """Load the code lists when a flushed database has lost them (cheap when present)."""
    from django.apps import apps

    if not apps.get_model("deltagare", "Avslutsorsak").objects.filter(kod=FEL).exists():
        load()
