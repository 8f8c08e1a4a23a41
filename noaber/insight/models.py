"""The veiligheidsbeeld: indicators, their values per region and period, and the register's
own counts (aggregates only, never personal data)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from noaber.accounts.models import Municipality
from noaber.lib.crypto import EncryptedTextField
from noaber.themes.models import Theme

from . import peaks
from .peak_text import METHODS, notes_text


class Indicator(models.Model):
    """What is measured. A count gets a rate per 10,000 inhabitants computed; a rate, a share
    or a score is shown as it is."""

    class Unit(models.TextChoices):
        COUNT = "count", _("aantal")
        PER_10000 = "per_10000", _("per 10.000 inwoners")
        PERCENT = "percent", _("procent")
        SCORE = "score", _("rapportcijfer")

    class Group(models.TextChoices):
        CRIME = "crime", _("Geregistreerde criminaliteit")
        LOCAL = "local", _("Lokale cijfers")
        SURVEY = "survey", _("Veiligheidsbeleving (enquête)")
        REGISTER = "register", _("Noaber-register")

    code = models.SlugField(_("code"), max_length=80, unique=True)
    name = models.CharField(_("naam"), max_length=200)
    theme = models.ForeignKey(
        Theme, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("thema")
    )
    group = models.CharField(_("groep"), max_length=20, choices=Group.choices)
    unit = models.CharField(_("eenheid"), max_length=20, choices=Unit.choices)
    source = models.CharField(_("bron"), max_length=200)
    higher_is_worse = models.BooleanField(_("hoger is slechter"), default=True)
    key = models.BooleanField(_("kerncijfer"), default=False)
    # Where an importer finds it: "83648NED:T001161", "47022NED:0.0.0"; empty for local ones.
    external_key = models.CharField(max_length=60, blank=True, db_index=True)
    # A rate typed as such (the plan's "185 per 10,000") stands in for the computed rate of
    # this count indicator where the count itself is not known.
    rate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="typed_rates"
    )
    order = models.PositiveSmallIntegerField(default=100)
    description = models.TextField(_("definitie"), blank=True)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicatoren")

    def __str__(self):
        return self.name

    @property
    def is_count(self) -> bool:
        return self.unit == self.Unit.COUNT


class Region(models.Model):
    """Where a value applies: the country, a municipality, a wijk or a buurt (CBS codes)."""

    class Kind(models.TextChoices):
        COUNTRY = "country", _("land")
        PROVINCE = "province", _("provincie")
        MUNICIPALITY = "municipality", _("gemeente")
        DISTRICT = "district", _("wijk")
        NEIGHBOURHOOD = "neighbourhood", _("buurt")

    code = models.CharField(_("code"), max_length=12, unique=True)  # NL01, GM1774, WK177400
    name = models.CharField(_("naam"), max_length=200)
    kind = models.CharField(_("soort"), max_length=20, choices=Kind.choices)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, null=True, blank=True, related_name="regions"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("gebied")
        verbose_name_plural = _("gebieden")

    def __str__(self):
        return self.name


class RegionPopulation(models.Model):
    """Inhabitants of a region that is not a Noaber municipality (the country), on 1 January.
    Municipalities keep theirs in accounts.Population."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="populations")
    year = models.PositiveSmallIntegerField()
    inhabitants = models.PositiveIntegerField()
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="one_region_population")
        ]

    def __str__(self):
        return f"{self.region} {self.year}: {self.inhabitants}"


class Period(models.TextChoices):
    YEAR = "year", _("jaar")
    MONTH = "month", _("maand")
    WEEK = "week", _("week")


class Status(models.TextChoices):
    DEFINITIVE = "definitive", _("definitief")
    PROVISIONAL = "provisional", _("voorlopig")
    # Not published (too small, privacy) or not available: never shown or summed as zero.
    SUPPRESSED = "suppressed", _("geheim of onbekend")


class ImportBatch(models.Model):
    kind = models.CharField(max_length=30)
    file_name = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self):
        return f"{self.kind} {self.file_name}"


class Value(models.Model):
    """One figure: indicator I in region R for period P (a year, a month or an ISO week)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="values")
    period_type = models.CharField(max_length=5, choices=Period.choices)
    year = models.PositiveSmallIntegerField()
    number = models.PositiveSmallIntegerField(default=0)  # month 1-12, ISO week 1-53, 0 for a year
    value = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices)
    source = models.CharField(_("bron"), max_length=300)
    note = models.CharField(_("toelichting"), max_length=300, blank=True)
    batch = models.ForeignKey(ImportBatch, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "region", "period_type", "year", "number"],
                name="one_value_per_period",
            ),
            models.CheckConstraint(
                condition=models.Q(status="suppressed", value__isnull=True)
                | (~models.Q(status="suppressed") & models.Q(value__isnull=False)),
                name="suppressed_has_no_value",
            ),
        ]
        indexes = [models.Index(fields=["region", "period_type", "year"])]

    def __str__(self):
        return f"{self.indicator.code} {self.region.code} {self.period_label}"

    @property
    def period_label(self) -> str:
        if self.period_type == Period.MONTH:
            return f"{self.year}-{self.number:02d}"
        if self.period_type == Period.WEEK:
            return f"{self.year}-W{self.number:02d}"
        return str(self.year)


class RegisterCount(models.Model):
    """How many reports, signals and cases a municipality registered per theme, area and
    ISO week, rebuilt by a periodic job from the register (no personal data, no ids)."""

    class Kind(models.TextChoices):
        REPORT = "report", _("meldingen")
        SIGNAL = "signal", _("signalen")
        CASE = "case", _("casussen")

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, null=True, related_name="+")
    area = models.ForeignKey("intake.Area", on_delete=models.CASCADE, null=True, related_name="+")
    year = models.PositiveSmallIntegerField()  # ISO year of the week
    week = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()  # calendar month of the week's Thursday
    count = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["municipality", "kind", "year"])]

    def __str__(self):
        return f"{self.kind} {self.year}-W{self.week}: {self.count}"


MONTH_NAMES = (
    _("januari"), _("februari"), _("maart"), _("april"), _("mei"), _("juni"), _("juli"),
    _("augustus"), _("september"), _("oktober"), _("november"), _("december"),
)  # fmt: skip
# The day of the year a month ends on (not a leap year): a month's alert sorts among the weeks
# by its last day, a week's by its Sunday (week * 7).
_MONTH_END_DAY = (31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365)


def month_name(month: int) -> str:
    return str(MONTH_NAMES[month - 1])


class Alert(models.Model):
    """A peak: in week W (or month M, for the police's monthly figures) the series S of a
    municipality was above its upper bound."""

    class PeriodType(models.TextChoices):
        WEEK = Period.WEEK, _("week")
        MONTH = Period.MONTH, _("maand")

    class State(models.TextChoices):
        NEW = "new", _("nieuw")
        ACKNOWLEDGED = "acknowledged", _("bekeken")
        LINKED = "linked", _("gekoppeld aan casus")

    class Method(models.TextChoices):
        # The detection's codes; the labels are what people read (noaber/insight/peak_text.py).
        FARRINGTON = peaks.FARRINGTON, METHODS[peaks.FARRINGTON]
        FALLBACK = peaks.FALLBACK, METHODS[peaks.FALLBACK]

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    series_key = models.CharField(max_length=120)  # "theme:5.2", "area:12", "category:drugs"
    series_label = models.CharField(_("reeks"), max_length=250)
    # A week of the register's series (ISO year and week) or a month of the police's monthly
    # figures (calendar year; `week` then holds the month, 1-12).
    period_type = models.CharField(
        _("periode"), max_length=5, choices=PeriodType.choices, default=PeriodType.WEEK
    )
    year = models.PositiveSmallIntegerField()  # ISO year of a week, calendar year of a month
    week = models.PositiveSmallIntegerField()  # ISO week, or the month (1-12)
    observed = models.PositiveIntegerField(_("waargenomen"))
    expected = models.FloatField(_("verwacht"))
    upper = models.FloatField(_("bovengrens"))
    score = models.FloatField(_("score"))
    method = models.CharField(_("methode"), max_length=20, choices=Method.choices)
    # The detection's notes as codes with their numbers ([{"code": "too_short", "weeks": 80,
    # "needed": 108}, ...]), made Dutch when shown; alerts from before the notes have none.
    notes = models.JSONField(default=list, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.NEW)
    note = EncryptedTextField(_("notitie"), blank=True)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts"
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "-week", "-score"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "series_key", "period_type", "year", "week"],
                name="one_alert_per_period",
            )
        ]
        verbose_name = _("piekmelding")
        verbose_name_plural = _("piekmeldingen")

    def __str__(self):
        if self.is_monthly:
            return f"{self.series_label} {self.year}-{self.week:02d}"
        return f"{self.series_label} {self.year}-W{self.week:02d}"

    @property
    def is_monthly(self) -> bool:
        return self.period_type == self.PeriodType.MONTH

    @property
    def month(self) -> int | None:
        return self.week if self.is_monthly else None

    @property
    def period_label(self) -> str:
        """ "week 40 van 2026" or "oktober 2026"."""
        if self.is_monthly:
            return _("%(month)s %(year)d") % {"month": month_name(self.week), "year": self.year}
        return _("week %(week)d van %(year)d") % {"week": self.week, "year": self.year}

    @property
    def source_label(self) -> str:
        """Where the counts come from, as the alert pages mark it."""
        if self.is_monthly:
            return str(_("maandcijfers politie"))
        return str(_("Noaber-register, per week"))

    @property
    def explanation(self) -> str:
        """The detection's notes on this period in Dutch ("te kort: ..."), empty if none."""
        return notes_text(self.notes or [], period=self.period_type)

    @staticmethod
    def period_order():
        """An expression that sorts weeks and months together by the day their period ends
        (year * 1000 + day of the year, roughly): for keyset lists of alerts."""
        day = models.Case(
            *[
                models.When(period_type=Period.MONTH, week=m, then=models.Value(d))
                for m, d in enumerate(_MONTH_END_DAY, 1)
            ],
            default=models.F("week") * 7,
            output_field=models.IntegerField(),
        )
        return models.F("year") * 1000 + day
