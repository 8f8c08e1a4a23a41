"""Case types, results and the intervention catalogue from data/reference/cases.json."""

from django.db import transaction

from noaber.accounts.reference import read, record_loaded

from .models import CaseResult, CaseType, InterventionType


@transaction.atomic
def load_case_reference() -> int:
    data = read("cases.json")
    created = 0
    for item in data["case_types"]:
        case_type, new = CaseType.objects.get_or_create(
            code=item["code"],
            defaults={
                "name": item["name"],
                "statuses": data["statuses"],
                "transitions": item["transitions"],
                "close_from": item["close_from"],
                "reopen_status": data["reopen_status"],
                "confidentiality": item["confidentiality"],
            },
        )
        created += new
        for code, name, archive, years in item["results"]:
            _, new = CaseResult.objects.get_or_create(
                case_type=case_type,
                code=code,
                defaults={"name": name, "archive": archive, "term_years": years},
            )
            created += new
    for code, name, basis in data["interventions"]:
        _, new = InterventionType.objects.get_or_create(
            code=code, defaults={"name": name, "legal_basis": basis}
        )
        created += new
    record_loaded("cases", created)
    return created
