"""Sharing agreements: recorded with their signed document, refused when they make no sense."""

import hashlib
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfWriter

from noaber.accounts.models import Organisation
from noaber.accounts.tests.base import NoaberTestCase
from noaber.audit.models import AuditEvent
from noaber.partners.models import SharingAgreement
from noaber.partners.suggest import suggest_partners
from noaber.themes.models import Theme

from .factories import make_agreement


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def url(name, *args, code="GM1774"):
    return reverse(f"partners:{name}", args=[code, *args])


class AgreementTests(NoaberTestCase):
    def setUp(self):
        self.politie = Organisation.objects.get(name="Politie")
        self.riec = Organisation.objects.get(name="RIEC Oost-Nederland")
        self.sign_in(self.advisor)

    def form(self, **changes):
        return {
            "name": "RIEC-convenant Oost-Nederland 2024",
            "organisations": [self.politie.pk, self.riec.pk],
            "purpose": "Gezamenlijke aanpak ondermijning",
            "legal_basis": "Art. 6 lid 1e AVG; RIEC-convenant",
            "data_categories": ["signal", "identity", "address"],
            "valid_from": "2024-01-01",
            "valid_until": "2027-12-31",
        } | changes

    def test_an_agreement_with_its_signed_document_is_recorded_and_audited(self):
        content = pdf_bytes()
        document = SimpleUploadedFile("convenant.pdf", content, "application/pdf")
        response = self.client.post(url("agreement_create"), self.form(document=document))
        agreement = SharingAgreement.objects.get()
        self.assertRedirects(response, url("agreement", agreement.pk))
        self.assertEqual(set(agreement.organisations.all()), {self.politie, self.riec})
        self.assertEqual(list(agreement.municipalities.all()), [self.dinkelland])
        self.assertEqual(agreement.document_sha256, hashlib.sha256(content).hexdigest())
        event = AuditEvent.objects.get(object_type="agreement", action="create")
        self.assertEqual(event.detail["sha256"], agreement.document_sha256)
        page = self.client.get(url("agreement", agreement.pk))
        self.assertContains(page, "geldig")
        self.assertContains(page, "convenant.pdf")
        download = self.client.get(url("agreement_document", agreement.pk))
        self.assertEqual(b"".join(download.streaming_content), content)
        self.assertIn("attachment", download["Content-Disposition"])
        self.assertTrue(AuditEvent.objects.filter(object_type="agreement_document").exists())

    def test_a_replaced_document_is_kept_as_an_earlier_version_with_its_hash(self):
        first, second = pdf_bytes(), pdf_bytes() + b"\n% getekend addendum\n"
        document = SimpleUploadedFile("convenant.pdf", first, "application/pdf")
        self.client.post(url("agreement_create"), self.form(document=document))
        agreement = SharingAgreement.objects.get()
        first_file = agreement.document.name
        document = SimpleUploadedFile("addendum.pdf", second, "application/pdf")
        response = self.client.post(
            url("agreement_edit", agreement.pk), self.form(document=document)
        )
        self.assertRedirects(response, url("agreement", agreement.pk))
        agreement.refresh_from_db()
        earlier = agreement.document_versions.get()
        self.assertEqual(
            (earlier.version, earlier.document.name, earlier.document_sha256, earlier.replaced_by),
            (1, first_file, hashlib.sha256(first).hexdigest(), self.advisor),
        )
        self.assertEqual(agreement.document_sha256, hashlib.sha256(second).hexdigest())
        page = self.client.get(url("agreement", agreement.pk))
        self.assertContains(page, "Eerdere versies")
        self.assertContains(page, "versie 1")
        download = self.client.get(url("agreement_document_version", agreement.pk, earlier.pk))
        self.assertEqual(b"".join(download.streaming_content), first)
        read = AuditEvent.objects.filter(object_type="agreement_document").latest("pk")
        self.assertEqual(read.detail["sha256"], earlier.document_sha256)
        other = url("agreement_document_version", agreement.pk, earlier.pk, code="GM0183")
        self.assertEqual(self.client.get(other).status_code, 404)

    def test_bad_input_gets_a_dutch_error_and_saves_nothing(self):
        fake = SimpleUploadedFile("convenant.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
        broken = SimpleUploadedFile("convenant.pdf", b"%PDF-1.7\n garbage", "application/pdf")
        cases = [
            (self.form(valid_until="2023-01-01"), "De einddatum ligt vóór de begindatum."),
            (self.form(organisations=[]), "Dit veld is vereist"),
            (self.form(data_categories=[]), "Dit veld is vereist"),
            (self.form(data_categories=["everything"]), "is geen beschikbare keuze"),
            (self.form(document=fake), "Het document is geen PDF-bestand."),
            (self.form(document=broken), "Het document is een beschadigde PDF."),
            (self.form(valid_from="31-02-2024"), "Voer een geldige datum in"),
        ]
        for data, message in cases:
            with self.subTest(message=message):
                response = self.client.post(url("agreement_create"), data)
                self.assertContains(response, message)
                self.assertFalse(SharingAgreement.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(object_type="agreement").exists())

    def test_editing_keeps_what_was_shared_and_bumps_the_version(self):
        agreement = make_agreement(self.dinkelland, "Politie")
        response = self.client.post(
            url("agreement_edit", agreement.pk),
            self.form(name="Politieconvenant", data_categories=["signal"]),
        )
        self.assertRedirects(response, url("agreement", agreement.pk))
        agreement.refresh_from_db()
        self.assertEqual(
            (agreement.name, agreement.data_categories), ("Politieconvenant", ["signal"])
        )
        self.assertEqual(agreement.version, 2)
        event = AuditEvent.objects.get(object_type="agreement", action="update")
        self.assertIn("data_categories", event.detail["changed"])

    def test_an_agreement_shared_with_another_municipality_is_changed_only_by_who_manages_both(
        self,
    ):
        agreement = make_agreement(self.tubbergen, "Politie", "Schakel", categories=["signal"])
        agreement.municipalities.add(self.dinkelland)
        tim = self.advisor_tubbergen
        self.sign_in(tim)
        response = self.client.post(
            url("agreement_edit", agreement.pk, code="GM0183"),
            self.form(organisations=[self.politie.pk], valid_until="2099-12-31"),
        )
        self.assertContains(response, "waar u het niet mag beheren")
        agreement.refresh_from_db()
        self.assertEqual(agreement.data_categories, ["signal"])
        # Anouk manages both: she may, and Schakel (Dinkelland only) stays a party.
        self.sign_in(self.advisor)
        response = self.client.post(
            url("agreement_edit", agreement.pk, code="GM0183"),
            self.form(organisations=[self.politie.pk]),
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(
            set(agreement.organisations.values_list("name", flat=True)), {"Politie", "Schakel"}
        )

    def test_an_expired_agreement_is_shown_as_expired(self):
        from datetime import date

        make_agreement(self.dinkelland, "Politie", valid_until=date(2025, 1, 1), name="Oud")
        self.assertContains(self.client.get(url("agreements")), "verlopen")

    def test_the_privacy_officer_reads_but_does_not_record_agreements(self):
        agreement = make_agreement(self.dinkelland, "Politie")
        self.sign_in(self.privacy)
        self.assertEqual(self.client.get(url("agreement", agreement.pk)).status_code, 200)
        self.assertEqual(self.client.get(url("agreement_create")).status_code, 403)

    def test_an_agreement_of_another_municipality_is_a_404(self):
        agreement = make_agreement(self.tubbergen, "Politie")
        self.assertEqual(self.client.get(url("agreement", agreement.pk)).status_code, 404)
        self.assertEqual(self.client.get(url("agreement_edit", agreement.pk)).status_code, 404)


class SuggestionTests(NoaberTestCase):
    def test_partners_working_on_the_theme_come_first_with_their_reasons(self):
        theme = Theme.objects.get(code="5.2", municipality__isnull=True)
        make_agreement(self.dinkelland, "RIEC Oost-Nederland")
        rows = suggest_partners(self.dinkelland, [theme], limit=50)
        names = [r["organisation"].name for r in rows]
        self.assertIn("RIEC Oost-Nederland", names)
        self.assertNotIn("Halt", names)
        self.assertNotIn("Team Veiligheid (Toezicht, Handhaving en Veiligheid)", names)
        riec = rows[names.index("RIEC Oost-Nederland")]
        self.assertIn(
            "werkt op thema 5.2 Georganiseerde / ondermijnende criminaliteit", riec["reasons"]
        )
        self.assertIn(
            "werkt aan prioriteit Ondermijning en gedigitaliseerde criminaliteit", riec["reasons"]
        )
        self.assertEqual([a.name for a in riec["agreements"]], ["RIEC-convenant"])
        # Partners only on the priority rank after those on the theme itself.
        first_priority_only = next(i for i, r in enumerate(rows) if not r["score"][0])
        self.assertTrue(all(r["score"][0] for r in rows[:first_priority_only]))

    def test_youth_nuisance_suggests_halt(self):
        theme = Theme.objects.get(code="3.1", municipality__isnull=True)
        names = [r["organisation"].name for r in suggest_partners(self.dinkelland, [theme])]
        self.assertIn("Halt", names)
        self.assertNotIn("RIEC Oost-Nederland", names)

    def test_the_signal_page_shows_the_suggestions(self):
        from noaber.partners.tests.factories import make_case

        case = make_case(self.dinkelland, self.advisor)
        self.sign_in(self.advisor)
        signal = case.signals.get()
        page = self.client.get(reverse("registry:signal", args=["GM1774", signal.pk]))
        self.assertContains(page, "Partners om bij te betrekken")
        self.assertContains(page, "RIEC Oost-Nederland")
        page = self.client.get(reverse("cases:case", args=["GM1774", case.pk]), {"sectie": "delen"})
        self.assertContains(page, "Geen geldig convenant")
