"""Data-subject access (art. 15 AVG): what is held about a subject and who read or changed it —
without what must be withheld (art. 15 lid 4 AVG, art. 41 UAVG):

- never who reported: the kind of source, the reporter's contact details, the employee behind a
  "niet pluis" signal, a partner's source (none of these is ever written into the export);
- the texts of signals still in a phase of the protocol where disclosure would harm the work,
  and texts that come from a reporter (they may identify the reporter), unless the privacy
  officer read them and released them for this request with a reason.

What was withheld is listed by category with its legal ground (data/reference/registry.json,
"subject_access"), and the export's audit event names it. The who-viewed list names
organisations and roles, not employees, unless the municipality chose otherwise."""

import re

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from noaber.accounts.models import Role, User
from noaber.audit.actions import data_subject_pseudonym, record
from noaber.audit.models import Action, AuditEvent

from .models import ExportRelease, Subject
from .reference import subject_access

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
    "phenomenon",
    "phase",
    "outcome",
    "legal_basis",
    "purpose",
    "criminal_law_data",
    "closed_at",
)
# Free text that may identify a reporter or harm the work: only when released.
TEXT_FIELDS = ("location", "description", "outcome_reason")
# A signal made from reports begins each report's text with its number, "[M-12] ".
REPORT_PREFIX = re.compile(r"^\[M-\d+\] ?", re.MULTILINE)
# The reasons in the who-viewed list: fixed codes get a plain label; free text (typed reasons,
# disclosure purposes, a legal hold) is never shown — it could reveal an investigation or a
# reporter — and reads "reden vastgelegd".
REASON_LABELS = {
    "triage": _lazy("behandeling van het signaal"),
    "edit": _lazy("wijziging van het signaal"),
    "casusregie": _lazy("casusregie"),
    "hit_no_hit": _lazy("controle op een eerdere registratie (hit / no-hit)"),
    "partner_portal": _lazy("inzage door een ketenpartner in een gedeelde casus"),
    "partner_note": _lazy("inzage door een ketenpartner in een gedeelde casus"),
    "partner_signal": _lazy("inzage door een ketenpartner in een gedeelde casus"),
    "retention": _lazy("bewaartermijn verstreken"),
}
ZGW_REASON = _lazy("verstrekking van een casus aan een systeem van de gemeente")


def text_for_subject(value: str) -> str:
    return REPORT_PREFIX.sub("", value or "")


def reason_for_subject(event) -> str:
    if event.object_type.startswith("zgw_"):
        return str(ZGW_REASON)
    if "subject_request" in (event.detail or {}):
        return str(_("behandeling van een verzoek van een betrokkene (AVG)"))
    if not event.reason:
        return ""
    return str(REASON_LABELS.get(event.reason, _("reden vastgelegd")))


def text_withheld_under(signal) -> list[str]:
    """The categories under which `signal`'s texts are withheld unless released."""
    rules = subject_access()
    categories = []
    if signal.phase in rules["withhold_text_in_phases"]:
        categories.append("investigation")
    if signal.source_type in rules["withhold_text_from_sources"]:
        categories.append("reporter_text")
    return categories


def has_reporter(signal) -> bool:
    return signal.source_type in subject_access()["withhold_text_from_sources"]


def _viewer(event, municipality, users) -> str:
    """Who, for the subject: the organisation and role, or the name where configured."""
    user = users.get(event.actor_id)
    if event.object_type.startswith("zgw_"):
        client = (event.detail or {}).get("client_id", "")
        return str(_("Gemeentelijk systeem %(c)s (ZGW)")) % {"c": client}
    if user is None:
        return str(_("Noaber (automatisch)")) if event.origin == "system" else "—"
    if municipality.access_report_names_staff:
        return user.get_full_name() or user.username
    organisation = user.organisation
    if organisation is not None and organisation.is_partner:
        where = organisation.name
    else:
        where = str(_("Gemeente %(m)s")) % {"m": municipality.name}
    labels = dict(Role.choices)
    roles = ", ".join(str(labels.get(r, r)).lower() for r in event.role.split(",") if r)
    return f"{where} — {roles}" if roles else where


def subject_export(subject: Subject, *, actor, purpose, request=None) -> dict:
    """The export for `purpose` (subject_requests.Purpose); releases count only for its
    request. Audited with what was withheld."""
    municipality = subject.municipality
    links = list(subject.links.select_related("signal", "signal__theme", "signal__area"))
    signals = [link.signal for link in links]
    released = set()
    if purpose.subject_request is not None:
        released = set(
            ExportRelease.objects.filter(
                request=purpose.subject_request, subject=subject
            ).values_list("signal_id", flat=True)
        )
    categories = subject_access()["categories"]
    withheld: dict[str, list[str]] = {key: [] for key in categories}
    signal_rows = []
    for link, s in zip(links, signals, strict=True):
        row = {f: getattr(s, f) for f in SIGNAL_FIELDS} | {
            "nummer": s.number,
            "thema": str(s.theme),
            "gebied": str(s.area or ""),
            "rol": link.role,
        }
        if has_reporter(s):
            withheld["reporter"].append(s.number)
        hidden = [] if s.pk in released else text_withheld_under(s)
        for category in hidden:
            withheld[category].append(s.number)
        if not hidden:
            row |= {f: text_for_subject(getattr(s, f)) for f in TEXT_FIELDS}
        # Who received it, on which ground, which categories, when, and when it ended: always
        # (art. 15 lid 1 onder c AVG). The purpose, what was shared and why it ended are the
        # signal's text: only when released.
        row["verstrekkingen"] = [
            {
                "ontvanger": d.recipient.name,
                "convenant": d.agreement.name if d.agreement else "",
                "grondslag": d.legal_basis,
                "categorieen": d.data_categories,
                "besloten_op": d.decided_on,
                "beeindigd": [
                    {"soort": e.get_kind_display(), "op": e.created_at.date(), "tot": e.until}
                    | ({} if hidden else {"reden": e.reason})
                    for e in d.ends.all()
                ],
            }
            | ({} if hidden else {"doel": d.purpose, "verstrekt": text_for_subject(d.shared)})
            for d in s.disclosures.select_related("recipient", "agreement").prefetch_related("ends")
        ]
        signal_rows.append(row)
    events = AuditEvent.objects.filter(
        Q(object_type="subject", object_id=str(subject.pk))
        | Q(object_type="signal", object_id__in=[str(s.pk) for s in signals])
        # A case served with this person to a municipal system (noaber.zgw): a recipient.
        | Q(
            object_type__startswith="zgw_",
            data_subject=data_subject_pseudonym(*subject.data_subject()),
        )
    ).order_by("id")
    actor_ids = {e.actor_id for e in events if e.actor_id}
    users = {u.pk: u for u in User.objects.filter(pk__in=actor_ids).select_related("organisation")}
    data = {
        "doel": purpose.text,
        "betrokkene": {f: getattr(subject, f) for f in SUBJECT_FIELDS} | {"nummer": str(subject)},
        "signalen": signal_rows,
        "achtergehouden": [
            {
                "categorie": categories[key]["label"],
                "grondslag": categories[key]["ground"],
                "signalen": numbers,
            }
            for key, numbers in withheld.items()
            if numbers
        ],
        "inzage_en_wijzigingen": [
            {
                "tijdstip": e.created_at,
                "wie": _viewer(e, municipality, users),
                "handeling": e.get_action_display(),
                "object": f"{e.object_type} {e.object_id}",
                "reden": reason_for_subject(e),
            }
            for e in events
        ],
    }
    for signal in signals:
        record(
            Action.VIEW,
            actor=actor,
            request=request,
            municipality=municipality,
            object_type="signal",
            object_id=signal.pk,
            reason=purpose.text,
            detail={"data_subject_access": True},
        )
    record(
        Action.EXPORT,
        actor=actor,
        request=request,
        municipality=municipality,
        object_type="subject",
        object_id=subject.pk,
        data_subject=subject.data_subject(),
        reason=purpose.text,
        detail=purpose.audit_detail()
        | {"withheld": {k: v for k, v in withheld.items() if v}, "released": sorted(
            f"S-{pk}" for pk in released)},
    )  # fmt: skip
    return data


def subject_export_pdf(subject: Subject, *, actor, purpose, request=None) -> bytes:
    """The same export as a tagged PDF (one template, see noaber.lib.pdf)."""
    from noaber.lib.pdf import render_pdf

    data = subject_export(subject, actor=actor, purpose=purpose, request=request)
    return render_pdf(
        "registry/export_pdf.html", {"data": data, "municipality": subject.municipality}
    )
