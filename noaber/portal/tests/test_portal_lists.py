"""The portal's own lists: the shared cases and the open tasks of the partner's organisation,
selected in SQL by the same rules as CaseShare.in_force_on and agreement_covers, and paged."""

from datetime import date, timedelta
from itertools import product

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from noaber.accounts.models import Organisation
from noaber.accounts.tests.base import NoaberTestCase
from noaber.audit.models import AuditEvent
from noaber.cases.models import CLOSED, Case, CaseType, Task
from noaber.partners.models import agreement_covers
from noaber.partners.tests.factories import make_agreement
from noaber.portal.models import CaseShare
from noaber.portal.views import partner_tasks, shares_in_force

PAGE = 2


class PortalListTests(NoaberTestCase):
    def setUp(self):
        self.politie = Organisation.objects.get(name="Politie")
        self.today = timezone.localdate()
        self.kind = CaseType.objects.get(code="riec")

    def case(self, status="open", municipality=None):
        return Case.objects.create(
            municipality=municipality or self.dinkelland, case_type=self.kind,
            title="Casus", owner=self.advisor, status=status,
        )  # fmt: skip

    def agreements(self):
        """None, and agreements valid, expired, not yet valid, naming another partner only,
        naming another municipality only."""
        valid = make_agreement(self.dinkelland, "Politie", name="geldig")
        expired = make_agreement(self.dinkelland, "Politie", name="verlopen",
                                 valid_until=self.today - timedelta(days=1))  # fmt: skip
        future = make_agreement(self.dinkelland, "Politie", name="toekomst")
        future.valid_from = self.today + timedelta(days=1)
        future.save()
        other_partner = make_agreement(self.dinkelland, "Belastingdienst", name="ander")
        other_place = make_agreement(self.tubbergen, "Politie", name="elders")
        return [None, valid, expired, future, other_partner, other_place]

    def test_the_shares_listed_are_exactly_those_in_force(self):
        keep = [None, self.today - timedelta(days=1), self.today, self.today + timedelta(days=9)]
        for agreement, status, keep_until, ended in product(
            self.agreements(), ["open", CLOSED], keep, [False, True]
        ):
            CaseShare.objects.create(
                case=self.case(status), organisation=self.politie, agreement=agreement,
                legal_basis="" if agreement else "Art. 6 lid 1e AVG", purpose="Doel",
                shared_by=self.advisor, keep_until=keep_until,
                ended_at=timezone.now() if ended else None,
            )  # fmt: skip
        # A share of another municipality's case is never this portal's.
        CaseShare.objects.create(case=self.case(municipality=self.tubbergen),
                                 organisation=self.politie, purpose="Doel",
                                 shared_by=self.advisor)  # fmt: skip
        expected = {
            s.pk
            for s in CaseShare.objects.filter(case__municipality=self.dinkelland)
            if s.in_force_on(self.today)
        }
        listed = set(shares_in_force(self.dinkelland, self.politie).values_list("pk", flat=True))
        self.assertEqual(listed, expected)
        # Not ended, on no agreement or the valid one (2), and: an open case with no keep date
        # or one not past (3), a closed case kept open to a date not past (2).
        self.assertEqual(len(expected), 2 * (3 + 2))
        self.assertFalse(shares_in_force(self.dinkelland, None).exists())

    def test_the_tasks_listed_are_exactly_those_whose_agreement_covers_them(self):
        for agreement, status, withdrawn in product(
            self.agreements(), ["open", CLOSED], [False, True]
        ):
            Task.objects.create(
                case=self.case(status), title="Taak", due_date=self.today,
                owner_organisation=self.politie, agreement=agreement,
                withdrawn_at=timezone.now() if withdrawn else None,
            )  # fmt: skip
        expected = {
            t.pk
            for t in Task.objects.filter(withdrawn_at__isnull=True)
            .exclude(case__status=CLOSED)
            .select_related("agreement")
            if t.agreement is not None
            and agreement_covers(t.agreement, self.politie.pk, self.dinkelland.pk, self.today)
        }
        listed = set(partner_tasks(self.dinkelland, self.politie).values_list("pk", flat=True))
        self.assertEqual(listed, expected)
        self.assertEqual(len(expected), 1)  # the valid agreement, open case, not withdrawn

    @override_settings(NOABER_PAGE_SIZE=PAGE)
    def test_both_lists_page_and_a_bad_page_is_refused_in_dutch(self):
        agreement = make_agreement(self.dinkelland, "Politie")
        shares, tasks = [], []
        for i in range(5):
            case = self.case()
            shares.append(CaseShare.objects.create(
                case=case, organisation=self.politie, agreement=agreement, purpose=f"Doel {i}",
                shared_by=self.advisor))  # fmt: skip
            tasks.append(Task.objects.create(
                case=case, title=f"Taak {i}", due_date=date(2026, 12, 1) + timedelta(days=5 - i),
                owner_organisation=self.politie, agreement=agreement))  # fmt: skip
        self.sign_in(self.partner)
        url = reverse("portal:portal", args=["GM1774"])
        for key, expected in (
            ("shares", [s.pk for s in reversed(shares)]),  # newest share first
            ("tasks", [t.pk for t in reversed(tasks)]),  # soonest due first
        ):
            response, seen = self.client.get(url), []
            while True:
                self.assertEqual(response.status_code, 200)
                listing = response.context[key]
                seen += [item.pk for item in listing]
                if "next" not in listing.links:
                    break
                response = self.client.get(url + listing.links["next"])
            self.assertEqual(seen, expected)
            self.assertContains(response, "5–5 van 5")
        event = AuditEvent.objects.filter(object_type="partner_portal").latest("pk")
        self.assertLessEqual(len(event.detail["cases"]), PAGE)
        bad = self.client.get(url, {"c_pagina": "abc", "t_sorteer": "titel"})
        self.assertEqual(bad.status_code, 400)
        self.assertContains(bad, "Deze lijst kan niet sorteren op „titel”", status_code=400)
        self.assertEqual(len(bad.context["shares"]), PAGE)  # page 1, not nothing
        self.assertEqual(len(bad.context["tasks"]), PAGE)
