"""The processing log outward: Noaber's audit events about one person in the shape of VNG's
Verwerkingenlogging read API (`GET /verwerkte-objecten`), for the municipality's privacy
tooling (issue 22 point 3; docs/verwerkingen.md).

An answer reveals whether the register holds anything about a person (tipping-off; art. 41
UAVG), so: off until the privacy officer opens it (`set_processing_log`), only for the clients
she names, and events about a subject of a signal in a running phase of the signaalregister are
left out until she releases that signal or subject (`release_processing_log`). Left out means
absent: the answer looks as it would if those events had never been written. Every question,
every refusal and every change of the switch or a release is audited; a BSN is used only as
the keyed pseudonym the events carry."""

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.response import Response

from noaber.accounts.access import can
from noaber.accounts.models import Role
from noaber.audit.actions import data_subject_pseudonym, record
from noaber.audit.labels import object_type_label
from noaber.audit.models import Action, AuditEvent, Confidentiality, ProcessingActivity, Result
from noaber.registry.models import Phase, Signal, SignalSubject
from noaber.registry.subjects import check_bsn

from .errors import forbidden, invalid
from .models import ApiClient, Catalogue, ProcessingLogRelease, ProcessingLogSetting, Scope
from .paging import page_of
from .views import ZgwView

# The version of VNG's document this answers to (noaber/zgw/oas/verwerkingenlogging-*.yaml).
VERSION = "0.9.0"
# The phases of the signaalregister in which a signal is still being handled (the four phases
# of the Model privacyprotocol ondermijning): its subjects' events wait for a release.
RUNNING_PHASES = tuple(p for p in Phase.values if p != Phase.CLOSED)
# soortObjectId -> the kind of the pseudonym (noaber.audit.actions.DATA_SUBJECT_TYPES).
OBJECT_ID_KINDS = {"bsn": "bsn", "noaber-subject": "noaber-subject"}
OBJECT_ID_LABELS = {"bsn": "BSN", "noaber-subject": "noaber-subject"}
# The identities Noaber gives each event outward (UUID 5 of the event's HMAC): stable, and
# nothing about the event can be read back from them.
EVENT_NAMESPACE = uuid.UUID("2b9f6c1e-5a47-5d0c-8e3b-9c4d7a1f0e62")
# Events whose detail names the signal they concern.
SIGNAL_KEYS = ("signal", "linked_to_signal")
MIN_REASON = 10


# --- The privacy officer's switch and releases ------------------------------------------------


def _require_privacy_officer(actor, municipality) -> None:
    if not can(actor, "zgw.processing_log", municipality):
        raise PermissionDenied(_("Alleen de privacyfunctionaris van deze gemeente mag dit."))


def setting_for(municipality) -> ProcessingLogSetting | None:
    return ProcessingLogSetting.objects.filter(municipality=municipality).first()


def eligible_clients(municipality):
    """The clients the privacy officer may name: the municipality's own, not revoked, with the
    scope verwerkingen.lezen (the admin gives the scope; she names the client)."""
    clients = ApiClient.objects.filter(municipality=municipality, revoked_at__isnull=True)
    return [c for c in clients if c.allows(Scope.VERWERKINGEN_LEZEN)]


@transaction.atomic
def set_processing_log(municipality, *, enabled: bool, client_ids, actor, request=None):
    """Open or close the endpoint for the municipality and name the clients it answers.
    ValidationError in Dutch for a client that is not this municipality's, is revoked or lacks
    the scope; nothing changes then. Audited (zgw_processing_log) with what was set."""
    _require_privacy_officer(actor, municipality)
    eligible = {c.client_id: c for c in eligible_clients(municipality)}
    client_ids = sorted(set(client_ids))
    unknown = [c for c in client_ids if c not in eligible]
    if unknown:
        raise ValidationError(
            {
                "clients": _(
                    "Deze clients kunnen niet worden genoemd (onbekend, ingetrokken of zonder "
                    "toestemming 'verwerkingen lezen'): %(c)s."
                )
                % {"c": ", ".join(unknown)}
            }
        )
    setting, _created = ProcessingLogSetting.objects.select_for_update().get_or_create(
        municipality=municipality
    )
    setting.enabled = enabled
    setting.changed_by = actor
    setting.changed_at = timezone.now()
    setting.save(update_fields=["enabled", "changed_by", "changed_at"])
    setting.clients.set([eligible[c] for c in client_ids])
    record(
        Action.UPDATE,
        actor=actor,
        request=request,
        municipality=municipality,
        object_type="zgw_processing_log",
        object_id=municipality.cbs_code,
        detail={"enabled": enabled, "clients": client_ids},
    )
    return setting


@transaction.atomic
def release_processing_log(
    municipality, *, reason: str, actor, signal=None, subject=None, request=None
) -> ProcessingLogRelease:
    """From now on the events about this signal's subjects (or about this subject) are
    answered, though the signal is still running. Needs a reason of at least ten characters;
    the signal or subject must be the municipality's. Audited (zgw_processing_release)."""
    _require_privacy_officer(actor, municipality)
    errors = {}
    if (signal is None) == (subject is None):
        errors["__all__"] = _("Kies één signaal of één betrokkene om vrij te geven.")
    target = signal if signal is not None else subject
    if target is not None and target.municipality_id != municipality.pk:
        errors["__all__"] = _("Dit signaal of deze betrokkene hoort niet bij deze gemeente.")
    if len((reason or "").strip()) < MIN_REASON:
        errors["reason"] = _("Noem de reden van de vrijgave (minstens tien tekens).")
    if errors:
        raise ValidationError(errors)
    released = ProcessingLogRelease.objects.create(
        municipality=municipality,
        signal=signal,
        subject=subject,
        reason=reason.strip(),
        released_by=actor,
        released_at=timezone.now(),
    )
    record(
        Action.UPDATE,
        actor=actor,
        request=request,
        municipality=municipality,
        object_type="zgw_processing_release",
        object_id=released.pk,
        reason=reason.strip(),
        detail={"signal": getattr(signal, "pk", None), "subject": getattr(subject, "pk", None)},
    )
    return released


# --- The question ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    kind: str  # the pseudonym's kind: bsn, noaber-subject
    object_id: str  # as asked, normalised (a BSN's nine digits)
    begin: date
    end: date  # exclusive, as the standard says ("kleiner dan")
    activity: str | None  # a register code, "" for an unknown verwerkingsactiviteitId

    @property
    def pseudonym(self) -> str:
        return data_subject_pseudonym(self.kind, self.object_id)


def parse_question(params) -> Question:
    """The standard's query parameters, checked; a ZgwError 400 naming every bad one. The
    reasons never repeat the value given (it may be a BSN)."""
    errors = []

    def required(name):
        value = params.get(name)
        if value is None or not value.strip():
            errors.append((name, "required", _("Dit veld is verplicht.")))
            return None
        return value.strip()

    objecttype = required("objecttype")
    if objecttype is not None and objecttype != "persoon":
        errors.append(("objecttype", "invalid_choice", _("Kies een van: persoon.")))
    kind_name = required("soortObjectId")
    kind = OBJECT_ID_KINDS.get(kind_name.lower()) if kind_name else None
    if kind_name is not None and kind is None:
        errors.append(("soortObjectId", "invalid_choice", _("Kies een van: BSN, noaber-subject.")))
    object_id = required("objectId")
    if object_id is not None and kind == "bsn":
        try:
            object_id = check_bsn(object_id)
        except ValidationError as error:
            errors.append(("objectId", "invalid", error.messages[0]))
    elif (
        object_id is not None
        and kind == "noaber-subject"
        and not re.fullmatch(r"\d{1,18}", object_id)
    ):
        errors.append(("objectId", "invalid", _("Een noaber-subject is een geheel getal.")))
    days = {}
    for name in ("beginDatum", "eindDatum"):
        value = required(name)
        if value is None:
            continue
        try:
            days[name] = date.fromisoformat(value)
        except ValueError:
            errors.append((name, "invalid", _("Geef een datum als JJJJ-MM-DD.")))
    if len(days) == 2 and days["eindDatum"] <= days["beginDatum"]:
        errors.append(
            ("eindDatum", "invalid", _("De einddatum ligt na de begindatum (en telt niet mee)."))
        )
    activity = None
    raw = params.get("verwerkingsactiviteitId")
    if raw is not None:
        try:
            wanted = uuid.UUID(raw)
        except ValueError:
            errors.append(("verwerkingsactiviteitId", "invalid", _("Geef een geldige UUID.")))
        else:
            codes = ProcessingActivity.objects.values_list("code", flat=True)
            activity = next((c for c in codes if ProcessingActivity(code=c).uuid == wanted), "")
    page = params.get("page")
    if page is not None and (not page.isdigit() or int(page) < 1):
        errors.append(("page", "invalid", _("Een paginanummer is een geheel getal vanaf 1.")))
    if errors:
        raise invalid(errors)
    return Question(kind, object_id, days["beginDatum"], days["eindDatum"], activity)


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def events_about(municipality, question: Question) -> tuple[list[AuditEvent], int]:
    """The municipality's events about the person in the period, oldest first, without those
    that wait for a release; and how many were left out (for the audit log only)."""
    events = AuditEvent.objects.filter(
        data_subject=question.pseudonym,
        data_subject_type=question.kind,
        municipality=municipality.cbs_code,
        created_at__gte=_moment(question.begin),
        created_at__lt=_moment(question.end),
    )
    if question.activity == "":
        return [], 0  # a verwerkingsactiviteitId the register does not know finds nothing
    if question.activity is not None:
        events = events.filter(processing_activity=question.activity)
    events = list(events.order_by("created_at", "id"))
    held = _waiting_for_release(municipality, events, question)
    kept = [e for e in events if not held(e)]
    return kept, len(events) - len(kept)


def _subject_of(event: AuditEvent, question: Question) -> int | None:
    if event.object_type == "subject" and event.object_id.isdigit():
        return int(event.object_id)
    if question.kind == "noaber-subject":
        return int(question.object_id)
    return None


def _signals_named(event: AuditEvent) -> set[int]:
    detail = event.detail if isinstance(event.detail, dict) else {}
    return {int(detail[k]) for k in SIGNAL_KEYS if str(detail.get(k, "")).isdigit()}


def _waiting_for_release(municipality, events, question):
    """A test per event: does it concern a subject of a running signal (or name a running
    signal) that the privacy officer has not released (neither the signal nor the subject)?"""
    subjects = {s for e in events if (s := _subject_of(e, question)) is not None}
    named = set().union(*(_signals_named(e) for e in events)) if events else set()
    running_of: dict[int, set[int]] = {}
    for subject_id, signal_id in SignalSubject.objects.filter(
        subject_id__in=subjects,
        signal__municipality=municipality,
        signal__phase__in=RUNNING_PHASES,
    ).values_list("subject_id", "signal_id"):
        running_of.setdefault(subject_id, set()).add(signal_id)
    running_named = set(
        Signal.objects.filter(
            pk__in=named, municipality=municipality, phase__in=RUNNING_PHASES
        ).values_list("pk", flat=True)
    )
    releases = ProcessingLogRelease.objects.filter(municipality=municipality)
    released_signals = set(releases.exclude(signal=None).values_list("signal_id", flat=True))
    released_subjects = set(releases.exclude(subject=None).values_list("subject_id", flat=True))

    def held(event) -> bool:
        subject = _subject_of(event, question)
        if subject is not None and subject in released_subjects:
            return False
        concerned = running_of.get(subject, set()) | (_signals_named(event) & running_named)
        return bool(concerned - released_signals)

    return held


# --- The answer --------------------------------------------------------------------------------

# Noaber's vertrouwelijkheidaanduiding on the standard's three words (it knows no more):
# up to zaakvertrouwelijk "normaal", above it "vertrouwelijk"; Noaber never says "opgeheven".
_CONFIDENTIAL = set(Confidentiality.values[Confidentiality.values.index("vertrouwelijk") :])


def _duration(months: int | None) -> str | None:
    if not months:
        return None
    return f"P{months // 12}Y" if months % 12 == 0 else f"P{months}M"


def _origin(origin: str) -> str:
    if origin == "system":
        return _("Noaber (automatisch)")
    if origin == "public":
        return _("openbaar formulier")
    return origin


def _roles(roles: str) -> str:
    names = dict(Role.choices)
    return ", ".join(str(names.get(r, r)) for r in roles.split(",") if r)


def _event_uuid(event: AuditEvent, what: str) -> str:
    return str(uuid.uuid5(EVENT_NAMESPACE, f"{what}:{event.hash}"))


def _trace_uuid(trace_id: str) -> str | None:
    return str(uuid.UUID(trace_id)) if re.fullmatch(r"[0-9a-f]{32}", trace_id or "") else None


class Answer:
    """Builds the standard's objects for one question: VerwerktObjectUitgebreid per event."""

    def __init__(self, request, municipality, question: Question):
        self.request, self.municipality, self.question = request, municipality, question
        self.activities = {a.code: a for a in ProcessingActivity.objects.all()}
        catalogue = Catalogue.objects.filter(municipality=municipality).first()
        # A municipality's OIN is 00000001 + its RSIN + 000 (Logius' OIN for gemeenten).
        self.oin = f"00000001{catalogue.rsin}000" if catalogue else None
        self.list_url = request.build_absolute_uri(request.path)
        self.register_url = request.build_absolute_uri(
            reverse("audit:register", args=[municipality.cbs_code])
        )

    def item(self, event: AuditEvent) -> dict:
        activity = self.activities.get(event.processing_activity)
        object_uuid, action_uuid = _event_uuid(event, "object"), _event_uuid(event, "actie")
        label = object_type_label(event.object_type)
        action = {
            "url": f"{self.list_url}#{action_uuid}",
            "actieId": action_uuid,
            "actieNaam": f"{label} {Action(event.action).label}"[:242],
            "handelingNaam": f"{label} {event.object_id}".strip()[:242],
            "vertrouwelijkheid": (
                "vertrouwelijk" if event.confidentiality in _CONFIDENTIAL else "normaal"
            ),
            "tijdstip": event.created_at.isoformat(),
            "tijdstipRegistratie": event.created_at.isoformat(),
            # Beyond the standard's restricted set (its document allows more properties):
            # what BIO2 8.15.01 asks of a log line. The role, never the employee's name.
            "resultaat": str(Result(event.result).label),
            "herkomst": _origin(event.origin),
            "gebruiker": _roles(event.role) or _("systeem"),
            "systeem": "Noaber",
        }
        if activity is not None:
            action.update(
                verwerkingNaam=activity.name[:242],
                verwerkingsactiviteitId=str(activity.uuid),
                verwerkingsactiviteitUrl=f"{self.register_url}#{activity.code}",
            )
        trace = _trace_uuid(event.trace_id)
        if trace:
            action["verwerkingId"] = trace
        retention = _duration(event.retention_months)
        if retention:
            action["bewaartermijn"] = retention
        if self.oin:
            action["uitvoerder"] = self.oin
        # The register's categories of personal data, one a line.
        kinds = (activity.data_categories if activity else "").splitlines()
        processed = {
            "url": f"{self.list_url}#{object_uuid}",
            "verwerktObjectId": object_uuid,
            "objecttype": "persoon",
            "soortObjectId": OBJECT_ID_LABELS[self.question.kind],
            "objectId": self.question.object_id,
            "betrokkenheid": _("betrokkene"),
            "verwerkteSoortenGegevens": [{"soortGegeven": k.strip()[:242]} for k in kinds if k],
        }
        # The action names the objects it processed (required by the document): this one.
        action["verwerkteObjecten"] = [dict(processed)]
        return {**processed, "verwerkingsactie": action}


class VerwerkteObjectenList(ZgwView):
    """GET /api/zgw/verwerkingen/v1/verwerkte-objecten: the standard's list operation."""

    scope = Scope.VERWERKINGEN_LEZEN
    api_version = VERSION
    resource = "verwerkte_objecten"

    def gate(self, request) -> None:
        """403 unless the municipality opened the endpoint and named this client; audited."""
        setting = setting_for(self.client.municipality)
        reason = None
        if setting is None or not setting.enabled:
            reason = "processing_log_off"
            detail = _("De verwerkingenlogging is voor deze gemeente niet opengesteld.")
        elif not setting.clients.filter(pk=self.client.pk).exists():
            reason = "client_not_named"
            detail = _("De privacyfunctionaris heeft deze client niet genoemd.")
        if reason is None:
            return
        record(
            Action.DENIED,
            request=request,
            municipality=self.client.municipality,
            object_type="zgw_verwerkte_objecten",
            result=Result.DENIED,
            reason=reason,
            detail={"client_id": self.client.client_id},
        )
        raise forbidden(detail).marked_audited()

    def get(self, request):
        self.gate(request)
        question = parse_question(request.query_params)
        municipality = self.client.municipality
        events, withheld = events_about(municipality, question)
        answer = Answer(request, municipality, question)
        body = page_of(
            request, len(events), lambda at, size: [answer.item(e) for e in events[at : at + size]]
        )
        record(
            Action.VIEW,
            request=request,
            municipality=municipality,
            object_type="zgw_verwerkte_objecten",
            data_subject=(question.kind, question.object_id),
            detail={
                "client_id": self.client.client_id,
                "begin": question.begin.isoformat(),
                "end": question.end.isoformat(),
                "activity": question.activity,
                "count": body["count"],
                "withheld": withheld,
            },
        )
        return Response(body)


__all__ = [
    "VerwerkteObjectenList",
    "eligible_clients",
    "events_about",
    "release_processing_log",
    "set_processing_log",
    "setting_for",
]
