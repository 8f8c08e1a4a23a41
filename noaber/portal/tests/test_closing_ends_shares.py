"""Closing a case serves the purpose of its shares: they end, in the portal and in the
disclosure ledger, unless the advisor keeps one open until a date, with a reason."""

import re
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from noaber.accounts.models import Organisation
from noaber.accounts.tests.base import NoaberTestCase
from noaber.audit.models import AuditEvent
from noaber.cases import actions as case_actions
from noaber.cases.models import CaseResult, TimelineEntry
from noaber.intake.models import Report
from noaber.partners.tests.factories import make_agreement, make_case
from noaber.portal import actions
from noaber.portal.models import CaseShare
from noaber.portal.tasks import end_kept_shares_daily
from noaber.registry.models import Disclosure, DisclosureEnd


def portal_url(name, *args):
    return reverse(f"portal:{name}", args=["GM1774", *args])


def case_url(name, *args):
    return reverse(f"cases:{name}", args=["GM1774", *args])


class ClosingEndsSharesTests(NoaberTestCase):
    def setUp(self):
        self.politie = Organisation.objects.get(name="Politie")
        self.case = make_case(self.dinkelland, self.advisor)
        self.agreement = make_agreement(self.dinkelland, "Politie")
        self.share = actions.share_case(
            self.case,
            {"organisation": self.politie, "agreement": self.agreement,
             "purpose": "Voorbereiding inval", "data_categories": ["signal", "identity"]},
            actor=self.advisor, request=None,
        )  # fmt: skip
        self.result = CaseResult.objects.get(case_type=self.case.case_type, code="maatregel")
        self.today = timezone.localdate()
        # A RIEC-casus is closed from 'in onderzoek' at the earliest.
        case_actions.change_status(self.case, "onderzoek", self.case.version, actor=self.advisor,
                                   request=None)  # fmt: skip

    def close(self, **extra):
        """The advisor closes the case through its close page, letting open tasks lapse."""
        self.sign_in(self.advisor)
        self.case.refresh_from_db()
        data = {"result": self.result.pk, "text": "Pand gesloten.", "version": self.case.version,
                "withdraw_tasks": "on"}  # fmt: skip
        return self.client.post(case_url("step", self.case.pk, "close"), data | extra, follow=True)

    def keep(self, until, reason):
        pk = self.share.pk
        return {f"keep_{pk}": "on", f"keep_until_{pk}": until, f"keep_reason_{pk}": reason}

    def partner_task(self):
        return case_actions.add_task(
            self.case, "Adres natrekken", self.today + timedelta(days=3), actor=self.advisor,
            request=None, organisation=self.politie, agreement=self.agreement,
        )  # fmt: skip

    def assert_nothing_closed(self):
        self.case.refresh_from_db()
        self.assertEqual(self.case.status, "onderzoek")
        self.assertIsNone(self.case.closed_at)
        self.assertFalse(self.case.timeline.filter(kind=TimelineEntry.Kind.CLOSING).exists())
        self.assertFalse(Report.objects.filter(status="closed").exists())
        self.assertFalse(DisclosureEnd.objects.exists())
        self.share.refresh_from_db()
        self.assertIsNone(self.share.ended_at)
        self.assertIsNone(self.share.keep_until)
        self.assertEqual(self.share.keep_reason, "")

    # --- Closing ends the shares ------------------------------------------------------------

    def test_the_close_form_says_per_share_that_closing_ends_it_unless_kept_open(self):
        self.sign_in(self.advisor)
        response = self.client.get(case_url("step", self.case.pk, "close"))
        self.assertContains(response, "Gedeeld met Politie")
        self.assertContains(response, "het delen eindigt, ook in het partnerportaal")
        self.assertContains(response, "Delen met Politie open houden na afsluiten")

    def test_closing_ends_every_share_and_records_the_end_of_each_disclosure_in_the_ledger(self):
        # A second signal in the case, and a second share (two disclosures) with the RIEC.
        self.case.signals.add(make_case(self.dinkelland, self.advisor).signals.get())
        riec = Organisation.objects.get(name="RIEC Oost-Nederland")
        riec_share = actions.share_case(
            self.case,
            {"organisation": riec, "purpose": "Analyse", "data_categories": ["signal"],
             "agreement": make_agreement(self.dinkelland, riec.name, name="RIEC")},
            actor=self.advisor, request=None,
        )  # fmt: skip
        self.assertContains(self.close(), "De casus is afgesloten.")
        for share in (self.share, riec_share):
            share.refresh_from_db()
            self.assertIsNotNone(share.ended_at)
            self.assertEqual(share.ended_by, self.advisor)
            self.assertEqual(share.end_reason, "casus afgesloten")
        disclosures = set(Disclosure.objects.filter(signal__cases=self.case))
        self.assertEqual(len(disclosures), 3)
        self.assertEqual(
            set(self.share.disclosures.all()) | set(riec_share.disclosures.all()), disclosures
        )
        ends = DisclosureEnd.objects.all()
        self.assertEqual(len(ends), 3)
        self.assertEqual({e.disclosure for e in ends}, disclosures)
        self.assertEqual({(e.kind, e.reason, e.until) for e in ends},
                         {("ended", "casus afgesloten", None)})  # fmt: skip
        entries = [e.text for e in self.case.timeline.filter(kind=TimelineEntry.Kind.SHARE)]
        self.assertIn("Delen met Politie beëindigd: casus afgesloten.", entries)
        self.assertIn("Delen met RIEC Oost-Nederland beëindigd: casus afgesloten.", entries)

    def test_after_closing_the_partner_no_longer_sees_the_case_and_is_denied_without_hint(self):
        self.close()
        self.sign_in(self.partner)
        self.assertNotContains(self.client.get(portal_url("portal")), "Schuur Hoofdweg")
        response = self.client.get(portal_url("portal_case", self.case.pk))
        self.assertEqual(response.status_code, 404)
        # The same 404 as for a case that does not exist.
        missing = self.client.get(portal_url("portal_case", 999999))
        token = re.compile(rb'value="[A-Za-z0-9]{64}"')
        self.assertEqual(token.sub(b"", missing.content), token.sub(b"", response.content))
        self.assertTrue(
            AuditEvent.objects.filter(
                action="denied", object_type="case", object_id=self.case.pk, actor="piet"
            ).exists()
        )

    def test_reopening_does_not_revive_an_ended_share(self):
        self.close()
        self.case.refresh_from_db()
        case_actions.reopen_case(self.case, "Nieuwe signalen", self.case.version,
                                 actor=self.advisor, request=None)  # fmt: skip
        self.share.refresh_from_db()
        self.assertIsNotNone(self.share.ended_at)
        self.sign_in(self.partner)
        self.assertEqual(self.client.get(portal_url("portal_case", self.case.pk)).status_code, 404)

    def test_ending_a_share_by_hand_records_the_end_in_the_disclosure_ledger(self):
        actions.end_share(self.share, actor=self.advisor, request=None)
        self.assertEqual(self.share.end_reason, "beëindigd door de gemeente")
        line = DisclosureEnd.objects.get()
        self.assertEqual((line.kind, line.reason), ("ended", "beëindigd door de gemeente"))
        with self.assertRaisesMessage(ValidationError, "al beëindigd"):
            actions.end_share(self.share, actor=self.advisor, request=None)
        self.assertEqual(DisclosureEnd.objects.count(), 1)

    # --- Keeping a share open -------------------------------------------------------------

    def test_a_share_kept_open_with_a_reason_and_a_date_stays_in_the_portal(self):
        task = self.partner_task()
        until = self.today + timedelta(days=14)
        closed = self.close(**self.keep(until.isoformat(), "Vervolg OM"))
        self.assertContains(closed, "De casus is afgesloten.")
        self.case.refresh_from_db()
        self.assertTrue(self.case.is_closed)
        self.share.refresh_from_db()
        self.assertIsNone(self.share.ended_at)
        self.assertEqual((self.share.keep_until, self.share.keep_reason), (until, "Vervolg OM"))
        line = DisclosureEnd.objects.get()
        self.assertEqual((line.kind, line.reason, line.until), ("kept", "Vervolg OM", until))
        self.assertEqual(line.decided_by, self.advisor)
        self.sign_in(self.partner)
        self.assertContains(self.client.get(portal_url("portal")), "Schuur Hoofdweg")
        page = self.client.get(portal_url("portal_case", self.case.pk))
        self.assertContains(page, "u kunt haar inzien tot en met")
        # The case is closed: its tasks are not the partner's work any more.
        self.assertNotContains(page, task.title)

    def test_a_kept_share_ends_after_its_date_and_the_daily_run_records_the_end(self):
        self.close(**self.keep((self.today + timedelta(days=1)).isoformat(), "Vervolg OM"))
        CaseShare.objects.filter(pk=self.share.pk).update(keep_until=self.today - timedelta(1))
        self.sign_in(self.partner)
        self.assertEqual(self.client.get(portal_url("portal_case", self.case.pk)).status_code, 404)
        self.assertEqual(end_kept_shares_daily.call(), 1)
        self.share.refresh_from_db()
        self.assertIsNotNone(self.share.ended_at)
        self.assertIsNone(self.share.ended_by)
        self.assertEqual(self.share.end_reason, "einddatum bereikt")
        line = DisclosureEnd.objects.get(kind="ended")
        self.assertEqual((line.reason, line.decided_by), ("einddatum bereikt", None))
        self.assertTrue(
            AuditEvent.objects.filter(
                object_type="case", object_id=self.case.pk, actor="", origin="system"
            ).exists()
        )
        self.assertEqual(end_kept_shares_daily.call(), 0)
        self.assertEqual(DisclosureEnd.objects.count(), 2)  # kept, then ended

    def test_a_kept_shares_date_holds_also_after_the_case_is_reopened(self):
        until = self.today + timedelta(days=1)
        self.close(**self.keep(until.isoformat(), "Vervolg OM"))
        self.case.refresh_from_db()
        case_actions.reopen_case(self.case, "Nieuwe signalen", self.case.version,
                                 actor=self.advisor, request=None)  # fmt: skip
        self.sign_in(self.partner)
        # Up to its date the kept share still serves the reopened case ...
        self.assertEqual(self.client.get(portal_url("portal_case", self.case.pk)).status_code, 200)
        CaseShare.objects.filter(pk=self.share.pk).update(keep_until=self.today - timedelta(1))
        # ... after it, not: only a new share goes further; the daily run ends it.
        self.assertEqual(self.client.get(portal_url("portal_case", self.case.pk)).status_code, 404)
        self.assertEqual(end_kept_shares_daily.call(), 1)
        self.share.refresh_from_db()
        self.assertEqual(self.share.end_reason, "einddatum bereikt")

    def test_the_advisor_can_end_a_kept_share_before_its_date(self):
        self.close(**self.keep((self.today + timedelta(days=30)).isoformat(), "Vervolg OM"))
        page = self.client.get(case_url("case", self.case.pk), {"sectie": "delen"})
        self.assertContains(page, "Delen beëindigen")
        response = self.client.post(
            reverse("portal:unshare", args=["GM1774", self.case.pk]),
            {"share": self.share.pk},
            follow=True,
        )
        self.assertContains(response, "Het delen is beëindigd.")
        self.share.refresh_from_db()
        self.assertIsNotNone(self.share.ended_at)
        self.assertEqual(
            list(DisclosureEnd.objects.values_list("kind", flat=True)), ["kept", "ended"]
        )

    # --- Bad input: refused with a clear error, nothing saved -------------------------------

    def test_keeping_a_share_open_without_reason_or_date_or_with_a_past_date_is_refused(self):
        tomorrow, today = self.today + timedelta(days=1), self.today
        yesterday = self.today - timedelta(days=1)
        pk = self.share.pk
        for data, message in (
            (self.keep(tomorrow.isoformat(), " "), "Noem de reden om het delen open te houden."),
            (self.keep("", "Vervolg OM"), "Kies tot en met welke datum het delen open blijft."),
            (self.keep(yesterday.isoformat(), "Vervolg OM"), "Kies een datum na vandaag."),
            (self.keep(today.isoformat(), "Vervolg OM"), "Kies een datum na vandaag."),
            ({f"keep_until_{pk}": tomorrow.isoformat(), f"keep_reason_{pk}": "Vervolg OM"},
             "Vink &#x27;open houden&#x27; aan als het delen open moet blijven"),
        ):  # fmt: skip
            with self.subTest(message=message):
                response = self.close(**data)
                self.assertContains(response, message, status_code=400)
                self.assertContains(response, "Er is iets niet in orde", status_code=400)
                self.assert_nothing_closed()

    def test_the_closing_action_refuses_a_bad_keep_and_keeps_nothing_of_the_closing(self):
        tomorrow = self.today + timedelta(days=1)
        pk = self.share.pk
        for keep, message in (
            ({pk: (tomorrow, "  ")}, "Noem de reden om het delen met Politie"),
            ({pk: (None, "Vervolg OM")}, "Kies tot en met welke datum"),
            ({pk: (self.today, "Vervolg OM")}, "moet na vandaag liggen"),
            ({pk + 1000: (tomorrow, "Vervolg OM")}, "Alleen een delen van deze casus"),
        ):
            with self.subTest(message=message), self.assertRaisesMessage(ValidationError, message):
                self.case.refresh_from_db()
                case_actions.close_case(self.case, self.result, "Pand gesloten.",
                                        self.case.version, actor=self.advisor, request=None,
                                        keep_shares=keep)  # fmt: skip
            self.assert_nothing_closed()

    # --- Partner tasks of a closed case ---------------------------------------------------

    def test_partner_tasks_of_a_closed_case_are_not_shown_or_completable(self):
        task = self.partner_task()
        self.close()
        self.sign_in(self.partner)
        self.assertNotContains(self.client.get(portal_url("portal")), "Adres natrekken")
        response = self.client.post(portal_url("portal_task", task.pk), {"result": "Gedaan"})
        self.assertEqual(response.status_code, 404)
        self.assertTrue(
            AuditEvent.objects.filter(action="denied", object_type="task", object_id=task.pk)
        )
        task.refresh_from_db()
        self.assertIsNone(task.completed_at)

    def test_partner_tasks_lapse_at_closing_and_stay_lapsed_after_reopening(self):
        task = self.partner_task()
        self.close()
        task.refresh_from_db()
        self.assertEqual(task.withdrawn_reason, "casus afgesloten")
        self.case.refresh_from_db()
        case_actions.reopen_case(self.case, "Nieuwe signalen", self.case.version,
                                 actor=self.advisor, request=None)  # fmt: skip
        self.sign_in(self.partner)
        self.assertNotContains(self.client.get(portal_url("portal")), "Adres natrekken")
        response = self.client.post(portal_url("portal_task", task.pk), {"result": "Gedaan"})
        self.assertEqual(response.status_code, 404)
        task.refresh_from_db()
        self.assertIsNone(task.completed_at)

    def test_ending_a_share_by_hand_lets_the_partners_open_tasks_lapse(self):
        task = self.partner_task()
        actions.end_share(self.share, actor=self.advisor, request=None)
        task.refresh_from_db()
        self.assertIsNotNone(task.withdrawn_at)
        with self.assertRaisesMessage(ValidationError, "Deze taak is vervallen."):
            case_actions.complete_task(task, "Gedaan", actor=self.advisor, request=None)

    def test_the_meeting_agenda_of_a_closed_case_disappears_for_the_partner(self):
        meeting = case_actions.plan_meeting(
            self.dinkelland, "casusoverleg", self.today, actor=self.advisor, request=None,
            partners=[self.politie],
        )  # fmt: skip
        case_actions.add_agenda_item(meeting, self.case, actor=self.advisor, request=None,
                                     shared_with=[self.politie])  # fmt: skip
        self.assertEqual(len(case_actions.agenda_for_partner(meeting, self.politie)), 1)
        self.close()
        self.assertEqual(len(case_actions.agenda_for_partner(meeting, self.politie)), 0)
        self.sign_in(self.partner)
        self.assertNotContains(self.client.get(reverse("cases:partner_agenda", args=["GM1774"])),
                               "Schuur Hoofdweg")  # fmt: skip

    def test_staff_cannot_complete_a_task_of_a_closed_case(self):
        task = self.partner_task()
        self.close()
        self.case.refresh_from_db()
        response = self.client.post(
            case_url("task_complete", self.case.pk, task.pk),
            {"result": "Gedaan", "version": self.case.version},
        )
        self.assertContains(
            response, "Deze casus is afgesloten. Heropen haar eerst", status_code=400
        )
        task.refresh_from_db()
        self.assertIsNone(task.completed_at)
        self.assertEqual(task.result, "")
