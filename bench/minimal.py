"""The smallest Django view: the floor every page of section 3 is divided by."""

from django.http import HttpResponse


def minimal(request):
    """No template, no query of its own: what remains is Django and the middleware stack
    (session, user, roles, second factor) that every page pays too."""
    return HttpResponse(b"ok", content_type="text/plain")
