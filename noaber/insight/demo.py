"""Demo figures for `make run`, clearly marked as such: inhabitants per year, crime counts
for the four municipalities and the country 2019-2026, and Dinkelland's local figures around
the plan's 2023 baseline. Deterministic (seeded), so every demo shows the same picture."""

import random
from decimal import Decimal

from django.db import transaction

from noaber.accounts.models import Municipality, Population

from .aggregates import refresh_register_counts
from .models import Indicator, Period, Region, RegionPopulation, Status, Value

DEMO = "Demogegevens (verzonnen, niet gebruiken)"
YEARS = range(2019, 2027)
# Inhabitants on 1 January 2024 (CBS for three; Oldenzaal and the country for the demo).
BASE = {"GM1774": 26741, "GM0183": 21393, "GM0168": 23380, "GM0173": 32400, "NL01": 17942942}
# Registered crime per 10,000 inhabitants around which the demo varies (Dinkelland: the
# plan's 185; the country: the plan's 451).
RATE = {"GM1774": 185, "GM0183": 190, "GM0168": 235, "GM0173": 330, "NL01": 451}
SHARE = {"crime_property": 0.46, "crime_violence": 0.12, "crime_destruction": 0.14,
         "crime_traffic": 0.10, "crime_drugs": 0.03}  # fmt: skip
LOCAL = {  # Dinkelland around the plan's figures
    "nuisance_reports": 258, "domestic_violence": 85, "e33_incidents": 58, "halt_referrals": 12,
    "dui": 30, "shop_theft_burglary": 10, "event_permits": 90, "stook_reports": 64,
    "enforcement_warnings": 220, "enforcement_fines": 888, "enforcement_observations": 300,
    "fire_callouts": 143,
}  # fmt: skip


def _people(code, year):
    return int(BASE[code] * (1 + 0.003 * (year - 2024)))


@transaction.atomic
def load_demo_figures() -> int:
    if Value.objects.filter(source=DEMO).exists():
        return 0
    rng = random.Random(1774)  # noqa: S311 — demo figures, not secrets
    created = 0
    indicators = {i.code: i for i in Indicator.objects.all()}
    for code in BASE:
        region = Region.objects.get(code=code)
        for year in YEARS:
            people = _people(code, year)
            if code == "NL01":
                RegionPopulation.objects.get_or_create(
                    region=region, year=year,
                    defaults={"inhabitants": people, "source": DEMO},
                )  # fmt: skip
            elif not Population.objects.filter(
                municipality__cbs_code=code, year__lte=year, source__startswith="CBS"
            ).exists():
                # Demo inhabitants only before the first real (CBS) figure; after it the
                # real figure holds.
                Population.objects.get_or_create(
                    municipality=Municipality.objects.get(cbs_code=code), year=year,
                    defaults={"inhabitants": people, "source": DEMO},
                )  # fmt: skip
            if year == 2026:
                continue  # the current year is not complete yet
            spread = rng.uniform(0.9, 1.1)
            if year == 2023 and code in ("GM1774", "NL01"):
                spread = 1.0  # the plan's own 2023 rates
            total = round(RATE[code] * people / 10000 * spread)
            figures = {"crime_total": total}
            figures |= {
                k: round(total * share * rng.uniform(0.85, 1.15)) for k, share in SHARE.items()
            }
            if code == "GM1774":
                figures |= {k: round(v * rng.uniform(0.8, 1.2)) for k, v in LOCAL.items()}
                if year in (2021, 2023, 2025):
                    figures["survey_feels_safe"] = round(rng.uniform(92, 96))
                    figures["survey_liveability"] = round(rng.uniform(8.1, 8.5), 1)
            for indicator_code, number in figures.items():
                _, new = Value.objects.get_or_create(
                    indicator=indicators[indicator_code], region=region,
                    period_type=Period.YEAR, year=year, number=0,
                    defaults={
                        "value": Decimal(str(number)),
                        "status": Status.PROVISIONAL if year == 2025 else Status.DEFINITIVE,
                        "source": DEMO,
                    },
                )  # fmt: skip
                created += new
    for municipality in Municipality.objects.all():
        refresh_register_counts(municipality)
    return created


def load_demo_alert() -> int:
    """Judge Dinkelland's last complete week as the weekly job does, so the demo's report
    history (intake.demo.load_demo_history) gives the advisors a real alert to handle."""
    from .alerts import detect_for
    from .models import Alert

    dinkelland = Municipality.objects.get(cbs_code="GM1774")
    if Alert.objects.filter(municipality=dinkelland).exists():
        return 0
    return len(detect_for(dinkelland).new)
