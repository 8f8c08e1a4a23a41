"""Common Ground: the systems that read Noaber through the VNG "API's voor Zaakgericht Werken"
(ZGW) and the catalogue Noaber publishes to them, per municipality. See docs/zgw.md."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from noaber.accounts.models import Municipality
from noaber.audit.models import Confidentiality
from noaber.lib.crypto import EncryptedTextField


class Scope(models.TextChoices):
    """What a client may read (ZGW's scope names)."""

    CATALOGI_LEZEN = "catalogi.lezen", _("catalogi lezen")
    ZAKEN_LEZEN = "zaken.lezen", _("zaken lezen")
    # The processing log in the shape of VNG Verwerkingenlogging (GET /verwerkte-objecten).
    VERWERKINGEN_LEZEN = "verwerkingen.lezen", _("verwerkingen lezen")


def rsin_validator(value: str) -> None:
    """An RSIN is nine digits that pass the elfproef (as a BSN)."""
    if len(value) != 9 or not value.isdigit():
        raise ValidationError(_("Een RSIN bestaat uit negen cijfers."), code="rsin_format")
    total = sum(int(d) * w for d, w in zip(value[:8], range(9, 1, -1), strict=True))
    if (total - int(value[8])) % 11:
        raise ValidationError(
            _("Dit RSIN klopt niet (de elfproef faalt): controleer de cijfers."), code="rsin_check"
        )


class Catalogue(models.Model):
    """The zaaktypecatalogus of one municipality: its case types as ZGW zaaktypen. The RSIN
    and the contact are the municipality's, entered by its administrator."""

    municipality = models.OneToOneField(
        Municipality, on_delete=models.CASCADE, related_name="zgw_catalogue"
    )
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    rsin = models.CharField(_("RSIN"), max_length=9, validators=[rsin_validator])
    domain = models.CharField(_("domein"), max_length=5, default="IVP")
    contact_name = models.CharField(_("contactpersoon beheer"), max_length=40)
    contact_email = models.EmailField(_("e-mailadres beheer"), max_length=254, blank=True)
    # Serving a case to another system is a disclosure: off for every case type until the
    # municipality turns it on for that type (docs/zgw.md, "Which cases are served").
    served_case_types = models.ManyToManyField(
        "cases.CaseType", blank=True, related_name="+", verbose_name=_("verstrekte zaaktypen")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("zaaktypecatalogus")
        verbose_name_plural = _("zaaktypecatalogi")

    def __str__(self):
        return f"{self.domain} {self.municipality}"


class ApiClient(models.Model):
    """A system that reads this municipality's data through the ZGW APIs, with a JWT (HS256)
    signed with its secret. The secret is stored encrypted (the signature needs it) and shown
    once; a client is revoked, never deleted (the audit log names it)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="zgw_clients"
    )
    name = models.CharField(_("naam"), max_length=100)
    client_id = models.SlugField(_("client-id"), max_length=100, unique=True)
    secret = EncryptedTextField(_("geheim"))
    scopes = models.JSONField(_("scopes"), default=list)
    max_confidentiality = models.CharField(
        _("hoogste vertrouwelijkheid"),
        max_length=20,
        choices=Confidentiality.choices,
        default=Confidentiality.OPENBAAR,
    )
    # A BSN only to a client entitled to it, with the convenant or legal basis that entitles it.
    bsn_entitled = models.BooleanField(_("mag BSN ontvangen"), default=False)
    legal_basis = models.CharField(_("grondslag"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("ingetrokken op"), null=True, blank=True)

    class Meta:
        ordering = ["municipality", "name"]
        verbose_name = _("ZGW-client")
        verbose_name_plural = _("ZGW-clients")

    def __str__(self):
        return f"{self.name} ({self.client_id})"

    def allows(self, scope: str) -> bool:
        return scope in self.scopes

    def may_see(self, confidentiality: str) -> bool:
        """Whether an object of this vertrouwelijkheidaanduiding is within the client's level."""
        order = Confidentiality.values
        return order.index(confidentiality) <= order.index(self.max_confidentiality)


class ZaakDisclosure(models.Model):
    """The disclosure ledger of the Zaken API: one line per client and case, written the first
    time the case is served to the client and marked with each kind of data served since
    (the audit log holds every single request). Append-only but for those marks."""

    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="disclosures")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    legal_basis = models.CharField(_("grondslag"), max_length=300)
    first_served_at = models.DateTimeField(_("eerst verstrekt op"))
    served_zaak = models.BooleanField(_("zaakgegevens"), default=False)
    served_statussen = models.BooleanField(_("statussen"), default=False)
    served_resultaat = models.BooleanField(_("resultaat"), default=False)
    served_rollen = models.BooleanField(_("rollen"), default=False)
    served_zaakobjecten = models.BooleanField(_("zaakobjecten"), default=False)
    served_bsn = models.BooleanField(_("BSN"), default=False)

    class Meta:
        ordering = ["client", "-first_served_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["client", "case"], name="zgw_disclosed_once")
        ]
        verbose_name = _("ZGW-verstrekking")
        verbose_name_plural = _("ZGW-verstrekkingen")

    def __str__(self):
        return f"{self.case_id} → {self.client}"

    SERVED = ("zaak", "statussen", "resultaat", "rollen", "zaakobjecten", "bsn")

    @property
    def served(self) -> list[str]:
        return [kind for kind in self.SERVED if getattr(self, f"served_{kind}")]


# The processing log outward (VNG Verwerkingenlogging): its models live beside these.
from .models_processing import *  # noqa: E402, F403
