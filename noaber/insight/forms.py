from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class YearForm(forms.Form):
    jaar = forms.IntegerField(label=_("Jaar"), required=False, min_value=1990, max_value=2100)
    gebied = forms.ChoiceField(
        label=_("Gebied"),
        required=False,
        choices=[("", _("Deze gemeente")), ("regio", _("Noordoost-Twente"))],
    )


class ComparisonForm(forms.Form):
    van = forms.IntegerField(label=_("Beginjaar"), min_value=1990, max_value=2100)
    tot = forms.IntegerField(label=_("Eindjaar"), min_value=1990, max_value=2100)
    gebied = forms.ChoiceField(
        label=_("Gebied"),
        required=False,
        choices=[("", _("Deze gemeente")), ("regio", _("Noordoost-Twente"))],
    )

    def clean(self):
        data = super().clean()
        a, b = data.get("van"), data.get("tot")
        if a and b and a >= b:
            raise ValidationError(_("Het beginjaar moet vóór het eindjaar liggen."))
        return data


class AlertForm(forms.Form):
    note = forms.CharField(
        label=_("Wat doet u met deze piek?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    case = forms.ModelChoiceField(
        label=_("Of koppel haar aan een casus"), queryset=None, required=False
    )

    def __init__(self, *args, municipality, **kwargs):
        from noaber.cases.models import CLOSED, Case

        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = Case.objects.filter(municipality=municipality).exclude(
            status=CLOSED
        )
