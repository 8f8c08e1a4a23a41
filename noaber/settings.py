"""Noaber's one settings module. Everything that differs per installation comes from the
environment (see docs/operations.md); the defaults give a safe production posture, and
`make run` switches on demo mode with NOABER_DEBUG=1 NOABER_DEMO=1."""

import os
import sys
from datetime import date
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("NOABER_VAR_DIR", BASE_DIR / "var"))

DEBUG = env_bool("NOABER_DEBUG")
# Demo mode: demo data may be loaded and demo logins printed. Never on in production.
DEMO = env_bool("NOABER_DEMO")

SECRET_KEY = os.environ.get("NOABER_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "NOABER_SECRET_KEY must be set when NOABER_DEBUG is off (see docs/operations.md)."
        )
    SECRET_KEY = "insecure-demo-key-only-for-make-run-and-tests-" + "x" * 20

# Key of the audit log's HMAC chain. Kept outside the database, so that someone who can write
# to the database cannot forge a valid chain; never rotated (old events are verified with it).
NOABER_AUDIT_KEY = os.environ.get("NOABER_AUDIT_KEY", "")
if not NOABER_AUDIT_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "NOABER_AUDIT_KEY must be set when NOABER_DEBUG is off (see docs/operations.md)."
        )
    NOABER_AUDIT_KEY = "insecure-demo-audit-key"

# Keys for the register's encrypted fields and blind indexes (noaber/lib/crypto.py).
NOABER_FIELD_KEYS = os.environ.get("NOABER_FIELD_KEYS", "")
NOABER_BLIND_INDEX_KEY = os.environ.get("NOABER_BLIND_INDEX_KEY", "")
if not (NOABER_FIELD_KEYS and NOABER_BLIND_INDEX_KEY):
    if not DEBUG:
        raise ImproperlyConfigured(
            "NOABER_FIELD_KEYS and NOABER_BLIND_INDEX_KEY must be set when NOABER_DEBUG is off "
            "(see docs/operations.md)."
        )
    # Demo keys: 32 bytes of a fixed, public pattern. Never use them for real data.
    NOABER_FIELD_KEYS = (
        NOABER_FIELD_KEYS or "demo:" + "ZGVtby1rZXktZGVtby1rZXktZGVtby1rZXktMDEyMzQ="
    )
    NOABER_BLIND_INDEX_KEY = NOABER_BLIND_INDEX_KEY or "insecure-demo-blind-index-key"

ALLOWED_HOSTS = env_list("NOABER_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("NOABER_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rest_framework",
    "drf_spectacular",
    "django_tasks",
    "django_tasks_db",
    "noaber.audit",
    "noaber.jobs",
    "noaber.accounts",
    "noaber.themes",
    "noaber.intake",
    "noaber.registry",
    "noaber.cases",
    "noaber.partners",
    "noaber.portal",
    "noaber.insight",
    "noaber.archive",
    "noaber.policy",
    "noaber.search",
    "noaber.zgw",
    "noaber.ui",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "noaber.lib.logs.RequestLogMiddleware",
    "noaber.ui.middleware.security_headers",
    # With DEBUG on (make run): the Dutch 404/403/500 pages, never Django's technical ones.
    # Outside ProtectedDataMiddleware, whose own Dutch pages for unreadable data come first.
    "noaber.ui.middleware.DutchErrorPages",
    "noaber.ui.middleware.ProtectedDataMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # A session's maximum age; sessions from an identity provider count as verified.
    "noaber.accounts.middleware.session_policy",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

if not DEBUG:
    # In production WhiteNoise serves the collected static files (manage.py collectstatic).
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "noaber.urls"
# Form widgets render through templates/django/forms/ so they carry NL Design System classes.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "noaber.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "noaber.ui.context_processors.shell",
            ],
        },
    },
]

# --- Database: SQLite by default, PostgreSQL (or another) by DATABASE_URL --------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
# Where the audit chain's head is anchored outside the database (noaber/audit/anchors.py): an
# append-only file, written with fsync, that the database role cannot rewrite; on one
# persistent volume shared by `migrate` and the task worker. Always off ("") during the test
# run, whose rolled-back transactions would leave anchors of heads that never stayed; the
# anchor tests switch it on with a file of their own.
NOABER_AUDIT_ANCHOR_FILE = (
    ""
    if "test" in sys.argv[1:2]
    else os.environ.get("NOABER_AUDIT_ANCHOR_FILE", str(VAR_DIR / "audit-anchors.jsonl"))
)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'noaber.sqlite3'}"),
        conn_max_age=int(os.environ.get("NOABER_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so the web server and the worker never
    # deadlock on a lock upgrade; WAL lets readers continue while one writes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A covering index's extra column (cases' case_exchange_order) is PostgreSQL's; SQLite
    # builds the index without it, which is all a small installation needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts, passwords, sessions ----------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "ui:home"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "noaber.accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Idle timeout: the cookie lives 30 minutes and every request renews it.
SESSION_COOKIE_AGE = int(os.environ.get("NOABER_SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Maximum age: a staff session ends this long after its login, however active (decision
# 0021); a group removed at the identity provider takes effect at the latest then.
NOABER_SESSION_MAX_SECONDS = int(os.environ.get("NOABER_SESSION_MAX_SECONDS", str(8 * 3600)))
# Who may still sign in with a local password and TOTP: "*" everyone (make run), a list of
# roles (e.g. "admin" for a break-glass administrator: only users whose every role is listed),
# or empty: nobody, everyone signs in through an identity provider.
NOABER_LOCAL_LOGIN_ROLES = os.environ.get("NOABER_LOCAL_LOGIN_ROLES", "*").strip()
# Plain HTTP to an identity provider on a loopback address (the tests' provider): only with
# DEBUG on (make run, make test); in production every provider is HTTPS (decision 0021).
NOABER_OIDC_LOOPBACK_HTTP = DEBUG
# Seconds between two fetches of a provider's JWKS for an unknown key id (a key rotation).
NOABER_OIDC_JWKS_REFRESH = int(os.environ.get("NOABER_OIDC_JWKS_REFRESH", "10"))
# Failed logins: this many failures within the window lock the account (and, ten times as
# many, the client address) for the rest of the window.
NOABER_LOGIN_MAX_FAILURES = int(os.environ.get("NOABER_LOGIN_MAX_FAILURES", "5"))
NOABER_LOGIN_WINDOW_MINUTES = int(os.environ.get("NOABER_LOGIN_WINDOW_MINUTES", "15"))
# Public reports per client address per hour (noaber/intake/throttle.py).
NOABER_THROTTLE_REPORTS_PER_HOUR = int(os.environ.get("NOABER_THROTTLE_REPORTS_PER_HOUR", "10"))
# Optional address lookup in the PDOK Locatieserver for addresses the local BAG register lacks
# (noaber/intake/locatieserver.py); empty = off: no address a reporter types leaves the server.
NOABER_LOCATIESERVER_URL = os.environ.get("NOABER_LOCATIESERVER_URL", "")
# At most this many Locatieserver requests per minute for the whole installation (answers are
# cached; over the budget an address counts as typed).
NOABER_LOCATIESERVER_PER_MINUTE = int(os.environ.get("NOABER_LOCATIESERVER_PER_MINUTE", "60"))
# Free-standing subject checks (hit / no-hit) on the search page per user per hour.
NOABER_SUBJECT_CHECKS_PER_HOUR = int(os.environ.get("NOABER_SUBJECT_CHECKS_PER_HOUR", "30"))
# Requests a minute per ZGW client (noaber.zgw): enough for a zaaksysteem that reads a case
# with its parts each second, not for a leaked secret that copies the register.
NOABER_ZGW_REQUESTS_PER_MINUTE = int(os.environ.get("NOABER_ZGW_REQUESTS_PER_MINUTE", "300"))
# Refused ZGW tokens per client address in ten minutes: each writes an audit event.
NOABER_ZGW_FAILED_TOKENS_PER_10_MINUTES = int(
    os.environ.get("NOABER_ZGW_FAILED_TOKENS_PER_10_MINUTES", "30")
)
# Failed logins across the installation within 15 minutes that trigger an alert e-mail.
NOABER_FAILED_LOGIN_ALERT = int(os.environ.get("NOABER_FAILED_LOGIN_ALERT", "20"))
# Rows per page of every list (noaber.lib.paging.list_page).
NOABER_PAGE_SIZE = int(os.environ.get("NOABER_PAGE_SIZE", "50"))
OTP_TOTP_ISSUER = "Noaber"

# --- Security headers (production posture unless DEBUG) -------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Monitors on the internal network ask over plain HTTP and must see 200 or 503.
SECURE_REDIRECT_EXEMPT = [r"^health$", r"^ready$"]
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("NOABER_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("NOABER_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # "__Host-": the browser takes it only from this host over HTTPS, for path /, so a sibling
    # subdomain cannot plant a session cookie (login CSRF through the identity provider).
    SESSION_COOKIE_NAME = "__Host-sessionid"
# Number of reverse proxies in front of Noaber whose X-Forwarded-For may be trusted. Production
# runs behind one TLS-terminating proxy (see SECURE_PROXY_SSL_HEADER), so the default there is 1;
# with 0 every client would share the proxy's address and one attacker could lock out everyone.
NOABER_TRUSTED_PROXIES = int(os.environ.get("NOABER_TRUSTED_PROXIES", "0" if DEBUG else "1"))

# --- Language: Dutch interface through gettext ----------------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Amsterdam"
# "Today" for dashboards and reports (noaber/lib/dates.py): empty is the real date; an ISO
# date (2026-11-30) fixes it, for tests and for a demo shown as on that day.
_today = os.environ.get("NOABER_TODAY", "").strip()
try:
    NOABER_TODAY = date.fromisoformat(_today) if _today else None
except ValueError as error:
    raise ImproperlyConfigured(
        "NOABER_TODAY must be a date such as 2026-11-30, or empty."
    ) from error
USE_TZ = True

# --- Static files: vendored NL Design System CSS, served by WhiteNoise -----------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("NOABER_STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Maps ---------------------------------------------------------------------------------
# The staff map (never the public form) may lay the installation's tile service under the
# boundary data, e.g. the PDOK BRT achtergrondkaart:
#   https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/standaard/EPSG:3857/{z}/{x}/{y}.png
# Empty (the default, and `make run`): the map draws from Noaber's own boundary data alone.
NOABER_MAP_TILES_URL = os.environ.get("NOABER_MAP_TILES_URL", "")
NOABER_MAP_TILES_ATTRIBUTION = os.environ.get(
    "NOABER_MAP_TILES_ATTRIBUTION", "Kaartgegevens: Kadaster / PDOK"
)

# --- Uploaded files (meldpunt attachments): private, never served as static or media -----------
MEDIA_ROOT = Path(os.environ.get("NOABER_MEDIA_ROOT", VAR_DIR / "uploads"))
if "test" in sys.argv[1:2]:
    # The test run writes its uploads to a throw-away directory.
    import tempfile

    MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="noaber-test-uploads-"))
# Form fields other than files; files are checked per file (noaber/intake/attachments.py).
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o600

# --- E-mail: console in demo mode, SMTP otherwise --------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "NOABER_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("NOABER_EMAIL_HOST", "localhost")
# For the file backend (benches): one file per connection, in this directory.
EMAIL_FILE_PATH = os.environ.get("NOABER_EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_PORT = int(os.environ.get("NOABER_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("NOABER_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("NOABER_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("NOABER_EMAIL_TLS")
# A mail server that hangs must not hold a delivery (and its row lock) for ever.
EMAIL_TIMEOUT = int(os.environ.get("NOABER_EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("NOABER_FROM_EMAIL", "noaber@localhost")

# --- Background work: Django's tasks framework with a database queue -------------------------
TASKS = {
    "default": {
        "BACKEND": os.environ.get("NOABER_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# A task whose worker (`run_worker`) has not beaten for this many seconds is run again (or
# failed after three runs); one claimed by a worker without heartbeat, after the longest run.
NOABER_WORKER_LOST_AFTER = int(os.environ.get("NOABER_WORKER_LOST_AFTER", "60"))
NOABER_TASK_MAX_RUNTIME = int(os.environ.get("NOABER_TASK_MAX_RUNTIME", str(6 * 3600)))
# /ready answers 503 when no task worker or no scheduler has beaten for this many minutes.
NOABER_READY_BEAT_MINUTES = int(os.environ.get("NOABER_READY_BEAT_MINUTES", "5"))

# --- API -------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "noaber.lib.api.exception_handler",
    # Public endpoints are throttled by noaber.intake.throttle (shared by all workers).
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Noaber API",
    "DESCRIPTION": "API van Noaber, het integraal veiligheidsinformatiesysteem.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
}

# --- Logging: JSON lines on stderr, without request data (noaber/lib/logs.py) ----------------
# "plain" is one readable line per record for people (`make run`); both leave out paths,
# bodies, headers, client addresses and exception messages (docs/operations.md, "Logs").
NOABER_LOG_FORMAT = os.environ.get("NOABER_LOG_FORMAT", "json").strip().lower()
if NOABER_LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured(
        f"NOABER_LOG_FORMAT must be json or plain, not {NOABER_LOG_FORMAT!r} "
        "(see docs/operations.md)."
    )
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "noaber.lib.logs.RedactFilter"}},
    "formatters": {
        "json": {"()": "noaber.lib.logs.JsonFormatter"},
        "plain": {"()": "noaber.lib.logs.PlainFormatter"},
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": NOABER_LOG_FORMAT,
            "filters": ["redact"],
        }
    },
    "root": {"handlers": ["stderr"], "level": os.environ.get("NOABER_LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own handlers (an unfiltered console in debug, mail to ADMINS) are dropped:
        # every record reaches the one handler above, through its filter.
        "django": {"handlers": [], "level": "NOTSET"},
        "django.server": {"handlers": [], "level": "NOTSET", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
        # Refused requests are audited; in the test run their tracebacks are only noise.
        "django.request": {"level": "ERROR" if "test" in sys.argv[1:2] else "WARNING"},
        # One line per request; the test run has thousands.
        "noaber.request": {"level": "WARNING" if "test" in sys.argv[1:2] else "INFO"},
        # WeasyPrint reports every step and page of a PDF at INFO.
        "weasyprint.progress": {"level": "WARNING"},
        # gunicorn's worker logs invalid requests with the client's address: through the filter.
        "gunicorn.error": {"handlers": ["stderr"], "propagate": False},
        # Its access log has every client address and path: never written, even if switched on.
        "gunicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
    },
}
