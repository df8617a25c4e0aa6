"""Extension points: sections that apps to the right of ``insatser`` add to its pages.

Data flows one way (forbund ← insatser ← deltagare ← uppfoljning), so ``insatser`` never imports
``deltagare``. The deltagare app registers a provider from its ``AppConfig.ready()``, and the
insats page shows the participants summary only when a provider answers (never a faked one).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Section:
    """A section of the insats page: a heading, a template and its context."""

    heading: str
    template: str
    context: dict = field(default_factory=dict)


ParticipantSummaryProvider = Callable[..., Section | None]

_providers: dict[str, Callable] = {}


def register_participant_summary(provider: ParticipantSummaryProvider | None) -> None:
    """``provider(request=…, insats=…) -> Section | None``: the participants summary of an insats
    for the requesting user (aggregates for everyone; the provider applies its own rules).
    ``None`` unregisters."""
    if provider is None:
        _providers.pop("participants", None)
    else:
        _providers["participants"] = provider


def participant_summary(*, request, insats) -> Section | None:
    provider = _providers.get("participants")
    return provider(request=request, insats=insats) if provider else None
