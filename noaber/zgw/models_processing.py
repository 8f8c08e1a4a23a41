"""Models of the processing log outward (VNG Verwerkingenlogging, issue 22 point 3).

An answer of `GET /verwerkte-objecten` tells whether the register holds anything about a
person (tipping-off; art. 41 UAVG), so it is off until the municipality's privacy officer
opens it, for the clients she names, and answers on events about signals in a running phase
only where she released them. See docs/verwerkingen.md."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["ProcessingLogRelease", "ProcessingLogSetting"]


class ProcessingLogSetting(models.Model):
    """The municipality's switch (off without a row) and the clients it names."""

    municipality = models.OneToOneField(
        "accounts.Municipality", on_delete=models.CASCADE, related_name="processing_log"
    )
    enabled = models.BooleanField(_("verwerkingenlogging opengesteld"), default=False)
    clients = models.ManyToManyField(
        "zgw.ApiClient", blank=True, related_name="+", verbose_name=_("genoemde clients")
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("gewijzigd op"), null=True, blank=True)

    class Meta:
        verbose_name = _("instelling verwerkingenlogging")
        verbose_name_plural = _("instellingen verwerkingenlogging")

    def __str__(self):
        return f"{self.municipality} ({'aan' if self.enabled else 'uit'})"


class ProcessingLogRelease(models.Model):
    """The privacy officer's release of the events about one signal or one subject in a
    running phase of the signaalregister: from now on `verwerkte-objecten` answers them.
    Appended, never edited; the audit log holds the same facts."""

    municipality = models.ForeignKey(
        "accounts.Municipality", on_delete=models.CASCADE, related_name="+"
    )
    signal = models.ForeignKey(
        "registry.Signal", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    subject = models.ForeignKey(
        "registry.Subject", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("reden"))
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    released_at = models.DateTimeField(_("vrijgegeven op"))

    class Meta:
        ordering = ["-released_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(signal__isnull=False, subject__isnull=True)
                | models.Q(signal__isnull=True, subject__isnull=False),
                name="processing_release_signal_or_subject",
            )
        ]
        verbose_name = _("vrijgave verwerkingenlogging")
        verbose_name_plural = _("vrijgaven verwerkingenlogging")

    def __str__(self):
        return f"{self.signal or self.subject} ({self.released_at:%Y-%m-%d})"
