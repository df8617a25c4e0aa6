"""A fixed-window rate limit in Redis (atomic ``INCR``), for searches that could enumerate
identities. If Redis is unreachable the request is allowed (and logged): the access log still
records every hit, and the rest of the application keeps working."""

from __future__ import annotations

import logging
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)


def allow(key: str, *, limit: int, window_seconds: int) -> bool:
    """True while ``key`` has been used at most ``limit`` times in the current window."""
    window = int(time.time() // window_seconds)
    cache_key = f"ratelimit:{key}:{window}"
    try:
        if cache.add(cache_key, 1, timeout=window_seconds + 5):
            return True
        return cache.incr(cache_key) <= limit
    except Exception:  # noqa: BLE001 - a cache outage must not stop the search page
        logger.warning("Hastighetsbegränsningen kunde inte nå Redis; släpper igenom")
        return True
