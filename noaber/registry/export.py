"""Data-subject access (art. 15 AVG): everything held about a subject and who read or changed it."""

from django.db.models import Q

from noaber.audit.actions import record
from noaber.audit.models import Action, AuditEvent

from .models import Subject

SUBJECT_FIELDS = (
    "kind",
    "label",
    "birth_date",
    "bsn",
    "postcode",
    "house_number",
    "house_number_addition",
    "bag_id",
    "kvk",
    "kenteken",
    "created_at",
)
SIGNAL_FIELDS = (
    "received_on",
    "source_type",
    "phenomenon",
    "location",
    "description",
    "phase",
    "outcome",
    "outcome_reason",
    "legal_basis",
    "purpose",
    "criminal_law_data",
    "closed_at",
)


def subject_export(subject: Subject, *, actor, request=None) -> dict:
    links = subject.links.select_related("signal", "signal__theme", "signal__area")
    signals = [link.signal for link in links]
    events = AuditEvent.objects.filter(
        Q(object_type="subject", object_id=str(subject.pk))
        | Q(object_type="signal", object_id__in=[str(s.pk) for s in signals])
    ).order_by("seq")
    data = {
        "betrokkene": {f: getattr(subject, f) for f in SUBJECT_FIELDS} | {"nummer": str(subject)},
        "signalen": [
            {f: getattr(s, f) for f in SIGNAL_FIELDS}
            | {
                "nummer": s.number,
                "thema": str(s.theme),
                "gebied": str(s.area or ""),
                "rol": link.role,
                "verstrekkingen": [
                    {
                        "ontvanger": d.recipient.name,
                        "convenant": d.agreement.name if d.agreement else "",
                        "grondslag": d.legal_basis,
                        "doel": d.purpose,
                        "categorieen": d.data_categories,
                        "verstrekt": d.shared,
                        "besloten_op": d.decided_on,
                    }
                    for d in s.disclosures.select_related("recipient", "agreement")
                ],
            }
            for link, s in zip(links, signals, strict=True)
        ],
        "inzage_en_wijzigingen": [
            {
                "tijdstip": e.created_at,
                "wie": e.actor or e.origin,
                "rol": e.role,
                "handeling": e.get_action_display(),
                "object": f"{e.object_type} {e.object_id}",
                "reden": e.reason,
            }
            for e in events
        ],
    }
    for signal in signals:
        record(
            Action.VIEW,
            actor=actor,
            request=request,
            municipality=subject.municipality,
            object_type="signal",
            object_id=signal.pk,
            reason="data_subject_access",
        )
    record(
        Action.EXPORT,
        actor=actor,
        request=request,
        municipality=subject.municipality,
        object_type="subject",
        object_id=subject.pk,
        reason="data_subject_access",
    )
    return data


def subject_export_pdf(subject: Subject, *, actor, request=None) -> bytes:
    """The same export as a tagged PDF (one template, see noaber.lib.pdf)."""
    from noaber.lib.pdf import render_pdf

    data = subject_export(subject, actor=actor, request=request)
    return render_pdf(
        "registry/export_pdf.html", {"data": data, "municipality": subject.municipality}
    )
