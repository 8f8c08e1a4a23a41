"""Sharing a case with a chain partner: the ground for what a partner user may see."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from noaber.accounts.models import Organisation
from noaber.cases.models import Case
from noaber.lib.crypto import EncryptedTextField
from noaber.partners.models import SharingAgreement, agreement_covers, category_labels
from noaber.registry.models import Disclosure


class CaseShare(models.Model):
    """Case C is shared with organisation O, under an agreement or a legal basis, for a purpose,
    limited to data categories. Ending a share keeps the row (it is part of the ledger)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="shares")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="case_shares",
        verbose_name=_("partner"),
    )
    agreement = models.ForeignKey(
        SharingAgreement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_shares",
        verbose_name=_("convenant"),
    )
    legal_basis = models.CharField(_("wettelijke grondslag"), max_length=300, blank=True)
    purpose = models.CharField(_("doel"), max_length=300)
    data_categories = models.JSONField(_("gegevenscategorieën"), default=list)
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    end_reason = EncryptedTextField(_("reden van beëindiging"), max_length=300, blank=True)
    # Closing the case ends the share, unless the advisor keeps it open until a date, with a
    # reason (both also in the disclosure ledger).
    keep_until = models.DateField(_("na afsluiten open tot en met"), null=True, blank=True)
    keep_reason = EncryptedTextField(_("reden om open te houden"), max_length=300, blank=True)
    # The ledger lines this share wrote: one disclosure per signal of the case.
    disclosures = models.ManyToManyField(Disclosure, blank=True, related_name="+")

    class Meta:
        ordering = ["created_at"]
        # Moved from the partners app with its table and every row (portal 0001).
        db_table = "partners_caseshare"
        indexes = [
            models.Index(fields=["organisation", "ended_at"], name="partners_ca_organis_82ec3c_idx")
        ]
        verbose_name = _("gedeelde casus")
        verbose_name_plural = _("gedeelde casussen")

    def __str__(self):
        return f"{self.case} → {self.organisation}"

    @property
    def category_labels(self) -> str:
        return category_labels(self.data_categories)

    def in_force_on(self, day) -> bool:
        """Open (for a closed case: kept open up to `day`), and its agreement (if it rests on
        one) still valid on `day` and still naming this partner and this municipality."""
        if self.ended_at is not None:
            return False
        # A closed case's purpose is served: only a share kept open, up to its date, remains.
        # That date holds also after a reopening: only a new share goes further.
        if self.keep_until is not None and day > self.keep_until:
            return False
        if self.case.is_closed and self.keep_until is None:
            return False
        return self.agreement is None or agreement_covers(
            self.agreement, self.organisation_id, self.case.municipality_id, day
        )
