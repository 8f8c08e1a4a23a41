"""Pages of the signal register: the triage inbox, the signal, subjects, privacy tools."""

import json
from datetime import datetime, time, timedelta
from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from noaber.accounts.access import can, municipality_view
from noaber.accounts.models import Municipality, Role, User
from noaber.audit.actions import record
from noaber.audit.models import Action, Result
from noaber.intake.models import Area, Report
from noaber.intake.selectors import may_become_signal
from noaber.lib.pages import action_page, section_url, sections
from noaber.lib.paging import Sort, list_page
from noaber.lib.pdf import PdfUnavailableError
from noaber.partners.suggest import suggest_partners
from noaber.themes.forms import AssignForm
from noaber.themes.models import themes_for
from noaber.themes.terms import assignment_intro

from . import actions, subject_requests
from .export import has_reporter, subject_export, subject_export_pdf, text_withheld_under
from .forms import (
    CloseRequestForm,
    ConfirmForm,
    DisclosureForm,
    EraseForm,
    ExtendRequestForm,
    LegalHoldForm,
    PhaseForm,
    PrivacyCheckForm,
    PurposeForm,
    ReasonForm,
    ReleaseForm,
    RetentionTermForm,
    SignalForm,
    SourceCheckForm,
    SubjectForm,
    SubjectRequestForm,
    WegingForm,
)
from .models import (
    DestructionRecord,
    Outcome,
    Phase,
    RetentionTerm,
    Signal,
    SourceType,
    Subject,
    SubjectRequest,
)
from .reference import subject_access

# Sortable columns (noaber.lib.paging): one line per column — key in ?sorteer=, ORM path, header.
SIGNAL_SORTS = {
    "nummer": Sort("pk", _lazy("Signaal")),
    "ontvangen": Sort("received_on", _lazy("Ontvangen")),
    "thema": Sort("theme__code", _lazy("Thema")),
    "bron": Sort("source_type", _lazy("Bron")),
    "gebied": Sort("area__name", _lazy("Gebied")),
    "fase": Sort("phase", _lazy("Fase")),
    "streefdatum": Sort("due_date", _lazy("Streefdatum")),
}
NEW_REPORT_SORTS = {
    "nummer": Sort("pk", _lazy("Melding")),
    "ontvangen": Sort("created_at", _lazy("Ontvangen")),
    "onderwerp": Sort("category__name", _lazy("Onderwerp")),
    "bron": Sort("source", _lazy("Bron")),
    "gebied": Sort("area__name", _lazy("Gebied")),
    "streefdatum": Sort("due_date", _lazy("Streefdatum")),
}
DESTRUCTION_SORTS = {
    "datum": Sort("done_at", _lazy("Wanneer")),
    "soort": Sort("record_type", _lazy("Soort")),
    "handeling": Sort("action", _lazy("Handeling")),
}


def get_signal_for(user, municipality, pk, *, request, reason="triage") -> Signal:
    """A signal of `municipality`; another municipality's id is a 404. The read is audited."""
    signal = (
        Signal.objects.select_related("theme", "area", "assigned_to")
        .filter(municipality=municipality, pk=pk)
        .first()
    )
    if signal is None:
        # Also for an id that exists in another municipality: no hint, but on record.
        record(
            Action.DENIED,
            request=request,
            municipality=municipality,
            object_type="signal",
            object_id=pk,
            result=Result.DENIED,
        )
        raise Http404
    record(
        Action.VIEW,
        request=request,
        municipality=municipality,
        object_type="signal",
        object_id=signal.pk,
        reason=reason,
    )
    return signal


def get_subject_for(request, municipality, pk) -> Subject:
    """A subject of `municipality`, or 404 audited as denied (also for another's id)."""
    subject = None
    if str(pk).isdigit():
        subject = Subject.objects.filter(municipality=municipality, pk=pk).first()
    if subject is None:
        record(
            Action.DENIED,
            request=request,
            municipality=municipality,
            object_type="subject",
            object_id=pk,
            result=Result.DENIED,
        )
        raise Http404
    return subject


def _advisors(municipality):
    return User.objects.filter(
        memberships__municipality=municipality, memberships__role=Role.ADVISOR, is_active=True
    ).distinct()


@municipality_view("registry.work", ["GET", "POST"])
def inbox(request, municipality):
    if request.method == "POST":
        return _bulk(request, municipality)
    signals = Signal.objects.filter(municipality=municipality, destroyed_at__isnull=True)
    f = request.GET
    if f.get("thema"):
        signals = signals.filter(theme__code=f["thema"])
    if f.get("bron") in SourceType.values:
        signals = signals.filter(source_type=f["bron"])
    if f.get("gebied", "").isdigit():
        signals = signals.filter(area_id=int(f["gebied"]))
    if f.get("fase") in Phase.values:
        signals = signals.filter(phase=f["fase"])
    elif not f.get("fase"):
        signals = signals.exclude(phase=Phase.CLOSED)
    if f.get("ouder_dan", "").isdigit():
        signals = signals.filter(
            received_on__lte=timezone.localdate() - timedelta(days=int(f["ouder_dan"]))
        )
    if f.get("mijn") == "1":
        signals = signals.filter(assigned_to=request.user)
    new_reports = Report.objects.filter(municipality=municipality, signals__isnull=True).exclude(
        status="closed"
    )
    signals = list_page(
        request,
        signals.select_related("theme", "area", "assigned_to"),
        SIGNAL_SORTS,
        # Open signals (the default filter) overdue first; with ?fase= newest first.
        default="-ontvangen" if f.get("fase") else "streefdatum",
    )
    new_reports = list_page(
        request,
        new_reports.select_related("category", "area", "handler"),
        NEW_REPORT_SORTS,
        default="streefdatum",
        prefix="m_",
    )
    return render(
        request,
        "registry/inbox.html",
        {
            "signals": signals,
            "new_reports": new_reports,
            "themes": themes_for(municipality),
            "areas": Area.objects.filter(municipality=municipality),
            "sources": SourceType.choices,
            "phases": Phase.choices,
            "advisors": _advisors(municipality),
            "f": f,
        },
        status=max(signals.status, new_reports.status),
    )


def _bulk(request, municipality):
    action = request.POST.get("bulk")
    if action == "register":
        reports = list(
            Report.objects.filter(
                municipality=municipality, pk__in=request.POST.getlist("report")
            ).select_related("category", "area")
        )
        try:
            signal = actions.register_from_reports(
                municipality, reports, actor=request.user, request=request
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("registry:inbox", municipality.cbs_code)
        messages.success(request, _("Signaal %(n)s is geregistreerd.") % {"n": signal.number})
        return redirect("registry:signal", municipality.cbs_code, signal.pk)
    if action == "assign":
        advisor = _advisors(municipality).filter(pk=request.POST.get("advisor") or 0).first()
        signals = list(
            Signal.objects.filter(municipality=municipality, pk__in=request.POST.getlist("signal"))
        )
        if advisor is None or not signals:
            messages.error(request, _("Kies een of meer signalen en een adviseur."))
        else:
            n = actions.assign(signals, advisor, actor=request.user, request=request)
            messages.success(
                request,
                _("%(n)s signalen toegewezen aan %(who)s.") % {"n": n, "who": advisor.display_name},
            )
        return redirect("registry:inbox", municipality.cbs_code)
    messages.error(request, _("Onbekende actie."))
    return redirect("registry:inbox", municipality.cbs_code)


@municipality_view("registry.work", ["GET", "POST"])
def signal_new(request, municipality):
    form = SignalForm(request.POST or None, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        signal = actions.create_signal(municipality, data, actor=request.user, request=request)
        return redirect("registry:signal", municipality.cbs_code, signal.pk)
    return render(request, "registry/signal_form.html", {"form": form})


# --- The signal page and its actions ---------------------------------------------------------

PHASE_TONE = {
    Phase.INTAKE: "info",
    Phase.WEGING: "info",
    Phase.SOURCES: "warning",
    Phase.PLAN: "ok",
    Phase.CLOSED: "neutral",
}


def _posted(request):
    """The submitted data of a POST (also an empty one, which must fail), None on GET."""
    return request.POST if request.method == "POST" else None


def _signal_url(municipality, signal, section=None) -> str:
    return section_url(reverse("registry:signal", args=[municipality.cbs_code, signal.pk]), section)


def _timeline(signal, links, checks, source_checks, disclosures):
    """What happened to the signal, oldest first: (moment, text) from the recorded facts."""
    events = [
        (signal.received_on, _("Ontvangen (%(s)s)") % {"s": signal.get_source_type_display()})
    ]
    events += [(r.created_at, _("Melding %(n)s") % {"n": r.number}) for r in signal.reports.all()]
    events += [
        (link.created_at, _("Betrokkene %(s)s gekoppeld") % {"s": link.subject}) for link in links
    ]
    if signal.weighed_at:
        events.append((signal.weighed_at, _("Weging: %(o)s") % {"o": signal.get_outcome_display()}))
    events += [
        (
            c.created_at,
            _("%(k)s door %(who)s") % {"k": c.get_kind_display(), "who": c.decided_by.display_name},
        )
        for c in checks
    ]
    events += [
        (c.created_at, _("Bronnencheck door %(who)s") % {"who": c.decided_by.display_name})
        for c in source_checks
    ]
    events += [
        (d.created_at, _("Verstrekking aan %(r)s") % {"r": d.recipient}) for d in disclosures
    ]
    if signal.closed_at:
        events.append((signal.closed_at, _("Afgesloten")))

    def moment(event):
        when = event[0]
        return (
            when
            if isinstance(when, datetime)
            else datetime.combine(when, time.min, tzinfo=timezone.get_current_timezone())
        )

    return sorted(events, key=moment)


@municipality_view("registry.work")
def signal_detail(request, municipality, pk):
    """A signal: a header with its key facts, phase and next steps, then one section at a time
    (Overzicht · Betrokkenen · Weging en toetsen · Verstrekkingen · Tijdlijn)."""
    signal = get_signal_for(request.user, municipality, pk, request=request)
    links = list(signal.links.select_related("subject"))
    checks = list(signal.privacy_checks.select_related("decided_by"))
    source_checks = list(signal.source_checks.select_related("decided_by"))
    disclosures = list(
        signal.disclosures.select_related("recipient", "agreement", "decided_by").prefetch_related(
            "ends"
        )
    )
    tabs, current = sections(
        request,
        [
            ("overzicht", _("Overzicht")),
            ("betrokkenen", _("Betrokkenen"), len(links)),
            ("toetsen", _("Weging en toetsen"), len(checks) + len(source_checks)),
            ("verstrekkingen", _("Verstrekkingen"), len(disclosures)),
            ("tijdlijn", _("Tijdlijn")),
        ],
    )
    context = {
        "signal": signal,
        "tabs": tabs,
        "section": current,
        "allowed": actions.allowed_actions(signal),
        "may_assign": signal.phase in actions.OPEN_PHASES and signal.destroyed_at is None,
        "next_step": actions.next_step(signal),
        "phase_tone": PHASE_TONE.get(signal.phase, "neutral"),
        "status_text": actions.protocol_status(signal),
        "links": links,
        "checks": checks,
        "source_checks": source_checks,
        "disclosures": disclosures,
        "reports": signal.reports.all(),
    }
    if current == "overzicht":
        context["suggestions"] = suggest_partners(municipality, [signal.theme])
    if current == "toetsen":
        context["missing_sources"] = actions.missing_for(signal, Phase.SOURCES)
        context["missing_plan"] = actions.missing_for(signal, Phase.PLAN)
    if current == "tijdlijn":
        context["timeline"] = _timeline(signal, links, checks, source_checks, disclosures)
    return render(request, "registry/signal.html", context)


def _refuse_unless_allowed(request, signal, action, form) -> None:
    """A POST of an action the signal's state no longer allows (a stale page): the form comes
    back with what was typed and the reason above it; nothing runs."""
    if request.method == "POST" and action not in actions.allowed_actions(signal):
        form.is_valid()
        try:
            actions.require_allowed(signal, action)
        except ValidationError as error:
            form.add_error(None, error)


def _signal_action(action, title, *, section=None, success=None, reason="edit"):
    """A view for one action on a signal (noaber.lib.pages.action_page): `view(request,
    municipality, signal)` returns (form, run) or a response. The signal's state decides
    whether the action is offered at all; the action itself refuses by the same rule."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, municipality, pk):
            signal = get_signal_for(
                request.user,
                municipality,
                pk,
                request=request,
                reason=reason if request.method == "POST" else "triage",
            )
            back = _signal_url(municipality, signal, section)
            if request.method == "GET" and action not in actions.allowed_actions(signal):
                # Not offered in this state: say why instead of showing a form that must fail.
                try:
                    actions.require_allowed(signal, action)
                except ValidationError as error:
                    refusal = " ".join(error.messages)
                return render(
                    request,
                    "ui/action.html",
                    {
                        "object_url": back,
                        "title": title,
                        "refusal": refusal,
                        "object_label": _("Signaal %(n)s") % {"n": signal.number},
                    },
                )
            made = view(request, municipality, signal)
            if not isinstance(made, tuple):
                return made
            form, run, extra = (*made, {})[:3]
            _refuse_unless_allowed(request, signal, action, form)
            return action_page(
                request,
                form,
                run,
                success_url=back,
                success_message=success,
                template=extra.pop("template", "ui/action.html"),
                context={
                    "object_url": back,
                    "object_label": _("Signaal %(n)s") % {"n": signal.number},
                    "title": title,
                    "signal": signal,
                }
                | extra,
            )

        return municipality_view("registry.work", ["GET", "POST"])(wrapper)

    return decorator


@municipality_view("registry.work", ["GET", "POST"])
def signal_assign(request, municipality, pk):
    """Behandelaar en streefdatum of a signal: assign, reassign or take over (?overnemen=1
    proposes the user), and move the streefdatum with a reason; refused from a stale page."""
    signal = get_signal_for(
        request.user, municipality, pk, request=request,
        reason="edit" if request.method == "POST" else "triage",
    )  # fmt: skip
    back = _signal_url(municipality, signal)
    context = {
        "object_url": back,
        "object_label": _("Signaal %(n)s") % {"n": signal.number},
        "title": _("Behandelaar en streefdatum"),
        "signal": signal,
        "intro": assignment_intro(signal.assigned_to, signal.due_date, signal.due_date_reason),
        "submit_label": _("Vastleggen"),
    }
    if request.method == "GET" and (signal.destroyed_at or signal.phase == Phase.CLOSED):
        context["refusal"] = _("Dit signaal is afgesloten; het krijgt geen behandelaar meer.")
    form = AssignForm(
        _posted(request),
        municipality=municipality,
        rule="registry.work",
        handler=signal.assigned_to,
        due_date=signal.due_date,
        version=signal.version,
        initial={"handler": request.user.pk} if request.GET.get("overnemen") else {},
    )

    def run(data):
        actions.assign_signal(
            signal, data["handler"], data["due_date"], data["reason"], data["version"] or 0,
            actor=request.user, request=request,
        )  # fmt: skip

    return action_page(
        request,
        form,
        run,
        success_url=back,
        context=context,
        success_message=_("Behandelaar en streefdatum zijn vastgelegd."),
    )


@_signal_action("edit", _lazy("Gegevens bewerken"), success=_lazy("Het signaal is bijgewerkt."))
def signal_edit(request, municipality, signal):
    form = SignalForm(
        _posted(request), instance=Signal.objects.get(pk=signal.pk), municipality=municipality
    )

    def run(data):
        actions.update_signal(
            signal, data, data["version"] or 0, actor=request.user, request=request
        )

    return form, run


@_signal_action(
    "weging",
    _lazy("Weging vastleggen"),
    section="toetsen",
    success=_lazy("De weging is vastgelegd."),
)
def signal_weging(request, municipality, signal):
    form = WegingForm(_posted(request), initial={"version": signal.version})

    def run(data):
        actions.record_weging(
            signal,
            data["outcome"],
            data["reason"],
            data["version"],
            actor=request.user,
            request=request,
        )

    intro = _("Een uitkomst anders dan '%(o)s' sluit het signaal; de bewaartermijn begint dan.")
    return form, run, {"intro": intro % {"o": Outcome.FURTHER.label}}


@_signal_action(
    "check",
    _lazy("Privacytoets vastleggen"),
    section="toetsen",
    success=_lazy("De privacytoets is vastgelegd."),
)
def signal_check(request, municipality, signal):
    form = PrivacyCheckForm(_posted(request))

    def run(data):
        data = dict(data)
        kind = data.pop("kind")
        actions.record_privacy_check(signal, kind, data, actor=request.user, request=request)

    return form, run


@_signal_action(
    "sources",
    _lazy("Bronnencheck vastleggen"),
    section="toetsen",
    success=_lazy("De bronnencheck is vastgelegd."),
)
def signal_sources(request, municipality, signal):
    form = SourceCheckForm(_posted(request))

    def run(data):
        actions.record_source_check(
            signal, data["results"], data["no_source_reason"], actor=request.user, request=request
        )

    intro = _(
        "Bevraag eerst alleen hit / no-hit. Details van een hit openen vraagt een eigen, "
        "vastgelegde reden."
    )
    return form, run, {"intro": intro}


@_signal_action(
    "phase",
    _lazy("Naar de volgende fase"),
    section="toetsen",
    success=_lazy("Het signaal is naar de volgende fase gegaan."),
)
def signal_phase(request, municipality, signal):
    form = PhaseForm(
        _posted(request),
        initial={"version": signal.version},
        choices=actions.phase_choices(signal),
    )

    def run(data):
        actions.advance(signal, data["phase"], data["version"], actor=request.user, request=request)

    return form, run, {"intro": actions.protocol_status(signal)}


@_signal_action(
    "disclose",
    _lazy("Verstrekking vastleggen"),
    section="verstrekkingen",
    success=_lazy("De verstrekking is vastgelegd."),
)
def signal_disclose(request, municipality, signal):
    form = DisclosureForm(
        _posted(request),
        municipality=municipality,
        initial={"decided_on": timezone.localdate()},
    )

    def run(data):
        actions.disclose(signal, data, actor=request.user, request=request)

    intro = _("Welke partners bij dit thema horen en welke convenanten gelden, staat onder "
              "Overzicht op de pagina van het signaal.")  # fmt: skip
    return form, run, {"intro": intro}


@_signal_action("subject", _lazy("Betrokkene toevoegen"), section="betrokkenen")
def signal_subject(request, municipality, signal):
    """Step 1 shows hit / no-hit for the entered data (nothing stored); step 2 adds a new
    subject or links one the check found."""
    form = SubjectForm(_posted(request))
    step = request.POST.get("step", "check") if request.method == "POST" else "check"
    back = _signal_url(municipality, signal, "betrokkenen")
    context = {
        "object_url": back,
        "object_label": _("Signaal %(n)s") % {"n": signal.number},
        "title": _("Betrokkene toevoegen"),
        "intro": _(
            "Eerst hit / no-hit: Noaber zoekt op de ingevulde gegevens of de betrokkene al "
            "bekend is. Er wordt nog niets opgeslagen."
        ),
        "submit_label": _("Controleren op hit / no-hit"),
        "signal": signal,
    }
    _refuse_unless_allowed(request, signal, "subject", form)
    if step == "check":
        match = None
        if request.method == "POST" and form.is_valid():
            match = actions.find_matches(
                municipality,
                form.cleaned_data["kind"],
                form.cleaned_data["subject"],
                actor=request.user,
                request=request,
            )
        status = 400 if request.method == "POST" and match is None else 200
        return render(
            request,
            "registry/subject_add.html",
            context | {"form": form, "match": match},
            status=status,
        )

    def run(data):
        if step == "link":
            # Only a subject the hit / no-hit check on these data finds may be linked.
            match = actions.find_matches(
                municipality, data["kind"], data["subject"], actor=request.user, request=request
            )
            wanted = request.POST.get("subject", "")
            if not wanted.isdigit() or int(wanted) not in match.exact + match.fuzzy:
                raise ValidationError(_("Koppel alleen een betrokkene die de controle vond."))
            subject = get_subject_for(request, municipality, wanted)
            actions.link_subject(signal, subject, data["role"], actor=request.user, request=request)
        else:
            actions.add_subject(
                signal,
                data["kind"],
                data["subject"],
                data["role"],
                actor=request.user,
                request=request,
            )

    success = (
        _("De betrokkene is gekoppeld.") if step == "link" else _("De betrokkene is toegevoegd.")
    )
    return action_page(
        request,
        form,
        run,
        success_url=back,
        success_message=success,
        context=context,
        template="registry/subject_add.html",
    )


@municipality_view("registry.work", ["GET", "POST"])
def report_register(request, municipality, pk):
    """ "Registreer als signaal" for one report (the report page's next step): the same
    conversion as the register's checkboxes, then the new signal's page."""
    report = (
        Report.objects.filter(municipality=municipality, pk=pk)
        .select_related("category", "area")
        .first()
    )
    record(
        Action.VIEW if report else Action.DENIED,
        request=request,
        municipality=municipality,
        object_type="report",
        object_id=pk,
        reason="triage",
        result=Result.SUCCESS if report else Result.DENIED,
    )
    if report is None:
        raise Http404
    back = reverse("intake:detail", args=[municipality.cbs_code, report.pk])
    context = {
        "object_url": back,
        "object_label": _("Melding %(n)s") % {"n": report.number},
        "title": _("Registreer als signaal"),
    }
    if request.method == "GET" and not may_become_signal(report):
        # Not offered in this state: say why instead of showing a form that must fail.
        refusal = _("Deze melding is al afgehandeld of al als signaal geregistreerd.")
        return render(request, "ui/action.html", context | {"refusal": refusal})

    def run(data):
        return actions.register_from_reports(
            municipality, [report], actor=request.user, request=request
        )

    intro = _(
        "Er komt een signaal in fase 1 (intake) met het onderwerp, de plaats en de tekst van "
        "deze melding, op uw naam. De melder ziet daarna 'in behandeling'."
    )
    return action_page(
        request,
        ConfirmForm(_posted(request)),
        run,
        success_url=lambda signal: reverse(
            "registry:signal", args=[municipality.cbs_code, signal.pk]
        ),
        success_message=_("De melding is als signaal geregistreerd."),
        context=context | {"intro": intro},
    )


@municipality_view("registry.work", ["GET", "POST"])
def subject_detail(request, municipality, pk):
    """A subject's details and timeline: only with a stated reason, which is audited."""
    subject = get_subject_for(request, municipality, pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        record(
            Action.VIEW,
            request=request,
            municipality=municipality,
            object_type="subject",
            object_id=subject.pk,
            data_subject=subject.data_subject(),
            reason=form.cleaned_data["reason"],
        )
        links = subject.links.select_related("signal", "signal__theme").order_by(
            "signal__received_on"
        )
        disclosures = [
            d for link in links for d in link.signal.disclosures.select_related("recipient")
        ]
        # Oldest first: the signals it is in (by their date) and what was disclosed from them.
        timeline = sorted(
            [(link.signal.received_on, "signal", link) for link in links]
            + [(d.decided_on, "disclosure", d) for d in disclosures],
            # On one day the signal comes before what was disclosed from it.
            key=lambda event: (event[0], event[1] != "signal"),
        )
        return render(
            request,
            "registry/subject.html",
            {"subject": subject, "timeline": timeline, "reason": form.cleaned_data["reason"]},
        )
    return render(request, "registry/subject_reason.html", {"subject": subject, "form": form})


# --- Privacy officer and admin --------------------------------------------------------------


def _search(request, municipality, form):
    """Exact matches (blind index) for the privacy search form: ids only, audited."""
    match = actions.find_matches(
        municipality,
        form.cleaned_data["kind"],
        form.cleaned_data["subject"],
        actor=request.user,
        request=request,
    )
    return Subject.objects.filter(pk__in=match.exact)


@municipality_view("registry.privacy", ["GET", "POST"])
def privacy(request, municipality):
    """Open data-subject requests by deadline, and finding a person's subjects by exact data
    (hit / no-hit, nothing opened). A search made for a request offers to link the subjects
    found to it; only linked subjects open for that request."""
    chosen = request.POST.get("verzoek") or request.GET.get("verzoek") or ""
    subject_request = (
        subject_requests.open_requests(municipality).filter(pk=chosen).first()
        if chosen.isdigit()
        else None
    )
    form = SubjectForm(request.POST or None, search=True)
    found = None
    if request.method == "POST" and form.is_valid():
        found = _search(request, municipality, form)
    return render(
        request,
        "registry/privacy.html",
        {
            "form": form,
            "found": found,
            "requests": subject_requests.open_requests(municipality),
            "today": timezone.localdate(),
            "subject_request": subject_request,
            "linked": set(subject_request.subjects.values_list("pk", flat=True))
            if subject_request
            else set(),
        },
    )


@municipality_view("registry.privacy", ["POST"], page=False)
def request_link(request, municipality, pk):
    """Link a subject to a request. The search is run again on the submitted data, so only a
    subject that the requester's exact data finds can be linked — never an id typed in."""
    subject_request = subject_requests.get_request_for(municipality, pk, request=request)
    form = SubjectForm(request.POST, search=True)
    wanted = request.POST.get("subject", "")
    found = _search(request, municipality, form) if form.is_valid() else Subject.objects.none()
    subject = found.filter(pk=wanted).first() if wanted.isdigit() else None
    try:
        if subject is None:
            raise ValidationError(_("Koppel alleen een betrokkene die de zoekopdracht vond."))
        subject_requests.link_subject(subject_request, subject, actor=request.user,
                                      request=request)  # fmt: skip
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(f"{reverse('registry:privacy', args=[municipality.cbs_code])}"
                        f"?verzoek={subject_request.pk}")  # fmt: skip
    messages.success(
        request,
        _("%(s)s is gekoppeld aan %(r)s.") % {"s": subject, "r": subject_request.reference},
    )
    return redirect(_subject_url(municipality, subject, subject_request))


@municipality_view("registry.privacy", ["GET", "POST"])
def request_new(request, municipality):
    form = SubjectRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            subject_request = subject_requests.register_request(
                municipality, form.cleaned_data, actor=request.user, request=request
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Verzoek %(r)s is vastgelegd; uiterste datum %(d)s.")
                % {
                    "r": subject_request.reference,
                    "d": subject_request.deadline.strftime("%d-%m-%Y"),
                },
            )
            return redirect("registry:request", municipality.cbs_code, subject_request.pk)
    return render(request, "registry/request_form.html", {"form": form})


@municipality_view("registry.privacy", ["GET", "POST"])
def request_detail(request, municipality, pk):
    subject_request = subject_requests.get_request_for(municipality, pk, request=request)
    step = request.POST.get("step") if request.method == "POST" else None
    extend_form = ExtendRequestForm(request.POST if step == "extend" else None)
    close_form = CloseRequestForm(request.POST if step == "close" else None)
    form = {"extend": extend_form, "close": close_form}.get(step)
    if form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            if step == "extend":
                subject_requests.extend_request(subject_request, data["months"], data["reason"],
                                                actor=request.user, request=request)  # fmt: skip
            else:
                subject_requests.close_request(subject_request, data["outcome"], data["note"],
                                               actor=request.user, request=request)  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Vastgelegd."))
            return redirect("registry:request", municipality.cbs_code, subject_request.pk)
    return render(
        request,
        "registry/request.html",
        {
            "r": subject_request,
            "today": timezone.localdate(),
            "extend_form": extend_form,
            "close_form": close_form,
            "subjects": subject_request.subjects.all(),
        },
    )


def _purpose(request, municipality, subject, *, allow_get=True):
    """The purpose the privacy officer chose: an open request linked to `subject`, or a
    typed reason (POST); or such a request named in the address (?verzoek=<id>, a read only;
    never a typed reason in an address)."""
    kwargs = {"municipality": municipality, "subject": subject}
    if request.method == "POST" and ("verzoek" in request.POST or "reden" in request.POST):
        form = PurposeForm(request.POST, **kwargs)
    elif allow_get and request.GET.get("verzoek"):
        form = PurposeForm({"verzoek": request.GET["verzoek"]}, **kwargs)
    else:
        return PurposeForm(**kwargs), None
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    return form, subject_requests.Purpose(data["verzoek"], (data["reden"] or "").strip())


def _purpose_page(request, subject, form, what, **context):
    """No purpose, no data: the form to choose one, and a denied event."""
    subject_requests.record_subject_read(subject, None, request=request, what=what)
    return render(
        request,
        "registry/subject_purpose.html",
        {"subject": subject, "form": form, "what": what} | context,
    )


@municipality_view("registry.privacy", ["GET", "POST"], page=False)
def subject_export_view(request, municipality, pk):
    subject = get_subject_for(request, municipality, pk)
    # A download changes what the subject's log says: only by a form post, never by a link.
    form, purpose = _purpose(request, municipality, subject, allow_get=False)
    if request.method == "GET" and request.GET.get("verzoek"):
        form = PurposeForm(
            initial={"verzoek": request.GET["verzoek"]}, municipality=municipality, subject=subject
        )
    formaat = "pdf" if (request.POST or request.GET).get("formaat") == "pdf" else "json"
    if purpose is None:
        return _purpose_page(request, subject, form, "export", formaat=formaat)
    if formaat == "pdf":
        try:
            pdf = subject_export_pdf(subject, actor=request.user, purpose=purpose,
                                     request=request)  # fmt: skip
        except PdfUnavailableError as error:
            messages.error(request, str(error))
            return redirect("registry:privacy", municipality.cbs_code)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="inzage-{subject}.pdf"'
        return response
    data = subject_export(subject, actor=request.user, purpose=purpose, request=request)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2, default=str),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="inzage-{subject}.json"'
    return response


@municipality_view("registry.privacy", ["GET", "POST"])
def legal_hold(request, municipality, pk):
    """Set or lift the legal hold of a signal (privacy officer): retention skips it."""
    signal = get_signal_for(request.user, municipality, pk, request=request, reason="legal_hold")
    back = reverse("registry:privacy", args=[municipality.cbs_code])
    form = LegalHoldForm(
        _posted(request),
        initial={"hold": signal.legal_hold, "reason": signal.legal_hold_reason},
    )

    def run(data):
        actions.set_legal_hold(
            signal, data["hold"], data["reason"], actor=request.user, request=request
        )

    return action_page(
        request,
        form,
        run,
        success_url=back,
        success_message=_("De bewaarplicht is bijgewerkt."),
        context={
            "object_url": back,
            "object_label": _("Signaal %(n)s") % {"n": signal.number},
            "title": _("Bewaarplicht"),
            "intro": _(
                "Een signaal met bewaarplicht wordt niet vernietigd, ook niet als de "
                "bewaartermijn verstreken is."
            ),
        },
    )


@municipality_view("registry.retention", ["GET", "POST"])
def retention(request, municipality):
    """Retention terms per outcome (editable; they apply to every municipality of this
    installation) and the destruction register of this municipality. No content."""
    # Terms apply to every municipality of this installation, so only someone who is the
    # functional admin of all of them may change them; the others see them read-only.
    may_edit = all(can(request.user, "registry.retention", m) for m in Municipality.objects.all())
    if request.method == "POST" and not may_edit:
        messages.error(
            request,
            _(
                "Bewaartermijnen gelden voor alle gemeenten van deze installatie; alleen een "
                "functioneel beheerder van alle gemeenten kan ze wijzigen."
            ),
        )
        return redirect("registry:retention", municipality.cbs_code)
    forms_by_term = [
        (term, RetentionTermForm(request.POST if request.POST.get("term") == term.outcome else None,
                                 instance=term, prefix=term.outcome))
        for term in RetentionTerm.objects.all()
    ]  # fmt: skip
    for term, form in forms_by_term:
        if form.is_bound and form.is_valid():
            actions.update_retention_term(
                RetentionTerm.objects.get(pk=term.pk),
                form.cleaned_data,
                actor=request.user,
                request=request,
            )
            messages.success(request, _("De bewaartermijn is opgeslagen."))
            return redirect("registry:retention", municipality.cbs_code)
    register = list_page(
        request,
        DestructionRecord.objects.filter(municipality=municipality),
        DESTRUCTION_SORTS,
        default="-datum",
    )
    return render(
        request,
        "registry/retention.html",
        {
            "forms": forms_by_term,
            "may_edit": may_edit,
            "register": register,
        },
        status=register.status,
    )


SUBJECT_EDIT_FIELDS = ("kind", "label", "birth_date", "bsn", "postcode", "house_number",
                       "house_number_addition", "bag_id", "kvk", "kenteken")  # fmt: skip


@municipality_view("registry.privacy", ["GET", "POST"])
def subject_rights(request, municipality, pk):
    """A subject's data for a data-subject request (or another lawful reason, typed out):
    what the export will hold and withhold, and rectification or erasure (AVG art. 16, 17)."""
    subject = get_subject_for(request, municipality, pk)
    purpose_form, purpose = _purpose(request, municipality, subject)
    if purpose is None:
        return _purpose_page(request, subject, purpose_form, "page")
    initial = {f: getattr(subject, f) for f in SUBJECT_EDIT_FIELDS}
    do = request.POST.get("do") if request.method == "POST" else None
    form = SubjectForm(request.POST if do == "rectify" else None, initial=initial, search=True)
    erase_form = EraseForm(request.POST if do == "erase" else None)
    # The refusal lands on the form that was sent, beside its field, with what was typed.
    sent = erase_form if do == "erase" else form
    try:
        if do in ("rectify", "erase"):
            _check_kind(purpose, do)
        if do == "erase":
            if not (erase_form.is_valid() and erase_form.cleaned_data["confirm"]):
                raise ValidationError(
                    {"confirm": _("Bevestig dat wissen niet terug te draaien is.")}
                )
            actions.erase_subject(subject, purpose.text, actor=request.user, request=request)
            messages.success(request, _("De betrokkene is gewist."))
            return redirect("registry:privacy", municipality.cbs_code)
        if do == "rectify" and form.is_valid():
            actions.rectify_subject(subject, form.cleaned_data["subject"], purpose.text,
                                    actor=request.user, request=request)  # fmt: skip
            messages.success(request, _("De gegevens zijn gecorrigeerd."))
            if purpose.subject_request is not None:
                return redirect(_subject_url(municipality, subject, purpose.subject_request))
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                sent.add_error(field if field in sent.fields else None, errors)
        else:
            sent.add_error(None, error)
    subject_requests.record_subject_read(subject, purpose, request=request)
    # Tabs only when the purpose travels in the address (?verzoek=); a typed reason is never
    # put in an address, so then the page shows both sections.
    tabs, current = [], None
    if purpose.subject_request is not None and do is None:
        tabs, current = sections(
            request, [("inzage", _("Inzage-export")), ("corrigeren", _("Corrigeren of wissen"))]
        )
    return render(
        request,
        "registry/subject_rights.html",
        {
            "subject": subject,
            "form": form,
            "erase_form": erase_form,
            "purpose": purpose,
            "tabs": tabs,
            "section": current,
            "items": _export_items(request, subject, purpose)
            if current in (None, "inzage")
            else [],
        },
        status=400 if do and sent.errors else 200,
    )


# Which kind of request may rectify or erase (a typed lawful reason may do both).
KIND_FOR = {"rectify": SubjectRequest.Kind.RECTIFICATION, "erase": SubjectRequest.Kind.ERASURE}


def _check_kind(purpose, do: str) -> None:
    wanted = KIND_FOR[do]
    if purpose.subject_request is not None and purpose.subject_request.kind != wanted:
        raise ValidationError(_("Dit kan alleen voor een verzoek om %(k)s.") % {"k": wanted.label})


def _subject_url(municipality, subject, subject_request):
    return (
        reverse("registry:subject_rights", args=[municipality.cbs_code, subject.pk])
        + f"?verzoek={subject_request.pk}"
    )


def _export_items(request, subject, purpose):
    """Per signal of the subject: what the export withholds and why, with the text the
    privacy officer must read before releasing it (that read is audited too)."""
    released = set()
    if purpose.subject_request is not None:
        released = set(
            purpose.subject_request.releases.filter(subject=subject).values_list(
                "signal_id", flat=True
            )
        )
    labels = subject_access()["categories"]
    items = []
    for link in subject.links.select_related("signal", "signal__theme").order_by("signal__pk"):
        signal = link.signal
        withheld = text_withheld_under(signal)
        if withheld or has_reporter(signal):
            record(
                Action.VIEW,
                request=request,
                municipality=signal.municipality,
                object_type="signal",
                object_id=signal.pk,
                reason=purpose.text,
                detail={"data_subject_review": True},
            )
        items.append(
            {
                "signal": signal,
                "role": link.role,
                "withheld": [labels[c] for c in withheld],
                "reporter": labels["reporter"] if has_reporter(signal) else None,
                "released": signal.pk in released,
                # Everything a release lets out, so the officer reads all of it first.
                "disclosures": list(
                    signal.disclosures.select_related("recipient").prefetch_related("ends")
                )
                if withheld
                else [],
            }
        )
    return items


@municipality_view("registry.privacy", ["POST"], page=False)
def subject_release(request, municipality, pk):
    """Release a withheld signal text into the export of one request, with a reason."""
    subject = get_subject_for(request, municipality, pk)
    _form, purpose = _purpose(request, municipality, subject)
    if purpose is None or purpose.subject_request is None:
        messages.error(request, _("Vrijgeven kan alleen binnen een open verzoek."))
        return redirect("registry:privacy", municipality.cbs_code)
    form = ReleaseForm(request.POST)
    signal = None
    if form.is_valid():
        signal = Signal.objects.filter(
            municipality=municipality, pk=form.cleaned_data["signal"]
        ).first()
    try:
        if signal is None:
            raise ValidationError(_("Kies een signaal van deze betrokkene."))
        subject_requests.release_item(
            purpose.subject_request,
            subject,
            signal,
            form.cleaned_data["release_reason"],
            actor=request.user,
            request=request,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("De tekst van %(s)s gaat mee in de export.") % {"s": signal.number}
        )
    return redirect(_subject_url(municipality, subject, purpose.subject_request))
