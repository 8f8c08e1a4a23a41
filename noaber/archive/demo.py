"""Demo material for the archivist (`make run`): Dinkelland's cases closed years ago, as a
municipality has them after a few years of casusregie — some past their archiefactiedatum and on
a destruction list waiting for review, one under a legal hold (bewaarplicht), and one to keep
for good. Made through the apps' actions, then dated back (the demo cannot wait years)."""

from datetime import date, datetime, time

from django.db import transaction
from django.utils import timezone

from noaber.accounts.models import Municipality, User
from noaber.cases import actions as case_actions
from noaber.cases import archiving
from noaber.cases.demo import NO_REQUEST, _step
from noaber.cases.models import Case, CaseResult, CaseType

from .actions import make_destruction_list
from .models import DestructionList

# (case type, title, result, opened, closed, legal hold reason or "")
OLD_CASES = [
    ("overlast", "Hangplek bij de kerk", "opgelost", date(2021, 9, 6), date(2022, 3, 14), ""),
    ("overlast", "Geluidsoverlast feestschuur", "opgelost", date(2022, 5, 2), date(2022, 11, 28),
     ""),
    ("controle", "Controle vakantiepark", "geen_bevindingen", date(2023, 4, 3),
     date(2023, 6, 19), ""),
    ("pga", "Persoon met verward gedrag", "zorg", date(2019, 2, 11), date(2020, 10, 5), ""),
    ("overlast", "Overlast bij de sporthal", "overgedragen", date(2019, 6, 3), date(2020, 1, 20),
     "Bezwaarprocedure van een betrokkene loopt nog; niet vernietigen."),
    ("handhaving", "Sluiting woning (art. 13b Opiumwet)", "sluiting", date(2022, 1, 10),
     date(2022, 8, 1), ""),
]  # fmt: skip


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10)))


@transaction.atomic
def load_demo_archive() -> int:
    dinkelland = Municipality.objects.get(cbs_code="GM1774")
    if Case.objects.filter(municipality=dinkelland, created_at__year__lt=2024).exists():
        return 0
    advisor = User.objects.get(username="adviseur")
    archivist = User.objects.get(username="archivaris")
    for type_code, title, result_code, opened, closed, hold in OLD_CASES:
        case_type = CaseType.objects.get(code=type_code)
        case = case_actions.open_case(dinkelland, case_type, title, actor=advisor, **NO_REQUEST)
        # Worked on until its type lets it close (close_from).
        while not case_type.may_close_from(case.status):
            _step(case, advisor)
            case.refresh_from_db()
        result = CaseResult.objects.get(case_type=case_type, code=result_code)
        case_actions.close_case(
            case, result, "Afgerond; zie de tijdlijn.", case.version, actor=advisor, **NO_REQUEST
        )
        Case.objects.filter(pk=case.pk).update(
            created_at=_aware(opened),
            closed_at=_aware(closed),
            **archiving.archive_fields_on_closing(result, closed),
        )
        case.timeline.update(created_at=_aware(closed))
        if hold:
            case.refresh_from_db()
            archiving.set_legal_hold(case, True, hold, actor=archivist, **NO_REQUEST)
    if not DestructionList.objects.filter(municipality=dinkelland).exists():
        make_destruction_list(dinkelland, actor=archivist, **NO_REQUEST)
    return len(OLD_CASES)
