"""Deltagare: identity, consent and participations (filled by the deltagare issue)."""
