"""The register of processing activities (verwerkingsregister, AVG art. 30) for the privacy
officer: read and printed (HTML with a print style, or a tagged PDF), and each activity's
description kept up to date. It lives in `accounts`, beside the audit log page, because it
needs the access rules; the register itself is `noaber.audit` data (docs/verwerkingen.md)."""

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from noaber.audit.actions import record
from noaber.audit.models import Action, ProcessingActivity
from noaber.audit.register import EDITABLE, register, update_activity
from noaber.lib.pdf import PdfUnavailableError, render_pdf

from .access import municipality_view


class ActivityForm(forms.ModelForm):
    class Meta:
        model = ProcessingActivity
        fields = EDITABLE
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ("data_categories", "subject_categories", "recipients", "security")
        }


def _context(municipality) -> dict:
    return {"activities": register(), "printed_at": timezone.now(), "municipality": municipality}


@municipality_view("audit.register")
def register_page(request, municipality):
    """The whole register; `?formaat=pdf` for the same as a PDF. Reading it is audited."""
    as_pdf = request.GET.get("formaat") == "pdf"
    context = _context(municipality)
    record(
        Action.EXPORT if as_pdf else Action.VIEW,
        request=request,
        municipality=municipality,
        object_type="processing_activity",
        detail={"format": "pdf" if as_pdf else "html", "count": len(context["activities"])},
    )
    if not as_pdf:
        return render(request, "audit/register.html", context)
    try:
        pdf = render_pdf("audit/register_pdf.html", context)
    except PdfUnavailableError as error:
        return render(request, "audit/register.html", {**context, "pdf_error": str(error)})
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"verwerkingsregister-{municipality.cbs_code}-{timezone.localdate():%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@municipality_view("audit.register", methods=("GET", "POST"))
def edit_activity(request, municipality, code):
    activity = ProcessingActivity.objects.filter(code=code).first()
    if activity is None:
        raise Http404
    form = ActivityForm(request.POST or None, instance=activity)
    if request.method == "POST" and form.is_valid():
        # The form changed the instance in place; the action compares with the stored row.
        stored = ProcessingActivity.objects.get(pk=activity.pk)
        update_activity(
            stored,
            {name: form.cleaned_data[name] for name in EDITABLE},
            actor=request.user,
            request=request,
            municipality=municipality,
        )
        return redirect(f"{reverse('audit:register', args=[municipality.cbs_code])}#{code}")
    return render(
        request,
        "audit/register_edit.html",
        {
            "form": form,
            "activity": activity,
            "cancel_url": reverse("audit:register", args=[municipality.cbs_code]),
            "title": _("Verwerkingsactiviteit wijzigen"),
        },
    )
