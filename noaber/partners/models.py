"""Sharing agreements (convenanten) and the data categories they cover. The partners
themselves are `accounts.Organisation`; the register's disclosures and the portal's case shares
name an agreement; sharing a case and the portal live in noaber/portal."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from noaber.accounts.models import Municipality, Organisation
from noaber.lib.files import encrypted_storage


class SharingAgreement(models.Model):
    """A convenant or other agreement that allows sharing with organisations; its screens live
    in noaber.partners. Every disclosure, case share and partner task names one (or a legal
    basis), and is refused when it has expired or does not cover the data."""

    name = models.CharField(_("naam"), max_length=200)
    organisations = models.ManyToManyField(
        Organisation, related_name="agreements", verbose_name=_("partijen")
    )
    municipalities = models.ManyToManyField(
        Municipality, related_name="agreements", verbose_name=_("gemeenten")
    )
    purpose = models.CharField(_("doel"), max_length=300)
    legal_basis = models.CharField(_("grondslag"), max_length=300)
    data_categories = models.JSONField(_("gegevenscategorieën"), default=list)
    valid_from = models.DateField(_("geldig vanaf"))
    valid_until = models.DateField(_("geldig tot en met"), null=True, blank=True)
    # The signed document (PDF), kept as signed (encrypted at rest): never rewritten, served
    # only after a check. A replaced document stays as a DocumentVersion.
    document = models.FileField(
        _("ondertekend document"), upload_to="convenanten/", blank=True, storage=encrypted_storage
    )
    document_name = models.CharField(max_length=200, blank=True)
    document_sha256 = models.CharField(max_length=64, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]
        # Moved from the register with its table and every row (partners 0005).
        db_table = "registry_sharingagreement"

    def __str__(self):
        return self.name

    def valid_on(self, day) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


class DocumentVersion(models.Model):
    """A signed document that a newer one replaced: kept with its hash, because what was shared
    under the agreement before the replacement was shared under this text."""

    agreement = models.ForeignKey(
        SharingAgreement, on_delete=models.CASCADE, related_name="document_versions"
    )
    version = models.PositiveIntegerField(_("versie van het convenant"))
    document = models.FileField(upload_to="convenanten/", storage=encrypted_storage)
    document_name = models.CharField(max_length=200)
    document_sha256 = models.CharField(max_length=64)
    replaced_at = models.DateTimeField(auto_now_add=True)
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-replaced_at", "-pk"]

    def __str__(self):
        return f"{self.agreement}: {self.document_name}"


class DataCategory(models.TextChoices):
    IDENTITY = "identity", _("identificerende gegevens")
    ADDRESS = "address", _("adresgegevens")
    COMPANY = "company", _("bedrijfsgegevens")
    VEHICLE = "vehicle", _("voertuiggegevens")
    SIGNAL = "signal", _("inhoud van het signaal")
    CRIMINAL = "criminal", _("strafrechtelijke gegevens")


def category_labels(keys) -> str:
    """Data-category keys as the Dutch words a person reads, comma-separated."""
    labels = dict(DataCategory.choices)
    return ", ".join(str(labels.get(key, key)) for key in keys)


def agreement_covers(agreement, organisation_id, municipality_id, day) -> bool:
    """Valid on `day` and naming the organisation and the municipality (uses prefetched
    parties and municipalities where the caller prefetched them)."""
    return (
        agreement.valid_on(day)
        and any(o.pk == organisation_id for o in agreement.organisations.all())
        and any(m.pk == municipality_id for m in agreement.municipalities.all())
    )
