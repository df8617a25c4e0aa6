"""The client's address, as both the log-in lock-out (django-axes) and our rate limits see it.

``X-Forwarded-For`` is written by the client and proves nothing, so by default it is ignored and
``REMOTE_ADDR`` is the address. Behind reverse proxies that the operator controls, set
``FINSAM_TRUSTED_PROXIES`` to their number: each appends the address it received the request
from, so the client is the entry that many places from the right. Entries further left were
written by the client and are never used.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = int(getattr(settings, "FINSAM_TRUSTED_PROXIES", 0) or 0)
    if proxies > 0:
        chain = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part]
        if len(chain) >= proxies:
            found = _valid(chain[-proxies])
            if found:
                return found
    return _valid(remote) or "okänd"
