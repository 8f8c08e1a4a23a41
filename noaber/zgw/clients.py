"""ZGW API clients: created (the secret shown once), revoked, and recognised by the JWT they
send, as the ZGW standard prescribes: HS256, signed with the client's secret, carrying its
`client_id` (or `iss`) and an `iat`. Every change and every refused token is audited."""

import json
import secrets
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from joserfc import errors as jose_errors
from joserfc import jwt
from joserfc.jwk import OctKey
from joserfc.jws import extract_compact

from noaber.audit.actions import record
from noaber.audit.models import Action, Confidentiality, Result

from .errors import ZgwError, forbidden, not_authenticated
from .models import ApiClient, Scope

ALGORITHM = "HS256"
# A token is accepted from its `iat` until this many seconds later (Open Zaak's JWT_EXPIRY),
# and an `iat` up to LEEWAY seconds ahead of this server's clock (clocks differ a little).
LEEWAY_SECONDS = 60


def jwt_expiry() -> int:
    return int(getattr(settings, "NOABER_ZGW_JWT_EXPIRY", 3600))


@transaction.atomic
def create_client(
    municipality,
    name: str,
    client_id: str,
    *,
    scopes,
    max_confidentiality: str = Confidentiality.OPENBAAR,
    bsn_entitled: bool = False,
    legal_basis: str = "",
    actor=None,
    request=None,
) -> tuple[ApiClient, str]:
    """A new client and its secret, returned once (stored encrypted: HS256 needs it to check
    a signature). ValidationError in Dutch for a taken client id, an unknown scope or level,
    or a BSN entitlement without the legal basis that grants it; nothing is saved then."""
    scopes = sorted(set(scopes))
    errors = {}
    if not scopes or any(s not in Scope.values for s in scopes):
        errors["scopes"] = _("Kies een of meer van: %(s)s.") % {"s": ", ".join(Scope.values)}
    if max_confidentiality not in Confidentiality.values:
        errors["max_confidentiality"] = _("Onbekende vertrouwelijkheidaanduiding.")
    if bsn_entitled and not legal_basis.strip():
        errors["legal_basis"] = _(
            "Een client die BSN's ontvangt heeft een grondslag nodig (convenant of wet)."
        )
    elif Scope.ZAKEN_LEZEN in scopes and not legal_basis.strip():
        # Serving a case to another system is a disclosure: it needs a legal basis.
        errors["legal_basis"] = _(
            "Een client die zaken leest heeft een grondslag nodig (convenant of wet)."
        )
    if ApiClient.objects.filter(client_id=client_id).exists():
        errors["client_id"] = _("Deze client-id is al in gebruik.")
    client = ApiClient(
        municipality=municipality,
        name=name,
        client_id=client_id,
        secret=secrets.token_urlsafe(32),
        scopes=scopes,
        max_confidentiality=max_confidentiality,
        bsn_entitled=bsn_entitled,
        legal_basis=legal_basis.strip(),
        created_by=actor,
    )
    try:
        client.full_clean(exclude=["created_by"])
    except ValidationError as error:
        errors = {**error.message_dict, **errors}
    if errors:
        raise ValidationError(errors)
    client.save()
    record(
        Action.CREATE,
        actor=actor,
        request=request,
        municipality=municipality,
        object_type="zgw_client",
        object_id=client.pk,
        detail={
            "client_id": client_id,
            "name": name,
            "scopes": scopes,
            "max_confidentiality": max_confidentiality,
            "bsn_entitled": bsn_entitled,
            "legal_basis": client.legal_basis,
        },
    )
    return client, client.secret


@transaction.atomic
def revoke_client(client: ApiClient, *, actor=None, request=None) -> None:
    """From now on every token of this client is refused; the client stays for the log."""
    if client.revoked_at is not None:
        return
    client.revoked_at = timezone.now()
    client.save(update_fields=["revoked_at"])
    record(
        Action.UPDATE,
        actor=actor,
        request=request,
        municipality=client.municipality,
        object_type="zgw_client",
        object_id=client.pk,
        reason="revoked",
        detail={"client_id": client.client_id},
    )


# One answer for every token refused before its signature is checked: the client cannot tell
# an unknown client id from a wrong secret (no enumeration of client ids); the audit event
# keeps the exact reason.
INVALID = _lazy(
    "Het JWT is ongeldig: onleesbaar, van een onbekende client of niet goed ondertekend."
)


def _refuse(reason: str, detail: str, request, client=None) -> ZgwError:
    """Audit a refused token (against its client where one was named) and return the 401."""
    record(
        Action.DENIED,
        request=request,
        municipality=client.municipality if client is not None else None,
        object_type="zgw_client",
        object_id=client.pk if client is not None else "",
        result=Result.DENIED,
        reason=reason,
    )
    return not_authenticated(str(detail)).marked_audited()


def authenticate(header: str, request) -> ApiClient:
    """The client behind an `Authorization: Bearer <JWT>` header, or a ZgwError (401)."""
    scheme, _sep, token = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise not_authenticated(_("Stuur een JWT in de header Authorization: Bearer <token>."))
    token = token.strip()
    try:
        compact = extract_compact(token.encode())
        claims = json.loads(compact.payload)
        header_alg = compact.protected.get("alg")
    except (jose_errors.JoseError, ValueError, TypeError, UnicodeDecodeError):
        raise _refuse("malformed_token", INVALID, request) from None
    if not isinstance(claims, dict):
        raise _refuse("malformed_token", INVALID, request)
    client_id = claims.get("client_id") or claims.get("iss")
    if not isinstance(client_id, str) or not client_id:
        raise _refuse("no_client_id", _("Het JWT noemt geen client_id."), request)
    client = (
        ApiClient.objects.select_related("municipality").filter(client_id=client_id[:100]).first()
    )
    if client is None:
        raise _refuse("unknown_client", INVALID, request)
    if header_alg != ALGORITHM:
        raise _refuse("bad_algorithm", INVALID, request, client)
    try:
        jwt.decode(token, OctKey.import_key(client.secret), algorithms=[ALGORITHM])
    except jose_errors.BadSignatureError:
        raise _refuse("bad_signature", INVALID, request, client) from None
    except (jose_errors.JoseError, ValueError, TypeError):
        raise _refuse("malformed_token", INVALID, request, client) from None
    if client.revoked_at is not None:
        raise _refuse("revoked_client", _("Deze client is ingetrokken."), request, client)
    _check_times(claims, request, client)
    return client


def _check_times(claims: dict, request, client) -> None:
    issued = claims.get("iat")
    if isinstance(issued, bool) or not isinstance(issued, int | float):
        raise _refuse("no_iat", _("Het JWT heeft geen geldige iat."), request, client)
    now = time.time()
    if issued > now + LEEWAY_SECONDS:
        raise _refuse("future_iat", _("De iat van het JWT ligt in de toekomst."), request, client)
    if issued < now - jwt_expiry() - LEEWAY_SECONDS:
        raise _refuse("expired", _("Het JWT is verlopen; maak een nieuw."), request, client)
    expires = claims.get("exp")
    if expires is not None and (
        isinstance(expires, bool)
        or not isinstance(expires, int | float)
        or expires < now - LEEWAY_SECONDS
    ):
        raise _refuse("expired", _("Het JWT is verlopen; maak een nieuw."), request, client)


def require_scope(client: ApiClient, scope: str, request) -> None:
    """A ZgwError (403) unless the client holds the scope; the refusal is audited."""
    if client.allows(scope):
        return
    record(
        Action.DENIED,
        request=request,
        municipality=client.municipality,
        object_type="zgw_client",
        object_id=client.pk,
        result=Result.DENIED,
        reason="missing_scope",
        detail={"scope": scope},
    )
    raise forbidden(
        _("Deze client heeft de scope %(scope)s niet.") % {"scope": scope}
    ).marked_audited()


__all__ = ["ZgwError", "authenticate", "create_client", "require_scope", "revoke_client"]
