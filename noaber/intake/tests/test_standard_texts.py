"""Standard texts (sjablonen): kept by the admin per municipality, chosen and edited by the
advisor before sending, and always plain text — never rendered as a template."""

from django.urls import reverse
from django.utils.html import escape

from noaber.accounts.tests.base import NoaberTestCase
from noaber.audit.models import AuditEvent
from noaber.intake import actions
from noaber.intake.actions import submit_report
from noaber.intake.models import Category, Channel, Message, StandardText
from noaber.intake.standard_texts import fill

TRICKY = "Beste melder, {{ request.user.password }} {% now 'Y' %} <b>vet</b> <script>x()</script>"


class StandardTextAdminTests(NoaberTestCase):
    def setUp(self):
        self.new_url = reverse("intake:standard_text_new", args=["GM1774"])
        self.list_url = reverse("intake:standard_texts", args=["GM1774"])
        self.sign_in(self.admin)

    def test_the_admin_adds_and_changes_a_standard_text_audited(self):
        response = self.client.post(self.new_url, {
            "kind": "reply", "title": "Ontvangen", "active": "on",
            "body": "Dank voor melding {meldingnummer}.",
        })  # fmt: skip
        self.assertRedirects(response, self.list_url)
        text = StandardText.objects.get()
        self.assertEqual((text.municipality, text.kind), (self.dinkelland, "reply"))
        self.assertTrue(AuditEvent.objects.filter(object_type="standard_text", action="create"))
        edit = reverse("intake:standard_text_edit", args=["GM1774", text.pk])
        self.client.post(edit, {"kind": "reply", "title": "Ontvangen", "body": "Dank u."})
        text.refresh_from_db()
        self.assertEqual((text.body, text.active), ("Dank u.", False))
        self.assertTrue(AuditEvent.objects.filter(object_type="standard_text", action="update"))

    def test_a_template_tag_or_html_is_kept_literally_and_shown_as_text(self):
        response = self.client.post(
            self.new_url, {"kind": "status", "title": "Lastig", "body": TRICKY, "active": "on"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(StandardText.objects.get().body, TRICKY)
        page = self.client.get(self.list_url).content.decode()
        self.assertIn(escape(TRICKY), page)
        self.assertNotIn("<script>x()", page)
        self.assertNotIn("<b>vet</b>", page)

    def test_bad_input_is_refused_in_dutch_and_nothing_is_saved(self):
        StandardText.objects.create(
            municipality=self.dinkelland, kind="reply", title="Bestaat", body="x"
        )
        cases = [
            ({"title": "Leeg", "body": ""}, "Dit veld is vereist"),
            ({"title": "Spaties", "body": "   "}, "Dit veld is vereist"),
            ({"title": "Lang", "body": "x" * 2001}, "2000 tekens"),
            ({"title": "", "body": "Tekst"}, "Dit veld is vereist"),
            ({"title": "t" * 101, "body": "Tekst"}, "100 tekens"),
            ({"title": "bestaat", "body": "Tekst"}, "al een sjabloon van deze soort"),
            ({"title": "Typfout", "body": "Beste {naam}"}, "Onbekende invulplek {naam}"),
        ]
        for data, message in cases:
            with self.subTest(data=data):
                response = self.client.post(self.new_url, {"kind": "reply"} | data)
                self.assertContains(response, message, status_code=400)
        self.assertEqual(StandardText.objects.count(), 1)
        self.assertFalse(AuditEvent.objects.filter(object_type="standard_text").exists())

    def test_another_municipalitys_standard_text_cannot_be_edited(self):
        other = StandardText.objects.create(
            municipality=self.tubbergen, kind="reply", title="Van Tubbergen", body="x"
        )
        url = reverse("intake:standard_text_edit", args=["GM1774", other.pk])
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertNotContains(self.client.get(self.list_url), "Van Tubbergen")


class AdvisorChoosesStandardTextTests(NoaberTestCase):
    def setUp(self):
        self.report = submit_report(
            self.dinkelland,
            {"category": Category.objects.get(code="overlast-jeugd"), "description": "Herrie."},
            channel=Channel.WEB,
        ).report
        self.reply = StandardText.objects.create(
            municipality=self.dinkelland, kind="reply", title="Vraag om aanvulling",
            body="Dank voor melding {meldingnummer} bij {gemeente}. Wanneer zag u dit?",
        )  # fmt: skip
        self.status_text = StandardText.objects.create(
            municipality=self.dinkelland, kind="status", title="In behandeling",
            body="Melding {meldingnummer} is in behandeling.",
        )  # fmt: skip
        self.tubbergen_text = StandardText.objects.create(
            municipality=self.tubbergen, kind="reply", title="Tubbergse tekst", body="Tubbergen."
        )
        self.inactive = StandardText.objects.create(
            municipality=self.dinkelland, kind="reply", title="Oude tekst", body="Oud.",
            active=False,
        )  # fmt: skip
        self.message_url = reverse("intake:message", args=["GM1774", self.report.pk])
        self.status_url = reverse("intake:status", args=["GM1774", self.report.pk])
        self.sign_in(self.advisor)

    def test_only_the_municipalitys_own_active_texts_of_the_right_kind_are_offered(self):
        page = self.client.get(self.message_url)
        self.assertContains(page, "Vraag om aanvulling")
        self.assertContains(page, "Gebruik sjabloon")
        self.assertNotContains(page, "Tubbergse tekst")
        self.assertNotContains(page, "Oude tekst")
        self.assertNotContains(page, "In behandeling</option>")
        # Asked for by id anyway: not filled in, and said so.
        for other in (self.tubbergen_text, self.inactive, self.status_text):
            page = self.client.get(f"{self.message_url}?sjabloon={other.pk}")
            self.assertContains(page, "Dat sjabloon bestaat niet (meer)")
            self.assertNotContains(page, f">\n{other.body}</textarea>")

    def test_choosing_fills_the_box_without_javascript_and_the_advisor_edits_before_sending(self):
        filled = f"Dank voor melding {self.report.number} bij Dinkelland. Wanneer zag u dit?"
        self.assertEqual(fill(self.reply.body, self.report), filled)
        page = self.client.get(f"{self.message_url}?sjabloon={self.reply.pk}")
        self.assertContains(page, f">\n{filled}</textarea>")
        self.assertFalse(Message.objects.exists())  # choosing sends nothing
        # The page carries which text was chosen, for the audit log.
        self.assertContains(page, f'value="{self.reply.pk}" id="id_standard_text"')
        edited = filled + " Was het 's avonds?"
        response = self.client.post(
            self.message_url, {"body": edited, "standard_text": self.reply.pk}
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Message.objects.get().body, edited)
        event = AuditEvent.objects.filter(object_type="report_message").latest("pk")
        self.assertEqual(event.detail["standard_text"], {"id": self.reply.pk, "edited": True})

    def test_the_audit_log_says_which_standard_text_was_sent_and_ignores_a_foreign_one(self):
        filled = fill(self.reply.body, self.report)
        for chosen, expected in (
            (self.reply.pk, {"id": self.reply.pk, "edited": False}),
            (self.tubbergen_text.pk, None),  # another municipality's: not this page's text
            (self.status_text.pk, None),  # another kind
            ("abc", None),
            ("", None),
        ):
            with self.subTest(chosen=chosen):
                response = self.client.post(
                    self.message_url, {"body": filled, "standard_text": chosen}
                )
                self.assertEqual(response.status_code, 302)  # the message is sent regardless
                event = AuditEvent.objects.filter(object_type="report_message").latest("pk")
                self.assertEqual(event.detail.get("standard_text"), expected)
        self.assertEqual(Message.objects.count(), 5)

    def test_a_status_text_is_chosen_for_the_status_change(self):
        page = self.client.get(f"{self.status_url}?sjabloon={self.status_text.pk}")
        filled = f"Melding {self.report.number} is in behandeling."
        self.assertContains(page, f">\n{filled}</textarea>")
        self.assertContains(page, 'data-text="' + escape(filled))
        response = self.client.post(self.status_url, {
            "status": "in_progress", "public_text": filled, "seen_status": "received",
            "standard_text": self.status_text.pk,
        })  # fmt: skip
        self.assertEqual(response.status_code, 302)
        self.report.refresh_from_db()
        self.assertEqual(self.report.public_text, filled)
        event = AuditEvent.objects.filter(object_type="report", detail__has_key="status").latest(
            "pk"
        )
        self.assertEqual(event.detail["standard_text"], {"id": self.status_text.pk,
                                                         "edited": False})  # fmt: skip

    def test_a_text_with_a_template_tag_is_offered_and_filled_as_plain_text(self):
        tricky = actions.save_standard_text(
            self.dinkelland, kind="reply", title="Lastig", body=TRICKY, request=None
        )
        page = self.client.get(f"{self.message_url}?sjabloon={tricky.pk}").content.decode()
        self.assertIn(">\n" + escape(TRICKY) + "</textarea>", page)
        self.assertNotIn("<script>x()", page)
        self.assertNotIn(self.advisor.password, page)
