"""Reminders on a user's start page, contributed by the apps (a registry, so that an app to the
left, e.g. ``insatser``, can show what an app to its right, e.g. ``deltagare``, knows is due).

A provider is ``fn(request) -> list[dict(text=…, url=…)]``; it applies its own access rules.
"""

from __future__ import annotations

from collections.abc import Callable

_providers: list[Callable] = []


def register(provider: Callable) -> None:
    if provider not in _providers:
        _providers.append(provider)


def reminders_for(request) -> list[dict]:
    out: list[dict] = []
    for provider in _providers:
        out.extend(provider(request))
    return out
