"""Demo reports for `make run`: the plan's first example case (a long-empty barn in the
buitengebied with night-time activity), reported by residents, an employee and the police."""

from noaber.accounts.models import Municipality, Organisation, User

from .actions import submit_report
from .models import Area, Category, Channel, Report, Source

# (category, channel, employee username or None, text)
DEMO_REPORTS = [
    (
        "verdacht-pand",
        Channel.WEB,
        None,
        "'s Nachts rijden er busjes af en aan bij de lege schuur aan de Hoofdweg. "
        "Er brandt licht achter dichtgetimmerde ramen.",
    ),
    (
        "drugs-drugslab",
        Channel.WEB,
        None,
        "Rond de oude schuur ruikt het naar anijs en er staan blauwe vaten achter het erf.",
    ),
    (
        "verdacht-pand",
        Channel.INTERNAL,
        "medewerker",
        "Bij de afvalinzameling zag ik vaten en afgeplakte ramen in de schuur die al jaren "
        "leeg staat.",
    ),
    (
        "overlast-jeugd",
        Channel.WEB,
        None,
        "Elke vrijdagavond vernielingen en harde muziek bij het speelveld.",
    ),
]
POLICE_SIGNAL = (
    "Politiesignaal: verhoogd stroomverbruik en meldingen van geur bij een schuur in het "
    "buitengebied."
)


def load_demo_reports() -> int:
    dinkelland = Municipality.objects.get(cbs_code="GM1774")
    if Report.objects.filter(municipality=dinkelland).exists():
        return 0
    rural = Area.objects.get(municipality=dinkelland, name="Buitengebied")
    for code, channel, username, text in DEMO_REPORTS:
        submit_report(
            dinkelland,
            {"category": Category.objects.get(code=code), "description": text, "area": rural},
            channel=channel,
            source=Source.EMPLOYEE if username else None,
            reporter=User.objects.filter(username=username).first() if username else None,
        )
    submit_report(
        dinkelland,
        {
            "category": Category.objects.get(code="drugs-drugslab"),
            "description": POLICE_SIGNAL,
            "area": rural,
        },
        channel=Channel.PARTNER_API,
        source=Source.POLICE,
        partner=Organisation.objects.filter(name="Politie").first(),
        external_reference="PL0600-DEMO-1",
    )
    return len(DEMO_REPORTS) + 1
