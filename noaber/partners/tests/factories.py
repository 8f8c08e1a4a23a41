"""A case built from a report, with a person and an address, for the partner tests."""

from datetime import date

from noaber.accounts.models import Organisation
from noaber.cases import actions as case_actions
from noaber.cases.models import CaseType
from noaber.intake.actions import submit_report
from noaber.intake.models import Category, Channel
from noaber.partners.models import DataCategory, SharingAgreement
from noaber.registry.actions import add_subject, register_from_reports


def make_case(municipality, advisor, title="Schuur Hoofdweg"):
    report = submit_report(
        municipality,
        {
            "category": Category.objects.get(code="drugs-drugslab"),
            "description": "Lampen 's nachts.",
        },
        channel=Channel.WEB,
    ).report
    signal = register_from_reports(municipality, [report], actor=advisor, request=None)
    add_subject(signal, "person", {"label": "Jan Janssen"}, "", actor=advisor, request=None)
    add_subject(
        signal,
        "address",
        {"label": "Hoofdweg 12 Denekamp", "postcode": "7591AB", "house_number": 12},
        "",
        actor=advisor,
        request=None,
    )
    return case_actions.open_case(
        municipality, CaseType.objects.get(code="riec"), title, actor=advisor, request=None,
        signals=[signal],
    )  # fmt: skip


def make_agreement(municipality, *names, categories=None, valid_until=None, name="RIEC-convenant"):
    agreement = SharingAgreement.objects.create(
        name=name,
        purpose="Gezamenlijke aanpak ondermijning",
        legal_basis="Art. 6 lid 1e AVG; RIEC-convenant",
        data_categories=categories or [c.value for c in DataCategory],
        valid_from=date(2024, 1, 1),
        valid_until=valid_until,
    )
    agreement.organisations.set(Organisation.objects.filter(name__in=names))
    agreement.municipalities.set([municipality])
    return agreement
