"""Key rotation covers every encrypted value there is: the fields are found from the models.
One row of every model with an encrypted field gets a value in every such field under the old
key; after rotation, with the old key removed, every value reads back. A model that gains an
encrypted field but no row here fails this test until one is added below."""

import base64
from datetime import date
from io import StringIO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from noaber.accounts.models import IdentityProvider
from noaber.accounts.tests.base import NoaberTestCase
from noaber.archive.models import DestructionList, DestructionListItem
from noaber.audit.models import AuditEvent
from noaber.cases import actions as case_actions
from noaber.cases.models import (
    AgendaItem,
    CaseType,
    Decision,
    Intervention,
    InterventionType,
    Task,
)
from noaber.insight.models import Alert
from noaber.intake.models import Attachment, Message
from noaber.lib.crypto import encrypted_fields
from noaber.lib.files import file_fields
from noaber.partners.models import DocumentVersion, SharingAgreement
from noaber.portal.models import CaseShare
from noaber.registry import actions as registry_actions
from noaber.registry.models import (
    DisclosureEnd,
    ExportRelease,
    PrivacyCheck,
    SourceCheck,
    SubjectRequest,
)
from noaber.zgw.models import ApiClient

from .helpers import make_signal

NEW_KEY = "k2027:" + base64.b64encode(b"r" * 32).decode()


class KeyRotationTests(NoaberTestCase):
    def one_row_of_each(self):
        """A row of every model that has an encrypted field (created here when the seed has
        none), keyed by model."""
        d = self.dinkelland
        signal = make_signal(d, self.advisor, "Tekst van het signaal.")
        report = signal.reports.get()
        riec = CaseType.objects.get(code="riec")
        case = case_actions.open_case(
            d, riec, "Casus", actor=self.advisor, request=None, signals=[signal]
        )
        meeting = case_actions.plan_meeting(d, "casusoverleg", timezone.localdate(),
                                            actor=self.advisor, request=None)  # fmt: skip
        item = AgendaItem.objects.create(meeting=meeting, case=case)
        today = timezone.localdate()
        subject = registry_actions.add_subject(
            signal, "person", {"label": "Jan"}, "", actor=self.advisor, request=None
        )
        disclosure = registry_actions.disclose(
            signal,
            {
                "recipient": self.partner.organisation,
                "legal_basis": "art. 13b Opiumwet",
                "purpose": "Voorbereiding",
                "data_categories": ["signal"],
                "shared": "Tekst",
            },
            actor=self.advisor,
            request=None,
        )
        request = SubjectRequest.objects.create(
            municipality=d,
            reference="AVG-2026-900",
            kind="inzage",
            received_on=today,
            requester="Jan",
            identity_check="balie",
            deadline=today,
            handled_by=self.privacy,
        )
        rows = {
            "intake.report": report,
            "intake.message": Message.objects.create(
                report=report, author_kind="municipality", body="Bericht."
            ),  # fmt: skip
            "registry.signal": signal,
            "registry.subject": subject,
            "registry.signalsubject": subject.links.get(),
            "registry.disclosure": disclosure,
            "registry.sourcecheck": SourceCheck.objects.create(
                signal=signal, no_source_reason="Reden.", decided_by=self.advisor
            ),
            "registry.subjectrequest": request,
            "cases.case": case,
            "cases.timelineentry": case.timeline.first(),
            "cases.meeting": meeting,
            "cases.agendaitem": item,
            "accounts.identityprovider": IdentityProvider.objects.create(
                slug="idp",
                name="IdP",
                issuer="https://idp.example/",
                client_id="noaber",
                client_secret="geheim-van-de-client",
                groups_claim="groups",
            ),  # fmt: skip
            "archive.destructionlistitem": DestructionListItem.objects.create(
                destruction_list=DestructionList.objects.create(municipality=d),
                case=case,
                case_number=case.number,
                case_type="RIEC-casus",
                result="geen",
                term_years=5,
                archiefactiedatum=today,
                reason="Reden.",
            ),
            "cases.decision": Decision.objects.create(item=item, text="Besluit."),
            "cases.task": Task.objects.create(case=case, title="Taak", due_date=today),
            "cases.intervention": Intervention.objects.create(
                case=case,
                kind=InterventionType.objects.first(),
                decided_on=today,
                decided_by="burgemeester",
            ),  # fmt: skip
            "registry.privacycheck": PrivacyCheck.objects.create(
                signal=signal,
                kind="1",
                original_basis="art. 13b",
                compatible_use=True,
                necessity="n",
                proportionality="p",
                subsidiarity="s",
                decided_by=self.advisor,
            ),  # fmt: skip
            "registry.disclosureend": DisclosureEnd.objects.create(
                disclosure=disclosure, kind="ended", reason="Reden."
            ),
            "registry.exportrelease": ExportRelease.objects.create(
                request=request,
                subject=subject,
                signal=signal,
                reason="Reden.",
                released_by=self.privacy,
            ),  # fmt: skip
            "portal.caseshare": CaseShare.objects.create(
                case=case,
                organisation=self.partner.organisation,
                purpose="Doel",
                shared_by=self.advisor,
            ),  # fmt: skip
            "intake.statuschange": report.history.first(),
            "zgw.apiclient": ApiClient.objects.create(
                municipality=d,
                name="Zaaksysteem",
                client_id="zaaksysteem",
                secret="geheim-van-de-zgw-client",
                scopes=["catalogi.lezen"],
            ),
            "insight.alert": Alert.objects.create(
                municipality=d,
                series_key="theme:5.2",
                series_label="5.2",
                year=2026,
                week=1,
                observed=9,
                expected=2.0,
                upper=6.0,
                score=1.8,
                method="farrington",
            ),  # fmt: skip
        }
        return rows

    def test_every_encrypted_value_survives_rotation_and_removal_of_the_old_key(self):
        rows = self.one_row_of_each()
        fields = encrypted_fields()
        self.assertEqual(
            sorted(m._meta.label_lower for m in fields),
            sorted(rows),
            "every model with an encrypted field needs a row in one_row_of_each()",
        )
        expected = {}
        for model, names in fields.items():
            obj = rows[model._meta.label_lower]
            values = {name: f"Geheim {model._meta.label_lower}.{name}" for name in names}
            model._base_manager.filter(pk=obj.pk).update(**values)  # under the old key
            expected[(model, obj.pk)] = values
        old_keys = settings.NOABER_FIELD_KEYS
        with override_settings(NOABER_FIELD_KEYS=f"{NEW_KEY},{old_keys}"):
            with self.assertRaisesMessage(CommandError, "are not yet under key 'k2027'"):
                call_command("rotate_field_keys", "--check", stdout=StringIO())
            out = StringIO()
            call_command("rotate_field_keys", stdout=out)
            self.assertIn("cases.TimelineEntry: ", out.getvalue())
            call_command("rotate_field_keys", "--check", stdout=out)
            self.assertIn("Every encrypted value and file is under key 'k2027'.", out.getvalue())
        # The old key removed: everything reads back with the new one alone.
        with override_settings(NOABER_FIELD_KEYS=NEW_KEY):
            for (model, pk), values in expected.items():
                obj = model._base_manager.get(pk=pk)
                for name, value in values.items():
                    self.assertEqual(getattr(obj, name), value, f"{model._meta.label}.{name}")
        rotation = AuditEvent.objects.filter(object_type="field_keys", reason="key_rotation")
        self.assertEqual(rotation.count(), len(fields) + len(file_fields()))

    def one_file_of_each(self):
        """A stored file of every model with an encrypted FileField, keyed by model, written
        under the current (soon old) key; {model label: (row, field name, plain bytes)}."""
        report = make_signal(self.dinkelland, self.advisor).reports.get()
        attachment = Attachment(report=report, content_type="image/png", size=3, sha256="x")
        attachment.file.save("foto.png", ContentFile(b"PNG bytes " * 9000), save=False)
        attachment.save()
        agreement = SharingAgreement.objects.create(
            name="Convenant", purpose="Doel", legal_basis="art. 13b", valid_from=date(2026, 1, 1)
        )
        agreement.document.save("c.pdf", ContentFile(b"%PDF-1.7 huidig"), save=True)
        earlier = DocumentVersion(
            agreement=agreement, version=1, document_name="c.pdf", document_sha256="y",
            replaced_by=self.advisor,
        )  # fmt: skip
        earlier.document.save("c-v1.pdf", ContentFile(b"%PDF-1.7 eerder" * 5000), save=True)
        return {
            "intake.attachment": (attachment, "file", b"PNG bytes " * 9000),
            "partners.sharingagreement": (agreement, "document", b"%PDF-1.7 huidig"),
            "partners.documentversion": (earlier, "document", b"%PDF-1.7 eerder" * 5000),
        }

    def test_every_encrypted_file_survives_rotation_and_removal_of_the_old_key(self):
        files = self.one_file_of_each()
        self.assertEqual(
            sorted(m._meta.label_lower for m in file_fields()),
            sorted(files),
            "every model with an encrypted file needs a row in one_file_of_each()",
        )
        for row, name, plain in files.values():
            with open(getattr(row, name).path, "rb") as stored:
                at_rest = stored.read()
            self.assertNotIn(plain[:8], at_rest, "stored in plain text")
        old_keys = settings.NOABER_FIELD_KEYS
        with override_settings(NOABER_FIELD_KEYS=f"{NEW_KEY},{old_keys}"):
            out = StringIO()
            with self.assertRaisesMessage(CommandError, "3 file(s) are not yet under key"):
                call_command("rotate_field_keys", "--check", stdout=out)
            self.assertIn("intake.Attachment: 1 file(s) not under 'k2027'", out.getvalue())
            call_command("rotate_field_keys", stdout=out)
            self.assertIn("partners.DocumentVersion: 1 file(s) re-encrypted", out.getvalue())
            call_command("rotate_field_keys", "--check", stdout=out)
            self.assertIn("Every encrypted value and file is under key 'k2027'.", out.getvalue())
        with override_settings(NOABER_FIELD_KEYS=NEW_KEY):
            for label, (row, name, plain) in files.items():
                fresh = type(row)._base_manager.get(pk=row.pk)
                with getattr(fresh, name).open("rb") as handle:
                    self.assertEqual(handle.read(), plain, label)
        rotation = AuditEvent.objects.filter(object_id__endswith="(files)", reason="key_rotation")
        self.assertEqual(rotation.count(), 3)

    def test_check_passes_when_nothing_is_left_under_an_older_key(self):
        make_signal(self.dinkelland, self.advisor)
        out = StringIO()
        call_command("rotate_field_keys", "--check", stdout=out)
        self.assertIn("Every encrypted value and file is under key", out.getvalue())


class MissingKeyTests(NoaberTestCase):
    """Removing a key while values are still under it: a clear message, never a traceback."""

    def test_a_removed_key_is_named_at_start_up_and_on_the_page_that_needs_it(self):
        from django.core.management.base import SystemCheckError
        from django.urls import reverse

        signal = make_signal(self.dinkelland, self.advisor, "Onder de oude sleutel.")
        self.sign_in(self.advisor)
        with override_settings(NOABER_FIELD_KEYS=NEW_KEY):
            with self.assertRaisesMessage(SystemCheckError, "registry.Signal (1)"):
                call_command("check", databases=["default"], stdout=StringIO(), stderr=StringIO())
            page = self.client.get(reverse("registry:signal", args=["GM1774", signal.pk]))
            self.assertEqual(page.status_code, 503)
            self.assertContains(page, "sleutel “demo”", status_code=503)
            self.assertContains(page, "rotate_field_keys --check", status_code=503)
        # With the key back, everything reads again; nothing was changed.
        self.assertContains(
            self.client.get(reverse("registry:signal", args=["GM1774", signal.pk])),
            "Onder de oude sleutel.",
        )
        call_command("check", databases=["default"], stdout=StringIO())


class AuditCopiesNoEncryptedTextTests(NoaberTestCase):
    """The audit log is append-only: a text kept encrypted elsewhere must never be copied into
    it in plain, or it could never be encrypted, rotated or erased."""

    def test_a_ledger_reason_is_named_not_copied(self):
        signal = make_signal(self.dinkelland, self.advisor)
        disclosure = registry_actions.disclose(
            signal,
            {"recipient": self.partner.organisation, "legal_basis": "art. 13b Opiumwet",
             "purpose": "Voorbereiding", "data_categories": ["signal"], "shared": "Tekst"},
            actor=self.advisor, request=None,
        )  # fmt: skip
        secret = "Jan de Vries is verhuisd naar Almelo"
        (line,) = registry_actions.end_disclosures(
            [disclosure], secret, actor=self.advisor, request=None
        )
        self.assertEqual(line.reason, secret)
        event = AuditEvent.objects.filter(reason="disclosure_ended").get()
        self.assertEqual(event.detail["ledger_line"], line.pk)
        for reason, detail in AuditEvent.objects.values_list("reason", "detail"):
            self.assertNotIn("Jan de Vries", f"{reason} {detail}")
