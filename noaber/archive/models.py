"""Archief: destruction lists (vernietigingslijsten) the archivist approves before any case is
destroyed, and transfer packages of "blijvend bewaren" cases for the archive repository.

Items and packages copy what a list needs to say about a case (number, type, result, dates,
term) and never its title or content, so they outlive the case they name.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from noaber.accounts.models import Municipality
from noaber.cases.models import Case
from noaber.lib.crypto import EncryptedTextField


class DestructionList(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("ter beoordeling")
        APPROVED = "approved", _("goedgekeurd, wacht op vernietiging")
        DONE = "done", _("uitgevoerd")

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="destruction_lists"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    # Empty when the daily job made the list.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("vernietigingslijst")
        verbose_name_plural = _("vernietigingslijsten")

    def __str__(self):
        return self.number

    @property
    def number(self) -> str:
        return f"VL-{self.pk}"


class DestructionListItem(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("voorgesteld")
        REFUSED = "refused", _("geweigerd")
        APPROVED = "approved", _("goedgekeurd")
        DESTROYED = "destroyed", _("vernietigd")
        SKIPPED = "skipped", _("overgeslagen")

    destruction_list = models.ForeignKey(
        DestructionList, on_delete=models.CASCADE, related_name="items"
    )
    # Empty once the case is gone; the copies below remain.
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    case_number = models.CharField(_("casusnummer"), max_length=20)
    case_type = models.CharField(_("zaaktype"), max_length=120)
    result = models.CharField(_("resultaat"), max_length=120)
    closed_on = models.DateField(_("afgesloten op"), null=True)
    term_years = models.PositiveSmallIntegerField(_("archiefactietermijn (jaren)"))
    archiefactiedatum = models.DateField(_("archiefactiedatum"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    # The archivist's reason to refuse, or why the run skipped the item.
    reason = EncryptedTextField(_("reden"), max_length=300, blank=True)
    new_date = models.DateField(_("nieuwe archiefactiedatum"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["archiefactiedatum", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["destruction_list", "case_number"], name="case_once_per_destruction_list"
            )
        ]

    def __str__(self):
        return f"{self.destruction_list}: {self.case_number}"


class TransferPackage(models.Model):
    """A package made for the archive repository; `confirmed_at` once it was accepted."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    case_number = models.CharField(_("casusnummer"), max_length=20)
    path = models.CharField(_("pakket"), max_length=500)
    # SHA-256 of the package's manifest: which package the archive repository accepted.
    manifest_sha256 = models.CharField(max_length=64)
    files = models.PositiveIntegerField(_("bestanden"))
    made_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-made_at", "-pk"]

    def __str__(self):
        return f"{self.case_number}: {self.path}"
