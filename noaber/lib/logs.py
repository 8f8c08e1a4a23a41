"""Logs a platform can use: one JSON object per line on stderr, tied to its request.

A log line says which request (a random id, also sent as the X-Request-ID response header),
which municipality, view and user, the status and the duration; never what was asked or sent.
Paths, query strings, bodies, headers, cookies, client addresses, receipt codes and keys stay out:

- `RequestLogMiddleware` writes one line per request from fields it chooses itself;
- `RedactFilter`, on the handler, replaces the messages of loggers that put request data into
  their text (Django's `django.request`, `django.server`, `django.security.*`, gunicorn's
  worker) with fixed texts, and exceptions passed as arguments with their type;
- both formatters write an exception as its type and traceback frames, without its message
  (a database error can quote the values it refused).

Code that logs does so with identifiers and counts only (docs/operations.md, "Logs").
"""

import json
import logging
import secrets
import time
import traceback
import uuid
from collections.abc import Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from http import HTTPStatus

from django.utils.functional import LazyObject, empty

request_logger = logging.getLogger("noaber.request")

# Methods are named in the request line; anything else a client sends is "other".
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Traceback frames kept per exception (the innermost ones) and causes followed.
MAX_FRAMES = 40
MAX_CAUSES = 4


class RequestContext:
    """The request being handled, for every log line written while it is."""

    def __init__(self, request_id: str, request):
        self.request_id = request_id
        self.request = request
        # W3C trace context: the request id is the trace id (16 bytes, hex) and the request
        # is one span of it; audit events written meanwhile are spans under this one.
        self.span_id = secrets.token_hex(8)

    def fields(self) -> dict:
        request = self.request
        match = getattr(request, "resolver_match", None)
        # `municipality_view` (accounts) sets request.municipality; lib does not import it.
        municipality = getattr(request, "municipality", None)
        return {
            "request_id": self.request_id,
            "municipality": getattr(municipality, "cbs_code", None),
            "view": match.view_name if match else None,
            "user_id": _user_id(request, load=False),
        }


_current: ContextVar[RequestContext | None] = ContextVar("noaber_request", default=None)
CONTEXT_FIELDS = ("request_id", "municipality", "view", "user_id")


def current_trace() -> tuple[str, str] | None:
    """(trace id, span id) of the request being handled, None outside one."""
    context = _current.get()
    return (context.request_id, context.span_id) if context else None


def current_fields() -> dict:
    """request_id, municipality, view and user_id of the current request (None outside one)."""
    context = _current.get()
    return context.fields() if context else dict.fromkeys(CONTEXT_FIELDS)


def _user_id(request, *, load: bool):
    """The signed-in user's id; with load=False only when the view already looked the user up,
    so that writing a log line never costs a query."""
    user = request.__dict__.get("user")
    if user is None:
        return None
    if not load and isinstance(user, LazyObject) and user._wrapped is empty:
        return None
    try:
        return user.pk if user.is_authenticated else None
    except Exception:  # a log line must not break the response (e.g. database gone)
        return None


class RequestLogMiddleware:
    """Gives each request an id (our own: a client-sent X-Request-ID could carry text into the
    log), sends it back as X-Request-ID and writes one line on `noaber.request` afterwards."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        context = RequestContext(uuid.uuid4().hex, request)
        token = _current.set(context)
        started = time.perf_counter()
        status = 500  # if the handler below raises after all
        try:
            response = self.get_response(request)
            status = response.status_code
            response["X-Request-ID"] = context.request_id
            return response
        finally:
            try:
                _user_id(request, load=True)  # looked up now, so the line names the user
                method = request.method if request.method in METHODS else "other"
                duration = round((time.perf_counter() - started) * 1000, 1)
                request_logger.info(
                    "%s %s %s %s ms",
                    method,
                    status,
                    context.fields()["view"] or "-",
                    duration,
                    extra={"status": status, "duration_ms": duration, "method": method},
                )
            finally:
                _current.reset(token)


# --- Filter: no request data through other loggers' messages --------------------------------


def _django_request(record):
    # "%s: %s" % (reason, path), "Method Not Allowed (%s): %s" % (method, path), ...: every
    # variant names the path, some a client-chosen method or an exception's text.
    status = getattr(record, "status_code", None)
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "request failed"


def _django_server(record):
    # The development server logs the request line, and a client's address on a broken pipe.
    status = getattr(record, "status_code", None)
    return f"request answered with {int(status)}" if status else "development server event"


def _django_security(record):
    # str(exception): DisallowedHost quotes the Host header, CSRF failures the Origin or
    # Referer, SuspiciousFileOperation a path. The logger's name says what was refused.
    kind = record.name.removeprefix("django.security.")
    return "CSRF check failed" if kind == "csrf" else f"suspicious request refused: {kind}"


def _gunicorn(record):
    # The worker logs "Invalid request from ip=...: <the request line>" and "Error handling
    # request <method> <uri>"; its other messages (boot, exit, timeouts) name only pids.
    text = str(record.msg)
    if text.startswith("Invalid request"):
        return "invalid request refused by the server"
    if text.startswith("Error handling request"):
        return "error handling request"
    return None


FIXED_MESSAGES = {
    "django.request": _django_request,
    "django.server": _django_server,
    "django.security": _django_security,
    "gunicorn.error": _gunicorn,
}


def _fixed_message(record):
    for name, fixed in FIXED_MESSAGES.items():
        if record.name == name or record.name.startswith(name + "."):
            return fixed(record)
    return None


def _no_exception_text(value):
    return type(value).__name__ if isinstance(value, BaseException) else value


class RedactFilter(logging.Filter):
    """On the handler, so it sees every record, also those propagated from other loggers.

    Replaces the messages of loggers that quote request data with fixed texts, exceptions
    among a message's arguments with their type (Django's on_commit and send_robust log
    "(%s)" % error), and adds the request's fields for the formatters."""

    def filter(self, record):
        fixed = _fixed_message(record)
        if fixed is not None:
            record.msg, record.args = fixed, ()
        elif isinstance(record.msg, BaseException):  # logger.exception(error)
            record.msg, record.args = type(record.msg).__name__, ()
        elif isinstance(record.args, tuple):
            record.args = tuple(_no_exception_text(a) for a in record.args)
        elif isinstance(record.args, Mapping):
            record.args = {k: _no_exception_text(v) for k, v in record.args.items()}
        context = _current.get()
        if context is not None:
            for name, value in context.fields().items():
                if value is not None and not hasattr(record, name):
                    setattr(record, name, value)
        return True


# --- Formatters ------------------------------------------------------------------------------


def _exception(exc_type, value, tb, depth=0) -> dict:
    """Type and frames (file:line in function), never the message; then the cause."""
    name = exc_type.__qualname__
    if exc_type.__module__ != "builtins":
        name = f"{exc_type.__module__}.{name}"
    frames = [
        f"{frame.f_code.co_filename}:{line} in {frame.f_code.co_name}"
        for frame, line in traceback.walk_tb(tb)
    ]
    described = {"type": name, "frames": frames[-MAX_FRAMES:]}
    cause = value.__cause__ or (None if value.__suppress_context__ else value.__context__)
    if cause is not None and depth < MAX_CAUSES:
        described["cause"] = _exception(type(cause), cause, cause.__traceback__, depth + 1)
    return described


def _message(record) -> str:
    try:
        return record.getMessage()
    except Exception:  # arguments that do not fit the format: the format alone
        return str(record.msg)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ms), level, logger, message, the request's fields,
    status and duration_ms when the record has them, and the exception without its message."""

    def format(self, record):
        fields = current_fields()
        line = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": _message(record),
        }
        for name in CONTEXT_FIELDS:
            line[name] = getattr(record, name, fields[name])
        status = getattr(record, "status", None) or getattr(record, "status_code", None)
        if status is not None:
            line["status"] = status
        for name in ("duration_ms", "method"):
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info and record.exc_info[0] is not None:
            line["exception"] = _exception(*record.exc_info)
        return json.dumps(line, default=str)


class PlainFormatter(logging.Formatter):
    """For people (`make run`, NOABER_LOG_FORMAT=plain): one line with the request id;
    exceptions as type and frames like the JSON lines."""

    def __init__(self):
        super().__init__(
            "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
            defaults={"request_id": "-"},
        )

    def format(self, record):
        record.exc_text = None  # another formatter may have cached the text with the message
        return super().format(record)

    def formatException(self, ei):  # noqa: N802 (logging.Formatter's name)
        described, lines, label = _exception(*ei), [], "exception"
        while described:
            lines.append(f"{label}: {described['type']} (message not logged)")
            lines += [f"  {frame}" for frame in described["frames"]]
            described, label = described.get("cause"), "caused by"
        return "\n".join(lines)
