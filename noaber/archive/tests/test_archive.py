"""Cases follow their archive term, with an archivist in the loop (issue 16, part 4).

ZGW archive fields on closing; the destruction list the archivist approves or partly refuses;
`apply_retention` destroying approved cases (legal holds and reopenings skipped with the
reason); transfer packages with MDTO metadata for "blijvend bewaren" cases.
"""

import hashlib
import json
import shutil
import tempfile
from datetime import timedelta
from io import StringIO
from pathlib import Path
from xml.etree import ElementTree as ET

from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from noaber.accounts.tests.base import NoaberTestCase
from noaber.archive.actions import destroy_approved, make_lists_daily
from noaber.archive.models import DestructionList, DestructionListItem, TransferPackage
from noaber.audit.models import AuditEvent
from noaber.cases import actions as case_actions
from noaber.cases.models import (
    AgendaItem,
    Case,
    CaseResult,
    CaseType,
    Decision,
    Intervention,
    InterventionType,
    Meeting,
    Task,
    TimelineEntry,
)
from noaber.intake.actions import submit_report
from noaber.intake.attachments import clean_upload
from noaber.intake.models import Category, Channel
from noaber.intake.tests.helpers import png
from noaber.portal.models import CaseShare
from noaber.registry import actions as registry_actions
from noaber.registry.models import DestructionRecord, Signal
from noaber.registry.tests.helpers import make_signal

Item = DestructionListItem
MDTO = "{https://www.nationaalarchief.nl/mdto}"


def ready_to_close(case, actor):
    """Move a new case on, the first way its type allows, until the type lets it close."""
    while not case.case_type.may_close_from(case.status):
        forward = case.case_type.next_statuses(case.status)[0]
        case_actions.change_status(case, forward, case.version, actor=actor, request=None)
        case.refresh_from_db()


def url(name, *args):
    return reverse(f"archive:{name}", args=["GM1774", *args])


class ArchiveTestCase(NoaberTestCase):
    def setUp(self):
        self.today = timezone.localdate()

    def closed_case(
        self, title="Drugslab schuur 7591AB 12", code="geen", type_code="riec", due=True, signals=()
    ):
        """A closed case; `due`: its archiefactiedatum has passed (closed long ago)."""
        case_type = CaseType.objects.get(code=type_code)
        case = case_actions.open_case(
            self.dinkelland,
            case_type,
            title,
            actor=self.advisor,
            request=None,
            signals=list(signals),
        )
        ready_to_close(case, self.advisor)
        case_actions.close_case(
            case,
            CaseResult.objects.get(case_type=case_type, code=code),
            "Afgerond na controle.",
            case.version,
            actor=self.advisor,
            request=None,
        )
        if due:
            Case.objects.filter(pk=case.pk).update(
                closed_at=timezone.now() - timedelta(days=365 * 11),
                archiefactiedatum=self.today - timedelta(days=1),
            )
        return Case.objects.get(pk=case.pk)

    def approved_list(self, *cases):
        made = DestructionList.objects.create(municipality=self.dinkelland)
        for case in cases:
            Item.objects.create(
                destruction_list=made,
                case=case,
                case_number=case.number,
                case_type=case.case_type.name,
                result=case.result.name,
                closed_on=self.today,
                term_years=5,
                archiefactiedatum=case.archiefactiedatum,
            )
        self.sign_in(self.archivist)
        self.client.post(url("list", made.pk), {"do": "approve"})
        return made

    def retention(self) -> str:
        out = StringIO()
        call_command("apply_retention", stdout=out)
        return out.getvalue()


class ArchiveFieldsTests(ArchiveTestCase):
    def test_closing_with_a_keep_result_nominates_for_transfer_after_the_term(self):
        case = self.closed_case(type_code="handhaving", code="sluiting", due=False)
        self.assertEqual(
            (case.archiefnominatie, case.archiefstatus), ("blijvend_bewaren", "nog_te_archiveren")
        )
        self.assertEqual(case.archiefactiedatum.year, self.today.year + 20)

    def test_reclosing_after_a_reopening_computes_the_archive_fields_again(self):
        case = self.closed_case(due=True)
        case_actions.reopen_case(
            case, "Nieuwe signalen.", case.version, actor=self.advisor, request=None
        )
        case.refresh_from_db()
        self.assertEqual((case.archiefnominatie, case.archiefactiedatum), ("", None))
        result = CaseResult.objects.get(case_type=case.case_type, code="maatregel")
        case_actions.close_case(
            case, result, "Maatregel.", case.version, actor=self.advisor, request=None
        )
        case.refresh_from_db()
        self.assertEqual(case.archiefnominatie, "vernietigen")
        self.assertEqual(case.archiefactiedatum.year, self.today.year + 10)

    def test_the_archivist_sees_archive_fields_but_never_the_case_content(self):
        case = self.closed_case()
        self.sign_in(self.archivist)
        page = self.client.get(url("case", case.pk))
        self.assertContains(page, case.number)
        self.assertContains(page, "vernietigen")
        self.assertContains(page, "geen maatregel mogelijk")
        self.assertNotContains(page, "Drugslab")
        self.assertNotContains(page, "Afgerond na controle")
        self.assertEqual(AuditEvent.objects.filter(object_type="case", reason="archief").count(), 1)
        # The advisor's case pages are not the archivist's.
        self.assertEqual(
            self.client.get(reverse("cases:case", args=["GM1774", case.pk])).status_code, 403
        )

    def test_a_legal_hold_needs_a_reason_and_can_be_lifted(self):
        case = self.closed_case()
        self.sign_in(self.archivist)
        response = self.client.post(
            url("case", case.pk), {"do": "hold", "reason": " "}, follow=True
        )
        self.assertContains(response, "Noem de reden van de bewaarplicht.")
        case.refresh_from_db()
        self.assertFalse(case.legal_hold)
        self.client.post(url("case", case.pk), {"do": "hold", "reason": "Woo-verzoek"})
        case.refresh_from_db()
        self.assertEqual((case.legal_hold, case.legal_hold_reason), (True, "Woo-verzoek"))
        self.client.post(url("case", case.pk), {"do": "release", "reason": ""})
        case.refresh_from_db()
        self.assertEqual((case.legal_hold, case.legal_hold_reason), (False, ""))
        holds = AuditEvent.objects.filter(object_type="case", detail__archive=True)
        self.assertEqual(holds.count(), 2)

    def test_an_open_case_has_no_archive_page(self):
        case = case_actions.open_case(
            self.dinkelland,
            CaseType.objects.get(code="riec"),
            "Open",
            actor=self.advisor,
            request=None,
        )
        self.sign_in(self.archivist)
        self.assertEqual(self.client.get(url("case", case.pk)).status_code, 404)


class DestructionListTests(ArchiveTestCase):
    def test_the_list_holds_exactly_the_due_cases_without_hold(self):
        due = self.closed_case()
        not_yet = self.closed_case(due=False)
        keep = self.closed_case(type_code="handhaving", code="sluiting")
        held = self.closed_case()
        held_signal = make_signal(self.dinkelland, self.advisor)
        held_by_signal = self.closed_case(signals=[held_signal])
        registry_actions.set_legal_hold(
            held_signal, True, "Rechtszaak", actor=self.privacy, request=None
        )
        self.sign_in(self.archivist)
        self.client.post(url("case", held.pk), {"do": "hold", "reason": "Woo-verzoek"})
        response = self.client.post(url("overview"), follow=True)
        made = DestructionList.objects.get()
        self.assertRedirects(response, url("list", made.pk))
        self.assertEqual([i.case_number for i in made.items.all()], [due.number])
        for other in (not_yet, keep, held, held_by_signal):
            self.assertNotContains(response, f">{other.number}<")
        self.assertNotContains(response, "Drugslab")
        # One list under review at a time; the daily job then makes none either.
        response = self.client.post(url("overview"), follow=True)
        self.assertContains(response, f"Vernietigingslijst {made.number} is nog ter beoordeling")
        self.assertEqual(make_lists_daily(), 0)
        self.assertEqual(DestructionList.objects.count(), 1)

    def test_the_daily_job_makes_a_list_and_says_nothing_when_nothing_is_due(self):
        self.assertEqual(make_lists_daily(), 0)
        self.closed_case()
        self.assertEqual(make_lists_daily(), 1)
        made = DestructionList.objects.get()
        self.assertIsNone(made.created_by)
        self.sign_in(self.archivist)
        DestructionList.objects.all().delete()
        response = self.client.post(url("overview"), follow=True)
        self.assertContains(response, "Vernietigingslijst VL-")
        self.assertEqual(DestructionList.objects.count(), 1)

    def test_nothing_due_gives_a_dutch_message(self):
        self.sign_in(self.archivist)
        response = self.client.post(url("overview"), follow=True)
        self.assertContains(
            response, "Er zijn geen casussen waarvan de archiefactiedatum is verstreken."
        )
        self.assertFalse(DestructionList.objects.exists())

    def test_approving_a_list_twice_is_refused_and_changes_nothing(self):
        case = self.closed_case()
        made = self.approved_list(case)
        made.refresh_from_db()
        self.assertEqual(made.status, "approved")
        before = (
            made.approved_at,
            list(made.items.values_list("status", "decided_at")),
            AuditEvent.objects.count(),
        )
        response = self.client.post(url("list", made.pk), {"do": "approve"}, follow=True)
        self.assertContains(response, f"Vernietigingslijst {made.number} is al goedgekeurd op")
        self.assertContains(response, "Er is niets gewijzigd.")
        made.refresh_from_db()
        after = (
            made.approved_at,
            list(made.items.values_list("status", "decided_at")),
            AuditEvent.objects.count(),
        )
        # Only the two page reads (the refused POST and the page after it) are new in the log.
        self.assertEqual(before[:2], after[:2])
        self.assertEqual(after[2], before[2] + 2)

    def test_refusing_needs_a_reason_and_a_later_date_and_postpones_the_case(self):
        refused, destroyed = self.closed_case(), self.closed_case()
        self.sign_in(self.archivist)
        self.client.post(url("overview"))
        made = DestructionList.objects.get()
        item = made.items.get(case=refused)
        prefix = f"i{item.pk}"
        response = self.client.post(
            url("list", made.pk),
            {
                "do": "refuse",
                "item": item.pk,
                f"{prefix}-reason": "Nog een bezwaarprocedure",
                f"{prefix}-new_date": self.today.isoformat(),
            },
            follow=True,
        )
        self.assertContains(response, "Kies een nieuwe archiefactiedatum na vandaag.")
        response = self.client.post(
            url("list", made.pk),
            {
                "do": "refuse",
                "item": item.pk,
                f"{prefix}-reason": "",
                f"{prefix}-new_date": (self.today + timedelta(days=400)).isoformat(),
            },
        )
        self.assertContains(response, "Dit veld is vereist.")
        item.refresh_from_db()
        self.assertEqual(item.status, "proposed")
        new_date = self.today + timedelta(days=400)
        self.client.post(
            url("list", made.pk),
            {
                "do": "refuse",
                "item": item.pk,
                f"{prefix}-reason": "Nog een bezwaarprocedure",
                f"{prefix}-new_date": new_date.isoformat(),
            },
        )
        item.refresh_from_db()
        refused.refresh_from_db()
        self.assertEqual((item.status, item.reason), ("refused", "Nog een bezwaarprocedure"))
        self.assertEqual(refused.archiefactiedatum, new_date)
        self.client.post(url("list", made.pk), {"do": "approve"})
        out = self.retention()
        self.assertIn("1 case(s) destroyed or anonymised: 1 done; 0 skipped.", out)
        self.assertTrue(Case.objects.filter(pk=refused.pk).exists())
        self.assertFalse(Case.objects.filter(pk=destroyed.pk).exists())
        made.refresh_from_db()
        self.assertEqual(made.status, "done")

    def test_a_case_held_or_reopened_after_the_list_was_made_is_skipped_with_the_reason(self):
        held, reopened, destroyed = self.closed_case(), self.closed_case(), self.closed_case()
        later_held, later_reopened = self.closed_case(), self.closed_case()
        self.sign_in(self.archivist)
        self.client.post(url("overview"))
        made = DestructionList.objects.get()
        # Before approval: a hold and a reopening.
        self.client.post(url("case", held.pk), {"do": "hold", "reason": "Rechtszaak"})
        case_actions.reopen_case(
            reopened, "Nieuwe melding.", reopened.version, actor=self.advisor, request=None
        )
        self.client.post(url("list", made.pk), {"do": "approve"})
        statuses = dict(made.items.values_list("case_number", "status"))
        self.assertEqual(statuses[held.number], "skipped")
        self.assertEqual(statuses[reopened.number], "skipped")
        self.assertEqual(statuses[destroyed.number], "approved")
        reasons = dict(made.items.values_list("case_number", "reason"))
        self.assertEqual(reasons[held.number], "bewaarplicht op de casus: Rechtszaak")
        self.assertEqual(reasons[reopened.number], "casus heropend nadat de lijst is opgesteld")
        # After approval, before the run: a hold by the privacy officer on a signal of one
        # case, and a reopening of another that is closed again at once.
        signal = make_signal(self.dinkelland, self.advisor)
        Case.objects.get(pk=later_held.pk).signals.add(signal)
        registry_actions.set_legal_hold(signal, True, "Strafzaak", actor=self.privacy, request=None)
        later_reopened.refresh_from_db()
        case_actions.reopen_case(
            later_reopened,
            "Nog één vraag.",
            later_reopened.version,
            actor=self.advisor,
            request=None,
        )
        later_reopened.refresh_from_db()
        case_actions.close_case(
            later_reopened,
            later_reopened.case_type.results.get(code="geen"),
            "Weer af.",
            later_reopened.version,
            actor=self.advisor,
            request=None,
        )
        out = self.retention()
        self.assertIn("3 case(s) destroyed or anonymised: 1 done; 2 skipped.", out)
        self.assertIn(
            f"{later_held.number}: skipped — bewaarplicht op signaal {signal.number}", out
        )
        self.assertIn(f"{later_reopened.number}: skipped — casus heropend nadat de lijst", out)
        for kept in (held, reopened, later_held, later_reopened):
            self.assertEqual(Case.objects.get(pk=kept.pk).title, kept.title)
            self.assertTrue(TimelineEntry.objects.filter(case=kept).exists())
        self.assertFalse(Case.objects.filter(pk=destroyed.pk).exists())
        made.refresh_from_db()
        self.assertEqual(made.status, "done")
        page = self.client.get(url("list", made.pk))
        self.assertContains(page, "bewaarplicht op signaal")

    def test_an_unapproved_list_destroys_nothing(self):
        case = self.closed_case()
        self.sign_in(self.archivist)
        self.client.post(url("overview"))
        self.assertIn("0 case(s) destroyed or anonymised", self.retention())
        self.assertTrue(Case.objects.filter(pk=case.pk).exists())


class DestructionTests(ArchiveTestCase):
    def test_destruction_removes_the_case_and_its_parts_and_keeps_register_row_and_signal(self):
        signal = make_signal(self.dinkelland, self.advisor, "Busjes bij de schuur.")
        case = self.closed_case(signals=[signal])
        other = self.closed_case(title="Andere casus", due=False)
        Case.objects.filter(pk=case.pk).update(status=case.case_type.first_status)
        case.refresh_from_db()
        task = case_actions.add_task(
            case,
            "Controle",
            self.today + timedelta(days=3),
            actor=self.advisor,
            request=None,
            user=self.enforcer,
        )
        case_actions.add_intervention(
            case,
            InterventionType.objects.get(code="gesprek"),
            self.today,
            "burgemeester",
            "Gesprek gevoerd.",
            actor=self.advisor,
            request=None,
        )
        meeting = case_actions.plan_meeting(
            self.dinkelland, "casusoverleg", self.today, actor=self.advisor, request=None
        )
        alone = case_actions.plan_meeting(
            self.dinkelland, "driehoek", self.today, actor=self.advisor, request=None
        )
        mine = case_actions.add_agenda_item(meeting, case, actor=self.advisor, request=None)
        theirs = AgendaItem.objects.create(meeting=meeting, case=other, order=2)
        only = case_actions.add_agenda_item(alone, case, actor=self.advisor, request=None)
        case_actions.record_decision(mine, "Pand sluiten.", actor=self.advisor, request=None)
        case_actions.write_item_minutes(
            mine, "Over de schuur: inval gepland.", actor=self.advisor, request=None
        )
        case_actions.write_item_minutes(
            theirs, "Over de andere casus.", actor=self.advisor, request=None
        )
        case_actions.write_minutes(
            meeting, "Opening en rondvraag.", actor=self.advisor, request=None
        )
        case_actions.write_minutes(
            alone, "Alleen over de schuur.", actor=self.advisor, request=None
        )
        Case.objects.filter(pk=case.pk).update(status="closed")
        self.approved_list(case)
        self.retention()
        self.assertFalse(Case.objects.filter(pk=case.pk).exists())
        for model, lookup in (
            (TimelineEntry, {"case_id": case.pk}),
            (Task, {"pk": task.pk}),
            (Intervention, {"case_id": case.pk}),
            (Decision, {"item_id": mine.pk}),
            (AgendaItem, {"case_id": case.pk}),
        ):
            self.assertFalse(model.objects.filter(**lookup).exists(), model.__name__)
        # Minutes: only the destroyed case's part goes.
        theirs.refresh_from_db()
        self.assertEqual(theirs.minutes, "Over de andere casus.")
        self.assertEqual(Meeting.objects.get(pk=meeting.pk).minutes, "Opening en rondvraag.")
        self.assertEqual(Meeting.objects.get(pk=alone.pk).minutes, "")
        self.assertTrue(AgendaItem.objects.filter(pk=theirs.pk).exists())
        self.assertFalse(AgendaItem.objects.filter(pk=only.pk).exists())
        # The signal keeps its own retention term and content.
        signal.refresh_from_db()
        self.assertIn("Busjes bij de schuur.", signal.description)
        self.assertIsNone(signal.destroyed_at)
        record = DestructionRecord.objects.get(record_type="case")
        self.assertEqual(
            (record.record_number, record.action, record.outcome, record.term_months),
            (case.number, "delete", "geen", 60),
        )
        event = AuditEvent.objects.filter(object_type="case", action="delete").get()
        self.assertEqual(event.detail["number"], case.number)
        self.assertEqual(Item.objects.get(case_number=case.number).status, "destroyed")

    def test_a_shared_case_stays_as_an_empty_shell_for_the_share_ledger(self):
        signal = make_signal(self.dinkelland, self.advisor)
        case = case_actions.open_case(
            self.dinkelland,
            CaseType.objects.get(code="riec"),
            "Gedeelde casus Jan Jansen",
            actor=self.advisor,
            request=None,
            signals=[signal],
        )
        from noaber.portal.actions import share_case

        share_case(
            case,
            {
                "organisation": self.partner.organisation,
                "agreement": None,
                "legal_basis": "art. 13b Opiumwet",
                "purpose": "Voorbereiding sluiting",
                "data_categories": ["signal"],
            },
            actor=self.advisor,
            request=None,
        )
        case.refresh_from_db()
        ready_to_close(case, self.advisor)
        case_actions.close_case(
            case,
            case.case_type.results.get(code="geen"),
            "Klaar.",
            case.version,
            actor=self.advisor,
            request=None,
        )
        Case.objects.filter(pk=case.pk).update(
            archiefactiedatum=self.today - timedelta(days=1),
            closed_at=timezone.now() - timedelta(days=2000),
        )
        self.approved_list(Case.objects.get(pk=case.pk))
        self.retention()
        shell = Case.objects.get(pk=case.pk)
        self.assertIsNotNone(shell.destroyed_at)
        self.assertEqual((shell.title, shell.closing_text), ("", ""))
        self.assertFalse(shell.timeline.exists())
        self.assertFalse(shell.signals.exists())
        share = CaseShare.objects.get(case=case)
        self.assertEqual(
            (share.purpose, share.end_reason, share.keep_reason), ("Voorbereiding sluiting", "", "")
        )
        self.assertEqual(DestructionRecord.objects.get(record_type="case").action, "anonymise")
        # The shell is gone from every page.
        self.sign_in(self.advisor)
        self.assertEqual(
            self.client.get(reverse("cases:case", args=["GM1774", case.pk])).status_code, 404
        )
        self.assertTrue(Signal.objects.filter(pk=signal.pk).exists())

    def test_the_daily_jobs_make_the_list_and_destroy_after_approval(self):
        from noaber.archive.tasks import make_destruction_lists
        from noaber.registry.tasks import apply_retention_daily

        case = self.closed_case()
        self.assertEqual(make_destruction_lists.call(), 1)
        self.assertEqual(apply_retention_daily.call()["case"], {"done": 0, "skipped": 0})
        self.sign_in(self.archivist)
        self.client.post(url("list", DestructionList.objects.get().pk), {"do": "approve"})
        self.assertEqual(apply_retention_daily.call()["case"], {"done": 1, "skipped": 0})
        self.assertFalse(Case.objects.filter(pk=case.pk).exists())

    def test_a_dry_run_destroys_nothing(self):
        case = self.closed_case()
        self.approved_list(case)
        report = destroy_approved(dry_run=True)
        self.assertEqual((report["due"], report["done"]), ([case.number], 0))
        self.assertTrue(Case.objects.filter(pk=case.pk).exists())


class TransferPackageTests(ArchiveTestCase):
    def setUp(self):
        super().setUp()
        self.out = Path(tempfile.mkdtemp(prefix="noaber-transfer-"))
        self.addCleanup(shutil.rmtree, self.out, ignore_errors=True)

    def test_a_package_has_case_data_documents_mdto_and_a_checksum_list(self):
        report = submit_report(
            self.dinkelland,
            {"category": Category.objects.get(code="verdacht-pand"), "description": "Schuur."},
            channel=Channel.WEB,
            files=[clean_upload(png())],
        ).report
        signal = registry_actions.register_from_reports(
            self.dinkelland, [report], actor=self.advisor, request=None
        )
        case = self.closed_case(
            type_code="handhaving", code="sluiting", due=False, signals=[signal]
        )
        out = StringIO()
        call_command(
            "transfer_package",
            case.number,
            "--municipality",
            "GM1774",
            "--out",
            str(self.out),
            stdout=out,
        )
        self.assertIn("1 package(s) written", out.getvalue())
        root = self.out / f"GM1774-{case.number}"
        data = json.loads((root / "zaak.json").read_text())
        self.assertEqual(
            (data["nummer"], data["archiefnominatie"]), (case.number, "blijvend_bewaren")
        )
        self.assertEqual(data["signalen"], [signal.number])
        manifest = (root / "manifest-sha256.txt").read_text().splitlines()
        self.assertEqual(len(manifest), 6)
        for line in manifest:
            digest, relative = line.split("  ", 1)
            self.assertEqual(hashlib.sha256((root / relative).read_bytes()).hexdigest(), digest)
        dossier = ET.parse(root / "zaak.mdto.xml").getroot()
        obj = dossier.find(f"{MDTO}informatieobject")
        self.assertEqual(
            obj.findtext(f"{MDTO}identificatie/{MDTO}identificatieKenmerk"), f"GM1774-{case.number}"
        )
        self.assertEqual(obj.findtext(f"{MDTO}waardering/{MDTO}begripCode"), "B")
        self.assertEqual(
            obj.findtext(f"{MDTO}archiefvormer/{MDTO}verwijzingNaam"), "Gemeente Dinkelland"
        )
        self.assertEqual(obj.findtext(f"{MDTO}bewaartermijn/{MDTO}termijnLooptijd"), "P20Y")
        documents = sorted(p.name for p in (root / "documenten").iterdir())
        self.assertEqual(len(documents), 2)  # the attachment and its MDTO record
        files = [ET.parse(p).getroot() for p in (root / "bestanden").iterdir()]
        checksums = {
            f.findtext(f"{MDTO}bestand/{MDTO}naam"): f.findtext(
                f"{MDTO}bestand/{MDTO}checksum/{MDTO}checksumWaarde"
            )
            for f in files
        }
        self.assertEqual(
            checksums["zaak.json"], hashlib.sha256((root / "zaak.json").read_bytes()).hexdigest()
        )
        case.refresh_from_db()
        self.assertEqual(case.archiefstatus, "gearchiveerd")
        # The archivist confirms the transfer; then the case is final.
        package = TransferPackage.objects.get()
        self.sign_in(self.archivist)
        self.client.post(url("case", case.pk), {"do": "transfer", "package": package.pk})
        case.refresh_from_db()
        self.assertEqual(case.archiefstatus, "overgedragen")
        response = self.client.post(
            url("case", case.pk), {"do": "transfer", "package": package.pk}, follow=True
        )
        self.assertContains(response, f"De overdracht van casus {case.number} is al bevestigd.")
        with self.assertRaisesMessage(Exception, "kan niet meer worden heropend"):
            case_actions.reopen_case(
                case, "Nog iets.", case.version, actor=self.advisor, request=None
            )
        self.assertTrue(AuditEvent.objects.filter(object_type="transfer_package").exists())

    def test_a_package_with_an_altered_document_is_refused_and_nothing_is_recorded(self):
        report = submit_report(
            self.dinkelland,
            {"category": Category.objects.get(code="verdacht-pand"), "description": "Schuur."},
            channel=Channel.WEB,
            files=[clean_upload(png())],
        ).report
        signal = registry_actions.register_from_reports(
            self.dinkelland, [report], actor=self.advisor, request=None
        )
        case = self.closed_case(type_code="handhaving", code="sluiting", signals=[signal])
        path = report.attachments.get().file.path
        data = bytearray(Path(path).read_bytes())
        data[-5] ^= 1
        Path(path).write_bytes(bytes(data))
        with self.assertRaisesMessage(CommandError, "was altered"):
            call_command("transfer_package", case.number, "--municipality", "GM1774",
                         "--out", str(self.out), stdout=StringIO())  # fmt: skip
        self.assertEqual(list(self.out.iterdir()), [])
        self.assertFalse(TransferPackage.objects.exists())
        case.refresh_from_db()
        self.assertEqual(case.archiefstatus, "nog_te_archiveren")

    def test_a_package_is_refused_for_a_case_to_be_destroyed_and_nothing_is_written(self):
        case = self.closed_case()
        with self.assertRaisesMessage(
            CommandError, f"Nominated for destruction, not for transfer: {case.number}"
        ):
            call_command(
                "transfer_package",
                case.number,
                "--municipality",
                "GM1774",
                "--out",
                str(self.out),
                stdout=StringIO(),
            )
        self.assertEqual(list(self.out.iterdir()), [])
        self.assertFalse(TransferPackage.objects.exists())

    def test_due_packages_and_zip(self):
        case = self.closed_case(type_code="handhaving", code="sluiting")
        call_command(
            "transfer_package",
            "--due",
            "--zip",
            "--municipality",
            "GM1774",
            "--out",
            str(self.out),
            stdout=StringIO(),
        )
        self.assertTrue((self.out / f"GM1774-{case.number}.zip").exists())
        case.refresh_from_db()
        self.assertEqual(case.archiefstatus, "gearchiveerd")
