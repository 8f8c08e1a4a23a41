"""Demo agreements and a case shared with the police (through the portal's action), so the
partner portal shows something in `make run` (the plan's first example case: the barn in the
buitengebied)."""

from datetime import date

from django.db import transaction

from noaber.accounts.models import Municipality, Organisation, User
from noaber.cases import actions as case_actions
from noaber.cases.models import CaseType
from noaber.intake.models import Report, Status
from noaber.partners.models import SharingAgreement
from noaber.portal import actions
from noaber.registry.actions import register_from_reports

# name, parties, purpose, legal basis, categories, valid from, valid until
DEMO_AGREEMENTS = [
    (
        "RIEC-convenant Oost-Nederland",
        ["RIEC Oost-Nederland", "Politie", "Openbaar Ministerie", "Belastingdienst"],
        "Gezamenlijke aanpak van ondermijnende criminaliteit",
        "Art. 6 lid 1 sub e AVG; art. 20 Wet politiegegevens; RIEC-convenant",
        ["signal", "identity", "address", "company", "vehicle", "criminal"],
        date(2024, 1, 1),
        date(2027, 12, 31),
    ),
    (
        "Convenant Zorg- en Veiligheidshuis Twente",
        ["Zorg- en Veiligheidshuis (ZVH) Twente", "GGD Twente", "Tactus", "Politie"],
        "Persoonsgerichte aanpak bij complexe zorg- en veiligheidscasuïstiek",
        "Art. 6 lid 1 sub e AVG; art. 9 lid 2 sub g AVG; convenant ZVH Twente",
        ["signal", "identity", "address"],
        date(2023, 1, 1),
        date(2026, 6, 30),  # expired: shows how an ended agreement blocks sharing
    ),
    (
        "Convenant Zorg- en Veiligheidshuis Twente 2026-2028",
        ["Zorg- en Veiligheidshuis (ZVH) Twente", "GGD Twente", "Tactus", "Politie"],
        "Persoonsgerichte aanpak bij complexe zorg- en veiligheidscasuïstiek",
        "Art. 6 lid 1 sub e AVG; art. 9 lid 2 sub g AVG; convenant ZVH Twente",
        ["signal", "identity", "address"],
        date(2026, 7, 1),  # the renewal, under which example case 3 is shared
        date(2028, 6, 30),
    ),
]


@transaction.atomic
def load_demo_partners() -> int:
    if SharingAgreement.objects.filter(name=DEMO_AGREEMENTS[0][0]).exists():
        return 0
    dinkelland = Municipality.objects.get(cbs_code="GM1774")
    tubbergen = Municipality.objects.get(cbs_code="GM0183")
    advisor = User.objects.get(username="adviseur")
    agreements = []
    for name, parties, purpose, basis, categories, start, end in DEMO_AGREEMENTS:
        agreement = SharingAgreement.objects.create(
            name=name,
            purpose=purpose,
            legal_basis=basis,
            data_categories=categories,
            valid_from=start,
            valid_until=end,
        )
        agreement.organisations.set(Organisation.objects.filter(name__in=parties))
        agreement.municipalities.set([dinkelland, tubbergen])
        agreements.append(agreement)
    # The barn's reports: the open ones (not the closed reports of the years before the demo,
    # which may share a category and can no longer become a signal).
    barn = list(
        Report.objects.filter(
            municipality=dinkelland, category__code__in=["verdacht-pand", "drugs-drugslab"]
        ).exclude(status=Status.CLOSED)
    )
    if not barn:
        return len(agreements)
    signal = register_from_reports(dinkelland, barn, actor=advisor, request=None)
    case = case_actions.open_case(
        dinkelland, CaseType.objects.get(code="riec"), "Schuur Hoofdweg (buitengebied)",
        actor=advisor, request=None, signals=[signal],
    )  # fmt: skip
    actions.share_case(
        case,
        {
            "organisation": Organisation.objects.get(name="Politie"),
            "agreement": agreements[0],
            "purpose": "Voorbereiding bestuurlijke en strafrechtelijke aanpak",
            "data_categories": ["signal", "address"],
        },
        actor=advisor,
        request=None,
    )
    return len(agreements) + 1
