from django.urls import reverse

from noaber.accounts.tests.base import NoaberTestCase
from noaber.audit.models import AuditEvent
from noaber.intake import actions, receipts
from noaber.intake.models import Message, Report

from .helpers import REPORT_URL, form_data

START = reverse("intake:follow_up_start")
PAGE = reverse("intake:follow_up")


class ReceiptCodeTests(NoaberTestCase):
    def test_codes_have_100_random_bits_in_five_groups_without_lookalikes(self):
        code = receipts.new_code()
        self.assertRegex(code, r"^([0-9A-HJKMNP-TV-Z]{4}-){4}[0-9A-HJKMNP-TV-Z]{4}$")
        # 20 characters from an alphabet of 32: 100 bits; the secret part alone has 80.
        self.assertEqual(len(receipts.ALPHABET), 32)
        self.assertEqual(len(receipts.split(receipts.normalise(code))[1]) * 5, 80)
        self.assertEqual(len({receipts.new_code() for _ in range(200)}), 200)

    def test_typing_variants_are_accepted(self):
        self.assertEqual(receipts.normalise("7kqm 2xpa-9d4t hw3b rc6n"), "7KQM2XPA9D4THW3BRC6N")
        self.assertEqual(receipts.normalise("O1IL-" + "A" * 16), "0111" + "A" * 16)
        self.assertIsNone(receipts.normalise("7KQM-2XPA"))
        self.assertIsNone(receipts.normalise("U" * 20))

    def test_only_an_argon2id_hash_of_the_secret_is_stored(self):
        stored = receipts.hash_secret("A" * 16)
        self.assertTrue(stored.startswith("$argon2id$v=19$m=19456,t=1,p=1$"))
        self.assertTrue(receipts.verify_secret(stored, "A" * 16))
        self.assertFalse(receipts.verify_secret(stored, "B" * 16))
        self.assertFalse(receipts.verify_secret(None, "A" * 16))


class FollowUpTests(NoaberTestCase):
    def setUp(self):
        response = self.client.post(REPORT_URL, form_data())
        self.receipt = response.context["result"].receipt
        self.report = Report.objects.get()

    def open_report(self, code=None):
        return self.client.post(START, {"receipt": code or self.receipt})

    def test_the_reporter_sees_status_public_text_and_the_advisors_question(self):
        actions.change_status(
            self.report, "in_progress", "We kijken ernaar.", actor=self.advisor, request=None
        )
        actions.post_advisor_message(
            self.report, "Hoe laat zag u de auto's?", actor=self.advisor, request=None
        )
        response = self.open_report(self.receipt.lower().replace("-", " "))
        # The code travels only in the POST body; the redirect carries nothing of it.
        self.assertRedirects(response, PAGE)
        self.assertNotIn(self.receipt[:4], response["Location"])
        page = self.client.get(PAGE)
        self.assertIn("no-store", page["Cache-Control"])
        self.assertContains(page, "in behandeling")
        self.assertContains(page, "We kijken ernaar.")
        self.assertContains(page, "Hoe laat zag u de auto&#x27;s?")
        # Nothing about who handles it or what else is known.
        self.assertNotContains(page, "anouk")
        self.assertNotContains(page, self.report.number)
        self.assertTrue(
            AuditEvent.objects.filter(reason="receipt_follow_up", origin="public").exists()
        )

    def test_the_reporter_adds_information(self):
        self.open_report()
        response = self.client.post(PAGE, {"body": "Er staat nu ook een busje."})
        self.assertRedirects(response, PAGE)
        message = Message.objects.get()
        self.assertEqual((message.author_kind, message.report), ("reporter", self.report))
        self.assertContains(self.client.get(PAGE), "Er staat nu ook een busje.")

    def test_an_empty_or_over_long_message_is_refused(self):
        self.open_report()
        for body, error in (("  ", "Dit veld is vereist."), ("x" * 2001, "niet meer dan 2000")):
            with self.subTest(error=error):
                response = self.client.post(PAGE, {"body": body})
                self.assertContains(response, error)
        self.assertEqual(Message.objects.count(), 0)

    def test_a_wrong_receipt_is_refused_with_a_clear_message(self):
        wrong = self.receipt[:5] + ("A" if self.receipt[5] != "A" else "B") + self.receipt[6:]
        for code in (wrong, "niet-een-code"):
            with self.subTest(code=code):
                response = self.open_report(code)
                self.assertContains(response, "Wij vinden geen melding bij dit bonnummer.")
                self.assertNotIn("intake_follow_up", self.client.session)
        self.assertRedirects(self.client.get(PAGE), START)

    def test_repeated_wrong_receipts_are_throttled_even_for_the_right_one_after(self):
        for _ in range(5):
            self.open_report("0000-0000-0000-0000-0000")
        response = self.open_report()
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "te vaak geprobeerd", status_code=429)
        self.assertNotIn("intake_follow_up", self.client.session)

    def test_ending_the_follow_up_forgets_the_report(self):
        self.open_report()
        self.client.post(reverse("intake:follow_up_end"))
        self.assertRedirects(self.client.get(PAGE), START)
