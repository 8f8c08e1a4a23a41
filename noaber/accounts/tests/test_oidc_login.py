"""Signing in through an identity provider (decision 0021), against a real OpenID Provider
(oidc-provider, started by the test; see oidc_op.py). Broken tokens are the provider's real
tokens altered by its test hook, or signed with a key the test holds; Noaber's verification
runs unchanged."""

import time
from urllib.parse import parse_qs, urljoin, urlsplit

import requests
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import call_command
from django.test import override_settings, tag
from django.urls import reverse

from noaber.accounts import checks, providers
from noaber.accounts.models import (
    ExternalIdentity,
    IdentityProvider,
    Membership,
    Organisation,
    ProviderSession,
    Role,
    RoleMapping,
    User,
)
from noaber.audit.models import Action, AuditEvent, Result

from . import oidc_op
from .base import PASSWORD, NoaberTestCase, totp_now

SECRET = "noaber-client-secret-for-tests"
REDIRECT = "http://testserver/inloggen/via/gemeente/terug/"
USERS = {
    "sso-anouk": {
        "password": "pw",
        "claims": {
            "given_name": "Anouk",
            "family_name": "Aanmelder",
            "email": "anouk@dinkelland.example",
            "groups": ["noaber-adviseurs", "iets-anders"],
        },
    },
    "sso-pieter": {
        "password": "pw",
        "claims": {"name": "Pieter Privacy", "groups": ["noaber-privacy"]},
    },
    "sso-petra": {
        "password": "pw",
        "claims": {"name": "Petra Privacy", "groups": ["noaber-privacy"]},
        "amr": ["pwd", "mfa"],
    },
    "sso-nora": {"password": "pw", "claims": {"name": "Nora Niemand", "groups": ["kantine"]}},
}


def follow_login(url, username, password, redirect_uri, session=None):
    """Sign in at the provider's own login form, starting from Noaber's authorization URL,
    and return the provider's redirect back to Noaber (not requested)."""
    session = session or requests.Session()
    response = session.get(url, allow_redirects=False, timeout=15)
    for _ in range(25):
        if response.is_redirect:
            location = urljoin(response.url, response.headers["Location"])
            if location.startswith(redirect_uri):
                return location
            response = session.get(location, allow_redirects=False, timeout=15)
            continue
        forms = oidc_op._forms(response.text)
        form = next((f for f in forms if "password" in f["fields"]), None) or forms[0]
        data = {**form["fields"], "login": username, "password": password}
        response = session.post(
            urljoin(response.url, form["action"]), data=data, allow_redirects=False, timeout=15
        )
    raise AssertionError("the provider never sent the browser back")


@tag("oidc")
class ProviderLoginTests(NoaberTestCase):
    @classmethod
    def setUpClass(cls):
        oidc_op.ensure_available()
        cls.op = oidc_op.TestProvider(
            clients=[
                {
                    "client_id": "noaber",
                    "client_secret": SECRET,
                    "redirect_uris": [REDIRECT],
                    "post_logout_redirect_uris": ["http://testserver/inloggen/"],
                }
            ],
            users=USERS,
        )
        cls.addClassCleanup(cls.op.stop)
        super().setUpClass()

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        provider = IdentityProvider(
            slug="gemeente",
            name="Gemeente Dinkelland",
            issuer=cls.op.issuer,
            client_id="noaber",
            client_secret=SECRET,
            groups_claim="groups",
            mfa_roles=[Role.PRIVACY, Role.ADMIN],
            mfa_amr=["mfa"],
        )
        providers.save_provider(provider, actor=None, municipalities=[cls.dinkelland])
        cls.provider = provider
        for claim, role in (("noaber-adviseurs", Role.ADVISOR), ("noaber-privacy", Role.PRIVACY)):
            providers.add_role_mapping(provider, claim, cls.dinkelland, role, actor=cls.admin)

    def setUp(self):
        for sub, entry in USERS.items():  # a test may have changed a user at the provider
            self.op.set_user(sub, claims=entry["claims"], amr=entry.get("amr"))

    # --- helpers -----------------------------------------------------------------------

    def start(self, slug="gemeente", query=""):
        response = self.client.get(reverse("accounts:provider_start", args=[slug]) + query)
        self.assertEqual(response.status_code, 302)
        return response["Location"]

    def callback(self, location):
        parts = urlsplit(location)
        return self.client.get(f"{parts.path}?{parts.query}")

    def login(self, username, *, query=""):
        return self.callback(follow_login(self.start(query=query), username, "pw", REDIRECT))

    def assert_refused(self, response, reason, status=400):
        self.assertEqual(response.status_code, status)
        self.assertNotIn("_auth_user_id", self.client.session)
        event = AuditEvent.objects.filter(action=Action.LOGIN_FAILED).order_by("-id").first()
        self.assertEqual((event.reason, event.result), (reason, Result.DENIED))
        self.assertEqual(event.object_type, "identity_provider")
        self.assertNotIn("eyJ", str(event.detail))  # never the token
        return event

    def user_of(self, sub):
        return ExternalIdentity.objects.get(provider=self.provider, subject=sub).user

    # --- the flow ----------------------------------------------------------------------

    def test_the_authorization_request_uses_pkce_state_and_nonce(self):
        query = parse_qs(urlsplit(self.start()).query)
        self.assertEqual(query["code_challenge_method"], ["S256"])
        self.assertEqual(query["response_type"], ["code"])
        self.assertEqual(query["redirect_uri"], [REDIRECT])
        for name in ("state", "nonce", "code_challenge"):
            self.assertGreaterEqual(len(query[name][0]), 40)
        self.assertNotIn("code_verifier", query)

    def test_first_login_creates_the_user_with_the_mapped_role(self):
        response = self.login("sso-anouk")
        self.assertRedirects(
            response, reverse("ui:dashboard", args=["GM1774"]), fetch_redirect_response=False
        )
        user = self.user_of("sso-anouk")
        self.assertEqual((user.first_name, user.last_name), ("Anouk", "Aanmelder"))
        self.assertFalse(user.has_usable_password())
        membership = Membership.objects.get(user=user)
        self.assertEqual((membership.role, membership.provider), (Role.ADVISOR, self.provider))
        # The session is a verified staff session: the dashboard opens.
        self.assertEqual(self.client.get(response["Location"]).status_code, 200)
        login = AuditEvent.objects.filter(action=Action.LOGIN).order_by("-id").first()
        self.assertEqual(
            (login.reason, login.detail), ("identity_provider", {"provider": "gemeente"})
        )
        self.assertTrue(ProviderSession.objects.filter(session_key=self.client.session.session_key))

    def test_the_user_is_issuer_and_sub_not_the_email_address(self):
        self.login("sso-anouk")
        first = self.user_of("sso-anouk")
        # Someone else at the provider claims the same e-mail address: another user.
        claims = {**USERS["sso-nora"]["claims"], "email": "anouk@dinkelland.example"}
        self.op.set_user("sso-nora", claims={**claims, "groups": ["noaber-adviseurs"]})
        self.client.logout()
        self.login("sso-nora")
        self.assertNotEqual(self.user_of("sso-nora"), first)

    def test_a_group_removed_before_the_next_login_removes_the_role(self):
        self.login("sso-anouk")
        user = self.user_of("sso-anouk")
        # A local grant beside the claim: it stays.
        from noaber.accounts import actions

        actions.grant_role(user, self.dinkelland, Role.EMPLOYEE)
        self.client.logout()
        claims = {**USERS["sso-anouk"]["claims"], "groups": ["iets-anders", "noaber-privacy"]}
        self.op.set_user("sso-anouk", claims=claims)
        # noaber-privacy needs proof of MFA this user does not bring: refused, nothing changed.
        self.assert_refused(self.login("sso-anouk"), "mfa_missing", 403)
        self.assertEqual(
            set(user.memberships.values_list("role", flat=True)), {Role.ADVISOR, Role.EMPLOYEE}
        )
        self.op.set_user(
            "sso-anouk", claims={**USERS["sso-anouk"]["claims"], "groups": ["iets-anders"]}
        )
        response = self.login("sso-anouk")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(set(user.memberships.values_list("role", flat=True)), {Role.EMPLOYEE})
        removed = AuditEvent.objects.get(object_type="membership", reason="claim_removed")
        self.assertEqual(removed.action, Action.DELETE)

    def test_the_last_group_removed_refuses_the_login_and_drops_the_role(self):
        self.login("sso-anouk")
        user = self.user_of("sso-anouk")
        self.client.logout()
        self.op.set_user("sso-anouk", claims={**USERS["sso-anouk"]["claims"], "groups": []})
        self.assert_refused(self.login("sso-anouk"), "no_role", 403)
        self.assertFalse(user.memberships.exists())

    def test_no_mapped_role_gets_geen_toegang_and_no_user(self):
        users = User.objects.count()
        response = self.login("sso-nora")
        self.assert_refused(response, "no_role", 403)
        self.assertContains(response, "Geen toegang", status_code=403)
        self.assertEqual(User.objects.count(), users)

    def test_a_privileged_role_needs_proof_of_mfa(self):
        response = self.login("sso-pieter")
        self.assert_refused(response, "mfa_missing", 403)
        self.assertContains(response, "tweede factor", status_code=403)
        self.assertFalse(ExternalIdentity.objects.filter(subject="sso-pieter").exists())
        self.assertEqual(self.login("sso-petra").status_code, 302)
        self.assertEqual(
            list(self.user_of("sso-petra").memberships.values_list("role", flat=True)),
            [Role.PRIVACY],
        )

    def test_an_acr_value_listed_by_the_admin_is_proof_too(self):
        self.provider.mfa_acr = ["urn:noaber:mfa"]
        self.provider.save()
        self.op.set_user("sso-pieter", acr="urn:noaber:mfa")
        self.assertEqual(self.login("sso-pieter").status_code, 302)

    # --- what must be refused ----------------------------------------------------------

    def test_a_callback_without_a_started_login(self):
        response = self.client.get(
            reverse("accounts:provider_callback", args=["gemeente"]) + "?code=abc&state=xyz"
        )
        self.assert_refused(response, "unknown_state")
        self.assertContains(response, "Inloggen niet gelukt", status_code=400)

    def test_a_wrong_state(self):
        location = follow_login(self.start(), "sso-anouk", "pw", REDIRECT)
        query = parse_qs(urlsplit(location).query)
        response = self.client.get(
            reverse("accounts:provider_callback", args=["gemeente"]),
            {"code": query["code"][0], "state": "not-" + query["state"][0]},
        )
        self.assert_refused(response, "unknown_state")

    def test_a_replayed_callback(self):
        location = follow_login(self.start(), "sso-anouk", "pw", REDIRECT)
        self.assertEqual(self.callback(location).status_code, 302)
        self.client.post(reverse("accounts:logout"))
        self.assert_refused(self.callback(location), "unknown_state")

    def test_a_wrong_or_replayed_nonce(self):
        old_nonce = parse_qs(urlsplit(self.start()).query)["nonce"][0]
        self.op.tamper(claims={"nonce": old_nonce})  # a nonce of another login
        self.assert_refused(self.login("sso-anouk"), "wrong_nonce")
        self.op.tamper(claims={"nonce": None})
        self.assert_refused(self.login("sso-anouk"), "missing_claim")

    def test_an_id_token_signed_with_another_key(self):
        # The same key id as the provider's, another key: the signature fails.
        self.op.tamper(key=oidc_op.new_rsa_key(kid=self.op.key["kid"]))
        self.assert_refused(self.login("sso-anouk"), "bad_signature")
        # A key id the provider never published, even after fetching its JWKS again.
        self.op.tamper(key=oidc_op.new_rsa_key(kid="vervalst"))
        with override_settings(NOABER_OIDC_JWKS_REFRESH=0):
            self.assert_refused(self.login("sso-anouk"), "unknown_key")
        self.op.tamper(header={"alg": "none"})
        self.assert_refused(self.login("sso-anouk"), "bad_algorithm")

    def test_an_expired_id_token(self):
        now = int(time.time())
        self.op.tamper(claims={"exp": now - 3600, "iat": now - 7200})
        self.assert_refused(self.login("sso-anouk"), "token_expired")

    def test_an_unknown_issuer(self):
        self.op.tamper(claims={"iss": "http://127.0.0.1:1/andere-uitgever"})
        self.assert_refused(self.login("sso-anouk"), "wrong_issuer")

    def test_a_token_for_another_client(self):
        self.op.tamper(claims={"aud": "een-andere-client"})
        self.assert_refused(self.login("sso-anouk"), "wrong_audience")

    def test_a_key_rotation_at_the_provider(self):
        self.assertEqual(self.login("sso-anouk").status_code, 302)  # JWKS now cached
        self.client.logout()
        new = self.op.rotate()
        with override_settings(NOABER_OIDC_JWKS_REFRESH=0):
            self.assertEqual(self.login("sso-anouk").status_code, 302)
        self.assertNotEqual(new["kid"], self.op.keys[-1]["kid"])

    def test_an_unknown_or_switched_off_provider(self):
        self.assertEqual(
            self.client.get(reverse("accounts:provider_start", args=["onbekend"])).status_code,
            404,
        )

    # --- the admin's mapping, and the configuration ------------------------------------

    def test_a_partner_provider_cannot_give_a_municipal_role(self):
        politie = Organisation.objects.get(name="Politie")
        partner = IdentityProvider(
            slug="politie", name="Politie", issuer="https://login.politie.example/",
            client_id="noaber", groups_claim="groups", organisation=politie,
        )  # fmt: skip
        providers.save_provider(partner, actor=None, municipalities=[self.dinkelland])
        with self.assertRaises(ValidationError):
            providers.add_role_mapping(
                partner, "recherche", self.dinkelland, Role.ADVISOR, actor=self.admin
            )
        # Through the admin's page: a Dutch error, nothing saved.
        self.sign_in(self.admin)
        response = self.client.post(
            reverse("sign_in:mappings", args=["GM1774"]),
            {"provider": partner.pk, "claim_value": "recherche", "role": Role.ADVISOR},
        )
        self.assertContains(response, "geen gemeentelijke rol")
        self.assertFalse(RoleMapping.objects.filter(provider=partner).exists())
        providers.add_role_mapping(partner, "recherche", self.dinkelland, Role.PARTNER, actor=None)
        # And a municipal provider cannot give the partner role.
        with self.assertRaises(ValidationError):
            providers.add_role_mapping(
                self.provider, "politie", self.dinkelland, Role.PARTNER, actor=self.admin
            )

    def test_the_admin_page_adds_and_removes_mappings_audited(self):
        self.sign_in(self.admin)
        url = reverse("sign_in:mappings", args=["GM1774"])
        page = self.client.get(url)
        self.assertContains(page, "noaber-adviseurs")
        response = self.client.post(
            url, {"provider": self.provider.pk, "claim_value": "noaber-boa", "role": Role.ENFORCER}
        )
        self.assertRedirects(response, url)
        mapping = RoleMapping.objects.get(claim_value="noaber-boa")
        created = AuditEvent.objects.filter(object_type="role_mapping", action=Action.CREATE)
        self.assertTrue(created.filter(object_id=str(mapping.pk)).exists())
        self.client.post(reverse("sign_in:mapping_remove", args=["GM1774", mapping.pk]))
        self.assertFalse(RoleMapping.objects.filter(claim_value="noaber-boa").exists())
        removed = AuditEvent.objects.filter(object_type="role_mapping", action=Action.DELETE)
        self.assertTrue(removed.exists())

    def test_an_http_issuer_is_refused_outside_debug(self):
        with override_settings(NOABER_OIDC_LOOPBACK_HTTP=False):
            with self.assertRaises(ImproperlyConfigured) as raised:
                checks.refuse_insecure_providers()
            self.assertIn("gemeente", str(raised.exception))
            errors = checks.check_identity_providers(databases=["default"])
            self.assertEqual([e.id for e in errors], ["noaber.E002"])
            with self.assertRaises(ValidationError):
                providers.check_issuer(self.op.issuer)
        checks.refuse_insecure_providers()  # NOABER_DEBUG and loopback: the tests' provider
        with self.assertRaises(ValidationError):
            providers.check_issuer("http://login.example.nl/")

    def test_the_command_registers_a_provider_with_its_mapping(self):
        if True:
            call_command(
                "identity_provider", "keycloak", "--name", "Keycloak", "--issuer",
                "https://sso.example.nl/realms/gemeente", "--client-id", "noaber",
                "--groups-claim", "groups", "--municipality", "GM1774",
                "--map", "/noaber/boa=GM1774:enforcer", stdout=open("/dev/null", "w"),
            )  # fmt: skip
        keycloak = IdentityProvider.objects.get(slug="keycloak")
        self.assertEqual(keycloak.role_mappings.get().role, Role.ENFORCER)

    # --- local login and sessions ------------------------------------------------------

    @override_settings(NOABER_LOCAL_LOGIN_ROLES="admin")
    def test_local_login_can_be_switched_off_per_role(self):
        url = reverse("accounts:login")
        refused = self.client.post(url, {"username": "anouk", "password": PASSWORD})
        self.assertContains(refused, "uitgeschakeld voor uw rol")
        self.assertEqual(AuditEvent.objects.filter(reason="local_login_off").count(), 1)
        allowed = self.client.post(url, {"username": "bea", "password": PASSWORD})
        self.assertRedirects(allowed, reverse("accounts:login_code"))

    @override_settings(NOABER_LOCAL_LOGIN_ROLES="")
    def test_without_local_login_the_page_offers_only_the_providers(self):
        page = self.client.get(reverse("accounts:login"))
        self.assertContains(page, "Inloggen via Gemeente Dinkelland")
        self.assertNotContains(page, 'name="password"')

    def test_a_local_login_is_marked_as_local(self):
        url = reverse("accounts:login")
        self.client.post(url, {"username": "bea", "password": PASSWORD})
        self.client.post(reverse("accounts:login_code"), {"token": totp_now(self.admin)})
        login = AuditEvent.objects.filter(action=Action.LOGIN).order_by("-id").first()
        self.assertEqual(login.reason, "local_login")

    @override_settings(NOABER_SESSION_MAX_SECONDS=3600)
    def test_a_session_ends_at_its_maximum_age(self):
        self.login("sso-anouk")
        dashboard = reverse("ui:dashboard", args=["GM1774"])
        self.assertEqual(self.client.get(dashboard).status_code, 200)
        session = self.client.session
        session[providers.AUTH_AT] = time.time() - 3601
        session.save()
        response = self.client.get(dashboard)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("accounts:login")))
        ended = AuditEvent.objects.filter(action=Action.LOGOUT).order_by("-id").first()
        self.assertEqual(ended.reason, "session_max_age")

    def test_logout_goes_to_the_provider_too(self):
        self.login("sso-anouk")
        key = self.client.session.session_key
        response = self.client.post(reverse("accounts:logout"))
        end = self.op.discovery()["end_session_endpoint"]
        self.assertTrue(response["Location"].startswith(end))
        query = parse_qs(urlsplit(response["Location"]).query)
        self.assertEqual(query["post_logout_redirect_uri"], ["http://testserver/inloggen/"])
        self.assertEqual(query["client_id"], ["noaber"])
        self.assertNotIn("id_token_hint", query)  # the ID token is not kept in the session
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertFalse(ProviderSession.objects.filter(session_key=key).exists())

    def test_the_access_review_shows_where_roles_come_from_and_local_logins(self):
        from noaber.accounts.review import Flag, build_review

        self.login("sso-anouk")
        self.client.logout()
        self.client.post(reverse("accounts:login"), {"username": "bea", "password": PASSWORD})
        self.client.post(reverse("accounts:login_code"), {"token": totp_now(self.admin)})
        rows = {row.user_id: row for row in build_review(self.dinkelland).accounts}
        sso = rows[self.user_of("sso-anouk").pk]
        self.assertEqual(sso.grants[0].source, "uit de claims van Gemeente Dinkelland")
        self.assertEqual(sso.providers, ["Gemeente Dinkelland"])
        self.assertIn(Flag.NO_MFA, sso.flags)  # her token proved no second factor
        self.client.logout()
        self.login("sso-petra")
        rows = {row.user_id: row for row in build_review(self.dinkelland).accounts}
        self.assertNotIn(Flag.NO_MFA, rows[self.user_of("sso-petra").pk].flags)
        self.client.logout()
        self.client.post(reverse("accounts:login"), {"username": "bea", "password": PASSWORD})
        self.client.post(reverse("accounts:login_code"), {"token": totp_now(self.admin)})
        self.assertIn(Flag.LOCAL_LOGIN, rows[self.admin.pk].flags)
        self.assertEqual(rows[self.admin.pk].grants[0].source, "lokaal toegekend")
        self.sign_in(self.privacy)
        page = self.client.get(reverse("access_review:report", args=["GM1774"]))
        self.assertContains(page, "uit de claims van Gemeente Dinkelland")
        self.assertContains(page, "logt lokaal in met wachtwoord")

    def test_the_hourly_clean_up_ends_provider_sessions_past_their_maximum_age(self):
        from datetime import timedelta

        from django.contrib.sessions.models import Session
        from django.utils import timezone

        from noaber.accounts.tasks import clear_ended_sessions

        self.login("sso-anouk")
        key = self.client.session.session_key
        self.assertEqual(clear_ended_sessions.func(), 0)
        old = timezone.now() - timedelta(seconds=8 * 3600 + 1)
        ProviderSession.objects.filter(session_key=key).update(created_at=old)
        self.assertEqual(clear_ended_sessions.func(), 1)
        self.assertFalse(Session.objects.filter(session_key=key).exists())
        self.assertFalse(ProviderSession.objects.exists())

    # --- after the review: privileged roles, a provider switched off, the back channel -----

    def test_a_local_privileged_grant_needs_proof_of_mfa_too(self):
        from noaber.accounts import actions

        self.login("sso-anouk")
        user = self.user_of("sso-anouk")
        self.client.logout()
        actions.grant_role(user, self.dinkelland, Role.ADMIN)
        self.assert_refused(self.login("sso-anouk"), "mfa_missing", 403)
        self.op.set_user("sso-anouk", amr=["pwd", "mfa"])
        self.assertEqual(self.login("sso-anouk").status_code, 302)

    def test_privileged_roles_need_proof_unless_the_provider_enforces_mfa_itself(self):
        providers.add_role_mapping(
            self.provider, "noaber-beheer", self.dinkelland, Role.ADMIN, actor=None
        )
        claims = {**USERS["sso-nora"]["claims"], "groups": ["noaber-beheer"]}
        self.op.set_user("sso-nora", claims=claims)
        self.provider.mfa_roles = []  # not listed: admin is privileged all the same
        self.provider.save()
        self.assert_refused(self.login("sso-nora"), "mfa_missing", 403)
        self.provider.mfa_at_provider = True  # e.g. Entra ID Conditional Access
        self.provider.save()
        self.assertEqual(self.login("sso-nora").status_code, 302)

    def test_switching_a_provider_off_ends_its_sessions(self):
        self.login("sso-anouk")
        dashboard = reverse("ui:dashboard", args=["GM1774"])
        self.assertEqual(self.client.get(dashboard).status_code, 200)
        self.provider.active = False
        providers.save_provider(self.provider, actor=None)
        self.assertFalse(ProviderSession.objects.exists())
        self.assertEqual(self.client.get(dashboard).status_code, 302)

    def test_a_provider_switched_off_in_the_database_ends_its_sessions(self):
        self.login("sso-anouk")
        IdentityProvider.objects.filter(pk=self.provider.pk).update(active=False)
        response = self.client.get(reverse("ui:dashboard", args=["GM1774"]))
        self.assertEqual(response.status_code, 302)
        ended = AuditEvent.objects.filter(action=Action.LOGOUT).order_by("-id").first()
        self.assertEqual(ended.reason, "provider_off")

    def test_a_session_without_a_login_time_ends(self):
        self.login("sso-anouk")
        session = self.client.session
        del session[providers.AUTH_AT]
        session.save()
        self.assertEqual(self.client.get(reverse("ui:dashboard", args=["GM1774"])).status_code, 302)

    def test_the_answer_must_name_its_issuer_when_the_provider_says_it_does(self):
        location = follow_login(self.start(), "sso-anouk", "pw", REDIRECT)
        parts = urlsplit(location)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        self.assertEqual(query.pop("iss"), self.op.issuer)
        self.assert_refused(self.client.get(parts.path, query), "wrong_issuer")

    def test_a_provider_that_does_not_answer_is_refused_quickly_and_not_asked_again(self):
        from noaber.accounts import oidc

        dead = IdentityProvider(slug="weg", name="Weg", issuer=f"http://127.0.0.1:{_closed_port()}",
                                client_id="noaber", groups_claim="groups")  # fmt: skip
        providers.save_provider(dead, actor=None, municipalities=[self.dinkelland])
        response = self.client.get(reverse("accounts:provider_start", args=["weg"]))
        self.assert_refused(response, "provider_unreachable")
        self.assertIn(dead.issuer, oidc._failed)
        started = time.monotonic()
        self.client.get(reverse("accounts:provider_start", args=["weg"]))
        self.assertLess(time.monotonic() - started, 1.0)
        oidc.forget(dead)

    def test_the_logout_origin_in_the_csp_is_rebuilt_from_its_parts(self):
        from noaber.accounts import oidc

        fake = IdentityProvider(issuer="https://op.example/", client_id="x")
        for endpoint, origin in (
            ("https://op.example/logout", "https://op.example"),
            ("https://op.example:8443/logout?x=1", "https://op.example:8443"),
            ("https://op.example; sandbox", ""),
            ("https://op.example *", ""),
            ("http://op.example/logout", ""),
        ):
            with self.subTest(endpoint=endpoint):
                oidc._providers[fake.issuer] = {
                    "at": time.monotonic(), "metadata": {"end_session_endpoint": endpoint}
                }  # fmt: skip
                self.assertEqual(oidc.end_session_origin(fake), origin)
        oidc.forget(fake)

    # --- the back channel, with tokens the test signs with the provider's own key ------

    def logout_token(self, *, key=None, header=None, **claims):
        from joserfc import jwt
        from joserfc.jwk import RSAKey

        now = int(time.time())
        body = {
            "iss": self.op.issuer, "aud": "noaber", "iat": now, "exp": now + 120,
            "jti": f"jti-{time.monotonic_ns()}", "sub": "sso-anouk",
            "events": {"http://schemas.openid.net/event/backchannel-logout": {}},
        }  # fmt: skip
        body.update(claims)
        body = {k: v for k, v in body.items() if v is not None}
        key = key or self.op.key
        head = {"alg": "RS256", "kid": key["kid"], "typ": "logout+jwt", **(header or {})}
        return jwt.encode(head, body, RSAKey.import_key(key))

    def back_channel(self, token):
        url = reverse("accounts:provider_backchannel_logout", args=["gemeente"])
        return self.client_class().post(url, {"logout_token": token})

    def test_a_valid_logout_token_ends_the_session_once(self):
        self.login("sso-anouk")
        token = self.logout_token()
        self.assertEqual(self.back_channel(token).status_code, 200)
        self.assertFalse(ProviderSession.objects.exists())
        self.assertEqual(self.client.get(reverse("ui:dashboard", args=["GM1774"])).status_code, 302)
        replay = self.back_channel(token)
        self.assertEqual(replay.status_code, 400)
        refused = AuditEvent.objects.filter(action=Action.DENIED).order_by("-id").first()
        self.assertEqual(refused.reason, "replayed_token")

    def test_a_sid_the_session_never_had_falls_back_to_the_subject(self):
        self.login("sso-anouk")
        ProviderSession.objects.update(sid="")  # an ID token without sid
        self.assertEqual(self.back_channel(self.logout_token(sid="onbekend")).status_code, 200)
        self.assertFalse(ProviderSession.objects.exists())

    def test_broken_logout_tokens_are_refused_and_end_nothing(self):
        self.login("sso-anouk")
        old = int(time.time()) - 3600
        cases = {
            "bad_signature": self.logout_token(key=oidc_op.new_rsa_key(kid=self.op.key["kid"])),
            "wrong_audience": self.logout_token(aud="een-andere-client"),
            "wrong_issuer": self.logout_token(iss="http://127.0.0.1:1/ander"),
            "not_a_logout_token": self.logout_token(nonce="n"),
            "missing_claim": self.logout_token(events=None),
            "token_expired": self.logout_token(iat=old, exp=old + 60),
        }
        cases["not_a_logout_token (typ)"] = self.logout_token(header={"typ": "JWT"})
        cases["missing_claim (exp)"] = self.logout_token(exp=None)
        for reason, token in cases.items():
            with self.subTest(reason=reason):
                self.assertEqual(self.back_channel(token).status_code, 400)
                refused = AuditEvent.objects.filter(action=Action.DENIED).order_by("-id").first()
                self.assertEqual(refused.reason, reason.split(" ")[0])
        self.assertEqual(ProviderSession.objects.count(), 1)


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
