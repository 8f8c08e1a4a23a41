"""The privacy officer's page of the processing log outward: the switch, the named clients and
the releases, each audited; bad input refused in Dutch with nothing changed; nobody else gets
in. (Mounted by noaber/urls.py at /m/<CBS>/privacy/verwerkingenlogging/.)"""

from django.test import override_settings
from django.urls import reverse

from noaber.accounts.tests.base import NoaberTestCase
from noaber.audit.models import AuditEvent
from noaber.registry.tests.helpers import make_signal
from noaber.zgw.clients import create_client
from noaber.zgw.models import ProcessingLogRelease, ProcessingLogSetting


@override_settings(ROOT_URLCONF="noaber.zgw.tests.urls_processing_page")
class ProcessingLogPageTests(NoaberTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.tool, _secret = create_client(
            cls.dinkelland, "Privacytool", "privacytool", scopes=["verwerkingen.lezen"]
        )
        create_client(cls.dinkelland, "Zaaksysteem", "zs", scopes=["catalogi.lezen"])
        cls.signal = make_signal(cls.dinkelland, cls.advisor)
        cls.foreign_signal = make_signal(cls.tubbergen, cls.advisor)

    def setUp(self):
        self.page = reverse("zgw_processing:page", args=["GM1774"])
        self.release = reverse("zgw_processing:release", args=["GM1774"])

    def test_the_privacy_officer_turns_it_on_for_a_named_client(self):
        self.sign_in(self.privacy)
        response = self.client.get(self.page)
        self.assertContains(response, "Uit")
        self.assertContains(response, "privacytool")
        self.assertNotContains(response, "(zs)")  # no scope: not offered
        response = self.client.post(self.page, {"enabled": "on", "clients": ["privacytool"]})
        self.assertRedirects(response, self.page, fetch_redirect_response=False)
        setting = ProcessingLogSetting.objects.get(municipality=self.dinkelland)
        self.assertTrue(setting.enabled)
        self.assertEqual([c.client_id for c in setting.clients.all()], ["privacytool"])
        event = AuditEvent.objects.filter(object_type="zgw_processing_log").get()
        self.assertEqual((event.actor, event.detail["clients"]), ("priya", ["privacytool"]))
        self.assertContains(self.client.get(self.page), "genoemd: privacytool")

    def test_a_release_with_its_reason(self):
        self.sign_in(self.privacy)
        reason = "Verzoek AVG-2026-004; onderzoek afgerond"
        response = self.client.post(self.release, {"target": self.signal.number, "reason": reason})
        self.assertRedirects(response, self.page, fetch_redirect_response=False)
        released = ProcessingLogRelease.objects.get()
        self.assertEqual((released.signal, released.reason), (self.signal, reason))
        event = AuditEvent.objects.filter(object_type="zgw_processing_release").get()
        self.assertEqual(event.reason, reason)
        self.assertContains(self.client.get(self.page), reason)

    def test_bad_input_is_refused_in_dutch_and_nothing_changes(self):
        self.sign_in(self.privacy)
        cases = {
            "no reason": {"target": self.signal.number, "reason": ""},
            "short reason": {"target": self.signal.number, "reason": "kort"},
            "no target": {"target": "", "reason": "Een reden van voldoende lengte"},
            "not a number": {
                "target": "signaal twaalf",
                "reason": "Een reden van voldoende lengte",
            },
            "unknown": {"target": "S-999999", "reason": "Een reden van voldoende lengte"},
            "other municipality": {
                "target": self.foreign_signal.number,
                "reason": "Een reden van voldoende lengte",
            },
        }
        for label, data in cases.items():
            with self.subTest(label):
                response = self.client.post(self.release, data)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "Er is iets niet in orde")
        response = self.client.post(self.page, {"enabled": "on", "clients": ["zs"]})
        self.assertContains(response, "Er is iets niet in orde")
        self.assertFalse(ProcessingLogRelease.objects.exists())
        self.assertFalse(ProcessingLogSetting.objects.exists())
        self.assertFalse(
            AuditEvent.objects.filter(object_type__startswith="zgw_processing").exists()
        )

    def test_nobody_else_gets_in(self):
        for user in (self.admin, self.advisor, self.management):
            with self.subTest(user.username):
                self.client.logout()
                self.sign_in(user)
                self.assertEqual(self.client.get(self.page).status_code, 403)
                post = {"target": self.signal.number, "reason": "Een reden van voldoende lengte"}
                self.assertEqual(self.client.post(self.release, post).status_code, 403)
        self.client.logout()
        self.sign_in(self.advisor_tubbergen)
        self.assertEqual(self.client.get(self.page).status_code, 404)
        self.assertFalse(ProcessingLogRelease.objects.exists())
