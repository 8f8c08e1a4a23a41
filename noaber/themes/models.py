"""The VNG Kernbeleid Veiligheid domains and themes, and the IVP priorities, as data.

Themes without a municipality are shared by all; a municipality that differs gets its own row
with the same code, which takes the shared one's place for that municipality.
"""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from noaber.accounts.models import Municipality, Organisation


class Domain(models.Model):
    number = models.PositiveSmallIntegerField(_("nummer"), unique=True)
    name = models.CharField(_("naam"), max_length=100)

    class Meta:
        ordering = ["number"]
        verbose_name = _("veiligheidsveld")
        verbose_name_plural = _("veiligheidsvelden")

    def __str__(self):
        return f"{self.number} {self.name}"


class Theme(models.Model):
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="themes")
    code = models.CharField(
        _("code"),
        max_length=10,
        validators=[RegexValidator(r"^\d+\.\d+$", _("Een themacode ziet eruit als 1.3 of 5.2."))],
    )
    name = models.CharField(_("naam"), max_length=150)
    description = models.TextField(_("toelichting"), blank=True)
    active = models.BooleanField(_("in gebruik"), default=True)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="themes",
        help_text=_("Leeg: geldt voor alle gemeenten."),
    )
    # The organisations of the ketenkaart that work on this theme (`organisation.themes`).
    # Moved here from accounts with its table and rows (themes 0002, accounts 0005).
    organisations = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="themes",
        db_table="accounts_organisation_themes",
        verbose_name=_("organisaties"),
    )

    class Meta:
        ordering = ["domain__number", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(municipality__isnull=True),
                name="one_shared_theme_per_code",
            ),
            models.UniqueConstraint(
                fields=["code", "municipality"], name="one_local_theme_per_code"
            ),
        ]
        verbose_name = _("thema")
        verbose_name_plural = _("thema's")

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def sort_key(self):
        return tuple(int(part) for part in self.code.split("."))


class Priority(models.Model):
    """A priority of a municipality's IVP, e.g. 'Ondermijning en gedigitaliseerde criminaliteit'."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="priorities"
    )
    order = models.PositiveSmallIntegerField(_("volgorde"), default=1)
    name = models.CharField(_("naam"), max_length=150)
    description = models.TextField(_("waar gaat het over"), blank=True)
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="priorities", verbose_name=_("thema's")
    )
    # The partners that work on this priority: the plan's Tabel 7 (`organisation.priorities`).
    organisations = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="priorities",
        db_table="accounts_organisation_priorities",
        verbose_name=_("organisaties"),
    )

    class Meta:
        ordering = ["municipality", "order"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="one_priority_name")
        ]
        verbose_name = _("prioriteit")
        verbose_name_plural = _("prioriteiten")

    def __str__(self):
        return self.name


def themes_for(municipality, *, include_inactive: bool = False) -> list[Theme]:
    """The themes as they apply in `municipality`: local rows replace shared ones by code."""
    by_code = {t.code: t for t in Theme.objects.filter(municipality__isnull=True)}
    by_code.update({t.code: t for t in Theme.objects.filter(municipality=municipality)})
    themes = [t for t in by_code.values() if include_inactive or t.active]
    return sorted(themes, key=lambda t: t.sort_key)


class Holiday(models.Model):
    """A day on which nobody works, so that it does not count as a working day of a handling
    term. Without a municipality it holds for the whole installation (the seed's public
    holidays); a municipality adds its own (e.g. Goede Vrijdag, a closing day)."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="holidays",
        help_text=_("Leeg: geldt voor alle gemeenten van deze installatie."),
    )
    date = models.DateField(_("datum"))
    name = models.CharField(_("naam"), max_length=100)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["date"],
                condition=models.Q(municipality__isnull=True),
                name="one_shared_holiday_per_date",
            ),
            models.UniqueConstraint(
                fields=["municipality", "date"], name="one_local_holiday_per_date"
            ),
        ]
        verbose_name = _("feestdag")
        verbose_name_plural = _("feestdagen")

    def __str__(self):
        return f"{self.date:%d-%m-%Y} {self.name}"


class TermKind(models.TextChoices):
    """What a handling term measures, and for which kind of object."""

    REPORT = "report", _("melding: eerste reactie aan de melder")
    SIGNAL = "signal", _("signaal: weging")
    CASE = "case", _("casus: afronding")


class HandlingTerm(models.Model):
    """How many working days a municipality gives itself for a kind of object: per category
    (reports: the category's code) or per theme (signals and cases: the theme's code); an
    empty code is the kind's default. An object's streefdatum is computed from it when the
    object is created; changing a term does not move existing streefdatums (decision 0012)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="handling_terms"
    )
    kind = models.CharField(_("soort"), max_length=20, choices=TermKind.choices)
    code = models.CharField(
        _("categorie of thema"),
        max_length=60,
        blank=True,
        help_text=_("Leeg: de standaardtermijn voor deze soort."),
    )
    working_days = models.PositiveSmallIntegerField(_("werkdagen"))

    class Meta:
        ordering = ["municipality", "kind", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "kind", "code"], name="one_term_per_kind_and_code"
            )
        ]
        verbose_name = _("afhandeltermijn")
        verbose_name_plural = _("afhandeltermijnen")

    def __str__(self):
        return f"{self.get_kind_display()} {self.code or '*'}: {self.working_days}"
