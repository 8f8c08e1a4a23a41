"""The processing log outward (issue 22 point 3): `GET verwerkte-objecten` in the shape of VNG's
Verwerkingenlogging read API, every answer — errors included — validated against VNG's own
document (noaber/zgw/oas/verwerkingenlogging-inzage-api-0.9.0.yaml); off by default, for named
clients only, events about running signals withheld until released, every question audited
with the pseudonym, never the BSN; bad input refused in ZGW's error shape, nothing changed."""

import time
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from noaber.accounts.tests.base import NoaberTestCase
from noaber.audit.actions import data_subject_pseudonym, record
from noaber.audit.models import Action, AuditEvent, ProcessingActivity
from noaber.registry import actions as registry_actions
from noaber.registry.models import Phase, Signal
from noaber.registry.subjects import clean_subject
from noaber.registry.tests.helpers import PERSON, make_signal
from noaber.zgw.clients import create_client, revoke_client
from noaber.zgw.models import Catalogue, ProcessingLogRelease
from noaber.zgw.processing import release_processing_log, set_processing_log
from noaber.zgw.tests import test_catalogi_api as catalogi_tests
from noaber.zgw.tests.test_catalogi_api import ContractMixin, token

BASE = "/api/zgw/verwerkingen/v1"
PATH = "/verwerkte-objecten"
# The shared contract helper knows VNG's documents by name; this one is ours.
catalogi_tests.SPECS["verwerkingen"] = ("verwerkingenlogging-inzage-api-0.9.0.yaml", BASE)
BSN = PERSON["bsn"]
UNKNOWN_BSN = "123456782"


def year_query(bsn=BSN, **extra):
    today = timezone.localdate()
    return {
        "objecttype": "persoon",
        "soortObjectId": "BSN",
        "objectId": bsn,
        "beginDatum": (today - timedelta(days=365)).isoformat(),
        "eindDatum": (today + timedelta(days=1)).isoformat(),
        **extra,
    }


class ProcessingApiCase(ContractMixin, NoaberTestCase):
    api = "verwerkingen"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        Catalogue.objects.create(
            municipality=cls.dinkelland, rsin="001234560", contact_name="Functioneel beheer"
        )
        cls.tool, cls.secret = create_client(
            cls.dinkelland, "Privacytool", "privacytool-dinkelland", scopes=["verwerkingen.lezen"]
        )
        cls.other_tool, cls.other_secret = create_client(
            cls.dinkelland, "Tweede tool", "tweede-tool", scopes=["verwerkingen.lezen"]
        )
        cls.signal = make_signal(cls.dinkelland, cls.advisor)
        cls.subject = registry_actions.add_subject(
            cls.signal,
            "person",
            clean_subject("person", PERSON),
            "huurder",
            actor=cls.advisor,
            request=None,
        )

    def get(self, query=None, *, bearer=None):
        bearer = token(self.tool.client_id, self.secret) if bearer is None else bearer
        return self.client.get(f"{BASE}{PATH}", query or {}, HTTP_AUTHORIZATION=f"Bearer {bearer}")

    def open_for(self, *client_ids):
        set_processing_log(self.dinkelland, enabled=True, client_ids=client_ids, actor=self.privacy)

    def close_signal(self):
        Signal.objects.filter(pk=self.signal.pk).update(phase=Phase.CLOSED)

    def assert_problem(self, response, status, code, query=None):
        self.assertEqual(response.status_code, status, response.content)
        self.assertEqual(response["Content-Type"], "application/problem+json")
        body = response.json()
        self.assertEqual((body["status"], body["code"]), (status, code))
        self.assert_contract(response, PATH, query)
        return body

    def answer(self, query=None):
        query = year_query() if query is None else query
        response = self.get(query)
        self.assertEqual(response.status_code, 200, response.content)
        self.assert_contract(response, PATH, query, schema="VerwerktObjectUitgebreid")
        self.assertEqual(response["API-version"], "0.9.0")
        return response.json()


class SwitchAndClientTests(ProcessingApiCase):
    def test_the_endpoint_is_off_by_default_and_every_refusal_is_audited(self):
        response = self.get(year_query())
        body = self.assert_problem(response, 403, "permission_denied", year_query())
        self.assertIn("niet opengesteld", body["detail"])
        denied = AuditEvent.objects.order_by("-id")[0]
        self.assertEqual((denied.action, denied.reason), (Action.DENIED, "processing_log_off"))
        self.assertEqual(denied.data_subject, "")  # nothing about the person asked is kept

    def test_a_client_the_privacy_officer_did_not_name_is_refused(self):
        self.open_for(self.tool.client_id)
        response = self.get(
            year_query(), bearer=token(self.other_tool.client_id, self.other_secret)
        )
        self.assert_problem(response, 403, "permission_denied", year_query())
        self.assertEqual(AuditEvent.objects.order_by("-id")[0].reason, "client_not_named")

    def test_a_client_without_the_scope_is_refused(self):
        archive, secret = create_client(
            self.dinkelland, "Archief", "archief", scopes=["catalogi.lezen"]
        )
        self.open_for(self.tool.client_id)
        response = self.get(year_query(), bearer=token(archive.client_id, secret))
        self.assert_problem(response, 403, "permission_denied", year_query())
        self.assertEqual(AuditEvent.objects.order_by("-id")[0].reason, "missing_scope")

    def test_turning_it_off_again_refuses_the_named_client(self):
        self.open_for(self.tool.client_id)
        self.assertEqual(self.get(year_query()).status_code, 200)
        set_processing_log(self.dinkelland, enabled=False, client_ids=[], actor=self.privacy)
        self.assert_problem(self.get(year_query()), 403, "permission_denied", year_query())

    def test_the_switch_is_the_privacy_officers_audited_and_names_only_fitting_clients(self):
        with self.assertRaises(PermissionDenied):
            set_processing_log(
                self.dinkelland, enabled=True, client_ids=[self.tool.client_id], actor=self.admin
            )
        catalogue_only, _secret = create_client(
            self.dinkelland, "Zaaksysteem", "zs", scopes=["catalogi.lezen"]
        )
        tubbergen_tool, _secret = create_client(
            self.tubbergen, "Tool Tubbergen", "tool-tubbergen", scopes=["verwerkingen.lezen"]
        )
        for client_id in (catalogue_only.client_id, tubbergen_tool.client_id, "bestaat-niet"):
            with self.subTest(client_id), self.assertRaises(ValidationError):
                set_processing_log(
                    self.dinkelland, enabled=True, client_ids=[client_id], actor=self.privacy
                )
        self.assertFalse(
            hasattr(self.dinkelland, "processing_log") and self.dinkelland.processing_log.enabled
        )
        self.open_for(self.tool.client_id)
        event = AuditEvent.objects.filter(object_type="zgw_processing_log").get()
        self.assertEqual((event.actor, event.municipality), ("priya", "GM1774"))
        self.assertEqual(event.detail, {"enabled": True, "clients": ["privacytool-dinkelland"]})
        self.assertEqual(event.processing_activity, "rechten-betrokkenen")

    def test_bad_tokens_and_a_revoked_client_get_401(self):
        self.open_for(self.tool.client_id)
        now = int(time.time())
        bad = {
            "wrong signature": token(self.tool.client_id, "een ander geheim van voldoende lengte"),
            "expired": token(self.tool.client_id, self.secret, iat=now - 2 * 3600),
            "future iat": token(self.tool.client_id, self.secret, iat=now + 3600),
            "unknown client": token("onbekend", self.secret),
            "not a JWT": "abc.def",
        }
        for label, value in bad.items():
            with self.subTest(label):
                before = AuditEvent.objects.count()
                self.assert_problem(self.get(year_query(), bearer=value), 401, "not_authenticated")
                self.assertEqual(AuditEvent.objects.count(), before + 1)  # the refusal only
        self.assert_problem(
            self.client.get(f"{BASE}{PATH}", year_query()), 401, "not_authenticated"
        )
        revoke_client(self.tool)
        self.assert_problem(self.get(year_query()), 401, "not_authenticated")


class AnswerTests(ProcessingApiCase):
    def setUp(self):
        super().setUp()
        self.open_for(self.tool.client_id)

    def test_the_events_about_a_bsn_in_the_shape_of_the_standard(self):
        self.close_signal()
        body = self.answer()
        self.assertEqual(body["count"], 1)
        self.assertEqual(body["results"][0]["verwerkingsactie"]["gebruiker"], "systeem")
        record(
            Action.VIEW,
            actor=self.advisor,
            municipality=self.dinkelland,
            object_type="subject",
            object_id=self.subject.pk,
            origin="10.0.0.7",
            data_subject=self.subject.data_subject(),
        )
        body = self.answer(year_query(beginDatum=timezone.localdate().isoformat()))
        viewed = body["results"][-1]["verwerkingsactie"]
        self.assertEqual(
            (viewed["actieNaam"], viewed["herkomst"]), ("betrokkene bekeken", "10.0.0.7")
        )
        self.assertEqual(viewed["gebruiker"], "Adviseur veiligheid")
        self.assertNotIn("anouk", str(body))  # the role, not the employee
        item = body["results"][0]
        self.assertEqual(
            (item["objecttype"], item["soortObjectId"], item["objectId"]),
            ("persoon", "BSN", BSN),
        )
        action = item["verwerkingsactie"]
        register = ProcessingActivity.objects.get(code="signaalregister")
        self.assertEqual(action["verwerkingNaam"], register.name)
        self.assertEqual(action["verwerkingsactiviteitId"], str(register.uuid))
        self.assertTrue(
            action["verwerkingsactiviteitUrl"].endswith("/verwerkingsregister/#signaalregister")
        )
        self.assertEqual(action["actieNaam"], "betrokkene aangemaakt")
        self.assertEqual(action["handelingNaam"], f"betrokkene {self.subject.pk}")
        self.assertEqual(action["vertrouwelijkheid"], "vertrouwelijk")  # geheim
        self.assertEqual(action["bewaartermijn"], "P7Y")  # 84 months
        self.assertEqual(action["uitvoerder"], "00000001001234560000")
        self.assertEqual(action["resultaat"], "gelukt")
        event = AuditEvent.objects.get(object_type="subject", action=Action.CREATE)
        self.assertEqual(action["tijdstip"], event.created_at.isoformat())
        self.assertEqual(action["verwerkteObjecten"][0]["objectId"], BSN)
        # The register's categories of personal data, one a line, as soorten gegevens.
        kinds = [k["soortGegeven"] for k in item["verwerkteSoortenGegevens"]]
        self.assertEqual(kinds, register.data_categories.splitlines())
        self.assertIn("Bronnencheck", kinds)
        # The same identities on the next question; the questions are events too.
        again = self.answer()["results"]
        self.assertEqual(again[0]["verwerktObjectId"], item["verwerktObjectId"])
        self.assertEqual(
            again[1]["verwerkingsactie"]["verwerkingNaam"],
            ProcessingActivity.objects.get(code="rechten-betrokkenen").name,
        )

    def test_only_the_clients_municipality_and_the_period_asked(self):
        self.close_signal()
        record(
            Action.VIEW,
            municipality=self.tubbergen,
            object_type="subject",
            object_id="999",
            origin="system",
            data_subject=("bsn", BSN),
        )
        self.assertEqual(self.answer()["count"], 1)
        today = timezone.localdate()
        # eindDatum is exclusive (the standard: "kleiner dan"); beginDatum inclusive.
        before_today = year_query(eindDatum=today.isoformat())
        self.assertEqual(self.answer(before_today)["count"], 0)
        from_today = year_query(beginDatum=today.isoformat())
        # The subject's event and the two questions before this one (each one is an event
        # about the person too).
        self.assertEqual(self.answer(from_today)["count"], 3)

    def test_a_person_unknown_to_the_register_gets_an_empty_list(self):
        body = self.answer(year_query(UNKNOWN_BSN))
        self.assertEqual((body["count"], body["results"], body["next"]), (0, [], None))

    def test_events_about_a_running_signal_are_withheld_until_released(self):
        self.assertEqual(self.signal.phase, Phase.INTAKE)
        withheld = self.answer()
        unknown = self.answer(year_query(UNKNOWN_BSN))
        # Indistinguishable from a person the register does not know.
        self.assertEqual(withheld, unknown)
        question = AuditEvent.objects.filter(object_type="zgw_verwerkte_objecten").order_by("id")
        self.assertEqual((question[0].detail["count"], question[0].detail["withheld"]), (0, 1))

        release = release_processing_log(
            self.dinkelland,
            signal=self.signal,
            reason="Verzoek AVG-2026-001: onderzoek afgerond",
            actor=self.privacy,
        )
        body = self.answer()
        self.assertEqual(
            [r["verwerkingsactie"]["actieNaam"] for r in body["results"]][0],
            "betrokkene aangemaakt",
        )
        event = AuditEvent.objects.filter(object_type="zgw_processing_release").get()
        self.assertEqual((event.actor, event.object_id), ("priya", str(release.pk)))
        self.assertEqual(event.reason, "Verzoek AVG-2026-001: onderzoek afgerond")
        self.assertEqual(event.detail, {"signal": self.signal.pk, "subject": None})

    def test_a_release_of_the_subject_answers_its_events(self):
        release_processing_log(
            self.dinkelland,
            subject=self.subject,
            reason="Rechterlijk bevel 2026/77",
            actor=self.privacy,
        )
        self.assertEqual(self.answer()["count"], 1)

    def test_a_release_needs_the_privacy_officer_a_reason_and_one_own_target(self):
        other_signal = make_signal(self.tubbergen, self.advisor)
        cases = {
            "no reason": dict(signal=self.signal, reason="kort", actor=self.privacy),
            "both": dict(
                signal=self.signal, subject=self.subject, reason="x" * 20, actor=self.privacy
            ),
            "neither": dict(reason="x" * 20, actor=self.privacy),
            "other municipality": dict(signal=other_signal, reason="x" * 20, actor=self.privacy),
        }
        for label, kwargs in cases.items():
            with self.subTest(label), self.assertRaises(ValidationError):
                release_processing_log(self.dinkelland, **kwargs)
        with self.assertRaises(PermissionDenied):
            release_processing_log(
                self.dinkelland, signal=self.signal, reason="x" * 20, actor=self.advisor
            )
        self.assertFalse(ProcessingLogRelease.objects.exists())
        self.assertEqual(self.answer()["count"], 0)

    def test_noabers_own_subject_id_is_an_object_id_too(self):
        organisation = registry_actions.add_subject(
            self.signal,
            "organisation",
            {"label": "Schuur BV"},
            "",
            actor=self.advisor,
            request=None,
        )
        self.close_signal()
        query = year_query(soortObjectId="noaber-subject", objectId=str(organisation.pk))
        body = self.answer(query)
        self.assertEqual(body["count"], 1)
        self.assertEqual(body["results"][0]["soortObjectId"], "noaber-subject")

    def test_every_question_is_audited_with_the_pseudonym_never_the_bsn(self):
        self.answer()
        event = AuditEvent.objects.filter(object_type="zgw_verwerkte_objecten").get()
        self.assertEqual(event.data_subject, data_subject_pseudonym("bsn", BSN))
        self.assertEqual(event.data_subject_type, "bsn")
        self.assertEqual(event.detail["client_id"], "privacytool-dinkelland")
        self.assertEqual(event.processing_activity, "rechten-betrokkenen")
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM audit_auditevent")
            rows = cursor.fetchall()
        self.assertNotIn(BSN, str(rows))

    def test_a_filter_on_the_processing_activity(self):
        self.close_signal()
        register = ProcessingActivity.objects.get(code="signaalregister")
        query = year_query(verwerkingsactiviteitId=str(register.uuid))
        self.assertEqual(self.answer(query)["count"], 1)
        # An unknown activity finds nothing, not the events that name none.
        record(
            Action.VIEW,
            municipality=self.dinkelland,
            object_type="niet-in-het-register",
            origin="system",
            data_subject=("bsn", BSN),
        )
        self.assertEqual(AuditEvent.objects.filter(processing_activity="").count(), 1)
        query = year_query(verwerkingsactiviteitId="00000000-0000-4000-8000-000000000000")
        self.assertEqual(self.answer(query)["count"], 0)


class BadInputTests(ProcessingApiCase):
    def setUp(self):
        super().setUp()
        self.open_for(self.tool.client_id)

    def test_bad_input_gets_a_validatiefout_naming_the_parameter_and_changes_nothing(self):
        missing = year_query()
        missing.pop("objecttype")
        cases = [
            ("objecttype missing", missing, ["objecttype"]),
            ("objecttype unknown", year_query(objecttype="auto"), ["objecttype"]),
            ("soortObjectId unknown", year_query(soortObjectId="KvK"), ["soortObjectId"]),
            ("BSN fails elfproef", year_query("123456789"), ["objectId"]),
            ("BSN not digits", year_query("12345678a"), ["objectId"]),
            (
                "subject id not a number",
                year_query(soortObjectId="noaber-subject", objectId="B-1"),
                ["objectId"],
            ),
            ("begin not a date", year_query(beginDatum="gisteren"), ["beginDatum"]),
            ("end not a date", year_query(eindDatum="2026-13-01"), ["eindDatum"]),
            (
                "end before begin",
                year_query(beginDatum="2026-06-01", eindDatum="2026-05-01"),
                ["eindDatum"],
            ),
            (
                "empty period",
                year_query(beginDatum="2026-06-01", eindDatum="2026-06-01"),
                ["eindDatum"],
            ),
            (
                "no period",
                {k: v for k, v in year_query().items() if "Datum" not in k},
                ["beginDatum", "eindDatum"],
            ),
            ("page 0", year_query(page="0"), ["page"]),
            ("page past the end", year_query(page="2"), ["page"]),
            (
                "activity not a UUID",
                year_query(verwerkingsactiviteitId="signaalregister"),
                ["verwerkingsactiviteitId"],
            ),
        ]
        for label, query, names in cases:
            with self.subTest(label):
                before = AuditEvent.objects.count()
                body = self.assert_problem(self.get(query), 400, "invalid", query)
                self.assertEqual([p["name"] for p in body["invalidParams"]], names)
                self.assertNotIn("123456789", str(body))  # a value is never repeated
                # Nothing changed but the refusal's own audit event, without the person.
                self.assertEqual(AuditEvent.objects.count(), before + 1)
                refusal = AuditEvent.objects.order_by("-id")[0]
                self.assertEqual((refusal.action, refusal.reason), ("denied", "invalid"))
                self.assertEqual(refusal.data_subject, "")


class CommandTests(ProcessingApiCase):
    def test_the_privacy_officer_opens_names_and_releases_from_the_command_line(self):
        from io import StringIO

        from django.core.management import CommandError, call_command

        out = StringIO()
        call_command("zgw_processing_log", "status", "GM1774", stdout=out)
        self.assertIn("GM1774\tuit\t", out.getvalue())
        with self.assertRaisesMessage(CommandError, "privacyfunctionaris"):
            call_command(
                "zgw_processing_log", "on", "GM1774", operator="bea", client=["tweede-tool"]
            )
        with self.assertRaisesMessage(CommandError, "verwerkingen lezen"):
            call_command("zgw_processing_log", "on", "GM1774", operator="priya", client=["x"])
        call_command(
            "zgw_processing_log", "on", "GM1774", operator="priya", client=[self.tool.client_id],
            stdout=out,
        )  # fmt: skip
        self.assertIn("GM1774\taan\tprivacytool-dinkelland", out.getvalue())
        self.assertEqual(self.answer()["count"], 0)
        with self.assertRaisesMessage(CommandError, "reden"):
            call_command(
                "zgw_processing_log", "release", "GM1774", operator="priya",
                signal=self.signal.pk, reason="kort",
            )  # fmt: skip
        call_command(
            "zgw_processing_log", "release", "GM1774", operator="priya", signal=self.signal.pk,
            reason="Verzoek AVG-2026-002 beoordeeld", stdout=out,
        )  # fmt: skip
        # The subject's event, now released, and the first question.
        self.assertEqual(self.answer()["count"], 2)
        call_command("zgw_processing_log", "off", "GM1774", operator="priya", stdout=out)
        self.assert_problem(self.get(year_query()), 403, "permission_denied", year_query())
