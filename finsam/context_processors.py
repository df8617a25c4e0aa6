from django.conf import settings

from .navigation import items_for
from .roles import Role


def _unread_notices(request) -> list:
    from .models import Notis

    forbund = getattr(request, "forbund", None)
    if forbund is None or not request.user.is_authenticated:
        return []
    return list(Notis.objects.filter(user=request.user, forbund=forbund, read_at__isnull=True)[:5])


def finsam(request):
    roles = getattr(request, "roles", frozenset())
    return {
        "unread_notices": _unread_notices(request),
        "current_forbund": getattr(request, "forbund", None),
        "current_role_labels": [Role(r).label for r in Role.values if r in roles],
        "nav_items": items_for(request) if getattr(request, "forbund", None) else [],
        "has_several_forbund": len({r.forbund_id for r in getattr(request, "roll_rows", [])}) > 1,
        "finsam_version": settings.FINSAM_VERSION,
    }
