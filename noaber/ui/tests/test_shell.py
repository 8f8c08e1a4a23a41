import json
import os
import subprocess
import sys

from django.conf import settings
from django.urls import reverse

from noaber.accounts.tests.base import NoaberTestCase


class PublicEndpointTests(NoaberTestCase):
    def test_health_answers_200_json(self):
        response = self.client.get("/health")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"status": "ok", "database": "ok"})

    def test_api_schema_is_an_openapi_3_document(self):
        response = self.client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        self.assertEqual(response.status_code, 200)
        schema = json.loads(response.content)
        self.assertTrue(schema["openapi"].startswith("3."))
        self.assertEqual(schema["info"]["title"], "Noaber API")

    def test_accessibility_statement_is_public_and_dutch(self):
        response = self.client.get(reverse("ui:accessibility"))
        self.assertContains(response, "Toegankelijkheidsverklaring")
        self.assertContains(response, '<html lang="nl"', html=False)

    def test_pages_carry_a_strict_content_security_policy(self):
        response = self.client.get(reverse("accounts:login"))
        self.assertIn("script-src 'self'", response["Content-Security-Policy"])
        self.assertIn("frame-ancestors 'none'", response["Content-Security-Policy"])
        self.assertEqual(response["X-Frame-Options"], "DENY")

    def test_layout_has_a_skip_link_to_the_main_content(self):
        response = self.client.get(reverse("accounts:login"))
        self.assertContains(response, 'href="#inhoud"')
        self.assertContains(response, 'id="inhoud"')

    def test_no_remote_scripts_styles_or_fonts(self):
        for url in (reverse("accounts:login"), reverse("ui:home")):
            body = self.client.get(url).content.decode()
            self.assertNotIn("http://", body.replace("http://testserver", ""))
            self.assertNotIn("https://", body)


class NavigationTests(NoaberTestCase):
    def nav(self, user):
        self.sign_in(user)
        return self.client.get(reverse("ui:dashboard", args=["GM1774"])).content.decode()

    def test_navigation_depends_on_role(self):
        privacy = self.nav(self.privacy)
        self.assertIn(reverse("audit:list", args=["GM1774"]), privacy)
        self.client.logout()
        employee = self.nav(self.employee)
        self.assertNotIn(reverse("audit:list", args=["GM1774"]), employee)
        self.assertNotIn(reverse("themes:list", args=["GM1774"]), employee)

    def test_dashboard_has_a_section_per_role_held(self):
        page = self.nav(self.advisor)
        self.assertIn("Adviseur veiligheid", page)
        self.assertNotIn("Privacyfunctionaris", page)

    def test_advisor_of_two_municipalities_can_switch(self):
        page = self.nav(self.advisor)
        self.assertIn("Naar Tubbergen", page)
        response = self.client.get(reverse("ui:dashboard", args=["GM0183"]))
        self.assertContains(response, "Overzicht Tubbergen")
        self.assertRedirects(self.client.get("/"), reverse("ui:dashboard", args=["GM0183"]))

    def test_unknown_municipality_code_is_404(self):
        self.sign_in(self.advisor)
        self.assertEqual(self.client.get("/m/GM9999/").status_code, 404)


SECRET = "a-long-random-production-secret-" + "k" * 40


def manage_in_production(env, *args):
    """Run manage.py in a fresh process with only `env` (plus PATH, HOME, LANG) set."""
    base = {k: v for k, v in os.environ.items() if k.startswith(("PATH", "HOME", "LANG"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=base | env,
        capture_output=True,
        text=True,
        check=False,
    )


class ProductionSettingsTests(NoaberTestCase):
    def test_check_deploy_is_clean_in_production_mode(self):
        env = {
            "NOABER_SECRET_KEY": SECRET,
            "NOABER_AUDIT_KEY": "a-separate-audit-chain-key-" + "a" * 40,
            "NOABER_FIELD_KEYS": "k1:" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY=",
            "NOABER_BLIND_INDEX_KEY": "a-separate-blind-index-key-" + "b" * 40,
            "NOABER_ALLOWED_HOSTS": "noaber.example.nl",
            "NOABER_VAR_DIR": str(settings.VAR_DIR),
        }
        result = manage_in_production(env, "check", "--deploy", "--fail-level", "WARNING")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("no issues", result.stdout)

    def test_production_refuses_to_start_without_a_secret_key(self):
        result = manage_in_production({}, "check")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("NOABER_SECRET_KEY must be set", result.stderr)

    def test_production_refuses_to_start_without_an_audit_key(self):
        result = manage_in_production({"NOABER_SECRET_KEY": SECRET}, "check")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("NOABER_AUDIT_KEY must be set", result.stderr)


class DashboardFigureTests(NoaberTestCase):
    def test_the_advisor_sees_counts_that_lead_to_the_work(self):
        from noaber.intake.actions import submit_report
        from noaber.intake.models import Category, Channel

        for _ in range(2):
            submit_report(
                self.dinkelland,
                {"category": Category.objects.first(), "description": "x"},
                channel=Channel.WEB,
            )
        self.sign_in(self.advisor)
        page = self.client.get(reverse("ui:dashboard", args=["GM1774"]))
        self.assertContains(page, "2 nieuwe meldingen")
        self.assertContains(page, "0 lopende casussen")
        self.assertContains(page, reverse("registry:inbox", args=["GM1774"]))

    def test_the_employee_is_led_to_niet_pluis(self):
        self.sign_in(self.employee)
        page = self.client.get(reverse("ui:dashboard", args=["GM1774"]))
        self.assertContains(page, reverse("intake:internal", args=["GM1774"]))


class ProbeTests(NoaberTestCase):
    """/health (alive) and /ready (able to do its work), for monitors on the internal network."""

    def setUp(self):
        super().setUp()
        from noaber.jobs.models import SchedulerBeat, WorkerBeat

        WorkerBeat.objects.all().delete()
        SchedulerBeat.objects.all().delete()

    def test_both_answer_over_plain_http_where_pages_redirect_and_are_never_cached(self):
        from django.test import Client, override_settings

        with override_settings(SECURE_SSL_REDIRECT=True):
            client = Client()
            self.assertEqual(client.get(reverse("ui:accessibility")).status_code, 301)
            for path, status in (("/health", 200), ("/ready", 503)):
                response = client.get(path)
                self.assertEqual(response.status_code, status, path)
                self.assertIn("no-store", response["Cache-Control"])
                self.assertEqual(response["Content-Type"], "application/json")

    def test_ready_needs_a_worker_and_a_scheduler_that_beat(self):
        from noaber.jobs.health import scheduler_beat
        from noaber.jobs.recovery import beat

        answer = self.client.get("/ready")
        self.assertEqual(answer.status_code, 503)
        self.assertEqual(answer.json(), {
            "status": "error", "database": "ok", "migrations": "ok", "worker": "not running",
            "scheduler": "not running", "audit_anchor": "ok",
        })  # fmt: skip
        beat("worker-1")
        scheduler_beat("scheduler-1")
        answer = self.client.get("/ready")
        self.assertEqual(answer.status_code, 200)
        self.assertEqual(answer.json()["status"], "ok")

    def test_a_silent_worker_or_an_old_anchor_is_not_ready(self):
        from datetime import timedelta
        from unittest import mock

        from django.utils import timezone

        from noaber.audit.actions import record
        from noaber.jobs.health import scheduler_beat
        from noaber.jobs.models import WorkerBeat
        from noaber.jobs.recovery import beat

        beat("worker-1")
        scheduler_beat("scheduler-1")
        WorkerBeat.objects.update(seen_at=timezone.now() - timedelta(minutes=6))
        self.assertEqual(self.client.get("/ready").json()["worker"], "not running")
        beat("worker-1")
        record("create", object_type="audit_anchor", object_id="1", origin="system")
        self.assertEqual(self.client.get("/ready").status_code, 200)
        with mock.patch("noaber.ui.views.ANCHOR_OVERDUE", timedelta(0)):
            answer = self.client.get("/ready")
        self.assertEqual((answer.status_code, answer.json()["audit_anchor"]), (503, "overdue"))

    def test_the_scheduler_beats_at_every_pass(self):
        # (That it takes its beat away when stopped: jobs.tests.test_recovery, real processes.)
        from io import StringIO

        from noaber.jobs.management.commands.run_scheduler import Command
        from noaber.jobs.models import SchedulerBeat

        command = Command(stdout=StringIO())
        command.beat_id = "host:1"
        command.step()
        first = SchedulerBeat.objects.get(scheduler_id="host:1").seen_at
        command.step()
        self.assertGreater(SchedulerBeat.objects.get(scheduler_id="host:1").seen_at, first)
