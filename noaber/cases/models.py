"""Casusregie: cases with their type (statuses, transitions, results with archive terms),
interventions from a catalogue, tasks with owners, and an append-only timeline."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from noaber.accounts.models import Municipality, Organisation
from noaber.audit.models import Confidentiality
from noaber.intake.models import Area
from noaber.lib.crypto import EncryptedTextField
from noaber.partners.models import SharingAgreement
from noaber.registry.models import Signal, Subject

# The end state of every case type: reached only by closing with a result. The code word is
# the same across apps ("closed"); its Dutch label lives in data/reference/cases.json.
CLOSED = "closed"


class CaseType(models.Model):
    """Data (data/reference/cases.json): ordered statuses and the allowed transitions."""

    code = models.SlugField(unique=True)
    name = models.CharField(_("naam"), max_length=120)
    statuses = models.JSONField(default=list)  # [[code, label], ...] in order; first = new
    transitions = models.JSONField(default=list)  # [[from, to], ...]
    # The statuses a case of this type may be closed from (never the first one).
    close_from = models.JSONField(default=list)
    reopen_status = models.CharField(max_length=30, blank=True)
    # The ZGW vertrouwelijkheidaanduiding of its cases: what a zaaksysteem or archive client
    # must be allowed to see them (noaber.zgw). Ondermijning types are high by default.
    confidentiality = models.CharField(
        _("vertrouwelijkheidaanduiding"),
        max_length=20,
        choices=Confidentiality.choices,
        default=Confidentiality.ZAAKVERTROUWELIJK,
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def first_status(self) -> str:
        return self.statuses[0][0]

    def status_label(self, code: str) -> str:
        return dict(self.statuses).get(code, code)

    def allows(self, old: str, new: str) -> bool:
        return [old, new] in self.transitions

    def next_statuses(self, old: str) -> list[str]:
        """The statuses a case in `old` may move to (closing aside), in the type's order."""
        allowed = {new for frm, new in self.transitions if frm == old}
        return [code for code, _label in self.statuses if code in allowed]

    def may_close_from(self, status: str) -> bool:
        return status in self.close_from


class Archiefnominatie(models.TextChoices):
    """ZGW (Zaken API) values, unchanged, so that a ZGW view can serve them as they are."""

    VERNIETIGEN = "vernietigen", _("vernietigen")
    BLIJVEND_BEWAREN = "blijvend_bewaren", _("blijvend bewaren")


class Archiefstatus(models.TextChoices):
    """ZGW values. `gearchiveerd`: the case is fixed in a transfer package (a durable,
    checksummed copy with MDTO metadata); `overgedragen`: the archive repository (e-depot)
    has accepted it, confirmed by the archivist. A case to be destroyed stays
    `nog_te_archiveren` until it is destroyed."""

    NOG_TE_ARCHIVEREN = "nog_te_archiveren", _("nog te archiveren")
    GEARCHIVEERD = "gearchiveerd", _("gearchiveerd")
    OVERGEDRAGEN = "overgedragen", _("overgedragen")


class CaseResult(models.Model):
    # Kept as an alias: the result's nomination uses the same ZGW values as the case.
    Archive = Archiefnominatie

    case_type = models.ForeignKey(CaseType, on_delete=models.CASCADE, related_name="results")
    code = models.SlugField()
    name = models.CharField(_("resultaat"), max_length=120)
    archive = models.CharField(
        _("archiefnominatie"), max_length=20, choices=Archiefnominatie.choices
    )
    # ZGW archiefactietermijn: years after closing until destruction (vernietigen) or
    # transfer to the archive repository (blijvend bewaren).
    term_years = models.PositiveSmallIntegerField(_("archiefactietermijn (jaren)"), default=0)

    class Meta:
        ordering = ["case_type", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case_type", "code"], name="one_result_code_per_type")
        ]

    def __str__(self):
        return self.name


class InterventionType(models.Model):
    code = models.SlugField(unique=True)
    name = models.CharField(_("naam"), max_length=120)
    legal_basis = models.CharField(_("grondslag"), max_length=200)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Case(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="cases")
    case_type = models.ForeignKey(CaseType, on_delete=models.PROTECT, verbose_name=_("zaaktype"))
    title = EncryptedTextField(_("titel"), max_length=200)
    status = models.CharField(_("status"), max_length=30)
    signals = models.ManyToManyField(Signal, blank=True, related_name="cases")
    subjects = models.ManyToManyField(Subject, blank=True, related_name="cases")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_cases",
        verbose_name=_("regisseur"),
    )
    result = models.ForeignKey(CaseResult, on_delete=models.PROTECT, null=True, blank=True)
    closing_text = EncryptedTextField(_("afsluittekst"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # ZGW archive fields, set on closing from the result (docs/cases.md, "Archief").
    archiefnominatie = models.CharField(
        _("archiefnominatie"), max_length=20, choices=Archiefnominatie.choices, blank=True
    )
    archiefactiedatum = models.DateField(_("archiefactiedatum"), null=True, blank=True)
    archiefstatus = models.CharField(
        _("archiefstatus"),
        max_length=20,
        choices=Archiefstatus.choices,
        default=Archiefstatus.NOG_TE_ARCHIVEREN,
    )
    # Bewaarplicht: a case under legal hold is never destroyed (set by the archivist).
    legal_hold = models.BooleanField(_("bewaarplicht (legal hold)"), default=False)
    legal_hold_reason = EncryptedTextField(_("reden bewaarplicht"), max_length=200, blank=True)
    # Set when the case was destroyed but its row stays for the partner-share ledger: only
    # number, type, result, dates and archive fields remain.
    destroyed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    # The case's behandelaar is its regisseur (`owner`); the streefdatum comes from the theme
    # of its first signal (or the default term) when the case is opened (docs/cases.md).
    due_date = models.DateField(_("streefdatum"), null=True, blank=True)
    due_date_reason = EncryptedTextField(_("reden andere streefdatum"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["municipality", "owner", "due_date"]),
            models.Index(fields=["municipality", "status", "created_at"]),
            # The case list's default order (newest first, pk breaking ties): its pages.
            models.Index(fields=["municipality", "created_at", "id"], name="case_list_order"),
            # Open cases overdue first (the case list's default order).
            models.Index(fields=["municipality", "due_date", "id"], name="case_list_due"),
            models.Index(fields=["municipality", "archiefnominatie", "archiefactiedatum"]),
            # The ZGW zaken list (noaber.zgw): its order, over the cases that still exist, with
            # the type each client's filter reads — a page without touching the table.
            models.Index(
                fields=["municipality", "created_at", "id"],
                condition=models.Q(destroyed_at__isnull=True),
                include=["case_type"],
                name="case_exchange_order",
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def number(self) -> str:
        return f"C-{self.pk}"

    @property
    def is_closed(self) -> bool:
        return self.status == CLOSED

    @property
    def status_label(self) -> str:
        return self.case_type.status_label(self.status)


class TimelineEntry(models.Model):
    """Append-only: a correction is a new entry, never an edit."""

    class Kind(models.TextChoices):
        STATUS = "status", _("status")
        NOTE = "note", _("notitie")
        TASK = "task", _("taak")
        INTERVENTION = "intervention", _("interventie")
        DISCLOSURE = "disclosure", _("verstrekking")
        MEETING = "meeting", _("overlegbesluit")
        CLOSING = "closing", _("afsluiting")
        SHARE = "share", _("gedeeld met partner")
        PARTNER_NOTE = "partner_note", _("notitie van partner")
        PARTNER_SIGNAL = "partner_signal", _("signaal van partner")
        ASSIGN = "assign", _("behandelaar en streefdatum")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="timeline")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = EncryptedTextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    corrects = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True)
    # Set on partner notes and signals: only that organisation's users see them in the portal.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["case", "created_at"]),
            # Each case's status entries (the ZGW statussen, a zaak's current status).
            models.Index(
                fields=["case", "id"],
                condition=models.Q(kind__in=["status", "closing"]),
                name="timeline_status_entries",
            ),
        ]

    def __str__(self):
        return f"{self.case}: {self.kind}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(
                _("Een tijdlijnregel wordt nooit gewijzigd; voeg een nieuwe toe.")
            )
        super().save(*args, **kwargs)


class Intervention(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="interventions")
    kind = models.ForeignKey(
        InterventionType, on_delete=models.PROTECT, verbose_name=_("interventie")
    )
    decided_on = models.DateField(_("besloten op"))
    decided_by = models.CharField(_("besloten door"), max_length=120)
    follow_up = EncryptedTextField(_("opvolging"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["decided_on", "pk"]

    def __str__(self):
        return f"{self.case}: {self.kind}"


class Team(models.Model):
    """A team of one municipality that is given tasks as a whole, e.g. "Handhaving Dinkelland":
    its members (enforcers, employees) all see and may complete its open tasks. Data the
    functional admin keeps (noaber/cases/teams.py); every change is audited."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(_("naam"), max_length=100)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="teams", verbose_name=_("leden")
    )
    active = models.BooleanField(_("actief"), default=True)

    class Meta:
        ordering = ["municipality", "name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="one_team_name")
        ]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self):
        return self.name


class Task(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="tasks")
    title = EncryptedTextField(_("taak"), max_length=200)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_tasks",
    )
    owner_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="case_tasks"
    )
    owner_team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks"
    )
    agreement = models.ForeignKey(SharingAgreement, on_delete=models.PROTECT, null=True, blank=True)
    due_date = models.DateField(_("uiterlijk op"))
    # Where the task is to be done (optional), set by the advisor (noaber/cases/location.py).
    location_postcode = models.CharField(_("postcode"), max_length=6, blank=True)
    location_house_number = models.PositiveIntegerField(_("huisnummer"), null=True, blank=True)
    location_addition = models.CharField(_("toevoeging"), max_length=6, blank=True)
    # From the BAG when the address resolved there (empty when taken as typed).
    location_street = models.CharField(_("straat"), max_length=80, blank=True)
    location_woonplaats = models.CharField(_("woonplaats"), max_length=80, blank=True)
    location_area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kern of gebied"),
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    result = EncryptedTextField(_("resultaat"), blank=True)
    # A task that lapsed before it was done: its partner's share ended, or its case closed.
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = EncryptedTextField(_("reden vervallen"), max_length=200, blank=True)
    reminded_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["completed_at", "due_date"])]
        constraints = [
            # Never two owners. Exactly one is the rule of actions.add_task; the database keeps
            # "at most one" so that rolling migrations back past the teams (which drops the
            # team owner) and forward again works (accounts/tests/test_model_moves.py).
            models.CheckConstraint(
                condition=(
                    models.Q(owner_user__isnull=True, owner_organisation__isnull=True)
                    | models.Q(owner_user__isnull=True, owner_team__isnull=True)
                    | models.Q(owner_organisation__isnull=True, owner_team__isnull=True)
                ),
                name="task_has_at_most_one_owner",
            )
        ]

    def __str__(self):
        return self.title

    @property
    def owner_label(self) -> str:
        if self.owner_user_id:
            return str(self.owner_user.display_name)
        if self.owner_team_id:
            return str(self.owner_team)
        return str(self.owner_organisation or "")

    @property
    def location_label(self) -> str:
        """'Hoofdstraat 12a, 7591 AB Denekamp, Denekamp' (street and woonplaats when the BAG
        gave them; '7591 AB 12a' when not) and the kern — what is known; '' when none."""
        parts = []
        if self.location_postcode:
            pc = f"{self.location_postcode[:4]} {self.location_postcode[4:]}"
            number = f"{self.location_house_number or ''}{self.location_addition}"
            if self.location_street:
                parts.append(f"{self.location_street} {number}".strip())
                parts.append(f"{pc} {self.location_woonplaats}".strip())
            else:
                parts.append(f"{pc} {number}".strip())
        if self.location_area_id:
            parts.append(str(self.location_area))
        return ", ".join(parts)


class Meeting(models.Model):
    """A casusoverleg, gezagsdriehoek or RIEC-overleg with an agenda of cases."""

    class Kind(models.TextChoices):
        CASUSOVERLEG = "casusoverleg", _("casusoverleg")
        DRIEHOEK = "driehoek", _("gezagsdriehoek")
        RIEC = "riec", _("RIEC-overleg")

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="meetings"
    )
    kind = models.CharField(_("soort overleg"), max_length=20, choices=Kind.choices)
    held_on = models.DateField(_("datum"))
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="meetings"
    )
    partners = models.ManyToManyField(Organisation, blank=True, related_name="meetings")
    minutes = EncryptedTextField(_("verslag"), blank=True)
    # Raised at every write of the minutes: a post from a stale page is refused.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.held_on:%d-%m-%Y}"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="agenda_items")
    # The partners present who may see this item; the others see nothing of it.
    shared_with = models.ManyToManyField(Organisation, blank=True, related_name="+")
    # The minutes of this case's part of the meeting: destroyed with the case, while the
    # meeting's general minutes and the other cases' parts stay.
    minutes = EncryptedTextField(_("verslag van dit agendapunt"), blank=True)
    version = models.PositiveIntegerField(default=1)  # as Meeting.version, for these minutes
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "case"], name="case_once_per_meeting")
        ]

    def __str__(self):
        return f"{self.meeting}: {self.case}"


class Decision(models.Model):
    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="decisions")
    text = EncryptedTextField(_("besluit"))
    task = models.ForeignKey(Task, on_delete=models.PROTECT, null=True, blank=True)
    intervention = models.ForeignKey(Intervention, on_delete=models.PROTECT, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.item}: besluit"
