"""Every change of state of a case: audited, and written to the case's timeline."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from noaber.accounts.models import Organisation, User
from noaber.audit.actions import record
from noaber.audit.models import Action
from noaber.intake.models import Report
from noaber.intake.models import Status as ReportStatus
from noaber.lib.dates import today
from noaber.lib.errors import ConflictError
from noaber.lib.events import records_changed
from noaber.registry import actions as registry_actions
from noaber.themes.models import TermKind
from noaber.themes.terms import assignment_audit, check_assignment, due_date_for

from . import steps
from .archiving import ARCHIVE_FIELDS_OPEN, archive_fields_on_closing
from .location import check_location
from .models import CLOSED, Case, Intervention, Task, Team, TimelineEntry
from .signals import case_closed


def log_on_timeline(case, kind, text, *, actor, request, action=Action.UPDATE,
                    partner=None, reason="", **detail) -> TimelineEntry:  # fmt: skip
    """An entry on the case's timeline and its audit event; for the actions of apps above
    `cases` (sharing with partners, the partner portal) as well as this module's own. An
    entry with a `partner` (organisation) is that partner's: of the partners only it sees the
    entry. Call it in a transaction."""
    entry = TimelineEntry.objects.create(
        case=case, kind=kind, text=text, actor=actor, organisation=partner
    )
    record(
        action,
        actor=actor,
        request=request,
        municipality=case.municipality,
        object_type="case",
        object_id=case.pk,
        reason=reason,
        detail={"timeline": entry.pk, "kind": kind} | detail,
    )
    return entry


def note_disclosure(sender, *, disclosure, actor, request, **kwargs) -> None:
    """On `registry.signals.disclosure_recorded`: every case built on the signal shows the
    verstrekking on its timeline."""
    categories = ", ".join(disclosure.data_category_labels)
    text = f"{disclosure.recipient.name}: {disclosure.purpose} ({categories})"
    for case in disclosure.signal.cases.all():
        log_on_timeline(case, TimelineEntry.Kind.DISCLOSURE, text, actor=actor, request=request,
                        disclosure=disclosure.pk)  # fmt: skip


def _log(case, kind, text, actor, request, action=Action.UPDATE, **detail):
    return log_on_timeline(case, kind, text, actor=actor, request=request, action=action,
                           **detail)  # fmt: skip


def _bump(case: Case, version: int, **changes) -> None:
    if not Case.objects.filter(pk=case.pk, version=version).update(
        version=F("version") + 1, **changes
    ):
        raise ConflictError(
            _("Iemand anders heeft deze casus intussen gewijzigd. Open haar opnieuw.")
        )
    records_changed.send(sender=Case, pks=[case.pk], fields=set(changes))
    case.refresh_from_db()


def ensure_open(case: Case) -> None:
    """Refuse any change to a closed case (reopen it first, with a reason)."""
    if case.is_closed:
        raise ValidationError(
            _("Deze casus is afgesloten. Heropen haar eerst, met een reden, om iets te wijzigen.")
        )


def _require(case: Case, step: str, version: int | None = None) -> None:
    """Refuse `step` when the case's state does not allow it (cases.steps: the same rule the
    case page offers its steps by), or when the page it was asked from is stale: `version` is
    the case's version the page showed (None: no check)."""
    if (
        version is not None
        and Case.objects.filter(pk=case.pk).values_list("version", flat=True).first() != version
    ):
        raise ConflictError(
            _("Iemand anders heeft deze casus intussen gewijzigd. Open haar opnieuw.")
        )
    why = steps.refusal(case, step)
    if why:
        raise ValidationError(why)


@transaction.atomic
def open_case(municipality, case_type, title, *, actor, request, signals=(), subjects=()):
    if not title.strip():
        raise ValidationError(_("Geef de casus een titel."))
    for item in [*signals, *subjects]:
        if item.municipality_id != municipality.pk:
            raise ValidationError(_("Signalen en betrokkenen moeten van deze gemeente zijn."))
    for signal in signals:
        # The register's rule, the same one its page offers "Open casus" by.
        registry_actions.require_allowed(signal, "case")
    case = Case.objects.create(
        municipality=municipality,
        case_type=case_type,
        title=title.strip(),
        status=case_type.first_status,
        owner=actor,
        # Due within the term of the theme of its first signal (or the default term).
        due_date=due_date_for(
            municipality, TermKind.CASE, signals[0].theme.code if signals else "", today()
        ),
    )
    case.signals.set(signals)
    # Without an explicit choice the case takes the subjects of its signals.
    if not subjects and signals:
        from noaber.registry.models import Subject

        subjects = list(Subject.objects.filter(links__signal__in=signals).distinct())
    case.subjects.set(subjects)
    _log(case, TimelineEntry.Kind.STATUS, case_type.status_label(case.status), actor, request,
         Action.CREATE, signals=[s.pk for s in signals])  # fmt: skip
    return case


@transaction.atomic
def assign_case(case: Case, handler, due_date, reason: str, version: int, *, actor,
                request) -> Case:  # fmt: skip
    """Give `case` another behandelaar (its regisseur: a case always has one) and/or another
    streefdatum; a changed streefdatum needs a reason. `version` is the case's version the
    page showed. On the timeline and audited."""
    ensure_open(case)
    current = Case.objects.select_for_update().select_related("owner").get(pk=case.pk)
    if current.version != version:
        raise ConflictError(
            _("Iemand anders heeft deze casus intussen gewijzigd. Open haar opnieuw.")
        )
    if handler is None:
        raise ValidationError({"handler": _("Een casus heeft altijd een regisseur; kies er een.")})
    check_assignment(
        case.municipality, "cases.work", handler, due_date,
        old_handler=current.owner, old_due=current.due_date, reason=reason,
    )  # fmt: skip
    old = (current.owner, current.due_date)
    changes = {"owner": handler}
    if due_date != current.due_date:
        changes["due_date"] = due_date
    _bump(case, version, **changes)
    lines = []
    if handler != old[0]:
        lines.append(_("Regisseur: %(who)s") % {"who": handler.display_name})
    if "due_date" in changes:
        case.due_date_reason = reason.strip()
        case.save(update_fields=["due_date_reason"])
        shown = due_date.strftime("%d-%m-%Y") if due_date else _("geen")
        lines.append(_("Streefdatum: %(d)s — %(r)s") % {"d": shown, "r": reason.strip()})
    audit = assignment_audit(old, handler, due_date, actor=actor)
    log_on_timeline(case, TimelineEntry.Kind.ASSIGN, "\n".join(lines), actor=actor,
                    request=request, reason=audit["reason"], **audit["detail"])  # fmt: skip
    return case


@transaction.atomic
def change_status(case: Case, new: str, version: int, *, actor, request) -> None:
    _require(case, steps.STATUS, version)
    if not case.case_type.allows(case.status, new):
        raise ValidationError(
            {
                "status": _("Van '%(old)s' naar '%(new)s' mag niet bij een %(type)s.")
                % {
                    "old": case.case_type.status_label(case.status),
                    "new": case.case_type.status_label(new),
                    "type": case.case_type.name,
                }
            }
        )
    old = case.status
    _bump(case, version, status=new)
    _log(case, TimelineEntry.Kind.STATUS, case.case_type.status_label(new), actor, request,
         status=[old, new])  # fmt: skip


@transaction.atomic
def add_note(case: Case, text: str, *, actor, request, corrects=None,
             version: int | None = None) -> TimelineEntry:  # fmt: skip
    _require(case, steps.NOTE, version)
    if not text.strip():
        raise ValidationError({"text": _("Een notitie mag niet leeg zijn.")})
    if corrects is not None and corrects.case_id != case.pk:
        raise ValidationError({"corrects": _("Die notitie hoort bij een andere casus.")})
    entry = TimelineEntry.objects.create(
        case=case, kind=TimelineEntry.Kind.NOTE, text=text.strip(), actor=actor, corrects=corrects
    )
    record(
        Action.UPDATE,
        actor=actor,
        request=request,
        municipality=case.municipality,
        object_type="case",
        object_id=case.pk,
        detail={"timeline": entry.pk, "kind": "note"},
    )
    return entry


@transaction.atomic
def add_intervention(case: Case, kind, decided_on: date, decided_by: str, follow_up: str, *,
                     actor, request, version: int | None = None) -> Intervention:  # fmt: skip
    _require(case, steps.INTERVENTION, version)
    if decided_on > timezone.localdate():
        raise ValidationError(
            {"decided_on": _("De besluitdatum ligt in de toekomst: leg een genomen besluit vast.")}
        )
    if not decided_by.strip():
        raise ValidationError({"decided_by": _("Noem wie de interventie besloot.")})
    item = Intervention.objects.create(
        case=case, kind=kind, decided_on=decided_on, decided_by=decided_by, follow_up=follow_up
    )
    _log(case, TimelineEntry.Kind.INTERVENTION, f"{kind.name} ({kind.legal_basis})", actor,
         request, intervention=item.pk)  # fmt: skip
    return item


@transaction.atomic
def save_team(municipality, *, name: str, members, active: bool = True, team: Team | None = None,
              request) -> Team:  # fmt: skip
    """Create (`team` None) or change a team of the municipality; audited with what changed.
    Members must serve the municipality in a role that sees tasks (checked by the form)."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Geef het team een naam.")})
    taken = Team.objects.filter(municipality=municipality, name__iexact=name)
    if team is not None:
        taken = taken.exclude(pk=team.pk)
    if taken.exists():
        raise ValidationError({"name": _("Deze gemeente heeft al een team met die naam.")})
    created = team is None
    if created:
        team = Team.objects.create(municipality=municipality, name=name, active=active)
        before = set()
    else:
        team = Team.objects.select_for_update().get(pk=team.pk, municipality=municipality)
        before = set(team.members.values_list("pk", flat=True))
        team.name, team.active = name, active
        team.save(update_fields=["name", "active"])
    after = {u.pk for u in members}
    team.members.set(after)
    record(
        Action.CREATE if created else Action.UPDATE,
        request=request,
        municipality=municipality,
        object_type="team",
        object_id=team.pk,
        detail={
            "name": name,
            "active": active,
            "members_added": sorted(after - before),
            "members_removed": sorted(before - after),
        },
    )
    return team


@transaction.atomic
def add_task(case: Case, title: str, due_date: date, *, actor, request, user=None,
             organisation=None, agreement=None, team=None, location: dict | None = None,
             version: int | None = None) -> Task:  # fmt: skip
    """A task for a user, a team of the municipality, an organisation, or a chain partner
    under a valid agreement — exactly one owner. `location`: the task's optional location
    (noaber.cases.location, keyed as the Task's location_* fields)."""
    _require(case, steps.TASK, version)
    if not title.strip():
        raise ValidationError({"title": _("Omschrijf de taak.")})
    if due_date < timezone.localdate():
        raise ValidationError({"due_date": _("De uiterste datum ligt in het verleden.")})
    if sum(owner is not None for owner in (user, organisation, team)) != 1:
        raise ValidationError(
            {"user": _("Kies één eigenaar: een medewerker, een team of een organisatie.")}
        )
    if team is not None and (team.municipality_id != case.municipality_id or not team.active):
        raise ValidationError({"team": _("Kies een actief team van deze gemeente.")})
    location = check_location(case.municipality, location or {})
    if organisation is not None and organisation.is_partner:
        today = timezone.localdate()
        valid = (
            agreement is not None
            and agreement.organisations.filter(pk=organisation.pk).exists()
            and agreement.municipalities.filter(pk=case.municipality_id).exists()
            and agreement.valid_on(today)
        )
        if not valid:
            raise ValidationError(
                {
                    "agreement": _(
                        "Een taak voor %(o)s vraagt een geldig convenant met die partner voor "
                        "deze gemeente."
                    )
                    % {"o": organisation}
                }
            )
    task = Task.objects.create(case=case, title=title.strip(), due_date=due_date, owner_user=user,
                               owner_organisation=organisation, owner_team=team,
                               agreement=agreement, **location)  # fmt: skip
    _log(case, TimelineEntry.Kind.TASK, f"{task.title} — {task.owner_label}", actor, request,
         task=task.pk)  # fmt: skip
    return task


@transaction.atomic
def complete_task(task: Task, result: str, *, actor, request, version: int | None = None) -> None:
    task = Task.objects.select_for_update().select_related("case__case_type").get(pk=task.pk)
    ensure_open(task.case)
    if task.withdrawn_at:
        raise ValidationError(_("Deze taak is vervallen."))
    if task.completed_at:
        raise ValidationError(_("Deze taak is al afgerond."))
    _require(task.case, steps.COMPLETE, version)
    if not result.strip():
        raise ValidationError({"result": _("Noteer het resultaat van de taak.")})
    task.completed_at, task.result = timezone.now(), result.strip()
    task.save(update_fields=["completed_at", "result"])
    _log(task.case, TimelineEntry.Kind.TASK, _("Afgerond: %(t)s") % {"t": task.title}, actor,
         request, task=task.pk, completed=True)  # fmt: skip


@transaction.atomic
def withdraw_partner_tasks(case: Case, reason: str, *, actor, request, organisation=None) -> int:
    """The open tasks of chain partners in `case` (of one `organisation`, or of all) lapse:
    the partner no longer sees or completes them. Each is on the timeline."""
    tasks = Task.objects.filter(
        owner_organisation__isnull=False, owner_organisation__kind__in=Organisation.PARTNER_KINDS
    )
    if organisation is not None:
        tasks = tasks.filter(owner_organisation=organisation)
    return _withdraw(case, tasks, reason, actor=actor, request=request)


def _withdraw(case: Case, tasks, reason: str, *, actor, request) -> int:
    tasks = list(
        tasks.select_for_update(of=("self",))
        .filter(case=case, completed_at__isnull=True, withdrawn_at__isnull=True)
        .select_related("owner_user", "owner_organisation")
    )
    now = timezone.now()
    for task in tasks:
        task.withdrawn_at, task.withdrawn_reason = now, reason[:200]
        task.save(update_fields=["withdrawn_at", "withdrawn_reason"])
        _log(case, TimelineEntry.Kind.TASK, _("Vervallen: %(t)s — %(o)s (%(r)s)")
             % {"t": task.title, "o": task.owner_label, "r": reason}, actor, request,
             task=task.pk, withdrawn=True)  # fmt: skip
    return len(tasks)


@transaction.atomic
def close_case(case: Case, result, text: str, version: int, *, actor, request,
               public_text: str = "", keep_shares=None,
               withdraw_open_tasks: bool = False) -> None:  # fmt: skip
    """Close with a result and a text; sets the ZGW archive fields from the result (nominatie,
    archiefactiedatum = today + the result's term); tells the reporters (with `public_text`,
    or a default text) and puts it in their report's history.

    Only from a status the case type allows closing from (cases.steps). Open tasks block the
    closing unless the advisor lets them lapse explicitly (`withdraw_open_tasks`): a case is
    not closed with work still running by accident.

    Closing serves the purpose of the case's shares with partners: the partners app ends them
    on `case_closed`, except those in `keep_shares` ({share_pk: (until_date, reason)}). If it
    refuses (a share kept open without a reason or a date), nothing of the closing is kept."""
    _require(case, steps.CLOSE, version)
    if result is None or result.case_type_id != case.case_type_id:
        raise ValidationError({"result": _("Kies een resultaat dat bij dit zaaktype hoort.")})
    if not text.strip():
        raise ValidationError({"text": _("Schrijf een afsluittekst.")})
    still_open = steps.open_tasks(case).count()
    if still_open and not withdraw_open_tasks:
        raise ValidationError(
            {
                "withdraw_tasks": ngettext(
                    "Er staat nog %(n)d open taak. Rond haar eerst af, of laat haar hier "
                    "vervallen.",
                    "Er staan nog %(n)d open taken. Rond ze eerst af, of laat ze hier vervallen.",
                    still_open,
                )
                % {"n": still_open}
            }
        )
    _bump(case, version, status=CLOSED, result=result, closed_at=timezone.now(),
          **archive_fields_on_closing(result, timezone.localdate()))  # fmt: skip
    case.closing_text = text.strip()
    case.save(update_fields=["closing_text"])
    _log(case, TimelineEntry.Kind.CLOSING, f"{result.name}: {text.strip()}", actor, request,
         result=result.code)  # fmt: skip
    message = public_text.strip() or _(
        "Uw melding is afgehandeld. Dank u wel: uw melding heeft bijgedragen aan de aanpak."
    )
    from noaber.intake.actions import change_status as report_status

    reports = Report.objects.filter(signals__cases=case).exclude(status=ReportStatus.CLOSED)
    for report in reports.distinct():
        report_status(report, ReportStatus.CLOSED, message, actor=actor, request=request)
    # The advisor chose to let the open tasks lapse (reopening does not revive them; the
    # advisor gives new ones).
    _withdraw(case, Task.objects.all(), _("casus afgesloten"), actor=actor, request=request)
    case_closed.send(sender=Case, case=case, keep_shares=dict(keep_shares or {}), actor=actor,
                     request=request)  # fmt: skip


@transaction.atomic
def reopen_case(case: Case, reason: str, version: int, *, actor, request,
                public_text: str = "") -> None:  # fmt: skip
    """Reopen with a reason. Shares that closing ended stay ended (their end is in the
    ledger); the advisor shares anew where a partner is needed again. The archive fields are
    cleared; a case already transferred to the archive repository cannot be reopened.

    The reporters whose reports closing settled read that their report is handled again
    (`public_text`, or a default text), in their report's history too; closing the case again
    settles them again with that closing's text."""
    _require(case, steps.REOPEN, version)
    if not reason.strip():
        raise ValidationError({"reason": _("Noem de reden om de casus te heropenen.")})
    # The archive fields follow the result: they are set again when the case is closed again
    # (a transfer package made of it before is void; the timeline says so).
    _bump(case, version, status=case.case_type.reopen_status, result=None, closed_at=None,
          **ARCHIVE_FIELDS_OPEN)  # fmt: skip
    _log(case, TimelineEntry.Kind.STATUS, _("Heropend: %(r)s") % {"r": reason.strip()}, actor,
         request, reopened=True)  # fmt: skip
    message = public_text.strip() or _(
        "Uw melding wordt opnieuw behandeld. U hoort het als de gemeente klaar is."
    )
    from noaber.intake.actions import change_status as report_status

    reports = Report.objects.filter(signals__cases=case, status=ReportStatus.CLOSED)
    for report in reports.distinct():
        report_status(report, ReportStatus.IN_PROGRESS, message, actor=actor, request=request)


def workload(municipality):
    """Open cases and open tasks per case owner, and open tasks per organisation."""
    open_cases = Case.objects.filter(municipality=municipality).exclude(status=CLOSED)
    per_owner = open_cases.values("owner__username").annotate(
        cases=Count("pk", distinct=True),
        tasks=Count(
            "tasks",
            filter=Q(tasks__completed_at__isnull=True, tasks__withdrawn_at__isnull=True),
            distinct=True,
        ),
    )
    per_organisation = (
        Task.objects.filter(
            case__municipality=municipality,
            completed_at__isnull=True,
            withdrawn_at__isnull=True,
            owner_organisation__isnull=False,
        )  # fmt: skip
        .values("owner_organisation__name")
        .annotate(tasks=Count("pk"))
    )
    per_owner = list(per_owner.order_by("owner__username"))
    owners = User.objects.in_bulk(
        [row["owner__username"] for row in per_owner], field_name="username"
    )
    for row in per_owner:
        row["owner"] = owners[row["owner__username"]].display_name
    return per_owner, list(per_organisation.order_by("owner_organisation__name"))


# --- Meetings ------------------------------------------------------------------------------


@transaction.atomic
def plan_meeting(municipality, kind, held_on, *, actor, request, attendees=(), partners=()):
    from .models import Meeting

    meeting = Meeting.objects.create(municipality=municipality, kind=kind, held_on=held_on)
    meeting.attendees.set(attendees)
    meeting.partners.set(partners)
    record(Action.CREATE, actor=actor, request=request, municipality=municipality,
           object_type="meeting", object_id=meeting.pk, detail={"kind": kind})  # fmt: skip
    return meeting


@transaction.atomic
def add_agenda_item(meeting, case: Case, *, actor, request, shared_with=()):
    """Put a case on the agenda; share it only with partners present at the meeting."""
    from .models import AgendaItem

    if case.municipality_id != meeting.municipality_id:
        raise ValidationError(_("Deze casus hoort niet bij de gemeente van dit overleg."))
    present = set(meeting.partners.values_list("pk", flat=True))
    if any(org.pk not in present for org in shared_with):
        raise ValidationError(_("Deel een agendapunt alleen met partners die aanwezig zijn."))
    item, _created = AgendaItem.objects.get_or_create(
        meeting=meeting, case=case, defaults={"order": meeting.agenda.count() + 1}
    )
    item.shared_with.set(shared_with)
    shared = [o.name for o in shared_with]
    record(Action.UPDATE, actor=actor, request=request, municipality=meeting.municipality,
           object_type="meeting", object_id=meeting.pk,
           detail={"agenda_case": case.pk, "shared_with": shared})  # fmt: skip
    return item


@transaction.atomic
def record_decision(item, text: str, *, actor, request, task=None, intervention=None):
    """A meeting decision on an agenda item; it lands on the case's timeline. `task` and
    `intervention` are dicts for add_task / add_intervention when the decision creates one."""
    from noaber.accounts.access import can

    from .models import Decision

    case = item.case
    if not can(actor, "cases.work", case):
        raise ValidationError(_("U mag deze casus niet inzien; een besluit erover kan niet."))
    if not text.strip():
        raise ValidationError(_("Schrijf het besluit op."))
    made_task = add_task(case, actor=actor, request=request, **task) if task else None
    made_intervention = (
        add_intervention(case, actor=actor, request=request, **intervention)
        if intervention
        else None
    )
    decision = Decision.objects.create(
        item=item, text=text.strip(), task=made_task, intervention=made_intervention
    )
    _log(case, TimelineEntry.Kind.MEETING, f"{item.meeting}: {text.strip()}", actor, request,
         meeting=item.meeting_id)  # fmt: skip
    return decision


def _save_minutes(obj, minutes: str, version: int | None) -> None:
    """Store minutes on a meeting or agenda item, refusing a post from a stale page: the row
    is locked and its version compared, so two people saving at once cannot both win."""
    current = (
        type(obj).objects.select_for_update().filter(pk=obj.pk)
        .values_list("version", flat=True).first()
    )  # fmt: skip
    if version is not None and current != version:
        raise ConflictError(
            _("Iemand anders heeft dit verslag intussen gewijzigd. Open het opnieuw; wat u "
              "typte staat hieronder nog.")
        )  # fmt: skip
    obj.minutes = minutes.strip()
    obj.version = current + 1
    obj.save(update_fields=["minutes", "version"])


@transaction.atomic
def write_minutes(meeting, minutes: str, *, actor, request, version: int | None = None) -> None:
    """The meeting's general minutes; `version` is the meeting's version the page showed."""
    _save_minutes(meeting, minutes, version)
    record(Action.UPDATE, actor=actor, request=request, municipality=meeting.municipality,
           object_type="meeting", object_id=meeting.pk, reason="minutes")  # fmt: skip


@transaction.atomic
def write_item_minutes(item, minutes: str, *, actor, request, version: int | None = None) -> None:
    """The minutes of one case's part of a meeting (destroyed with the case)."""
    _save_minutes(item, minutes, version)
    record(Action.UPDATE, actor=actor, request=request, municipality=item.meeting.municipality,
           object_type="meeting", object_id=item.meeting_id, reason="minutes",
           detail={"agenda_case": item.case_id})  # fmt: skip


def agenda_for_partner(meeting, organisation):
    """What a partner present at the meeting may see: only the items shared with it — and of
    a closed case only while a share with the partner is still in force (kept open after
    closing); closing served the purpose of the rest."""
    today = timezone.localdate()
    items = meeting.agenda.filter(shared_with=organisation).select_related("case")
    visible = [
        item.pk
        for item in items
        if not item.case.is_closed
        or any(s.in_force_on(today) for s in item.case.shares.filter(organisation=organisation))
    ]
    return items.filter(pk__in=visible)
