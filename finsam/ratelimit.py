"""A fixed-window rate limit in Redis (atomic ``INCR``), for searches that could enumerate
identities. If Redis is unreachable the request is allowed (and logged): the access log still
records every hit, and the rest of the application keeps working."""

from __future__ import annotations

import hashlib
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


def login_attempt_allowed(request, username: str) -> bool:
    """Counts one log-in attempt against the user name (from every address) and against the
    client's address (for every user name); False once either is past its limit. The user
    name is hashed in the key: Redis never holds it in clear."""
    from django.conf import settings

    from .clientip import client_ip

    per_user, user_window = settings.FINSAM_LOGIN_LIMIT_PER_USER
    per_address, address_window = settings.FINSAM_LOGIN_LIMIT_PER_ADDRESS
    name = hashlib.sha256(username.strip().lower().encode("utf-8", "replace")).hexdigest()[:32]
    by_user = allow(f"login-user:{name}", limit=per_user, window_seconds=user_window)
    by_address = allow(
        f"login-address:{client_ip(request)}", limit=per_address, window_seconds=address_window
    )
    return by_user and by_address
