"""Municipalities, organisations, users and their roles per municipality."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The roles of PRODUCT.md. A user holds roles per municipality (see Membership)."""

    EMPLOYEE = "employee", _("Medewerker")
    ADVISOR = "advisor", _("Adviseur veiligheid")
    ENFORCER = "enforcer", _("Handhaver (boa)")
    PARTNER = "partner", _("Ketenpartner")
    PRIVACY = "privacy", _("Privacyfunctionaris")
    MANAGEMENT = "management", _("Bestuur en management")
    ADMIN = "admin", _("Functioneel beheerder")
    # Records manager: the archive fields of closed cases, the destruction lists and the
    # transfer of "blijvend bewaren" cases — never their content.
    ARCHIVIST = "archivist", _("Archivaris")


cbs_code_validator = RegexValidator(
    r"^GM\d{4}$", _("Een CBS-gemeentecode bestaat uit GM en vier cijfers, bijvoorbeeld GM1774.")
)


class Municipality(models.Model):
    name = models.CharField(_("naam"), max_length=100, unique=True)
    cbs_code = models.CharField(
        _("CBS-code"), max_length=6, unique=True, validators=[cbs_code_validator]
    )
    # Whether a data subject's access report names the employees who viewed the data; by
    # default it names their organisation and role only (data/reference/municipalities.json).
    access_report_names_staff = models.BooleanField(
        _("inzageoverzicht noemt medewerkers bij naam"), default=False
    )
    # Branding (huisstijl), set by the functional admin (noaber/accounts/branding.py) and served
    # as /m/<CBS>/huisstijl.css. Empty fields fall back to Noaber's own theme.
    display_name = models.CharField(_("naam in de huisstijl"), max_length=100, blank=True)
    primary_colour = models.CharField(_("hoofdkleur"), max_length=7, blank=True)
    logo = models.BinaryField(_("logo"), blank=True, default=b"", editable=False)
    logo_type = models.CharField(_("soort logo"), max_length=20, blank=True)
    branding_updated_at = models.DateTimeField(_("huisstijl gewijzigd op"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("gemeente")
        verbose_name_plural = _("gemeenten")

    def __str__(self):
        return self.name

    @property
    def shown_name(self) -> str:
        """The name the pages show: the branding's display name, else the plain name."""
        return self.display_name or self.name

    def inhabitants_in(self, year: int) -> int | None:
        """Inhabitants on 1 January of `year`, or of the latest earlier year known."""
        row = self.populations.filter(year__lte=year).order_by("-year").first()
        return row.inhabitants if row else None


class Population(models.Model):
    """Inhabitants of a municipality on 1 January of a year (CBS)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="populations"
    )
    year = models.PositiveSmallIntegerField(_("jaar"))
    inhabitants = models.PositiveIntegerField(_("inwoners"), validators=[MinValueValidator(1)])
    source = models.CharField(_("bron"), max_length=200, blank=True)

    class Meta:
        ordering = ["municipality", "year"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "year"], name="one_population_a_year")
        ]
        verbose_name = _("inwonertal")
        verbose_name_plural = _("inwonertallen")

    def __str__(self):
        return f"{self.municipality} {self.year}: {self.inhabitants}"


class Organisation(models.Model):
    """A municipal team or a chain partner of the ketenkaart (IVP Bijlage 3 and 4).
    Partner users belong to one."""

    class Kind(models.TextChoices):
        # The groups of the plan's tables 2 to 6.
        ADMINISTRATIVE = "administrative", _("Bestuurlijk")
        MUNICIPAL_TEAM = "municipal_team", _("Gemeentelijk team")
        PARTNERSHIP = "partnership", _("Samenwerkingsverband")
        OTHER = "other", _("Overige partner")

    # Everyone outside the municipal organisation: who data can be shared with.
    PARTNER_KINDS = (Kind.ADMINISTRATIVE, Kind.PARTNERSHIP, Kind.OTHER)

    name = models.CharField(_("naam"), max_length=200, unique=True)
    kind = models.CharField(_("soort"), max_length=20, choices=Kind.choices)
    responsibility = models.TextField(_("verantwoordelijkheid voor veiligheid"), blank=True)
    contact_route = models.CharField(_("contactroute"), max_length=300, blank=True)
    # Where the plan describes this partner; empty for partners added later by the admin.
    plan_source = models.CharField(_("bron"), max_length=200, blank=True)
    # Municipal teams belong to the municipalities they work for; partners may work for many.
    municipalities = models.ManyToManyField(
        Municipality, blank=True, related_name="organisations", verbose_name=_("gemeenten")
    )
    # What they work on — VNG themes and each municipality's IVP priorities (Tabel 7) — is
    # kept by the themes app: `organisation.themes`, `organisation.priorities`.

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisatie")
        verbose_name_plural = _("organisaties")

    def __str__(self):
        return self.name

    @property
    def is_partner(self) -> bool:
        return self.kind in self.PARTNER_KINDS


class User(AbstractUser):
    """A named person; never a group account. Roles come from memberships."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("organisatie"),
    )

    class Meta:
        verbose_name = _("gebruiker")
        verbose_name_plural = _("gebruikers")

    def __str__(self):
        # Forms' choices and templates print a person by name, never by login name.
        return str(self.display_name)

    @property
    def display_name(self) -> str:
        """How a person appears on every page: by name, never by username."""
        return self.get_full_name() or _("medewerker zonder naam")

    def described_in(self, municipality=None) -> str:
        """Name with organisation, or with roles where the person has no organisation:
        "Piet Politie — Politie", "Bram Burgemeester — Bestuur en management"."""
        if self.organisation_id:
            return f"{self.display_name} — {self.organisation.name}"
        memberships = self.memberships.all()
        if municipality is not None:
            memberships = [m for m in memberships if m.municipality_id == municipality.pk]
        labels = dict(Role.choices)
        roles = sorted({str(labels[m.role]) for m in memberships if m.role in labels})
        return f"{self.display_name} — {', '.join(roles)}" if roles else str(self.display_name)


class Membership(models.Model):
    """User U holds role R for municipality M. An advisor can serve several municipalities."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("rol"), max_length=20, choices=Role.choices)
    granted_at = models.DateTimeField(_("toegekend op"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "municipality", "role"], name="one_role_per_municipality"
            )
        ]
        verbose_name = _("rol")
        verbose_name_plural = _("rollen")

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} — {self.municipality}"


class PartnerToken(models.Model):
    """An API key of a chain partner's system; only its SHA-256 is kept (it has 256 bits).
    It authenticates the partner's organisation, so it lives with the organisations."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="api_tokens"
    )
    municipalities = models.ManyToManyField(Municipality, related_name="partner_tokens")
    name = models.CharField(_("omschrijving"), max_length=100)
    prefix = models.CharField(max_length=8, unique=True)
    digest = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organisation", "name"]
        # Moved from the meldpunt app with its table and every row (intake 0004, accounts 0004).
        db_table = "intake_partnertoken"

    def __str__(self):
        return f"{self.organisation} — {self.name}"
