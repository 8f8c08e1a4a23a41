from django import forms
from django.utils.translation import gettext_lazy as _

from noaber.accounts.models import Organisation
from noaber.insight.models import Indicator

from .models import Action, Activity, PlanPriority

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ActionForm(forms.Form):
    priority = forms.ModelChoiceField(label=_("Prioriteit"), queryset=PlanPriority.objects.none())
    title = forms.CharField(label=_("Actie"), max_length=300)
    description = forms.CharField(
        label=_("Toelichting"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    owner = forms.ModelChoiceField(
        label=_("Trekker (team of partner)"), queryset=Organisation.objects.none(), required=False
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("Met partners"), queryset=Organisation.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    start_year = forms.IntegerField(label=_("Van (jaar)"))
    end_year = forms.IntegerField(label=_("Tot en met (jaar)"))
    indicators = forms.ModelMultipleChoiceField(
        label=_("Beoogt te beïnvloeden"), queryset=Indicator.objects.filter(rate_of__isnull=True),
        required=False, widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    def __init__(self, *args, plan, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority"].queryset = plan.priorities.all()
        organisations = Organisation.objects.filter(municipalities=municipality)
        self.fields["owner"].queryset = organisations
        self.fields["partners"].queryset = organisations.filter(kind__in=Organisation.PARTNER_KINDS)
        self.initial.setdefault("start_year", plan.start_year)
        self.initial.setdefault("end_year", plan.end_year)


class ProgressForm(forms.Form):
    text = forms.CharField(
        label=_("Voortgang"), max_length=3000, widget=forms.Textarea(attrs={"rows": 3})
    )
    status = forms.ChoiceField(
        label=_("Nieuwe status"), required=False,
        choices=[("", _("ongewijzigd")), *Action.Status.choices],
    )  # fmt: skip


class ActivityForm(forms.Form):
    priority = forms.ModelChoiceField(label=_("Prioriteit"), queryset=PlanPriority.objects.none())
    kind = forms.ChoiceField(label=_("Soort"), choices=Activity.Kind.choices)
    title = forms.CharField(
        label=_("Omschrijving"), max_length=300,
        help_text=_("Zonder namen of adressen: dit komt in de raadsrapportage."),
    )  # fmt: skip
    held_on = forms.DateField(label=_("Datum"), widget=DATE)
    reach = forms.IntegerField(label=_("Bereik (deelnemers, adressen)"), required=False,
                               min_value=0)  # fmt: skip

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority"].queryset = plan.priorities.all()
