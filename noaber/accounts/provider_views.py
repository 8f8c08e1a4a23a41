"""Signing in through an identity provider: the start, the callback and the provider's
back-channel logout (decision 0021)."""

import time

from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from noaber.audit.models import Action

from . import oidc, providers
from .access import public_view
from .models import IdentityProvider
from .views import _safe_next

PENDING = "oidc_pending"
PENDING_SECONDS = 600
PENDING_MAX = 5  # logins started in other tabs of the same browser


def _redirect_uri(request, provider) -> str:
    return request.build_absolute_uri(reverse("accounts:provider_callback", args=[provider.slug]))


# What a person is told when a sign-in is refused: (title, text, status) by reason; every
# other reason gets the last entry, with the reason code to pass on to the admin.
REFUSALS = {
    "no_role": (
        gettext_lazy("Geen toegang"),
        gettext_lazy(
            "U bent aangemeld bij %(provider)s, maar uw account heeft geen rol in Noaber. Vraag "
            "de functioneel beheerder van uw gemeente of organisatie om toegang."
        ),
        403,
    ),
    "mfa_missing": (
        gettext_lazy("Tweede factor nodig"),
        gettext_lazy(
            "Uw rol in Noaber vraagt om inloggen met een tweede factor, en %(provider)s meldt "
            "niet dat u die gebruikte. Log opnieuw in met uw tweede factor (bijvoorbeeld de "
            "authenticator-app of een beveiligingssleutel)."
        ),
        403,
    ),
    "sign_in_conflict": (
        gettext_lazy("Inloggen niet gelukt"),
        gettext_lazy(
            "Inloggen via %(provider)s kon nu niet worden afgerond; er is niets opgeslagen. "
            "Probeer het opnieuw."
        ),
        409,
    ),
    "account_inactive": (
        gettext_lazy("Geen toegang"),
        gettext_lazy(
            "Uw account in Noaber is uitgeschakeld. Neem contact op met de functioneel beheerder."
        ),
        403,
    ),
    None: (
        gettext_lazy("Inloggen niet gelukt"),
        gettext_lazy(
            "Inloggen via %(provider)s is niet gelukt: het antwoord van de identiteitsprovider "
            "klopte niet of was verlopen. Er is niets opgeslagen. Probeer het opnieuw; lukt het "
            "weer niet, meld dan aan de functioneel beheerder dat inloggen mislukte met code "
            "‘%(reason)s’."
        ),
        400,
    ),
}


def _refused(request, provider, reason: str, *, subject: str = ""):
    """Audit the refusal and show a Dutch page that says what to do; no session is made."""
    providers.refuse(request, provider, reason, subject=subject)
    title, text, status = REFUSALS.get(reason, REFUSALS[None])
    text = str(text) % {"provider": provider.name, "reason": reason}
    return render(
        request,
        "accounts/provider_refused.html",
        {"title": title, "text": text, "provider": provider},
        status=status,
    )


@public_view(["GET"], page=False)
@never_cache
def provider_start(request, slug):
    """Send the browser to the provider with a fresh state, nonce and PKCE verifier."""
    provider = get_object_or_404(IdentityProvider, slug=slug, active=True)
    try:
        url, pending = oidc.authorization_request(provider, _redirect_uri(request, provider))
    except oidc.OIDCError as error:
        return _refused(request, provider, error.reason)
    waiting = {
        state: data
        for state, data in request.session.get(PENDING, {}).items()
        if time.time() - data["at"] < PENDING_SECONDS
    }
    newest = sorted(waiting.items(), key=lambda item: item[1]["at"])[-(PENDING_MAX - 1) :]
    state = pending.pop("state")
    pending.update(provider=provider.slug, at=time.time(), next=_safe_next(request))
    request.session[PENDING] = {**dict(newest), state: pending}
    return redirect(url)


@public_view(["GET"], page=False)
@never_cache
def provider_callback(request, slug):
    """The provider's answer: checked in full before anything is stored."""
    provider = get_object_or_404(IdentityProvider, slug=slug, active=True)
    state = request.GET.get("state", "")
    waiting = request.session.get(PENDING, {})
    pending = waiting.pop(state, None) if state else None
    if pending is not None:
        request.session[PENDING] = waiting  # a state is used once
    if pending is None or pending["provider"] != provider.slug:
        return _refused(request, provider, "unknown_state")
    if time.time() - pending["at"] > PENDING_SECONDS:
        return _refused(request, provider, "login_expired")
    if request.GET.get("error"):
        return _refused(request, provider, "provider_error")
    # RFC 9207: the answer names its issuer — always, when the provider says it does so.
    try:
        names_itself = oidc.metadata(provider).get("authorization_response_iss_parameter_supported")
    except oidc.OIDCError as error:
        return _refused(request, provider, error.reason)
    if ("iss" in request.GET or names_itself) and request.GET.get("iss") != provider.issuer:
        return _refused(request, provider, "wrong_issuer")
    code = request.GET.get("code", "")
    if not code:
        return _refused(request, provider, "no_code")
    claims = {}
    try:
        tokens = oidc.token_request(
            provider,
            code=code,
            verifier=pending["verifier"],
            redirect_uri=_redirect_uri(request, provider),
        )
        claims = oidc.verify_id_token(provider, tokens["id_token"], nonce=pending["nonce"])
        providers.sign_in(request, provider, claims)
    except oidc.OIDCError as error:
        return _refused(request, provider, error.reason, subject=str(claims.get("sub", "")))
    municipality = request.session["municipality"]
    return redirect(pending["next"] or reverse("ui:dashboard", args=[municipality]))


@csrf_exempt
@public_view(["POST"], page=False)
@never_cache
def provider_backchannel_logout(request, slug):
    """OIDC Back-Channel Logout 1.0: the provider ended a session; end the Noaber sessions
    started in it. Answers 200, or 400 with an error code (section 2.8)."""
    # A provider switched off still ends sessions (switching it off ended them already).
    provider = IdentityProvider.objects.filter(slug=slug).first()
    token = request.POST.get("logout_token", "")
    if provider is None or not token:
        return JsonResponse({"error": "invalid_request"}, status=400)
    try:
        claims = oidc.verify_logout_token(provider, token)
        providers.remember_logout_token(provider, claims["jti"])
    except oidc.OIDCError as error:
        providers.refuse(request, provider, error.reason, action=Action.DENIED)
        return JsonResponse({"error": "invalid_request"}, status=400)
    providers.end_sessions(
        request, provider, subject=claims.get("sub"), sid=claims.get("sid") or None
    )
    return HttpResponse(status=200)
