"""Data-subject requests (art. 15-21 AVG): every write of a request, audited in the same
transaction, and the purpose for which the privacy officer opens a subject's data.

A subject's page or export opens only for an open request of the municipality or for a typed
reason (another lawful purpose); either is written into the audit event of the read."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from noaber.audit.actions import record
from noaber.audit.models import Action, Result

from .actions import add_months
from .models import (
    MAX_EXTENSION_MONTHS,
    REQUEST_MONTHS,
    ExportRelease,
    Signal,
    Subject,
    SubjectRequest,
)


@dataclass(frozen=True)
class Purpose:
    """Why a subject's data is opened: an open request, or a typed lawful reason."""

    subject_request: SubjectRequest | None = None
    reason: str = ""

    @property
    def text(self) -> str:
        if self.subject_request is not None:
            r = self.subject_request
            return f"{r.reference} ({r.get_kind_display()})"
        return self.reason

    def audit_detail(self) -> dict:
        if self.subject_request is not None:
            return {"subject_request": self.subject_request.reference}
        return {"lawful_reason": True}


def _audit(subject_request, request, action=Action.UPDATE, **detail):
    record(
        action,
        request=request,
        municipality=subject_request.municipality,
        object_type="subject_request",
        object_id=subject_request.reference,
        detail=detail,
    )


def _next_reference(municipality, year: int) -> str:
    prefix = f"AVG-{year}-"
    taken = SubjectRequest.objects.filter(
        municipality=municipality, reference__startswith=prefix
    ).values_list("reference", flat=True)
    number = max((int(ref[len(prefix) :]) for ref in taken), default=0) + 1
    return f"{prefix}{number:03d}"


def register_request(municipality, data: dict, *, actor, request) -> SubjectRequest:
    """A new request with its statutory deadline (one month after receipt)."""
    received = data["received_on"]
    if received > timezone.localdate():
        raise ValidationError(_("De ontvangstdatum ligt in de toekomst."))
    if not data.get("requester", "").strip():
        raise ValidationError(_("Noem de verzoeker."))
    for _attempt in range(3):
        try:
            with transaction.atomic():
                subject_request = SubjectRequest.objects.create(
                    municipality=municipality,
                    reference=_next_reference(municipality, received.year),
                    kind=data["kind"],
                    received_on=received,
                    requester=data["requester"].strip(),
                    identity_check=data["identity_check"],
                    identity_note=data.get("identity_note", "").strip(),
                    deadline=add_months(received, REQUEST_MONTHS),
                    handled_by=actor,
                )
                _audit(subject_request, request, Action.CREATE, kind=subject_request.kind)
                return subject_request
        except IntegrityError:
            continue  # another request took the same reference at the same moment
    raise ValidationError(_("Het verzoek kon geen kenmerk krijgen; probeer het opnieuw."))


def _locked(subject_request) -> SubjectRequest:
    """The request re-read under a row lock, and only while it is open: two hands closing,
    extending or releasing at once act on its current state."""
    current = SubjectRequest.objects.select_for_update().get(pk=subject_request.pk)
    if not current.is_open:
        raise ValidationError(_("Dit verzoek is al afgehandeld."))
    return current


@transaction.atomic
def extend_request(subject_request, months: int, reason: str, *, actor, request) -> None:
    """Extend the deadline by one or two months (art. 12 lid 3 AVG): only with a reason,
    and once."""
    current = _locked(subject_request)
    if current.extension_months:
        raise ValidationError(_("Dit verzoek is al verlengd; verder verlengen kan niet."))
    if not reason.strip():
        raise ValidationError(_("Een verlenging heeft een reden nodig (art. 12 lid 3 AVG)."))
    if not 1 <= months <= MAX_EXTENSION_MONTHS:
        raise ValidationError(_("Verleng met één of twee maanden."))
    current.extension_months = months
    current.extension_reason = reason.strip()
    current.deadline = add_months(current.received_on, REQUEST_MONTHS + months)
    current.save(update_fields=["extension_months", "extension_reason", "deadline"])
    _audit(current, request, extended_months=months, deadline=current.deadline)


@transaction.atomic
def close_request(subject_request, outcome: str, note: str, *, actor, request) -> None:
    current = _locked(subject_request)
    if outcome not in SubjectRequest.Outcome.values:
        raise ValidationError(_("Kies de uitkomst van het verzoek."))
    current.status = SubjectRequest.Status.DONE
    current.outcome = outcome
    current.outcome_note = note.strip()
    current.closed_at = timezone.now()
    current.save(update_fields=["status", "outcome", "outcome_note", "closed_at"])
    _audit(current, request, outcome=outcome)


def open_requests(municipality):
    """Open requests by deadline: the overdue ones come first."""
    return SubjectRequest.objects.filter(
        municipality=municipality, status=SubjectRequest.Status.OPEN
    ).order_by("deadline", "pk")


def get_request_for(municipality, pk, *, request) -> SubjectRequest:
    """A request of `municipality` (its requester's name is personal data: the read is
    audited), or a 404 audited as denied."""
    from django.http import Http404

    subject_request = (
        SubjectRequest.objects.filter(municipality=municipality, pk=pk).first()
        if str(pk).isdigit()
        else None
    )
    record(
        Action.VIEW if subject_request else Action.DENIED,
        request=request,
        municipality=municipality,
        object_type="subject_request",
        object_id=subject_request.reference if subject_request else pk,
        result=Result.SUCCESS if subject_request else Result.DENIED,
    )
    if subject_request is None:
        raise Http404
    return subject_request


@transaction.atomic
def record_subject_read(subject: Subject, purpose: Purpose | None, *, request, what="page"):
    """The audit of opening a subject's data for `purpose`; without a purpose, a denied event
    (nothing is shown)."""
    if purpose is None:
        record(
            Action.DENIED,
            request=request,
            municipality=subject.municipality,
            object_type="subject",
            object_id=subject.pk,
            data_subject=subject.data_subject(),
            result=Result.DENIED,
            reason="no_purpose",
            detail={"what": what},
        )
        return
    record(
        Action.VIEW,
        request=request,
        municipality=subject.municipality,
        object_type="subject",
        object_id=subject.pk,
        data_subject=subject.data_subject(),
        reason=purpose.text,
        detail={"what": what} | purpose.audit_detail(),
    )


@transaction.atomic
def link_subject(subject_request, subject: Subject, *, actor, request) -> None:
    """Tie a subject, found by the requester's exact data, to the request: from then on the
    request may open that subject's data (and no other's)."""
    subject_request = _locked(subject_request)
    if subject.municipality_id != subject_request.municipality_id:
        raise ValidationError(_("Deze betrokkene hoort bij een andere gemeente."))
    subject_request.subjects.add(subject)
    _audit(subject_request, request, linked_subject=subject.pk)


@transaction.atomic
def release_item(subject_request, subject: Subject, signal: Signal, reason: str, *, actor,
                 request) -> ExportRelease:  # fmt: skip
    """Release a withheld signal text into this request's export, after reading it."""
    subject_request = _locked(subject_request)
    if not subject_request.subjects.filter(pk=subject.pk).exists():
        raise ValidationError(_("Deze betrokkene hoort niet bij dit verzoek."))
    if not reason.strip():
        raise ValidationError(_("Noem de reden om dit onderdeel vrij te geven."))
    if (
        subject.municipality_id != subject_request.municipality_id
        or not subject.links.filter(signal=signal).exists()
    ):
        raise ValidationError(_("Dit signaal hoort niet bij deze betrokkene."))
    release, created = ExportRelease.objects.get_or_create(
        request=subject_request,
        subject=subject,
        signal=signal,
        defaults={"reason": reason.strip()[:300], "released_by": actor},
    )
    if not created:
        raise ValidationError(_("Dit onderdeel is voor dit verzoek al vrijgegeven."))
    record(
        Action.UPDATE,
        actor=actor,
        request=request,
        municipality=subject.municipality,
        object_type="subject",
        object_id=subject.pk,
        data_subject=subject.data_subject(),
        # The typed reason stays encrypted on the release; the audit log names the release.
        reason="export_release",
        detail={
            "released_signal": signal.number,
            "subject_request": subject_request.reference,
            "release": release.pk,
        },
    )
    return release
