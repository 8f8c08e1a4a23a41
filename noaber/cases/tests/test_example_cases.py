"""The plan's three example cases (PRODUCT.md), end to end through the HTTP layer."""

import json
from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from noaber.accounts.models import Organisation
from noaber.accounts.tests.base import NoaberTestCase
from noaber.audit.chain import verify_all
from noaber.audit.models import AuditEvent
from noaber.cases.models import Case, CaseResult, CaseType, InterventionType, Meeting
from noaber.intake.models import Report
from noaber.intake.tests.helpers import REPORT_URL, form_data
from noaber.partners.models import SharingAgreement
from noaber.registry.models import Signal, Subject

M = "GM1774"


def case_url(name, *args):
    return reverse(f"cases:{name}", args=[M, *args])


def register_url(name, *args):
    return reverse(f"registry:{name}", args=[M, *args])


class ExampleCaseTests(NoaberTestCase):
    def close(self, case, result_code, public_text):
        case.refresh_from_db()
        result = CaseResult.objects.get(case_type=case.case_type, code=result_code)
        self.client.post(
            case_url("step", case.pk, "close"),
            {
                "result": result.pk,
                "text": "Afgerond.",
                "public_text": public_text,
                "version": case.version,
            },
        )
        case.refresh_from_db()
        self.assertTrue(case.is_closed)

    def step(self, case, step, data):
        """Post a step's form as the case page offers it: with the case's current version."""
        case.refresh_from_db()
        response = self.client.post(
            case_url("step", case.pk, step), data | {"version": case.version}
        )
        self.assertEqual(response.status_code, 302, response.content.decode()[:2000])
        case.refresh_from_db()

    def reporter_sees(self, receipt, text):
        reporter = self.client_class()
        reporter.post(reverse("intake:follow_up_start"), {"receipt": receipt})
        page = reporter.get(reverse("intake:follow_up"))
        self.assertContains(page, "afgehandeld")
        self.assertContains(page, text)

    def test_1_ondermijning_the_barn_ends_in_a_13b_closure_and_reporters_hear_back(self):
        receipts = [
            self.client.post(REPORT_URL, form_data(description=f"Schuur, nacht {i}."))
            .context["result"]
            .receipt
            for i in range(2)
        ]
        self.sign_in(self.employee)
        self.client.post(
            reverse("intake:internal", args=[M]),
            form_data(description="Niet pluis: vaten bij schuur."),
        )
        self.client.logout()
        self.sign_in(self.advisor)
        reports = list(Report.objects.values_list("pk", flat=True))
        self.client.post(register_url("inbox"), {"bulk": "register", "report": reports})
        signal = Signal.objects.get()
        self.client.post(
            register_url("subject_add", signal.pk),
            {
                "kind": "address",
                "postcode": "7591 AB",
                "house_number": "12",
                "label": "Schuur Hoofdweg",
                "step": "new",
            },
        )
        self.assertEqual(Subject.objects.get().postcode, "7591AB")
        riec_type = CaseType.objects.get(code="riec")
        self.client.post(
            case_url("list"),
            {"case_type": riec_type.pk, "title": "Schuur Hoofdweg", "signal": signal.pk},
        )
        case = Case.objects.get()
        politie = Organisation.objects.get(name="Politie")
        agreement = SharingAgreement.objects.create(
            name="RIEC-convenant",
            purpose="ondermijning",
            legal_basis="convenant",
            data_categories=["address", "signal"],
            valid_from=date(2024, 1, 1),
        )
        agreement.organisations.add(politie)
        agreement.municipalities.add(self.dinkelland)
        self.client.post(
            register_url("disclose", signal.pk),
            {
                "recipient": politie.pk,
                "agreement": agreement.pk,
                "purpose": "Voorbereiding inval",
                "data_categories": ["address", "signal"],
                "shared": "Adres en signaal",
                "decided_on": timezone.localdate(),
            },
        )
        self.client.post(
            case_url("step", case.pk, "status"), {"status": "onderzoek", "version": case.version}
        )
        case.refresh_from_db()
        self.step(
            case,
            "intervention",
            {
                "kind": InterventionType.objects.get(code="sluiting_13b").pk,
                "decided_on": timezone.localdate(),
                "decided_by": "burgemeester",
                "follow_up": "Buurt informeren",
            },
        )
        self.close(case, "maatregel", "Het pand is gesloten. Dank voor uw melding.")
        for receipt in receipts:
            self.reporter_sees(receipt, "Het pand is gesloten.")
        kinds = list(case.timeline.values_list("kind", flat=True))
        for kind in ("status", "disclosure", "intervention", "closing"):
            self.assertIn(kind, kinds)
        self.assertTrue(AuditEvent.objects.filter(action="share", object_type="signal").exists())
        self.assertTrue(verify_all().ok)

    def test_2_maatschappelijke_onrust_police_signal_driehoek_and_measures(self):
        from noaber.accounts.partner_keys import create_partner_token

        politie = Organisation.objects.get(name="Politie")
        _token, key = create_partner_token(politie, [self.dinkelland], "Signalen", actor=self.admin)
        response = self.client.post(
            reverse("intake:api_partner_signal"),
            json.dumps(
                {
                    "municipality": M,
                    "category": "polarisatie",
                    "source": "police",
                    "description": "Online oproep tot demonstratie zaterdag bij het gemeentehuis.",
                }
            ),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {key}",
        )
        self.assertEqual(response.status_code, 201)
        self.sign_in(self.advisor)
        self.client.post(
            register_url("inbox"), {"bulk": "register", "report": [Report.objects.get().pk]}
        )
        signal = Signal.objects.get()
        self.assertEqual(signal.source_type, "partner")
        onrust = CaseType.objects.get(code="onrust")
        self.client.post(
            case_url("list"),
            {"case_type": onrust.pk, "title": "Demonstratie zaterdag", "signal": signal.pk},
        )
        case = Case.objects.get()
        self.client.post(
            case_url("meetings"),
            {"kind": "driehoek", "held_on": timezone.localdate(), "partners": [politie.pk]},
        )
        meeting = Meeting.objects.get()
        self.client.post(
            case_url("meeting_step", meeting.pk, "agenderen"),
            {"case": case.pk, "shared_with": [politie.pk]},
        )
        self.client.post(
            case_url("meeting_item_step", meeting.pk, meeting.agenda.get().pk, "besluit"),
            {"text": "Dialoog met bewoners; extra boa's en politie."},
        )
        self.step(
            case,
            "intervention",
            {
                "kind": InterventionType.objects.get(code="toezicht").pk,
                "decided_on": timezone.localdate(),
                "decided_by": "burgemeester",
                "follow_up": "Boa's zaterdag 12-18 uur",
            },
        )
        self.client.post(
            case_url("step", case.pk, "status"), {"status": "uitvoering", "version": case.version}
        )
        self.close(case, "rustig", "De demonstratie is rustig verlopen.")
        kinds = list(case.timeline.values_list("kind", flat=True))
        self.assertIn("meeting", kinds)
        self.assertIn("intervention", kinds)
        self.assertEqual(Report.objects.get().status, "closed")

    def test_3_zorg_en_veiligheid_repeated_nuisance_about_one_person(self):
        receipts = [
            self.client.post(
                REPORT_URL,
                form_data(
                    category="overlast-onbegrepen-gedrag",
                    description=f"Verwarde buurman schreeuwt, keer {i}.",
                ),
            )
            .context["result"]
            .receipt
            for i in range(3)
        ]
        self.sign_in(self.advisor)
        self.client.post(
            register_url("inbox"),
            {"bulk": "register", "report": list(Report.objects.values_list("pk", flat=True))},
        )
        signal = Signal.objects.get()
        self.client.post(
            register_url("subject_add", signal.pk),
            {
                "kind": "person",
                "label": "Piet Buurman",
                "birth_date": "1970-01-01",
                "step": "new",
                "role": "betrokkene",
            },
        )
        pga = CaseType.objects.get(code="pga")
        self.client.post(
            case_url("list"),
            {"case_type": pga.pk, "title": "Buurman Dorpsstraat", "signal": signal.pk},
        )
        case = Case.objects.get()
        zvh = Organisation.objects.filter(
            kind="municipal_team", municipalities=self.dinkelland
        ).first()
        self.step(
            case,
            "task",
            {
                "title": "Integraal plan opstellen",
                "due_date": timezone.localdate() + timedelta(days=14),
                "organisation": zvh.pk,
            },
        )
        task = case.tasks.get()
        self.assertEqual(task.owner_organisation, zvh)
        self.step(case, "note", {"text": "Straat is weer rustig."})
        # A PGA case is closed from 'in uitvoering' at the earliest, its tasks done.
        self.step(case, "status", {"status": "onderzoek"})
        self.step(case, "status", {"status": "uitvoering"})
        done = self.client.post(
            case_url("task_complete", case.pk, task.pk),
            {"result": "Plan vastgesteld met de buurman.", "version": case.version},
        )
        self.assertRedirects(done, case_url("case", case.pk) + "?sectie=taken")
        self.close(case, "plan_uitgevoerd", "Er is hulp ingezet; het is weer rustig in de straat.")
        for receipt in receipts:
            self.reporter_sees(receipt, "het is weer rustig")
        page = self.client.get(case_url("case", case.pk), {"sectie": "tijdlijn"})
        self.assertContains(page, "Straat is weer rustig.")
        self.assertTrue(verify_all().ok)
