"""The second log-in step: verify a code, or enrol an authenticator app first."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from .mfa import (
    has_confirmed_totp,
    mfa_enrol_confirm,
    mfa_verify,
    qr_svg,
    secret_base32,
    totp_device_pending,
)


class CodeForm(forms.Form):
    token = forms.CharField(
        label=_("Kod"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        help_text=_("Sex siffror från autentiseringsappen, eller en av dina reservkoder."),
    )


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "/"


@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    if not has_confirmed_totp(request.user):
        return redirect(f"/tvastegs/aktivera/?next={_next(request)}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if mfa_verify(request=request, token=form.cleaned_data["token"]):
            return redirect(_next(request))
        form.add_error(
            "token",
            _("Koden stämmer inte eller är redan använd. Vänta på nästa kod och försök igen."),
        )
    return render(request, "finsam/mfa_verifiera.html", {"form": form, "next": _next(request)})


@login_required
@require_http_methods(["GET", "POST"])
def enrol(request):
    if has_confirmed_totp(request.user):
        return redirect(f"/tvastegs/?next={_next(request)}")
    device = totp_device_pending(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = mfa_enrol_confirm(request=request, device=device, token=form.cleaned_data["token"])
        if codes is not None:
            return render(
                request, "finsam/mfa_reservkoder.html", {"codes": codes, "next": _next(request)}
            )
        form.add_error("token", _("Koden stämmer inte. Kontrollera att appen visar rätt konto."))
    return render(
        request,
        "finsam/mfa_aktivera.html",
        {
            "form": form,
            "qr": mark_safe(qr_svg(device)),  # noqa: S308 - SVG made by qrcode from our own URL
            "secret": secret_base32(device),
            "next": _next(request),
        },
    )
