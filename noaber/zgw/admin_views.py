"""The admin's page for the ZGW APIs: the municipality's catalogue (RSIN, contact) and the
systems that may read through them — created with their secret shown once, revoked with one
button. Every change is audited (clients.py, actions.py)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from noaber.accounts.access import municipality_view

from .actions import save_catalogue, serve_case_types
from .clients import create_client, revoke_client
from .forms import CatalogueForm, ClientForm
from .models import ApiClient, Catalogue


def _page(request, municipality, *, client_form=None, catalogue_form=None, secret=None):
    catalogue = Catalogue.objects.filter(municipality=municipality).first()
    response = render(
        request,
        "zgw/clients.html",
        {
            "catalogue": catalogue,
            "catalogue_form": catalogue_form or CatalogueForm(instance=catalogue),
            "client_form": client_form or ClientForm(),
            "clients": ApiClient.objects.filter(municipality=municipality).annotate(
                disclosed=Count("disclosures")
            ),
            "secret": secret,
        },
    )
    response["Cache-Control"] = "no-store"  # the page may show a secret
    return response


def _add_errors(form, error: ValidationError) -> None:
    for field, texts in error.message_dict.items():
        for text in texts:
            form.add_error(field if field in form.fields else None, text)


@municipality_view("zgw.manage", ["GET", "POST"])
def clients(request, municipality):
    if request.method != "POST":
        return _page(request, municipality)
    form = ClientForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            client, secret = create_client(
                municipality,
                data["name"],
                data["client_id"],
                scopes=data["scopes"],
                max_confidentiality=data["max_confidentiality"],
                bsn_entitled=data["bsn_entitled"],
                legal_basis=data["legal_basis"],
                actor=request.user,
                request=request,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return _page(request, municipality, secret=(client, secret))
    return _page(request, municipality, client_form=form)


@municipality_view("zgw.manage", ["POST"], page=False)
def catalogue(request, municipality):
    instance = Catalogue.objects.filter(municipality=municipality).first()
    form = CatalogueForm(request.POST, instance=instance)
    if form.is_valid():
        values = {f: form.cleaned_data[f] for f in CatalogueForm.Meta.fields}
        with transaction.atomic():
            saved = save_catalogue(municipality, values, actor=request.user, request=request)
            serve_case_types(
                saved, list(form.cleaned_data["served_case_types"]), actor=request.user,
                request=request,
            )  # fmt: skip
        messages.success(request, _("De zaaktypecatalogus is opgeslagen."))
        return redirect("zgw_admin:clients", municipality.cbs_code)
    return _page(request, municipality, catalogue_form=form)


@municipality_view("zgw.manage", ["POST"], page=False)
def revoke(request, municipality, pk):
    client = get_object_or_404(ApiClient, municipality=municipality, pk=pk)
    if client.revoked_at is None:
        revoke_client(client, actor=request.user, request=request)
        messages.success(
            request, _("%(name)s is ingetrokken; zijn tokens werken niet meer.") % {"name": client}
        )
    return redirect("zgw_admin:clients", municipality.cbs_code)
