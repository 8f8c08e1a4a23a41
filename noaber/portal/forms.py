"""Forms for sharing a case with a partner and for the partner portal."""

from django import forms
from django.utils.translation import gettext_lazy as _

from noaber.accounts.models import Organisation
from noaber.intake.models import Category
from noaber.partners.forms import partners_of
from noaber.partners.models import DataCategory, SharingAgreement

# --- Sharing a case with a partner ---------------------------------------------------------


class ShareForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Partner"), queryset=Organisation.objects.none())
    agreement = forms.ModelChoiceField(
        label=_("Convenant"), queryset=SharingAgreement.objects.none(), required=False
    )
    legal_basis = forms.CharField(
        label=_("Of: wettelijke grondslag"), required=False, max_length=300
    )
    purpose = forms.CharField(label=_("Doel van het delen"), max_length=300)
    data_categories = forms.MultipleChoiceField(
        label=_("Wat de partner mag zien"),
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "De partner ziet altijd het zaaktype, de status, de titel, zijn eigen taken en "
            "notities; de rest alleen per gekozen categorie."
        ),
    )

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = partners_of(municipality)
        self.fields["agreement"].queryset = SharingAgreement.objects.filter(
            municipalities=municipality
        )


class EndShareForm(forms.Form):
    share = forms.ModelChoiceField(
        label=_("Delen met"),
        queryset=None,
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": _("Dat delen hoort niet bij deze casus of is al beëindigd.")
        },
    )
    reason = forms.CharField(
        label=_("Reden"),
        required=False,
        max_length=300,
        help_text=_("Komt in het verstrekkingenregister. Leeg: beëindigd door de gemeente."),
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["share"].queryset = case.shares.filter(ended_at__isnull=True).select_related(
            "organisation"
        )
        self.fields["share"].label_from_instance = lambda s: f"{s.organisation.name}: {s.purpose}"


# --- Partner portal ------------------------------------------------------------------------


class PortalNoteForm(forms.Form):
    text = forms.CharField(
        label=_("Notitie"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )


class PortalSignalForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Soort signaal"), queryset=Category.objects.filter(active=True)
    )
    description = forms.CharField(
        label=_("Wat heeft u gezien of gehoord?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class PortalTaskForm(forms.Form):
    result = forms.CharField(
        label=_("Resultaat"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
