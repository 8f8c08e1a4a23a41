"""The Dutch words for the codes the signaalregister records in the audit log."""

from django.utils.translation import gettext_lazy as _

from noaber.accounts.access import can
from noaber.accounts.audit_labels import by_pk
from noaber.audit.labels import register_object_type, register_reasons

from .models import Signal, Subject, SubjectRequest

register_reasons(
    {
        "hit_no_hit": _("controle op een eerdere registratie (hit / no-hit)"),
        "no_purpose": _("geen doel opgegeven"),
        "export_release": _("vrijgave voor het inzageoverzicht"),
        "retention": _("bewaartermijn verstreken"),
        "disclosure_ended": _("verstrekking beëindigd"),
        "disclosure_kept": _("verstrekking open gehouden"),
        "legal_hold": _("bewaarplicht (legal hold)"),
        "key_rotation": _("wissel van de versleutelingssleutels"),
        "backup": _("reservekopie"),
        "sweep_files": _("opruimen van bestanden"),
    }
)


def _subjects(municipality, ids, user):
    # The privacy officer opens a subject through the rights page; an advisor its own page.
    if can(user, "registry.privacy", municipality):
        url_name, action = "registry:subject_rights", "registry.privacy"
    else:
        url_name, action = "registry:subject", "registry.work"
    describe = by_pk(
        lambda m: Subject.objects.filter(municipality=m),
        lambda s: _("betrokkene %(n)s") % {"n": s},
        url_name,
        action,
    )
    return describe(municipality, ids, user)


def _requests(municipality, ids, user):
    from django.urls import reverse

    may = can(user, "registry.privacy", municipality)
    found = {}
    for request in SubjectRequest.objects.filter(municipality=municipality, reference__in=ids):
        url = reverse("registry:request", args=[municipality.cbs_code, request.pk]) if may else None
        found[request.reference] = (_("verzoek %(r)s") % {"r": request.reference}, url)
    return found


register_object_type(
    "signal",
    _("signaal"),
    by_pk(
        lambda m: Signal.objects.filter(municipality=m),
        lambda s: _("signaal %(n)s") % {"n": s.number},
        "registry:signal",
        "registry.work",
    ),
)
register_object_type("subject", _("betrokkene"), _subjects)
register_object_type("subject_request", _("verzoek van een betrokkene"), _requests)
register_object_type("subject_match", _("zoeken naar een betrokkene"))
register_object_type("backup", _("reservekopie"))
register_object_type("field_keys", _("versleutelingssleutels"))
register_object_type("files", _("bestanden"))
register_object_type("retention_term", _("bewaartermijn"))
