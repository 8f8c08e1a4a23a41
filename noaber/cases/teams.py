"""Teams (e.g. "Handhaving Dinkelland"): the functional admin keeps, per municipality, which
teams there are and who is in them. An advisor can give a task to a team; every member sees it
under Mijn taken and any one of them completes it."""

from django import forms
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from noaber.accounts.access import RULES, municipality_view
from noaber.accounts.models import User
from noaber.lib.pages import action_page

from . import actions
from .models import Team


def members_for(municipality):
    """Who can be in a team: whoever can be given a task in the municipality."""
    return (
        User.objects.filter(
            memberships__municipality=municipality,
            memberships__role__in=RULES["cases.my_tasks"],
            is_active=True,
        )
        .select_related("organisation")
        .prefetch_related("memberships")
        .distinct()
        .order_by("first_name", "last_name")
    )


class TeamForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Naam"), max_length=100)
    members = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Leden"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Handhavers en medewerkers van deze gemeente; elk lid ziet de taken van het team."
        ),
    )
    active = forms.BooleanField(
        label=gettext_lazy("Actief (kan taken krijgen)"), required=False, initial=True
    )

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = members_for(municipality)
        self.fields["members"].label_from_instance = lambda u: u.described_in(municipality)


@municipality_view("cases.teams")
def team_list(request, municipality):
    teams = Team.objects.filter(municipality=municipality).prefetch_related("members")
    return render(request, "cases/team_list.html", {"teams": teams})


@municipality_view("cases.teams", ["GET", "POST"])
def team_edit(request, municipality, pk=None):
    team = get_object_or_404(Team, municipality=municipality, pk=pk) if pk else None
    initial = (
        {"name": team.name, "members": list(team.members.all()), "active": team.active}
        if team
        else {}
    )
    form = TeamForm(request.POST or None, initial=initial, municipality=municipality)
    back = reverse("cases:teams", args=[municipality.cbs_code])
    return action_page(
        request,
        form,
        lambda d: actions.save_team(
            municipality,
            name=d["name"],
            members=d["members"],
            active=d["active"],
            team=team,
            request=request,
        ),
        success_url=back,
        success_message=_("Het team is opgeslagen."),
        context={
            "object_url": back,
            "object_label": _("teams"),
            "title": _("Team %(n)s bewerken") % {"n": team.name} if team else _("Nieuw team"),
            "submit_label": _("Team opslaan"),
        },
    )
