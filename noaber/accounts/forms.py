from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Municipality


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Gebruikersnaam"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Wachtwoord"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    municipality = forms.ModelChoiceField(
        label=_("Gemeente"),
        help_text=_("Laat leeg om te beginnen bij uw eerste gemeente."),
        queryset=Municipality.objects.all(),
        to_field_name="cbs_code",
        required=False,
        empty_label=_("— geen voorkeur —"),
    )


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code uit uw authenticator-app"),
        help_text=_("Zes cijfers; de code verandert elke 30 seconden."),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*"}
        ),
        error_messages={
            "min_length": _("De code bestaat uit zes cijfers."),
            "max_length": _("De code bestaat uit zes cijfers."),
        },
    )

    def clean_token(self):
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError(_("De code bestaat uit zes cijfers."))
        return token
