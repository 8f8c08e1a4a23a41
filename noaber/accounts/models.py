"""Municipalities, organisations, users and their roles per municipality."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from noaber.lib.crypto import EncryptedTextField


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
    """User U holds role R for municipality M. An advisor can serve several municipalities.

    A role is a local grant (by the admin, `provider` empty) or comes from the claims of an
    identity provider (`provider` set): those are re-synchronised at every login through that
    provider and removed when the claim is gone (decision 0021)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("rol"), max_length=20, choices=Role.choices)
    granted_at = models.DateTimeField(_("toegekend op"), auto_now_add=True)
    provider = models.ForeignKey(
        "IdentityProvider",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("uit de claims van"),
    )

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


class IdentityProvider(models.Model):
    """An OpenID Connect provider whose users sign in to Noaber (decision 0021): the
    municipality's Entra ID or Keycloak, or a chain partner's own. Data, kept by the admin."""

    slug = models.SlugField(_("korte naam"), max_length=40, unique=True)
    name = models.CharField(_("naam op de inlogknop"), max_length=100)
    issuer = models.CharField(_("issuer"), max_length=300, unique=True)
    client_id = models.CharField(_("client-id"), max_length=200)
    # Encrypted with the field keys (docs/operations.md); shown to no one after saving.
    client_secret = EncryptedTextField(_("client-secret"), blank=True)
    scopes = models.CharField(_("scopes"), max_length=200, default="openid profile email")
    # Where the provider puts the groups or app roles: Entra ID `groups` or `roles`,
    # Keycloak `groups`.
    groups_claim = models.CharField(_("claim met groepen of rollen"), max_length=100)
    municipalities = models.ManyToManyField(
        Municipality, related_name="identity_providers", verbose_name=_("gemeenten")
    )
    # A chain partner's own provider: its users belong to this organisation and can only
    # be given the partner role.
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="identity_providers",
        verbose_name=_("organisatie van de gebruikers"),
    )
    # Roles that need proof of multi-factor authentication in the ID token, and what counts
    # as proof: an `amr` value (RFC 8176) or an `acr` value.
    mfa_roles = models.JSONField(_("rollen die bewijs van MFA vragen"), default=list, blank=True)
    mfa_amr = models.JSONField(_("amr-waarden die als MFA gelden"), default=list, blank=True)
    mfa_acr = models.JSONField(_("acr-waarden die als MFA gelden"), default=list, blank=True)
    # The provider enforces MFA for every sign-in to Noaber itself (e.g. an Entra ID
    # Conditional Access policy), though its tokens carry no proof: set by IT, knowingly.
    mfa_at_provider = models.BooleanField(_("MFA afgedwongen door de provider"), default=False)
    active = models.BooleanField(_("actief"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("identiteitsprovider")
        verbose_name_plural = _("identiteitsproviders")

    def __str__(self):
        return self.name

    @property
    def mfa_role_labels(self) -> list[str]:
        labels = dict(Role.choices)
        return [str(labels.get(role, role)) for role in self.mfa_roles]


class RoleMapping(models.Model):
    """A value in the provider's groups claim gives a Noaber role in a municipality."""

    provider = models.ForeignKey(
        IdentityProvider, on_delete=models.CASCADE, related_name="role_mappings"
    )
    claim_value = models.CharField(_("groep of rol in de claim"), max_length=200)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="+", verbose_name=_("gemeente")
    )
    role = models.CharField(_("rol"), max_length=20, choices=Role.choices)

    class Meta:
        ordering = ["provider", "claim_value", "municipality", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "claim_value", "municipality", "role"],
                name="one_mapping_per_claim_role",
            )
        ]
        verbose_name = _("rolkoppeling")
        verbose_name_plural = _("rolkoppelingen")

    def __str__(self):
        return f"{self.claim_value} → {self.get_role_display()} — {self.municipality}"


class ExternalIdentity(models.Model):
    """The user that issuer + `sub` signs in as; never matched by e-mail."""

    provider = models.ForeignKey(
        IdentityProvider, on_delete=models.PROTECT, related_name="identities"
    )
    subject = models.CharField(max_length=255)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="external_identities")
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(null=True, blank=True)
    # Whether the last sign-in's ID token proved multi-factor authentication (amr/acr).
    mfa_proven = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="one_user_per_subject")
        ]

    def __str__(self):
        return f"{self.provider} — {self.user}"


class ProviderSession(models.Model):
    """A Noaber session started through a provider, by the provider's session id (`sid`), so
    a back-channel logout can end it. Removed when the session ends."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=255)
    sid = models.CharField(max_length=255, blank=True)
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["provider", "sid"]),
            models.Index(fields=["provider", "subject"]),
        ]

    def __str__(self):
        return f"{self.provider} — {self.created_at:%Y-%m-%d %H:%M}"


class LogoutTokenSeen(models.Model):
    """The `jti` of every back-channel logout token taken, so a replayed one is refused by
    every worker. Pruned hourly once the token is too old to be taken anyway."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="+")
    jti = models.CharField(max_length=255)
    seen_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "jti"], name="one_logout_token_per_jti")
        ]

    def __str__(self):
        return f"{self.provider} — {self.jti}"
