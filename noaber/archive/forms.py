from django import forms
from django.utils.translation import gettext_lazy as _


class RefuseForm(forms.Form):
    reason = forms.CharField(label=_("Reden om niet te vernietigen"), max_length=300)
    new_date = forms.DateField(
        label=_("Nieuwe archiefactiedatum"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Op die datum komt de casus opnieuw op een vernietigingslijst."),
    )


class HoldForm(forms.Form):
    reason = forms.CharField(
        label=_("Reden van de bewaarplicht"),
        max_length=200,
        required=False,
        help_text=_("Bijvoorbeeld een lopende procedure of een Woo-verzoek."),
    )


class LookupForm(forms.Form):
    number = forms.CharField(
        label=_("Casusnummer"), max_length=20, help_text=_("Bijvoorbeeld C-12.")
    )

    def clean_number(self):
        text = self.cleaned_data["number"].strip().upper().removeprefix("C-")
        if not text.isdigit():
            raise forms.ValidationError(_("Een casusnummer is C- met een getal, zoals C-12."))
        return int(text)
