"""How the report statistics query: a fixed number of queries, and the premises of their SQL."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deltagare.kodlistor import FORSORJNINGSKALLA
from finsam.roles import Role
from forbund.models import Budgetpost
from forbund.services_budget import budget_create
from insatser.models import Insatsbudget
from tests.factories import InsatsFactory, forbund_with_members, user_with_role
from uppfoljning.stats import build_snapshot, full_year
from uppfoljning.stats.deltagare import HUVUDKALLA_ORDNING

pytestmark = pytest.mark.django_db
YEAR = full_year(2025)


def _forbund_with_draft_budget():
    """A förbund whose 2025 budget is a draft: its insatser line is the live sum of the insats
    budgets (100 000 kr here)."""
    forbund = forbund_with_members(kommun_koder=())
    budget_create(forbund=forbund, ar=2025, user=user_with_role(forbund, Role.FORBUNDSCHEF))
    insats = InsatsFactory(forbund=forbund, status="PAGAENDE", startdatum=dt.date(2025, 1, 1))
    Insatsbudget.objects.create(forbund=forbund, insats=insats, ar=2025, belopp=100_000)
    return forbund


def _national() -> tuple[dict, int]:
    with CaptureQueriesContext(connection) as ctx:
        snapshot = build_snapshot(forbund=None, period=YEAR)
    return snapshot, len(ctx.captured_queries)


def _insatser_budget(snapshot: dict) -> int:
    forbundet = next(s for s in snapshot["sektioner"] if s["key"] == "forbundet")
    table = next(t for t in forbundet["tables"] if t["key"] == "budget_utfall")
    return next(r[1] for r in table["rows"] if r[0] == str(Budgetpost.INSATSER.label))


def test_national_report_query_count_does_not_grow_with_the_number_of_forbund():
    for _ in range(2):
        _forbund_with_draft_budget()
    snapshot, two = _national()
    assert _insatser_budget(snapshot) == 200_000
    for _ in range(3):
        _forbund_with_draft_budget()
    snapshot, five = _national()
    assert _insatser_budget(snapshot) == 500_000
    assert five == two


def test_main_source_order_holds_every_forsorjningskalla():
    # The transition table's SQL picks the main source before by its position in this order.
    assert sorted(HUVUDKALLA_ORDNING) == sorted(k for k, _n, _o in FORSORJNINGSKALLA)
