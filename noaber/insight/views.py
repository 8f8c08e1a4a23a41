"""The veiligheidsbeeld pages: the dashboard per municipality or for Noordoost-Twente, the
start-versus-end comparison, and exports. Aggregates only: nothing here names a person."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from noaber.accounts.access import municipality_view
from noaber.lib.tables import csv_response, xlsx_response

from . import dashboard as builder
from .figures import years_with_data
from .forms import ComparisonForm, YearForm


def _year(municipality, form) -> int:
    years = years_with_data(municipality)
    chosen = form.cleaned_data.get("jaar") if form.is_valid() else None
    if chosen:
        return chosen
    this_year = timezone.localdate().year
    past = [y for y in years if y <= this_year]
    return past[-1] if past else this_year


@municipality_view("insight.view")
def dashboard(request, municipality):
    form = YearForm(request.GET or None)
    year = _year(municipality, form)
    whole = form.is_valid() and form.cleaned_data.get("gebied") == "regio"
    context = builder.build(municipality, year, whole_region=whole)
    context |= {"form": form, "available": years_with_data(municipality)}
    return render(request, "insight/dashboard.html", context)


@municipality_view("insight.view")
def comparison(request, municipality):
    years = years_with_data(municipality)
    initial = {"van": 2023, "tot": timezone.localdate().year}
    form = ComparisonForm(request.GET or None, initial=initial)
    context = {"form": form, "available": years}
    if form.is_valid():
        a, b = form.cleaned_data["van"], form.cleaned_data["tot"]
        whole = form.cleaned_data.get("gebied") == "regio"
        context |= builder.comparison(municipality, a, b, whole_region=whole)
    return render(request, "insight/comparison.html", context)


def _export_rows(context):
    header = [_("Indicator"), _("Eenheid"), *[str(y) for y in context["years"]]]
    rows = []
    for domain in context["domains"]:
        for row in domain["rows"]:
            rows.append(
                [row["indicator"].name, str(row["indicator"].get_unit_display()), *row["cells"]]
            )
    key_header = [_("Kerncijfer"), _("Waarde"), _("Per 10.000"), _("Noordoost-Twente"),
                  _("Nederland"), *[m.name for m in context["neighbours"]]]  # fmt: skip
    key_rows = [
        [r["indicator"].name, r["value"], r["rate"], r["region"], r["national"], *r["neighbours"]]
        for r in context["key_rows"]
    ]
    theme_header = [_("Thema"), *[str(k) for k in context["kinds"]]]
    theme_rows = [[str(r["theme"]), *r["cells"]] for r in context["theme_rows"]]
    area_rows = [[r["area"].name, r["shown"]] for r in context["areas"]]
    return [
        (_("Kerncijfers %(y)d") % {"y": context["year"]}, key_header, key_rows),
        (_("Indicatoren"), header, rows),
        (_("Register per thema"), theme_header, theme_rows),
        (_("Register per gebied"), [_("Gebied"), _("Meldingen en signalen")], area_rows),
    ]


@municipality_view("insight.view", page=False, example=lambda m: {"fmt": "csv"})
def export(request, municipality, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    form = YearForm(request.GET or None)
    year = _year(municipality, form)
    whole = form.is_valid() and form.cleaned_data.get("gebied") == "regio"
    context = builder.build(municipality, year, whole_region=whole)
    sheets = _export_rows(context)
    name = f"veiligheidsbeeld-{'noordoost-twente' if whole else municipality.cbs_code}-{year}"
    if fmt == "xlsx":
        return xlsx_response(f"{name}.xlsx", sheets)
    # One CSV holds the sections one after the other, each with its title and header.
    rows = []
    for title, header, body in sheets:
        rows += [[title], header, *body, []]
    return csv_response(f"{name}.csv", [_("Veiligheidsbeeld"), context["own_name"], year], rows)
