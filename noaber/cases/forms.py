from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from noaber.accounts.access import RULES
from noaber.accounts.models import Organisation, Role, User
from noaber.partners.models import SharingAgreement

from .location import LocationFields
from .models import CaseResult, CaseType, InterventionType, Team


class CaseForm(forms.Form):
    case_type = forms.ModelChoiceField(label=_("Zaaktype"), queryset=CaseType.objects.all())
    title = forms.CharField(label=_("Titel"), max_length=200)


class CaseStepForm(forms.Form):
    """A form for one step on a case: it carries the case's version the page showed, so that
    a post from a stale page is refused (optimistic locking) instead of overwriting."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.initial.setdefault("version", case.version)


class StatusForm(CaseStepForm):
    status = forms.ChoiceField(
        label=_("Nieuwe status"),
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": _("Die status kan vanuit de huidige status niet bij dit zaaktype.")
        },
    )
    field_order = ["status", "version"]

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        self.fields["status"].choices = [
            (s, case.case_type.status_label(s)) for s in case.case_type.next_statuses(case.status)
        ]


class NoteForm(CaseStepForm):
    text = forms.CharField(
        label=_("Notitie"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    corrects = forms.ModelChoiceField(
        label=_("Corrigeert notitie"),
        queryset=None,
        required=False,
        help_text=_("Een notitie wordt nooit gewijzigd; een correctie is een nieuwe notitie."),
    )

    def __init__(self, *args, case, **kwargs):
        from .models import TimelineEntry

        super().__init__(*args, case=case, **kwargs)
        notes = TimelineEntry.objects.filter(case=case, kind=TimelineEntry.Kind.NOTE)
        self.fields["corrects"].queryset = notes
        self.fields["corrects"].label_from_instance = lambda e: (
            f"{e.created_at:%d-%m-%Y %H:%M} {e.text[:60]}"
        )


def _colleagues(municipality):
    """The municipality's own people (no partners), for owner and attendee choices."""
    return (
        User.objects.filter(memberships__municipality=municipality, is_active=True)
        .exclude(memberships__role=Role.PARTNER)
        .select_related("organisation")
        .prefetch_related("memberships")
        .distinct()
        .order_by("first_name", "last_name")
    )


class TaskForm(CaseStepForm, LocationFields):
    title = forms.CharField(
        label=_("Taak"),
        max_length=200,
        help_text=_(
            "Wat er gedaan moet worden. Wie de taak uitvoert ziet deze tekst, het casusnummer, "
            "de datum en de locatie — niet de titel of de rest van de casus."
        ),
    )
    due_date = forms.DateField(
        label=_("Uiterlijk op"), widget=forms.DateInput(attrs={"type": "date"})
    )
    user = forms.ModelChoiceField(
        label=_("Eigenaar: medewerker"), queryset=User.objects.none(), required=False
    )
    team = forms.ModelChoiceField(
        label=_("Of eigenaar: team"),
        queryset=Team.objects.none(),
        required=False,
        help_text=_("Elk lid van het team ziet de taak onder Mijn taken en kan haar afronden."),
    )
    organisation = forms.ModelChoiceField(
        label=_("Of eigenaar: organisatie of ketenpartner"),
        queryset=Organisation.objects.none(),
        required=False,
    )
    agreement = forms.ModelChoiceField(
        label=_("Convenant (bij een ketenpartner)"),
        queryset=SharingAgreement.objects.none(),
        required=False,
    )
    field_order = ["title", "due_date", "user", "team", "organisation", "agreement"]

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        municipality = case.municipality
        self.init_location(municipality)
        self.fields["team"].queryset = Team.objects.filter(municipality=municipality, active=True)
        # People by name, never by username.
        self.fields["user"].label_from_instance = lambda user: user.display_name
        # Only people who can see their tasks ("Mijn taken") can be given one.
        self.fields["user"].queryset = (
            User.objects.filter(
                memberships__municipality=municipality,
                memberships__role__in=RULES["cases.my_tasks"],
                is_active=True,
            )
            .select_related("organisation")
            .prefetch_related("memberships")
            .distinct()
        )
        self.fields["user"].label_from_instance = lambda user: user.described_in(municipality)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            municipalities=municipality
        )
        self.fields["agreement"].queryset = SharingAgreement.objects.filter(
            municipalities=municipality
        )


class CompleteForm(forms.Form):
    result = forms.CharField(
        label=_("Resultaat"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CaseCompleteForm(CaseStepForm, CompleteForm):
    """Completing a task from the case page: with the case's version (a stale page is refused)."""


class InterventionForm(CaseStepForm):
    kind = forms.ModelChoiceField(label=_("Interventie"), queryset=InterventionType.objects.all())
    decided_on = forms.DateField(
        label=_("Besloten op"), widget=forms.DateInput(attrs={"type": "date"})
    )
    decided_by = forms.CharField(label=_("Besloten door"), max_length=120)
    follow_up = forms.CharField(
        label=_("Opvolging"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CloseForm(CaseStepForm):
    result = forms.ModelChoiceField(
        label=_("Resultaat"),
        queryset=CaseResult.objects.none(),
        widget=forms.RadioSelect,
        error_messages={"required": _("Kies een resultaat dat bij dit zaaktype hoort.")},
    )
    text = forms.CharField(
        label=_("Afsluittekst"),
        max_length=5000,
        error_messages={"required": _("Schrijf een afsluittekst.")},
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    public_text = forms.CharField(
        label=_("Tekst voor de melders"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Melders lezen dit met hun bonnummer. Noem geen namen en niets uit het onderzoek. "
            "Leeg: een standaardtekst dat hun melding is afgehandeld."
        ),
    )
    withdraw_tasks = forms.BooleanField(
        label=_("De open taken laten vervallen"),
        required=False,
        help_text=_("Nodig als er nog open taken zijn; elke vervallen taak komt op de tijdlijn."),
    )

    def __init__(self, *args, case, **kwargs):
        from .steps import open_tasks

        super().__init__(*args, case=case, **kwargs)
        self.fields["result"].queryset = case.case_type.results.all()
        self.open_tasks = list(open_tasks(case).select_related("owner_user", "owner_organisation"))
        if not self.open_tasks:
            del self.fields["withdraw_tasks"]
        # Closing ends the case's running shares with partners, unless the advisor keeps one
        # open until a date, with a reason: three fields per share.
        self.shares = list(case.shares.filter(ended_at__isnull=True).select_related("organisation"))
        for share in self.shares:
            name = {"o": share.organisation.name}
            self.fields[f"keep_{share.pk}"] = forms.BooleanField(
                label=_("Delen met %(o)s open houden na afsluiten") % name, required=False
            )
            self.fields[f"keep_until_{share.pk}"] = forms.DateField(
                label=_("%(o)s: open tot en met") % name,
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
                help_text=_("Nodig als u het delen open houdt: een datum na vandaag."),
            )
            self.fields[f"keep_reason_{share.pk}"] = forms.CharField(
                label=_("%(o)s: reden om open te houden") % name,
                required=False,
                max_length=300,
                help_text=_(
                    "Nodig als u het delen open houdt; komt in het verstrekkingenregister."
                ),
            )

    def case_fields(self):
        return [field for field in self if not field.name.startswith("keep_")]

    def share_fields(self):
        """Per running share: the share and its bound fields keep, until and reason."""
        return [
            (s, self[f"keep_{s.pk}"], self[f"keep_until_{s.pk}"], self[f"keep_reason_{s.pk}"])
            for s in self.shares
        ]

    def clean(self):
        """Adds `keep_shares`, {share_pk: (until, reason)}, for close_case."""
        data = super().clean()
        today = timezone.localdate()
        keep = {}
        for share in self.shares:
            until_name, reason_name = f"keep_until_{share.pk}", f"keep_reason_{share.pk}"
            until, reason = data.get(until_name), (data.get(reason_name) or "").strip()
            if not data.get(f"keep_{share.pk}"):
                if until or reason:
                    self.add_error(
                        until_name if until else reason_name,
                        _(
                            "Vink 'open houden' aan als het delen open moet blijven, of laat "
                            "datum en reden leeg."
                        ),
                    )
                continue
            if not reason:
                self.add_error(reason_name, _("Noem de reden om het delen open te houden."))
            if until is None:
                if until_name not in self.errors:
                    self.add_error(
                        until_name, _("Kies tot en met welke datum het delen open blijft.")
                    )
            elif until <= today:
                self.add_error(until_name, _("Kies een datum na vandaag."))
            keep[share.pk] = (until, reason)
        data["keep_shares"] = keep
        return data


class ReopenForm(CaseStepForm):
    reason = forms.CharField(
        label=_("Reden om te heropenen"),
        max_length=300,
        error_messages={"required": _("Noem de reden om de casus te heropenen.")},
    )
    public_text = forms.CharField(
        label=_("Tekst voor de melders"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Melders van wie de melding met het afsluiten werd afgehandeld, lezen dat hun "
            "melding opnieuw wordt behandeld. Leeg: een standaardtekst."
        ),
    )
    field_order = ["reason", "public_text", "version"]


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Soort overleg"), choices=[])
    attendees = forms.ModelMultipleChoiceField(
        label=_("Aanwezige medewerkers"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    held_on = forms.DateField(label=_("Datum"), widget=forms.DateInput(attrs={"type": "date"}))
    partners = forms.ModelMultipleChoiceField(
        label=_("Aanwezige partners"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, municipality, **kwargs):
        from .models import Meeting

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Meeting.Kind.choices
        self.fields["attendees"].queryset = _colleagues(municipality)
        self.fields["attendees"].label_from_instance = lambda user: user.described_in(municipality)
        self.fields["partners"].queryset = Organisation.objects.filter(
            municipalities=municipality, kind__in=Organisation.PARTNER_KINDS
        )


class AgendaForm(forms.Form):
    case = forms.ModelChoiceField(label=_("Casus"), queryset=None)
    shared_with = forms.ModelMultipleChoiceField(
        label=_("Delen met (aanwezige partners)"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, meeting, **kwargs):
        from .models import CLOSED, Case

        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = Case.objects.filter(
            municipality=meeting.municipality
        ).exclude(status=CLOSED)
        self.fields["shared_with"].queryset = meeting.partners.all()


class _VersionedMinutesForm(forms.Form):
    """Minutes carry the version of what the page showed: a post from a stale page (someone
    saved other minutes meanwhile) is refused instead of overwriting theirs."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, data=None, *, minutes_of):
        """`minutes_of`: the meeting or agenda item whose minutes these are."""
        super().__init__(
            data, initial={"minutes": minutes_of.minutes, "version": minutes_of.version}
        )


class MinutesForm(_VersionedMinutesForm):
    minutes = forms.CharField(
        label=_("Algemeen verslag"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Wat over één casus gaat, hoort in het verslag van dat agendapunt: dat wordt met de "
            "casus vernietigd, dit algemene deel niet."
        ),
    )
    field_order = ["minutes", "version"]


class ItemMinutesForm(_VersionedMinutesForm):
    minutes = forms.CharField(
        label=_("Verslag van dit agendapunt"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    field_order = ["minutes", "version"]


class DecisionForm(LocationFields):
    """A decision; it can at once create a task (for a team or a partner, with a location) or
    an intervention on the case."""

    text = forms.CharField(
        label=_("Besluit"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    task_title = forms.CharField(
        label=_("Wordt taak: omschrijving"), required=False, max_length=200
    )
    task_due = forms.DateField(
        label=_("Taak uiterlijk op"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    task_team = forms.ModelChoiceField(
        label=_("Taak voor een team"),
        queryset=Team.objects.none(),
        required=False,
        help_text=_("Bijvoorbeeld de boa's: elk lid ziet de taak onder Mijn taken."),
    )
    task_organisation = forms.ModelChoiceField(
        label=_("Of taak voor een organisatie of partner"),
        queryset=Organisation.objects.none(),
        required=False,
    )
    task_agreement = forms.ModelChoiceField(
        label=_("Convenant (bij een partner)"),
        queryset=SharingAgreement.objects.none(),
        required=False,
    )
    intervention = forms.ModelChoiceField(
        label=_("Wordt interventie"), queryset=InterventionType.objects.all(), required=False
    )
    decided_by = forms.CharField(
        label=_("Interventie besloten door"), required=False, max_length=120
    )

    field_order = ["text", "task_title", "task_due", "task_team", "task_organisation",
                   "task_agreement"]  # fmt: skip

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.init_location(meeting.municipality)
        for name in ("location_postcode", "location_house_number", "location_addition",
                     "location_area"):  # fmt: skip
            # "Locatie: postcode" -> "Taaklocatie: postcode": on this form it is the task's.
            self.fields[name].label = str(self.fields[name].label).replace(
                str(_("Locatie")), str(_("Taaklocatie")), 1
            )
        self.fields["task_team"].queryset = Team.objects.filter(
            municipality=meeting.municipality, active=True
        )
        self.fields["task_organisation"].queryset = Organisation.objects.filter(
            municipalities=meeting.municipality
        )
        self.fields["task_agreement"].queryset = SharingAgreement.objects.filter(
            municipalities=meeting.municipality
        )

    def clean(self):
        data = super().clean()
        if not data.get("task_title") and any(
            data.get(f) for f in ("location_postcode", "location_house_number", "location_area")
        ):
            self.add_error("task_title", _("Een locatie hoort bij een taak: omschrijf de taak."))
        owners = sum(bool(data.get(f)) for f in ("task_team", "task_organisation"))
        if data.get("task_title") and not (data.get("task_due") and owners == 1):
            self.add_error(
                "task_due",
                _("Een taak heeft een datum en één eigenaar nodig: een team of een organisatie."),
            )
        elif data.get("task_due") and data["task_due"] < timezone.localdate():
            self.add_error("task_due", _("De uiterste datum ligt in het verleden."))
        if data.get("intervention") and not data.get("decided_by"):
            self.add_error("decided_by", _("Noem wie de interventie besloot."))
        return data
