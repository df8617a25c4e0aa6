import datetime as dt

import pytest

from tests.factories import InsatsFactory, user_with_role
from uppfoljning.models import Omfattning, Rapport, RapportStatus, Variant
from uppfoljning.services import rapport_build
from uppfoljning.stats import build_snapshot, half_year

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_national_role_orders_a_masked_report_across_sharing_forbund(forbund, other_forbund, login):
    InsatsFactory(status="PAGAENDE", forbund=forbund, startdatum=dt.date(2025, 1, 1))
    InsatsFactory(status="PAGAENDE", forbund=other_forbund, startdatum=dt.date(2025, 1, 1))
    nationell = user_with_role(forbund, "nationell")
    client = login(nationell)
    page = client.get("/uppfoljning/nationell/")
    assert "2 förbund just nu" in page.text
    response = client.post("/uppfoljning/nationell/", {"typ": "halvar", "ar": "2025"})
    assert response.status_code == 302
    rapport = Rapport.objects.get()
    assert rapport.omfattning == Omfattning.NATIONELL
    assert rapport.forbund is None
    assert rapport.variant == Variant.NATIONELL
    rapport_build(rapport_id=rapport.pk)
    rapport.refresh_from_db()
    assert rapport.status == RapportStatus.KLAR
    assert rapport.snapshot["meta"]["maskerad"] is True
    assert rapport.snapshot["meta"]["antal_forbund"] == 2
    assert client.get(f"/uppfoljning/rapporter/{rapport.uuid}/").status_code == 200


def test_forbund_that_stops_sharing_is_left_out(forbund, other_forbund, chef, login):
    client = login(chef)
    client.post("/uppfoljning/rapporter/delning/", {})  # unchecked box: stop sharing
    snapshot = build_snapshot(forbund=None, period=half_year(2025))
    assert snapshot["meta"]["antal_forbund"] == 1
    client.post("/uppfoljning/rapporter/delning/", {"delar_nationell_statistik": "on"})
    assert build_snapshot(forbund=None, period=half_year(2025))["meta"]["antal_forbund"] == 2


def test_national_role_never_sees_a_forbund_report(forbund, chef, login):
    from uppfoljning.models import RapportTyp
    from uppfoljning.services import rapport_order

    own = rapport_order(forbund=forbund, user=chef, typ=RapportTyp.HALVAR, period=half_year(2025))
    nationell = user_with_role(forbund, "nationell")
    client = login(nationell)
    assert client.get(f"/uppfoljning/rapporter/{own.uuid}/").status_code == 404
    assert str(own.uuid) not in client.get("/uppfoljning/rapporter/").text


@pytest.mark.parametrize("role", ["forbundschef", "styrelse", "handlaggare", "ekonomi"])
def test_only_the_national_role_orders_national_reports(forbund, login, role):
    user = user_with_role(forbund, role)
    response = login(user).post("/uppfoljning/nationell/", {"typ": "halvar", "ar": "2025"})
    assert response.status_code == 404
    assert Rapport.objects.count() == 0


def test_only_the_forbundschef_changes_sharing(forbund, styrelse, login):
    assert login(styrelse).post("/uppfoljning/rapporter/delning/", {}).status_code == 404
