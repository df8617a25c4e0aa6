from django.shortcuts import render
from django.utils import timezone

from finsam.decorators import role_required
from finsam.roles import Role

from .selectors import forbund_oversikt


@role_required(Role.FORBUNDSCHEF, Role.EKONOMI)
def oversikt(request):
    data = forbund_oversikt(forbund=request.forbund, day=timezone.localdate())
    return render(request, "forbund/oversikt.html", {"oversikt": data})
