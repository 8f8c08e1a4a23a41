"""The one place that decides who may do what.

- `RULES` maps every action name to the roles that may perform it.
- `can(user, action, target)` answers the question for a municipality or for an object that
  belongs to one. Roles are held per municipality, so an advisor of Tubbergen holds no role in
  Dinkelland and can do nothing there.
- The view decorators `public_view`, `signed_in_view`, `municipality_view` and
  `partner_token_view` enforce the rule
  and declare it on the view (`view.access_rule`), so the access-matrix test can list every URL
  and check it, and so a URL without a declared rule fails that test.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods

from .models import Municipality, Role

ALL_ROLES = frozenset(Role.values)
STAFF_ROLES = ALL_ROLES - {Role.PARTNER}
# Rights that the access review treats as privileged (quarterly review, change alerts).
# The archivist approves destruction, which cannot be undone.
PRIVILEGED_ROLES = frozenset({Role.ADMIN, Role.PRIVACY, Role.ARCHIVIST})
# Roles in the field: someone who holds only these in a municipality is not told which other
# pages exist there. A refused page is a 404 for them (audited as denied), as for an outsider,
# so an enforcer who tries a case's or a signal's URL learns nothing of it.
FIELD_ROLES = frozenset({Role.ENFORCER})

RULES: dict[str, frozenset[str]] = {
    # Every role has a dashboard of its own.
    "dashboard.view": ALL_ROLES,
    # Themes and priorities: reference data, readable by who plans and assesses, edited by admin.
    "themes.view": frozenset({Role.ADVISOR, Role.MANAGEMENT, Role.ADMIN, Role.PRIVACY}),
    "themes.manage": frozenset({Role.ADMIN}),
    # The audit log is for the privacy officer; reading it is itself logged.
    "audit.view": frozenset({Role.PRIVACY}),
    # The register of processing activities (AVG art. 30): kept and printed by the privacy
    # officer; every audit event names the activity it belongs to.
    "audit.register": frozenset({Role.PRIVACY}),
    # Meldpunt: advisors triage reports; every staff member can report "niet pluis";
    # the functional admin issues and revokes partners' API keys.
    "intake.inbox": frozenset({Role.ADVISOR}),
    "intake.internal": STAFF_ROLES,
    "intake.tokens": frozenset({Role.ADMIN}),
    # The systems that read the municipality's data through the ZGW APIs (zaaksysteem,
    # archive) and the zaaktypecatalogus published to them: kept by the admin (noaber/zgw).
    "zgw.manage": frozenset({Role.ADMIN}),
    # The processing log outward (VNG Verwerkingenlogging): opened, its clients named and
    # running signals released by the privacy officer (noaber/zgw/processing.py).
    "zgw.processing_log": frozenset({Role.PRIVACY}),
    # Standard texts (sjablonen) for reporters: kept by the admin, chosen by the advisors.
    "intake.standard_texts": frozenset({Role.ADMIN}),
    # Signaalregister: advisors work in it; the privacy officer exports, rectifies and holds;
    # the admin sets retention terms without seeing content. Enforcers, partners and
    # management get nothing here (tasks, disclosures and aggregates reach them elsewhere).
    "registry.work": frozenset({Role.ADVISOR}),
    "registry.privacy": frozenset({Role.PRIVACY}),
    "registry.retention": frozenset({Role.ADMIN}),
    # Casusregie: the advisors direct cases (partners' portal and meetings follow).
    "cases.work": frozenset({Role.ADVISOR}),
    # Who can be given a task (an enforcer, an employee, an advisor) sees and completes their
    # own: the task, its due date and the case's number and type, not the case itself.
    "cases.my_tasks": frozenset({Role.ADVISOR, Role.ENFORCER, Role.EMPLOYEE}),
    # 'Mijn werk': the advisor's own reports, signals, cases, tasks and new peak alerts on one
    # page (it replaces 'Mijn taken' in the advisor's menu).
    "ui.my_work": frozenset({Role.ADVISOR}),
    # The teams that are given tasks as a whole (e.g. Handhaving): kept by the admin.
    "cases.teams": frozenset({Role.ADMIN}),
    # A partner user sees the agenda items of meetings shared with their organisation.
    "cases.partner_agenda": frozenset({Role.PARTNER}),
    # Ketenkaart: who works on what is public knowledge inside the organisation (the plan
    # publishes it); the admin keeps the partners up to date.
    "partners.view": STAFF_ROLES,
    "partners.manage": frozenset({Role.ADMIN}),
    # Sharing agreements: the advisors and the admin record them; the privacy officer and
    # management read them (the privacy officer supervises and does not execute).
    "partners.agreements": frozenset({Role.ADVISOR, Role.PRIVACY, Role.ADMIN, Role.MANAGEMENT}),
    "partners.agreements_manage": frozenset({Role.ADVISOR, Role.ADMIN}),
    # The partner portal: only what was shared with the user's own organisation.
    "partners.portal": frozenset({Role.PARTNER}),
    # What each partner viewed, from the audit log.
    "partners.viewed": frozenset({Role.ADVISOR, Role.PRIVACY}),
    # Veiligheidsbeeld: aggregates only, never personal data; management sees these.
    "insight.view": frozenset({Role.ADVISOR, Role.MANAGEMENT}),
    # Peak alerts are handled (noted, linked to a case) by the advisors.
    "insight.alerts": frozenset({Role.ADVISOR}),
    # Beleidscyclus: the IVP, its uitvoeringsplan and the council report (counts only).
    "policy.view": frozenset({Role.ADVISOR, Role.MANAGEMENT}),
    "policy.manage": frozenset({Role.ADVISOR}),
    "policy.report": frozenset({Role.ADVISOR, Role.MANAGEMENT}),
    # Archief: the archivist sees the archive fields of closed cases (number, type, result,
    # dates, archive term; no titles or names), makes and approves destruction lists, holds
    # cases and confirms transfers. Nobody else does.
    "archive.work": frozenset({Role.ARCHIVIST}),
    # Zoeken: one search box over the meldingen, signals and cases a user may open anyway
    # (each kind by its own rule above); a subject term gets hit / no-hit only, for those who
    # may run the bronnencheck (registry.work).
    "search.use": frozenset({Role.ADVISOR}),
    # The yearly access review (quarterly for privileged rights).
    "accounts.access_review": frozenset({Role.PRIVACY}),
    # The municipality's branding (name in the header, logo, primary colour).
    "accounts.branding": frozenset({Role.ADMIN}),
    # Which groups at the identity provider give which role here (decision 0021).
    "accounts.sign_in": frozenset({Role.ADMIN}),
}


def _role_cache(user) -> dict[int, frozenset[str]]:
    cache = getattr(user, "_noaber_roles", None)
    if cache is None:
        cache = {}
        for municipality_id, role in user.memberships.values_list("municipality_id", "role"):
            cache.setdefault(municipality_id, set()).add(role)
        cache = {k: frozenset(v) for k, v in cache.items()}
        user._noaber_roles = cache
    return cache


def _municipality_of(target) -> Municipality | None:
    if isinstance(target, Municipality):
        return target
    return getattr(target, "municipality", None)


def roles_of(user, target) -> frozenset[str]:
    """The roles `user` holds in the municipality of `target` (a municipality or an object)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    municipality = _municipality_of(target)
    if municipality is None:
        return frozenset()
    return _role_cache(user).get(municipality.pk, frozenset())


def municipalities_of(user):
    """The municipalities a user serves, in any role."""
    if not user.is_authenticated:
        return Municipality.objects.none()
    return Municipality.objects.filter(pk__in=_role_cache(user).keys())


def serves(user, municipality) -> bool:
    return bool(roles_of(user, municipality))


def can(user, action: str, target) -> bool:
    """May `user` perform `action` on `target` (a municipality or an object in one)?"""
    if action not in RULES:
        raise KeyError(f"No access rule for action {action!r}; add it to RULES.")
    return bool(roles_of(user, target) & RULES[action])


def is_privileged(user) -> bool:
    return any(roles & PRIVILEGED_ROLES for roles in _role_cache(user).values())


# --- View decorators that enforce and declare the rule ---------------------------------------


@dataclass(frozen=True)
class AccessRule:
    scope: str  # "public", "signed_in" or "municipality"
    action: str = ""
    methods: tuple[str, ...] = ("GET",)
    # Whether a GET renders a page (the browser/axe suite visits those).
    page: bool = True


def _declare(view, rule: AccessRule):
    view.access_rule = rule
    return view


def public_view(methods: Iterable[str] = ("GET",), *, page: bool = True):
    """Anyone, signed in or not, may use this view."""
    methods = tuple(methods)

    def decorator(view):
        return _declare(
            require_http_methods(list(methods))(view), AccessRule("public", "", methods, page)
        )

    return decorator


def machine_client_view(view, methods: Iterable[str] = ("GET",)):
    """An API for other systems that authenticates its clients itself, on every request (the
    ZGW APIs: a JWT per client, noaber/zgw/clients.py); without valid credentials it answers
    401, never a login page."""
    return _declare(view, AccessRule("machine_client", "", tuple(methods), False))


def _signed_in_or_redirect(request):
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
    if not user.is_verified():
        # A session without a verified second factor is not a staff session.
        logout(request)
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
    return None


def signed_in_view(methods: Iterable[str] = ("GET",), *, page: bool = True):
    """Any signed-in user with a verified second factor, whatever their roles."""
    methods = tuple(methods)

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            return _signed_in_or_redirect(request) or view(request, *args, **kwargs)

        checked = require_http_methods(list(methods))(wrapper)
        return _declare(checked, AccessRule("signed_in", "", methods, page))

    return decorator


def municipality_view(
    action: str,
    methods: Iterable[str] = ("GET",),
    *,
    page: bool = True,
):
    """A view under /m/<municipality>/ that needs `action` there.

    The view receives the Municipality object instead of its code. A user who does not serve
    the municipality gets 404 (no hint it is there for them), and so does one who holds only
    field roles there (FIELD_ROLES); any other user who serves it without the right role 403.
    All are audited as denied.
    """
    if action not in RULES:
        raise KeyError(f"No access rule for action {action!r}; add it to RULES.")
    methods = tuple(methods)

    def decorator(view):
        @wraps(view)
        def wrapper(request, municipality: str, *args, **kwargs):
            redirect = _signed_in_or_redirect(request)
            if redirect:
                return redirect
            found = Municipality.objects.filter(cbs_code=municipality).first()
            if found is None:
                raise Http404
            if not can(request.user, action, found):
                from noaber.audit.actions import record
                from noaber.audit.models import Action, Result

                record(
                    Action.DENIED,
                    request=request,
                    municipality=found,
                    object_type="page",
                    object_id=request.path,
                    result=Result.DENIED,
                    detail={"needed": action},
                )
                held = roles_of(request.user, found)
                if not held or held <= FIELD_ROLES:
                    raise Http404
                raise PermissionDenied
            request.session["municipality"] = found.cbs_code
            request.municipality = found
            response = view(request, found, *args, **kwargs)
            # Staff pages show personal data: no browser or proxy may keep a copy.
            add_never_cache_headers(response)
            return response

        checked = require_http_methods(list(methods))(wrapper)
        return _declare(checked, AccessRule("municipality", action, methods, page))

    return decorator


def partner_token_view(methods: Iterable[str] = ("POST",)):
    """An API view for a chain partner's system, authenticated by its organisation's API key.

    Missing, unknown and revoked keys get 401 with a Dutch message; refusals of known keys are
    audited. The view finds the key as `request.partner_token`.
    """
    methods = tuple(methods)

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            from django.http import JsonResponse
            from django.utils.translation import gettext as _

            from .partner_keys import authenticate_partner_token, record_partner_refusal

            token, problem = authenticate_partner_token(request.headers.get("Authorization", ""))
            if problem:
                # Every refusal is audited; a key with a known prefix is named in the event.
                record_partner_refusal(token, problem)
                message = (
                    _("Deze API-sleutel is ingetrokken.")
                    if problem == "revoked"
                    else _("Geef een geldige API-sleutel mee: Authorization: Token nbr_…")
                )
                refused = JsonResponse({"detail": message}, status=401)
                # RFC 9110 15.5.2: a 401 names the scheme the client must use.
                refused["WWW-Authenticate"] = 'Token realm="noaber"'
                return refused
            request.partner_token = token
            response = view(request, *args, **kwargs)
            add_never_cache_headers(response)
            return response

        checked = require_http_methods(list(methods))(wrapper)
        return _declare(checked, AccessRule("partner_token", "", methods, False))

    return decorator
