"""Example objects for the access-matrix and accessibility tests: for every URL that takes
arguments, a function that returns them for a municipality, creating what it needs. They live
here, with the tests, so that no production view creates anything for a test.

`EXAMPLES` maps a URL name to its function; `noaber.ui.urlwalk.example_url` uses it, and a
route with arguments but no entry here fails those tests with a message that points here.
"""

import io
from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from noaber.accounts.models import (
    IdentityProvider,
    Organisation,
    PartnerToken,
    RoleMapping,
    User,
)
from noaber.accounts.partner_keys import create_partner_token
from noaber.archive.models import DestructionList, DestructionListItem
from noaber.cases import actions as case_actions
from noaber.cases.models import CLOSED, Case, CaseType, Meeting, Task, Team
from noaber.insight.models import Alert
from noaber.intake import actions as intake_actions
from noaber.intake.attachments import clean_upload
from noaber.intake.models import Attachment, Category, Channel, Report, StandardText
from noaber.partners.models import DataCategory, SharingAgreement
from noaber.policy.models import Action
from noaber.portal.models import CaseShare
from noaber.registry import actions as registry_actions
from noaber.registry import subject_requests
from noaber.registry.models import (
    Signal,
    Subject,
    SubjectRequest,
)
from noaber.themes.models import themes_for
from noaber.zgw.clients import create_client
from noaber.zgw.models import ApiClient


def identity_provider(municipality):
    # Switched off, so the walk never reaches out to its (unreachable) address.
    provider, _ = IdentityProvider.objects.get_or_create(
        slug="voorbeeld-idp",
        defaults={
            "name": "Voorbeeld-IdP",
            "issuer": "https://login.voorbeeld.invalid/",
            "client_id": "noaber",
            "groups_claim": "groups",
            "active": False,
        },
    )
    return {"slug": provider.slug}


def role_mapping(municipality):
    provider, _ = IdentityProvider.objects.get_or_create(
        slug="voorbeeld-gemeente-idp",
        defaults={
            "name": "Voorbeeld-IdP gemeente",
            "issuer": "https://login.gemeente.invalid/",
            "client_id": "noaber",
            "groups_claim": "groups",
            "active": False,
        },
    )
    provider.municipalities.add(municipality)
    mapping, _ = RoleMapping.objects.get_or_create(
        provider=provider, claim_value="adviseurs", municipality=municipality, role="advisor"
    )
    return {"pk": mapping.pk}


def first_theme(municipality):
    return {"pk": themes_for(municipality)[0].pk}


def first_priority(municipality):
    return {"pk": municipality.priorities.first().pk}


def first_partner(municipality):
    return {"pk": municipality.organisations.order_by("pk").first().pk}


def alert(municipality):
    found = Alert.objects.filter(municipality=municipality).first()
    if found is None:
        found = Alert.objects.create(
            municipality=municipality, series_key="report-theme:0", series_label="Voorbeeld",
            year=2026, week=1, observed=9, expected=2.0, upper=6.0, score=1.8, method="farrington",
        )  # fmt: skip
    return {"pk": found.pk}


def policy_action(municipality):
    action = Action.objects.filter(priority__plan__municipalities=municipality).first()
    assert action is not None, "load the IVP reference data first"
    return {"pk": action.pk}


def report(municipality):
    found = Report.objects.filter(municipality=municipality).order_by("pk").first()
    if found is None:
        found = intake_actions.submit_report(
            municipality,
            {"category": Category.objects.first(), "description": "Voorbeeldmelding."},
            channel=Channel.WEB,
        ).report
    return {"pk": found.pk}


def attachment(municipality):
    found = Attachment.objects.filter(report__municipality=municipality).first()
    if found is None:
        from PIL import Image

        png = io.BytesIO()
        Image.new("RGB", (8, 8), "white").save(png, format="PNG")
        png.seek(0)
        png.size = len(png.getvalue())
        intake_actions.submit_report(
            municipality,
            {"category": Category.objects.first(), "description": "Voorbeeld met foto."},
            channel=Channel.WEB,
            files=[clean_upload(png)],
        )
        found = Attachment.objects.filter(report__municipality=municipality).first()
    return {"pk": found.report_id, "attachment": found.pk}


def partner_token(municipality):
    token = PartnerToken.objects.filter(municipalities=municipality, revoked_at=None).first()
    if token is None:
        token, _plain = create_partner_token(
            Organisation.objects.filter(kind__in=Organisation.PARTNER_KINDS).first(),
            [municipality],
            "Voorbeeld",
            actor=None,
        )
    return {"pk": token.pk}


def example_agreement(municipality) -> SharingAgreement:
    """An agreement with the police."""
    found = SharingAgreement.objects.filter(
        municipalities=municipality, organisations__name="Politie"
    ).first()
    if found is None:
        today = timezone.localdate()
        found = SharingAgreement.objects.create(
            name="Convenant voorbeeld",
            purpose="Voorbeeld",
            legal_basis="Art. 6 lid 1e AVG",
            data_categories=[c.value for c in DataCategory],
            valid_from=today - timedelta(days=30),
            valid_until=today + timedelta(days=365),
        )
        found.organisations.set(Organisation.objects.filter(name="Politie"))
        found.municipalities.set([municipality])
    return found


def agreement(municipality):
    return {"pk": example_agreement(municipality).pk}


def agreement_document(municipality):
    """An example agreement with a signed document (a one-page PDF)."""
    from pypdf import PdfWriter

    found = example_agreement(municipality)
    if not found.document:
        writer, out = PdfWriter(), io.BytesIO()
        writer.add_blank_page(width=595, height=842)
        writer.write(out)
        found.document.save("voorbeeld.pdf", ContentFile(out.getvalue()))
    return {"pk": found.pk}


def agreement_document_version(municipality):
    """An example agreement whose signed document was replaced once: the earlier version."""
    from noaber.accounts.models import User
    from noaber.partners.models import DocumentVersion

    found = example_agreement(municipality)
    earlier = found.document_versions.first()
    if earlier is None:
        earlier = DocumentVersion(
            agreement=found,
            version=found.version,
            document_name="eerder.pdf",
            document_sha256="0" * 64,
            replaced_by=User.objects.filter(is_superuser=False).first(),
        )
        earlier.document.save("eerder.pdf", ContentFile(b"%PDF-1.4 eerder"))
    return {"pk": found.pk, "version": earlier.pk}


def case(municipality):
    found = Case.objects.filter(municipality=municipality).first()
    if found is None:
        owner = User.objects.filter(memberships__municipality=municipality).first()
        found = case_actions.open_case(
            municipality, CaseType.objects.first(), "Voorbeeldcasus", actor=owner, request=None
        )
    return {"pk": found.pk}


def case_step(municipality):
    return case(municipality) | {"step": "note"}


def case_task(municipality):
    """A task of an open case (the action page to complete it)."""
    task = Task.objects.filter(case__municipality=municipality).exclude(case__status=CLOSED)
    task = task.first()
    if task is None:
        found = Case.objects.filter(municipality=municipality).exclude(status=CLOSED).first()
        if found is None:
            found = Case.objects.get(pk=case(municipality)["pk"])
        task = case_actions.add_task(
            found, "Voorbeeldtaak", timezone.localdate(), actor=found.owner, request=None,
            user=found.owner,
        )  # fmt: skip
    return {"pk": task.case_id, "task": task.pk}


def team(municipality):
    """A team of the municipality (the admin's edit page)."""
    found, _created = Team.objects.get_or_create(municipality=municipality, name="Handhaving")
    return {"pk": found.pk}


def standard_text(municipality):
    found, _created = StandardText.objects.get_or_create(
        municipality=municipality, kind="reply", title="Ontvangen", defaults={"body": "Dank u."}
    )
    return {"pk": found.pk}


def closed_case(municipality):
    """A closed case (of a type whose results are destroyed), for the archivist's pages."""
    found = Case.objects.filter(
        municipality=municipality, status=CLOSED, destroyed_at__isnull=True
    ).first()
    if found is None:
        owner = User.objects.filter(memberships__municipality=municipality).first()
        opened = case_actions.open_case(
            municipality, CaseType.objects.get(code="overlast"), "Voorbeeld afgesloten",
            actor=owner, request=None,
        )  # fmt: skip
        for status in ("onderzoek", "uitvoering"):
            opened.refresh_from_db()
            case_actions.change_status(opened, status, opened.version, actor=owner, request=None)
        case_actions.close_case(
            opened, opened.case_type.results.first(), "Afgerond.", opened.version,
            actor=owner, request=None,
        )  # fmt: skip
        found = Case.objects.get(pk=opened.pk)
    return {"pk": found.pk}


def destruction_list(municipality):
    found = DestructionList.objects.filter(municipality=municipality).first()
    if found is None:
        closed = Case.objects.get(pk=closed_case(municipality)["pk"])
        found = DestructionList.objects.create(municipality=municipality)
        DestructionListItem.objects.create(
            destruction_list=found, case=closed, case_number=closed.number,
            case_type=closed.case_type.name, result=closed.result.name,
            closed_on=timezone.localdate(closed.closed_at), term_years=closed.result.term_years,
            archiefactiedatum=closed.archiefactiedatum,
        )  # fmt: skip
    return {"pk": found.pk}


def meeting(municipality):
    found = Meeting.objects.filter(municipality=municipality).first()
    if found is None:
        found = case_actions.plan_meeting(
            municipality, Meeting.Kind.CASUSOVERLEG, timezone.localdate(), actor=None, request=None
        )
    return {"pk": found.pk}


def meeting_step(municipality):
    return meeting(municipality) | {"step": "agenderen"}


def meeting_item(municipality):
    found = Meeting.objects.get(pk=meeting(municipality)["pk"])
    item = found.agenda.first()
    if item is None:
        item = case_actions.add_agenda_item(
            found, Case.objects.get(pk=case(municipality)["pk"]), actor=None, request=None
        )
    return {"pk": found.pk, "item": item.pk, "step": "besluit"}


def example_share(municipality) -> CaseShare:
    share = CaseShare.objects.filter(
        case__municipality=municipality, organisation__name="Politie", ended_at__isnull=True
    ).first()
    if share is None:
        shared = Case.objects.get(pk=case(municipality)["pk"])
        found = example_agreement(municipality)
        share = CaseShare.objects.create(
            case=shared,
            organisation=found.organisations.get(name="Politie"),
            agreement=found,
            purpose="Voorbeeld",
            data_categories=found.data_categories,
            shared_by=shared.owner,
        )
    return share


def shared_case(municipality):
    return {"pk": example_share(municipality).case_id}


def partner_task(municipality):
    share = example_share(municipality)
    task = Task.objects.filter(case=share.case, owner_organisation=share.organisation).first()
    if task is None:
        task = Task.objects.create(
            case=share.case,
            title="Voorbeeldtaak",
            owner_organisation=share.organisation,
            agreement=share.agreement,
            due_date=timezone.localdate() + timedelta(days=7),
        )
    return {"pk": task.pk}


def signal(municipality):
    found = Signal.objects.filter(municipality=municipality).order_by("pk").first()
    if found is None:
        source = Report.objects.get(pk=report(municipality)["pk"])
        found = registry_actions.register_from_reports(
            municipality, [source], actor=None, request=None
        )
    return {"pk": found.pk}


def subject(municipality):
    pk = signal(municipality)["pk"]
    found = Subject.objects.filter(municipality=municipality).first()
    if found is None:
        found = registry_actions.add_subject(
            Signal.objects.get(pk=pk), "person", {"label": "Voorbeeld Persoon"}, "",
            actor=None, request=None,
        )  # fmt: skip
    return {"pk": found.pk}


def subject_request(municipality):
    found = subject_requests.open_requests(municipality).first()
    if found is None:
        officer = User.objects.filter(memberships__municipality=municipality).first()
        found = subject_requests.register_request(
            municipality,
            {
                "kind": SubjectRequest.Kind.ACCESS,
                "received_on": timezone.localdate(),
                "requester": "Voorbeeld Verzoeker",
                "identity_check": SubjectRequest.IdentityCheck.DESK,
            },
            actor=officer,
            request=None,
        )
    return {"pk": found.pk}


def handling_term(municipality):
    from noaber.themes.models import HandlingTerm

    found, _created = HandlingTerm.objects.get_or_create(
        municipality=municipality, kind="signal", code="5.2", defaults={"working_days": 15}
    )
    return {"pk": found.pk}


def local_holiday(municipality):
    from datetime import date

    from noaber.themes.models import Holiday

    found, _created = Holiday.objects.get_or_create(
        municipality=municipality, date=date(2027, 3, 26), defaults={"name": "Goede Vrijdag"}
    )
    return {"pk": found.pk}


def zgw_client(municipality):
    """A ZGW client of the municipality (the admin's revoke button)."""
    client = ApiClient.objects.filter(municipality=municipality).first()
    if client is None:
        client, _secret = create_client(
            municipality,
            "Voorbeeld",
            f"voorbeeld-{municipality.cbs_code.lower()}",
            scopes=["catalogi.lezen"],
        )
    return {"pk": client.pk}


def zgw_object(municipality):
    """Any UUID: without a client's JWT a ZGW detail answers 401 before it looks."""
    return {"uuid": "00000000-0000-4000-8000-000000000000"}


def _names(function, *names):
    return dict.fromkeys(names, function)


EXAMPLES = (
    _names(
        identity_provider,
        "accounts:provider_start",
        "accounts:provider_callback",
        "accounts:provider_backchannel_logout",
    )
    | _names(role_mapping, "sign_in:mapping_remove")
    | _names(zgw_client, "zgw_admin:revoke")
    | _names(lambda m: {"code": "meldpunt"}, "audit:register_edit")
    | _names(
        zgw_object,
        "zgw:catalogus",
        "zgw:zaaktype",
        "zgw:statustype",
        "zgw:resultaattype",
        "zgw:roltype",
        "zgw:zaak",
        "zgw:status",
        "zgw:resultaat",
        "zgw:rol",
        "zgw:zaakobject",
    )
    | _names(first_theme, "themes:edit")
    | _names(first_priority, "themes:priority_edit")
    | _names(handling_term, "themes:term_remove")
    | _names(local_holiday, "themes:holiday_remove")
    | _names(first_partner, "partners:partner", "partners:partner_edit")
    | _names(lambda m: {"fmt": "csv"}, "insight:export")
    | _names(alert, "insight:alert", "insight:alert_handle")
    | _names(policy_action, "policy:action", "policy:action_note")
    | _names(
        report,
        "intake:detail",
        "intake:status",
        "intake:message",
        "intake:refer",
        "intake:assign",
        "registry:register_report",
    )
    | _names(attachment, "intake:attachment")
    | _names(partner_token, "intake:token_revoke")
    | _names(agreement, "partners:agreement", "partners:agreement_edit")
    | _names(agreement_document, "partners:agreement_document")
    | _names(agreement_document_version, "partners:agreement_document_version")
    | _names(shared_case, "portal:portal_case", "portal:portal_note", "portal:portal_signal")
    | _names(partner_task, "portal:portal_task")
    | _names(case, "cases:case", "cases:assign", "portal:share", "portal:unshare")
    | _names(case_step, "cases:step")
    | _names(case_task, "cases:task_complete")
    | _names(team, "cases:team_edit")
    | _names(standard_text, "intake:standard_text_edit")
    | _names(meeting, "cases:meeting")
    | _names(meeting_step, "cases:meeting_step")
    | _names(meeting_item, "cases:meeting_item_step")
    | _names(closed_case, "archive:case")
    | _names(destruction_list, "archive:list")
    | _names(
        signal,
        "registry:signal",
        "registry:edit",
        "registry:weging",
        "registry:check",
        "registry:sources",
        "registry:phase",
        "registry:subject_add",
        "registry:disclose",
        "registry:legal_hold",
        "registry:assign",
    )
    | _names(
        subject,
        "registry:subject",
        "registry:release",
        "registry:export",
        "registry:subject_rights",
    )
    | _names(subject_request, "registry:request", "registry:request_link")
)
