"""The signal page's primary button is the step the protocol asks for next."""

from django.urls import reverse

from noaber.accounts.tests.base import NoaberTestCase
from noaber.intake.actions import submit_report
from noaber.intake.models import Category, Channel
from noaber.registry import actions
from noaber.registry.models import Outcome, Phase

CHECK = {
    "original_basis": "Art. 6 lid 1 sub e AVG",
    "compatible_use": True,
    "necessity": "Nodig.",
    "proportionality": "Beperkt.",
    "subsidiarity": "Geen andere weg.",
}


class NextStepTests(NoaberTestCase):
    def test_the_primary_button_follows_the_protocol_from_weging_to_case(self):
        report = submit_report(
            self.dinkelland,
            {"category": Category.objects.get(code="drugs-drugslab"), "description": "Schuur."},
            channel=Channel.WEB,
        ).report
        signal = actions.register_from_reports(
            self.dinkelland, [report], actor=self.advisor, request=None
        )
        self.sign_in(self.advisor)
        url = reverse("registry:signal", args=["GM1774", signal.pk])
        seen = []

        def primary():
            signal.refresh_from_db()
            seen.append(actions.next_step(signal))
            return self.client.get(url).content.decode()

        page = primary()
        self.assertIn('primary-action" href="' + reverse(
            "registry:weging", args=["GM1774", signal.pk]), page)  # fmt: skip
        actions.record_weging(signal, Outcome.FURTHER, "Past bij een drugslab.", signal.version,
                              actor=self.advisor, request=None)  # fmt: skip
        page = primary()
        self.assertIn('primary-action" href="' + reverse(
            "registry:check", args=["GM1774", signal.pk]), page)  # fmt: skip
        actions.record_privacy_check(signal, "1", CHECK, actor=self.advisor, request=None)
        primary()
        actions.advance(signal, Phase.SOURCES, signal.version, actor=self.advisor, request=None)
        primary()
        actions.record_source_check(signal, {"BAG (adressen en gebouwen)": True}, "",
                                    actor=self.advisor, request=None)  # fmt: skip
        primary()
        signal.refresh_from_db()
        actions.advance(signal, Phase.PLAN, signal.version, actor=self.advisor, request=None)
        page = primary()
        self.assertIn("Open casus", page)
        self.assertEqual(seen, ["weging", "check", "phase", "sources", "phase", "case"])

    def test_a_weging_that_chose_no_approach_has_no_primary_step(self):
        report = submit_report(
            self.dinkelland,
            {"category": Category.objects.get(code="overlast-jeugd"), "description": "Herrie."},
            channel=Channel.WEB,
        ).report
        signal = actions.register_from_reports(
            self.dinkelland, [report], actor=self.advisor, request=None
        )
        actions.record_weging(signal, Outcome.NONE, "Geen ondermijning.", signal.version,
                              actor=self.advisor, request=None)  # fmt: skip
        signal.refresh_from_db()
        self.assertIsNone(actions.next_step(signal))
