from django.shortcuts import render

from finsam.decorators import role_required
from finsam.roles import Role


@role_required(Role.STYRELSE)
def styrelse(request):
    """The board's start page. The dashboard itself arrives with the styrelse issue."""
    return render(request, "uppfoljning/styrelse.html")


@role_required(Role.NATIONELL)
def nationell(request):
    """The national role's start page; national statistics arrive with the reports issue."""
    return render(request, "uppfoljning/nationell.html")
