"""A real OpenID Provider for the OIDC login tests: panva's certified `oidc-provider` (Node),
run from oidc_provider/server.mjs on 127.0.0.1 over plain HTTP, and the means to drive it.

    with TestProvider(clients=[{...}], users={"anouk": {...}}) as op:
        flow = code_flow(op, "noaber", "anouk", "secret", redirect_uri=...)
        tokens = exchange_code(op, "noaber", flow)

The provider needs Node and `npm ci --prefix noaber/accounts/tests/oidc_provider`; without them
a test is skipped (ensure_available), unless NOABER_REQUIRE_OIDC=1 (as in CI) makes that an
error. One provider per test class: start it in setUpClass, stop it in tearDownClass.

Behaviour the tests can count on:
- every authorization request shows the login form (name="login", name="password",
  button[type=submit]), also with a provider session in the browser; consent is implicit;
- scope `profile` carries groups and roles (as does scope `groups`); the ID token carries the
  claims itself; amr and acr come from the user's entry; sid is in the ID token of a client
  with backchannel_logout_uri and backchannel_logout_session_required;
- the end-session page confirms itself ("Sign out", #logout-confirm, clicked on load), so an
  RP-initiated logout ends the provider session and sends a back-channel logout to every client
  with a grant in it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import unittest
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, quote, urlencode, urljoin, urlsplit

import requests
from joserfc.jwk import RSAKey

PROVIDER_DIR = Path(__file__).resolve().parent / "oidc_provider"
SERVER = PROVIDER_DIR / "server.mjs"
READY_TIMEOUT = 20.0
HTTP_TIMEOUT = 15.0
_KEEP = object()  # "leave this field as it is" in set_user


def available() -> bool:
    """Node on PATH and the provider's node_modules installed."""
    installed = PROVIDER_DIR / "node_modules" / "oidc-provider" / "package.json"
    return shutil.which("node") is not None and installed.is_file()


def ensure_available(testcase=None) -> None:
    """Skip the test (or class, from setUpClass) when the provider cannot run; with
    NOABER_REQUIRE_OIDC=1 that is an error instead."""
    if available():
        return
    reason = (
        "the test OpenID Provider needs node on PATH and "
        "`npm ci --prefix noaber/accounts/tests/oidc_provider --no-audit --no-fund`"
    )
    if os.environ.get("NOABER_REQUIRE_OIDC") == "1":
        raise RuntimeError(f"NOABER_REQUIRE_OIDC=1: {reason}")
    raise unittest.SkipTest(reason)


def new_rsa_key(kid: str | None = None) -> dict:
    """A fresh private RSA JWK (RS256, use sig) with a kid."""
    parameters = {"kid": kid or secrets.token_hex(8), "alg": "RS256", "use": "sig"}
    return RSAKey.generate_key(2048, parameters=parameters, private=True).as_dict(private=True)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TestProvider:
    """One oidc-provider process. `clients`: list of client metadata dicts (client_id,
    client_secret, redirect_uris, post_logout_redirect_uris, backchannel_logout_uri,
    backchannel_logout_session_required, optionally token_endpoint_auth_method —
    client_secret_basic by default, or client_secret_post). `users`: {sub: {"password": ...,
    "claims": {...}, "amr": [...], "acr": ...}}; the login name is the sub."""

    __test__ = False  # not a test case, whatever a collector thinks of the name

    def __init__(self, clients, users, port=None, *, key=None):
        ensure_available()
        self.clients = {client["client_id"]: dict(client) for client in clients}
        self.users = json.loads(json.dumps(users))
        self.key = key or new_rsa_key()
        self.keys = [self.key]  # as published: the signing key first
        self._fixed_port = port
        self._dir = tempfile.TemporaryDirectory(prefix="noaber-oidc-op-")
        self._process = None
        self._discovery = None
        self.http = requests.Session()
        attempts = 1 if port else 3  # a picked port can be taken before node binds it
        for attempt in range(attempts):
            self.port = port or _free_port()
            self.issuer = f"http://127.0.0.1:{self.port}"
            try:
                self._start()
                break
            except _PortInUseError:
                if attempt == attempts - 1:
                    raise

    # --- process -------------------------------------------------------------------------

    @property
    def log_path(self) -> Path:
        return Path(self._dir.name) / "stderr.log"

    def log(self) -> str:
        """What the provider wrote to stderr (errors, back-channel failures, warnings)."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def _start(self):
        config_path = Path(self._dir.name) / "config.json"
        config = {
            "port": self.port,
            "issuer": self.issuer,
            "keys": self.keys,
            "clients": list(self.clients.values()),
            "users": self.users,
            "exit_with_stdin": True,
        }
        config_path.write_text(json.dumps(config), encoding="utf-8")
        stdout_path = Path(self._dir.name) / "stdout.log"
        with open(stdout_path, "wb") as out, open(self.log_path, "wb") as err:
            self._process = subprocess.Popen(
                ["node", str(SERVER), str(config_path)],
                cwd=PROVIDER_DIR,
                stdin=subprocess.PIPE,
                stdout=out,
                stderr=err,
            )
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if f"READY {self.issuer}" in stdout_path.read_text(encoding="utf-8", errors="replace"):
                return
            code = self._process.poll()
            if code is not None:
                self._process = None
                if code == 3:
                    raise _PortInUseError()
                raise RuntimeError(f"test OpenID Provider exited ({code}):\n{self.log()}")
            time.sleep(0.02)
        log = self.log()
        self.stop()
        raise RuntimeError(f"test OpenID Provider not ready in {READY_TIMEOUT} s:\n{log}")

    def stop(self) -> None:
        """Terminate the provider (SIGTERM, then SIGKILL after 5 s) and remove its files."""
        process, self._process = self._process, None
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdin:
                process.stdin.close()
        self.http.close()
        self._dir.cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    # --- plain provider endpoints --------------------------------------------------------

    def url(self, path: str) -> str:
        return urljoin(self.issuer + "/", path.lstrip("/"))

    def discovery(self) -> dict:
        """The /.well-known/openid-configuration document (fetched once)."""
        if self._discovery is None:
            self._discovery = self._get(".well-known/openid-configuration")
        return self._discovery

    def jwks(self) -> dict:
        """The JWKS as published now, at the discovered jwks_uri."""
        return self._get(self.discovery()["jwks_uri"])

    # --- test control (/_test/...) -------------------------------------------------------

    def set_user(self, sub, *, claims=_KEEP, amr=_KEEP, acr=_KEEP, password=_KEEP) -> dict:
        """Replace the given fields of a user (None removes amr/acr); creates the user if new.
        Takes effect for tokens issued afterwards (the next login for amr/acr)."""
        body = {
            name: value
            for name, value in {
                "claims": claims,
                "amr": amr,
                "acr": acr,
                "password": password,
            }.items()
            if value is not _KEEP
        }
        user = self._post(f"_test/users/{quote(sub, safe='')}", body)["user"]
        self.users[sub] = user
        return user

    def rotate(self, key=None) -> dict:
        """Sign with `key` (default: a new one) from now on; the JWKS lists it first and keeps
        the older keys after it. Returns the new key (also `self.key`)."""
        key = key or new_rsa_key()
        self._post("_test/rotate", {"key": key})
        self.key = key
        self.keys = [key] + [k for k in self.keys if k["kid"] != key["kid"]]
        return key

    def tamper(self, claims=None, key=None, header=None) -> None:
        """One shot: the next successful token response's id_token gets `claims` merged in
        (None deletes a claim) and `header` merged into its header, and is signed RS256 with
        `key` (a private JWK; default the provider's signing key; header alg "none" leaves it
        unsigned). The rest of the response is unchanged."""
        body = {"claims": claims or {}, "header": header or {}}
        if key is not None:
            body["key"] = key
        self._post("_test/tamper", body)

    def backchannel_logout(self, client_id, sub, sid) -> int:
        """Let the provider send a logout token (sub, sid) to the client's
        backchannel_logout_uri; returns the HTTP status that endpoint answered."""
        result = self._post("_test/backchannel", {"client_id": client_id, "sub": sub, "sid": sid})
        if result["status"] is None:
            raise RuntimeError(f"back-channel logout not delivered: {result['error']}")
        return result["status"]

    def last_logout(self) -> dict | None:
        """The last back-channel logout request the provider sent: url, logout_token,
        status, body (first 500 characters) or error."""
        return self._get("_test/last-logout")["last"]

    def _get(self, path):
        response = self.http.get(self.url(path), timeout=HTTP_TIMEOUT)
        response.raise_for_status()
        return response.json()

    def _post(self, path, body):
        response = self.http.post(self.url(path), json=body, timeout=HTTP_TIMEOUT)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code} {response.text}\n{self.log()}")
        return response.json()


class _PortInUseError(Exception):
    pass


# --- driving the provider without a browser ----------------------------------------------


class FlowError(Exception):
    """The provider did not end the flow where expected (an error page, an error redirect)."""


class LoginFailedError(FlowError):
    """The login form came back after the credentials were posted (wrong password)."""


@dataclass(frozen=True)
class CodeFlowResult:
    code: str
    state: str
    nonce: str
    code_verifier: str
    redirect_uri: str
    location: str  # the full redirect to redirect_uri, which was not requested
    session: requests.Session = field(repr=False)  # the "browser", with the provider's cookies


class _Forms(HTMLParser):
    """Every <form>: id, method, action and the name/value of its inputs."""

    def __init__(self):
        super().__init__()
        self.forms = []
        self._current = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._current = {
                "id": attrs.get("id"),
                "method": (attrs.get("method") or "get").lower(),
                "action": attrs.get("action") or "",
                "fields": {},
            }
            self.forms.append(self._current)
        elif tag == "input" and self._current is not None and attrs.get("name"):
            self._current["fields"][attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def _forms(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def _same_endpoint(url: str, endpoint: str) -> bool:
    a, b = urlsplit(url), urlsplit(endpoint)
    return (a.scheme, a.netloc, a.path) == (b.scheme, b.netloc, b.path)


def _client(provider, client) -> dict:
    return provider.clients[client] if isinstance(client, str) else client


def _page_error(response) -> str:
    return f"{response.status_code} at {response.url}: {response.text[:800]}"


def code_flow(
    provider,
    client,
    username,
    password,
    *,
    redirect_uri=None,
    scope="openid profile email",
    session=None,
    extra_params=None,
) -> CodeFlowResult:
    """An authorization code request with PKCE (S256), state and nonce, signed in through the
    provider's login form with `requests`, up to the redirect to `redirect_uri` (not requested).
    `client` is a client dict or client_id; `session` a requests.Session to reuse (a second
    login in the same "browser"). Raises LoginFailedError on refused credentials, FlowError
    when the provider answers with an error."""
    client = _client(provider, client)
    redirect_uri = redirect_uri or client["redirect_uris"][0]
    session = session or requests.Session()
    state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    code_verifier = secrets.token_urlsafe(48)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(code_verifier.encode()).digest())
        .rstrip(b"=")
        .decode()
    )
    params = {
        "response_type": "code",
        "client_id": client["client_id"],
        "redirect_uri": redirect_uri,
        "scope": scope,
        "state": state,
        "nonce": nonce,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **(extra_params or {}),
    }
    url = provider.discovery()["authorization_endpoint"] + "?" + urlencode(params)
    response = session.get(url, allow_redirects=False, timeout=HTTP_TIMEOUT)
    credentials_posted = False
    for _ in range(25):
        if response.is_redirect:
            location = urljoin(response.url, response.headers["Location"])
            if _same_endpoint(location, redirect_uri):
                query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
                if "error" in query:
                    raise FlowError(f"{query['error']}: {query.get('error_description', '')}")
                if query.get("state") != state:
                    raise FlowError(f"state mismatch in {location}")
                return CodeFlowResult(
                    code=query["code"],
                    state=state,
                    nonce=nonce,
                    code_verifier=code_verifier,
                    redirect_uri=redirect_uri,
                    location=location,
                    session=session,
                )
            response = session.get(location, allow_redirects=False, timeout=HTTP_TIMEOUT)
            continue
        forms = _forms(response.text) if response.status_code == 200 else []
        login = next((f for f in forms if "password" in f["fields"]), None)
        if login is not None:
            if credentials_posted:
                raise LoginFailedError(f"login refused for {username!r}")
            data = {**login["fields"], "login": username, "password": password}
            credentials_posted = True
        elif forms and forms[0]["method"] == "post":
            # An auto-submitting page (e.g. the sign-out of the previous user on an account
            # switch): submit it as the browser's script would.
            login, data = forms[0], forms[0]["fields"]
        else:
            raise FlowError(f"unexpected answer {_page_error(response)}")
        response = session.post(
            urljoin(response.url, login["action"]),
            data=data,
            allow_redirects=False,
            timeout=HTTP_TIMEOUT,
        )
    raise FlowError(f"too many steps; last {_page_error(response)}")


def exchange_code(provider, client, flow: CodeFlowResult) -> dict:
    """The token request for `flow`'s code (with its code_verifier), authenticated as the client
    is registered (client_secret_basic or client_secret_post); the token response as a dict."""
    client = _client(provider, client)
    data = {
        "grant_type": "authorization_code",
        "code": flow.code,
        "redirect_uri": flow.redirect_uri,
        "code_verifier": flow.code_verifier,
    }
    headers = {}
    if client.get("token_endpoint_auth_method") == "client_secret_post":
        data |= {"client_id": client["client_id"], "client_secret": client["client_secret"]}
    else:  # RFC 6749 2.3.1: form-encode both before joining them
        pair = f"{quote(client['client_id'], safe='')}:{quote(client['client_secret'], safe='')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    response = requests.post(
        provider.discovery()["token_endpoint"], data=data, headers=headers, timeout=HTTP_TIMEOUT
    )
    if response.status_code != 200:
        raise FlowError(f"token endpoint: {response.status_code} {response.text}")
    return response.json()


def end_session(
    provider,
    session,
    *,
    id_token_hint=None,
    client_id=None,
    post_logout_redirect_uri=None,
    state=None,
) -> str:
    """An RP-initiated logout in the "browser" `session` (e.g. CodeFlowResult.session),
    confirmed as the page's script does. Returns where the provider sends the browser at the
    end: the post_logout_redirect_uri (with state; not requested) or its own success page."""
    params = {
        name: value
        for name, value in {
            "id_token_hint": id_token_hint,
            "client_id": client_id,
            "post_logout_redirect_uri": post_logout_redirect_uri,
            "state": state,
        }.items()
        if value is not None
    }
    response = session.get(
        provider.discovery()["end_session_endpoint"],
        params=params,
        allow_redirects=False,
        timeout=HTTP_TIMEOUT,
    )
    form = next((f for f in _forms(response.text) if f["id"] == "op.logoutForm"), None)
    if response.status_code != 200 or form is None:
        raise FlowError(f"no logout confirmation: {_page_error(response)}")
    response = session.post(
        urljoin(response.url, form["action"]),
        data={**form["fields"], "logout": "yes"},
        allow_redirects=False,
        timeout=HTTP_TIMEOUT,
    )
    while response.is_redirect:
        location = urljoin(response.url, response.headers["Location"])
        if not location.startswith(provider.issuer + "/"):
            return location
        response = session.get(location, allow_redirects=False, timeout=HTTP_TIMEOUT)
    if response.status_code != 200:
        raise FlowError(f"logout failed: {_page_error(response)}")
    return response.url
