"""The policy cycle: the IVP as data, its uitvoeringsplan (actions), activities, and what the
annual council report is built from."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from noaber.accounts.models import Municipality, Organisation
from noaber.cases.models import CaseType
from noaber.insight.models import Indicator
from noaber.themes.models import Theme


class Plan(models.Model):
    """An Integraal Veiligheidsplan for one municipality, or a joint one for several
    (Noordoost-Twente), over a period of years."""

    name = models.CharField(_("naam"), max_length=200)
    municipalities = models.ManyToManyField(
        Municipality, related_name="plans", verbose_name=_("gemeenten")
    )
    start_year = models.PositiveSmallIntegerField(_("eerste jaar"))
    end_year = models.PositiveSmallIntegerField(_("laatste jaar"))
    baseline_year = models.PositiveSmallIntegerField(_("jaar van het beginbeeld"))
    introduction = models.TextField(_("inleiding"), blank=True)
    # The plan's principles (uitgangspunten), in order: [{"title": ..., "text": ...}, ...]
    principles = models.JSONField(_("uitgangspunten"), default=list)
    source = models.CharField(_("bron"), max_length=300, blank=True)

    class Meta:
        ordering = ["-start_year", "name"]
        verbose_name = _("integraal veiligheidsplan")
        verbose_name_plural = _("integrale veiligheidsplannen")

    def __str__(self):
        return self.name

    def covers(self, year: int) -> bool:
        return self.start_year <= year <= self.end_year

    def clean(self):
        if self.end_year < self.start_year:
            raise ValidationError(_("Het laatste jaar ligt vóór het eerste jaar."))


class PlanPriority(models.Model):
    """One priority of a plan, with what the plan says about it."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="priorities")
    order = models.PositiveSmallIntegerField(_("volgorde"))
    name = models.CharField(_("naam"), max_length=200)
    about = models.TextField(_("waar gaat het over"), blank=True)
    challenges = models.TextField(_("opgave"), blank=True)
    goal = models.TextField(_("doel"), blank=True)
    done = models.TextField(_("wat doen we al"), blank=True)
    will_do = models.TextField(_("wat gaan we doen"), blank=True)
    with_whom = models.TextField(_("met wie"), blank=True)
    # What counts as an activity of this priority: cases of these types, and cases,
    # interventions and signals on these themes.
    themes = models.ManyToManyField(Theme, blank=True, related_name="+")
    case_types = models.ManyToManyField(CaseType, blank=True, related_name="+")
    partners = models.ManyToManyField(Organisation, blank=True, related_name="+")
    indicators = models.ManyToManyField(Indicator, blank=True, related_name="+")

    class Meta:
        ordering = ["plan", "order"]
        constraints = [models.UniqueConstraint(fields=["plan", "order"], name="one_priority_order")]

    def __str__(self):
        return self.name


class Action(models.Model):
    """An action of the uitvoeringsplan: who does what, when, with whom, and how it goes."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("gepland")
        RUNNING = "running", _("loopt")
        DONE = "done", _("gereed")
        POSTPONED = "postponed", _("uitgesteld")
        DROPPED = "dropped", _("vervallen")

    priority = models.ForeignKey(PlanPriority, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(_("actie"), max_length=300)
    description = models.TextField(_("toelichting"), blank=True)
    owner = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("trekker")
    )
    partners = models.ManyToManyField(
        Organisation, blank=True, related_name="+", verbose_name=_("met partners")
    )
    start_year = models.PositiveSmallIntegerField(_("van (jaar)"))
    end_year = models.PositiveSmallIntegerField(_("tot en met (jaar)"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices,
                              default=Status.PLANNED)  # fmt: skip
    indicators = models.ManyToManyField(
        Indicator, blank=True, related_name="+", verbose_name=_("beoogt te beïnvloeden")
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["priority", "start_year", "title"]
        verbose_name = _("actie")
        verbose_name_plural = _("acties")

    def __str__(self):
        return self.title


class ActionNote(models.Model):
    """A progress note on an action; append-only."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField(_("voortgang"))
    status = models.CharField(max_length=12, choices=Action.Status.choices, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.action}: {self.created_at:%Y-%m-%d}"


class Activity(models.Model):
    """An activity added by hand (a training, a campaign, an awareness session, an integrale
    controle): counted for its priority in the year it took place. No personal data."""

    class Kind(models.TextChoices):
        TRAINING = "training", _("training of voorlichting")
        CAMPAIGN = "campaign", _("campagne")
        AWARENESS = "awareness", _("bewustwordingssessie")
        INSPECTION = "inspection", _("integrale controle")
        MEETING = "meeting", _("bijeenkomst")
        OTHER = "other", _("overig")

    priority = models.ForeignKey(PlanPriority, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(_("soort"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("omschrijving"), max_length=300)
    held_on = models.DateField(_("datum"))
    reach = models.PositiveIntegerField(_("bereik (deelnemers, adressen)"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on"]
        verbose_name = _("activiteit")
        verbose_name_plural = _("activiteiten")

    def __str__(self):
        return self.title


# Cases of these types count as integrale controles in the report.
INSPECTION_CASE_TYPES = ("controle",)
