"""Zoeken through the real HTTP stack: what it finds, what it never shows, how it is audited,
and the bad input it refuses."""

from unittest import mock

from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from noaber.accounts.tests.base import NoaberTestCase
from noaber.audit.models import AuditEvent
from noaber.cases import actions as case_actions
from noaber.cases.models import Case, CaseType
from noaber.intake.actions import submit_report
from noaber.intake.models import Category, Channel, Report
from noaber.registry import actions as registry_actions
from noaber.registry.models import Signal
from noaber.search import index
from noaber.search.keys import digest
from noaber.search.models import SearchToken

DESCRIPTION = "Vannacht een inbraak in de garagebox achter de Kerkstraat; de deur was geforceerd."


def report(municipality, text=DESCRIPTION, code="verdacht-pand", **data):
    return submit_report(
        municipality,
        {"category": Category.objects.get(code=code), "description": text, **data},
        channel=Channel.WEB,
    ).report


class SearchTestCase(NoaberTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        d, t = cls.dinkelland, cls.tubbergen
        cls.report = report(d, postcode="7591AB", house_number=12)
        cls.other_report = report(d, "Jongeren met vuurwerk bij de sporthal.", "overlast-vuurwerk")
        cls.tubbergen_report = report(t, DESCRIPTION)
        cls.signal = registry_actions.register_from_reports(
            d, [report(d, "Hennepgeur en afgeplakte ramen bij een loods.")],
            actor=cls.advisor, request=None,
        )  # fmt: skip
        cls.case = case_actions.open_case(
            d, CaseType.objects.first(), "Loods aan de Molenweg", actor=cls.advisor, request=None
        )

    def url(self, municipality="GM1774"):
        return reverse("search:search", args=[municipality])

    def search(self, q, user=None, municipality="GM1774", **params):
        self.sign_in(user or self.advisor_dinkelland)
        return self.client.get(self.url(municipality), {"q": q, **params})

    def check(self, term, user=None, municipality="GM1774", reden="Bronnencheck voor een signaal"):
        """A subject check: a POST, so the term never sits in a URL."""
        self.sign_in(user or self.advisor_dinkelland)
        return self.client.post(self.url(municipality), {"q": term, "reden": reden})

    def setUp(self):
        # An advisor of Dinkelland only: Anouk of the base case serves Tubbergen too.
        from noaber.accounts.models import Role
        from noaber.accounts.tests.base import make_user

        self.advisor_dinkelland = make_user("dirk", {self.dinkelland: [Role.ADVISOR]})

    def numbers(self, response):
        return [r["number"] for s in response.context["sections"] for r in s["rows"]]


class FindingTests(SearchTestCase):
    def test_finds_a_report_by_its_number_as_the_pages_show_it(self):
        for typed in (self.report.number, f"m{self.report.pk}", f"M {self.report.pk}"):
            response = self.search(typed)
            self.assertEqual(response.status_code, 200)
            self.assertEqual(self.numbers(response), [self.report.number], typed)
        self.assertContains(response, reverse("intake:detail", args=["GM1774", self.report.pk]))

    def test_finds_a_signal_and_a_case_by_number(self):
        self.assertEqual(self.numbers(self.search(self.signal.number)), [self.signal.number])
        self.assertEqual(self.numbers(self.search(self.case.number)), [self.case.number])

    def test_finds_a_stemmed_word_in_an_encrypted_description(self):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT description FROM intake_report WHERE id = %s", [self.report.pk])
            raw = cursor.fetchone()[0]
        self.assertNotIn("inbraak", raw)  # the text is encrypted at rest
        response = self.search("inbraken")
        self.assertIn(self.report.number, self.numbers(response))
        self.assertNotIn(self.other_report.number, self.numbers(response))

    def test_every_word_must_be_found(self):
        self.assertIn(self.report.number, self.numbers(self.search("garagebox Kerkstraat")))
        self.assertEqual(self.numbers(self.search("garagebox sporthal")), [])

    def test_finds_by_address_postcode_and_house_number(self):
        self.assertEqual(self.numbers(self.search("7591 AB 12")), [self.report.number])
        self.assertEqual(self.numbers(self.search("7591ab")), [self.report.number])
        self.assertEqual(self.numbers(self.search("7591 AB 14")), [])

    def test_finds_by_category_and_theme(self):
        self.assertEqual(self.numbers(self.search("vuurwerk")), [self.other_report.number])
        found = self.numbers(self.search("leegstaand pand"))
        self.assertIn(self.report.number, found)

    def test_finds_signals_by_their_description_and_cases_by_title(self):
        self.assertIn(self.signal.number, self.numbers(self.search("afgeplakte ramen")))
        self.assertIn(self.case.number, self.numbers(self.search("molenweg")))

    def test_the_index_holds_no_word_of_the_text(self):
        digests = SearchToken.objects.filter(kind="M", record_id=self.report.pk)
        self.assertTrue(digests.exists())
        self.assertIn(digest("inbraak"), set(digests.values_list("digest", flat=True)))


class NeedToKnowTests(SearchTestCase):
    def test_never_returns_another_municipalitys_record(self):
        found = self.numbers(self.search("inbraak"))
        self.assertIn(self.report.number, found)
        self.assertNotIn(self.tubbergen_report.number, found)
        self.assertEqual(self.numbers(self.search(self.tubbergen_report.number)), [])

    def test_an_advisor_of_two_municipalities_finds_in_both(self):
        response = self.search("inbraak", user=self.advisor)
        found = self.numbers(response)
        self.assertIn(self.report.number, found)
        self.assertIn(self.tubbergen_report.number, found)
        self.assertContains(
            response, reverse("intake:detail", args=["GM0183", self.tubbergen_report.pk])
        )

    def test_a_destroyed_case_is_not_found(self):
        Case.objects.filter(pk=self.case.pk).update(destroyed_at="2026-01-01T00:00:00Z")
        self.assertEqual(self.numbers(self.search(self.case.number)), [])

    def test_a_case_destroyed_by_the_archive_loses_its_words(self):
        from datetime import date

        from django.utils import timezone

        from noaber.cases.archiving import destroy_case
        from noaber.cases.models import CLOSED, Archiefnominatie

        self.assertIn(self.case.number, self.numbers(self.search("molenweg")))
        Case.objects.filter(pk=self.case.pk).update(
            status=CLOSED,
            closed_at=timezone.now(),
            archiefnominatie=Archiefnominatie.VERNIETIGEN,
            archiefactiedatum=date(2020, 1, 1),
        )
        destroy_case(self.case, reason="retention")
        self.assertNotIn(self.case.number, self.numbers(self.search("molenweg")))
        self.assertFalse(SearchToken.objects.filter(kind="C", record_id=self.case.pk).exists())

    def test_roles_without_the_search_rule_get_no_search(self):
        for user in (self.enforcer, self.partner, self.management, self.privacy):
            self.sign_in(user)
            # Someone in the field (the enforcer) gets 404, as on every refused page.
            expected = 404 if user == self.enforcer else 403
            self.assertEqual(self.client.get(self.url(), {"q": "inbraak"}).status_code, expected)

    def test_another_municipality_url_is_a_404(self):
        self.assertEqual(self.search("inbraak", municipality="GM0183").status_code, 404)


class SubjectTermTests(SearchTestCase):
    def setUp(self):
        super().setUp()
        registry_actions.add_subject(
            self.signal, "person", {"label": "Jan Janssen"}, "", actor=self.advisor, request=None
        )

    def test_a_subject_term_answers_hit_or_no_hit_only(self):
        response = self.check("Jan Jansen")
        self.assertEqual(response.status_code, 200)
        self.assertIs(response.context["subject_hit"], True)
        self.assertContains(response, "Hit")
        self.assertNotContains(response, self.signal.number)
        self.assertNotContains(response, "Janssen")
        response = self.check("Pieter Pietersma")
        self.assertIs(response.context["subject_hit"], False)
        self.assertContains(response, "No-hit")
        self.assertEqual(
            AuditEvent.objects.filter(object_type="subject_match", reason="hit_no_hit").count(), 2
        )

    def test_a_role_that_may_not_run_a_bronnencheck_gets_no_subject_check(self):
        # No role today may search without running a bronnencheck; a municipality's rule
        # table that takes registry.work from the advisor is the case this guards.
        from unittest import mock

        from noaber.accounts import access

        with mock.patch.dict(access.RULES, {"registry.work": frozenset()}):
            response = self.check("Jan Janssen")
            self.assertNotContains(response, 'id="betrokkene"', status_code=403)
        # The check is refused with a Dutch message, and the refusal is on record.
        self.assertEqual(response.status_code, 403)
        self.assertContains(response, "bronnencheck", status_code=403)
        self.assertNotIn("subject_hit", response.context)
        self.assertTrue(AuditEvent.objects.filter(object_type="search", result="denied").exists())

    def test_a_subject_check_keeps_the_keyed_digest_of_the_term_not_the_term(self):
        from noaber.registry.subjects import keys_for

        self.check("Jan Janssen")
        event = AuditEvent.objects.filter(object_type="subject_match").latest("pk")
        digests = sorted(d for _k, d in keys_for("person", {"label": "Jan Janssen"}))
        self.assertEqual(event.detail["keys"], digests)
        self.assertNotIn("janssen", str(event.detail).lower())

    def test_a_subject_check_needs_a_reason_which_is_on_record(self):
        for reden in ("", "   ", "x" * 201):
            response = self.check("Jan Janssen", reden=reden)
            self.assertContains(response, "Vul de reden van de controle in", status_code=400)
            self.assertNotIn("subject_hit", response.context)
        self.assertFalse(AuditEvent.objects.filter(object_type="subject_match").exists())
        self.check("Jan Janssen", reden="Verzoek wijkagent, signaal S-1")
        event = AuditEvent.objects.filter(object_type="subject_match").latest("pk")
        self.assertEqual(event.detail["purpose"], "Verzoek wijkagent, signaal S-1")

    def test_subject_checks_are_limited_per_user_per_hour(self):
        from noaber.search import views

        with mock.patch.object(
            views, "SUBJECT_CHECKS", views.throttle.Limit("subject_check", 3, 60)
        ):
            for name in ("Jan Janssen", "Piet Pietersma", "Kees Kok"):
                self.assertEqual(self.check(name).status_code, 200)
            over = self.check("Gerrit Groen")
            self.assertContains(over, "afgelopen uur 3 keer", status_code=429)
            self.assertNotIn("subject_hit", over.context)
            # Another user has checks of their own.
            self.assertEqual(self.check("Gerrit Groen", user=self.advisor).status_code, 200)
        self.assertEqual(AuditEvent.objects.filter(object_type="subject_match").count(), 4)
        self.assertTrue(
            AuditEvent.objects.filter(object_type="search", reason="rate_limit",
                                      result="denied").exists()
        )  # fmt: skip

    def test_a_subject_check_by_get_is_only_an_ordinary_search(self):
        # A link cannot make an advisor's browser run a check: GET never checks a subject.
        response = self.search("Pieter Pietersma", betrokkene="1")
        self.assertNotIn("subject_hit", response.context)
        self.assertFalse(AuditEvent.objects.filter(object_type="subject_match").exists())

    def test_an_ordinary_search_for_a_subject_answers_hit_only_and_lists_nothing(self):
        """A subject named in a description cannot be listed by an ordinary search: the
        term names a subject of the register, so the answer is hit, without the records."""
        from noaber.intake.models import Report

        Report.objects.filter(pk=self.report.pk).update(
            description="Jan Janssen zou in de schuur wonen."
        )

        index.reindex(Report, [self.report.pk])
        for term in ("Janssen", "jan janssen", "Jan Janssen schuur"):
            with self.subTest(term=term):
                response = self.search(term)
                self.assertEqual(response.status_code, 200)
                self.assertTrue(response.context["names_subject"])
                self.assertIsNone(response.context.get("sections"))
                self.assertNotContains(response, f"/meldingen/{self.report.pk}/")
                self.assertNotContains(response, f"/register/signalen/{self.signal.pk}/")
        event = AuditEvent.objects.filter(object_type="search").latest("pk")
        self.assertEqual((event.reason, event.detail["hit"]), ("hit_no_hit", True))
        # A word that names no subject still lists what it finds.
        self.assertContains(self.search("schuur"), f"/meldingen/{self.report.pk}/")

    def test_an_invalid_bsn_is_refused_in_dutch(self):
        response = self.check("123456789")
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "elfproef", status_code=400)


class AuditTests(SearchTestCase):
    def test_a_search_is_audited_without_its_text(self):
        before = AuditEvent.objects.filter(object_type="search").count()
        self.search("inbraken Kerkstraat")
        event = AuditEvent.objects.filter(object_type="search").latest("pk")
        self.assertEqual(AuditEvent.objects.filter(object_type="search").count(), before + 1)
        self.assertEqual(event.reason, "search")
        self.assertEqual(event.municipality, self.dinkelland.cbs_code)
        self.assertEqual(event.detail["terms"], 2)
        self.assertEqual(event.detail["shown"], [self.report.number])
        self.assertEqual(event.detail["hits"]["M"], 1)
        stored = str(event.detail).lower()
        self.assertNotIn("inbra", stored)
        self.assertNotIn("kerkstraat", stored)
        # The keyed digest lets a supervisor with the key check a given term.
        from noaber.search.query import parse

        self.assertEqual(event.detail["query"], parse("Inbraken  kerkstraat").digest)


class IndexUpkeepTests(SearchTestCase):
    def test_each_municipalitys_event_counts_only_its_own_hits(self):
        """An advisor serving both municipalities finds the word in both; Tubbergen's privacy
        officer reads in Tubbergen's event only Tubbergen's hits, and the other way round."""
        self.search("inbraken", user=self.advisor)
        events = {
            e.municipality: e.detail
            for e in AuditEvent.objects.filter(object_type="search").order_by("-pk")[:2]
        }
        self.assertEqual(set(events), {"GM1774", "GM0183"})
        self.assertEqual(events["GM1774"]["hits"]["M"], 1)
        self.assertEqual(events["GM0183"]["hits"]["M"], 1)
        self.assertEqual(events["GM0183"]["shown"], [self.tubbergen_report.number])

    def test_a_new_report_is_found_at_once(self):
        new = report(self.dinkelland, "Een verdachte bestelbus met draaiende motor.")
        self.assertEqual(self.numbers(self.search("bestelbussen")), [new.number])

    def test_an_edited_signal_is_found_by_its_new_words_only(self):
        registry_actions.update_signal(
            self.signal,
            {"description": "Stankoverlast van een afvaldump.", "location": "Esweg 4"},
            self.signal.version,
            actor=self.advisor,
            request=None,
        )
        self.assertEqual(self.numbers(self.search("afvaldump")), [self.signal.number])
        self.assertEqual(self.numbers(self.search("esweg")), [self.signal.number])
        self.assertNotIn(self.signal.number, self.numbers(self.search("hennepgeur")))

    def test_a_renamed_category_theme_and_case_type_are_found_by_their_new_names(self):
        from django_tasks_db.models import DBTaskResult

        from noaber.search.tasks import reindex_showing

        category = Category.objects.get(code="verdacht-pand")  # "Verdacht of leegstaand pand"
        theme = self.signal.theme
        kind = self.case.case_type
        with self.captureOnCommitCallbacks(execute=True):
            category.name = "Verlaten opstal"
            category.save()
            theme.name = "Kweekplekken"
            theme.save()
            kind.name = "Bibobtoets"
            kind.save()
            category.save()  # unchanged: nothing more to do
        queued = DBTaskResult.objects.filter(task_path=reindex_showing.module_path)
        self.assertEqual(queued.count(), 3)
        # Until the job ran, the old words still find (never neither).
        self.assertIn(self.report.number, self.numbers(self.search("leegstaand")))
        for args in queued.values_list("args_kwargs", flat=True):
            reindex_showing.call(*args["args"])
        self.assertIn(self.report.number, self.numbers(self.search("verlaten opstal")))
        # (The signal keeps its phenomenon, copied from the category when it was registered.)
        self.assertNotIn(self.report.number, self.numbers(self.search("leegstaand")))
        self.assertIn(self.signal.number, self.numbers(self.search("kweekplekken")))
        self.assertEqual(self.numbers(self.search("bibobtoets")), [self.case.number])

    def test_an_anonymised_report_is_no_longer_found_by_its_words(self):
        from noaber.intake.actions import anonymise_reports

        anonymise_reports([self.report.pk])
        self.assertNotIn(self.report.number, self.numbers(self.search("garagebox")))
        self.assertEqual(self.numbers(self.search(self.report.number)), [self.report.number])

    def test_a_deleted_signal_leaves_no_tokens(self):
        pk = self.signal.pk
        Signal.objects.filter(pk=pk).delete()
        self.assertFalse(SearchToken.objects.filter(kind="S", record_id=pk).exists())

    def test_after_a_blind_index_key_change_and_rotation_the_index_still_finds(self):
        with override_settings(NOABER_BLIND_INDEX_KEY="a-new-blind-index-key-for-the-test"):
            # Before the rebuild the page says the index belongs to another key.
            response = self.search("inbraak")
            self.assertFalse(response.context["index_current"])
            self.assertContains(response, "oudere sleutel")
            call_command("rotate_field_keys", "--reindex", stdout=_Sink(), stderr=_Sink())
            response = self.search("inbraken")
            self.assertTrue(response.context["index_current"])
            self.assertIn(self.report.number, self.numbers(response))
            self.assertIn(self.signal.number, self.numbers(self.search("afgeplakte")))

    def test_the_rebuild_command_reports_progress_and_speed(self):
        SearchToken.objects.all().delete()
        out = _Sink()
        call_command("rebuild_search_index", stdout=out)
        self.assertIn("records/s", out.text)
        self.assertIn(self.report.number, self.numbers(self.search("garagebox")))


class BadInputTests(SearchTestCase):
    def unchanged(self):
        return (
            Report.objects.count(),
            Signal.objects.count(),
            Case.objects.count(),
            SearchToken.objects.count(),
        )

    def refused(self, q, message):
        before = self.unchanged()
        searches = AuditEvent.objects.filter(object_type="search").count()
        response = self.search(q)
        self.assertEqual(response.status_code, 400, q)
        self.assertContains(response, message, status_code=400)
        self.assertEqual(self.unchanged(), before)
        self.assertEqual(AuditEvent.objects.filter(object_type="search").count(), searches)
        return response

    def test_a_query_of_a_thousand_characters_is_refused(self):
        self.refused("inbraak " * 125, "hoogstens 200 tekens")

    def test_only_stop_words_are_refused(self):
        self.refused("de het een en van", "alleen veelvoorkomende woorden")

    def test_percent_underscore_and_quotes_are_no_wildcards(self):
        for q in ("%", "_", "%%", '"', "'", "''"):
            self.refused(q, "geen jokers")

    def test_sql_finds_nothing_and_changes_nothing(self):
        before = self.unchanged()
        for q in ("'; DROP TABLE intake_report; --", "' OR 1=1 --", "inbraak' OR '1'='1"):
            response = self.search(q)
            self.assertEqual(response.status_code, 200, q)
            self.assertEqual(self.numbers(response), [], q)
        self.assertEqual(self.unchanged(), before)

    def test_html_is_shown_as_text(self):
        response = self.search("<script>alert(1)</script>")
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "<script>alert(1)</script>")
        self.assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")
        self.assertContains(response, "Geen meldingen, signalen of casussen gevonden")

    def test_a_page_that_does_not_exist_is_refused(self):
        for value in ("0", "-1", "abc", "999999"):
            before = AuditEvent.objects.filter(object_type="search").count()
            response = self.search("inbraak", pagina_m=value)
            self.assertEqual(response.status_code, 400, value)
            # Refused, yet on record: the message says how many pages the hits fill.
            self.assertEqual(AuditEvent.objects.filter(object_type="search").count(), before + 1)
        self.assertContains(response, "bestaat niet", status_code=400)

    def test_an_empty_query_asks_for_a_term(self):
        self.refused("   ", "Vul een zoekterm in")

    def test_too_many_words_are_refused(self):
        self.refused("een twee drie vier vijf zes zeven acht negen tien elf", "hoogstens 8 woorden")


class _Sink:
    def __init__(self):
        self.text = ""

    def write(self, value, *args, **kwargs):
        self.text += value

    def flush(self):
        pass
