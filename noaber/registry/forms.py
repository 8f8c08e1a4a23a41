"""Forms of the register. Validation of identifiers lives in subjects.py, shared with tests."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from noaber.accounts.models import Organisation
from noaber.intake.models import Area
from noaber.partners.models import DataCategory, SharingAgreement
from noaber.themes.models import Theme, themes_for

from . import subjects as subject_rules
from .models import (
    Grade,
    Outcome,
    PrivacyCheck,
    RetentionTerm,
    Signal,
    SourceType,
    Subject,
    SubjectRequest,
)
from .reference import source_registers


class SignalForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Signal
        fields = [
            "received_on",
            "source_type",
            "theme",
            "phenomenon",
            "area",
            "location",
            "description",
            "municipal_task",
            "territory_ok",
            "source_grade",
            "information_grade",
            "legal_basis",
            "purpose",
            "criminal_law_data",
        ]
        widgets = {
            "received_on": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 5}),
            "location": forms.TextInput(),
            "territory_ok": forms.NullBooleanSelect(),
        }

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = Theme.objects.filter(
            pk__in=[t.pk for t in themes_for(municipality)]
        )
        self.fields["area"].queryset = Area.objects.filter(municipality=municipality)
        self.fields["source_grade"].queryset = Grade.objects.filter(kind=Grade.Kind.SOURCE)
        self.fields["information_grade"].queryset = Grade.objects.filter(
            kind=Grade.Kind.INFORMATION
        )
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            del self.fields["received_on"], self.fields["source_type"]
        else:
            self.fields["source_type"].initial = SourceType.OWN


class WegingForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Uitkomst"), choices=Outcome.choices)
    reason = forms.CharField(
        label=_("Motivering"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Hoe concreet en recent is het signaal, en past het in een trend?"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class PrivacyCheckForm(forms.ModelForm):
    class Meta:
        model = PrivacyCheck
        fields = [
            "kind",
            "recipient",
            "original_basis",
            "compatible_use",
            "necessity",
            "proportionality",
            "subsidiarity",
        ]
        widgets = {
            "necessity": forms.Textarea(attrs={"rows": 2}),
            "proportionality": forms.Textarea(attrs={"rows": 2}),
            "subsidiarity": forms.Textarea(attrs={"rows": 2}),
        }


class SourceCheckForm(forms.Form):
    """Bronnencheck: per source of the register's list hit / no-hit (or not consulted), or the
    reason why no source was consulted."""

    RESULTS = [("", _("niet geraadpleegd")), ("hit", _("hit")), ("nohit", _("no-hit"))]

    no_source_reason = forms.CharField(
        label=_("Of: waarom is geen bron geraadpleegd?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sources = source_registers()
        for i, name in enumerate(self.sources):
            self.fields[f"bron_{i}"] = forms.ChoiceField(
                label=name, choices=self.RESULTS, required=False
            )
        # The reason goes last, after the list of sources.
        self.order_fields([*(f"bron_{i}" for i in range(len(self.sources))), "no_source_reason"])

    def clean(self):
        data = super().clean()
        data["results"] = {
            name: data.get(f"bron_{i}") == "hit"
            for i, name in enumerate(self.sources)
            if data.get(f"bron_{i}")
        }
        return data


class PhaseForm(forms.Form):
    phase = forms.ChoiceField(
        label=_("Naar fase"),
        choices=(),
        error_messages={
            "invalid_choice": _(
                "Vanuit de huidige fase kan dit niet; kies een van de genoemde fasen."
            )
        },  # fmt: skip
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, choices, **kwargs):
        """`choices`: the phases the signal may go to from its phase (actions.phase_choices)."""
        super().__init__(*args, **kwargs)
        self.fields["phase"].choices = choices


class SubjectForm(forms.Form):
    kind = forms.ChoiceField(label=_("Soort betrokkene"), choices=Subject.Kind.choices)
    label = forms.CharField(
        label=_("Naam, bedrijfsnaam of omschrijving"), required=False, max_length=200
    )
    birth_date = forms.CharField(
        label=_("Geboortedatum"),
        required=False,
        max_length=10,
        help_text=_("Dag-maand-jaar, bijvoorbeeld 12-04-1979."),
    )
    bsn = forms.CharField(label=_("BSN"), required=False, max_length=11)
    postcode = forms.CharField(label=_("Postcode"), required=False, max_length=7)
    house_number = forms.CharField(label=_("Huisnummer"), required=False, max_length=5)
    house_number_addition = forms.CharField(label=_("Toevoeging"), required=False, max_length=6)
    bag_id = forms.CharField(label=_("BAG-id"), required=False, max_length=16)
    kvk = forms.CharField(label=_("KvK-nummer"), required=False, max_length=9)
    kenteken = forms.CharField(label=_("Kenteken"), required=False, max_length=10)
    role = forms.CharField(label=_("Rol in het signaal"), required=False, max_length=100)

    def __init__(self, *args, search=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.search = search
        if search:
            del self.fields["role"]

    def clean(self):
        data = super().clean()
        try:
            data["subject"] = subject_rules.clean_subject(
                data.get("kind", ""), data, search=self.search
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field, messages)
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reden van inzage"),
        max_length=200,
        help_text=_("Waarom heeft u de gegevens van deze betrokkene nodig? Dit wordt vastgelegd."),
    )


class DisclosureForm(forms.Form):
    recipient = forms.ModelChoiceField(label=_("Ontvanger"), queryset=Organisation.objects.none())
    agreement = forms.ModelChoiceField(
        label=_("Convenant"), queryset=SharingAgreement.objects.none(), required=False
    )
    legal_basis = forms.CharField(
        label=_("Of: wettelijke grondslag"), required=False, max_length=300
    )
    purpose = forms.CharField(label=_("Doel"), max_length=300)
    data_categories = forms.MultipleChoiceField(
        label=_("Gegevenscategorieën"),
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    shared = forms.CharField(
        label=_("Wat precies is verstrekt"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    decided_on = forms.DateField(
        label=_("Besloten op"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_decided_on(self):
        on = self.cleaned_data["decided_on"]
        if on > timezone.localdate():
            raise ValidationError(_("De datum van het besluit ligt in de toekomst."))
        return on

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreement"].queryset = SharingAgreement.objects.filter(
            municipalities=municipality
        )
        self.fields["recipient"].queryset = Organisation.objects.filter(municipalities=municipality)


class ConfirmForm(forms.Form):
    """An action with nothing to fill in: the button is the confirmation."""


class LegalHoldForm(forms.Form):
    hold = forms.BooleanField(label=_("Bewaarplicht (legal hold) aan"), required=False)
    reason = forms.CharField(label=_("Reden"), required=False, max_length=200)


class RetentionTermForm(forms.ModelForm):
    class Meta:
        model = RetentionTerm
        fields = ["months", "then", "note"]

    def clean_months(self):
        months = self.cleaned_data["months"]
        if not 1 <= months <= 240:
            raise ValidationError(_("Kies een termijn van 1 tot en met 240 maanden."))
        return months


class PurposeForm(forms.Form):
    """Why the privacy officer opens a subject's data: an open request, or another lawful
    reason typed out. One of the two; it goes into the audit event."""

    verzoek = forms.ModelChoiceField(
        label=_("Voor welk verzoek"),
        queryset=SubjectRequest.objects.none(),
        required=False,
        empty_label=_("— kies een open verzoek —"),
    )
    reden = forms.CharField(
        label=_("Of: andere wettelijke reden"),
        required=False,
        min_length=10,
        max_length=200,
        help_text=_(
            "Bijvoorbeeld een vordering van de rechter, met kenmerk. Dit wordt vastgelegd; "
            "noem geen namen."
        ),
    )

    def __init__(self, *args, municipality, subject, **kwargs):
        super().__init__(*args, **kwargs)
        # Only a request this subject was found and linked for may open its data.
        self.fields["verzoek"].queryset = SubjectRequest.objects.filter(
            municipality=municipality, status=SubjectRequest.Status.OPEN, subjects=subject
        ).order_by("deadline", "pk")
        self.fields["verzoek"].label_from_instance = lambda r: (
            f"{r.reference} — {r.get_kind_display()}"
        )

    def clean(self):
        data = super().clean()
        chosen, reason = data.get("verzoek"), (data.get("reden") or "").strip()
        if "verzoek" in self.errors or "reden" in self.errors:
            return data
        if chosen is None and not reason:
            raise ValidationError(
                _("Kies het verzoek waarvoor u dit opent, of noem een andere wettelijke reden.")
            )
        if chosen is not None and reason:
            raise ValidationError(_("Kies een verzoek óf noem een reden, niet allebei."))
        return data


class SubjectRequestForm(forms.ModelForm):
    class Meta:
        model = SubjectRequest
        fields = ["kind", "received_on", "requester", "identity_check", "identity_note"]
        widgets = {
            "received_on": forms.DateInput(attrs={"type": "date"}),
            "requester": forms.TextInput(),
            "identity_note": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "identity_note": _(
                "Hoe is de identiteit vastgesteld? Bewaar nooit een kopie van "
                "een identiteitsbewijs."
            ),  # fmt: skip
        }


class ExtendRequestForm(forms.Form):
    months = forms.TypedChoiceField(
        label=_("Verlengen met"),
        coerce=int,
        choices=[(1, _("één maand")), (2, _("twee maanden"))],
    )
    reason = forms.CharField(
        label=_("Reden van de verlenging"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Art. 12 lid 3 AVG: alleen bij complexe of veel verzoeken; de verzoeker "
            "hoort dit binnen de eerste maand."
        ),  # fmt: skip
    )


class CloseRequestForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Uitkomst"), choices=SubjectRequest.Outcome.choices)
    note = forms.CharField(
        label=_("Toelichting"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Ik begrijp dat wissen niet terug te draaien is"), required=False
    )


class ReleaseForm(forms.Form):
    signal = forms.IntegerField(widget=forms.HiddenInput)
    release_reason = forms.CharField(label=_("Reden van vrijgave"), required=False, max_length=300)
