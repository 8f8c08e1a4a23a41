"""The council report (raadsrapportage) as a page and as a PDF, from one template. Counts only;
making a report is audited. A report that cannot be made (no IVP, a year outside it) shows
why and changes nothing."""

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from noaber.accounts.access import municipality_view
from noaber.audit.actions import record
from noaber.audit.models import Action
from noaber.insight.forms import FIRST_YEAR
from noaber.lib.pdf import PdfUnavailableError

from .report import ReportError, build_report, default_year

PDF_TEMPLATE = "policy/council_report_pdf.html"


class ReportYearForm(forms.Form):
    jaar = forms.IntegerField(
        label=_("Jaar"),
        required=False,
        min_value=FIRST_YEAR,
        max_value=2100,
        error_messages={
            "invalid": _("Vul een jaar in als getal, bijvoorbeeld 2025."),
            "min_value": _("Kies een jaar binnen de looptijd van het IVP."),
            "max_value": _("Kies een jaar binnen de looptijd van het IVP."),
        },
    )


def audit_report(action, municipality, year, fmt, *, request=None, origin=None):
    record(
        action,
        request=request,
        municipality=municipality,
        object_type="council_report",
        object_id=f"{municipality.cbs_code}-{year}",
        detail={"format": fmt},
        origin=origin,
    )


def render_report_pdf(report: dict) -> bytes:
    """The tagged PDF (PDF/UA) of a built report."""
    from noaber.lib.pdf import render_pdf

    return render_pdf(PDF_TEMPLATE, {"report": report})


def render_report_html(report: dict) -> str:
    """The report as a standalone HTML document (the PDF's source)."""
    return render_to_string(PDF_TEMPLATE, {"report": report})


def _page(request, form, *, report=None, error=None, status=200):
    """The report page: the report, or why there is none (in Dutch, with the form)."""
    context = {"form": form, "report": report, "error": error}
    return render(request, "policy/council_report_page.html", context, status=status)


@municipality_view("policy.report")
def report(request, municipality):
    form = ReportYearForm(request.GET or None)
    if request.GET and not form.is_valid():
        return _page(request, form, status=400)
    try:
        year = (form.cleaned_data.get("jaar") if request.GET else None) or default_year(
            municipality
        )
        built = build_report(municipality, year)
    except ReportError as error:
        return _page(request, form, error=str(error), status=400)
    audit_report(Action.VIEW, municipality, year, "html", request=request)
    return _page(request, form, report=built)


@municipality_view("policy.report", page=False)
def report_pdf(request, municipality):
    """The PDF; a year it cannot be made for gets the Dutch report page with the reason
    (HTTP 400), not a file."""
    form = ReportYearForm(request.GET or None)
    if request.GET and not form.is_valid():
        return _page(request, form, status=400)
    try:
        year = (form.cleaned_data.get("jaar") if request.GET else None) or default_year(
            municipality
        )
        built = build_report(municipality, year)
        pdf = render_report_pdf(built)
    except ReportError as error:
        return _page(request, form, error=str(error), status=400)
    except PdfUnavailableError as error:
        return _page(request, form, error=str(error), status=503)
    audit_report(Action.EXPORT, municipality, year, "pdf", request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"raadsrapportage-{municipality.cbs_code}-{year}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
