"""The OpenID Connect relying party (docs/decisions/0021-openid-connect-sign-in.md).

Authlib builds the authorization request (PKCE S256, `state`, `nonce`) and makes the token
request with the client's secret; joserfc verifies the ID tokens and the back-channel logout
tokens against the provider's JWKS. Everything here raises `OIDCError` with a fixed reason
code (audited, never the token) when anything is not exactly right."""

import ipaddress
import json
import re
import threading
import time
from urllib.parse import urlencode, urlsplit

import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings
from joserfc import errors as jose_errors
from joserfc import jwt
from joserfc.jwk import KeySet
from joserfc.jws import extract_compact

# Connect and read timeouts for every request to a provider, and the most a discovery document
# or key set may weigh: a slow or hostile provider cannot hold a web worker for long.
TIMEOUT_SECONDS = (3, 5)
MAX_DOCUMENT_BYTES = 256 * 1024
# After a provider failed to answer, sign-ins through it are refused at once for this long,
# so anonymous visitors cannot tie up every web worker while it is down.
FAILURE_SECONDS = 60
# A logout token must be this fresh (its iat); its jti is remembered at least as long.
LOGOUT_TOKEN_SECONDS = 300
LEEWAY_SECONDS = 60
METADATA_SECONDS = 3600
ALGORITHMS = ["RS256"]
BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"


class OIDCError(Exception):
    """A sign-in or logout through a provider that must not go on; `reason` is the audit
    code (noaber/accounts/audit_labels.py)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def insecure_url_reason(url: str) -> str | None:
    """Why `url` may not be a provider's address, or None: HTTPS always; plain HTTP only to
    a loopback address and only with DEBUG on when the process started
    (NOABER_OIDC_LOOPBACK_HTTP: the tests' provider on 127.0.0.1)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and _loopback(parts.hostname):
        if settings.NOABER_OIDC_LOOPBACK_HTTP:
            return None
        return "http_in_production"
    return "not_https"


_lock = threading.Lock()
_providers: dict[str, dict] = {}
_failed: dict[str, float] = {}  # issuer -> time.monotonic() of its last failure


def _get_json(url: str, issuer: str) -> dict:
    """GET a JSON document of the provider: HTTPS, no redirects (an https:// address must not
    lead on to http:// or elsewhere), bounded in time and size."""
    if insecure_url_reason(url):
        raise OIDCError("insecure_provider_url")
    with _lock:
        failed_at = _failed.get(issuer)
    if failed_at is not None and time.monotonic() - failed_at < FAILURE_SECONDS:
        raise OIDCError("provider_unreachable")
    try:
        with requests.get(
            url, timeout=TIMEOUT_SECONDS, allow_redirects=False, stream=True
        ) as response:
            if response.status_code != 200:
                raise ValueError(f"status {response.status_code}")
            body = response.raw.read(MAX_DOCUMENT_BYTES + 1, decode_content=True)
            if len(body) > MAX_DOCUMENT_BYTES:
                raise ValueError("document too large")
        data = json.loads(body)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
    except (requests.RequestException, ValueError) as error:
        with _lock:
            _failed[issuer] = time.monotonic()
        raise OIDCError("provider_unreachable") from error
    with _lock:
        _failed.pop(issuer, None)
    return data


def metadata(provider) -> dict:
    """The provider's discovery document, kept for an hour; its `issuer` must be the
    configured one exactly (no mix-up between providers)."""
    with _lock:
        cached = _providers.get(provider.issuer)
        if cached and time.monotonic() - cached["at"] < METADATA_SECONDS:
            return cached["metadata"]
    document = _get_json(
        provider.issuer.rstrip("/") + "/.well-known/openid-configuration", provider.issuer
    )
    if document.get("issuer") != provider.issuer:
        raise OIDCError("issuer_mismatch")
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(document.get(name), str) or insecure_url_reason(document[name]):
            raise OIDCError("insecure_provider_url")
    with _lock:
        _providers[provider.issuer] = {"at": time.monotonic(), "metadata": document, "keys": None}
    return document


def _keys(provider, *, refresh: bool = False) -> KeySet:
    document = metadata(provider)
    with _lock:
        entry = _providers[provider.issuer]
        keys, fetched = entry.get("keys"), entry.get("keys_at", 0.0)
        if keys is not None and not refresh:
            return keys
        # An unknown key id fetches the JWKS again (a key rotation at the provider), but not
        # more often than this, so forged tokens cannot make Noaber hammer the provider.
        if keys is not None and time.monotonic() - fetched < settings.NOABER_OIDC_JWKS_REFRESH:
            return keys
        entry["keys_at"] = time.monotonic()  # one fetch at a time, failed or not
    try:
        keys = KeySet.import_key_set(_get_json(document["jwks_uri"], provider.issuer))
    except (jose_errors.JoseError, ValueError, TypeError, KeyError) as error:
        raise OIDCError("bad_jwks") from error
    with _lock:
        entry.update(keys=keys, keys_at=time.monotonic())
    return keys


def forget(provider=None) -> None:
    """Drop what is cached of one provider (its settings changed) or of all."""
    with _lock:
        if provider is None:
            _providers.clear()
            _failed.clear()
        else:
            _providers.pop(provider.issuer, None)
            _failed.pop(provider.issuer, None)


def _session(provider, redirect_uri: str | None = None) -> OAuth2Session:
    session = OAuth2Session(
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        scope=provider.scopes,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )
    session.max_redirects = 0  # the token endpoint answers itself or not at all
    return session


def authorization_request(provider, redirect_uri: str) -> tuple[str, dict]:
    """The URL that sends the browser to the provider, and what the callback needs to check
    the answer (kept in the session, never in the URL)."""
    document = metadata(provider)
    pending = {
        "state": generate_token(43),
        "nonce": generate_token(43),
        "verifier": generate_token(64),
    }
    with _session(provider, redirect_uri) as client:
        url, _ = client.create_authorization_url(
            document["authorization_endpoint"],
            state=pending["state"],
            nonce=pending["nonce"],
            code_verifier=pending["verifier"],
        )
    return url, pending


def token_request(provider, *, code: str, verifier: str, redirect_uri: str) -> dict:
    """Trade the authorization code for tokens (the client authenticates with its secret)."""
    document = metadata(provider)
    try:
        with _session(provider, redirect_uri) as client:
            token = client.fetch_token(
                document["token_endpoint"],
                grant_type="authorization_code",
                code=code,
                code_verifier=verifier,
                timeout=TIMEOUT_SECONDS,
            )
    except (OAuthError, requests.RequestException, ValueError) as error:
        raise OIDCError("token_request_failed") from error
    if not isinstance(token.get("id_token"), str):
        raise OIDCError("no_id_token")
    return dict(token)


def _decode(provider, value: str):
    """The signed claims of a JWT from `provider`, signature checked with its JWKS; a key id
    the JWKS lacks fetches it again once (a key rotation at the provider)."""
    try:
        header = extract_compact(value.encode()).headers()
    except (jose_errors.JoseError, ValueError, TypeError) as error:
        raise OIDCError("malformed_token") from error
    if header.get("alg") not in ALGORITHMS:
        raise OIDCError("bad_algorithm")
    keys = _keys(provider)
    kid = header.get("kid")
    if kid is not None and not any(key.kid == kid for key in keys.keys):
        keys = _keys(provider, refresh=True)
        if not any(key.kid == kid for key in keys.keys):
            raise OIDCError("unknown_key")
    try:
        return jwt.decode(value, keys, algorithms=ALGORITHMS).claims
    except jose_errors.BadSignatureError as error:
        raise OIDCError("bad_signature") from error
    except (jose_errors.JoseError, ValueError, TypeError) as error:
        raise OIDCError("malformed_token") from error


def _validate(claims: dict, **options) -> None:
    registry = jwt.JWTClaimsRegistry(leeway=LEEWAY_SECONDS, **options)
    try:
        registry.validate(claims)
    except jose_errors.ExpiredTokenError as error:
        raise OIDCError("token_expired") from error
    except jose_errors.MissingClaimError as error:
        raise OIDCError("missing_claim") from error
    except jose_errors.InvalidClaimError as error:
        raise OIDCError(_INVALID.get(error.claim, "invalid_claim")) from error
    except jose_errors.JoseError as error:
        raise OIDCError("invalid_claim") from error


_INVALID = {"iss": "wrong_issuer", "aud": "wrong_audience", "nonce": "wrong_nonce"}


def verify_id_token(provider, value: str, *, nonce: str) -> dict:
    """The claims of an ID token that is exactly what this login asked for: signed RS256 by a
    key in the provider's JWKS, from its issuer, for this client, with this login's nonce,
    not expired, and naming a subject."""
    claims = _decode(provider, value)
    _validate(
        claims,
        iss={"essential": True, "value": provider.issuer},
        aud={"essential": True, "value": provider.client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    audience = claims["aud"]
    several = isinstance(audience, list) and len(audience) > 1
    if (several or "azp" in claims) and claims.get("azp") != provider.client_id:
        raise OIDCError("wrong_audience")
    _check_ids(claims)
    return claims


def _check_ids(claims: dict) -> None:
    """`sub` a non-empty string and `sid`, when there, a string: both at most 255 long."""
    if not isinstance(claims.get("sub", ""), str) or ("sub" in claims and not claims["sub"]):
        raise OIDCError("missing_claim")
    for name in ("sub", "sid"):
        if name in claims and (not isinstance(claims[name], str) or len(claims[name]) > 255):
            raise OIDCError("invalid_claim")


def verify_logout_token(provider, value: str) -> dict:
    """The claims of a back-channel logout token (OIDC Back-Channel Logout 1.0, 2.4 and 2.6):
    typed `logout+jwt` when typed at all, signed by the provider, for this client, issued in
    the last five minutes and not expired, with the logout event, a `sub` or `sid`, no `nonce`,
    and a `jti` not seen before (remembered in the database, so every worker knows it)."""
    try:
        typ = extract_compact(value.encode()).headers().get("typ")
    except (jose_errors.JoseError, ValueError, TypeError) as error:
        raise OIDCError("malformed_token") from error
    if typ is not None and str(typ).lower() not in {"logout+jwt", "application/logout+jwt"}:
        raise OIDCError("not_a_logout_token")
    claims = _decode(provider, value)
    _validate(
        claims,
        iss={"essential": True, "value": provider.issuer},
        aud={"essential": True, "value": provider.client_id},
        iat={"essential": True},
        exp={"essential": True},
        jti={"essential": True},
        events={"essential": True},
    )
    if not isinstance(claims["iat"], int | float) or (
        claims["iat"] < time.time() - LOGOUT_TOKEN_SECONDS - LEEWAY_SECONDS
    ):
        raise OIDCError("token_expired")
    events = claims["events"]
    if not isinstance(events, dict) or not isinstance(events.get(BACKCHANNEL_EVENT), dict):
        raise OIDCError("not_a_logout_token")
    if "nonce" in claims:
        raise OIDCError("not_a_logout_token")
    if not (isinstance(claims.get("sub"), str) or isinstance(claims.get("sid"), str)):
        raise OIDCError("missing_claim")
    _check_ids(claims)
    if not isinstance(claims["jti"], str) or not 0 < len(claims["jti"]) <= 255:
        raise OIDCError("invalid_claim")
    return claims


_HOST = re.compile(r"^[a-z0-9.-]+$")


def _end_session_endpoint(provider) -> str:
    """The provider's end-session endpoint (HTTPS), or "" when it has none or cannot say."""
    try:
        endpoint = metadata(provider).get("end_session_endpoint")
    except OIDCError:
        return ""
    if not isinstance(endpoint, str) or insecure_url_reason(endpoint):
        return ""
    return endpoint


def end_session_origin(provider) -> str:
    """scheme://host[:port] of the provider's end-session endpoint, rebuilt from its parts and
    checked, for the Content-Security-Policy's form-action; "" when it has none."""
    endpoint = _end_session_endpoint(provider)
    if not endpoint:
        return ""
    parts = urlsplit(endpoint)
    try:
        port = parts.port
    except ValueError:
        return ""
    if not parts.hostname or not _HOST.match(parts.hostname):
        return ""
    return f"{parts.scheme}://{parts.hostname}{f':{port}' if port else ''}"


def end_session_url(provider, *, post_logout_redirect_uri: str) -> str | None:
    """Where to send the browser to end the session at the provider too (RP-initiated
    logout), or None when the provider offers no such endpoint. It names the client, not the
    ID token (which would otherwise be kept in the session and end up in browser history)."""
    endpoint = _end_session_endpoint(provider)
    if not endpoint:
        return None
    query = urlencode(
        {"client_id": provider.client_id, "post_logout_redirect_uri": post_logout_redirect_uri}
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
