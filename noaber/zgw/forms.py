from django import forms
from django.utils.translation import gettext_lazy as _

from noaber.audit.models import Confidentiality

from .models import Catalogue, Scope


class ClientForm(forms.Form):
    name = forms.CharField(
        label=_("Naam"), max_length=100, help_text=_("Bijvoorbeeld: zaaksysteem, e-depot.")
    )
    client_id = forms.SlugField(
        label=_("Client-id"),
        max_length=100,
        help_text=_("Kleine letters, cijfers en streepjes; de leverancier zet deze in zijn JWT."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Mag lezen"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple
    )
    max_confidentiality = forms.ChoiceField(
        label=_("Hoogste vertrouwelijkheid"),
        choices=Confidentiality.choices,
        initial=Confidentiality.OPENBAAR,
        help_text=_("Zaken boven dit niveau bestaan voor deze client niet."),
    )
    bsn_entitled = forms.BooleanField(label=_("Mag BSN's ontvangen"), required=False)
    legal_basis = forms.CharField(
        label=_("Grondslag"),
        max_length=300,
        required=False,
        help_text=_("Het convenant of de wet die de verstrekking toestaat; nodig voor BSN's."),
    )


class CatalogueForm(forms.ModelForm):
    class Meta:
        model = Catalogue
        fields = ["rsin", "domain", "contact_name", "contact_email"]
        help_texts = {"rsin": _("Het RSIN van de gemeente (negen cijfers).")}
