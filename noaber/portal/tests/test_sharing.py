"""Sharing a case with a partner: only under a valid agreement or a legal basis."""

from datetime import date

from django.core.exceptions import ValidationError
from django.urls import reverse

from noaber.accounts.models import Organisation
from noaber.accounts.tests.base import NoaberTestCase
from noaber.audit.models import AuditEvent
from noaber.cases.models import TimelineEntry
from noaber.partners.tests.factories import make_agreement, make_case
from noaber.portal import actions
from noaber.portal.models import CaseShare
from noaber.registry.models import Disclosure


class SharingTests(NoaberTestCase):
    def setUp(self):
        self.politie = Organisation.objects.get(name="Politie")
        self.case = make_case(self.dinkelland, self.advisor)
        self.agreement = make_agreement(
            self.dinkelland, "Politie", categories=["signal", "identity"]
        )
        self.sign_in(self.advisor)

    def share(self, **changes):
        data = {
            "organisation": self.politie.pk,
            "agreement": self.agreement.pk,
            "legal_basis": "",
            "purpose": "Voorbereiding inval",
            "data_categories": ["signal", "identity"],
        } | changes
        return self.client.post(
            reverse("portal:share", args=["GM1774", self.case.pk]), data, follow=True
        )

    def assert_nothing_shared(self):
        self.assertFalse(CaseShare.objects.exists())
        self.assertFalse(Disclosure.objects.exists())
        self.assertFalse(self.case.timeline.filter(kind=TimelineEntry.Kind.SHARE).exists())

    def test_sharing_under_a_valid_agreement_is_recorded_as_a_disclosure_and_audited(self):
        response = self.share()
        self.assertContains(response, "De casus is gedeeld.")
        share = CaseShare.objects.get()
        self.assertEqual(share.data_categories, ["identity", "signal"])
        disclosure = Disclosure.objects.get()
        self.assertEqual(disclosure.recipient, self.politie)
        self.assertEqual(disclosure.agreement, self.agreement)
        self.assertTrue(self.case.timeline.filter(kind=TimelineEntry.Kind.SHARE).exists())
        self.assertTrue(
            AuditEvent.objects.filter(action="share", object_type="case", object_id=self.case.pk)
        )
        self.assertContains(response, "Gedeeld met partners")

    def test_sharing_without_agreement_or_legal_basis_is_refused(self):
        response = self.share(agreement="")
        self.assertContains(
            response, "convenant of een wettelijke grondslag nodig", status_code=400
        )
        self.assert_nothing_shared()

    def test_sharing_under_an_expired_agreement_is_refused(self):
        self.agreement.valid_until = date(2025, 12, 31)
        self.agreement.save()
        response = self.share()
        self.assertContains(
            response, "niet geldig (verlopen of nog niet ingegaan)", status_code=400
        )
        self.assert_nothing_shared()

    def test_sharing_a_data_category_the_agreement_does_not_cover_is_refused(self):
        response = self.share(data_categories=["signal", "address"])
        self.assertContains(response, "dekt deze gegevens niet: adresgegevens", status_code=400)
        self.assert_nothing_shared()

    def test_an_agreement_with_another_partner_does_not_cover_this_one(self):
        riec = make_agreement(self.dinkelland, "RIEC Oost-Nederland", name="Alleen RIEC")
        response = self.share(agreement=riec.pk)
        self.assertContains(response, "geldt niet voor Politie", status_code=400)
        self.assert_nothing_shared()

    def test_a_legal_basis_alone_may_carry_a_share(self):
        response = self.share(agreement="", legal_basis="Art. 13b Opiumwet jo. art. 6 lid 1e AVG")
        self.assertContains(response, "De casus is gedeeld.")
        self.assertEqual(CaseShare.objects.get().legal_basis[:13], "Art. 13b Opiu")

    def test_ending_a_share_keeps_the_row_and_ends_access(self):
        self.share()
        share = CaseShare.objects.get()
        self.client.post(
            reverse("portal:unshare", args=["GM1774", self.case.pk]), {"share": share.pk}
        )
        share.refresh_from_db()
        self.assertIsNotNone(share.ended_at)
        with self.assertRaisesMessage(ValidationError, "al beëindigd"):
            actions.end_share(share, actor=self.advisor, request=None)

    def test_the_same_partner_is_not_given_two_open_shares(self):
        self.share()
        response = self.share()
        self.assertContains(response, "al gedeeld met Politie", status_code=400)
        self.assertEqual(CaseShare.objects.count(), 1)

    def test_a_disclosure_is_stored_with_its_audit_event_or_not_at_all(self):
        from unittest import mock

        from noaber.registry.actions import disclose

        data = {
            "recipient": self.politie, "agreement": self.agreement, "purpose": "x",
            "data_categories": ["signal"], "shared": "y",
        }  # fmt: skip
        with (
            mock.patch("noaber.registry.actions.record", side_effect=RuntimeError("log down")),
            self.assertRaises(RuntimeError),
        ):
            disclose(self.case.signals.get(), data, actor=self.advisor, request=None)
        self.assertFalse(Disclosure.objects.exists())
