import pytest

from deltagare import kodlistor
from deltagare.models import Avslutsorsak, Forsorjningskalla, Kon, Sysselsattning

pytestmark = pytest.mark.django_db


def test_code_lists_are_seeded_with_the_stable_codes():
    kodlistor.ensure_loaded()
    assert set(Kon.objects.values_list("kod", flat=True)) == {"K", "M", "X"}
    assert Avslutsorsak.objects.filter(kod="FEL").exists()
    offentlig = set(Forsorjningskalla.objects.filter(offentlig=True).values_list("kod", flat=True))
    assert offentlig == {"SJP", "SA", "AKE", "AKST", "AKASSA", "ETAB", "EKB"}
    aos = set(
        Sysselsattning.objects.filter(arbete_eller_studier=True).values_list("kod", flat=True)
    )
    assert set(aos) == {"ARBETE", "SUBV", "STUDIER"}


def test_loading_twice_changes_nothing():
    kodlistor.load()
    before = Forsorjningskalla.objects.count()
    kodlistor.load()
    assert Forsorjningskalla.objects.count() == before == 13


@pytest.mark.parametrize(
    ("fodelsear", "ar", "grupp"),
    [
        (2011, 2026, "U16"),
        (2010, 2026, "16-19"),
        (2006, 2026, "20-24"),
        (1997, 2026, "25-29"),
        (1996, 2026, "30-39"),
        (1962, 2026, "60-64"),
        (1961, 2026, "65+"),
    ],
)
def test_age_group_is_inskrivning_year_minus_birth_year(fodelsear, ar, grupp):
    assert kodlistor.aldersgrupp(fodelsear=fodelsear, inskrivningsar=ar) == grupp


def test_unga_is_16_to_29():
    assert kodlistor.is_unga(fodelsear=1997, inskrivningsar=2026)
    assert not kodlistor.is_unga(fodelsear=1996, inskrivningsar=2026)
