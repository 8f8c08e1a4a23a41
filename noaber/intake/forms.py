"""The report form (public and internal), the receipt form and the follow-up forms."""

import secrets

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from noaber.accounts.models import Organisation

from . import validation
from .attachments import ACCEPT, MAX_BYTES, MAX_FILES, clean_uploads
from .models import DESCRIPTION_MAX, MESSAGE_MAX, PUBLIC_TEXT_MAX, Area, Category, Status


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        return clean_uploads(files)


def category_choices():
    """Categories grouped as <optgroup>s, in their configured order."""
    groups: dict[str, list] = {}
    for category in Category.objects.filter(active=True):
        groups.setdefault(category.group, []).append((category.code, category.name))
    choices = [("", _("Kies een onderwerp"))]
    for group, items in groups.items():
        choices.append(items[0] if len(items) == 1 and items[0][1] == group else (group, items))
    return choices


class ReportForm(forms.Form):
    category = forms.ChoiceField(label=_("Waar gaat uw melding over?"))
    description = forms.CharField(
        label=_("Wat is er gebeurd?"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Beschrijf wat u zag of hoorde, zo precies mogelijk. Hoogstens %(n)s tekens.")
        % {"n": DESCRIPTION_MAX},
    )
    occurred_on = forms.DateField(
        label=_("Wanneer gebeurde het?"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validation.check_date],
        help_text=_("Bijvoorbeeld 14-11-2026."),
    )
    occurred_at_time = forms.TimeField(
        label=_("Hoe laat ongeveer?"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    postcode = forms.CharField(label=_("Postcode"), required=False, max_length=7)
    house_number = forms.IntegerField(
        label=_("Huisnummer"), required=False, validators=[validation.check_house_number]
    )
    house_number_addition = forms.CharField(label=_("Toevoeging"), required=False, max_length=6)
    area = forms.ModelChoiceField(
        label=_("Of kies de kern of het buitengebied"),
        queryset=Area.objects.none(),
        required=False,
        empty_label=_("Geen keuze"),
    )
    latitude = forms.DecimalField(
        label=_("Breedtegraad"), required=False, max_digits=8, decimal_places=6
    )
    longitude = forms.DecimalField(
        label=_("Lengtegraad"), required=False, max_digits=9, decimal_places=6
    )
    attachments = MultipleFileField(
        label=_("Foto's of pdf"),
        required=False,
        help_text=_(
            "Hoogstens %(n)s bestanden van elk hoogstens %(mb)s MB. Wij verwijderen de "
            "verborgen gegevens (zoals locatie en toestel) uit foto's."
        )
        % {"n": MAX_FILES, "mb": MAX_BYTES // (1024 * 1024)},
    )
    contact_consent = forms.BooleanField(
        label=_(
            "Ik wil mijn contactgegevens achterlaten, zodat de gemeente mij kan bellen of mailen"
        ),
        required=False,
    )
    contact_name = forms.CharField(label=_("Naam"), required=False, max_length=100)
    contact_email = forms.EmailField(label=_("E-mailadres"), required=False)
    contact_phone = forms.CharField(
        label=_("Telefoonnummer"),
        required=False,
        max_length=20,
        validators=[validation.check_phone],
    )
    referral_consent = forms.BooleanField(
        label=_(
            "Gaat uw melding over discriminatie? Dan mag de gemeente haar doorsturen naar "
            "Stichting Vizier"
        ),
        required=False,
    )
    submission = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, municipality, internal=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality = municipality
        # Set by clean() when the place lies elsewhere (addresses.LocationRefusedError).
        self.refusal = None
        self.fields["category"].choices = category_choices()
        self.fields["area"].queryset = Area.objects.filter(municipality=municipality)
        if not self.is_bound:
            self.initial["submission"] = secrets.token_urlsafe(24)
        if internal:
            # An employee's identity is known from the login; no contact fields needed.
            for name in ("contact_consent", "contact_name", "contact_email", "contact_phone"):
                del self.fields[name]

    def clean_category(self):
        category = Category.objects.filter(code=self.cleaned_data["category"], active=True).first()
        if category is None:
            raise ValidationError(_("Kies een onderwerp uit de lijst."))
        return category

    def clean_postcode(self):
        value = self.cleaned_data["postcode"]
        return validation.normalise_postcode(value) if value.strip() else ""

    def clean(self):
        data = super().clean()
        errors, self.refusal = validation.check_location(self.municipality, data)
        if "contact_consent" in self.fields:
            errors |= validation.contact_errors(data)
        for field, message in errors.items():
            if field not in self.errors:
                self.add_error(field, message)
        return data


class ReceiptForm(forms.Form):
    receipt = forms.CharField(
        label=_("Uw bonnummer"),
        max_length=40,
        help_text=_("Twintig tekens in vijf groepjes, bijvoorbeeld 7KQM-2XPA-9D4T-HW3B-RC6N."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


def _standard_text_field():
    """Which standard text the advisor chose (set by the page or standard_texts.js): only
    provenance for the audit log, checked by standard_texts.used(); an unknown id is ignored."""
    return forms.CharField(required=False, max_length=12, widget=forms.HiddenInput)


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Uw bericht"),
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Hoogstens %(n)s tekens.") % {"n": MESSAGE_MAX},
    )
    standard_text = _standard_text_field()


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Nieuwe status"),
        choices=(),
        error_messages={
            "invalid_choice": _(
                "Vanuit de huidige status kan dit niet; kies een van de genoemde statussen."
            )
        },  # fmt: skip
    )
    public_text = forms.CharField(
        label=_("Tekst voor de melder"),
        required=False,
        max_length=PUBLIC_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "De melder leest deze tekst met het bonnummer. Noem geen namen en niets over het "
            "onderzoek."
        ),
    )

    # The status the page showed: a report changed meanwhile is refused (optimistic locking).
    seen_status = forms.ChoiceField(
        choices=Status.choices, widget=forms.HiddenInput, required=False
    )
    standard_text = _standard_text_field()

    def __init__(self, *args, choices, **kwargs):
        """`choices`: the statuses the report may move to (actions.status_choices)."""
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = choices


class TokenForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Ketenpartner"), queryset=Organisation.objects.none()
    )
    name = forms.CharField(
        label=_("Omschrijving"),
        max_length=100,
        help_text=_("Bijvoorbeeld: koppeling politie-signalen."),
    )
