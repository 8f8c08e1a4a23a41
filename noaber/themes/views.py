from datetime import date

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from noaber.accounts.access import can, municipality_view
from noaber.lib.dates import today
from noaber.lib.pages import action_page

from . import actions
from .forms import HandlingTermForm, HolidayForm, PriorityForm, ThemeForm
from .models import Domain, HandlingTerm, Holiday, Priority, TermKind, Theme, themes_for
from .terms import code_choices


def get_theme_for(municipality, pk) -> Theme:
    """A theme that applies in `municipality` (shared or its own), or 404."""
    return get_object_or_404(
        Theme, Q(municipality__isnull=True) | Q(municipality=municipality), pk=pk
    )


def get_priority_for(municipality, pk) -> Priority:
    return get_object_or_404(Priority, municipality=municipality, pk=pk)


@municipality_view("themes.view")
def theme_list(request, municipality):
    themes = themes_for(municipality, include_inactive=True)
    domains = [(d, [t for t in themes if t.domain_id == d.pk]) for d in Domain.objects.all()]
    return render(
        request,
        "themes/theme_list.html",
        {
            "domains": domains,
            "priorities": municipality.priorities.prefetch_related("themes"),
            "may_manage": can(request.user, "themes.manage", municipality),
        },
    )


@municipality_view("themes.manage", ["GET", "POST"])
def theme_edit(request, municipality, pk):
    theme = get_theme_for(municipality, pk)
    form = ThemeForm(request.POST or None, instance=theme)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        actions.update_theme(
            Theme.objects.get(pk=pk),
            municipality,
            name=data["name"],
            description=data["description"],
            active=data["active"],
            request=request,
        )
        messages.success(request, _("Thema %(code)s is opgeslagen.") % {"code": theme.code})
        return redirect("themes:list", municipality.cbs_code)
    return render(request, "themes/theme_edit.html", {"form": form, "theme": theme})


@municipality_view("themes.manage", ["GET", "POST"])
def priority_edit(request, municipality, pk):
    priority = get_priority_for(municipality, pk)
    form = PriorityForm(request.POST or None, instance=priority, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        actions.update_priority(
            Priority.objects.get(pk=pk),
            name=data["name"],
            description=data["description"],
            themes=list(data["themes"]),
            request=request,
        )
        messages.success(request, _("Prioriteit is opgeslagen."))
        return redirect("themes:list", municipality.cbs_code)
    return render(request, "themes/priority_edit.html", {"form": form, "priority": priority})


# --- Handling terms and holidays -----------------------------------------------------------


@municipality_view("themes.view")
def terms(request, municipality):
    """The handling terms of the municipality and the holidays they count around (this year
    and later; past ones no longer matter for a new streefdatum)."""
    labels = {kind: dict(code_choices(municipality, kind)) for kind in TermKind.values}
    rows = [
        (term, labels[term.kind].get(term.code, term.code) if term.code else _("standaard"))
        for term in HandlingTerm.objects.filter(municipality=municipality)
    ]
    holidays = Holiday.objects.filter(
        Q(municipality__isnull=True) | Q(municipality=municipality),
        date__gte=date(today().year, 1, 1),
    )
    return render(
        request,
        "themes/terms.html",
        {
            "terms": rows,
            "holidays": holidays,
            "may_manage": can(request.user, "themes.manage", municipality),
        },
    )


def _back(municipality):
    return reverse("themes:terms", args=[municipality.cbs_code])


@municipality_view("themes.manage", ["GET", "POST"])
def term_set(request, municipality):
    """Set a handling term (a new one, or a new number for an existing kind and code)."""
    initial = {k: request.GET[k] for k in ("kind", "code") if k in request.GET}
    form = HandlingTermForm(request.POST or None, municipality=municipality, initial=initial)
    return action_page(
        request,
        form,
        lambda d: actions.set_handling_term(
            municipality, d["kind"], d["code"], d["working_days"], request=request
        ),
        success_url=_back(municipality),
        success_message=_("De termijn is opgeslagen. Bestaande streefdatums blijven staan."),
        context={
            "object_url": _back(municipality),
            "object_label": _("termijnen en feestdagen"),
            "title": _("Termijn instellen"),
            "intro": _(
                "In werkdagen (maandag tot en met vrijdag, zonder feestdagen), van 1 tot en met "
                "365. Een nieuwe termijn geldt voor wat vanaf nu binnenkomt; bestaande "
                "streefdatums veranderen niet."
            ),
        },
    )


@municipality_view("themes.manage", ["GET", "POST"])
def holiday_add(request, municipality):
    form = HolidayForm(request.POST or None)
    return action_page(
        request,
        form,
        lambda d: actions.add_holiday(municipality, d["date"], d["name"], request=request),
        success_url=_back(municipality),
        success_message=_("De feestdag staat in de kalender."),
        context={
            "object_url": _back(municipality),
            "object_label": _("termijnen en feestdagen"),
            "title": _("Feestdag toevoegen"),
            "intro": _(
                "Een dag waarop de gemeente dicht is, bijvoorbeeld Goede Vrijdag. Hij telt niet "
                "als werkdag voor streefdatums die vanaf nu worden berekend."
            ),
        },
    )


@municipality_view("themes.manage", ["POST"], page=False)
def holiday_remove(request, municipality, pk):
    """Remove one of the municipality's own holidays (the installation's stay)."""
    holiday = get_object_or_404(Holiday, municipality=municipality, pk=pk)
    actions.remove_holiday(holiday, request=request)
    messages.success(request, _("De feestdag is verwijderd."))
    return redirect(_back(municipality))


@municipality_view("themes.manage", ["POST"], page=False)
def term_remove(request, municipality, pk):
    """Remove a term for one category or theme (then the kind's default applies); the
    defaults themselves stay, they are changed instead."""
    term = get_object_or_404(HandlingTerm, municipality=municipality, pk=pk)
    if term.code:
        actions.remove_handling_term(term, request=request)
        messages.success(request, _("De termijn is verwijderd; de standaardtermijn geldt."))
    else:
        messages.error(request, _("Een standaardtermijn wordt gewijzigd, niet verwijderd."))
    return redirect(_back(municipality))
