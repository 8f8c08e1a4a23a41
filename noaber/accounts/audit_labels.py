"""The Dutch words for the codes the accounts app records in the audit log, and `by_pk`, the
describer the apps above use to name an object and link its page (noaber/audit/labels.py)."""

from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from noaber.audit.labels import register_object_type, register_reasons

from .access import can

register_reasons(
    {
        "bad_password": _("wachtwoord onjuist"),
        "bad_otp": _("inlogcode onjuist"),
        "bad_otp_enrolment": _("inlogcode bij het koppelen van de app onjuist"),
        "locked": _("tijdelijk geblokkeerd na te veel pogingen"),
        "no_role": _("geen rol in een gemeente"),
        "municipality_not_served": _("gemeente hoort niet bij dit account"),
        "mfa_enrolled": _("tweede factor gekoppeld"),
        "password_changed": _("wachtwoord gewijzigd"),
        "revoked": _("ingetrokken"),
        "local_login": _("met wachtwoord en code"),
        "local_login_off": _("inloggen met wachtwoord staat uit voor deze rol"),
        "identity_provider": _("via een identiteitsprovider"),
        "session_max_age": _("sessie op haar maximale duur"),
        "claim_removed": _("groep of rol niet meer in de claims"),
        "backchannel_logout": _("beëindigd door de identiteitsprovider"),
        "backchannel_logout_none": _("identiteitsprovider meldde uitloggen; geen sessie open"),
        "provider_off": _("identiteitsprovider uitgeschakeld"),
        "sign_in_conflict": _("inloggen tegelijk elders, of koppeling niet meer geldig"),
        "mfa_missing": _("geen bewijs van een tweede factor voor een rol die dat vraagt"),
        "account_inactive": _("account uitgeschakeld"),
        "unknown_state": _("antwoord hoort niet bij een gestarte inlog (state)"),
        "login_expired": _("inlog te lang geleden gestart"),
        "provider_error": _("identiteitsprovider meldde een fout"),
        "no_code": _("geen autorisatiecode"),
        "token_request_failed": _("tokenverzoek mislukt"),
        "no_id_token": _("geen ID-token"),
        "malformed_token": _("token onleesbaar"),
        "bad_algorithm": _("token met een niet toegestaan algoritme"),
        "unknown_key": _("token ondertekend met een onbekende sleutel"),
        "bad_signature": _("handtekening van het token klopt niet"),
        "token_expired": _("token verlopen"),
        "missing_claim": _("verplichte claim ontbreekt"),
        "invalid_claim": _("claim klopt niet"),
        "wrong_issuer": _("token van een andere uitgever"),
        "wrong_audience": _("token voor een andere client"),
        "wrong_nonce": _("nonce klopt niet (hergebruikt of vervalst token)"),
        "not_a_logout_token": _("geen uitlogtoken"),
        "replayed_token": _("uitlogtoken hergebruikt"),
        "issuer_mismatch": _("discovery-document noemt een andere uitgever"),
        "insecure_provider_url": _("adres van de identiteitsprovider is niet https"),
        "provider_unreachable": _("identiteitsprovider niet bereikbaar"),
        "bad_jwks": _("sleutelset van de identiteitsprovider onleesbaar"),
    }
)


def by_pk(queryset_of, text_of, url_name: str, action: str):
    """A describer for objects recorded by primary key: `queryset_of(municipality)` finds
    them, `text_of(obj)` names one ("casus C-2"), and its page (`url_name`) is linked only when
    the viewer may do `action` in the municipality."""

    def describe(municipality, ids, user):
        pks = [int(i) for i in ids if str(i).isdigit()]
        may = can(user, action, municipality)
        found = {}
        for obj in queryset_of(municipality).filter(pk__in=pks):
            url = reverse(url_name, args=[municipality.cbs_code, obj.pk]) if may else None
            found[str(obj.pk)] = (text_of(obj), url)
        return found

    return describe


def _accounts(municipality, ids, user):
    from .models import User

    people = User.objects.annotate(key=Lower("username")).filter(key__in=ids)
    found = {
        p.username.lower(): (_("account van %(name)s") % {"name": p.display_name}, None)
        for p in people
    }
    for object_id in ids:
        if object_id.startswith("onbekend-"):
            found[object_id] = (_("onbekende inlognaam (versleuteld bewaard)"), None)
    return found


register_object_type("user", _("account"), _accounts)
register_object_type("membership", _("rol"))
register_object_type("mfa_device", _("tweede factor"))
register_object_type("partner_token", _("koppelsleutel van een ketenpartner"))
register_object_type("access_review", _("toegangsreview"))
register_object_type("identity_provider", _("identiteitsprovider"))
register_object_type("role_mapping", _("rolkoppeling"))


def _audit_logs(municipality, ids, user):
    from .models import Municipality

    return {
        m.cbs_code: (_("auditlog %(name)s") % {"name": m.name}, None)
        for m in Municipality.objects.filter(cbs_code__in=ids)
    }


register_object_type("audit_log", _("auditlog"), _audit_logs)
register_object_type("reference_data", _("referentiegegevens"))
register_object_type("page", _("pagina"))
