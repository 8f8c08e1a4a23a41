"""PLACEHOLDER — being written (council report page and PDF)."""

from django.http import HttpResponse

from noaber.accounts.access import municipality_view


@municipality_view("policy.report")
def report(request, municipality):
    return HttpResponse("<main>rapport</main>")


@municipality_view("policy.report", page=False)
def report_pdf(request, municipality):
    return HttpResponse(b"%PDF-", content_type="application/pdf")
