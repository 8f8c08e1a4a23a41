"""Sharing agreements and what partners viewed. (The partner portal is noaber/portal.)"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from noaber.accounts.access import can, municipality_view
from noaber.accounts.audit_log import event_rows
from noaber.accounts.models import User
from noaber.audit.actions import record
from noaber.audit.models import Action, AuditEvent
from noaber.lib.files import download
from noaber.lib.pages import sections
from noaber.lib.paging import Sort, list_page

from . import actions
from .forms import AgreementForm, partners_of
from .models import DataCategory, SharingAgreement

# --- Sharing agreements --------------------------------------------------------------------


def get_agreement_for(municipality, pk) -> SharingAgreement:
    return get_object_or_404(SharingAgreement, municipalities=municipality, pk=pk)


def _status(agreement, today):
    if agreement.valid_on(today):
        return _("geldig")
    return _("nog niet ingegaan") if today < agreement.valid_from else _("verlopen")


# Sortable columns (noaber.lib.paging): one line per column — key in ?sorteer=, ORM path, header.
AGREEMENT_SORTS = {
    "naam": Sort("name", _lazy("Naam")),
    "geldig": Sort("valid_from", _lazy("Geldig")),
}


@municipality_view("partners.agreements")
def agreement_list(request, municipality):
    today = timezone.localdate()
    agreements = SharingAgreement.objects.filter(municipalities=municipality).prefetch_related(
        "organisations"
    )
    labels = dict(DataCategory.choices)
    agreements = list_page(request, agreements, AGREEMENT_SORTS, default="naam")
    rows = [
        {
            "agreement": a,
            "status": _status(a, today),
            "valid": a.valid_on(today),
            "categories": [labels.get(c, c) for c in a.data_categories],
        }
        for a in agreements
    ]
    return render(
        request,
        "partners/agreement_list.html",
        {
            "rows": rows,
            "listing": agreements,
            "may_manage": can(request.user, "partners.agreements_manage", municipality),
        },
        status=agreements.status,
    )


def _agreement_form(request, municipality, agreement):
    form = AgreementForm(
        request.POST or None,
        request.FILES or None,
        instance=agreement,
        municipality=municipality,
        initial={"data_categories": agreement.data_categories} if agreement else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # Parties this municipality does not work with are kept as they are.
        kept = (
            list(agreement.organisations.exclude(pk__in=partners_of(municipality)))
            if (agreement)
            else []
        )
        try:
            saved = actions.save_agreement(
                SharingAgreement.objects.get(pk=agreement.pk) if agreement else None,
                {name: data[name] for name in actions.AGREEMENT_FIELDS},
                list(data["organisations"]) + kept,
                municipality,
                actor=request.user,
                request=request,
                document=data.get("document"),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Convenant '%(a)s' is opgeslagen.") % {"a": saved})
            return redirect("partners:agreement", municipality.cbs_code, saved.pk)
    return render(request, "partners/agreement_form.html", {"form": form, "agreement": agreement})


@municipality_view("partners.agreements_manage", ["GET", "POST"])
def agreement_create(request, municipality):
    return _agreement_form(request, municipality, None)


@municipality_view("partners.agreements_manage", ["GET", "POST"])
def agreement_edit(request, municipality, pk):
    return _agreement_form(request, municipality, get_agreement_for(municipality, pk))


@municipality_view("partners.agreements")
def agreement_detail(request, municipality, pk):
    agreement = get_agreement_for(municipality, pk)
    labels = dict(DataCategory.choices)
    # Shares and tasks given under it, through the reverse relations (their apps sit above).
    shares = list(
        agreement.case_shares.filter(case__municipality=municipality).select_related(
            "organisation", "shared_by"
        )
    )
    tabs, current = sections(
        request, [("overzicht", _("Overzicht")), ("gedeeld", _("Gedeelde casussen"), len(shares))]
    )
    today = timezone.localdate()
    if agreement.valid_on(today):
        tone = "ok"
    else:
        tone = "warning" if today < agreement.valid_from else "danger"
    return render(
        request,
        "partners/agreement.html",
        {
            "tabs": tabs,
            "section": current,
            "badge_tone": tone,
            "agreement": agreement,
            "status": _status(agreement, today),
            "categories": [labels.get(c, c) for c in agreement.data_categories],
            "shares": shares,
            "disclosures": agreement.disclosure_set.filter(
                signal__municipality=municipality
            ).count(),
            "tasks": agreement.task_set.filter(case__municipality=municipality).count(),
            "may_manage": actions.may_edit(request.user, agreement),
        },
    )


@municipality_view("partners.agreements", page=False)
def agreement_document(request, municipality, pk):
    agreement = get_agreement_for(municipality, pk)
    if not agreement.document:
        raise Http404
    response = download(
        agreement.document,
        filename=agreement.document_name or "convenant.pdf",
        content_type="application/pdf",
    )
    actions.record_document_read(agreement, municipality, request=request)
    return response


@municipality_view("partners.agreements", page=False)
def agreement_document_version(request, municipality, pk, version):
    agreement = get_agreement_for(municipality, pk)
    earlier = get_object_or_404(agreement.document_versions, pk=version)
    response = download(
        earlier.document,
        filename=earlier.document_name or "convenant.pdf",
        content_type="application/pdf",
    )
    actions.record_document_read(agreement, municipality, request=request, version=earlier)
    return response


# --- What partners viewed ------------------------------------------------------------------


VIEWED_SORTS = {"tijdstip": Sort("id", _lazy("Tijdstip"))}


@municipality_view("partners.viewed")
def viewed(request, municipality):
    """Everything the users of one partner organisation did in this municipality, from the
    audit log: the municipality can see what each partner viewed."""
    organisations = partners_of(municipality).filter(users__isnull=False).distinct()
    wanted = request.GET.get("organisatie", "")
    chosen = organisations.filter(pk=int(wanted)).first() if wanted.isdigit() else None
    chosen = chosen or organisations.first()
    events = AuditEvent.objects.none()
    if chosen is not None:
        events = AuditEvent.objects.filter(
            municipality=municipality.cbs_code,
            actor_id__in=list(
                User.objects.filter(organisation=chosen).values_list("pk", flat=True)
            ),
        )
    events = list_page(request, events, VIEWED_SORTS, default="-tijdstip")
    record(
        Action.VIEW,
        request=request,
        municipality=municipality,
        object_type="partner_views",
        object_id=chosen.pk if chosen else "",
    )
    return render(
        request,
        "partners/viewed.html",
        {
            "organisations": organisations,
            "chosen": chosen,
            "rows": event_rows(events.items, municipality, request.user),
            "listing": events,
        },
        status=events.status,
    )
