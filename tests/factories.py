"""factory_boy factories shared by every test folder."""

import datetime as dt

import factory

from finsam.models import Roll, User
from finsam.roles import Role
from forbund.models import Forbund, Kommun, Medlem, MedlemTyp
from forbund.reference import kommuner_load
from insatser.models import Insats

PASSWORD = "ett-bra-testlosenord"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"anvandare{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy's signature
        if create:
            obj.save()


class ForbundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Forbund

    namn = factory.Sequence(lambda n: f"Samordningsförbundet Test {n}")
    organisationsnummer = "222000-0000"


class MedlemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Medlem

    forbund = factory.SubFactory(ForbundFactory)
    typ = MedlemTyp.FK
    namn = factory.LazyAttribute(lambda o: MedlemTyp(o.typ).label)
    startdatum = dt.date(2020, 1, 1)


def kommun(kod: str = "2083") -> Kommun:
    # Transactional tests flush the reference rows the migration seeded: load them again.
    if not Kommun.objects.filter(kod=kod).exists():
        kommuner_load(Kommun)
    return Kommun.objects.get(kod=kod)


def forbund_with_members(kommun_koder=("2083",), **kwargs) -> Forbund:
    """A förbund with FK, AF, a region and the given kommuner as members from 2020."""
    forbund = ForbundFactory(**kwargs)
    MedlemFactory(forbund=forbund, typ=MedlemTyp.FK)
    MedlemFactory(forbund=forbund, typ=MedlemTyp.AF)
    MedlemFactory(forbund=forbund, typ=MedlemTyp.REGION, namn="Region Test")
    for kod in kommun_koder:
        k = kommun(kod)
        MedlemFactory(forbund=forbund, typ=MedlemTyp.KOMMUN, namn=f"{k.namn} kommun", kommun=k)
    return forbund


def user_with_role(forbund: Forbund, role: str, medlem: Medlem | None = None, **kwargs) -> User:
    user = UserFactory(**kwargs)
    if role in (Role.HANDLAGGARE, Role.INSATSANSVARIG) and medlem is None:
        medlem = forbund.medlemmar.filter(typ=MedlemTyp.KOMMUN).first()
    Roll.objects.create(user=user, forbund=forbund, roll=role, medlem=medlem)
    return user


class InsatsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Insats

    forbund = factory.SubFactory(ForbundFactory)
    kod = factory.Sequence(lambda n: f"INS{n}")
    namn = factory.Sequence(lambda n: f"Insats {n}")
    startdatum = dt.date(2024, 1, 1)
