from django import forms
from django.utils.translation import gettext_lazy as _

from noaber.audit.models import Confidentiality
from noaber.cases.models import CaseType

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
    bsn_entitled = forms.BooleanField(
        label=_("Mag BSN's ontvangen"),
        required=False,
        help_text=_(
            "En alles wat naar een persoon leidt: namen, de titel van een casus, adressen en "
            "kentekens. Zonder dit vinkje ziet het systeem alleen dat er een betrokkene is."
        ),
    )
    legal_basis = forms.CharField(
        label=_("Grondslag"),
        max_length=300,
        required=False,
        help_text=_(
            "Het convenant of de wet die de verstrekking toestaat; nodig om zaken en BSN's te "
            "lezen."
        ),
    )


class CatalogueForm(forms.ModelForm):
    # Saved by actions.serve_case_types (audited), not by the model form.
    served_case_types = forms.ModelMultipleChoiceField(
        label=_("Zaken verstrekken van deze zaaktypen"),
        queryset=CaseType.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Een casus aan een ander systeem geven is een verstrekking: dat staat per zaaktype "
            "uit tot u het hier aanzet. Ook dan ziet een systeem alleen zaken tot zijn "
            "vertrouwelijkheidsniveau."
        ),
    )

    class Meta:
        model = Catalogue
        fields = ["rsin", "domain", "contact_name", "contact_email"]
        help_texts = {"rsin": _("Het RSIN van de gemeente (negen cijfers).")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["served_case_types"].initial = list(
                self.instance.served_case_types.values_list("pk", flat=True)
            )
        self.fields["served_case_types"].label_from_instance = _type_label


def _type_label(case_type) -> str:
    return f"{case_type.name} ({case_type.get_confidentiality_display()})"
