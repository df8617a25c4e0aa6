"""Extension points: figures that apps to the right of ``forbund`` feed into its pages.

Data flows one way (forbund ← insatser ← deltagare ← uppfoljning), so ``forbund`` never imports
``insatser``. Instead ``insatser`` registers a provider here from its ``AppConfig.ready()``, and
the förbund budget asks for the derived "insatser" line through these functions.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

InsatsBudgetProvider = Callable[..., Decimal]
InsatsCostProvider = Callable[..., dict[int, Decimal]]

_providers: dict[str, Callable] = {}


def register_insats_budget(provider: InsatsBudgetProvider) -> None:
    """``provider(forbund=…, year=…) -> Decimal``: the sum of the insats budgets for a year."""
    _providers["budget"] = provider


def register_insats_costs(provider: InsatsCostProvider) -> None:
    """``provider(forbund=…, year=…) -> {month: Decimal}``: insats costs per month of a year."""
    _providers["costs"] = provider


def insats_budget_total(*, forbund, year: int) -> Decimal:
    provider = _providers.get("budget")
    return provider(forbund=forbund, year=year) if provider else Decimal(0)


def insats_costs_by_month(*, forbund, year: int) -> dict[int, Decimal]:
    provider = _providers.get("costs")
    return provider(forbund=forbund, year=year) if provider else {}
