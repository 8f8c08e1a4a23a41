from datetime import date, timedelta
from io import StringIO

from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from noaber.accounts.models import Organisation
from noaber.accounts.tests.base import NoaberTestCase
from noaber.audit.models import AuditEvent
from noaber.intake.models import Report
from noaber.partners.models import SharingAgreement
from noaber.registry import actions
from noaber.registry.models import (
    DestructionRecord,
    Disclosure,
    Outcome,
    Phase,
    Signal,
    Subject,
)

from .helpers import CHECK_1, PERSON, make_report, make_signal, url


class InboxTests(NoaberTestCase):
    def setUp(self):
        self.sign_in(self.advisor)

    def test_new_reports_become_one_signal_and_their_reporters_see_in_behandeling(self):
        first, second = make_report(self.dinkelland), make_report(self.dinkelland, "Anijslucht.")
        inbox = self.client.get(url("inbox"))
        self.assertContains(inbox, first.number)
        response = self.client.post(
            url("inbox"), {"bulk": "register", "report": [first.pk, second.pk]}
        )
        signal = Signal.objects.get()
        self.assertRedirects(response, url("signal", signal.pk))
        self.assertEqual(set(signal.reports.all()), {first, second})
        self.assertEqual(
            (signal.source_type, signal.phase, signal.theme.code), ("anonymous", "intake", "5.2")
        )
        self.assertIn("Anijslucht.", signal.description)
        first.refresh_from_db()
        self.assertEqual(first.status, "in_progress")
        self.assertTrue(AuditEvent.objects.filter(object_type="signal", action="create").exists())

    def test_filters_sorting_and_bulk_assignment(self):
        old = make_signal(self.dinkelland, self.advisor, "Oud signaal.")
        Signal.objects.filter(pk=old.pk).update(
            received_on=timezone.localdate() - timedelta(days=40)
        )
        new = make_signal(self.dinkelland, self.advisor, "Nieuw signaal.")
        page = self.client.get(url("inbox"), {"ouder_dan": "30"})
        self.assertContains(page, old.number)
        self.assertNotContains(page, f">{new.number}<")
        page = self.client.get(url("inbox"), {"fase": "closed"})
        self.assertNotContains(page, f">{old.number}<")
        sorted_old_first = self.client.get(url("inbox"), {"sorteer": "ontvangen"}).context[
            "signals"
        ]
        self.assertEqual([s.pk for s in sorted_old_first], [old.pk, new.pk])
        self.client.post(
            url("inbox"), {"bulk": "assign", "signal": [old.pk, new.pk], "advisor": self.advisor.pk}
        )
        self.assertEqual(
            AuditEvent.objects.filter(object_type="signal", detail__assigned_to="anouk").count(), 2
        )

    def test_an_id_of_another_municipality_is_404_and_audited(self):
        tubbergen_signal = make_signal(self.tubbergen, self.advisor)
        response = self.client.get(url("signal", tubbergen_signal.pk))
        self.assertEqual(response.status_code, 404)
        denied = AuditEvent.objects.filter(action="denied", object_type="signal").get()
        self.assertEqual(denied.object_id, str(tubbergen_signal.pk))

    def test_reading_a_signal_is_audited_with_its_reason(self):
        signal = make_signal(self.dinkelland, self.advisor)
        self.client.get(url("signal", signal.pk))
        event = AuditEvent.objects.filter(object_type="signal", action="view").latest("id")
        self.assertEqual((event.reason, event.actor), ("triage", "anouk"))


class SubjectTests(NoaberTestCase):
    def setUp(self):
        self.sign_in(self.advisor)
        self.signal = make_signal(self.dinkelland, self.advisor)

    def post_subject(self, step="check", **changes):
        return self.client.post(
            url("subject_add", self.signal.pk), PERSON | changes | {"step": step}
        )

    def test_invalid_identifiers_are_refused_and_nothing_is_stored(self):
        cases = [
            ({"bsn": "123456789"}, "elfproef"),
            ({"kind": "company", "label": "BV", "bsn": "", "kvk": "1234"}, "acht cijfers"),
            (
                {
                    "kind": "address",
                    "label": "",
                    "bsn": "",
                    "postcode": "12AB",
                    "house_number": "1",
                },
                "geldige postcode",
            ),
            (
                {"kind": "vehicle", "label": "", "bsn": "", "kenteken": "XYZ-1234"},
                "geen geldig Nederlands kenteken",
            ),
        ]
        for change, message in cases:
            with self.subTest(message=message):
                response = self.post_subject("new", **change)
                self.assertContains(response, message, status_code=400)
        self.assertEqual(Subject.objects.count(), 0)

    def test_hit_no_hit_first_then_link_or_add(self):
        response = self.post_subject()
        self.assertContains(response, "No-hit")
        self.post_subject("new")
        subject = Subject.objects.get()
        # Stored encrypted: the database holds no readable name or BSN.
        with connection.cursor() as cursor:
            cursor.execute("SELECT label, bsn FROM registry_subject WHERE id = %s", [subject.pk])
            raw_label, raw_bsn = cursor.fetchone()
        self.assertTrue(raw_label.startswith("enc1:"))
        self.assertNotIn("Janssen", raw_label + raw_bsn)
        self.assertNotIn("111222333", raw_bsn)
        # Another signal: a spelling variant is a fuzzy hit, the same BSN an exact one.
        other = make_signal(self.dinkelland, self.advisor, "Ander signaal.")
        fuzzy = self.client.post(
            url("subject_add", other.pk),
            PERSON | {"label": "J. Jansen", "bsn": "", "step": "check"},
        )
        self.assertEqual(
            (fuzzy.context["match"].exact, fuzzy.context["match"].fuzzy), ([], [subject.pk])
        )
        exact = self.client.post(
            url("subject_add", other.pk), PERSON | {"label": "Iemand", "step": "check"}
        )
        self.assertEqual(exact.context["match"].exact, [subject.pk])
        self.client.post(
            url("subject_add", other.pk), PERSON | {"step": "link", "subject": subject.pk}
        )
        self.assertEqual(subject.links.count(), 2)
        checks = AuditEvent.objects.filter(object_type="subject_match")
        # Linking checks again on the submitted data: only a subject it finds can be linked.
        self.assertEqual(
            [e.detail["hit"] for e in checks.order_by("id")], [False, True, True, True]
        )

    def test_subject_details_need_a_reason_which_is_audited(self):
        self.post_subject("new")
        subject = Subject.objects.get()
        page = self.client.get(url("subject", subject.pk))
        self.assertContains(page, "Reden van inzage")
        self.assertNotContains(page, "Janssen")
        refused = self.client.post(url("subject", subject.pk), {"reason": ""})
        self.assertContains(refused, "Dit veld is vereist.")
        shown = self.client.post(
            url("subject", subject.pk), {"reason": "voorbereiding casusoverleg"}
        )
        self.assertContains(shown, "Jan Janssen")
        self.assertContains(shown, self.signal.number)
        event = AuditEvent.objects.filter(object_type="subject", action="view").get()
        self.assertEqual(event.reason, "voorbereiding casusoverleg")

    def test_a_subject_of_another_municipality_cannot_be_linked(self):
        tubbergen_signal = make_signal(self.tubbergen, self.advisor)
        subject = actions.add_subject(
            tubbergen_signal, "person", {"label": "X Y"}, "", actor=self.advisor, request=None
        )
        response = self.client.post(
            url("subject_add", self.signal.pk), PERSON | {"step": "link", "subject": subject.pk}
        )
        self.assertContains(
            response, "Koppel alleen een betrokkene die de controle vond", status_code=400
        )
        self.assertFalse(self.signal.links.exists())


class ProtocolTests(NoaberTestCase):
    def setUp(self):
        self.sign_in(self.advisor)
        self.signal = make_signal(self.dinkelland, self.advisor)

    def test_phase_3_needs_weging_further_and_privacy_check_1(self):
        response = self.client.post(
            url("phase", self.signal.pk),
            {"phase": "sources", "version": self.signal.version},
            follow=True,
        )
        self.assertContains(response, "kan pas na", status_code=400)
        self.assertContains(response, "privacytoets 1", status_code=400)
        self.signal.refresh_from_db()
        self.assertEqual(self.signal.phase, "intake")
        self.client.post(
            url("weging", self.signal.pk),
            {"outcome": "further", "reason": "Concreet en recent.", "version": self.signal.version},
        )
        self.signal.refresh_from_db()
        response = self.client.post(
            url("phase", self.signal.pk),
            {"phase": "sources", "version": self.signal.version},
            follow=True,
        )
        self.assertContains(response, "privacytoets 1", status_code=400)
        self.client.post(url("check", self.signal.pk), CHECK_1)
        self.signal.refresh_from_db()
        self.client.post(
            url("phase", self.signal.pk), {"phase": "sources", "version": self.signal.version}
        )
        self.signal.refresh_from_db()
        self.assertEqual(self.signal.phase, "sources")

    def test_weging_needs_a_reason_and_geen_aanpak_closes_the_signal(self):
        self.client.post(
            url("weging", self.signal.pk),
            {"outcome": "none", "reason": "", "version": self.signal.version},
        )
        self.signal.refresh_from_db()
        self.assertEqual(self.signal.outcome, "")
        self.client.post(
            url("weging", self.signal.pk),
            {"outcome": "none", "reason": "Te vaag.", "version": self.signal.version},
        )
        self.signal.refresh_from_db()
        self.assertEqual(
            (self.signal.outcome, self.signal.phase, self.signal.outcome_reason),
            ("none", "closed", "Te vaag."),
        )
        self.assertIsNotNone(self.signal.closed_at)

    def test_privacy_check_2a_names_its_internal_recipient(self):
        response = self.client.post(
            url("check", self.signal.pk), CHECK_1 | {"kind": "2A"}, follow=True
        )
        self.assertContains(response, "noem de ontvanger", status_code=400)
        self.assertFalse(self.signal.privacy_checks.exists())
        self.client.post(
            url("check", self.signal.pk), CHECK_1 | {"kind": "2A", "recipient": "Team Handhaving"}
        )
        self.assertEqual(self.signal.privacy_checks.get().recipient, "Team Handhaving")

    def test_two_advisors_editing_at_once_the_second_gets_a_conflict(self):
        version = self.signal.version
        base = {
            "theme": self.signal.theme_id,
            "description": "Versie van Anouk.",
            "version": version,
            "phenomenon": "",
        }
        self.client.post(url("edit", self.signal.pk), base)
        response = self.client.post(
            url("edit", self.signal.pk),
            base | {"description": "Versie van de tweede."},
            follow=True,
        )
        self.assertContains(
            response, "Iemand anders heeft dit signaal intussen gewijzigd", status_code=400
        )
        self.signal.refresh_from_db()
        self.assertEqual(self.signal.description, "Versie van Anouk.")
        self.assertEqual(self.signal.version, version + 1)


class DisclosureTests(NoaberTestCase):
    def setUp(self):
        self.sign_in(self.advisor)
        self.signal = make_signal(self.dinkelland, self.advisor)
        self.politie = Organisation.objects.get(name="Politie")
        self.riec = SharingAgreement.objects.create(
            name="RIEC-convenant Oost-Nederland",
            purpose="Bestuurlijke aanpak ondermijning",
            legal_basis="RIEC-convenant 2024",
            data_categories=["identity", "address", "signal"],
            valid_from=date(2024, 1, 1),
            valid_until=date(2027, 12, 31),
        )
        self.riec.organisations.add(self.politie)
        self.riec.municipalities.add(self.dinkelland)

    def post(self, **changes):
        data = {
            "recipient": self.politie.pk,
            "agreement": self.riec.pk,
            "legal_basis": "",
            "purpose": "Voorbereiding RIEC-casus",
            "data_categories": ["address", "signal"],
            "shared": "Adres van de schuur en de omschrijving van het signaal.",
            "decided_on": "2026-11-20",
        } | changes
        return self.client.post(url("disclose", self.signal.pk), data, follow=True)

    def test_a_disclosure_under_a_valid_agreement_is_recorded_and_audited(self):
        self.post()
        disclosure = Disclosure.objects.get()
        self.assertEqual(
            (disclosure.recipient, disclosure.decided_by), (self.politie, self.advisor)
        )
        event = AuditEvent.objects.get(action="share")
        self.assertEqual(event.detail["recipient"], "Politie")

    def test_disclosures_without_a_valid_basis_are_refused(self):
        other = Organisation.objects.exclude(pk=self.politie.pk).first()
        cases = [
            ({"agreement": "", "legal_basis": ""}, "convenant of een wettelijke grondslag"),
            ({"decided_on": "2099-02-01"}, "ligt in de toekomst"),
            ({"data_categories": ["criminal"]}, "dekt deze gegevens niet"),
            ({"recipient": other.pk}, "geldt niet voor"),
        ]
        for change, message in cases:
            with self.subTest(message=message):
                self.assertContains(self.post(**change), message, status_code=400)
        self.assertEqual(Disclosure.objects.count(), 0)
        self.assertFalse(AuditEvent.objects.filter(action="share").exists())

    def test_an_expired_agreement_blocks_even_a_backdated_decision(self):
        SharingAgreement.objects.filter(pk=self.riec.pk).update(valid_until=date(2025, 12, 31))
        self.assertContains(self.post(decided_on="2025-06-01"), "niet geldig", status_code=400)
        self.assertEqual(Disclosure.objects.count(), 0)

    def test_a_legal_basis_alone_is_enough(self):
        self.post(
            agreement="",
            legal_basis="Art. 13b Opiumwet, melding aan politie",
            data_categories=["criminal"],
        )
        self.assertEqual(
            Disclosure.objects.get().legal_basis, "Art. 13b Opiumwet, melding aan politie"
        )


class RetentionTests(NoaberTestCase):
    def close_long_ago(self, signal, outcome, months):
        closed = timezone.now() - timedelta(days=31 * months)
        Signal.objects.filter(pk=signal.pk).update(
            phase=Phase.CLOSED, outcome=outcome, closed_at=closed
        )

    def test_geen_aanpak_goes_after_one_year_with_a_register_entry_and_no_content(self):
        gone = make_signal(self.dinkelland, self.advisor, "Vage tip.")
        actions.add_subject(
            gone, "person", {"label": "Piet Puk"}, "", actor=self.advisor, request=None
        )
        young = make_signal(self.dinkelland, self.advisor, "Recent.")
        self.close_long_ago(gone, Outcome.NONE, 13)
        self.close_long_ago(young, Outcome.NONE, 6)
        out = StringIO()
        call_command("apply_retention", "--dry-run", stdout=out)
        self.assertIn("1 signal(s) due (dry run)", out.getvalue())
        self.assertTrue(Signal.objects.filter(pk=gone.pk).exists())
        call_command("apply_retention", stdout=StringIO())
        self.assertFalse(Signal.objects.filter(pk=gone.pk).exists())
        self.assertFalse(Subject.objects.exists())
        self.assertTrue(Signal.objects.filter(pk=young.pk).exists())
        entry = DestructionRecord.objects.get()
        self.assertEqual(
            (entry.record_number, entry.action, entry.term_months), (gone.number, "delete", 12)
        )
        self.assertTrue(AuditEvent.objects.filter(action="delete", reason="retention").exists())
        # The report the signal came from stays in the meldpunt (its own term is separate).
        self.assertTrue(Report.objects.exists())

    def test_a_signal_under_legal_hold_is_kept_and_an_explicit_run_is_refused(self):
        held = make_signal(self.dinkelland, self.advisor)
        self.close_long_ago(held, Outcome.NONE, 24)
        actions.set_legal_hold(
            Signal.objects.get(pk=held.pk), True, "WOO-verzoek", actor=self.privacy, request=None
        )
        out = StringIO()
        call_command("apply_retention", stdout=out)
        self.assertIn("legal hold, kept", out.getvalue())
        with self.assertRaisesMessage(CommandError, "under legal hold"):
            call_command("apply_retention", "--signal", str(held.pk), stdout=StringIO())
        self.assertTrue(Signal.objects.filter(pk=held.pk).exists())
        self.assertFalse(DestructionRecord.objects.exists())

    def test_anonymising_keeps_statistics_and_the_disclosure_ledger(self):
        signal = make_signal(self.dinkelland, self.advisor, "Geheime details.")
        actions.disclose(
            signal,
            {
                "recipient": Organisation.objects.get(name="Politie"),
                "legal_basis": "Politiewet",
                "purpose": "Info",
                "data_categories": ["signal"],
                "shared": "Omschrijving",
            },
            actor=self.advisor,
            request=None,
        )
        self.close_long_ago(signal, Outcome.EXTERNAL, 61)
        call_command("apply_retention", stdout=StringIO())
        signal.refresh_from_db()
        self.assertEqual(signal.description, "")
        self.assertIsNotNone(signal.destroyed_at)
        self.assertEqual(signal.theme.code, "5.2")
        self.assertEqual(Disclosure.objects.get().recipient.name, "Politie")
        self.assertEqual(Disclosure.objects.get().shared, "")
        self.assertEqual(DestructionRecord.objects.get().action, "anonymise")
        # A second run finds nothing more to do.
        out = StringIO()
        call_command("apply_retention", stdout=out)
        self.assertIn("0 signal(s)", out.getvalue())


class PrivacyOfficerTests(NoaberTestCase):
    def test_export_lists_everything_and_who_looked(self):
        signal = make_signal(self.dinkelland, self.advisor)
        subject = actions.add_subject(
            signal,
            "person",
            {"label": "Jan Janssen", "bsn": "111222333"},
            "huurder",
            actor=self.advisor,
            request=None,
        )
        self.sign_in(self.advisor)
        self.client.post(url("subject", subject.pk), {"reason": "casusoverleg"})
        self.client.logout()
        self.sign_in(self.privacy)
        found = self.client.post(
            url("privacy"), {"kind": "person", "label": "", "bsn": "111222333"}
        )
        self.assertEqual(list(found.context["found"]), [subject])
        response = self.client.post(url("export", subject.pk), {"reden": "vordering rechter"})
        data = response.json()
        self.assertEqual(data["betrokkene"]["bsn"], "111222333")
        self.assertEqual(data["signalen"][0]["rol"], "huurder")
        readers = [(e["wie"], e["reden"]) for e in data["inzage_en_wijzigingen"]]
        # A typed reason is free text: it may reveal an investigation, so it is not shown.
        self.assertIn(("Gemeente Dinkelland — adviseur veiligheid", "reden vastgelegd"), readers)
        self.assertNotIn("casusoverleg", response.content.decode())
        self.assertTrue(
            AuditEvent.objects.filter(action="export", object_id=str(subject.pk)).exists()
        )

    def test_export_subject_command_writes_json(self):
        signal = make_signal(self.dinkelland, self.advisor)
        subject = actions.add_subject(
            signal,
            "vehicle",
            {"label": "12ABC3", "kenteken": "12ABC3"},
            "",
            actor=self.advisor,
            request=None,
        )
        out = StringIO()
        call_command(
            "export_subject",
            "--subject",
            str(subject.pk),
            "--operator",
            "priya",
            "--reason",
            "vordering rechter",
            stdout=out,
        )
        self.assertIn('"kenteken": "12ABC3"', out.getvalue())
        with self.assertRaisesMessage(CommandError, "No subject"):
            call_command(
                "export_subject",
                "--subject",
                "999999",
                "--operator",
                "priya",
                "--reason",
                "vordering rechter",
                stdout=StringIO(),
            )

    def test_an_advisor_cannot_export(self):
        signal = make_signal(self.dinkelland, self.advisor)
        subject = actions.add_subject(
            signal, "person", {"label": "X"}, "", actor=self.advisor, request=None
        )
        self.sign_in(self.advisor)
        self.assertEqual(self.client.get(url("export", subject.pk)).status_code, 403)


class SubjectRightsTests(NoaberTestCase):
    def setUp(self):
        self.signal = make_signal(self.dinkelland, self.advisor)
        self.subject = actions.add_subject(
            self.signal,
            "person",
            {"label": "Jan Janssen", "bsn": "111222333"},
            "",
            actor=self.advisor,
            request=None,
        )
        self.sign_in(self.privacy)

    def test_rectification_needs_a_reason_and_updates_the_search_keys(self):
        data = {"kind": "person", "label": "Jan Jansen", "bsn": "111222333", "do": "rectify"}
        refused = self.client.post(url("subject_rights", self.subject.pk), data | {"reden": ""})
        self.assertContains(refused, "noem een andere wettelijke reden")
        self.subject.refresh_from_db()
        self.assertEqual(self.subject.label, "Jan Janssen")
        self.client.post(
            url("subject_rights", self.subject.pk), data | {"reden": "verzoek 2026-14"}
        )
        self.subject.refresh_from_db()
        self.assertEqual(self.subject.label, "Jan Jansen")
        match = actions.find_matches(
            self.dinkelland, "person", {"label": "Jan Jansen"}, actor=None, request=None
        )
        self.assertEqual(match.exact, [self.subject.pk])
        event = AuditEvent.objects.filter(object_type="subject", action="update").latest("id")
        self.assertEqual((event.reason, event.detail["rectified"]), ("verzoek 2026-14", ["label"]))

    def test_erasure_removes_the_subject_but_not_the_signal_unless_held(self):
        Signal.objects.filter(pk=self.signal.pk).update(
            legal_hold=True, legal_hold_reason="rechtszaak"
        )
        response = self.client.post(
            url("subject_rights", self.subject.pk),
            {"do": "erase", "reden": "vordering rechtbank 2026/1", "confirm": "on"},
            follow=True,
        )
        self.assertContains(response, "bewaarplicht en kan niet worden gewist", status_code=400)
        self.assertTrue(Subject.objects.filter(pk=self.subject.pk).exists())
        Signal.objects.filter(pk=self.signal.pk).update(legal_hold=False)
        self.client.post(
            url("subject_rights", self.subject.pk),
            {"do": "erase", "reden": "verzoek 2026-15", "confirm": "on"},
        )
        self.assertFalse(Subject.objects.filter(pk=self.subject.pk).exists())
        self.assertTrue(Signal.objects.filter(pk=self.signal.pk).exists())
        self.assertEqual(DestructionRecord.objects.get().action, "erase")


class RetentionTermTests(NoaberTestCase):
    def test_an_admin_of_one_municipality_sees_the_terms_but_cannot_change_them(self):
        self.sign_in(self.admin)
        page = self.client.get(url("retention"))
        self.assertContains(page, "12 maanden, daarna vernietigen.")
        response = self.client.post(
            url("retention"),
            {"term": "none", "none-months": "18", "none-then": "delete", "none-note": ""},
            follow=True,
        )
        self.assertContains(response, "alleen een functioneel beheerder van alle gemeenten")
        from noaber.registry.models import RetentionTerm

        self.assertEqual(RetentionTerm.objects.get(outcome="none").months, 12)

    def test_the_admin_changes_a_term_and_a_bad_term_is_refused(self):
        from noaber.accounts import actions as account_actions
        from noaber.accounts.models import Municipality, Role

        for municipality in Municipality.objects.exclude(pk=self.dinkelland.pk):
            account_actions.grant_role(self.admin, municipality, Role.ADMIN)
        self.sign_in(self.admin)
        page = self.client.get(url("retention"))
        self.assertContains(page, "geen aanpak")
        bad = self.client.post(
            url("retention"),
            {"term": "none", "none-months": "0", "none-then": "delete", "none-note": ""},
        )
        self.assertContains(bad, "1 tot en met 240 maanden")
        self.client.post(
            url("retention"),
            {
                "term": "none",
                "none-months": "18",
                "none-then": "delete",
                "none-note": "besluit 2026",
            },
        )
        from noaber.registry.models import RetentionTerm

        self.assertEqual(RetentionTerm.objects.get(outcome="none").months, 18)
        # One event in each municipality's log: the change holds for all of them.
        self.assertEqual(
            AuditEvent.objects.filter(object_type="retention_term", object_id="none").count(), 4
        )


class ExportPdfTests(NoaberTestCase):
    def test_the_export_is_also_a_readable_tagged_pdf(self):
        import io
        import tempfile
        from pathlib import Path

        from pypdf import PdfReader

        signal = make_signal(self.dinkelland, self.advisor)
        subject = actions.add_subject(
            signal,
            "person",
            {"label": "Jan Janssen", "bsn": "111222333"},
            "huurder",
            actor=self.advisor,
            request=None,
        )
        self.sign_in(self.privacy)
        response = self.client.post(
            url("export", subject.pk), {"formaat": "pdf", "reden": "vordering rechter"}
        )
        self.assertEqual(response["Content-Type"], "application/pdf")
        reader = PdfReader(io.BytesIO(response.content))
        text = " ".join(page.extract_text() for page in reader.pages)
        self.assertIn("Jan Janssen", text)
        self.assertIn("Pagina 1", text)
        self.assertIn("/StructTreeRoot", reader.trailer["/Root"])  # tagged for screen readers
        self.assertEqual(reader.trailer["/Root"]["/Lang"], "nl")
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "inzage.pdf"
            call_command(
                "export_subject",
                "--subject",
                str(subject.pk),
                "--format",
                "pdf",
                "--out",
                str(out),
                "--operator",
                "priya",
                "--reason",
                "vordering rechter",
                stdout=StringIO(),
            )
            self.assertTrue(out.read_bytes().startswith(b"%PDF-"))


class ReviewFindingTests(NoaberTestCase):
    """Regression tests for the review of the register."""

    def setUp(self):
        self.sign_in(self.advisor)
        self.signal = make_signal(self.dinkelland, self.advisor)

    def test_a_negative_privacy_check_1_does_not_open_phase_3(self):
        actions.record_weging(
            self.signal,
            "further",
            "Concreet.",
            self.signal.version,
            actor=self.advisor,
            request=None,
        )
        data = {k: v for k, v in CHECK_1.items() if k not in ("kind", "compatible_use")}
        actions.record_privacy_check(
            self.signal, "1", data | {"compatible_use": False}, actor=self.advisor, request=None
        )
        self.assertIn("privacytoets 1", actions.missing_for(self.signal, "sources"))

    def test_a_signal_in_phase_4_can_be_closed(self):
        Signal.objects.filter(pk=self.signal.pk).update(phase=Phase.PLAN, outcome=Outcome.FURTHER)
        self.signal.refresh_from_db()
        self.client.post(
            url("phase", self.signal.pk), {"phase": "closed", "version": self.signal.version}
        )
        self.signal.refresh_from_db()
        self.assertEqual(self.signal.phase, "closed")
        self.assertIsNotNone(self.signal.closed_at)

    def test_a_signal_without_weging_cannot_be_closed_and_a_closed_one_does_not_come_back(self):
        refused = self.client.post(
            url("phase", self.signal.pk),
            {"phase": "closed", "version": self.signal.version},
            follow=True,
        )
        self.assertContains(refused, "Leg eerst de weging vast", status_code=400)
        self.signal.refresh_from_db()
        self.assertEqual((self.signal.phase, self.signal.closed_at), ("intake", None))
        Signal.objects.filter(pk=self.signal.pk).update(
            phase=Phase.CLOSED, outcome=Outcome.FURTHER, closed_at=timezone.now()
        )
        self.signal.refresh_from_db()
        back = self.client.post(
            url("phase", self.signal.pk),
            {"phase": "sources", "version": self.signal.version},
            follow=True,
        )
        self.assertContains(back, "het gaat niet terug in het proces", status_code=400)
        self.signal.refresh_from_db()
        self.assertEqual(self.signal.phase, "closed")

    def test_a_forged_subject_id_is_404_and_audited(self):
        other = make_signal(self.tubbergen, self.advisor)
        subject = actions.add_subject(
            other, "person", {"label": "X"}, "", actor=self.advisor, request=None
        )
        self.assertEqual(self.client.get(url("subject", subject.pk)).status_code, 404)
        self.assertTrue(
            AuditEvent.objects.filter(
                action="denied", object_type="subject", object_id=str(subject.pk)
            ).exists()
        )

    def test_retention_also_empties_the_reports_behind_a_destroyed_signal(self):
        report = self.signal.reports.get()
        Signal.objects.filter(pk=self.signal.pk).update(
            phase=Phase.CLOSED, outcome=Outcome.NONE, closed_at=timezone.now() - timedelta(days=400)
        )
        call_command("apply_retention", stdout=StringIO())
        report.refresh_from_db()
        self.assertEqual((report.description, report.receipt_hash), ("", ""))

    def test_same_name_different_birth_date_is_no_exact_hit(self):
        actions.add_subject(
            self.signal,
            "person",
            {"label": "Jan Janssen", "birth_date": "1980-01-01"},
            "",
            actor=self.advisor,
            request=None,
        )
        match = actions.find_matches(
            self.dinkelland,
            "person",
            {"label": "Jan Janssen", "birth_date": "1990-05-05"},
            actor=None,
            request=None,
        )
        self.assertEqual(match.exact, [])
        self.assertEqual(len(match.fuzzy), 1)
