"""Demo reports for `make run`: the plan's first example case (a long-empty barn in the
buitengebied with night-time activity), reported by residents, an employee and the police."""

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from noaber.accounts.models import Municipality, Organisation, User

from .actions import submit_report
from .bag import import_bag
from .fixtures import BAG_FILE
from .models import Address, Area, Category, Channel, Report, Source, Status
from .validation import check_location

# The demo's places, from the made-up BAG fixture: the barn in the buitengebied, the
# playing field in Denekamp, and in Weerselo the bus stop of the peak.
BARN = ("7591PK", 151)
PLAYING_FIELD = ("7591CD", 3)
BUS_STOP = ("7595AE", 5)

# (category, channel, employee username or None, text, place)
DEMO_REPORTS = [
    (
        "verdacht-pand",
        Channel.WEB,
        None,
        "'s Nachts rijden er busjes af en aan bij de lege schuur aan de Hoofdweg. "
        "Er brandt licht achter dichtgetimmerde ramen.",
        BARN,
    ),
    (
        "drugs-drugslab",
        Channel.WEB,
        None,
        "Rond de oude schuur ruikt het naar anijs en er staan blauwe vaten achter het erf.",
        BARN,
    ),
    (
        "verdacht-pand",
        Channel.INTERNAL,
        "medewerker",
        "Bij de afvalinzameling zag ik vaten en afgeplakte ramen in de schuur die al jaren "
        "leeg staat.",
        BARN,
    ),
    (
        "overlast-jeugd",
        Channel.WEB,
        None,
        "Elke vrijdagavond vernielingen en harde muziek bij het speelveld.",
        PLAYING_FIELD,
    ),
]
POLICE_SIGNAL = (
    "Politiesignaal: verhoogd stroomverbruik en meldingen van geur bij een schuur in het "
    "buitengebied."
)


def load_demo_addresses() -> int:
    """The made-up BAG fixture (data/reference/bag-fictief.gpkg), once."""
    if Address.objects.exists():
        return 0
    return import_bag(BAG_FILE, source="fictief (demo)").imported


def at(municipality, place, **data) -> dict:
    """Report data at a fixture address, resolved as the forms resolve it."""
    data["postcode"], data["house_number"] = place
    errors, _refusal = check_location(municipality, data)
    if errors:
        raise ValueError(f"demo address {place}: {errors}")
    return data


def load_demo_reports() -> int:
    dinkelland = Municipality.objects.get(cbs_code="GM1774")
    if Report.objects.filter(municipality=dinkelland, external_reference="PL0600-DEMO-1").exists():
        return 0
    load_demo_addresses()
    for code, channel, username, text, place in DEMO_REPORTS:
        submit_report(
            dinkelland,
            at(dinkelland, place, category=Category.objects.get(code=code), description=text),
            channel=channel,
            source=Source.EMPLOYEE if username else None,
            reporter=User.objects.filter(username=username).first() if username else None,
        )
    submit_report(
        dinkelland,
        at(
            dinkelland,
            BARN,
            category=Category.objects.get(code="drugs-drugslab"),
            description=POLICE_SIGNAL,
        ),
        channel=Channel.PARTNER_API,
        source=Source.POLICE,
        partner=Organisation.objects.filter(name="Politie").first(),
        external_reference="PL0600-DEMO-1",
    )
    return len(DEMO_REPORTS) + 1


# --- Three years of report history, so peak detection has something to judge ---------------

# Reports a week on average per (category, area) in Dinkelland before the demo's peak; a
# small town's meldpunt: a few a week in all.
HISTORY_RATES = [
    ("overlast-jeugd", "Denekamp", 0.7),
    ("overlast-jeugd", "Ootmarsum", 0.5),
    ("overlast-jeugd", "Weerselo", 0.3),
    ("overlast-drugs", "Denekamp", 0.4),
    ("overlast-onbegrepen-gedrag", "Ootmarsum", 0.3),
    ("verdacht-pand", "Buitengebied", 0.2),
    ("overlast-vuurwerk", "Denekamp", 0.2),
    ("fraude-oplichting", None, 0.3),
]
HISTORY_TEXT = {
    "overlast-jeugd": "Groep jongeren met harde muziek en vernielingen bij het speelveld.",
    "overlast-drugs": "Er wordt gedeald bij het parkeerterrein achter de supermarkt.",
    "overlast-onbegrepen-gedrag": "Een buurtbewoner schreeuwt 's nachts op straat.",
    "verdacht-pand": "Lege woning waar 's avonds steeds andere auto's staan.",
    "overlast-vuurwerk": "Zwaar vuurwerk afgestoken tussen de huizen.",
    "fraude-oplichting": "Telefoontje van een zogenaamde bankmedewerker.",
}
HISTORY_WEEKS = 3 * 52
# The peak the demo's alert is about: youth nuisance in Weerselo in the last complete week.
PEAK = ("overlast-jeugd", "Weerselo", 12)
PEAK_TEXT = [
    "Jongeren op scooters rijden rondjes over het schoolplein en gooien met flessen.",
    "Al drie avonden achter elkaar vernielingen bij de bushalte aan de Hoofdstraat.",
    "Een groep van tien jongeren hangt bij de sporthal en intimideert voorbijgangers.",
]


def _week_start(weeks_back: int, today) -> datetime:
    """Monday 09:00 of the week `weeks_back` weeks before the last complete week."""
    last_sunday = today - timedelta(days=today.isoweekday())
    monday = last_sunday - timedelta(days=6) - timedelta(weeks=weeks_back)
    return timezone.make_aware(datetime.combine(monday, time(9)))


def load_demo_history(today=None) -> int:
    """Dinkelland's closed reports of the three years before the demo (as a municipality brings
    them from its previous meldsysteem), and in the last complete week a peak of youth nuisance
    in Weerselo: twelve reports where a few a year is usual. Deterministic for a given day."""
    today = today or timezone.localdate()
    dinkelland = Municipality.objects.get(cbs_code="GM1774")
    if Report.objects.filter(
        municipality=dinkelland, created_at__lt=_week_start(1, today)
    ).exists():
        return 0
    rng = random.Random(1774)  # noqa: S311 — demo data, not secrets
    categories = {c.code: c for c in Category.objects.all()}
    areas = {a.name: a for a in Area.objects.filter(municipality=dinkelland)}
    rows = []
    for weeks_back in range(HISTORY_WEEKS, 0, -1):
        start = _week_start(weeks_back, today)
        for code, area, rate in HISTORY_RATES:
            # Poisson by counting exponential gaps; the week's reports spread over its days.
            n, t = 0, rng.expovariate(rate)
            while t < 1:
                n, t = n + 1, t + rng.expovariate(rate)
            for _i in range(n):
                rows.append((code, area, start + timedelta(hours=rng.randrange(0, 7 * 24 - 10))))
    peak_code, peak_area, peak_n = PEAK
    peak_start = _week_start(0, today)
    created = Report.objects.bulk_create(
        [
            Report(
                municipality=dinkelland,
                category=categories[code],
                area=areas.get(area) if area else None,
                source=Source.ANONYMOUS,
                channel=Channel.WEB,
                description=HISTORY_TEXT[code],
                status=Status.CLOSED,
            )
            for code, area, _when in rows
        ]
    )
    for report, (_code, _area, when) in zip(created, rows, strict=True):
        report.created_at = when
    Report.objects.bulk_update(created, ["created_at"], batch_size=500)
    for i in range(peak_n):
        load_demo_addresses()
        report = submit_report(
            dinkelland,
            at(
                dinkelland,
                BUS_STOP,
                category=categories[peak_code],
                description=PEAK_TEXT[i % len(PEAK_TEXT)],
            ),
            channel=Channel.WEB,
        ).report
        Report.objects.filter(pk=report.pk).update(
            created_at=peak_start + timedelta(hours=10 + 10 * i)
        )
    return len(created) + peak_n


# (kind, title, body) per municipality: a few standard texts the advisors would really use.
DEMO_STANDARD_TEXTS = {
    "GM1774": [
        ("reply", "Vraag om aanvulling",
         "Dank voor uw melding {meldingnummer}. Om goed te kunnen kijken wat er aan de hand "
         "is, willen we graag iets meer weten: op welke dagen en tijden ziet u dit gebeuren? "
         "U kunt antwoorden met uw bonnummer.\n\nMet vriendelijke groet,\nTeam Veiligheid, "
         "gemeente {gemeente}"),
        ("reply", "Melding wordt bekeken",
         "Dank voor uw melding {meldingnummer}. Wij nemen die serieus en bekijken samen met "
         "onze partners wat er nodig is. Over personen en over het onderzoek kunnen wij u niets "
         "vertellen.\n\nMet vriendelijke groet,\nTeam Veiligheid, gemeente {gemeente}"),
        ("status", "In behandeling",
         "Uw melding {meldingnummer} is in behandeling bij de gemeente {gemeente}. Wij nemen "
         "contact met u op als we meer van u willen weten."),
        ("status", "Afgehandeld",
         "Uw melding {meldingnummer} is afgehandeld. Met uw informatie is de gemeente aan de "
         "slag gegaan. Wat er precies is gebeurd, kunnen wij om privacyredenen niet vertellen. "
         "Dank dat u de moeite nam om te melden."),
        ("status", "Doorgestuurd naar de politie",
         "Uw melding {meldingnummer} gaat over een strafbaar feit en is daarom doorgegeven aan "
         "de politie. Heeft u zelf aangifte te doen, bel dan 0900-8844."),
    ],
    "GM0183": [
        ("reply", "Vraag om aanvulling",
         "Bedankt voor uw melding {meldingnummer}. Kunt u ons laten weten waar en wanneer u dit "
         "precies zag? Antwoorden kan met uw bonnummer.\n\nTeam Openbare Orde en Veiligheid, "
         "gemeente {gemeente}"),
        ("status", "In behandeling",
         "Uw melding {meldingnummer} is ontvangen en wordt door de gemeente {gemeente} "
         "bekeken."),
        ("status", "Afgehandeld",
         "Uw melding {meldingnummer} is afgehandeld. Bedankt voor uw oplettendheid."),
    ],
}  # fmt: skip


def load_demo_standard_texts() -> int:
    """The demo municipalities' standard texts (sjablonen); an existing title is kept."""
    from .actions import save_standard_text
    from .models import StandardText

    created = 0
    for code, texts in DEMO_STANDARD_TEXTS.items():
        municipality = Municipality.objects.filter(cbs_code=code).first()
        if municipality is None:
            continue
        for kind, title, body in texts:
            if StandardText.objects.filter(municipality=municipality, kind=kind, title=title):
                continue
            save_standard_text(municipality, kind=kind, title=title, body=body, request=None)
            created += 1
    return created
