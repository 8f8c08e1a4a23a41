from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Priority, TermKind, Theme, themes_for
from .terms import code_choices, eligible_handlers


class ThemeForm(forms.ModelForm):
    class Meta:
        model = Theme
        fields = ["name", "description", "active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class PriorityForm(forms.ModelForm):
    class Meta:
        model = Priority
        fields = ["name", "description", "themes"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "themes": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].queryset = Theme.objects.filter(
            pk__in=[t.pk for t in themes_for(municipality)]
        )


class HandlingTermForm(forms.Form):
    """One handling term. The number is checked by the action (1 to 365 working days), so the
    form and the action give the same Dutch message."""

    kind = forms.ChoiceField(label=_("Soort"), choices=TermKind.choices)
    code = forms.ChoiceField(label=_("Categorie of thema"), required=False)
    working_days = forms.IntegerField(
        label=_("Werkdagen"),
        error_messages={"invalid": _("Vul een heel aantal werkdagen in, bijvoorbeeld 5.")},
    )

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— standaard voor deze soort —"))]
        for kind, label in TermKind.choices:
            choices += [
                (code, f"{label}: {name}") for code, name in code_choices(municipality, kind)
            ]
        # The same code may name a category and a theme; the action checks it against the kind.
        self.fields["code"].choices = list(dict(choices).items())


class HolidayForm(forms.Form):
    date = forms.DateField(
        label=_("Datum"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Vul een bestaande datum in, bijvoorbeeld 2026-04-03.")},
    )
    name = forms.CharField(label=_("Naam"), max_length=100)


class AssignForm(forms.Form):
    """Behandelaar en streefdatum of a report, signal or case. `rule` is the access rule of the
    kind of object (its handlers hold a role it allows); `version` is the object's version
    the page showed, where the object has one."""

    handler = forms.ModelChoiceField(
        label=_("Behandelaar"),
        queryset=None,
        required=False,
        empty_label=_("— niemand —"),
        error_messages={
            "invalid_choice": _(
                "Die persoon kan hier geen behandelaar zijn: kies een medewerker van deze "
                "gemeente met een rol die dit mag behandelen."
            )
        },
    )
    due_date = forms.DateField(
        label=_("Streefdatum"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Vul een bestaande datum in, bijvoorbeeld 2026-12-31.")},
    )
    reason = forms.CharField(
        label=_("Reden van een andere streefdatum"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Nodig als u de streefdatum verandert."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, municipality, rule="intake.inbox", handler=None,
                 due_date=None, version=None, **kwargs):  # fmt: skip
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = eligible_handlers(municipality, rule)
        self.fields["handler"].label_from_instance = lambda u: u.display_name
        self.initial.setdefault("handler", handler.pk if handler else None)
        self.initial.setdefault("due_date", due_date)
        if version is None:
            del self.fields["version"]
        else:
            self.initial.setdefault("version", version)
