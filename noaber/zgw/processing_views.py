"""The privacy officer's page of the processing log outward (docs/verwerkingen.md): whether
`verwerkte-objecten` answers at all, which clients it answers, and the signals and subjects she
released. Every change goes through the audited actions of noaber/zgw/processing.py.

Mounted under /m/<CBS>/ by noaber/urls.py (`privacy/verwerkingenlogging/`, these URLs)."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from noaber.accounts.access import municipality_view
from noaber.registry.models import Signal, Subject

from .models import ProcessingLogRelease
from .processing import (
    eligible_clients,
    release_processing_log,
    set_processing_log,
    setting_for,
)

TARGET = re.compile(r"^\s*([SsBb])-?(\d{1,18})\s*$")


class SwitchForm(forms.Form):
    enabled = forms.BooleanField(
        label=gettext_lazy("De verwerkingenlogging beantwoordt vragen van de genoemde systemen"),
        required=False,
    )
    clients = forms.MultipleChoiceField(
        label=gettext_lazy("Genoemde systemen"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Alleen systemen van deze gemeente die 'verwerkingen lezen' mogen (dat geeft de "
            "functioneel beheerder)."
        ),
    )

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clients"].choices = [
            (c.client_id, f"{c.name} ({c.client_id})") for c in eligible_clients(municipality)
        ]


class ReleaseForm(forms.Form):
    target = forms.CharField(
        label=gettext_lazy("Signaal of betrokkene"),
        max_length=24,
        help_text=gettext_lazy(
            "Het nummer, zoals S-12 voor een signaal of B-7 voor een betrokkene."
        ),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reden van de vrijgave"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Bijvoorbeeld het verzoek (AVG-2026-004) en waarom het kan."),
    )

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality = municipality

    def clean_target(self):
        found = TARGET.match(self.cleaned_data["target"])
        model = {"s": Signal, "b": Subject}.get(found.group(1).lower()) if found else None
        target = (
            model.objects.filter(pk=int(found.group(2)), municipality=self.municipality).first()
            if model
            else None
        )
        if target is None:
            # Also for a number of another municipality: nothing tells it exists.
            raise ValidationError(_("Geen signaal of betrokkene met dit nummer in deze gemeente."))
        return target


def _page(request, municipality, switch, release, status=200):
    setting = setting_for(municipality)
    releases = ProcessingLogRelease.objects.filter(municipality=municipality).select_related(
        "released_by"
    )
    return render(
        request,
        "zgw/processing_log.html",
        {
            "setting": setting,
            "named": sorted(c.client_id for c in setting.clients.all()) if setting else [],
            "switch": switch,
            "release": release,
            "releases": releases,
        },
        status=status,
    )


def _switch_form(municipality, data=None):
    setting = setting_for(municipality)
    initial = {
        "enabled": bool(setting and setting.enabled),
        "clients": [c.client_id for c in setting.clients.all()] if setting else [],
    }
    return SwitchForm(data, initial=initial, municipality=municipality)


@municipality_view("zgw.processing_log", methods=("GET", "POST"))
def processing_log(request, municipality):
    """The switch and the named clients (POST), the releases (GET)."""
    switch = _switch_form(municipality, request.POST or None)
    release = ReleaseForm(municipality=municipality)
    if request.method == "POST" and switch.is_valid():
        try:
            set_processing_log(
                municipality,
                enabled=switch.cleaned_data["enabled"],
                client_ids=switch.cleaned_data["clients"],
                actor=request.user,
                request=request,
            )
        except ValidationError as error:
            switch.add_error("clients", error.messages)
        else:
            return redirect(reverse("zgw_processing:page", args=[municipality.cbs_code]))
    return _page(request, municipality, switch, release)


@municipality_view("zgw.processing_log", methods=("POST",), page=False)
def release(request, municipality):
    form = ReleaseForm(request.POST, municipality=municipality)
    if form.is_valid():
        target = form.cleaned_data["target"]
        try:
            release_processing_log(
                municipality,
                signal=target if isinstance(target, Signal) else None,
                subject=target if isinstance(target, Subject) else None,
                reason=form.cleaned_data["reason"],
                actor=request.user,
                request=request,
            )
        except ValidationError as error:
            form.add_error("reason", error.messages)
        else:
            return redirect(reverse("zgw_processing:page", args=[municipality.cbs_code]))
    return _page(request, municipality, _switch_form(municipality), form)
