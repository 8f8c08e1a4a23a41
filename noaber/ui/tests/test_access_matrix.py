"""Every URL of Noaber against every kind of visitor.

The test lists all URL patterns. A pattern whose view declares no access rule fails the test
(someone forgot to decide who may use it). Each declared rule is then exercised against an
anonymous visitor, an advisor of another municipality and each role in Dinkelland, and the
response is compared with EXPECTED below — a table written here, independently of the rules
in noaber/accounts/access.py, so that a wrong rule there shows up as a failure here.
"""

from django.http import HttpResponse
from django.urls import path, reverse

from noaber.accounts.access import RULES, municipality_view, public_view
from noaber.accounts.models import Role
from noaber.accounts.tests.base import NoaberTestCase
from noaber.audit.models import Action, AuditEvent
from noaber.ui.urlwalk import example_url, undeclared, walk

from .examples import EXAMPLES

ALL = set(Role.values)
EXPECTED = {
    "dashboard.view": ALL,
    "themes.view": {Role.ADVISOR, Role.MANAGEMENT, Role.ADMIN, Role.PRIVACY},
    "themes.manage": {Role.ADMIN},
    "audit.view": {Role.PRIVACY},
    "audit.register": {Role.PRIVACY},
    "intake.inbox": {Role.ADVISOR},
    "intake.internal": ALL - {Role.PARTNER},
    "intake.tokens": {Role.ADMIN},
    "zgw.manage": {Role.ADMIN},
    "zgw.processing_log": {Role.PRIVACY},
    "intake.standard_texts": {Role.ADMIN},
    "registry.work": {Role.ADVISOR},
    "registry.privacy": {Role.PRIVACY},
    "registry.retention": {Role.ADMIN},
    "cases.work": {Role.ADVISOR},
    "cases.partner_agenda": {Role.PARTNER},
    "cases.my_tasks": {Role.ADVISOR, Role.ENFORCER, Role.EMPLOYEE},
    "ui.my_work": {Role.ADVISOR},
    "cases.teams": {Role.ADMIN},
    "partners.view": ALL - {Role.PARTNER},
    "partners.manage": {Role.ADMIN},
    "partners.agreements": {Role.ADVISOR, Role.PRIVACY, Role.ADMIN, Role.MANAGEMENT},
    "partners.agreements_manage": {Role.ADVISOR, Role.ADMIN},
    "partners.portal": {Role.PARTNER},
    "partners.viewed": {Role.ADVISOR, Role.PRIVACY},
    "accounts.access_review": {Role.PRIVACY},
    "accounts.branding": {Role.ADMIN},
    "accounts.sign_in": {Role.ADMIN},
    "archive.work": {Role.ARCHIVIST},
    "insight.view": {Role.ADVISOR, Role.MANAGEMENT},
    "insight.alerts": {Role.ADVISOR},
    "policy.view": {Role.ADVISOR, Role.MANAGEMENT},
    "policy.manage": {Role.ADVISOR},
    "policy.report": {Role.ADVISOR, Role.MANAGEMENT},
    "search.use": {Role.ADVISOR},
}


class AccessMatrixTests(NoaberTestCase):
    def routes(self):
        """Declared routes; undeclared ones fail test_every_url_declares_an_access_rule."""
        return [r for r in walk() if r.rule is not None]

    def request(self, route, url):
        if "GET" in route.rule.methods:
            return self.client.get(url)
        return self.client.post(url)

    def test_every_url_declares_an_access_rule(self):
        self.assertEqual(undeclared(walk()), [])

    def test_every_action_has_an_expected_row_here(self):
        self.assertEqual(
            set(RULES) - set(EXPECTED), set(), "add the new action to EXPECTED in this test"
        )

    def test_rules_match_the_expected_table(self):
        for action, roles in EXPECTED.items():
            self.assertEqual(set(RULES[action]), roles, action)

    def test_anonymous_visitors_get_only_public_urls(self):
        for route in self.routes():
            with self.subTest(route=route.route):
                response = self.request(route, example_url(route, self.dinkelland, EXAMPLES))
                if route.rule.scope == "public":
                    # A public API answers an empty request with 400 (or 415: not JSON), never
                    # with a login.
                    allowed = (
                        (400, 415)
                        if not route.rule.page and "GET" not in route.rule.methods
                        else ()
                    )
                    if route.route == "ready":
                        allowed = (503,)  # no task worker beside the test run: not ready
                    if route.route.startswith("inloggen/via/"):
                        allowed = (*allowed, 404)  # the example provider is switched off
                    self.assertTrue(response.status_code < 400 or response.status_code in allowed)
                elif route.rule.scope == "partner_token":
                    self.assertEqual(response.status_code, 401)
                    self.assertEqual(response["WWW-Authenticate"], 'Token realm="noaber"')
                elif route.rule.scope == "machine_client":
                    # The ZGW APIs: no JWT, a 401 in ZGW's error shape.
                    self.assertEqual(response.status_code, 401)
                    self.assertEqual(response.json()["code"], "not_authenticated")
                else:
                    self.assertEqual(response.status_code, 302)
                    self.assertTrue(response["Location"].startswith(reverse("accounts:login")))
                    self.assertNotIn(b"<main", response.content)

    def test_advisor_of_another_municipality_gets_404_and_is_audited(self):
        self.sign_in(self.advisor_tubbergen)
        for route in self.routes():
            if route.rule.scope != "municipality":
                continue
            with self.subTest(route=route.route):
                url = example_url(route, self.dinkelland, EXAMPLES)
                before = AuditEvent.objects.filter(action=Action.DENIED).count()
                response = self.request(route, url)
                self.assertEqual(response.status_code, 404)
                denied = AuditEvent.objects.filter(action=Action.DENIED).order_by("-id")
                self.assertEqual(denied.count(), before + 1)
                self.assertEqual(denied[0].actor, "tim")
                self.assertEqual(denied[0].municipality, "GM1774")
                self.assertEqual(denied[0].object_id, url)

    def test_each_role_gets_exactly_what_the_table_allows(self):
        for role, user in self.by_role.items():
            self.client.logout()
            self.sign_in(user)
            for route in self.routes():
                if route.rule.scope in ("public", "partner_token", "machine_client"):
                    continue
                with self.subTest(role=role, route=route.route):
                    response = self.request(route, example_url(route, self.dinkelland, EXAMPLES))
                    allowed = route.rule.scope == "signed_in" or role in EXPECTED[route.rule.action]
                    if allowed:
                        self.assertIn(response.status_code, (200, 302))
                        if response.status_code == 302:
                            self.assertFalse(
                                response["Location"].startswith(reverse("accounts:login"))
                            )
                    elif role == Role.ENFORCER:
                        # Someone in the field is not told which pages exist (FIELD_ROLES).
                        self.assertEqual(response.status_code, 404)
                    else:
                        self.assertEqual(response.status_code, 403)
                        self.assertContains(response, "Geen toegang", status_code=403)


def bare_view(request, municipality):
    return HttpResponse("secret")


class GuardTests(NoaberTestCase):
    """The guards themselves must be able to fail."""

    def test_an_undeclared_url_is_reported(self):
        patterns = [
            path("ok/", public_view()(bare_view), name="ok"),
            path("m/<str:municipality>/leak/", bare_view, name="leak"),
            path("m/<str:municipality>/fine/", municipality_view("audit.view")(bare_view)),
        ]
        self.assertEqual(undeclared(walk(patterns)), ["m/<str:municipality>/leak/"])

    def test_an_unknown_action_cannot_be_declared(self):
        with self.assertRaises(KeyError):
            municipality_view("secret.peek")
