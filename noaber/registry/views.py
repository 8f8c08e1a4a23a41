"""Pages of the signal register: the triage inbox, the signal, subjects, privacy tools."""

import json
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from noaber.accounts.access import can, municipality_view
from noaber.accounts.models import Municipality, Role, User
from noaber.audit.actions import record
from noaber.audit.models import Action, Result
from noaber.intake.models import Area, Report
from noaber.lib.pdf import PdfUnavailableError
from noaber.partners.suggest import suggest_partners
from noaber.themes.models import themes_for

from . import actions, subject_requests
from .export import has_reporter, subject_export, subject_export_pdf, text_withheld_under
from .forms import (
    CloseRequestForm,
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
from .models import Phase, RetentionTerm, Signal, SourceType, Subject, SubjectRequest
from .reference import subject_access

SORTS = {"nieuw": "-received_on", "oud": "received_on", "fase": "phase"}


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
    signals = signals.order_by(SORTS.get(f.get("sorteer"), "-received_on"), "-pk")
    new_reports = Report.objects.filter(municipality=municipality, signals__isnull=True).exclude(
        status="closed"
    )
    return render(
        request,
        "registry/inbox.html",
        {
            "signals": signals.select_related("theme", "area", "assigned_to")[:100],
            "new_reports": new_reports.select_related("category", "area")[:100],
            "themes": themes_for(municipality),
            "areas": Area.objects.filter(municipality=municipality),
            "sources": SourceType.choices,
            "phases": Phase.choices,
            "advisors": _advisors(municipality),
            "f": f,
        },
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
                _("%(n)s signalen toegewezen aan %(who)s.") % {"n": n, "who": advisor.username},
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


def _signal_page(request, municipality, signal, status=200, **forms):
    context = {
        "signal": signal,
        "edit_form": forms.get("edit_form")
        or SignalForm(instance=signal, municipality=municipality),
        "weging_form": forms.get("weging_form") or WegingForm(initial={"version": signal.version}),
        "check_form": forms.get("check_form") or PrivacyCheckForm(),
        "source_form": forms.get("source_form") or SourceCheckForm(),
        "source_checks": signal.source_checks.select_related("decided_by"),
        "status_text": actions.protocol_status(signal),
        "missing_plan": actions.missing_for(signal, Phase.PLAN),
        "phase_form": forms.get("phase_form") or PhaseForm(initial={"version": signal.version}),
        "subject_form": forms.get("subject_form") or SubjectForm(),
        "disclosure_form": forms.get("disclosure_form")
        or DisclosureForm(municipality=municipality, initial={"decided_on": timezone.localdate()}),
        "match": forms.get("match"),
        "links": signal.links.select_related("subject"),
        "checks": signal.privacy_checks.select_related("decided_by"),
        "disclosures": signal.disclosures.select_related(
            "recipient", "agreement", "decided_by"
        ).prefetch_related("ends"),
        "suggestions": suggest_partners(municipality, [signal.theme]),
        "reports": signal.reports.all(),
        "missing_sources": actions.missing_for(signal, Phase.SOURCES),
    }
    return render(request, "registry/signal.html", context, status=status)


@municipality_view("registry.work")
def signal_detail(request, municipality, pk):
    signal = get_signal_for(request.user, municipality, pk, request=request)
    return _signal_page(request, municipality, signal)


def _post_step(view):
    """A POST on a signal: load it (audited), run the step, show errors on the page."""

    def wrapper(request, municipality, pk):
        signal = get_signal_for(request.user, municipality, pk, request=request, reason="edit")
        try:
            result = view(request, municipality, signal)
        except actions.ConflictError as error:
            messages.error(request, str(error))
            return redirect("registry:signal", municipality.cbs_code, signal.pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("registry:signal", municipality.cbs_code, signal.pk)
        return result or redirect("registry:signal", municipality.cbs_code, signal.pk)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return municipality_view("registry.work", ["POST"], page=False)(wrapper)


@_post_step
def signal_edit(request, municipality, signal):
    form = SignalForm(
        request.POST, instance=Signal.objects.get(pk=signal.pk), municipality=municipality
    )
    if not form.is_valid():
        return _signal_page(request, municipality, signal, 200, edit_form=form)
    version = form.cleaned_data["version"] or 0
    actions.update_signal(signal, form.cleaned_data, version, actor=request.user, request=request)
    messages.success(request, _("Het signaal is bijgewerkt."))
    return None


@_post_step
def signal_weging(request, municipality, signal):
    form = WegingForm(request.POST)
    if not form.is_valid():
        return _signal_page(request, municipality, signal, 200, weging_form=form)
    data = form.cleaned_data
    actions.record_weging(
        signal,
        data["outcome"],
        data["reason"],
        data["version"],
        actor=request.user,
        request=request,
    )
    messages.success(request, _("De weging is vastgelegd."))
    return None


@_post_step
def signal_check(request, municipality, signal):
    form = PrivacyCheckForm(request.POST)
    if not form.is_valid():
        return _signal_page(request, municipality, signal, 200, check_form=form)
    data = dict(form.cleaned_data)
    kind = data.pop("kind")
    actions.record_privacy_check(signal, kind, data, actor=request.user, request=request)
    messages.success(request, _("De privacytoets is vastgelegd."))
    return None


@_post_step
def signal_sources(request, municipality, signal):
    form = SourceCheckForm(request.POST)
    if not form.is_valid():
        return _signal_page(request, municipality, signal, 200, source_form=form)
    actions.record_source_check(
        signal,
        form.cleaned_data["results"],
        form.cleaned_data["no_source_reason"],
        actor=request.user,
        request=request,
    )
    messages.success(request, _("De bronnencheck is vastgelegd."))
    return None


@_post_step
def signal_phase(request, municipality, signal):
    form = PhaseForm(request.POST)
    if not form.is_valid():
        return _signal_page(request, municipality, signal, 200, phase_form=form)
    actions.advance(
        signal,
        form.cleaned_data["phase"],
        form.cleaned_data["version"],
        actor=request.user,
        request=request,
    )
    messages.success(request, _("Het signaal is naar de volgende fase gegaan."))
    return None


@_post_step
def signal_subject(request, municipality, signal):
    """Step 1 shows hit / no-hit for the entered data; step 2 adds a new subject or links one."""
    form = SubjectForm(request.POST)
    if not form.is_valid():
        return _signal_page(request, municipality, signal, 200, subject_form=form)
    kind, data, role = (
        form.cleaned_data["kind"],
        form.cleaned_data["subject"],
        form.cleaned_data["role"],
    )
    step = request.POST.get("step", "check")
    if step == "link":
        subject = get_subject_for(request, municipality, request.POST.get("subject") or 0)
        actions.link_subject(signal, subject, role, actor=request.user, request=request)
        messages.success(request, _("De betrokkene is gekoppeld."))
        return None
    if step == "new":
        actions.add_subject(signal, kind, data, role, actor=request.user, request=request)
        messages.success(request, _("De betrokkene is toegevoegd."))
        return None
    match = actions.find_matches(municipality, kind, data, actor=request.user, request=request)
    return _signal_page(request, municipality, signal, subject_form=form, match=match)


@_post_step
def signal_disclose(request, municipality, signal):
    form = DisclosureForm(request.POST, municipality=municipality)
    if not form.is_valid():
        return _signal_page(request, municipality, signal, 200, disclosure_form=form)
    actions.disclose(signal, form.cleaned_data, actor=request.user, request=request)
    messages.success(request, _("De verstrekking is vastgelegd."))
    return None


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
            reason=form.cleaned_data["reason"],
        )
        links = subject.links.select_related("signal", "signal__theme").order_by(
            "signal__received_on"
        )
        disclosures = [
            d for link in links for d in link.signal.disclosures.select_related("recipient")
        ]
        return render(
            request,
            "registry/subject.html",
            {
                "subject": subject,
                "links": links,
                "disclosures": disclosures,
                "reason": form.cleaned_data["reason"],
            },
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


@municipality_view("registry.privacy", ["POST"], page=False)
def legal_hold(request, municipality, pk):
    signal = get_signal_for(request.user, municipality, pk, request=request, reason="legal_hold")
    form = LegalHoldForm(request.POST)
    if form.is_valid():
        try:
            actions.set_legal_hold(
                signal,
                form.cleaned_data["hold"],
                form.cleaned_data["reason"],
                actor=request.user,
                request=request,
            )
            messages.success(request, _("De bewaarplicht is bijgewerkt."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect("registry:privacy", municipality.cbs_code)


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
    return render(
        request,
        "registry/retention.html",
        {
            "forms": forms_by_term,
            "may_edit": may_edit,
            "register": municipality.destructionrecord_set.all()[:200],
        },
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
    try:
        if do in ("rectify", "erase"):
            _check_kind(purpose, do)
        if do == "erase":
            if not (erase_form.is_valid() and erase_form.cleaned_data["confirm"]):
                raise ValidationError(_("Bevestig dat wissen niet terug te draaien is."))
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
        messages.error(request, " ".join(error.messages))
    subject_requests.record_subject_read(subject, purpose, request=request)
    return render(
        request,
        "registry/subject_rights.html",
        {
            "subject": subject,
            "form": form,
            "erase_form": erase_form,
            "purpose": purpose,
            "items": _export_items(request, subject, purpose),
        },
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
