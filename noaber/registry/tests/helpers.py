from django.urls import reverse

from noaber.intake.actions import submit_report
from noaber.intake.models import Category, Channel
from noaber.registry import actions


def url(name, *args, municipality="GM1774"):
    return reverse(f"registry:{name}", args=[municipality, *args])


def make_report(municipality, text="Licht en busjes bij de lege schuur.", code="verdacht-pand"):
    return submit_report(
        municipality,
        {"category": Category.objects.get(code=code), "description": text},
        channel=Channel.WEB,
    ).report


def make_signal(municipality, actor, text="Licht en busjes bij de lege schuur."):
    return actions.register_from_reports(
        municipality, [make_report(municipality, text)], actor=actor, request=None
    )


PERSON = {
    "kind": "person",
    "label": "Jan Janssen",
    "birth_date": "1980-04-01",
    "bsn": "111222333",
    "postcode": "",
    "house_number": "",
    "house_number_addition": "",
    "bag_id": "",
    "kvk": "",
    "kenteken": "",
    "role": "huurder",
}
CHECK_1 = {
    "kind": "1",
    "recipient": "",
    "original_basis": "Gemeentewet art. 172 (openbare orde)",
    "compatible_use": "on",
    "necessity": "Zonder bronnencheck is niet vast te stellen of er een drugslab is.",
    "proportionality": "Alleen gegevens over het pand en de huurder.",
    "subsidiarity": "Geen minder ingrijpend middel beschikbaar.",
}
