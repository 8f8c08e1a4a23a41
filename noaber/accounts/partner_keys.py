"""API keys of chain partners' systems: issued, revoked and checked here, every change and
every refusal audited. Only a key's SHA-256 is stored; the plain key is shown once."""

import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone

from noaber.audit.actions import record
from noaber.audit.models import Action, Result

from .models import PartnerToken

TOKEN_PREFIX = "nbr_"


def token_digest(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


@transaction.atomic
def create_partner_token(organisation, municipalities, name: str, *, actor, request=None):
    """A new API key; the plain key is returned once and only its SHA-256 is stored."""
    while True:
        prefix = secrets.token_hex(4)
        if not PartnerToken.objects.filter(prefix=prefix).exists():
            break
    plain = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = PartnerToken.objects.create(
        organisation=organisation,
        name=name,
        prefix=prefix,
        digest=token_digest(plain),
        created_by=actor,
    )
    token.municipalities.set(municipalities)
    for municipality in municipalities:
        record(
            Action.CREATE,
            actor=actor,
            request=request,
            municipality=municipality,
            object_type="partner_token",
            object_id=token.pk,
            detail={"organisation": organisation.name, "name": name},
        )
    return token, plain


@transaction.atomic
def revoke_partner_token(token: PartnerToken, *, actor, request=None) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    for municipality in token.municipalities.all():
        record(
            Action.UPDATE,
            actor=actor,
            request=request,
            municipality=municipality,
            object_type="partner_token",
            object_id=token.pk,
            reason="revoked",
        )


def authenticate_partner_token(header: str) -> tuple[PartnerToken | None, str]:
    """(token, "") for a valid `Token nbr_…` header, else (None, reason code)."""
    scheme, _sep, plain = (header or "").partition(" ")
    if scheme != "Token" or not plain.startswith(TOKEN_PREFIX):
        return None, "missing"
    prefix = plain[len(TOKEN_PREFIX) :].split("_", 1)[0]
    token = PartnerToken.objects.select_related("organisation").filter(prefix=prefix).first()
    if token is None:
        return None, "invalid"
    if not hmac.compare_digest(token.digest, token_digest(plain)):
        # A known prefix with a wrong secret: refused and audited against that key.
        return token, "invalid"
    if token.revoked_at is not None:
        return token, "revoked"
    PartnerToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token, ""


def record_partner_refusal(token, reason: str) -> None:
    record(
        Action.DENIED,
        origin="partner_api",
        object_type="partner_token",
        object_id=token.pk if token else "",
        result=Result.DENIED,
        reason=reason,
    )
