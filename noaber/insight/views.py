"""The veiligheidsbeeld pages: the dashboard per municipality or for Noordoost-Twente, the
start-versus-end comparison, and exports. Aggregates only: nothing here names a person."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from noaber.accounts.access import can, municipality_view
from noaber.audit.actions import record
from noaber.audit.models import Action, Result
from noaber.lib.charts import line_chart
from noaber.lib.dates import today
from noaber.lib.paging import Sort, list_page
from noaber.lib.tables import csv_response, xlsx_response

from . import aggregates
from . import dashboard as builder
from .alerts import handle_alert
from .figures import years_with_data
from .forms import AlertForm, ComparisonForm, MapForm, YearForm
from .models import Alert, RegisterCount
from .peak_text import month_text
from .series import police_series_for, series_for


def _year_status(municipality, year: int, this_year: int) -> dict:
    """Whether `year` has figures, and if not, the newest year up to this year that has them."""
    years = years_with_data(municipality)
    past = [y for y in years if y <= this_year]
    return {
        "has_figures": year in years,
        "newest": past[-1] if past else None,
        "this_year": this_year,
    }


def _bad_query(request, template, context):
    """A query value Noaber cannot use (?jaar=abc): the form with its Dutch messages, HTTP 400,
    and nothing else shown or changed."""
    return render(request, template, context | {"invalid": True}, status=400)


@municipality_view("insight.view")
def dashboard(request, municipality):
    """The veiligheidsbeeld of a year: this year unless another is asked for; where that year
    has no figures yet, the page says so and offers the newest year that has them."""
    this_year = today().year
    form = YearForm(request.GET or None, today=today(), initial={"jaar": this_year})
    if request.GET and not form.is_valid():
        return _bad_query(request, "insight/dashboard.html", {"form": form})
    year = (form.cleaned_data.get("jaar") if request.GET else None) or this_year
    whole = bool(request.GET) and form.cleaned_data.get("gebied") == "regio"
    figures = _year_status(municipality, year, this_year)
    trend_end = figures["newest"] if not figures["has_figures"] and year == this_year else None
    context = builder.build(municipality, year, whole_region=whole, trend_end=trend_end)
    context |= {"form": form, "figures": figures}
    return render(request, "insight/dashboard.html", context)


@municipality_view("insight.view")
def comparison(request, municipality):
    """Two years side by side; opened without a query it compares 2023 (the plans' baseline
    year) with the newest year that has figures."""
    this_year = today().year
    newest = _year_status(municipality, this_year, this_year)["newest"] or this_year
    start = min(2023, newest - 1)
    data = request.GET or {"van": start, "tot": newest}
    form = ComparisonForm(data, today=today())
    context = {"form": form}
    if not form.is_valid():
        return render(request, "insight/comparison.html", context, status=400)
    a, b = form.cleaned_data["van"], form.cleaned_data["tot"]
    whole = form.cleaned_data.get("gebied") == "regio"
    context |= builder.comparison(municipality, a, b, whole_region=whole)
    context["figures"] = _year_status(municipality, b, this_year)
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


@municipality_view("insight.view", page=False)
def export(request, municipality, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    form = YearForm(request.GET or None, today=today())
    if request.GET and not form.is_valid():
        return _bad_query(request, "insight/dashboard.html", {"form": form})
    year = (form.cleaned_data.get("jaar") if request.GET else None) or today().year
    whole = bool(request.GET) and form.cleaned_data.get("gebied") == "regio"
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


# --- Peak alerts -----------------------------------------------------------------------------


def get_alert_for(request, municipality, pk) -> Alert:
    alert = Alert.objects.filter(municipality=municipality, pk=pk).select_related("case").first()
    if alert is None:
        record(Action.DENIED, request=request, municipality=municipality, object_type="alert",
               object_id=pk, result=Result.DENIED)  # fmt: skip
        raise Http404
    return alert


# Sortable columns (noaber.lib.paging): one line per column — key in ?sorteer=, ORM path, header.
# "periode" sorts weeks and months together by the day they end (Alert.period_order, annotated
# in the view).
ALERT_SORTS = {
    "periode": Sort("period_order", gettext_lazy("Periode")),
    "waargenomen": Sort("observed", gettext_lazy("Waargenomen")),
    "score": Sort("score", gettext_lazy("Score")),
    "status": Sort("state", gettext_lazy("Status")),
}


# ?bron=: the register's weekly series or the police's monthly figures.
ALERT_SOURCES = {
    "register": (Alert.PeriodType.WEEK, gettext_lazy("Noaber-register (per week)")),
    "politie": (Alert.PeriodType.MONTH, gettext_lazy("Maandcijfers politie")),
}


@municipality_view("insight.view")
def alert_list(request, municipality):
    alerts = Alert.objects.filter(municipality=municipality).select_related("case")
    alerts = alerts.annotate(period_order=Alert.period_order())
    state = request.GET.get("status", "")
    source = request.GET.get("bron", "")
    context = {
        "states": Alert.State.choices, "state": state, "errors": [],
        "sources": [(key, label) for key, (_p, label) in ALERT_SOURCES.items()],
        "source": source,
    }  # fmt: skip
    if state and state not in Alert.State.values:
        context["errors"].append(_("Kies een status uit de lijst."))
    elif state:
        alerts = alerts.filter(state=state)
    if source and source not in ALERT_SOURCES:
        context["errors"].append(_("Kies een bron uit de lijst."))
    elif source:
        alerts = alerts.filter(period_type=ALERT_SOURCES[source][0])
    if context["errors"]:
        return render(request, "insight/alerts.html", context | {"alerts": []}, status=400)
    listing = list_page(request, alerts, ALERT_SORTS, default="-periode")
    context |= {"alerts": listing, "listing": listing}
    return render(request, "insight/alerts.html", context, status=listing.status)


def _alert_page(request, municipality, alert, form=None):
    if alert.is_monthly:
        svg, rows = _month_chart(municipality, alert)
    else:
        svg, rows = _week_chart(municipality, alert)
    return render(
        request,
        "insight/alert.html",
        {
            "alert": alert,
            "svg": svg,
            "rows": rows,
            "form": form or AlertForm(municipality=municipality),
            "may_handle": can(request.user, "insight.alerts", municipality),
        },
    )


def _month_chart(municipality, alert):
    """The police's monthly series over three years up to the month of the peak."""
    series = police_series_for(municipality, alert.series_key, (alert.year, alert.week))
    if series is None:
        return "", []
    recent = list(zip(series.months, series.counts, strict=True))[-36:]
    points = [(f"{y}-{m:02d}", c) for (y, m), c in recent]
    svg = line_chart(
        [{"label": alert.series_label, "points": points, "emphasis": True}],
        title=_("%(s)s per maand") % {"s": alert.series_label},
        description=_(
            "Aantal geregistreerde misdrijven per maand over drie jaar tot en met de maand van "
            "de piek; een maand zonder cijfers (ontbrekend of geheim) is een onderbreking, geen "
            "nul. De stippellijn is de bovengrens van die maand. De tabel geeft de laatste "
            "maanden."
        ),
        reference={"label": _("bovengrens %(m)s") % {"m": alert.period_label},
                   "value": alert.upper},
    )  # fmt: skip
    rows = [(month_text(month), c) for month, c in recent[-12:]]
    return svg, rows


def _week_chart(municipality, alert):
    series = series_for(municipality, alert.series_key, (alert.year, alert.week))
    svg, rows = "", []
    if series is not None:
        recent = list(zip(series.weeks, series.counts, strict=True))[-104:]
        points = [(f"{y}-W{w:02d}", c) for (y, w), c in recent]
        svg = line_chart(
            [{"label": alert.series_label, "points": points, "emphasis": True}],
            title=_("%(s)s per week") % {"s": alert.series_label},
            description=_(
                "Aantal per week over twee jaar tot en met de week van de piek; de "
                "stippellijn is de bovengrens van die week. De tabel geeft de laatste weken."
            ),
            reference={"label": _("bovengrens week %(w)d") % {"w": alert.week},
                       "value": alert.upper},
        )  # fmt: skip
        rows = points[-12:]
    return svg, rows


@municipality_view("insight.view")
def alert_detail(request, municipality, pk):
    return _alert_page(request, municipality, get_alert_for(request, municipality, pk))


@municipality_view("insight.alerts", ["POST"], page=False)
def alert_handle(request, municipality, pk):
    alert = get_alert_for(request, municipality, pk)
    form = AlertForm(request.POST, municipality=municipality)
    if not form.is_valid():
        return _alert_page(request, municipality, alert, form)
    try:
        handle_alert(alert, form.cleaned_data["note"], actor=request.user, request=request,
                     case=form.cleaned_data["case"])  # fmt: skip
    except ValidationError as error:
        form.add_error(None, error)
        return _alert_page(request, municipality, alert, form)
    messages.success(request, _("De piekmelding is afgehandeld."))
    return redirect("insight:alert", municipality.cbs_code, alert.pk)


KIND_OF = {"meldingen": RegisterCount.Kind.REPORT, "signalen": RegisterCount.Kind.SIGNAL}


@municipality_view("insight.view")
def area_map(request, municipality):
    """Reports and signals per kern and buitengebied on a map of the municipality's own
    boundary data, with the same figures in a table beside it. Counts only, small ones
    suppressed as on every page of the veiligheidsbeeld; never public."""
    this_year = today().year
    form = MapForm(request.GET or None, today=today(), municipality=municipality)
    if request.GET and not form.is_valid():
        return _bad_query(request, "insight/map.html", {"form": form})
    data = form.cleaned_data if request.GET else {}
    year = data.get("jaar") or this_year
    kind = data.get("soort") or "meldingen"
    theme = data.get("thema")
    counts = aggregates.counts_by_area(municipality, year, theme)
    rows, shown_on_map = [], {}
    for area in municipality.areas.all():
        reports = counts.get((RegisterCount.Kind.REPORT, area.pk), 0)
        signals = counts.get((RegisterCount.Kind.SIGNAL, area.pk), 0)
        rows.append({"area": area, "reports": aggregates.shown(reports),
                     "signals": aggregates.shown(signals)})  # fmt: skip
        coloured = reports if kind == "meldingen" else signals
        label = _("%(area)s: %(reports)s meldingen, %(signals)s signalen") % {
            "area": area.name, "reports": aggregates.shown(reports),
            "signals": aggregates.shown(signals),
        }  # fmt: skip
        shown_on_map[area.pk] = {"band": aggregates.map_band(coloured), "label": label}
    unplaced = {
        "reports": aggregates.shown(counts.get((RegisterCount.Kind.REPORT, None), 0)),
        "signals": aggregates.shown(counts.get((RegisterCount.Kind.SIGNAL, None), 0)),
    }
    tiles = settings.NOABER_MAP_TILES_URL
    response = render(request, "insight/map.html", {
        "form": form, "year": year, "kind": kind, "theme": theme, "rows": rows,
        "unplaced": unplaced, "counts": shown_on_map, "tiles": tiles,
        "tiles_attribution": settings.NOABER_MAP_TILES_ATTRIBUTION,
        "suppress_below": aggregates.SUPPRESS_BELOW, "bands": _legend(),
        "figures": _counted_year(municipality, year, this_year),
    })  # fmt: skip
    if tiles:
        # Only this page may load the installation's map tiles (the CSP names their host).
        parts = urlsplit(tiles)
        response.csp_img_src = f"{parts.scheme}://{parts.netloc}"
    return response


def _counted_year(municipality, year: int, this_year: int) -> dict:
    """Whether the register was counted for `year`, and else the newest year that was."""
    years = set(
        RegisterCount.objects.filter(municipality=municipality, year__lte=this_year)
        .values_list("year", flat=True).distinct()
    )  # fmt: skip
    return {"has_figures": year in years, "newest": max(years) if years else None}


def _legend():
    low, high = aggregates.SUPPRESS_BELOW, aggregates.MAP_BANDS
    return [
        (0, _("geen")),
        (1, _("minder dan %(n)d") % {"n": low}),
        (2, _("%(a)d tot %(b)d") % {"a": high[1], "b": high[2]}),
        (3, _("%(a)d tot %(b)d") % {"a": high[2], "b": high[3]}),
        (4, _("%(a)d of meer") % {"a": high[3]}),
    ]
