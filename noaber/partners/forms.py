"""Forms of the ketenkaart and the sharing agreements."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from noaber.accounts.models import Organisation
from noaber.themes.models import Priority, Theme, themes_for

from .models import DataCategory, SharingAgreement

DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def partners_of(municipality):
    return Organisation.objects.filter(
        municipalities=municipality, kind__in=Organisation.PARTNER_KINDS
    )


# --- Ketenkaart ---------------------------------------------------------------------------


class PartnerForm(forms.ModelForm):
    """A partner (or municipal team) of the ketenkaart, as seen from one municipality: the
    themes that apply there and that municipality's IVP priorities (its Tabel 7)."""

    class Meta:
        model = Organisation
        fields = ["name", "kind", "responsibility", "contact_route"]
        widgets = {"responsibility": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "contact_route": _("Bijvoorbeeld een webadres, telefoonnummer of vast aanspreekpunt."),
        }
        error_messages = {
            "name": {"required": _("Vul de naam van de organisatie in.")},
            "kind": {
                "required": _("Kies de soort organisatie."),
                "invalid_choice": _("Kies een van de genoemde soorten organisatie."),
            },
        }

    # The links live in the themes app (Theme.organisations, Priority.organisations).
    themes = forms.ModelMultipleChoiceField(
        label=_("Thema's"),
        queryset=Theme.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    priorities = forms.ModelMultipleChoiceField(
        label=_("Prioriteiten van het IVP (Tabel 7)"),
        queryset=Priority.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].queryset = Theme.objects.filter(
            pk__in=[t.pk for t in themes_for(municipality)]
        )
        self.fields["priorities"].queryset = Priority.objects.filter(municipality=municipality)
        if self.instance.pk:
            self.initial.setdefault("themes", list(self.instance.themes.all()))
            self.initial.setdefault("priorities", list(self.instance.priorities.all()))

    def clean_name(self):
        name = self.cleaned_data["name"]
        others = Organisation.objects.filter(name__iexact=name)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise ValidationError(
                _("Er is al een organisatie met de naam “%(name)s”.") % {"name": name}
            )
        return name


# --- Sharing agreements --------------------------------------------------------------------


class AgreementForm(forms.ModelForm):
    data_categories = forms.MultipleChoiceField(
        label=_("Gegevenscategorieën die gedeeld mogen worden"),
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    document = forms.FileField(
        label=_("Ondertekend document (PDF)"),
        required=False,
        help_text=_("Het getekende convenant, als PDF van hoogstens 20 MB."),
    )

    class Meta:
        model = SharingAgreement
        fields = [
            "name",
            "organisations",
            "purpose",
            "legal_basis",
            "data_categories",
            "valid_from",
            "valid_until",
        ]
        labels = {"organisations": _("Partijen (ketenpartners)")}
        widgets = {
            "organisations": forms.CheckboxSelectMultiple,
            "valid_from": DATE,
            "valid_until": DATE,
        }
        help_texts = {
            "legal_basis": _(
                "Bijvoorbeeld: art. 20 Wpg en het RIEC-convenant 2023, art. 6 lid 1e AVG."
            ),
            "valid_until": _("Leeg laten als het convenant geen einddatum heeft."),
        }

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = partners_of(municipality)

    def clean_document(self):
        upload = self.cleaned_data.get("document")
        if not upload:
            return None
        if upload.size > DOCUMENT_MAX_BYTES:
            raise ValidationError(_("Het document is groter dan 20 MB."))
        content = upload.read()
        from noaber.partners.actions import check_pdf

        check_pdf(content)
        return {"name": upload.name[-200:], "content": content}

    def clean(self):
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("De einddatum ligt vóór de begindatum."))
        return data
