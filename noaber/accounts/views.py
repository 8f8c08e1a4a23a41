"""Login in two steps (password, then TOTP code or enrolment), logout and 'mijn account'."""

import time

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_totp.models import TOTPDevice

from noaber.audit.actions import client_origin
from noaber.audit.models import Result

from . import actions, providers
from .access import municipalities_of, public_view, serves, signed_in_view
from .forms import LoginForm, TokenForm
from .lockout import attempt_guard, login_blocked
from .models import IdentityProvider, Municipality, User

PENDING = "login_pending"
PENDING_SECONDS = 300
LOCAL_OFF_MESSAGE = gettext_lazy(
    "Inloggen met een wachtwoord is hier uitgeschakeld voor uw rol. Log in via de "
    "identiteitsprovider van uw gemeente of organisatie."
)
LOCKED_MESSAGE = gettext_lazy(
    "Te veel mislukte inlogpogingen. Inloggen is tijdelijk geblokkeerd; probeer het over "
    "een kwartier opnieuw of neem contact op met de functioneel beheerder."
)


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return ""


def _pending(request):
    """The user who passed the password step in this session in the last five minutes."""
    data = request.session.get(PENDING)
    if not data or time.time() - data["at"] > PENDING_SECONDS:
        return None, None
    user = User.objects.filter(pk=data["user"], is_active=True).first()
    municipality = Municipality.objects.filter(cbs_code=data["municipality"]).first()
    # A role withdrawn between the two steps ends the login here.
    if user is None or municipality is None or not serves(user, municipality):
        return None, None
    return user, municipality


def _refuse_locked(request, user):
    actions.record_login_failure(request, user.username, "locked", result=Result.DENIED)
    request.session.pop(PENDING, None)
    messages.error(request, LOCKED_MESSAGE)
    return redirect("accounts:login")


def _finish(request, user, device, municipality):
    next_url = request.session.get(PENDING, {}).get("next", "")
    request.session.pop(PENDING, None)
    actions.complete_login(request, user, device, municipality)
    return redirect(next_url or reverse("ui:dashboard", args=[municipality.cbs_code]))


def local_login_allowed(user=None) -> bool:
    """Whether local passwords are on at all, or for `user`: every role they hold must be in
    NOABER_LOCAL_LOGIN_ROLES ("*" = every role; decision 0021)."""
    allowed = settings.NOABER_LOCAL_LOGIN_ROLES
    if allowed == "*":
        return True
    roles = {r.strip() for r in allowed.split(",") if r.strip()}
    if user is None:
        return bool(roles)
    held = set(user.memberships.values_list("role", flat=True))
    return bool(held) and held <= roles


@public_view(["GET", "POST"])
def login(request):
    if request.user.is_authenticated and request.user.is_verified():
        return redirect("ui:home")
    form = LoginForm(request.POST or None)
    local = local_login_allowed()
    if request.method == "POST" and not local:
        actions.record_login_failure(request, "", "local_login_off", result=Result.DENIED)
        form = LoginForm()
        form.add_error(None, LOCAL_OFF_MESSAGE)
    elif request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        chosen = form.cleaned_data["municipality"]
        with attempt_guard(username):
            if login_blocked(username, client_origin(request)):
                actions.record_login_failure(request, username, "locked", result=Result.DENIED)
                form.add_error(None, LOCKED_MESSAGE)
                user = None
            else:
                password = form.cleaned_data["password"]
                user = authenticate(request, username=username, password=password)
                if user is None:
                    actions.record_login_failure(request, username, "bad_password")
                    form.add_error(None, _("Gebruikersnaam of wachtwoord is onjuist."))
        if user is not None and not local_login_allowed(user):
            actions.record_login_failure(request, username, "local_login_off", result=Result.DENIED)
            form.add_error(None, LOCAL_OFF_MESSAGE)
        elif user is not None:
            served = list(municipalities_of(user))
            if not served:
                actions.record_login_failure(request, username, "no_role")
                form.add_error(
                    None,
                    _(
                        "Uw account heeft nog geen rol. Neem contact op met de "
                        "functioneel beheerder."
                    ),
                )
            elif chosen is not None and not serves(user, chosen):
                actions.record_login_failure(request, username, "municipality_not_served", chosen)
                form.add_error(
                    "municipality",
                    _(
                        "U werkt niet voor de gemeente %(name)s. Kies een gemeente waarvoor u "
                        "een rol heeft, of laat het veld leeg."
                    )
                    % {"name": chosen.name},
                )
            else:
                municipality = chosen or served[0]
                request.session.cycle_key()
                request.session[PENDING] = {
                    "user": user.pk,
                    "municipality": municipality.cbs_code,
                    "at": time.time(),
                    "next": _safe_next(request),
                }
                if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
                    return redirect("accounts:login_code")
                return redirect("accounts:enrol")
    return render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "next": _safe_next(request),
            "local": local,
            "providers": IdentityProvider.objects.filter(active=True)
            .select_related("organisation")
            .prefetch_related("municipalities"),
        },
    )


@public_view(["GET", "POST"])
def login_code(request):
    user, municipality = _pending(request)
    if user is None:
        messages.info(request, _("Log eerst in met uw gebruikersnaam en wachtwoord."))
        return redirect("accounts:login")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with attempt_guard(user.username):
            if login_blocked(user.username, client_origin(request)):
                return _refuse_locked(request, user)
            token = form.cleaned_data["token"]
            for device in TOTPDevice.objects.filter(user=user, confirmed=True):
                if device.verify_is_allowed()[0] and device.verify_token(token):
                    return _finish(request, user, device, municipality)
            actions.record_login_failure(request, user.username, "bad_otp")
        form.add_error("token", _("Deze code is onjuist of verlopen. Probeer de nieuwe code."))
    return render(request, "accounts/login_code.html", {"form": form})


@public_view(["GET", "POST"])
def enrol(request):
    """First login: link an authenticator app (MFA is required for every staff account)."""
    user, municipality = _pending(request)
    if user is None:
        messages.info(request, _("Log eerst in met uw gebruikersnaam en wachtwoord."))
        return redirect("accounts:login")
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect("accounts:login_code")
    device = actions.enrolment_device(user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with attempt_guard(user.username):
            if login_blocked(user.username, client_origin(request)):
                return _refuse_locked(request, user)
            if device.verify_token(form.cleaned_data["token"]):
                actions.confirm_device(device, request=request)
                return _finish(request, user, device, municipality)
            actions.record_login_failure(request, user.username, "bad_otp_enrolment")
        form.add_error("token", _("Deze code klopt niet. Controleer de tijd op uw telefoon."))
    qr = segno.make(device.config_url, error="m")
    secret = device.config_url.split("secret=")[1].split("&")[0]
    return render(
        request,
        "accounts/enrol.html",
        {
            "form": form,
            # segno writes a self-contained SVG from our own data; safe to inline.
            "qr_svg": mark_safe(  # noqa: S308
                qr.svg_inline(scale=5, title=_("QR-code voor uw authenticator-app"))
            ),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        },
    )


@public_view(["POST"], page=False)
def logout(request):
    """End the Noaber session and, for a session from an identity provider that offers it,
    the session there too (RP-initiated logout)."""
    provider = None
    if request.session.get(providers.AUTH_METHOD) == "oidc":
        provider = IdentityProvider.objects.filter(
            pk=request.session.get(providers.PROVIDER)
        ).first()
    providers.forget_session(request.session.session_key)
    actions.logout(request)
    messages.success(request, _("U bent uitgelogd."))
    if provider is not None:
        from .oidc import end_session_url

        url = end_session_url(
            provider,
            post_logout_redirect_uri=request.build_absolute_uri(reverse("accounts:login")),
        )
        if url:
            return redirect(url)
    return redirect("accounts:login")


@signed_in_view(["GET"])
def account(request):
    memberships = request.user.memberships.select_related("municipality").order_by(
        "municipality__name", "role"
    )
    return render(request, "accounts/account.html", {"memberships": memberships})


@signed_in_view(["GET", "POST"])
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.change_password(request.user, form.cleaned_data["new_password1"], request=request)
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Uw wachtwoord is gewijzigd."))
        return redirect("accounts:account")
    return render(request, "accounts/password_change.html", {"form": form})
