import io

from django.core import mail
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from PIL import Image
from pypdf import PdfWriter

from noaber.accounts.tests.base import NoaberTestCase
from noaber.audit.models import AuditEvent
from noaber.intake.attachments import MAX_BYTES
from noaber.intake.models import Attachment, Report, ThrottleHit
from noaber.intake.tasks import notify_new_report

from .helpers import REPORT_URL, form_data, jpeg_with_gps, pdf, png


class PublicFormTests(NoaberTestCase):
    def submit(self, **overrides):
        files = overrides.pop("files", None)
        data = form_data(**overrides)
        if files is not None:
            data["attachments"] = files
        return self.client.post(REPORT_URL, data)

    def assert_nothing_stored(self, response, message):
        self.assertEqual(response.status_code, 200)
        text = response.content.decode()
        self.assertTrue(message in text, f"missing: {message}")
        self.assertTrue("Er is iets niet in orde" in text, "no error summary")
        self.assertEqual(Report.objects.count(), 0)
        self.assertEqual(Attachment.objects.count(), 0)

    def test_form_works_without_login_and_offers_categories_areas_and_vizier(self):
        response = self.client.get(REPORT_URL)
        self.assertContains(response, "Melding doen in Dinkelland")
        self.assertContains(response, '<optgroup label="Ondermijning">')
        self.assertContains(response, "Mensenhandel en uitbuiting")
        self.assertContains(response, "Sextortion")
        self.assertContains(response, "Ootmarsum")
        self.assertContains(response, "Buitengebied")
        self.assertContains(response, "Stichting Vizier")
        self.assertIn("no-store", response["Cache-Control"])

    def test_anonymous_report_is_stored_with_a_receipt_shown_once(self):
        self.advisor.email = "anouk@example.nl"
        self.advisor.save(update_fields=["email"])
        with self.captureOnCommitCallbacks(execute=True):
            response = self.submit(area=str(self.dinkelland.areas.get(name="Buitengebied").pk))
        self.assertEqual(response.status_code, 201)
        self.assertIn("no-store", response["Cache-Control"])
        receipt = response.context["result"].receipt
        self.assertRegex(receipt, r"^([0-9A-HJKMNP-TV-Z]{4}-){4}[0-9A-HJKMNP-TV-Z]{4}$")
        self.assertContains(response, receipt, status_code=201)
        report = Report.objects.get()
        self.assertEqual(
            (report.source, report.channel, report.status), ("anonymous", "web", "received")
        )
        self.assertTrue(report.receipt_hash.startswith("$argon2id$"))
        self.assertEqual(report.receipt_locator, receipt[:4])
        secret = receipt.replace("-", "")[4:]
        event = AuditEvent.objects.get(object_type="report", action="create")
        self.assertEqual(event.origin, "public")
        for text in [event.canonical().decode(), str(report.__dict__)]:
            self.assertNotIn(secret, text)
            self.assertNotIn("127.0.0.1", text)
        # The advisors get a notice (queued, then sent by the worker) without any content.
        queued = DBTaskResult.objects.filter(task_path=notify_new_report.module_path)
        self.assertEqual(queued.count(), 1)
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(notify_new_report.call(report.pk), 1)
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["anouk@example.nl"])
        self.assertNotIn("schuur", mail.outbox[0].body)
        self.assertIn(report.number, mail.outbox[0].body)

    def test_sending_the_same_form_twice_stores_one_report(self):
        token = "een-eenmalig-formuliertoken-1234"
        first = self.submit(submission=token)
        second = self.submit(submission=token)
        self.assertEqual(first.status_code, 201)
        self.assertEqual(second.status_code, 200)
        self.assertContains(second, "Deze melding hadden wij al ontvangen")
        self.assertEqual(Report.objects.count(), 1)

    def test_empty_description_is_refused(self):
        self.assert_nothing_stored(self.submit(description="   "), "Dit veld is vereist.")

    def test_over_long_description_is_refused(self):
        self.assert_nothing_stored(self.submit(description="x" * 5001), "niet meer dan 5000 tekens")

    def test_unknown_category_is_refused(self):
        self.assert_nothing_stored(self.submit(category="geheim"), "Selecteer een geldige keuze")

    def test_invalid_postcode_is_refused(self):
        for bad in ("123AB", "0591AB", "7591 SS", "AB 1234"):
            with self.subTest(bad=bad):
                self.assert_nothing_stored(
                    self.submit(postcode=bad, house_number="12"), "Vul een geldige postcode in"
                )

    def test_invalid_house_number_is_refused(self):
        for bad, message in (
            ("0", "huisnummer is een getal"),
            ("100000", "huisnummer is een getal"),
            ("twaalf", "Voer een geheel getal in"),
        ):
            with self.subTest(bad=bad):
                self.assert_nothing_stored(
                    self.submit(postcode="7591AB", house_number=bad), message
                )

    def test_address_is_normalised(self):
        self.submit(postcode="7591 ab", house_number="12", house_number_addition="a")
        report = Report.objects.get()
        self.assertEqual((report.postcode, report.house_number), ("7591AB", 12))

    def test_map_point_outside_the_municipality_is_refused(self):
        # Enschede lies south of Dinkelland.
        self.assert_nothing_stored(
            self.submit(latitude="52.220000", longitude="6.890000"),
            "Dit punt ligt buiten de gemeente Dinkelland",
        )

    def test_map_point_inside_the_municipality_is_kept(self):
        # Ootmarsum.
        self.assertEqual(self.submit(latitude="52.408000", longitude="6.900000").status_code, 201)
        self.assertEqual(str(Report.objects.get().latitude), "52.408000")

    def test_an_area_of_another_municipality_is_refused(self):
        tubbergen_area = self.tubbergen.areas.get(name="Albergen")
        self.assert_nothing_stored(
            self.submit(area=str(tubbergen_area.pk)), "Selecteer een geldige keuze"
        )

    def test_contact_details_need_the_reporters_choice(self):
        self.assert_nothing_stored(
            self.submit(contact_email="melder@example.nl"), "Vink aan dat u ze wilt delen"
        )
        response = self.submit(contact_consent="on", contact_email="melder@example.nl")
        self.assertEqual(response.status_code, 201)
        report = Report.objects.get()
        self.assertEqual((report.source, report.contact_email), ("resident", "melder@example.nl"))

    def test_html_and_script_are_stored_as_text_and_shown_escaped(self):
        script = '<script>alert("x")</script><b>vet</b>'
        self.submit(description=script)
        report = Report.objects.get()
        self.assertEqual(report.description, script)
        self.sign_in(self.advisor)
        page = self.client.get(reverse("intake:detail", args=["GM1774", report.pk]))
        self.assertNotContains(page, "<script>alert")
        self.assertContains(page, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;")

    def test_photo_metadata_is_removed_before_storage(self):
        upload = jpeg_with_gps()
        with Image.open(io.BytesIO(upload.read())) as original:
            self.assertIn(0x8825, original.getexif())  # the fixture really has GPS
        upload.seek(0)
        self.assertEqual(self.submit(files=[upload, pdf()]).status_code, 201)
        stored = Attachment.objects.get(content_type="image/jpeg")
        with stored.file.open("rb") as handle:
            data = handle.read()
        with Image.open(io.BytesIO(data)) as image:
            self.assertEqual(dict(image.getexif()), {})
            self.assertNotIn("exif", image.info)
            self.assertEqual(image.size, (64, 48))
        self.assertNotIn(b"Telefoon van de melder", data)
        self.assertNotIn("schuur", stored.file.name)
        stored_pdf = Attachment.objects.get(content_type="application/pdf")
        with stored_pdf.file.open("rb") as handle:
            pdf_bytes = handle.read()
        self.assertTrue(pdf_bytes.startswith(b"%PDF-"))
        self.assertNotIn(b"Jan Jansen", pdf_bytes)
        self.assertNotIn(b"Tekstverwerker", pdf_bytes)

    def test_a_broken_or_encrypted_pdf_is_refused(self):
        broken = pdf("kapot.pdf")
        broken.file = io.BytesIO(b"%PDF-1.7\n" + b"\x00garbage" * 50)
        broken.size = 510
        self.assert_nothing_stored(self.submit(files=[broken]), "beschadigd of onvolledig")
        writer = PdfWriter()
        writer.add_blank_page(100, 100)
        writer.encrypt("geheim")
        out = io.BytesIO()
        writer.write(out)
        locked = pdf("slot.pdf")
        locked.file, locked.size = io.BytesIO(out.getvalue()), len(out.getvalue())
        self.assert_nothing_stored(self.submit(files=[locked]), "Versleutelde pdf")

    def test_an_executable_renamed_to_jpg_is_refused(self):
        fake = jpeg_with_gps("foto.jpg")
        fake.file = io.BytesIO(b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200)
        fake.size = 208
        self.assert_nothing_stored(self.submit(files=[fake]), "geen geldige foto of pdf")

    def test_a_decompression_bomb_is_refused(self):
        out = io.BytesIO()
        Image.new("1", (10000, 10000)).save(out, format="PNG")  # 100 megapixel, a few kB
        bomb = png("bom.png")
        bomb.file, bomb.size = io.BytesIO(out.getvalue()), len(out.getvalue())
        self.assertLess(bomb.size, 100_000)
        self.assert_nothing_stored(self.submit(files=[bomb]), "Deze afbeelding is te groot")

    def test_too_many_files_are_refused(self):
        self.assert_nothing_stored(
            self.submit(files=[png(f"f{i}.png") for i in range(4)]), "hoogstens 3 bestanden"
        )

    def test_a_too_large_file_is_refused(self):
        big = pdf("groot.pdf")
        big.file = io.BytesIO(b"%PDF-1.4\n" + b"0" * MAX_BYTES + b"\n%%EOF\n")
        big.size = MAX_BYTES + 16
        self.assert_nothing_stored(self.submit(files=[big]), "hoogstens 10 MB")

    def test_reports_are_throttled_per_client_with_a_dutch_message(self):
        for _ in range(10):
            self.assertEqual(self.submit().status_code, 201)
        response = self.submit()
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "te vaak geprobeerd", status_code=429)
        self.assertEqual(Report.objects.count(), 10)
        # The throttle keeps a keyed digest, never the address.
        self.assertFalse(ThrottleHit.objects.filter(client__contains="127.0.0.1").exists())
        self.assertEqual(len(ThrottleHit.objects.first().client), 64)


class ReporterDataAtRestTests(NoaberTestCase):
    def test_description_and_contact_details_are_encrypted_in_the_database(self):
        from django.db import connection

        self.client.post(
            REPORT_URL,
            form_data(
                description="Busjes bij de schuur.",
                contact_consent="on",
                contact_name="Marieke Melder",
                contact_email="marieke@example.nl",
            ),
        )
        report = Report.objects.get()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT description, contact_name, contact_email FROM intake_report WHERE id = %s",
                [report.pk],
            )
            raw = cursor.fetchone()
        self.assertTrue(all(value.startswith("enc1:") for value in raw))
        self.assertNotIn("Marieke", "".join(raw))
        self.assertEqual(report.contact_name, "Marieke Melder")
