"""The navigation: each app lists its pages in ``<app>/nav.py`` as ``ITEMS``; a user sees only the
items their roles in the chosen förbund allow."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from django.urls import NoReverseMatch, reverse

NAV_APPS = ("forbund", "insatser", "deltagare", "uppfoljning")


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str]
    order: int = 100


def _all_items() -> list[NavItem]:
    items: list[NavItem] = []
    for app in NAV_APPS:
        try:
            module = import_module(f"{app}.nav")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.nav":
                raise
            continue
        items.extend(getattr(module, "ITEMS", []))
    return sorted(items, key=lambda i: i.order)


def items_for(request) -> list[dict]:
    out = []
    for item in _all_items():
        if not (item.roles & request.roles):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        current = request.path == url or (url != "/" and request.path.startswith(url))
        out.append({"label": item.label, "url": url, "current": current})
    return out
