"""The plan's three example cases, told completely for `make run` (issue 17, step 1), so every
page of every role has something real to show:

1. Ondermijning — the barn on the Hoofdweg: residents, an employee and the police report it; the
   advisor registers one signal with the barn and its owner's company as subjects, does the
   privacy check and the bronnencheck, shares with the police under the RIEC convenant, builds a
   RIEC-casus, gives the enforcer a task, discusses it in the casusoverleg, the mayor closes the
   barn (art. 13b Opiumwet); the case is closed and the reporters read "afgehandeld", while the
   police keep the share for the aftercare.
2. Maatschappelijke onrust — online messages and a police signal about a demonstration: a case
   with dialogue, extra presence of boa's, the gezagsdriehoek and its decisions; it is being
   monitored.
3. Zorg en veiligheid — repeated nuisance reports about one person with confused behaviour: a
   persoonsgerichte aanpak with the Zorg- en Veiligheidshuis under its renewed convenant, and
   targeted actions while the street calms down; the person asks for inzage (an AVG request
   for the privacy officer, linked to him).

Tubbergen gets a report, a signal and a case of its own, to show the separation.

Everything goes through the apps' actions (audited like real work); rerunning changes nothing.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from noaber.accounts.models import Municipality, Organisation, User
from noaber.intake.actions import submit_report
from noaber.intake.models import Area, Category, Channel, Report, Source
from noaber.partners.models import SharingAgreement
from noaber.portal import actions as portal_actions
from noaber.portal.models import CaseShare
from noaber.registry import actions as registry
from noaber.registry import subject_requests
from noaber.registry.models import Outcome, Phase, Signal
from noaber.registry.subjects import clean_subject

from . import actions
from .models import Case, CaseResult, CaseType, InterventionType, Meeting

NO_REQUEST = {"request": None}


def _signal_steps(signal, advisor, *, check_text, sources):
    """Weging → bronnencheck (with privacy check 1) → plan van aanpak, through the gates."""
    registry.record_weging(
        signal, Outcome.FURTHER, check_text, signal.version, actor=advisor, **NO_REQUEST
    )
    signal.refresh_from_db()
    registry.record_privacy_check(
        signal,
        "1",
        {
            "original_basis": "Art. 6 lid 1 sub e AVG (openbare orde en veiligheid)",
            "compatible_use": True,
            "necessity": "Zonder raadpleging van de bronnen is niet vast te stellen of het "
            "signaal klopt.",
            "proportionality": "Alleen de gegevens over dit object en de direct betrokkenen.",
            "subsidiarity": "Een minder ingrijpende weg (alleen waarnemen) geeft geen zicht op "
            "de eigenaar.",
        },
        actor=advisor,
        **NO_REQUEST,
    )
    registry.advance(signal, Phase.SOURCES, signal.version, actor=advisor, **NO_REQUEST)
    signal.refresh_from_db()
    registry.record_source_check(signal, sources, "", actor=advisor, **NO_REQUEST)
    registry.advance(signal, Phase.PLAN, signal.version, actor=advisor, **NO_REQUEST)
    signal.refresh_from_db()
    return signal


def _step(case, advisor):
    """One status forward, the first way the case type's data allow (statuses are data)."""
    case.refresh_from_db()
    forward = [new for old, new in case.case_type.transitions if old == case.status]
    actions.change_status(case, forward[0], case.version, actor=advisor, **NO_REQUEST)


def _subject(signal, kind, raw, role, advisor):
    return registry.add_subject(
        signal, kind, clean_subject(kind, raw), role, actor=advisor, **NO_REQUEST
    )


def _barn(dinkelland, advisor, enforcer, riec_agreement):
    """Example case 1. The demo partners module already registered the barn's signal and opened
    the case shared with the police; this tells the rest of the story."""
    case = Case.objects.filter(municipality=dinkelland, case_type__code="riec").first()
    if case is None:
        return 0
    signal = case.signals.get()
    _subject(signal, "address", {"label": "Schuur Hoofdweg", "postcode": "7591 AB",
             "house_number": "12"}, "object", advisor)  # fmt: skip
    _subject(signal, "company", {"label": "Agrarisch Loonbedrijf Hoofdweg", "kvk": "12345678"},
             "eigenaar van het object", advisor)  # fmt: skip
    signal = _signal_steps(
        signal,
        advisor,
        check_text="Meerdere onafhankelijke meldingen en een politiesignaal over hetzelfde "
        "object; past bij het beeld van een drugslab.",
        sources={
            "BAG (adressen en gebouwen)": True,
            "KvK Handelsregister": True,
            "Politie (via het RIEC)": True,
            "Gemeentelijke vergunningen en handhaving": False,
        },
    )
    politie = Organisation.objects.get(name="Politie")
    registry.disclose(
        signal,
        {
            "recipient": politie,
            "agreement": riec_agreement,
            "legal_basis": "",
            "purpose": "Voorbereiding van de inval en de bestuurlijke aanpak",
            "data_categories": ["signal", "address", "company"],
            "shared": "Adres van de schuur, de eigenaar (bedrijf) en de meldingen.",
        },
        actor=advisor,
        **NO_REQUEST,
    )
    case.refresh_from_db()
    _step(case, advisor)
    today = timezone.localdate()
    rural = Area.objects.filter(municipality=dinkelland, kind=Area.Kind.RURAL).first()
    task = actions.add_task(
        case, "Controle schuur met de Omgevingsdienst", today + timedelta(days=7),
        actor=advisor, user=enforcer, location={"location_postcode": "7591AB",
        "location_house_number": 12, "location_area": rural}, **NO_REQUEST,
    )  # fmt: skip
    actions.add_task(
        case, "Omwonenden informeren na de sluiting", today + timedelta(days=14),
        actor=advisor, user=enforcer, **NO_REQUEST,
    )  # fmt: skip
    meeting = actions.plan_meeting(
        dinkelland, Meeting.Kind.CASUSOVERLEG, today - timedelta(days=2), actor=advisor,
        attendees=[advisor, enforcer], partners=[politie], **NO_REQUEST,
    )  # fmt: skip
    item = actions.add_agenda_item(meeting, case, actor=advisor, shared_with=[politie],
                                   **NO_REQUEST)  # fmt: skip
    actions.record_decision(item, "RIEC-casus starten; politie bereidt de inval voor, de "
                            "gemeente de sluiting.", actor=advisor, **NO_REQUEST)  # fmt: skip
    actions.write_minutes(meeting, "Schuur Hoofdweg besproken met de politie; afspraken "
                          "vastgelegd als besluiten.", actor=advisor, **NO_REQUEST)  # fmt: skip
    actions.complete_task(task, "Schuur gecontroleerd: vaten en afgeplakte ramen, foto's bij "
                          "de Omgevingsdienst.", actor=enforcer, **NO_REQUEST)  # fmt: skip
    case.refresh_from_db()
    _step(case, advisor)
    actions.add_note(case, "Inval door de politie: drugslab aangetroffen en ontmanteld.",
                     actor=advisor, **NO_REQUEST)  # fmt: skip
    actions.add_intervention(
        case, InterventionType.objects.get(code="sluiting_13b"), today, "burgemeester",
        "Sluiting voor zes maanden; na drie maanden controle of de schuur dicht blijft.",
        actor=advisor, **NO_REQUEST,
    )  # fmt: skip
    # Closing needs the open tasks done (or let go explicitly): the neighbours were told.
    for open_task in case.tasks.filter(completed_at=None, withdrawn_at=None):
        actions.complete_task(open_task, "Omwonenden met een brief geïnformeerd over de "
                              "sluiting.", actor=enforcer, **NO_REQUEST)  # fmt: skip
    share = CaseShare.objects.filter(case=case, ended_at=None).first()
    case.refresh_from_db()
    actions.close_case(
        case,
        CaseResult.objects.get(case_type=case.case_type, code="maatregel"),
        "Drugslab ontmanteld; schuur gesloten op grond van art. 13b Opiumwet.",
        case.version,
        actor=advisor,
        public_text="Uw melding heeft geholpen: de gemeente heeft maatregelen genomen. Dank u "
        "wel.",
        keep_shares={share.pk: (today + timedelta(days=90), "Nazorg: de politie controleert "
                     "of de schuur gesloten blijft.")} if share else None,
        **NO_REQUEST,
    )  # fmt: skip
    return 1


def _unrest(dinkelland, advisor, enforcer):
    """Example case 2: unrest about a planned demonstration."""
    politie = Organisation.objects.get(name="Politie")
    centre = Area.objects.filter(municipality=dinkelland).exclude(name="Buitengebied").first()
    police = submit_report(
        dinkelland,
        {
            "category": Category.objects.get(code="polarisatie"),
            "description": "Op sociale media wordt opgeroepen zaterdag te demonstreren bij de "
            "nieuwe opvanglocatie; sommige berichten zijn dreigend.",
            "area": centre,
        },
        channel=Channel.PARTNER_API,
        source=Source.POLICE,
        partner=politie,
        external_reference="PL0600-DEMO-2",
    ).report
    signal = registry.register_from_reports(dinkelland, [police], actor=advisor, **NO_REQUEST)
    case = actions.open_case(
        dinkelland, CaseType.objects.get(code="onrust"), "Demonstratie opvanglocatie",
        actor=advisor, signals=[signal], **NO_REQUEST,
    )  # fmt: skip
    _step(case, advisor)
    today = timezone.localdate()
    actions.add_task(case, "Dialoogavond met omwonenden organiseren", today + timedelta(days=5),
                     actor=advisor, user=advisor, **NO_REQUEST)  # fmt: skip
    team = actions.save_team(dinkelland, name="Handhaving Dinkelland", members=[enforcer],
                             request=None)  # fmt: skip
    actions.add_task(case, "Extra toezicht boa's rond de opvanglocatie (za 14–18 uur)",
                     today + timedelta(days=3), actor=advisor, team=team,
                     location={"location_area": centre}, **NO_REQUEST)  # fmt: skip
    actions.add_task(case, "Hekken en afvalbakken plaatsen op het plein (buitendienst)",
                     today + timedelta(days=2), actor=advisor,
                     user=User.objects.get(username="medewerker"), **NO_REQUEST)  # fmt: skip
    driehoek = actions.plan_meeting(
        dinkelland, Meeting.Kind.DRIEHOEK, today - timedelta(days=1), actor=advisor,
        attendees=[advisor], partners=[politie, Organisation.objects.get(name="Openbaar "
                                                                          "Ministerie")],
        **NO_REQUEST,
    )  # fmt: skip
    item = actions.add_agenda_item(driehoek, case, actor=advisor, **NO_REQUEST)
    actions.record_decision(
        item,
        "Demonstratie toegestaan op het plein, niet bij de opvanglocatie; politie en boa's "
        "extra aanwezig.",
        actor=advisor,
        intervention={
            "kind": InterventionType.objects.get(code="gesprek"),
            "decided_on": today - timedelta(days=1),
            "decided_by": "burgemeester",
            "follow_up": "Gesprek met de organisatoren over route en tijden.",
        },
        **NO_REQUEST,
    )
    case.refresh_from_db()
    _step(case, advisor)
    actions.add_note(case, "Demonstratie rustig verlopen; online berichten nemen af. Nog twee "
                     "weken volgen.", actor=advisor, **NO_REQUEST)  # fmt: skip
    return 1


def _care(dinkelland, advisor, enforcer, zvh_agreement):
    """Example case 3: a person with confused behaviour, to the Zorg- en Veiligheidshuis."""
    village = Area.objects.filter(municipality=dinkelland).exclude(name="Buitengebied").last()
    category = Category.objects.get(code="overlast-onbegrepen-gedrag")
    texts = [
        "Buurman schreeuwt 's nachts op straat en bonkt op deuren.",
        "Weer onrust in de straat: dezelfde man gooide met stenen naar geparkeerde auto's.",
        "De buurt is bang; de man lijkt in de war en weigert hulp.",
    ]
    reports = [
        submit_report(
            dinkelland,
            {"category": category, "description": text, "area": village},
            channel=Channel.WEB,
        ).report  # fmt: skip
        for text in texts
    ]
    signal = registry.register_from_reports(dinkelland, reports, actor=advisor, **NO_REQUEST)
    person = _subject(signal, "person", {"label": "J. de Vries", "birth_date": "1979-04-12",
                      "postcode": "7591 CD", "house_number": "3"}, "betrokkene",
                      advisor)  # fmt: skip
    # The privacy officer's work: the person asks what the municipality holds about him.
    privacy = User.objects.get(username="privacy")
    inzage = subject_requests.register_request(
        dinkelland,
        {"kind": "inzage", "received_on": timezone.localdate() - timedelta(days=3),
         "requester": "J. de Vries", "identity_check": "balie"},
        actor=privacy, **NO_REQUEST,
    )  # fmt: skip
    subject_requests.link_subject(inzage, person, actor=privacy, **NO_REQUEST)
    case = actions.open_case(
        dinkelland, CaseType.objects.get(code="pga"), "Onbegrepen gedrag in de straat",
        actor=advisor, signals=[signal], **NO_REQUEST,
    )  # fmt: skip
    _step(case, advisor)
    zvh = Organisation.objects.get(name="Zorg- en Veiligheidshuis (ZVH) Twente")
    portal_actions.share_case(
        case,
        {"organisation": zvh, "agreement": zvh_agreement,
         "purpose": "Integraal plan van aanpak voor de betrokkene",
         "data_categories": ["signal", "identity", "address"]},
        actor=advisor, **NO_REQUEST,
    )  # fmt: skip
    today = timezone.localdate()
    actions.add_task(case, "Integraal plan van aanpak opstellen", today + timedelta(days=21),
                     actor=advisor, organisation=zvh, agreement=zvh_agreement,
                     **NO_REQUEST)  # fmt: skip
    actions.add_task(case, "Twee weken extra aanwezigheid in de straat", today + timedelta(days=4),
                     actor=advisor, user=enforcer, location={"location_postcode": "7591CD",
                     "location_house_number": 3, "location_area": village},
                     **NO_REQUEST)  # fmt: skip
    case.refresh_from_db()
    _step(case, advisor)
    actions.add_note(case, "Huisbezoek met de wijkagent en de GGD; betrokkene staat open voor "
                     "begeleiding.", actor=advisor, **NO_REQUEST)  # fmt: skip
    return 1


def _tubbergen():
    """A report, a signal and a case in Tubbergen, which Dinkelland's users never see."""
    tubbergen = Municipality.objects.get(cbs_code="GM0183")
    advisor = User.objects.get(username="adviseur.tubbergen")
    submitted = submit_report(
        tubbergen,
        {"category": Category.objects.get(code="overlast-jeugd"),
         "description": "Jongeren met brommers racen elke avond over het schoolplein."},
        channel=Channel.WEB,
    )  # fmt: skip
    signal = registry.register_from_reports(
        tubbergen, [submitted.report], actor=advisor, **NO_REQUEST
    )
    actions.open_case(tubbergen, CaseType.objects.get(code="overlast"), "Schoolplein brommers",
                      actor=advisor, signals=[signal], **NO_REQUEST)  # fmt: skip
    return 1


@transaction.atomic
def load_demo_cases() -> int:
    """The three example cases and Tubbergen's own; 0 when they are there already."""
    dinkelland = Municipality.objects.get(cbs_code="GM1774")
    if Case.objects.filter(municipality=dinkelland, case_type__code="onrust").exists():
        return 0
    if not Report.objects.filter(municipality=dinkelland).exists():
        return 0
    advisor = User.objects.get(username="adviseur")
    enforcer = User.objects.get(username="handhaver")
    riec = SharingAgreement.objects.get(name="RIEC-convenant Oost-Nederland")
    zvh = SharingAgreement.objects.filter(name__startswith="Convenant Zorg- en Veiligheidshuis")
    zvh = next(a for a in zvh if a.valid_on(timezone.localdate()))
    count = _barn(dinkelland, advisor, enforcer, riec)
    count += _unrest(dinkelland, advisor, enforcer)
    count += _care(dinkelland, advisor, enforcer, zvh)
    count += _tubbergen()
    assert Signal.objects.filter(municipality=dinkelland).count() >= 3
    return count


def load_demo_work() -> int:
    """Behandelaars and streefdatums on the demo's open reports, signals and cases, some of
    them overdue, so that the demo advisor's "Mijn werk" shows real work. Assignments go
    through the actions (audited); only the passing of time is simulated, by moving a few
    streefdatums into the past after the fact (the actions refuse a past date, rightly)."""
    from noaber.intake.actions import assign_report

    dinkelland = Municipality.objects.get(cbs_code="GM1774")
    advisor = User.objects.filter(username="adviseur").first()
    if (
        advisor is None
        or Report.objects.filter(municipality=dinkelland, handler__isnull=False).exists()
    ):
        return 0
    today = timezone.localdate()
    reports = list(
        # The reporters of reports in a signal still wait for a reply too.
        Report.objects.filter(municipality=dinkelland)
        .exclude(status="closed")
        .order_by("created_at", "pk")[:6]
    )
    for report in reports:
        assign_report(report, advisor, report.due_date, actor=advisor, **NO_REQUEST)
    late = {0: 6, 1: 2}  # days overdue for the two oldest
    for i, report in enumerate(reports):
        if i in late:
            Report.objects.filter(pk=report.pk).update(due_date=today - timedelta(days=late[i]))
    signals = list(
        Signal.objects.filter(municipality=dinkelland, assigned_to=advisor)
        .exclude(phase="closed")
        .order_by("pk")
    )
    if signals:
        Signal.objects.filter(pk=signals[0].pk).update(due_date=today - timedelta(days=3))
    cases = list(
        Case.objects.filter(municipality=dinkelland, owner=advisor).exclude(status="closed")
    )
    if cases:
        Case.objects.filter(pk=cases[-1].pk).update(due_date=today - timedelta(days=1))
    return len(reports) + len(signals[:1]) + len(cases[-1:])
