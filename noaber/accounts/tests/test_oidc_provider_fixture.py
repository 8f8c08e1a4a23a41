"""The test OpenID Provider (oidc_op.py, oidc_provider/server.mjs) does what the OIDC login tests
rely on: discovery, the code flow with PKCE, an ID token with the user's claims that verifies
against the JWKS, user changes, key rotation, one-shot tampered tokens, back-channel logout (on
demand and on an RP-initiated logout) and a login form that refuses a wrong password.

It runs the real oidc-provider in Node (no database, no browser); skipped without Node and the
provider's node_modules unless NOABER_REQUIRE_OIDC=1. Tag "oidc"."""

import dataclasses
import json
import queue
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import requests
from django.test import SimpleTestCase, tag
from joserfc import jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet, RSAKey

from .oidc_op import (
    FlowError,
    LoginFailedError,
    TestProvider,
    code_flow,
    end_session,
    ensure_available,
    exchange_code,
    new_rsa_key,
)

BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"
REDIRECT_URI = "http://127.0.0.1:8999/oidc/callback"
POST_LOGOUT_URI = "http://127.0.0.1:8999/signed-out"
ANOUK = {
    "password": "Anouk-wachtwoord-1",
    "claims": {
        "name": "Anouk de Vries",
        "given_name": "Anouk",
        "family_name": "de Vries",
        "email": "anouk@example.nl",
        "groups": ["noaber-advisors", "team-veiligheid"],
        "roles": ["advisor"],
    },
    "amr": ["pwd", "mfa"],
    "acr": "urn:noaber:loa:substantial",
}
TIM = {"password": "Tim-wachtwoord-2", "claims": {"name": "Tim", "groups": ["noaber-advisors"]}}


class _LogoutReceiver(BaseHTTPRequestHandler):
    """The relying party's back-channel logout endpoint: queues each logout_token and answers
    with the status the test sets."""

    received: queue.Queue = queue.Queue()
    status = 200

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        self.received.put(
            {
                "content_type": self.headers["Content-Type"],
                "logout_token": parse_qs(body)["logout_token"][0],
            }
        )
        self.send_response(self.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@tag("oidc")
class OpenIDProviderFixtureTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ensure_available()
        cls.receiver = ThreadingHTTPServer(("127.0.0.1", 0), _LogoutReceiver)
        threading.Thread(target=cls.receiver.serve_forever, daemon=True).start()
        cls.addClassCleanup(cls.receiver.server_close)
        cls.addClassCleanup(cls.receiver.shutdown)
        backchannel_uri = f"http://127.0.0.1:{cls.receiver.server_port}/oidc/backchannel-logout"
        cls.rp = {
            "client_id": "noaber",
            "client_secret": "noaber-secret",
            "redirect_uris": [REDIRECT_URI],
            "post_logout_redirect_uris": [POST_LOGOUT_URI],
            "backchannel_logout_uri": backchannel_uri,
            "backchannel_logout_session_required": True,
        }
        cls.post_client = {
            "client_id": "noaber-post",
            "client_secret": "post-secret",
            "redirect_uris": [REDIRECT_URI],
            "token_endpoint_auth_method": "client_secret_post",
        }
        cls.op = TestProvider([cls.rp, cls.post_client], {"anouk": ANOUK, "tim": TIM})
        cls.addClassCleanup(cls.op.stop)

    def setUp(self):
        _LogoutReceiver.status = 200
        self.drain()

    # --- helpers ---------------------------------------------------------------------------

    def drain(self):
        while not _LogoutReceiver.received.empty():
            _LogoutReceiver.received.get_nowait()

    def login(self, username="anouk", password=None, client=None, **kwargs):
        """Code flow plus token request; returns (flow, token response, verified claims)."""
        client = client or self.rp
        password = password or {"anouk": ANOUK, "tim": TIM}[username]["password"]
        flow = code_flow(self.op, client, username, password, redirect_uri=REDIRECT_URI, **kwargs)
        tokens = exchange_code(self.op, client, flow)
        return flow, tokens, self.verify(tokens["id_token"], client["client_id"])

    def verify(self, token, audience, keys=None):
        """Signature against the published JWKS (or `keys`), then iss, aud, exp, iat."""
        keys = keys or KeySet.import_key_set(self.op.jwks())
        claims = jwt.decode(token, keys, algorithms=["RS256"]).claims
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": self.op.issuer},
            aud={"essential": True, "value": audience},
            exp={"essential": True},
            iat={"essential": True},
        ).validate(claims)
        return claims

    def header(self, token):
        return jwt.decode(token, KeySet.import_key_set(self.op.jwks())).header

    def next_logout_token(self):
        received = _LogoutReceiver.received.get(timeout=10)
        self.assertEqual(received["content_type"], "application/x-www-form-urlencoded")
        return received["logout_token"]

    def assert_logout_token(self, token, *, sub, sid):
        claims = self.verify(token, "noaber")
        self.assertEqual(claims["events"], {BACKCHANNEL_EVENT: {}})
        self.assertEqual((claims["sub"], claims["sid"]), (sub, sid))
        self.assertTrue(claims["jti"])
        self.assertNotIn("nonce", claims)
        self.assertEqual(self.header(token)["typ"], "logout+jwt")

    # --- the tests ---------------------------------------------------------------------------

    def test_discovery_describes_a_code_flow_provider_with_pkce_and_logout(self):
        meta = self.op.discovery()
        self.assertEqual(meta["issuer"], self.op.issuer)
        self.assertEqual(meta["response_types_supported"], ["code"])
        self.assertEqual(meta["code_challenge_methods_supported"], ["S256"])
        self.assertEqual(meta["id_token_signing_alg_values_supported"], ["RS256"])
        self.assertEqual(
            set(meta["token_endpoint_auth_methods_supported"]),
            {"client_secret_basic", "client_secret_post"},
        )
        self.assertLessEqual({"openid", "profile", "email"}, set(meta["scopes_supported"]))
        self.assertLessEqual(
            {"groups", "roles", "amr", "acr", "sid"}, set(meta["claims_supported"])
        )
        self.assertTrue(meta["backchannel_logout_supported"])
        self.assertTrue(meta["backchannel_logout_session_supported"])
        self.assertTrue(meta["end_session_endpoint"].startswith(self.op.issuer + "/"))
        self.assertTrue(self.op.jwks()["keys"])

    def test_code_flow_gives_an_id_token_with_the_users_claims(self):
        flow, tokens, claims = self.login()
        self.assertEqual(tokens["token_type"], "Bearer")
        self.assertEqual(claims["sub"], "anouk")
        self.assertEqual(claims["nonce"], flow.nonce)
        self.assertEqual(claims["groups"], ["noaber-advisors", "team-veiligheid"])
        self.assertEqual(claims["roles"], ["advisor"])
        self.assertEqual(claims["name"], "Anouk de Vries")
        self.assertEqual(claims["email"], "anouk@example.nl")
        self.assertEqual(claims["amr"], ["pwd", "mfa"])
        self.assertEqual(claims["acr"], "urn:noaber:loa:substantial")
        self.assertTrue(claims["sid"])
        self.assertIn("auth_time", claims)
        self.assertEqual(self.header(tokens["id_token"])["kid"], self.op.key["kid"])
        query = parse_qs(urlsplit(flow.location).query)
        self.assertEqual(query["iss"], [self.op.issuer])  # RFC 9207

    def test_a_user_without_amr_or_acr_gets_neither(self):
        _, _, claims = self.login("tim")
        self.assertEqual(claims["groups"], ["noaber-advisors"])
        self.assertNotIn("amr", claims)
        self.assertNotIn("acr", claims)

    def test_client_secret_post_works_for_a_client_registered_so(self):
        _, _, claims = self.login(client=self.post_client)
        self.assertEqual(claims["aud"], "noaber-post")
        self.assertNotIn("sid", claims)  # no back-channel logout registered: no sid

    def test_pkce_is_required_and_checked(self):
        params = {
            "response_type": "code",
            "client_id": "noaber",
            "redirect_uri": REDIRECT_URI,
            "scope": "openid",
            "state": "s",
            "nonce": "n",
        }
        url = self.op.discovery()["authorization_endpoint"] + "?" + urlencode(params)
        response = requests.get(url, allow_redirects=False, timeout=10)
        self.assertEqual(response.status_code, 303)
        query = parse_qs(urlsplit(response.headers["Location"]).query)
        self.assertEqual(query["error"], ["invalid_request"])
        self.assertIn("PKCE", query["error_description"][0])

        flow = code_flow(self.op, self.rp, "anouk", ANOUK["password"])
        broken = dataclasses.replace(flow, code_verifier="x" * 43)
        with self.assertRaisesRegex(FlowError, "invalid_grant"):
            exchange_code(self.op, self.rp, broken)

    def test_the_login_page_has_the_form_the_browser_tests_use(self):
        params = {
            "response_type": "code",
            "client_id": "noaber",
            "redirect_uri": REDIRECT_URI,
            "scope": "openid",
            "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "code_challenge_method": "S256",
        }
        url = self.op.discovery()["authorization_endpoint"] + "?" + urlencode(params)
        page = requests.get(url, timeout=10).text
        self.assertIn('<input name="login"', page)
        self.assertIn('<input name="password" type="password">', page)
        self.assertIn('<button type="submit">Sign in</button>', page)

    def test_a_wrong_password_gives_no_code(self):
        with self.assertRaises(LoginFailedError):
            code_flow(self.op, self.rp, "anouk", "wrong", redirect_uri=REDIRECT_URI)
        with self.assertRaises(LoginFailedError):
            code_flow(self.op, self.rp, "nobody", "x", redirect_uri=REDIRECT_URI)

    def test_a_second_login_in_the_same_browser_authenticates_again(self):
        flow, _, first = self.login()
        # The form is shown again: a wrong password fails despite the provider session ...
        with self.assertRaises(LoginFailedError):
            code_flow(self.op, self.rp, "anouk", "wrong", session=flow.session)
        # ... and the right one continues that session (same sid).
        _, _, second = self.login(session=flow.session)
        self.assertEqual(second["sid"], first["sid"])
        self.drain()
        # Another user in the same browser: the provider ends anouk's session first, with a
        # back-channel logout, and starts a new one.
        _, _, tim = self.login("tim", session=flow.session)
        self.assert_logout_token(self.next_logout_token(), sub="anouk", sid=first["sid"])
        self.assertEqual(tim["sub"], "tim")
        self.assertNotEqual(tim["sid"], first["sid"])

    def test_set_user_changes_the_next_token(self):
        self.addCleanup(self.op.set_user, "anouk", claims=ANOUK["claims"], amr=ANOUK["amr"])
        self.op.set_user(
            "anouk", claims={**ANOUK["claims"], "groups": ["noaber-advisors"]}, amr=None
        )
        _, _, claims = self.login()
        self.assertEqual(claims["groups"], ["noaber-advisors"])
        self.assertNotIn("amr", claims)
        self.assertEqual(claims["acr"], ANOUK["acr"])  # untouched

    def test_rotate_signs_with_the_new_key_and_keeps_the_old_one_published(self):
        flow, before, first = self.login()
        old_kid = self.header(before["id_token"])["kid"]
        new_key = self.op.rotate(new_rsa_key("rotated-" + old_kid[:8]))
        kids = [key["kid"] for key in self.op.jwks()["keys"]]
        self.assertEqual(kids[:2], [new_key["kid"], old_kid])
        self.assertTrue(all("d" not in key for key in self.op.jwks()["keys"]))  # public only
        _, after, claims = self.login()
        self.assertEqual(self.header(after["id_token"])["kid"], new_key["kid"])
        self.assertEqual(claims["groups"], ANOUK["claims"]["groups"])
        self.verify(before["id_token"], "noaber")  # the old token still verifies
        # The provider session from before the rotation lives on: its logout (with the old
        # token as hint) ends it and reaches the client.
        self.drain()
        end_session(self.op, flow.session, id_token_hint=before["id_token"])
        self.assert_logout_token(self.next_logout_token(), sub="anouk", sid=first["sid"])

    def test_tamper_resigns_the_next_id_token_once(self):
        signing_kid = self.op.key["kid"]
        foreign = new_rsa_key(kid=signing_kid)  # same kid, never published
        self.op.tamper(claims={"nonce": "x", "exp": 123, "email": None}, key=foreign)
        flow, tokens, _ = self._login_unverified()
        token = tokens["id_token"]
        with self.assertRaises(BadSignatureError):
            jwt.decode(token, KeySet.import_key_set(self.op.jwks()), algorithms=["RS256"])
        decoded = jwt.decode(token, RSAKey.import_key(foreign), algorithms=["RS256"])
        self.assertEqual(decoded.header["kid"], signing_kid)
        self.assertEqual((decoded.claims["nonce"], decoded.claims["exp"]), ("x", 123))
        self.assertNotIn("email", decoded.claims)
        self.assertEqual(decoded.claims["groups"], ANOUK["claims"]["groups"])
        self.assertTrue(tokens["access_token"])
        # One shot: the next token is the provider's own again.
        _, _, claims = self.login()
        self.assertEqual(claims["email"], "anouk@example.nl")

    def test_tamper_without_a_key_signs_with_the_providers_key(self):
        self.op.tamper(claims={"iss": "http://evil.example"}, header={"typ": "JWT"})
        _, tokens, _ = self._login_unverified()
        decoded = jwt.decode(
            tokens["id_token"], KeySet.import_key_set(self.op.jwks()), algorithms=["RS256"]
        )
        self.assertEqual(decoded.claims["iss"], "http://evil.example")
        self.assertEqual(decoded.header["typ"], "JWT")

    def _login_unverified(self):
        flow = code_flow(self.op, self.rp, "anouk", ANOUK["password"])
        return flow, exchange_code(self.op, self.rp, flow), None

    def test_backchannel_logout_on_demand(self):
        status = self.op.backchannel_logout("noaber", "anouk", "sid-123")
        self.assertEqual(status, 200)
        token = self.next_logout_token()
        self.assert_logout_token(token, sub="anouk", sid="sid-123")
        self.assertEqual(self.op.last_logout()["logout_token"], token)

        _LogoutReceiver.status = 400
        self.assertEqual(self.op.backchannel_logout("noaber", "anouk", "sid-123"), 400)

    def test_rp_initiated_logout_sends_a_backchannel_logout_for_the_session(self):
        flow, tokens, claims = self.login()
        self.drain()
        location = end_session(
            self.op,
            flow.session,
            id_token_hint=tokens["id_token"],
            post_logout_redirect_uri=POST_LOGOUT_URI,
            state="bye",
        )
        self.assertEqual(location, POST_LOGOUT_URI + "?state=bye")
        self.assert_logout_token(self.next_logout_token(), sub="anouk", sid=claims["sid"])
        # The provider session is gone: a new login gets a new sid.
        _, _, again = self.login(session=flow.session)
        self.assertNotEqual(again["sid"], claims["sid"])

    def test_the_test_endpoints_answer_json(self):
        response = requests.get(self.op.url("_test/nothing"), timeout=10)
        self.assertEqual(response.status_code, 404)
        self.assertIn("error", json.loads(response.text))
