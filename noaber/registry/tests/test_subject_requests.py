"""Data-subject requests: tracked with their deadline; the privacy officer opens a subject's
data only for an open request or a typed reason; the export withholds who reported and the
texts that must be withheld, lists them with their ground, and audits it."""

import json
from datetime import date, timedelta

from django.utils import timezone

from noaber.accounts.models import Municipality, Organisation
from noaber.accounts.tests.base import NoaberTestCase
from noaber.audit.models import AuditEvent
from noaber.intake.actions import submit_report
from noaber.intake.models import Category, Channel, Source
from noaber.registry import actions, subject_requests
from noaber.registry.models import (
    Disclosure,
    ExportRelease,
    Phase,
    Signal,
    Subject,
    SubjectRequest,
)

from .helpers import make_signal, url

SEARCH = {"kind": "person", "label": "", "birth_date": "", "postcode": "", "house_number": "",
          "house_number_addition": "", "bag_id": "", "kvk": "", "kenteken": ""}  # fmt: skip


def register(municipality, officer, received=None, kind="inzage"):
    return subject_requests.register_request(
        municipality,
        {
            "kind": kind,
            "received_on": received or timezone.localdate(),
            "requester": "Jan Janssen",
            "identity_check": "balie",
            "identity_note": "Paspoort getoond aan de balie.",
        },
        actor=officer,
        request=None,
    )


class RequestTests(NoaberTestCase):
    def setUp(self):
        self.sign_in(self.privacy)

    def post_new(self, **changes):
        data = {
            "kind": "inzage",
            "received_on": timezone.localdate().isoformat(),
            "requester": "Jan Janssen",
            "identity_check": "balie",
            "identity_note": "Rijbewijs getoond; geen kopie.",
        } | changes
        return self.client.post(url("request_new"), data, follow=True)

    def test_a_request_gets_a_reference_and_a_deadline_of_one_month(self):
        response = self.post_new(received_on="2026-10-31")
        request = SubjectRequest.objects.get()
        self.assertRedirects(response, url("request", request.pk))
        self.assertEqual(
            (request.reference, request.deadline, request.status),
            ("AVG-2026-001", date(2026, 11, 30), "open"),
        )
        self.assertContains(response, "Jan Janssen")
        event = AuditEvent.objects.get(object_type="subject_request", action="create")
        self.assertEqual(event.object_id, "AVG-2026-001")
        self.assertNotIn("Janssen", json.dumps(event.detail))

    def test_a_received_date_in_the_future_is_refused_and_nothing_is_saved(self):
        tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
        response = self.post_new(received_on=tomorrow)
        self.assertContains(response, "De ontvangstdatum ligt in de toekomst.")
        self.assertFalse(SubjectRequest.objects.exists())

    def test_an_extension_needs_a_reason_and_moves_the_deadline(self):
        request = register(self.dinkelland, self.privacy, date(2026, 11, 2))
        refused = self.client.post(
            url("request", request.pk), {"step": "extend", "months": "2", "reason": " "}
        )
        self.assertContains(refused, "Een verlenging heeft een reden nodig")
        request.refresh_from_db()
        self.assertEqual((request.deadline, request.extension_months), (date(2026, 12, 2), 0))
        self.client.post(
            url("request", request.pk),
            {"step": "extend", "months": "2", "reason": "Veel systemen te doorzoeken."},
        )
        request.refresh_from_db()
        self.assertEqual((request.deadline, request.extension_months), (date(2027, 2, 2), 2))

    def test_the_privacy_page_lists_open_requests_by_deadline_overdue_first(self):
        today = timezone.localdate()
        later = register(self.dinkelland, self.privacy, today)
        overdue = register(self.dinkelland, self.privacy, today - timedelta(days=45))
        done = register(self.dinkelland, self.privacy, today - timedelta(days=60))
        subject_requests.close_request(done, "toegewezen", "", actor=self.privacy, request=None)
        register(self.tubbergen, self.advisor, today - timedelta(days=50))
        page = self.client.get(url("privacy"))
        self.assertEqual([r.pk for r in page.context["requests"]], [overdue.pk, later.pk])
        self.assertContains(page, "te laat", count=1)

    def test_closing_a_request_needs_an_outcome(self):
        request = register(self.dinkelland, self.privacy)
        refused = self.client.post(url("request", request.pk), {"step": "close", "outcome": ""})
        self.assertContains(refused, "Dit veld is vereist.")
        self.client.post(
            url("request", request.pk), {"step": "close", "outcome": "toegewezen", "note": ""}
        )
        request.refresh_from_db()
        self.assertEqual((request.status, request.outcome), ("afgehandeld", "toegewezen"))


class OpeningASubjectTests(NoaberTestCase):
    def setUp(self):
        self.signal = make_signal(self.dinkelland, self.advisor)
        self.subject = actions.add_subject(
            self.signal,
            "person",
            {"label": "Jan Janssen", "bsn": "111222333"},
            "huurder",
            actor=self.advisor,
            request=None,
        )
        self.request = register(self.dinkelland, self.privacy)
        self.sign_in(self.privacy)
        # The privacy officer searches with the requester's data and links what is found.
        self.client.post(
            url("request_link", self.request.pk),
            SEARCH | {"bsn": "111222333", "subject": self.subject.pk},
        )
        self.assertEqual(list(self.request.subjects.all()), [self.subject])

    def denied(self):
        return AuditEvent.objects.filter(
            object_type="subject", action="denied", object_id=str(self.subject.pk)
        )

    def test_without_a_request_or_reason_the_page_and_export_show_only_the_form(self):
        for target in (url("subject_rights", self.subject.pk), url("export", self.subject.pk)):
            with self.subTest(target=target):
                if "inzage" in target:
                    # A download needs a form post, even with the request in the address.
                    page = self.client.get(target, {"formaat": "json", "verzoek": self.request.pk})
                    self.assertContains(page, f'value="{self.request.pk}" selected')
                else:
                    page = self.client.get(target)
                self.assertEqual(page["Content-Type"], "text/html; charset=utf-8")
                self.assertContains(page, "Kies het verzoek waarvoor u deze gegevens nodig heeft")
                self.assertNotContains(page, "111222333")
                self.assertNotContains(page, "Jan Janssen")
                posted = self.client.post(target, {"verzoek": "", "reden": ""})
                self.assertContains(posted, "noem een andere wettelijke reden")
                self.assertNotContains(posted, "111222333")
        self.assertEqual(self.denied().count(), 4)
        self.assertFalse(AuditEvent.objects.filter(action="export").exists())
        self.assertEqual(self.denied().first().reason, "no_purpose")
        self.assertEqual(
            list(
                AuditEvent.objects.filter(
                    object_type="subject",
                    action__in=["view", "export"],
                    object_id=str(self.subject.pk),
                ).values_list("action", "reason")
            ),
            [],
        )

    def test_opening_for_a_request_shows_the_data_and_audits_the_request(self):
        page = self.client.get(url("subject_rights", self.subject.pk), {"verzoek": self.request.pk})
        self.assertContains(page, "111222333")
        event = AuditEvent.objects.filter(
            object_type="subject", action="view", object_id=str(self.subject.pk)
        ).latest("id")
        self.assertEqual(event.detail["subject_request"], "AVG-2026-001")
        self.assertIn("AVG-2026-001", event.reason)

    def test_a_request_opens_only_the_subjects_linked_to_it(self):
        other = actions.add_subject(
            self.signal, "person", {"label": "Piet Buur", "bsn": "123456782"}, "",
            actor=self.advisor, request=None,
        )  # fmt: skip
        page = self.client.get(url("subject_rights", other.pk), {"verzoek": self.request.pk})
        self.assertNotContains(page, "123456782")
        self.assertContains(page, "Selecteer een geldige keuze")
        export = self.client.post(url("export", other.pk), {"verzoek": self.request.pk})
        self.assertEqual(export["Content-Type"], "text/html; charset=utf-8")
        self.assertEqual(
            AuditEvent.objects.filter(
                object_type="subject", object_id=str(other.pk), action="denied"
            ).count(),
            2,
        )

    def test_only_a_subject_the_search_finds_can_be_linked(self):
        other = actions.add_subject(
            self.signal, "person", {"label": "Piet Buur", "bsn": "123456782"}, "",
            actor=self.advisor, request=None,
        )  # fmt: skip
        response = self.client.post(
            url("request_link", self.request.pk),
            SEARCH | {"bsn": "111222333", "subject": other.pk},
            follow=True,
        )
        self.assertContains(response, "Koppel alleen een betrokkene die de zoekopdracht vond.")
        self.assertEqual(list(self.request.subjects.all()), [self.subject])

    def test_the_search_for_a_request_offers_to_link_and_then_to_open(self):
        fresh = register(self.dinkelland, self.privacy)
        page = self.client.post(url("privacy"), SEARCH | {"bsn": "111222333", "verzoek": fresh.pk})
        self.assertContains(page, f"Koppelen aan {fresh.reference}")
        self.assertNotContains(page, "Jan Janssen")
        linked = self.client.post(
            url("privacy"), SEARCH | {"bsn": "111222333", "verzoek": self.request.pk}
        )
        self.assertContains(linked, f"openen voor {self.request.reference}")

    def test_a_typed_reason_opens_it_too_and_is_in_the_audit_event(self):
        page = self.client.post(
            url("subject_rights", self.subject.pk), {"reden": "vordering rechtbank Overijssel"}
        )
        self.assertContains(page, "111222333")
        event = AuditEvent.objects.filter(object_type="subject", action="view").latest("id")
        self.assertEqual(event.reason, "vordering rechtbank Overijssel")

    def test_a_closed_request_or_another_municipalitys_request_opens_nothing(self):
        other = register(self.tubbergen, self.advisor)
        subject_requests.close_request(self.request, "ingetrokken", "", actor=self.privacy,
                                       request=None)  # fmt: skip
        for pk in (self.request.pk, other.pk):
            with self.subTest(pk=pk):
                page = self.client.get(url("subject_rights", self.subject.pk), {"verzoek": pk})
                self.assertNotContains(page, "111222333")
                self.assertContains(page, "Selecteer een geldige keuze")
        self.assertEqual(self.denied().count(), 2)

    def test_erasure_needs_a_request_for_erasure_and_a_confirmation(self):
        erase = {"do": "erase", "verzoek": self.request.pk, "confirm": "on"}
        refused = self.client.post(url("subject_rights", self.subject.pk), erase, follow=True)
        self.assertContains(refused, "Dit kan alleen voor een verzoek om wissing", status_code=400)
        wissing = register(self.dinkelland, self.privacy, kind="wissing")
        subject_requests.link_subject(wissing, self.subject, actor=self.privacy, request=None)
        unconfirmed = self.client.post(
            url("subject_rights", self.subject.pk), {"do": "erase", "verzoek": wissing.pk}
        )
        # Beside the checkbox, not in a banner (issue 17).
        self.assertContains(
            unconfirmed,
            '<div class="utrecht-form-field-error-message" id="id_confirm_error">',
            status_code=400,
        )
        self.assertContains(
            unconfirmed, "Bevestig dat wissen niet terug te draaien is.", status_code=400
        )
        self.assertTrue(Subject.objects.filter(pk=self.subject.pk).exists())
        self.client.post(url("subject_rights", self.subject.pk), erase | {"verzoek": wissing.pk})
        self.assertFalse(Subject.objects.filter(pk=self.subject.pk).exists())

    def test_a_too_short_reason_opens_nothing(self):
        page = self.client.post(url("subject_rights", self.subject.pk), {"reden": "ja"})
        self.assertNotContains(page, "111222333")
        self.assertContains(page, "ten minste 10 tekens")

    def test_the_export_command_needs_a_privacy_officer_and_a_linked_request(self):
        from io import StringIO

        from django.core.management import CommandError, call_command

        base = ["export_subject", "--subject", str(self.subject.pk)]
        with self.assertRaisesMessage(CommandError, "is not a privacy officer"):
            call_command(*base, "--operator", "anouk", "--request", "AVG-2026-001")
        unlinked = register(self.dinkelland, self.privacy)
        with self.assertRaisesMessage(CommandError, "that this subject is linked to"):
            call_command(*base, "--operator", "priya", "--request", unlinked.reference)
        out = StringIO()
        call_command(*base, "--operator", "priya", "--request", "AVG-2026-001", stdout=out)
        self.assertIn('"bsn": "111222333"', out.getvalue())
        event = AuditEvent.objects.get(action="export")
        self.assertEqual((event.actor, event.detail["subject_request"]), ("priya", "AVG-2026-001"))

    def test_guessing_ids_leaves_a_denied_event_for_every_guess(self):
        tubbergen_signal = make_signal(self.tubbergen, self.advisor)
        elsewhere = actions.add_subject(
            tubbergen_signal, "person", {"label": "X"}, "", actor=self.advisor, request=None
        )
        for pk in (self.subject.pk, elsewhere.pk, 999999):
            self.client.get(url("subject_rights", pk))
        guesses = AuditEvent.objects.filter(object_type="subject", action="denied")
        self.assertEqual(
            sorted(guesses.values_list("object_id", flat=True)),
            sorted([str(self.subject.pk), str(elsewhere.pk), "999999"]),
        )


class ExportWithholdingTests(NoaberTestCase):
    """The barn: a resident who left contact details, an employee's niet-pluis signal and a
    partner's signal, all about one tenant."""

    def setUp(self):
        category = Category.objects.get(code="verdacht-pand")
        resident = submit_report(
            self.dinkelland,
            {
                "category": category,
                "description": "Ik, Karin de Buurvrouw van nummer 5, zag 's nachts busjes.",
                "contact_consent": True,
                "contact_name": "Karin de Buurvrouw",
                "contact_email": "karin@example.org",
            },
            channel=Channel.WEB,
        ).report
        employee = submit_report(
            self.dinkelland,
            {"category": category, "description": "Huurder betaalt de huur contant."},
            channel=Channel.INTERNAL,
            source=Source.EMPLOYEE,
            reporter=self.employee,
        ).report
        self.open_signal = actions.register_from_reports(
            self.dinkelland, [resident], actor=self.advisor, request=None
        )
        self.closed_signal = actions.register_from_reports(
            self.dinkelland, [employee], actor=self.advisor, request=None
        )
        Signal.objects.filter(pk=self.closed_signal.pk).update(
            phase=Phase.CLOSED, closed_at=timezone.now(), outcome="internal"
        )
        self.own = actions.create_signal(
            self.dinkelland,
            {
                "received_on": timezone.localdate(),
                "source_type": "own",
                "theme": self.open_signal.theme,
                "description": "Eigen waarneming boa: pand afgesloten met nieuw slot.",
            },
            actor=self.advisor,
            request=None,
        )
        Signal.objects.filter(pk=self.own.pk).update(phase=Phase.CLOSED, outcome="none")
        self.subject = actions.add_subject(
            self.open_signal,
            "person",
            {"label": "Henk Huurder", "bsn": "111222333"},
            "huurder",
            actor=self.advisor,
            request=None,
        )
        for signal in (self.closed_signal, self.own):
            actions.link_subject(signal, self.subject, "huurder", actor=self.advisor,
                                 request=None)  # fmt: skip
        self.request = register(self.dinkelland, self.privacy)
        subject_requests.link_subject(self.request, self.subject, actor=self.privacy,
                                      request=None)  # fmt: skip
        self.sign_in(self.privacy)

    def export(self):
        response = self.client.post(url("export", self.subject.pk), {"verzoek": self.request.pk})
        return response.json(), response.content.decode()

    def test_the_export_never_names_the_reporter_and_lists_what_was_withheld(self):
        data, text = self.export()
        for secret in ("Karin", "karin@example.org", "mees", "contant", "busjes",
                       "source_type", "medewerker (niet pluis)"):  # fmt: skip
            self.assertNotIn(secret, text)
        by_number = {s["nummer"]: s for s in data["signalen"]}
        self.assertNotIn("description", by_number[self.open_signal.number])
        self.assertEqual(
            by_number[self.own.number]["description"],
            "Eigen waarneming boa: pand afgesloten met nieuw slot.",
        )
        withheld = {w["grondslag"]: w["signalen"] for w in data["achtergehouden"]}
        reporter = "art. 41 lid 1 onder i UAVG en art. 15 lid 4 AVG: bescherming van de melder"
        self.assertEqual(
            sorted(withheld[reporter]), sorted([self.open_signal.number, self.closed_signal.number])
        )
        investigation = next(g for g in withheld if "onder d en h" in g)
        self.assertEqual(withheld[investigation], [self.open_signal.number])
        event = AuditEvent.objects.get(action="export", object_id=str(self.subject.pk))
        self.assertEqual(event.detail["subject_request"], "AVG-2026-001")
        self.assertEqual(event.detail["withheld"]["investigation"], [self.open_signal.number])

    def test_releasing_needs_a_reason_and_then_the_text_goes_out_for_that_request_only(self):
        refused = self.client.post(
            url("release", self.subject.pk),
            {"verzoek": self.request.pk, "signal": self.closed_signal.pk, "release_reason": ""},
            follow=True,
        )
        self.assertContains(refused, "Noem de reden om dit onderdeel vrij te geven.")
        self.assertFalse(ExportRelease.objects.exists())
        self.client.post(
            url("release", self.subject.pk),
            {
                "verzoek": self.request.pk,
                "signal": self.closed_signal.pk,
                "release_reason": "Gelezen: noemt de melder niet.",
            },
        )
        data, text = self.export()
        self.assertIn("Huurder betaalt de huur contant.", text)
        self.assertNotIn("mees", text)
        grounds = [
            w["signalen"] for w in data["achtergehouden"] if "melder herkenbaar" in w["categorie"]
        ]
        self.assertEqual(grounds, [[self.open_signal.number]])
        release_event = AuditEvent.objects.filter(detail__released_signal=self.closed_signal.number)
        # The typed reason stays encrypted on the release; the audit log names the release.
        event = release_event.get()
        self.assertEqual(event.reason, "export_release")
        release = ExportRelease.objects.get(pk=event.detail["release"])
        self.assertEqual(release.reason, "Gelezen: noemt de melder niet.")
        self.assertNotIn("[M-", text)
        # Another request does not inherit the release.
        other = register(self.dinkelland, self.privacy)
        subject_requests.link_subject(other, self.subject, actor=self.privacy, request=None)
        response = self.client.post(url("export", self.subject.pk), {"verzoek": other.pk})
        self.assertNotIn("contant", response.content.decode())

    def test_a_release_outside_a_request_is_refused(self):
        response = self.client.post(
            url("release", self.subject.pk),
            {"reden": "vordering", "signal": self.open_signal.pk, "release_reason": "gelezen"},
            follow=True,
        )
        self.assertContains(response, "Vrijgeven kan alleen binnen een open verzoek.")
        self.assertFalse(ExportRelease.objects.exists())

    def test_the_who_viewed_list_names_organisations_and_roles_unless_configured(self):
        self.client.logout()
        self.sign_in(self.advisor)
        self.client.post(url("subject", self.subject.pk), {"reason": "casusoverleg"})
        self.client.logout()
        self.sign_in(self.privacy)
        data, text = self.export()
        self.assertNotIn("anouk", text)
        self.assertIn(
            ("Gemeente Dinkelland — adviseur veiligheid", "reden vastgelegd"),
            [(e["wie"], e["reden"]) for e in data["inzage_en_wijzigingen"]],
        )
        Municipality.objects.filter(pk=self.dinkelland.pk).update(access_report_names_staff=True)
        data, text = self.export()
        self.assertIn("anouk", [e["wie"] for e in data["inzage_en_wijzigingen"]])

    def test_a_partner_user_appears_as_the_organisation(self):
        from noaber.audit.actions import record

        record("view", actor=self.partner, municipality=self.dinkelland, object_type="subject",
               object_id=self.subject.pk, reason="partner_portal")  # fmt: skip
        data, text = self.export()
        self.assertIn("Politie — ketenpartner", [e["wie"] for e in data["inzage_en_wijzigingen"]])
        self.assertNotIn("piet", text)
        self.assertTrue(Organisation.objects.get(name="Politie").is_partner)

    def test_the_page_shows_the_privacy_officer_what_is_withheld_and_why(self):
        page = self.client.get(url("subject_rights", self.subject.pk), {"verzoek": self.request.pk})
        self.assertContains(page, "Melder achtergehouden")
        self.assertContains(page, "Tekst achtergehouden")
        self.assertContains(page, "Tekst vrijgeven")
        self.assertTrue(
            AuditEvent.objects.filter(
                object_type="signal",
                object_id=str(self.open_signal.pk),
                detail__data_subject_review=True,
            ).exists()
        )

    def test_free_text_that_could_reveal_an_investigation_stays_out(self):
        politie = Organisation.objects.get(name="Politie")
        Disclosure.objects.create(
            signal=self.open_signal, recipient=politie, legal_basis="art. 13b Opiumwet",
            purpose="Lopend onderzoek OM parket 12/345", data_categories=["signal"],
            shared="Alles over Henk", decided_by=self.advisor, decided_on=timezone.localdate(),
        )  # fmt: skip
        self.client.post(
            url("subject_rights", self.subject.pk), {"reden": "Vordering OvJ in strafzaak Henk"}
        )
        data, text = self.export()
        for secret in ("parket 12/345", "Alles over Henk", "Vordering OvJ"):
            self.assertNotIn(secret, text)
        disclosure = next(s for s in data["signalen"] if s["nummer"] == self.open_signal.number)
        self.assertEqual(disclosure["verstrekkingen"][0]["ontvanger"], "Politie")
        self.assertIn("reden vastgelegd", [e["reden"] for e in data["inzage_en_wijzigingen"]])

    def test_the_page_shows_every_text_a_release_would_let_out(self):
        Signal.objects.filter(pk=self.closed_signal.pk).update(
            outcome_reason="Buurvrouw belde opnieuw."
        )
        page = self.client.get(url("subject_rights", self.subject.pk), {"verzoek": self.request.pk})
        self.assertContains(page, "Buurvrouw belde opnieuw.")
