from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from noaber.accounts.access import can, municipality_view

from . import actions
from .forms import PriorityForm, ThemeForm
from .models import Domain, Priority, Theme, themes_for


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
