"""Every change of state in the register, each audited in the same transaction."""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from noaber.accounts.models import Municipality
from noaber.audit.actions import record
from noaber.audit.models import Action
from noaber.intake.actions import anonymise_reports
from noaber.intake.actions import change_status as change_report_status
from noaber.intake.models import Report
from noaber.intake.models import Source as ReportSource
from noaber.intake.models import Status as ReportStatus
from noaber.intake.selectors import may_become_signal, report_place
from noaber.lib.dates import today
from noaber.lib.errors import ConflictError  # noqa: F401 (re-exported for the apps above)
from noaber.lib.events import records_changed
from noaber.partners.models import DataCategory
from noaber.themes.models import TermKind
from noaber.themes.terms import assignment_audit, check_assignment, due_date_for

from . import subjects as subject_rules
from .models import (
    DestructionRecord,
    Disclosure,
    DisclosureEnd,
    Outcome,
    Phase,
    PrivacyCheck,
    RetentionTerm,
    Signal,
    SignalSubject,
    SourceCheck,
    SourceType,
    Subject,
    SubjectKey,
)
from .reference import protocol, source_registers
from .signals import disclosure_recorded, retention_due

REPORT_SOURCE = {
    ReportSource.RESIDENT: SourceType.RESIDENT,
    ReportSource.ANONYMOUS: SourceType.ANONYMOUS,
    ReportSource.EMPLOYEE: SourceType.EMPLOYEE,
    ReportSource.PARTNER: SourceType.PARTNER,
    ReportSource.POLICE: SourceType.PARTNER,
    ReportSource.MMA: SourceType.MMA,
}
EDITABLE = (
    "theme",
    "phenomenon",
    "area",
    "location",
    "description",
    "municipal_task",
    "territory_ok",
    "source_grade",
    "information_grade",
    "legal_basis",
    "purpose",
    "criminal_law_data",
)


# What may be done with a signal, by phase: the signal page offers exactly these and every
# action refuses the others, so the page and the action agree (one rule for both).
OPEN_PHASES = (Phase.INTAKE, Phase.WEGING, Phase.SOURCES, Phase.PLAN)
PHASE_STEPS = {
    # The phases a signal may be moved to from its phase: only forward (the protocol's gates,
    # data in registry.json, still refuse what is not recorded yet).
    Phase.INTAKE: (Phase.SOURCES, Phase.PLAN, Phase.CLOSED),
    Phase.WEGING: (Phase.SOURCES, Phase.PLAN, Phase.CLOSED),
    Phase.SOURCES: (Phase.PLAN, Phase.CLOSED),
    Phase.PLAN: (Phase.CLOSED,),
    Phase.CLOSED: (),
}


def allowed_actions(signal: Signal) -> frozenset[str]:
    """The actions `signal`'s state allows: "edit", "subject", "weging", "sources", "phase",
    "case" (open a case with it), "check" (privacy check), "disclose" and "legal_hold"."""
    if signal.destroyed_at is not None:
        return frozenset()
    allowed = {"check", "disclose", "legal_hold"}
    if signal.phase in OPEN_PHASES:
        allowed |= {"edit", "subject", "phase", "case"}
    if signal.phase in (Phase.INTAKE, Phase.WEGING):
        allowed.add("weging")
    if signal.phase == Phase.SOURCES:
        allowed.add("sources")
    return frozenset(allowed)


NOT_ALLOWED = {
    "edit": _lazy("Een afgesloten signaal wordt niet meer bewerkt."),
    "subject": _lazy("Aan een afgesloten signaal worden geen betrokkenen meer toegevoegd."),
    "phase": _lazy("Dit signaal is afgesloten; het gaat niet terug in het proces."),
    "case": _lazy("Met een afgesloten signaal wordt geen casus meer geopend."),
    "weging": _lazy("De weging is al gedaan; dit signaal is verder in het proces."),
    "sources": _lazy("De bronnencheck hoort bij fase 3 (bronnencheck)."),
}


def require_allowed(signal: Signal, action: str) -> None:
    """Raise a Dutch ValidationError unless `signal`'s state allows `action`."""
    if action not in allowed_actions(signal):
        if signal.destroyed_at is not None:
            raise ValidationError(_("Dit signaal is geanonimiseerd; er kan niets meer mee."))
        raise ValidationError(str(NOT_ALLOWED.get(action, _("Dit kan niet in deze fase."))))


def phase_choices(signal: Signal) -> list[tuple[str, str]]:
    """The phases the phase form offers for `signal` (the same table `advance` checks)."""
    return [(p, Phase(p).label) for p in PHASE_STEPS[Phase(signal.phase)]]


def _audit(signal, request, action=Action.UPDATE, **detail):
    record(
        action,
        request=request,
        municipality=signal.municipality,
        object_type="signal",
        object_id=signal.pk,
        detail=detail,
    )


def _bump(signal: Signal, version: int, **changes) -> None:
    """Write `changes` only if nobody changed the signal since `version` was read."""
    updated = Signal.objects.filter(pk=signal.pk, version=version).update(
        version=F("version") + 1, updated_at=timezone.now(), **changes
    )
    if not updated:
        raise ConflictError(
            _(
                "Iemand anders heeft dit signaal intussen gewijzigd. Uw wijziging is niet "
                "opgeslagen; open het signaal opnieuw en voer haar opnieuw in."
            )
        )
    records_changed.send(sender=Signal, pks=[signal.pk], fields=set(changes))
    signal.refresh_from_db()


@transaction.atomic
def register_from_reports(municipality, reports, *, actor, request) -> Signal:
    """Turn one or more meldpunt reports into one signal (phase 1, intake)."""
    reports = sorted(reports, key=lambda r: r.created_at)
    if not reports or any(r.municipality_id != municipality.pk for r in reports):
        raise ValidationError(_("Kies een of meer meldingen van deze gemeente."))
    # Locked before the check: two advisors registering the same report at once make one
    # signal, the other gets the message below.
    locked = {
        r.pk: r for r in Report.objects.select_for_update().filter(pk__in=[r.pk for r in reports])
    }
    reports = [locked.get(r.pk, r) for r in reports]
    refused = [r for r in reports if not may_become_signal(r)]
    if refused:
        raise ValidationError(
            _("Melding %(n)s is al afgehandeld of al als signaal geregistreerd.")
            % {"n": refused[0].number}
        )
    first = reports[0]
    signal = Signal.objects.create(
        municipality=municipality,
        received_on=timezone.localdate(first.created_at),
        source_type=REPORT_SOURCE[first.source],
        theme=first.category.theme,
        phenomenon=first.category.name,
        # Where it happened: the first report that names an area, and every report's place.
        area=next((r.area for r in reports if r.area_id), None),
        location="\n".join(f"[{r.number}] {place}" for r in reports if (place := report_place(r))),
        description="\n\n".join(f"[{r.number}] {r.description}" for r in reports),
        assigned_to=actor,
        due_date=due_date_for(municipality, TermKind.SIGNAL, first.category.theme.code, today()),
    )
    signal.reports.set(reports)
    for report in reports:
        if report.status == ReportStatus.RECEIVED:
            change_report_status(report, ReportStatus.IN_PROGRESS, "", actor=actor, request=request)
    _audit(signal, request, Action.CREATE, reports=[r.pk for r in reports])
    return signal


@transaction.atomic
def create_signal(municipality, data: dict, *, actor, request) -> Signal:
    signal = Signal(municipality=municipality, assigned_to=actor, **data)
    # The weging is due within the theme's handling term, counted from registration.
    signal.due_date = due_date_for(municipality, TermKind.SIGNAL, signal.theme.code, today())
    signal.save()
    _audit(signal, request, Action.CREATE, source_type=signal.source_type)
    return signal


@transaction.atomic
def update_signal(signal: Signal, data: dict, version: int, *, actor, request) -> Signal:
    require_allowed(signal, "edit")
    changes = {name: data[name] for name in EDITABLE if name in data}
    # Encrypted fields must be encrypted by the field on save, not by update(): save them here.
    encrypted = {k: changes.pop(k) for k in ("location", "description") if k in changes}
    _bump(signal, version, **changes)
    if encrypted:
        for name, value in encrypted.items():
            setattr(signal, name, value)
        signal.save(update_fields=list(encrypted))
    _audit(signal, request, fields=sorted(changes) + sorted(encrypted))
    return signal


@transaction.atomic
def assign(signals, user, *, actor, request) -> int:
    for signal in signals:
        Signal.objects.filter(pk=signal.pk).update(assigned_to=user, version=F("version") + 1)
        _audit(signal, request, assigned_to=user.username if user else "")
    return len(signals)


@transaction.atomic
def assign_signal(signal: Signal, handler, due_date, reason: str, version: int, *, actor,
                  request) -> Signal:  # fmt: skip
    """Give `signal` a behandelaar (None: nobody) and a streefdatum; a changed streefdatum
    needs a reason. `version` is the signal's version the page showed (a stale page is a
    ConflictError). Audited; the signal's timeline shows the change."""
    if signal.destroyed_at is not None:
        raise ValidationError(_("Dit signaal is geanonimiseerd; er kan niets meer mee."))
    current = Signal.objects.select_for_update().get(pk=signal.pk)
    if current.phase == Phase.CLOSED:
        raise ValidationError(_("Dit signaal is afgesloten; het krijgt geen behandelaar meer."))
    if current.version != version:
        _bump(signal, version)  # raises the register's ConflictError
    check_assignment(signal.municipality, "registry.work", handler, due_date,
                     old_handler=current.assigned_to, old_due=current.due_date,
                     reason=reason)  # fmt: skip
    old = (current.assigned_to, current.due_date)
    changes = {"assigned_to": handler}
    if due_date != current.due_date:
        changes["due_date"] = due_date
    _bump(signal, version, **changes)
    if "due_date" in changes:
        signal.due_date_reason = reason.strip()
        signal.save(update_fields=["due_date_reason"])
    record(
        Action.UPDATE,
        actor=actor,
        request=request,
        municipality=signal.municipality,
        object_type="signal",
        object_id=signal.pk,
        **assignment_audit(old, handler, due_date, actor=actor),
    )
    return signal


@transaction.atomic
def record_weging(signal: Signal, outcome: str, reason: str, version: int, *, actor, request):
    require_allowed(signal, "weging")
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Kies een van de uitkomsten.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Schrijf de motivering van de weging op.")})
    closes = outcome != Outcome.FURTHER
    now = timezone.now()
    _bump(
        signal,
        version,
        outcome=outcome,
        weighed_at=now,
        phase=Phase.CLOSED if closes else Phase.WEGING,
        closed_at=now if closes else None,
    )
    signal.outcome_reason = reason.strip()
    signal.save(update_fields=["outcome_reason"])
    _audit(signal, request, outcome=outcome)


def _gate_facts(signal: Signal, phase: str) -> list[tuple[str, bool]]:
    """Each requirement of the protocol's gate into `phase`, as (what, recorded?).

    The gates are data (data/reference/registry.json, "protocol"); a key this code does not
    know is a configuration error, so data and code cannot drift apart unnoticed."""
    gate = protocol().get(phase, {})
    unknown = set(gate) - GATE_KEYS
    if unknown:
        raise ImproperlyConfigured(
            f"Protocol gate of phase {phase!r} names unknown requirements: {sorted(unknown)}"
        )
    facts = []
    if gate.get("requires_outcome"):
        label = Outcome(gate["requires_outcome"]).label
        facts.append(
            (_("weging '%(o)s'") % {"o": label}, signal.outcome == gate["requires_outcome"])
        )
    if gate.get("requires_checks"):
        # Only a check that found the further use compatible opens the gate.
        recorded = set(
            signal.privacy_checks.filter(compatible_use=True).values_list("kind", flat=True)
        )
        for check in gate["requires_checks"]:
            facts.append((_("privacytoets %(k)s") % {"k": check}, check in recorded))
    for record_kind in gate.get("requires_records", []):
        facts.append((str(RECORDS[record_kind][0]), RECORDS[record_kind][1](signal)))
    return facts


def missing_for(signal: Signal, phase: str) -> list[str]:
    """What the protocol still requires before `signal` may enter `phase` (empty: may)."""
    gate = protocol().get(phase, {})
    missing = [what for what, recorded in _gate_facts(signal, phase) if not recorded]
    if gate.get("requires_phase") and signal.phase != gate["requires_phase"]:
        missing.append(_("fase '%(p)s'") % {"p": Phase(gate["requires_phase"]).label})
    return missing


# The next phase that has a gate: its requirements are what the header says is still to do.
NEXT_GATED_PHASE = {
    Phase.INTAKE: Phase.SOURCES,
    Phase.WEGING: Phase.SOURCES,
    Phase.SOURCES: Phase.PLAN,
}


def protocol_status(signal: Signal) -> str:
    """The signal's header, from the recorded facts: its phase, what the gates into this phase
    and the next one found recorded, and what is not yet ("fase 3 bronnencheck — privacytoets
    1 vastgelegd, bronnencheck nog niet")."""
    text = _("fase %(p)s") % {"p": signal.get_phase_display()}
    if signal.phase == Phase.CLOSED:
        if signal.outcome:
            text += " — " + _("weging '%(o)s'") % {"o": signal.get_outcome_display()}
        return text
    facts = _gate_facts(signal, signal.phase)
    if signal.phase in NEXT_GATED_PHASE:
        facts += _gate_facts(signal, NEXT_GATED_PHASE[signal.phase])
    parts = [
        (_("%(what)s vastgelegd") if recorded else _("%(what)s nog niet")) % {"what": what}
        for what, recorded in facts
    ]
    return text + (" — " + ", ".join(parts) if parts else "")


def next_step(signal: Signal) -> str | None:
    """The one step the protocol asks for next — the signal page's primary button — read from
    the same gates `advance` checks: the weging, then the privacy check the gate names, then
    the records it needs (the bronnencheck), then the phase itself; in the plan phase, a case.
    None when the weging chose another way (no approach, routing) or nothing is left."""
    allowed = allowed_actions(signal)
    if signal.phase == Phase.PLAN:
        return "case" if "case" in allowed else None
    target = NEXT_GATED_PHASE.get(signal.phase)
    if target is None:
        return None
    gate = protocol().get(target, {})
    if gate.get("requires_outcome") and signal.outcome != gate["requires_outcome"]:
        return "weging" if not signal.outcome and "weging" in allowed else None
    compatible = set(
        signal.privacy_checks.filter(compatible_use=True).values_list("kind", flat=True)
    )
    if any(kind not in compatible for kind in gate.get("requires_checks", [])):
        return "check"
    if any(not RECORDS[kind][1](signal) for kind in gate.get("requires_records", [])):
        return "sources" if "sources" in allowed else None
    return "phase" if "phase" in allowed else None


@transaction.atomic
def advance(signal: Signal, phase: str, version: int, *, actor, request) -> None:
    require_allowed(signal, "phase")
    if phase not in PHASE_STEPS[Phase(signal.phase)]:
        raise ValidationError(
            {
                "phase": _("Vanuit fase '%(from)s' kan het signaal niet naar '%(to)s'.")
                % {
                    "from": signal.get_phase_display(),
                    "to": Phase(phase).label if phase in Phase.values else phase,
                }
            }
        )
    if phase == Phase.CLOSED:
        if not signal.outcome:
            # Without a weging no retention term applies: it would never be destroyed.
            raise ValidationError(
                {"phase": _("Leg eerst de weging vast; daarna kan het signaal dicht.")}
            )
        close(signal, version, actor=actor, request=request)
        return
    missing = missing_for(signal, phase)
    if missing:
        raise ValidationError(
            {
                "phase": _("Fase '%(phase)s' kan pas na: %(missing)s.")
                % {"phase": Phase(phase).label, "missing": ", ".join(missing)}
            }
        )
    _bump(signal, version, phase=phase)
    _audit(signal, request, phase=phase)


@transaction.atomic
def close(signal: Signal, version: int, *, actor, request) -> None:
    _bump(signal, version, phase=Phase.CLOSED, closed_at=timezone.now())
    _audit(signal, request, phase=Phase.CLOSED)


@transaction.atomic
def record_privacy_check(signal: Signal, kind: str, data: dict, *, actor, request) -> PrivacyCheck:
    require_allowed(signal, "check")
    if kind == PrivacyCheck.Kind.CHECK_2A and not data.get("recipient"):
        raise ValidationError(
            {"recipient": _("Privacytoets 2A geldt per interne ontvanger: noem de ontvanger.")}
        )
    check = PrivacyCheck.objects.create(signal=signal, kind=kind, decided_by=actor, **data)
    _audit(signal, request, privacy_check=kind, recipient=data.get("recipient", ""))
    return check


@transaction.atomic
def record_source_check(signal: Signal, results: dict, no_source_reason: str, *, actor,
                        request) -> SourceCheck:  # fmt: skip
    """The outcome of the bronnencheck: hit / no-hit per consulted source (`results` maps a
    source of the register's list to True or False), or why no source was consulted."""
    require_allowed(signal, "sources")
    known = source_registers()
    unknown = [name for name in results if name not in known]
    if unknown:
        raise ValidationError(_("Onbekende bron: %(s)s.") % {"s": ", ".join(unknown)})
    reason = no_source_reason.strip()
    if not results and not reason:
        raise ValidationError(
            _("Kies per geraadpleegde bron hit of no-hit, of schrijf op waarom geen bron is "
              "geraadpleegd.")
        )  # fmt: skip
    if results and reason:
        raise ValidationError(
            _("Vul óf de geraadpleegde bronnen óf de reden zonder bron in, niet allebei.")
        )
    check = SourceCheck.objects.create(
        signal=signal,
        results=[{"source": name, "hit": bool(hit)} for name, hit in results.items()],
        no_source_reason=reason,
        decided_by=actor,
    )
    # Which source gave a hit may itself be criminal-law data: the log holds counts only.
    _audit(signal, request, source_check=check.pk, sources=len(results),
           hits=sum(1 for hit in results.values() if hit))  # fmt: skip
    return check


# Records a gate can require ("requires_records"), each with its label and its test.
RECORDS = {
    "source_check": (_lazy("bronnencheck"), lambda signal: signal.source_checks.exists()),
}
GATE_KEYS = frozenset({"requires_outcome", "requires_checks", "requires_phase",
                       "requires_records"})  # fmt: skip


# --- Subjects ------------------------------------------------------------------------------


@dataclass
class MatchResult:
    hit: bool
    exact: list = field(default_factory=list)
    fuzzy: list = field(default_factory=list)


def find_matches(
    municipality, kind: str, data: dict, *, actor, request, purpose: str = ""
) -> MatchResult:
    """Hit / no-hit first: which existing subjects share a key with the entered data.
    `purpose`: why the user checks (the search page's free-standing check asks for it)."""
    keys = subject_rules.keys_for(kind, data)
    found = SubjectKey.objects.filter(
        municipality_id_copy=municipality.pk, digest__in=[d for _k, d in keys]
    ).values_list("subject_id", "kind")
    exact, fuzzy = set(), set()
    for subject_id, key_kind in found:
        (fuzzy if key_kind == "name_sound" else exact).add(subject_id)
    fuzzy -= exact
    record(
        Action.VIEW,
        request=request,
        municipality=municipality,
        object_type="subject_match",
        reason="hit_no_hit",
        # The keys checked (keyed digests, never the term): a supervisor who computes the
        # digest of a name or BSN can tell whether and when it was checked.
        detail={"kind": kind, "hit": bool(exact or fuzzy), "keys": sorted(d for _k, d in keys)}
        | ({"purpose": purpose} if purpose else {}),
    )
    return MatchResult(bool(exact or fuzzy), sorted(exact), sorted(fuzzy))


def store_subject_keys(subject: Subject, data: dict) -> None:
    """(Re)write a subject's blind-index keys from its cleaned data."""
    SubjectKey.objects.filter(subject=subject).delete()
    SubjectKey.objects.bulk_create(
        SubjectKey(subject=subject, municipality_id_copy=subject.municipality_id, kind=k, digest=d)
        for k, d in subject_rules.keys_for(subject.kind, data)
    )


@transaction.atomic
def add_subject(signal: Signal, kind: str, data: dict, role: str, *, actor, request) -> Subject:
    """A new subject from cleaned data (subjects.clean_subject), linked to the signal."""
    require_allowed(signal, "subject")
    subject = Subject.objects.create(
        municipality=signal.municipality,
        kind=kind,
        **{k: v for k, v in data.items() if k in {f.name for f in Subject._meta.fields}},
    )
    store_subject_keys(subject, data)
    SignalSubject.objects.create(signal=signal, subject=subject, role=role)
    record(
        Action.CREATE,
        request=request,
        municipality=signal.municipality,
        object_type="subject",
        object_id=subject.pk,
        data_subject=subject.data_subject(),
        detail={"kind": kind, "signal": signal.pk},
    )
    return subject


@transaction.atomic
def link_subject(signal: Signal, subject: Subject, role: str, *, actor, request) -> None:
    require_allowed(signal, "subject")
    if subject.municipality_id != signal.municipality_id:
        raise ValidationError(_("Deze betrokkene hoort bij een andere gemeente."))
    SignalSubject.objects.get_or_create(signal=signal, subject=subject, defaults={"role": role})
    record(
        Action.UPDATE,
        request=request,
        municipality=signal.municipality,
        object_type="subject",
        object_id=subject.pk,
        data_subject=subject.data_subject(),
        detail={"linked_to_signal": signal.pk},
    )


# --- Disclosures ---------------------------------------------------------------------------


def check_sharing(recipient, municipality, agreement, basis: str, categories, on) -> None:
    """Raise a Dutch ValidationError unless sharing `categories` with `recipient` for
    `municipality` rests on a legal basis or on an agreement that covers the recipient, the
    municipality and the categories and is valid on `on` and today. Used by disclosures from
    the register and by sharing a case with a partner."""
    today = timezone.localdate()
    if on > today:
        raise ValidationError(_("De datum van het besluit ligt in de toekomst."))
    if not recipient.municipalities.filter(pk=municipality.pk).exists():
        raise ValidationError(
            _("%(o)s werkt niet voor deze gemeente; verstrekken kan hier niet.") % {"o": recipient}
        )
    if agreement is None and not basis:
        raise ValidationError(
            _("Een verstrekking heeft een convenant of een wettelijke grondslag nodig.")
        )
    if agreement is None:
        return
    if not agreement.organisations.filter(pk=recipient.pk).exists():
        raise ValidationError(
            _("Convenant '%(a)s' geldt niet voor %(o)s.") % {"a": agreement, "o": recipient}
        )
    if not agreement.municipalities.filter(pk=municipality.pk).exists():
        raise ValidationError(
            _("Convenant '%(a)s' geldt niet voor deze gemeente.") % {"a": agreement}
        )
    # Valid on the day of the decision and still valid now: an expired agreement blocks.
    for day in (on, today):
        if not agreement.valid_on(day):
            raise ValidationError(
                _("Convenant '%(a)s' is op %(d)s niet geldig (verlopen of nog niet ingegaan).")
                % {"a": agreement, "d": day.strftime("%d-%m-%Y")}
            )
    outside = [c for c in categories if c not in agreement.data_categories]
    if outside and not basis:
        labels = dict(DataCategory.choices)
        raise ValidationError(
            _("Convenant '%(a)s' dekt deze gegevens niet: %(c)s.")
            % {"a": agreement, "c": ", ".join(str(labels.get(c, c)) for c in outside)}
        )


@transaction.atomic
def disclose(signal: Signal, data: dict, *, actor, request, announce: bool = True) -> Disclosure:
    """Record a verstrekking; refused without a valid agreement or legal basis. With
    `announce`, apps above the register hear of it (`signals.disclosure_recorded`: the cases
    built on the signal note it on their timeline); a caller that notes it itself (sharing a
    case) passes False."""
    require_allowed(signal, "disclose")
    recipient, agreement = data["recipient"], data.get("agreement")
    categories = sorted(set(data["data_categories"]))
    on = data.get("decided_on") or timezone.localdate()
    basis = (data.get("legal_basis") or "").strip()
    check_sharing(recipient, signal.municipality, agreement, basis, categories, on)
    disclosure = Disclosure.objects.create(
        signal=signal,
        recipient=recipient,
        agreement=agreement,
        legal_basis=basis,
        purpose=data["purpose"],
        data_categories=categories,
        shared=data["shared"],
        decided_by=data.get("decided_by") or actor,
        decided_on=on,
    )
    record(
        Action.SHARE,
        request=request,
        municipality=signal.municipality,
        object_type="signal",
        object_id=signal.pk,
        reason=data["purpose"][:200],
        detail={
            "disclosure": disclosure.pk,
            "recipient": recipient.name,
            "agreement": agreement.name if agreement else "",
            "categories": categories,
        },
    )
    if announce:
        disclosure_recorded.send(
            sender=Disclosure, disclosure=disclosure, actor=actor, request=request
        )
    return disclosure


@transaction.atomic
def end_disclosures(disclosures, reason: str, *, actor, request, keep_until=None) -> list:
    """Ledger lines saying that the recipient's use of these disclosures ended (or, with
    `keep_until`, that it was kept open until that date, for the stated reason)."""
    if not reason.strip():
        raise ValidationError(_("Noem de reden."))
    kind = DisclosureEnd.Kind.KEPT if keep_until else DisclosureEnd.Kind.ENDED
    lines = [
        DisclosureEnd.objects.create(
            disclosure=disclosure,
            kind=kind,
            reason=reason.strip()[:300],
            until=keep_until,
            decided_by=actor,
        )
        for disclosure in disclosures
    ]
    for line in lines:
        record(
            Action.UPDATE,
            actor=actor,
            request=request,
            municipality=line.disclosure.signal.municipality,
            object_type="signal",
            object_id=line.disclosure.signal_id,
            # The reason is free text, kept encrypted in the ledger; the append-only audit
            # log names the ledger line instead of copying it.
            reason=f"disclosure_{kind}",
            detail={"disclosure": line.disclosure_id, "ledger_line": line.pk, "until": keep_until},
        )
    return lines


# --- Retention -----------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    import calendar

    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass
class RetentionReport:
    due: list = field(default_factory=list)
    held: list = field(default_factory=list)
    done: int = 0


def apply_retention(
    *, today: date | None = None, dry_run: bool = False, only=None, batch_size: int = 1000
) -> RetentionReport:
    """Delete or anonymise closed signals whose term has passed; never those on legal hold.

    Each outcome's term selects its expired signals in the database (closed on or before
    today minus the term); they are destroyed in batches, each batch one transaction with its
    destruction-register rows and one audit event listing the signal numbers.
    """
    today = today or timezone.localdate()
    report = RetentionReport()
    for term in RetentionTerm.objects.all():
        expired = Signal.objects.filter(
            phase=Phase.CLOSED,
            outcome=term.outcome,
            destroyed_at__isnull=True,
            closed_at__date__lte=add_months(today, -term.months),
        )
        if only is not None:
            expired = expired.filter(pk__in=only)
        report.held += list(expired.filter(legal_hold=True).values_list("pk", flat=True))
        due = list(
            expired.filter(legal_hold=False).values_list("pk", "municipality_id", "closed_at")
        )
        report.due += [pk for pk, _m, _c in due]
        if dry_run:
            continue
        for i in range(0, len(due), batch_size):
            _destroy_batch(term, due[i : i + batch_size])
            report.done += len(due[i : i + batch_size])
    return report


@transaction.atomic
def _destroy_batch(term: RetentionTerm, rows) -> None:
    # Re-read under lock: a legal hold set since the selection wins.
    still = set(
        Signal.objects.select_for_update()
        .filter(pk__in=[pk for pk, _m, _c in rows], legal_hold=False, destroyed_at__isnull=True)
        .values_list("pk", flat=True)
    )
    rows = [row for row in rows if row[0] in still]
    if not rows:
        return
    ids = [pk for pk, _m, _c in rows]
    subject_ids = set(
        SignalSubject.objects.filter(signal_id__in=ids).values_list("subject_id", flat=True)
    )
    SignalSubject.objects.filter(signal_id__in=ids).delete()
    PrivacyCheck.objects.filter(signal_id__in=ids).delete()
    SourceCheck.objects.filter(signal_id__in=ids).delete()
    # The disclosure ledger outlives the content: such signals are anonymised, not deleted.
    ledger = set(Disclosure.objects.filter(signal_id__in=ids).values_list("signal_id", flat=True))
    Disclosure.objects.filter(signal_id__in=ids).update(shared="")
    keep = ledger if term.then == RetentionTerm.Then.DELETE else set(ids)
    Signal.objects.filter(pk__in=keep).update(
        description="",
        location="",
        outcome_reason="",
        phenomenon="",
        purpose="",
        legal_basis="",
        municipal_task="",
        assigned_to=None,
        destroyed_at=timezone.now(),
    )
    records_changed.send(sender=Signal, pks=sorted(keep), fields={"destroyed_at"})
    _anonymise_reports(ids)
    Signal.reports.through.objects.filter(signal_id__in=ids).delete()
    Signal.objects.filter(pk__in=set(ids) - keep).delete()
    Subject.objects.filter(pk__in=subject_ids, links__isnull=True).delete()
    DestructionRecord.objects.bulk_create(
        DestructionRecord(
            municipality_id=municipality_id,
            record_type="signal",
            record_number=f"S-{pk}",
            action="anonymise" if pk in keep else "delete",
            outcome=term.outcome,
            closed_on=timezone.localdate(closed_at),
            term_months=term.months,
        )
        for pk, municipality_id, closed_at in rows
    )
    for municipality_id in sorted({m for _pk, m, _c in rows}):
        numbers = [f"S-{pk}" for pk, m, _c in rows if m == municipality_id]
        record(
            Action.DELETE,
            origin="system",
            municipality=Municipality.objects.get(pk=municipality_id),
            object_type="signal",
            object_id=f"{len(numbers)} signalen",
            reason="retention",
            detail={"then": term.then, "months": term.months, "signals": numbers},
        )


def record_destruction(
    municipality,
    *,
    record_type: str,
    number: str,
    action: str,
    outcome: str = "",
    closed_on=None,
    term_months: int = 0,
):
    """A row in the destruction register for a record of another app (e.g. a case): what
    kind, which number, what was done, when — never its content. Call it in the transaction
    that destroys the record."""
    return DestructionRecord.objects.create(
        municipality=municipality,
        record_type=record_type,
        record_number=number,
        action=action,
        outcome=outcome,
        closed_on=closed_on,
        term_months=term_months,
    )


def run_retention(*, today: date | None = None, dry_run: bool = False) -> tuple:
    """The whole retention run: the register's signals, then every app that subscribed to
    `signals.retention_due` (casusregie's approved destruction lists). Returns the signal
    report and the subscribers' reports (each a dict with at least "kind", "done" and
    "skipped": [(number, reason)])."""
    report = apply_retention(today=today, dry_run=dry_run)
    others = [
        answer
        for _receiver, answer in retention_due.send(
            sender=RetentionTerm, today=today, dry_run=dry_run
        )  # fmt: skip
        if answer
    ]
    return report, others


def _anonymise_reports(signal_ids) -> None:
    """The meldpunt reports a destroyed signal came from lose their content too, unless another
    live signal still uses them: text, contact details, messages, attachments and receipt."""
    through = Signal.reports.through.objects
    report_ids = set(through.filter(signal_id__in=signal_ids).values_list("report_id", flat=True))
    still_used = set(
        through.filter(report_id__in=report_ids, signal__destroyed_at__isnull=True)
        .exclude(signal_id__in=signal_ids)
        .values_list("report_id", flat=True)
    )
    anonymise_reports(report_ids - still_used)


@transaction.atomic
def set_legal_hold(signal: Signal, hold: bool, reason: str, *, actor, request) -> None:
    require_allowed(signal, "legal_hold")
    if hold and not reason.strip():
        raise ValidationError({"reason": _("Noem de reden van de bewaarplicht.")})
    Signal.objects.filter(pk=signal.pk).update(
        legal_hold=hold, legal_hold_reason=reason.strip() if hold else "", version=F("version") + 1
    )
    _audit(signal, request, legal_hold=hold)


# --- Data-subject rights: rectification and erasure (privacy officer) -------------------------


@transaction.atomic
def rectify_subject(subject: Subject, data: dict, reason: str, *, actor, request) -> None:
    """Correct a subject's data (cleaned by subjects.clean_subject); the reason is audited."""
    if not reason.strip():
        raise ValidationError(_("Noem de reden van de correctie (bijvoorbeeld het verzoek)."))
    changed = []
    for name in (
        "label",
        "birth_date",
        "bsn",
        "postcode",
        "house_number",
        "house_number_addition",
        "bag_id",
        "kvk",
        "kenteken",
    ):
        value = data.get(name, "" if name != "house_number" else None)
        if getattr(subject, name) != value:
            setattr(subject, name, value)
            changed.append(name)
    subject.save()
    store_subject_keys(subject, data)
    record(
        Action.UPDATE,
        actor=actor,
        request=request,
        municipality=subject.municipality,
        object_type="subject",
        object_id=subject.pk,
        data_subject=subject.data_subject(),
        reason=reason.strip(),
        detail={"rectified": changed},
    )


@transaction.atomic
def erase_subject(subject: Subject, reason: str, *, actor, request) -> None:
    """Erase a subject (art. 17 AVG): its data, keys and links; the signals stay."""
    if not reason.strip():
        raise ValidationError(_("Noem de reden van het wissen (bijvoorbeeld het verzoek)."))
    if subject.links.filter(signal__legal_hold=True).exists():
        raise ValidationError(
            _("Deze betrokkene hoort bij een signaal met bewaarplicht en kan niet worden gewist.")
        )
    municipality, number, who = subject.municipality, str(subject), subject.data_subject()
    subject.delete()
    DestructionRecord.objects.create(
        municipality=municipality,
        record_type="subject",
        record_number=number,
        action="erase",
        term_months=0,
        closed_on=None,
    )
    record(
        Action.DELETE,
        actor=actor,
        request=request,
        municipality=municipality,
        object_type="subject",
        object_id=number,
        reason=reason.strip(),
        data_subject=who,
    )


@transaction.atomic
def update_retention_term(term: RetentionTerm, data: dict, *, actor, request) -> None:
    """Terms hold for the whole installation: every municipality's audit log gets the change."""
    old = (term.months, term.then)
    term.months, term.then, term.note = data["months"], data["then"], data["note"]
    term.save(update_fields=["months", "then", "note"])
    for municipality in Municipality.objects.all():
        record(
            Action.UPDATE,
            actor=actor,
            request=request,
            municipality=municipality,
            object_type="retention_term",
            object_id=term.outcome,
            detail={"from": list(old), "to": [term.months, term.then]},
        )
