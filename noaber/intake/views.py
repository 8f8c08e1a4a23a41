"""Meldpunt pages: the public form and follow-up, the internal "niet pluis" form, the
advisors' inbox and report page, and the admin's partner keys."""

import time
from datetime import date

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control, never_cache

from noaber.accounts import partner_keys
from noaber.accounts.access import can, municipality_view, public_view
from noaber.accounts.models import Municipality, Organisation, PartnerToken
from noaber.audit.actions import record
from noaber.audit.models import Action
from noaber.lib.errors import ConflictError
from noaber.lib.files import download
from noaber.lib.pages import action_page, section_url, sections
from noaber.lib.paging import Sort, list_page
from noaber.themes.forms import AssignForm
from noaber.themes.terms import assignment_intro

from . import actions, geo, selectors, standard_texts, throttle
from .forms import MessageForm, ReceiptForm, ReportForm, StatusForm, TokenForm
from .models import Attachment, Category, Channel, Referral, Report, StandardText, Status

FOLLOW = "intake_follow_up"
FOLLOW_SECONDS = 15 * 60


def _too_many(request, template="intake/too_many.html"):
    return render(request, template, {"message": throttle.TOO_MANY}, status=429)


def _vizier_codes():
    return list(Category.objects.filter(referral=Referral.VIZIER).values_list("code", flat=True))


# --- Public: report and follow up -----------------------------------------------------------


@public_view(["GET"])
def choose_municipality(request):
    return render(
        request, "intake/choose.html", {"municipalities": Municipality.objects.order_by("name")}
    )


@public_view(["GET"], page=False)
@cache_control(public=True, max_age=3600)
def map_geometry(request, municipality):
    """The municipality's outline and kernen as GeoJSON, for the map on the report form: drawn
    from Noaber's own boundary data, so picking a point sends nothing anywhere else."""
    municipality = get_object_or_404(Municipality, cbs_code=municipality)
    response = JsonResponse(geo.map_features(municipality))
    response["Content-Type"] = "application/geo+json"
    return response


# Not carried to another municipality's form: the kern choice names an area of this one.
NOT_CARRIED = {"csrfmiddlewaretoken", "area", "attachments"}


def _elsewhere(request, form, *, url_name: str, user=None):
    """What the page needs to offer sending the report to the served municipality where the
    place lies: that municipality, its form's URL and everything typed, to post there."""
    refusal = getattr(form, "refusal", None)
    if refusal is None or refusal.elsewhere is None:
        return None
    if user is not None and not can(user, "intake.internal", refusal.elsewhere):
        return None
    return {
        "municipality": refusal.elsewhere,
        "url": reverse(url_name, args=[refusal.elsewhere.cbs_code]),
        "fields": [
            (name, value)
            for name, values in request.POST.lists()
            if name not in NOT_CARRIED
            for value in values
        ],
    }


@public_view(["GET", "POST"])
@never_cache
def report_form(request, municipality):
    municipality = get_object_or_404(Municipality, cbs_code=municipality)
    form = ReportForm(request.POST or None, request.FILES or None, municipality=municipality)
    if request.method == "POST":
        if throttle.exceeded(throttle.REPORTS, request):
            return _too_many(request)
        # Counted before validation: refused uploads cost the server work too.
        throttle.count(throttle.REPORTS, request)
        if form.is_valid():
            data = form.cleaned_data
            result = actions.submit_report(
                municipality, data, channel=Channel.WEB, files=data["attachments"]
            )
            # The receipt is shown in this response only: no redirect that could carry it,
            # and `never_cache` keeps it out of every cache.
            return render(
                request,
                "intake/received.html",
                {"result": result, "municipality": municipality},
                status=200 if result.duplicate else 201,
            )
    return render(
        request,
        "intake/report_form.html",
        {
            "form": form,
            "municipality": municipality,
            "vizier_codes": _vizier_codes(),
            "elsewhere": _elsewhere(request, form, url_name="intake:report"),
        },
    )


def _followed(request) -> Report | None:
    data = request.session.get(FOLLOW)
    if not data or time.time() - data["at"] > FOLLOW_SECONDS:
        request.session.pop(FOLLOW, None)
        return None
    return (
        Report.objects.select_related("category", "municipality").filter(pk=data["report"]).first()
    )


@public_view(["GET", "POST"])
@never_cache
def follow_up_start(request):
    form = ReceiptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if throttle.exceeded(throttle.FAILED_LOOKUPS, request):
            return _too_many(request)
        report = actions.find_by_receipt(form.cleaned_data["receipt"])
        if report is None:
            throttle.count(throttle.FAILED_LOOKUPS, request)
            form.add_error(
                "receipt",
                _(
                    "Wij vinden geen melding bij dit bonnummer. Controleer het en probeer het "
                    "opnieuw."
                ),
            )
        else:
            request.session.cycle_key()
            request.session[FOLLOW] = {"report": report.pk, "at": time.time()}
            return redirect("intake:follow_up")
    return render(request, "intake/follow_up_start.html", {"form": form})


@public_view(["GET", "POST"])
@never_cache
def follow_up(request):
    report = _followed(request)
    if report is None:
        messages.info(request, _("Vul uw bonnummer in om uw melding te bekijken."))
        return redirect("intake:follow_up_start")
    form = MessageForm(request.POST or None)
    if request.method == "POST":
        if throttle.exceeded(throttle.MESSAGES, request):
            return _too_many(request)
        if form.is_valid():
            throttle.count(throttle.MESSAGES, request)
            actions.post_reporter_message(report, form.cleaned_data["body"])
            messages.success(request, _("Uw bericht is verstuurd."))
            return redirect("intake:follow_up")
    else:
        actions.record_follow_up_read(report)
    return render(
        request,
        "intake/follow_up.html",
        {"report": report, "thread": report.messages.all(), "form": form},
    )


@public_view(["POST"], page=False)
def follow_up_end(request):
    request.session.pop(FOLLOW, None)
    messages.success(request, _("U bent afgemeld bij uw melding."))
    return redirect("intake:follow_up_start")


# --- Staff: "niet pluis" -------------------------------------------------------------------


@municipality_view("intake.internal", ["GET", "POST"])
def internal_form(request, municipality):
    form = ReportForm(
        request.POST or None, request.FILES or None, municipality=municipality, internal=True
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        result = actions.submit_report(
            municipality,
            data,
            channel=Channel.INTERNAL,
            source="employee",
            reporter=request.user,
            files=data["attachments"],
            request=request,
        )
        messages.success(
            request,
            _("Uw niet-pluismelding %(number)s is ontvangen. Hieronder ziet u de status.")
            % {"number": result.report.number},
        )
        return redirect("intake:mine", municipality.cbs_code)
    return render(
        request,
        "intake/internal_form.html",
        {
            "form": form,
            "vizier_codes": _vizier_codes(),
            "elsewhere": _elsewhere(request, form, url_name="intake:internal", user=request.user),
        },
    )


@municipality_view("intake.internal")
def my_reports(request, municipality):
    reports = Report.objects.filter(municipality=municipality, reporter=request.user)
    return render(request, "intake/mine.html", {"reports": reports.select_related("category")})


# --- Staff: the advisors' inbox and report page -------------------------------------------


def get_report_for(user, municipality, pk, *, request) -> Report:
    """A report of `municipality` that `user` may read; the read is audited."""
    report = get_object_or_404(
        Report.objects.select_related("category", "area", "reporter", "partner"),
        municipality=municipality,
        pk=pk,
    )
    if not can(user, "intake.inbox", report):
        raise Http404
    record(
        Action.VIEW,
        request=request,
        municipality=municipality,
        object_type="report",
        object_id=report.pk,
        reason="triage",
    )
    return report


# The inbox's sortable columns: one line per column (key in ?sorteer=, ORM path, header). The
# inbox can hold a million reports, so it sorts only on columns with an index (see
# Report.Meta.indexes): sorting a million rows on a column without one takes seconds.
INBOX_SORTS = {
    "datum": Sort("created_at", gettext_lazy("Ontvangen")),
    "status": Sort("status", gettext_lazy("Status")),
    "streefdatum": Sort("due_date", gettext_lazy("Streefdatum")),
}
OPEN_STATUSES = (Status.RECEIVED, Status.IN_PROGRESS)


@municipality_view("intake.inbox")
def inbox(request, municipality):
    """The meldingen, newest first (open ones: overdue first); `?status=` filters on a status,
    `?nieuw=1` shows the reports not yet in a signal and not closed (what the dashboard counts
    as new)."""
    reports = Report.objects.filter(municipality=municipality).select_related(
        "category", "area", "handler"
    )
    status = request.GET.get("status", "")
    if status in Status.values:
        reports = reports.filter(status=status)
    new_only = request.GET.get("nieuw") == "1"
    if new_only:
        reports = reports.filter(pk__in=selectors.new_reports(municipality).values("pk"))
    # Open work comes overdue first (the soonest streefdatum first); the whole inbox, closed
    # reports included, newest first.
    open_work = new_only or status in OPEN_STATUSES
    listing = list_page(
        request, reports, INBOX_SORTS, default="streefdatum" if open_work else "-datum"
    )
    return render(
        request,
        "intake/inbox.html",
        {
            "listing": listing,
            "statuses": Status.choices,
            "selected_status": status,
            "new_only": new_only,
        },
        status=listing.status,
    )


STATUS_TONE = {Status.RECEIVED: "info", Status.IN_PROGRESS: "warning", Status.CLOSED: "neutral"}


@municipality_view("intake.inbox")
def report_detail(request, municipality, pk):
    """A report: a header with its key facts, status and next steps, then one section at a
    time (Overzicht · Berichten · Geschiedenis)."""
    report = get_report_for(request.user, municipality, pk, request=request)
    thread = list(report.messages.select_related("author"))
    history = list(report.history.select_related("actor"))
    tabs, current = sections(
        request,
        [
            ("overzicht", _("Overzicht")),
            ("berichten", _("Berichten"), len(thread)),
            ("geschiedenis", _("Geschiedenis"), len(history)),
        ],
    )
    return render(
        request,
        "intake/report_detail.html",
        {
            "report": report,
            "tabs": tabs,
            "section": current,
            "status_tone": STATUS_TONE.get(report.status, "neutral"),
            "thread": thread,
            "history": history,
            "attachments": report.attachments.all(),
            "signals": report.signals.all(),
            "may_register": selectors.may_become_signal(report)
            and can(request.user, "registry.work", municipality),
            "may_change_status": bool(actions.status_choices(report)),
            "may_refer": report.category.referral == Referral.VIZIER,
        },
    )


def _report_action(request, municipality, report, title, section):
    back = section_url(reverse("intake:detail", args=[municipality.cbs_code, report.pk]), section)
    return back, {
        "object_url": back,
        "object_label": _("Melding %(n)s") % {"n": report.number},
        "title": title,
        "report": report,
    }


@municipality_view("intake.inbox", ["GET", "POST"])
def report_status(request, municipality, pk):
    """Change the status (and the text the reporter reads with the receipt)."""
    report = get_report_for(request.user, municipality, pk, request=request)
    back, context = _report_action(request, municipality, report, _("Status wijzigen"), None)
    form = StatusForm(
        request.POST if request.method == "POST" else None,
        choices=actions.status_choices(report),
        initial={"seen_status": report.status},
    )

    def run(data):
        actions.change_status(
            report,
            data["status"],
            data["public_text"],
            actor=request.user,
            request=request,
            expected=data["seen_status"] or None,
            standard_text=standard_texts.used(
                municipality, report, StandardText.Kind.STATUS, data["standard_text"],
                data["public_text"],
            ),
        )  # fmt: skip

    context["intro"] = _("Nu: %(s)s.") % {"s": report.get_status_display()}
    context |= standard_texts.offer(
        request, municipality, report, StandardText.Kind.STATUS, form, "public_text"
    )
    form.fields["public_text"].widget.attrs["rows"] = 6  # room for a standard text
    return action_page(
        request,
        form,
        run,
        success_url=back,
        context=context,
        template="intake/report_action.html",
        success_message=_("De status is bijgewerkt."),
    )


@municipality_view("intake.inbox", ["GET", "POST"])
def report_message(request, municipality, pk):
    """A question or message to the reporter, who reads it with the receipt code."""
    report = get_report_for(request.user, municipality, pk, request=request)
    title = _("Bericht aan de melder")
    back, context = _report_action(request, municipality, report, title, "berichten")
    form = MessageForm(request.POST if request.method == "POST" else None)

    def run(data):
        used = standard_texts.used(
            municipality, report, StandardText.Kind.REPLY, data["standard_text"], data["body"]
        )
        actions.post_advisor_message(
            report, data["body"], actor=request.user, request=request, standard_text=used
        )

    context["intro"] = _(
        "De melder leest het bericht met het bonnummer; noem geen namen en "
        "niets over het onderzoek."
    )
    context["submit_label"] = _("Bericht versturen")
    context |= standard_texts.offer(
        request, municipality, report, StandardText.Kind.REPLY, form, "body"
    )
    form.fields["body"].widget.attrs["rows"] = 8  # room for a standard text
    return action_page(
        request,
        form,
        run,
        success_url=back,
        context=context,
        template="intake/report_action.html",
        success_message=_("Het bericht staat klaar voor de melder."),
    )


@municipality_view("intake.inbox", ["GET", "POST"])
def report_assign(request, municipality, pk):
    """Behandelaar en streefdatum: assign, reassign or take over (?overnemen=1 proposes the
    user), and move the streefdatum with a reason. A report has no version; the form carries
    the handler and streefdatum the page showed, and a report changed meanwhile is refused."""
    report = get_report_for(request.user, municipality, pk, request=request)
    back, context = _report_action(
        request, municipality, report, _("Behandelaar en streefdatum"), None
    )
    initial = {"seen": f"{report.handler_id or ''}|{report.due_date or ''}"}
    if request.GET.get("overnemen"):
        initial["handler"] = request.user.pk
    form = AssignForm(
        request.POST if request.method == "POST" else None,
        municipality=municipality,
        rule="intake.inbox",
        handler=report.handler,
        due_date=report.due_date,
        initial=initial,
    )
    form.fields["seen"] = forms.CharField(widget=forms.HiddenInput, required=False)

    def run(data):
        handler_id, _sep, due = (data.get("seen") or "|").partition("|")
        try:
            seen = (int(handler_id) if handler_id else None,
                    date.fromisoformat(due) if due else None)  # fmt: skip
        except ValueError:
            # A changed hidden field: treated as a page that no longer shows the report.
            raise ConflictError(
                _("Deze pagina klopt niet meer met de melding. Open haar opnieuw.")
            ) from None
        actions.assign_report(report, data["handler"], data["due_date"], data["reason"],
                              actor=request.user, request=request, seen=seen)  # fmt: skip

    context["intro"] = assignment_intro(report.handler, report.due_date, report.due_date_reason)
    context["submit_label"] = _("Vastleggen")
    return action_page(
        request,
        form,
        run,
        success_url=back,
        context=context,
        success_message=_("Behandelaar en streefdatum zijn vastgelegd."),
    )


@municipality_view("intake.inbox", ["POST"], page=False)
def report_refer(request, municipality, pk):
    report = get_report_for(request.user, municipality, pk, request=request)
    try:
        actions.refer(report, actor=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("De melding is doorgestuurd naar Stichting Vizier."))
    return redirect("intake:detail", municipality.cbs_code, report.pk)


@municipality_view("intake.inbox", page=False)
def attachment_download(request, municipality, pk, attachment):
    report = get_report_for(request.user, municipality, pk, request=request)
    item = get_object_or_404(Attachment, report=report, pk=attachment)
    extension = item.file.name.rsplit(".", 1)[-1]
    # Checked first: an altered file is refused (and audited as such) before a read is logged.
    response = download(
        item.file, filename=f"{report.number}-{item.pk}.{extension}", content_type=item.content_type
    )
    record(
        Action.VIEW,
        request=request,
        municipality=municipality,
        object_type="attachment",
        object_id=item.pk,
        detail={"report": report.pk},
    )
    return response


# --- Admin: partner API keys -----------------------------------------------------------------


@municipality_view("intake.tokens", ["GET", "POST"])
def partner_tokens(request, municipality):
    form = TokenForm(request.POST or None)
    form.fields["organisation"].queryset = Organisation.objects.filter(
        kind__in=Organisation.PARTNER_KINDS
    )
    plain = None
    if request.method == "POST" and form.is_valid():
        token, plain = partner_keys.create_partner_token(
            form.cleaned_data["organisation"],
            [municipality],
            form.cleaned_data["name"],
            actor=request.user,
            request=request,
        )
        form = TokenForm()
        form.fields["organisation"].queryset = Organisation.objects.filter(
            kind__in=Organisation.PARTNER_KINDS
        )
    tokens = PartnerToken.objects.filter(municipalities=municipality).select_related("organisation")
    response = render(
        request,
        "intake/partner_tokens.html",
        {"form": form, "tokens": tokens, "plain": plain},
    )
    response["Cache-Control"] = "no-store"
    return response


@municipality_view("intake.tokens", ["POST"], page=False)
def partner_token_revoke(request, municipality, pk):
    token = get_object_or_404(PartnerToken, municipalities=municipality, pk=pk)
    if token.revoked_at is None:
        partner_keys.revoke_partner_token(token, actor=request.user, request=request)
        messages.success(request, _("De sleutel is ingetrokken; hij werkt niet meer."))
    return redirect("intake:tokens", municipality.cbs_code)
