"""Meldpunt: reports from residents, employees ("niet pluis") and chain partners.

A report is personal data from the moment it arrives. Public reports store no IP address or
user agent; the reporter's receipt code is stored only as an Argon2id hash next to a short,
non-secret locator (see receipts.py and docs/meldpunt.md).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from noaber.accounts.models import Municipality, Organisation
from noaber.lib.crypto import EncryptedTextField
from noaber.lib.files import encrypted_storage
from noaber.themes.models import Theme

# Limits that the forms, the API and docs/meldpunt.md share.
DESCRIPTION_MAX = 5000
MESSAGE_MAX = 2000
PUBLIC_TEXT_MAX = 2000


class Referral(models.TextChoices):
    NONE = "", _("geen")
    VIZIER = "vizier", _("Stichting Vizier (antidiscriminatievoorziening)")


class Category(models.Model):
    """What a report is about, mapped to a theme. Data (data/reference/categories.json)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("naam"), max_length=120)
    group = models.CharField(_("groep"), max_length=120)
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, verbose_name=_("thema"))
    referral = models.CharField(
        _("doorverwijzing"), max_length=20, choices=Referral.choices, blank=True
    )
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(_("in gebruik"), default=True)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("categorie")
        verbose_name_plural = _("categorieën")

    def __str__(self):
        return self.name if self.name == self.group else f"{self.group}: {self.name}"


class Area(models.Model):
    """A kern (village core) or the buitengebied of a municipality."""

    class Kind(models.TextChoices):
        KERN = "kern", _("kern")
        RURAL = "buitengebied", _("buitengebied")

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="areas")
    name = models.CharField(_("naam"), max_length=100)
    kind = models.CharField(_("soort"), max_length=20, choices=Kind.choices)
    # A kern's outline (GeoJSON Polygon or MultiPolygon, WGS84), imported with `import_areas`;
    # the buitengebied has none: it is what of the municipality lies outside every kern.
    geometry = models.JSONField(_("geometrie"), null=True, blank=True)
    source = models.CharField(_("bron"), max_length=200, blank=True)

    class Meta:
        ordering = ["municipality", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="one_area_name")
        ]
        verbose_name = _("gebied")
        verbose_name_plural = _("gebieden")

    def __str__(self):
        return self.name


class Boundary(models.Model):
    """The municipality's boundary as GeoJSON geometry (Polygon or MultiPolygon, WGS84)."""

    municipality = models.OneToOneField(
        Municipality, on_delete=models.CASCADE, related_name="boundary"
    )
    geometry = models.JSONField(_("geometrie"))
    source = models.CharField(_("bron"), max_length=200, blank=True)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("gemeentegrens")
        verbose_name_plural = _("gemeentegrenzen")

    def __str__(self):
        return f"{self.municipality} ({self.source})"


class Outline(models.Model):
    """The outline of any Dutch municipality, served here or not (CBS' gemeenten layer).

    It names the municipality a point or address outside the served ones lies in, so a
    reporter can be told whom to contact. Served municipalities also get their `Boundary`.
    """

    cbs_code = models.CharField(_("CBS-code"), max_length=6, unique=True)
    name = models.CharField(_("naam"), max_length=100)
    geometry = models.JSONField(_("geometrie"))
    source = models.CharField(_("bron"), max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("gemeentegrens (landelijk)")
        verbose_name_plural = _("gemeentegrenzen (landelijk)")

    def __str__(self):
        return f"{self.name} ({self.cbs_code})"


class Address(models.Model):
    """One address of the BAG (a verblijfsobject's main address), imported with `import_bag`.

    Not personal data on its own: the public register of addresses. The municipality is the
    one whose outline holds the point, stored by CBS code and name so that addresses outside
    the municipalities served here still name whom to contact.
    """

    bag_id = models.CharField(_("BAG-identificatie"), max_length=16, unique=True)
    postcode = models.CharField(_("postcode"), max_length=6)
    house_number = models.PositiveIntegerField(_("huisnummer"))
    house_letter = models.CharField(_("huisletter"), max_length=1, blank=True)
    addition = models.CharField(_("toevoeging"), max_length=4, blank=True)
    # Letter and addition as typed in one field: upper case, no spaces or hyphens ("A", "2HG").
    addition_key = models.CharField(max_length=5, blank=True)
    street = models.CharField(_("straat"), max_length=80)
    woonplaats = models.CharField(_("woonplaats"), max_length=80)
    municipality_code = models.CharField(_("CBS-code gemeente"), max_length=6, db_index=True)
    municipality_name = models.CharField(_("gemeente"), max_length=100)
    longitude = models.FloatField()
    latitude = models.FloatField()
    # Which import wrote the row last; rows of an earlier import not in the new file go.
    batch = models.CharField(max_length=32)

    class Meta:
        indexes = [models.Index(fields=["postcode", "house_number"], name="address_lookup")]
        verbose_name = _("adres (BAG)")
        verbose_name_plural = _("adressen (BAG)")

    def __str__(self):
        return f"{self.street} {self.house_number}{self.addition_key}, {self.woonplaats}"


class Status(models.TextChoices):
    """What the reporter sees. Transitions: see actions.TRANSITIONS."""

    RECEIVED = "received", _("ontvangen")
    IN_PROGRESS = "in_progress", _("in behandeling")
    CLOSED = "closed", _("afgehandeld")


class Source(models.TextChoices):
    RESIDENT = "resident", _("inwoner")
    ANONYMOUS = "anonymous", _("anonieme inwoner")
    EMPLOYEE = "employee", _("medewerker (niet pluis)")
    PARTNER = "partner", _("ketenpartner")
    POLICE = "police", _("politie")
    MMA = "mma", _("Meld Misdaad Anoniem")


class Channel(models.TextChoices):
    WEB = "web", _("webformulier")
    API = "api", _("publieke API")
    INTERNAL = "internal", _("intern formulier")
    PARTNER_API = "partner_api", _("partner-API")
    PORTAL = "portal", _("partnerportaal")


class Report(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="reports")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, verbose_name=_("categorie"))
    source = models.CharField(_("bron"), max_length=20, choices=Source.choices)
    channel = models.CharField(_("kanaal"), max_length=20, choices=Channel.choices)
    # Free text and the reporter's identity are encrypted at rest (noaber.lib.crypto).
    description = EncryptedTextField(_("wat is er gebeurd"))
    occurred_on = models.DateField(_("datum"), null=True, blank=True)
    occurred_at_time = models.TimeField(_("tijd"), null=True, blank=True)
    # Where: any of an address, an area, a map point (or none, e.g. online fraud).
    postcode = models.CharField(_("postcode"), max_length=6, blank=True)
    house_number = models.PositiveIntegerField(_("huisnummer"), null=True, blank=True)
    house_number_addition = models.CharField(_("toevoeging"), max_length=6, blank=True)
    # Resolved from the BAG (intake.addresses.resolve_location), never typed.
    street = models.CharField(_("straat"), max_length=80, blank=True)
    woonplaats = models.CharField(_("woonplaats"), max_length=80, blank=True)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("kern of gebied")
    )
    latitude = models.DecimalField(max_digits=8, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    # Contact only when the reporter chose to give it.
    contact_name = EncryptedTextField(_("naam"), blank=True)
    contact_email = EncryptedTextField(_("e-mailadres"), blank=True)
    contact_phone = EncryptedTextField(_("telefoonnummer"), blank=True)
    contact_consent = models.BooleanField(default=False)
    referral_consent = models.BooleanField(default=False)
    referred_at = models.DateTimeField(null=True, blank=True)
    # Follow-up: locator (not secret, indexed) + Argon2id hash of the secret part.
    receipt_locator = models.CharField(max_length=4, unique=True, null=True, blank=True)
    receipt_hash = models.CharField(max_length=200, blank=True)
    # Keyed digest of the form's one-time submission token: a resubmitted form is recognised.
    submission_digest = models.CharField(max_length=64, unique=True, null=True, blank=True)
    # "Niet pluis": the employee who reported (shown to advisors only).
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
    )
    # Partner intake: the delivering organisation and its own reference.
    partner = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True)
    external_reference = models.CharField(_("kenmerk partner"), max_length=60, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    public_text = EncryptedTextField(_("tekst voor de melder"), blank=True)
    # Behandelaar and streefdatum (docs/meldpunt.md, "Behandelaar en streefdatum"): the due
    # date comes from the category's handling term when the report arrives.
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handled_reports",
        verbose_name=_("behandelaar"),
    )
    due_date = models.DateField(_("streefdatum"), null=True, blank=True)
    due_date_reason = EncryptedTextField(_("reden andere streefdatum"), blank=True)
    created_at = models.DateTimeField(_("ontvangen op"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("melding")
        verbose_name_plural = _("meldingen")
        # The inbox at a million rows: its default order (newest first, pk breaking ties) per
        # municipality serves the keyset pages and, as an index-only scan, the OFFSET of a deep
        # page number; the second does the same for the inbox filtered on a status; the third
        # serves its sort by status. A new sortable column of the inbox needs one like these.
        indexes = [
            models.Index(fields=["municipality", "created_at", "id"], name="report_inbox_order"),
            models.Index(
                fields=["municipality", "status", "created_at", "id"], name="report_inbox_status"
            ),
            models.Index(fields=["municipality", "status", "id"], name="report_inbox_by_status"),
            # Open work overdue first: the inbox filtered on an open status, by streefdatum.
            models.Index(
                fields=["municipality", "status", "due_date", "id"], name="report_inbox_due"
            ),
            # Mijn werk: an advisor's reports by streefdatum.
            models.Index(
                fields=["municipality", "handler", "due_date"],
                name="intake_repo_municip_967f2e_idx",
            ),  # fmt: skip
        ]

    def __str__(self):
        return f"M-{self.pk}"

    @property
    def number(self) -> str:
        return f"M-{self.pk}"

    @property
    def is_closed(self) -> bool:
        """Closed reports are never late, whatever their streefdatum was."""
        return self.status == Status.CLOSED


class StatusChange(models.Model):
    """Append-only history of a report's status and public text."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="history")
    old_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    new_status = models.CharField(max_length=20, choices=Status.choices)
    public_text = EncryptedTextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.report}: {self.new_status}"


class Message(models.Model):
    """The two-way exchange between the advisor and the (possibly anonymous) reporter."""

    class Author(models.TextChoices):
        REPORTER = "reporter", _("melder")
        MUNICIPALITY = "municipality", _("gemeente")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="messages")
    author_kind = models.CharField(max_length=20, choices=Author.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    body = EncryptedTextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.report}: {self.author_kind}"


class Attachment(models.Model):
    """A photo or PDF, stored encrypted under a random name outside the web root, metadata
    removed."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="intake/%Y/%m/", storage=encrypted_storage)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.report}: {self.content_type}"


class ThrottleHit(models.Model):
    """One counted event for rate limiting, by scope and a keyed digest of the client address.

    Kept in the database so every web worker sees the same counts; pruned daily.
    """

    scope = models.CharField(max_length=30)
    client = models.CharField(max_length=64)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["scope", "client", "at"])]

    def __str__(self):
        return f"{self.scope} {self.at:%Y-%m-%d %H:%M}"


class StandardText(models.Model):
    """A standard text (sjabloon) for reporters: a reply or a status text, per municipality,
    kept by the functional admin; the advisor picks one and edits it before sending
    (noaber/intake/standard_texts.py). Stored and shown as plain text, never rendered as a
    template: placeholders are a fixed list, filled in by plain string replacement."""

    class Kind(models.TextChoices):
        REPLY = "reply", _("Bericht aan de melder")
        STATUS = "status", _("Tekst bij een statuswijziging")

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="standard_texts"
    )
    kind = models.CharField(_("soort"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("naam"), max_length=100)
    body = models.TextField(_("tekst"))
    active = models.BooleanField(_("in gebruik"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["municipality", "kind", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "kind", "title"], name="one_standard_text_title"
            )
        ]
        verbose_name = _("sjabloon")
        verbose_name_plural = _("sjablonen")

    def __str__(self):
        return self.title
