"""Reference data: the code lists of design section 5 (insatskategorier, målgrupper, metoder).

Codes are stable (reports and imports use them); labels are Swedish. ``kodlistor_load`` takes the
model classes so that the seeding migration can pass its historical models, and transactional
tests (which flush the tables) can load the rows again.
"""

KATEGORIER = [
    ("ARBLIV", "Arbetslivsinriktad", "INDIVID"),
    ("FORB", "Förberedande", "INDIVID"),
    ("FOREB", "Förebyggande", "INDIVID"),
    ("KARTL", "Identifiera behov/kartläggning", "INDIVID"),
    ("SAMORD", "Samordnande team/lots", "INDIVID"),
    ("KOMP", "Kompetenshöjande", "STRUKTUR"),
    ("STRUKT", "Strukturpåverkande", "STRUKTUR"),
]

MALGRUPPER = [
    ("UNGA", "Unga 16–29 år"),
    ("UNGA_AKE", "Unga med aktivitetsersättning"),
    ("LANGSJUK", "Långtidssjukskrivna"),
    ("LANGARB", "Långtidsarbetslösa"),
    ("PSYK", "Personer med psykisk ohälsa"),
    ("NPF", "Personer med neuropsykiatrisk funktionsnedsättning"),
    ("IF", "Personer med intellektuell funktionsnedsättning"),
    ("UTRIKES", "Utrikes födda/nyanlända"),
    ("MISSBRUK", "Personer med missbruk"),
    ("EKB", "Personer med ekonomiskt bistånd"),
    ("OVRIGA", "Övriga"),
]

METODER = [
    ("SE", "Supported Employment"),
    ("IPS", "IPS"),
    ("CM", "Case management"),
    ("BIP", "BIP-inspirerat arbetssätt"),
    ("MOBKURS", "Mobiliseringskurs"),
    ("ARBTRAN", "Arbetsträning"),
    ("COACH", "Coachning/lots"),
    ("KARTL", "Kartläggning"),
    ("SOCFTG", "Socialt företag"),
]


def kodlistor_load(kategori_model, malgrupp_model, metod_model) -> None:
    """Insert or relabel every code; codes that exist keep their rows (and references)."""
    for i, (kod, namn, inriktning) in enumerate(KATEGORIER):
        kategori_model.objects.update_or_create(
            kod=kod, defaults={"namn": namn, "inriktning": inriktning, "ordning": i}
        )
    for model, rows in ((malgrupp_model, MALGRUPPER), (metod_model, METODER)):
        for i, (kod, namn) in enumerate(rows):
            model.objects.update_or_create(kod=kod, defaults={"namn": namn, "ordning": i})


def kodlistor_ensure() -> None:
    """Load the code lists with the current models when a flushed test database lost them."""
    from .models import Kategori, Malgrupp, Metod

    if (
        Kategori.objects.count() < len(KATEGORIER)
        or Malgrupp.objects.count() < len(MALGRUPPER)
        or Metod.objects.count() < len(METODER)
    ):
        kodlistor_load(Kategori, Malgrupp, Metod)
