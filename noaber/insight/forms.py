from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from noaber.lib import dates
from noaber.themes.models import Theme, themes_for

FIRST_YEAR = 1990  # the oldest year Noaber takes figures for
AREA_CHOICES = [("", _("Deze gemeente")), ("regio", _("Noordoost-Twente"))]


def year_field(label, *, required, last_year):
    """A year from FIRST_YEAR up to `last_year` (this year), with Dutch messages that say what
    to type instead of Django's generic ones."""
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=FIRST_YEAR,
        max_value=last_year,
        error_messages={
            "invalid": _("Vul een jaar in als getal, bijvoorbeeld %(year)d.") % {"year": last_year},
            "min_value": _("Kies een jaar vanaf %(first)d.") % {"first": FIRST_YEAR},
            "max_value": _("Kies een jaar tot en met %(last)d: over latere jaren zijn er geen "
                           "cijfers.") % {"last": last_year},
            "required": _("Vul een jaar in."),
        },
    )  # fmt: skip


class YearForm(forms.Form):
    """The year (and area) of the veiligheidsbeeld; `today` decides the latest year allowed."""

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        today = today or dates.today()
        self.fields["jaar"] = year_field(_("Jaar"), required=False, last_year=today.year)
        self.fields["gebied"] = forms.ChoiceField(
            label=_("Gebied"), required=False, choices=AREA_CHOICES,
            error_messages={"invalid_choice": _("Kies deze gemeente of Noordoost-Twente.")},
        )  # fmt: skip


class ComparisonForm(forms.Form):
    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        today = today or dates.today()
        self.fields["van"] = year_field(_("Beginjaar"), required=True, last_year=today.year)
        self.fields["tot"] = year_field(_("Eindjaar"), required=True, last_year=today.year)
        self.fields["gebied"] = forms.ChoiceField(
            label=_("Gebied"), required=False, choices=AREA_CHOICES,
            error_messages={"invalid_choice": _("Kies deze gemeente of Noordoost-Twente.")},
        )  # fmt: skip

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


MAP_KINDS = [("meldingen", _("Meldingen")), ("signalen", _("Signalen"))]


class MapForm(forms.Form):
    """What the staff map colours: a year, one kind, and optionally one theme."""

    def __init__(self, *args, today=None, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        theme_ids = [t.pk for t in themes_for(municipality, include_inactive=True)]
        themes = Theme.objects.filter(pk__in=theme_ids)
        today = today or dates.today()
        self.fields["jaar"] = year_field(_("Jaar"), required=False, last_year=today.year)
        self.fields["soort"] = forms.ChoiceField(
            label=_("Kleur de kaart naar"), required=False, choices=MAP_KINDS,
            error_messages={"invalid_choice": _("Kies meldingen of signalen.")},
        )  # fmt: skip
        self.fields["thema"] = forms.ModelChoiceField(
            label=_("Thema"), required=False, queryset=themes, empty_label=_("Alle thema's"),
            error_messages={"invalid_choice": _("Kies een thema uit de lijst.")},
        )  # fmt: skip
