"""The functional admin's page for sign-in through identity providers: which groups or roles
in the provider's claims give which Noaber role in this municipality (decision 0021). The
providers themselves are registered by IT (`manage.py identity_provider`)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import providers
from .access import municipality_view
from .models import IdentityProvider, Role, RoleMapping


class MappingForm(forms.Form):
    provider = forms.ModelChoiceField(
        label=gettext_lazy("Identiteitsprovider"), queryset=IdentityProvider.objects.none()
    )
    claim_value = forms.CharField(
        label=gettext_lazy("Groep of rol in de claim"),
        max_length=200,
        help_text=gettext_lazy(
            "Precies zoals de provider hem meegeeft: bij Entra ID de object-ID van de groep "
            "of de waarde van de app-rol, bij Keycloak de groepsnaam (bijvoorbeeld "
            "/noaber/adviseurs)."
        ),
    )
    role = forms.ChoiceField(label=gettext_lazy("Rol in Noaber"), choices=Role.choices)


@municipality_view("accounts.sign_in", ["GET", "POST"])
def mappings(request, municipality):
    served = IdentityProvider.objects.filter(municipalities=municipality).select_related(
        "organisation"
    )
    form = MappingForm(request.POST or None)
    form.fields["provider"].queryset = served
    if len(served) == 1:
        form.fields["provider"].initial = served[0]
    if request.method == "POST" and form.is_valid():
        try:
            providers.add_role_mapping(
                form.cleaned_data["provider"],
                form.cleaned_data["claim_value"],
                municipality,
                form.cleaned_data["role"],
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("De koppeling is opgeslagen."))
            return redirect("sign_in:mappings", municipality.cbs_code)
    rows = RoleMapping.objects.filter(municipality=municipality, provider__in=served)
    return render(
        request,
        "accounts/sign_in.html",
        {
            "form": form,
            "providers": served,
            "mappings": rows.select_related("provider"),
        },
    )


@municipality_view("accounts.sign_in", ["POST"], page=False)
def mapping_remove(request, municipality, pk):
    mapping = get_object_or_404(RoleMapping, municipality=municipality, pk=pk)
    providers.remove_role_mapping(mapping, actor=request.user)
    messages.success(
        request,
        _(
            "De koppeling is verwijderd. Wie de rol alleen hierdoor had, verliest hem bij de "
            "volgende keer inloggen en uiterlijk als de sessie afloopt."
        ),
    )
    return redirect("sign_in:mappings", municipality.cbs_code)
