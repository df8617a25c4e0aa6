from django.shortcuts import render

from finsam.decorators import role_required
from finsam.roles import Role

from .selectors import insatser_for_user


@role_required(Role.HANDLAGGARE, Role.INSATSANSVARIG)
def mina(request):
    insats_list = insatser_for_user(forbund=request.forbund, user=request.user).order_by("kod")
    return render(request, "insatser/mina.html", {"insats_list": insats_list})
