"""The archivist's pages: destruction lists, one case's archive fields (no content), transfer.

What these pages show of a case: number, case type, result, closing date, archive term and
the ZGW archive fields — never its title, texts, names or subjects.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from noaber.accounts.access import municipality_view
from noaber.audit.actions import record
from noaber.audit.models import Action, Result
from noaber.cases import archiving
from noaber.cases.models import Archiefnominatie
from noaber.lib.paging import Sort, list_page

from . import actions
from .forms import HoldForm, LookupForm, RefuseForm
from .models import DestructionList, DestructionListItem, TransferPackage


def _errors(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


def _audit_read(request, municipality, object_type, pk, found) -> None:
    record(
        Action.VIEW if found else Action.DENIED,
        request=request,
        municipality=municipality,
        object_type=object_type,
        object_id=pk,
        reason="archief",
        result=Result.SUCCESS if found else Result.DENIED,
    )
    if not found:
        raise Http404


# Sortable columns (noaber.lib.paging): one line per column — key in ?sorteer=, ORM path, header.
LIST_SORTS = {
    "opgesteld": Sort("created_at", gettext_lazy("Opgesteld")),
    "status": Sort("status", gettext_lazy("Status")),
}
TRANSFER_SORTS = {
    "nummer": Sort("pk", gettext_lazy("Casus")),
    "zaaktype": Sort("case_type__name", gettext_lazy("Zaaktype")),
    "overbrengen": Sort("archiefactiedatum", gettext_lazy("Overbrengen op")),
}
HELD_SORTS = {"nummer": Sort("pk", gettext_lazy("Casus"))}


@municipality_view("archive.work", ["GET", "POST"])
def overview(request, municipality):
    today = timezone.localdate()
    lookup = LookupForm(request.GET if "number" in request.GET else None)
    if lookup.is_bound and lookup.is_valid():
        return redirect("archive:case", municipality.cbs_code, lookup.cleaned_data["number"])
    if request.method == "POST":
        try:
            made = actions.make_destruction_list(municipality, actor=request.user, request=request)
        except ValidationError as error:
            _errors(request, error)
            return redirect("archive:overview", municipality.cbs_code)
        messages.success(request, _("Vernietigingslijst %(n)s opgesteld.") % {"n": made.number})
        return redirect("archive:list", municipality.cbs_code, made.pk)
    pending = actions.pending_case_ids(municipality)
    closed = archiving.closed_cases(municipality)
    transfer = closed.filter(archiefnominatie=Archiefnominatie.BLIJVEND_BEWAREN)
    pages = {
        "lists": list_page(
            request, DestructionList.objects.filter(municipality=municipality), LIST_SORTS,
            default="-opgesteld", prefix="l_",
        ),
        "transfer": list_page(
            request, transfer, TRANSFER_SORTS, default="overbrengen", prefix="o_"
        ),
        "held": list_page(
            request, closed.filter(legal_hold=True), HELD_SORTS, default="-nummer", prefix="b_"
        ),
    }  # fmt: skip
    return render(
        request,
        "archive/overview.html",
        {
            **pages,
            "due_count": archiving.due_for_destruction(municipality, today)
            .exclude(pk__in=pending)
            .count(),
            "lookup": lookup,
            "today": today,
        },
        status=max(p.status for p in pages.values()),
    )


@municipality_view("archive.work", ["GET", "POST"])
def destruction_list(request, municipality, pk):
    found = DestructionList.objects.filter(municipality=municipality, pk=pk).first()
    _audit_read(request, municipality, "destruction_list", pk, found)
    refuse_form, refused_item = None, None
    if request.method == "POST":
        try:
            if request.POST.get("do") == "approve":
                done = actions.approve_list(found, actor=request.user, request=request)
                skipped = done.items.filter(status=DestructionListItem.Status.SKIPPED).count()
                messages.success(
                    request,
                    _("Vernietigingslijst %(n)s goedgekeurd; %(s)d casus(sen) overgeslagen.")
                    % {"n": done.number, "s": skipped},
                )
                return redirect("archive:list", municipality.cbs_code, found.pk)
            if request.POST.get("do") == "refuse":
                refused_item = found.items.filter(pk=request.POST.get("item") or 0).first()
                refuse_form = RefuseForm(request.POST, prefix=f"i{request.POST.get('item')}")
                if refused_item is None:
                    raise Http404
                if refuse_form.is_valid():
                    d = refuse_form.cleaned_data
                    actions.refuse_item(refused_item, d["reason"], d["new_date"],
                                        actor=request.user, request=request)  # fmt: skip
                    messages.success(
                        request,
                        _("Casus %(n)s blijft bewaard tot %(d)s.")
                        % {"n": refused_item.case_number, "d": d["new_date"].strftime("%d-%m-%Y")},
                    )
                    return redirect("archive:list", municipality.cbs_code, found.pk)
        except ValidationError as error:
            _errors(request, error)
            if refuse_form is None or refuse_form.is_valid():
                return redirect("archive:list", municipality.cbs_code, found.pk)
    items = [
        (item, refuse_form if item == refused_item else RefuseForm(prefix=f"i{item.pk}"))
        for item in found.items.all()
    ]
    return render(
        request,
        "archive/list.html",
        {"list": found, "items": items, "is_open": found.status == DestructionList.Status.OPEN},
    )


@municipality_view("archive.work", ["GET", "POST"])
def case_archive(request, municipality, pk):
    case = archiving.closed_cases(municipality).filter(pk=pk).first()
    _audit_read(request, municipality, "case", pk, case)
    form = HoldForm(request.POST if request.POST.get("do") in ("hold", "release") else None)
    if request.method == "POST":
        try:
            if request.POST.get("do") == "transfer":
                package = TransferPackage.objects.filter(
                    case=case, pk=request.POST.get("package") or 0
                ).first()
                if package is None:
                    raise ValidationError(_("Kies het pakket dat is overgedragen."))
                actions.confirm_transfer(package, actor=request.user, request=request)
                messages.success(request, _("Overdracht bevestigd."))
                return redirect("archive:case", municipality.cbs_code, case.pk)
            if form.is_bound and form.is_valid():
                hold = request.POST["do"] == "hold"
                archiving.set_legal_hold(case, hold, form.cleaned_data["reason"],
                                         actor=request.user, request=request)  # fmt: skip
                messages.success(
                    request, _("Bewaarplicht vastgelegd.") if hold else _("Bewaarplicht opgeheven.")
                )
                return redirect("archive:case", municipality.cbs_code, case.pk)
        except ValidationError as error:
            _errors(request, error)
            return redirect("archive:case", municipality.cbs_code, case.pk)
    return render(
        request,
        "archive/case.html",
        {
            "case": case,
            "held_by": archiving.hold_reason(case),
            "hold_form": form,
            "packages": TransferPackage.objects.filter(case=case),
            "items": DestructionListItem.objects.filter(case=case).select_related(
                "destruction_list"
            ),
        },
    )
