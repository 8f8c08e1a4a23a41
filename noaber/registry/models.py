"""Signaalregister: signals of ondermijning, their subjects, weging, privacy checks,
disclosures and retention, following the Model privacyprotocol (see docs/register.md).

Free text and identifying values are encrypted at rest (noaber.lib.crypto); exact search uses
keyed blind indexes (SubjectKey), so the database never holds a readable name or BSN.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from noaber.accounts.models import Municipality, Organisation
from noaber.intake.models import Area, Report
from noaber.lib.crypto import EncryptedTextField

# Agreements belong to the ketenkaart; the register's disclosures name them.
from noaber.partners.models import DataCategory, SharingAgreement
from noaber.themes.models import Theme

# How long the controller has to answer a data-subject request (art. 12 lid 3 AVG), and by how
# much it may extend that, with a reason.
REQUEST_MONTHS = 1
MAX_EXTENSION_MONTHS = 2


class SourceType(models.TextChoices):
    RESIDENT = "resident", _("inwoner")
    ANONYMOUS = "anonymous", _("anonieme inwoner")
    EMPLOYEE = "employee", _("medewerker (niet pluis)")
    PARTNER = "partner", _("ketenpartner")
    MMA = "mma", _("Meld Misdaad Anoniem")
    OWN = "own", _("eigen waarneming")


class Phase(models.TextChoices):
    INTAKE = "intake", _("1 intake")
    WEGING = "weging", _("2 weging")
    SOURCES = "sources", _("3 bronnencheck")
    PLAN = "plan", _("4 plan van aanpak")
    CLOSED = "closed", _("afgesloten")


class Outcome(models.TextChoices):
    NONE = "none", _("geen aanpak")
    INTERNAL = "internal", _("intern routeren")
    EXTERNAL = "external", _("extern / RIEC")
    FURTHER = "further", _("verder naar fase 3")


class Grade(models.Model):
    """One step of a reliability scale (data: data/reference/registry.json)."""

    class Kind(models.TextChoices):
        SOURCE = "source", _("betrouwbaarheid bron")
        INFORMATION = "information", _("betrouwbaarheid informatie")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    code = models.CharField(max_length=4)
    label = models.CharField(max_length=100)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["kind", "order"]
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="one_grade_code")]

    def __str__(self):
        return f"{self.code} — {self.label}"


class Signal(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="signals")
    received_on = models.DateField(_("ontvangen op"))
    source_type = models.CharField(_("soort bron"), max_length=20, choices=SourceType.choices)
    reports = models.ManyToManyField(Report, blank=True, related_name="signals")
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, verbose_name=_("thema"))
    phenomenon = EncryptedTextField(_("fenomeen"), max_length=100, blank=True)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("gebied")
    )
    location = EncryptedTextField(_("locatie"), blank=True)
    description = EncryptedTextField(_("omschrijving"))
    municipal_task = models.CharField(
        _("gemeentelijke taak of bevoegdheid"), max_length=200, blank=True
    )
    territory_ok = models.BooleanField(_("op eigen grondgebied"), null=True)
    phase = models.CharField(_("fase"), max_length=20, choices=Phase.choices, default=Phase.INTAKE)
    source_grade = models.ForeignKey(
        Grade,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("betrouwbaarheid van de bron"),
    )
    information_grade = models.ForeignKey(
        Grade,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("betrouwbaarheid van de informatie"),
    )
    legal_basis = models.CharField(_("grondslag"), max_length=200, blank=True)
    purpose = models.CharField(_("verwerkingsdoel"), max_length=200, blank=True)
    criminal_law_data = models.BooleanField(_("bevat strafrechtelijke gegevens"), default=False)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_signals",
        verbose_name=_("behandelaar"),
    )
    # The weging's streefdatum, from the theme's handling term (docs/register.md).
    due_date = models.DateField(_("streefdatum"), null=True, blank=True)
    due_date_reason = EncryptedTextField(_("reden andere streefdatum"), blank=True)
    outcome = models.CharField(
        _("uitkomst weging"), max_length=20, choices=Outcome.choices, blank=True
    )
    outcome_reason = EncryptedTextField(_("motivering weging"), blank=True)
    weighed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Set when retention anonymised the signal; its statistics (theme, area, dates) remain.
    destroyed_at = models.DateTimeField(null=True, blank=True)
    legal_hold = models.BooleanField(_("bewaarplicht (legal hold)"), default=False)
    legal_hold_reason = EncryptedTextField(max_length=200, blank=True)
    # Optimistic locking: every change bumps it; an edit based on an older version is refused.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_on", "-pk"]
        indexes = [
            models.Index(fields=["municipality", "phase", "received_on"]),
            models.Index(fields=["municipality", "theme", "received_on"]),
            models.Index(fields=["phase", "closed_at"]),
            models.Index(fields=["municipality", "assigned_to", "due_date"]),
            # The inbox: open signals of a municipality, newest first.
            models.Index(
                fields=["municipality", "-received_on", "-id"],
                condition=~models.Q(phase="closed") & models.Q(destroyed_at__isnull=True),
                name="registry_open_inbox",
            ),
            # The same, overdue first (the register's default order).
            models.Index(
                fields=["municipality", "due_date", "id"],
                condition=~models.Q(phase="closed") & models.Q(destroyed_at__isnull=True),
                name="registry_open_due",
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def number(self) -> str:
        return f"S-{self.pk}"

    @property
    def is_closed(self) -> bool:
        """Closed signals are never late, whatever their streefdatum was."""
        return self.phase == Phase.CLOSED


class Subject(models.Model):
    """A person, address/object, company, vehicle or online identity, per municipality."""

    class Kind(models.TextChoices):
        PERSON = "person", _("persoon")
        ADDRESS = "address", _("adres of object")
        COMPANY = "company", _("bedrijf")
        VEHICLE = "vehicle", _("voertuig")
        ONLINE = "online", _("online identiteit")

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="subjects"
    )
    kind = models.CharField(_("soort"), max_length=20, choices=Kind.choices)
    # What identifies it, encrypted: name / street / company name / kenteken / handle.
    label = EncryptedTextField(_("naam of omschrijving"))
    birth_date = EncryptedTextField(_("geboortedatum"), blank=True)
    bsn = EncryptedTextField(_("BSN"), blank=True)
    postcode = models.CharField(_("postcode"), max_length=6, blank=True)
    house_number = models.PositiveIntegerField(_("huisnummer"), null=True, blank=True)
    house_number_addition = models.CharField(_("toevoeging"), max_length=6, blank=True)
    bag_id = models.CharField(_("BAG-id"), max_length=16, blank=True)
    kvk = models.CharField(_("KvK-nummer"), max_length=8, blank=True)
    kenteken = models.CharField(_("kenteken"), max_length=8, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"B-{self.pk}"

    def data_subject(self) -> tuple[str, object]:
        """Who the audit log says the data are about (as a keyed pseudonym only): the person's
        BSN where the register holds one, else this subject record."""
        if self.kind == self.Kind.PERSON and self.bsn:
            return ("bsn", self.bsn)
        return ("noaber-subject", self.pk)


class SubjectKey(models.Model):
    """Blind index entries of a subject: exact keys and fuzzy (phonetic) keys."""

    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="keys")
    municipality_id_copy = models.BigIntegerField(db_index=False)
    kind = models.CharField(max_length=20)  # e.g. name, name_token, bsn, address, kvk, kenteken
    digest = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["municipality_id_copy", "digest"])]

    def __str__(self):
        return f"{self.subject}: {self.kind}"


class SignalSubject(models.Model):
    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="links")
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="links")
    role = EncryptedTextField(_("rol"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["signal", "subject"], name="subject_once_per_signal")
        ]

    def __str__(self):
        return f"{self.signal} – {self.subject}"


class PrivacyCheck(models.Model):
    class Kind(models.TextChoices):
        CHECK_1 = "1", _("privacytoets 1 (voor de bronnencheck)")
        CHECK_2A = "2A", _("privacytoets 2A (interne ontvanger)")
        CHECK_2B = "2B", _("privacytoets 2B (extra verstrekking)")

    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="privacy_checks")
    kind = models.CharField(_("soort toets"), max_length=4, choices=Kind.choices)
    recipient = models.CharField(_("ontvanger"), max_length=200, blank=True)
    original_basis = models.CharField(_("grondslag oorspronkelijke verzameling"), max_length=300)
    compatible_use = models.BooleanField(_("verenigbaar verder gebruik"))
    necessity = EncryptedTextField(_("noodzaak"))
    proportionality = EncryptedTextField(_("proportionaliteit"))
    subsidiarity = EncryptedTextField(_("subsidiariteit"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.signal}: {self.kind}"


class SourceCheck(models.Model):
    """The outcome of the bronnencheck (phase 3): which sources were consulted and whether each
    gave a hit, or why none was consulted. Append-only; a later record adds to earlier ones."""

    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="source_checks")
    # [{"source": "BRP", "hit": true}, ...] — hit / no-hit only; details need their own reason.
    results = models.JSONField(_("geraadpleegde bronnen"), default=list)
    no_source_reason = EncryptedTextField(_("waarom geen bron is geraadpleegd"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.signal}: bronnencheck"


class Disclosure(models.Model):
    """A verstrekking: data leaving the register. Append-only."""

    signal = models.ForeignKey(Signal, on_delete=models.PROTECT, related_name="disclosures")
    recipient = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, verbose_name=_("ontvanger")
    )
    agreement = models.ForeignKey(
        SharingAgreement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("convenant"),
    )
    legal_basis = models.CharField(_("wettelijke grondslag"), max_length=300, blank=True)
    purpose = models.CharField(_("doel"), max_length=300)
    data_categories = models.JSONField(_("gegevenscategorieën"), default=list)
    shared = EncryptedTextField(_("wat precies is verstrekt"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField(_("besloten op"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.signal} → {self.recipient}"

    @property
    def data_category_labels(self) -> list[str]:
        """The shared data categories in Dutch words."""
        labels = dict(DataCategory.choices)
        return [str(labels.get(c, c)) for c in self.data_categories]


class DisclosureEnd(models.Model):
    """The end of a disclosure's use — or the decision to keep it in force until a date after
    its purpose was served — as a ledger line of its own. Append-only."""

    class Kind(models.TextChoices):
        ENDED = "ended", _("beëindigd")
        KEPT = "kept", _("open gehouden tot")

    disclosure = models.ForeignKey(Disclosure, on_delete=models.PROTECT, related_name="ends")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reason = EncryptedTextField(_("reden"), max_length=300)
    until = models.DateField(_("tot en met"), null=True, blank=True)
    # Empty when the system ended it (a share kept open that reached its end date).
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.disclosure}: {self.kind}"


class RetentionTerm(models.Model):
    """How long a closed signal with an outcome is kept, and what happens then."""

    class Then(models.TextChoices):
        DELETE = "delete", _("vernietigen")
        ANONYMISE = "anonymise", _("anonimiseren")

    outcome = models.CharField(_("uitkomst"), max_length=20, choices=Outcome.choices, unique=True)
    months = models.PositiveSmallIntegerField(_("bewaartermijn (maanden)"))
    then = models.CharField(_("daarna"), max_length=20, choices=Then.choices)
    note = models.CharField(_("toelichting"), max_length=300, blank=True)

    class Meta:
        ordering = ["outcome"]

    def __str__(self):
        return f"{self.get_outcome_display()}: {self.months} mnd"


class DestructionRecord(models.Model):
    """The destruction register: what kind of record went, when and why — never its content."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT)
    record_type = models.CharField(max_length=30)
    record_number = models.CharField(max_length=20)
    action = models.CharField(max_length=20)
    outcome = models.CharField(max_length=20, blank=True)
    closed_on = models.DateField(null=True)
    term_months = models.PositiveSmallIntegerField()
    done_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-done_at"]

    def __str__(self):
        return f"{self.record_number} {self.action}"


class SubjectRequest(models.Model):
    """An AVG request of a data subject (art. 15-21): tracked from receipt to outcome. The
    privacy officer opens a subject's data only for an open request (or a typed reason)."""

    class Kind(models.TextChoices):
        ACCESS = "inzage", _("inzage (art. 15 AVG)")
        RECTIFICATION = "rectificatie", _("rectificatie (art. 16 AVG)")
        ERASURE = "wissing", _("wissing (art. 17 AVG)")
        RESTRICTION = "beperking", _("beperking (art. 18 AVG)")
        OBJECTION = "bezwaar", _("bezwaar (art. 21 AVG)")

    class IdentityCheck(models.TextChoices):
        DESK = "balie", _("aan de balie, geldig identiteitsbewijs getoond (geen kopie bewaard)")
        DIGID = "digid", _("ingediend met DigiD")
        LETTER = "brief", _("schriftelijk, antwoord alleen naar het adres in de BRP")
        AUTHORISED = "gemachtigde", _("via een gemachtigde, machtiging gecontroleerd")
        OTHER = "anders", _("anders (zie toelichting)")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        DONE = "afgehandeld", _("afgehandeld")

    class Outcome(models.TextChoices):
        GRANTED = "toegewezen", _("toegewezen")
        PARTLY = "deels", _("gedeeltelijk toegewezen")
        REFUSED = "afgewezen", _("afgewezen")
        WITHDRAWN = "ingetrokken", _("ingetrokken")

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="subject_requests"
    )
    reference = models.CharField(_("kenmerk"), max_length=20)
    kind = models.CharField(_("soort verzoek"), max_length=20, choices=Kind.choices)
    received_on = models.DateField(_("ontvangen op"))
    requester = EncryptedTextField(_("verzoeker"))
    identity_check = models.CharField(
        _("identiteit gecontroleerd"), max_length=20, choices=IdentityCheck.choices
    )
    identity_note = EncryptedTextField(_("toelichting identiteitscontrole"), blank=True)
    deadline = models.DateField(_("uiterste datum"))
    extension_months = models.PositiveSmallIntegerField(_("verlenging (maanden)"), default=0)
    extension_reason = EncryptedTextField(_("reden van verlenging"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    outcome = models.CharField(_("uitkomst"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = EncryptedTextField(_("toelichting uitkomst"), blank=True)
    subjects = models.ManyToManyField(
        Subject, blank=True, related_name="requests", verbose_name=_("betrokkenen")
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["deadline", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "reference"], name="one_request_reference"
            )
        ]
        indexes = [models.Index(fields=["municipality", "status", "deadline"])]

    def __str__(self):
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def overdue_on(self, day) -> bool:
        return self.is_open and day > self.deadline


class ExportRelease(models.Model):
    """A withheld text of a signal that the privacy officer released into the export of one
    request, after reading it, with a reason."""

    request = models.ForeignKey(SubjectRequest, on_delete=models.CASCADE, related_name="releases")
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="+")
    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="+")
    reason = EncryptedTextField(_("reden"), max_length=300)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["request", "subject", "signal"], name="one_release_per_item"
            )
        ]

    def __str__(self):
        return f"{self.request}: {self.signal}"
