"""Log lines: JSON with the request's id, municipality, view, user, status and duration, and
nothing a client sent. Requests go through the real middleware stack; the captured output of
every logger, at DEBUG, is scanned for marker strings put in paths, bodies and headers."""

import io
import json
import logging
import os
import subprocess
import sys
from contextlib import contextmanager

from django.conf import settings
from django.test import Client, SimpleTestCase, override_settings
from django.urls import include, path, reverse

from noaber.accounts.tests.base import NoaberTestCase
from noaber.lib.logs import JsonFormatter, PlainFormatter, RedactFilter

REQUIRED = {"time", "level", "logger", "message", "request_id", "municipality", "view", "user_id"}
# Loggers raised to DEBUG while capturing; django.db.backends stays at WARNING (its DEBUG
# lines are the SQL with parameters, written only with DEBUG on and never in production).
LOUD = (
    "",
    "django",
    "django.request",
    "django.security",
    "django.server",
    "noaber",
    "noaber.request",
)
ADDRESS = "198.51.100.73"  # a client address (TEST-NET-2)


def _boom(request):
    raise RuntimeError("ZQXEXCEPTIONMESSAGE with a value from the request")


# The 500 test's URLconf: one view that fails, then Noaber's own URLs.
urlpatterns = [path("boom/", _boom, name="boom"), path("", include("noaber.urls"))]


@contextmanager
def captured_logs():
    """Every record at DEBUG, through the real formatter and filter, into a string."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactFilter())
    root = logging.getLogger()
    saved_handlers = root.handlers[:]
    saved_levels = {name: logging.getLogger(name).level for name in LOUD}
    root.handlers = [handler]
    for name in LOUD:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.handlers = saved_handlers
        for name, level in saved_levels.items():
            logging.getLogger(name).setLevel(level)


def lines_of(stream) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def request_line(lines, response) -> dict:
    found = [
        line
        for line in lines
        if line["logger"] == "noaber.request" and line["request_id"] == response["X-Request-ID"]
    ]
    assert len(found) == 1, found
    return found[0]


class RequestLogTests(NoaberTestCase):
    def post_json(self, url, body, client=None, **headers):
        client = client or self.client
        return client.post(url, json.dumps(body), content_type="application/json", **headers)

    def assert_clean(self, stream, markers):
        text = stream.getvalue()
        self.assertTrue(text)
        for line in lines_of(stream):
            self.assertLessEqual(REQUIRED, set(line), line)
        for marker in markers:
            self.assertNotIn(marker.lower(), text.lower(), f"{marker} reached the log")

    def test_nothing_a_client_sends_reaches_the_log(self):
        markers = [
            "ZQXPATH",
            "ZQXNOWHERE",
            "ZQXQUERY",
            "ZQXAGENT",
            "ZQXREFERER",
            "ZQXFORWARDED",
            ADDRESS,
            "ZQXCOOKIE",
            "ZQXCSRFCOOKIE",
            "ZQXREQUESTID",
            "ZQXDESCRIPTION",
            "ZQXNAME",
            "zqxmail@example.org",
            "0541 918273",
            "ZQXBADMAIL",
            "ZQXRECEIPT",
            "ZQXMESSAGE",
            "ZQXTOKEN",
            "zqxhost.example",
            "zqxorigin.example",
            "ZQXMETHOD",
            "ZQXUSER",
            "ZQXPASSWORD",
        ]
        headers = {
            "REMOTE_ADDR": ADDRESS,
            "HTTP_USER_AGENT": "ZQXAGENT/1.0",
            "HTTP_REFERER": "https://example.org/ZQXREFERER",
            "HTTP_X_FORWARDED_FOR": f"ZQXFORWARDED, {ADDRESS}",
            "HTTP_X_REQUEST_ID": "ZQXREQUESTID",
        }
        self.client.cookies["sessionid"] = "ZQXCOOKIE"
        self.client.cookies["csrftoken"] = "ZQXCSRFCOOKIE"
        strict = Client(enforce_csrf_checks=True)
        report = {
            "municipality": "GM1774",
            "category": "drugs-drugslab",
            "description": "Chemische lucht bij de schuur, ZQXDESCRIPTION.",
            "contact_consent": True,
            "contact_name": "ZQXNAME",
            "contact_email": "zqxmail@example.org",
            "contact_phone": "0541 918273",
        }
        with captured_logs() as stream, self.captureOnCommitCallbacks(execute=True):
            responses = [
                self.client.get("/melden/ZQXPATH/?q=ZQXQUERY", **headers),
                self.client.get("/ZQXNOWHERE/?ZQXQUERY=1", **headers),
                self.post_json(reverse("intake:api_report_create"), report, **headers),
                self.post_json(
                    reverse("intake:api_report_create"),
                    report | {"contact_email": "ZQXBADMAIL"},
                    **headers,
                ),
                self.post_json(
                    reverse("intake:api_report_lookup"), {"receipt": "ZQXRECEIPT"}, **headers
                ),
                self.post_json(
                    reverse("intake:api_partner_signal"),
                    {"municipality": "GM1774"},
                    HTTP_AUTHORIZATION="Token nbr_ZQXTOKEN",
                    **headers,
                ),
                self.client.get("/melden/", **headers | {"HTTP_HOST": "zqxhost.example"}),
                strict.post(
                    reverse("intake:report", args=["GM1774"]),
                    {"description": "ZQXDESCRIPTION"},
                    HTTP_ORIGIN="https://zqxorigin.example",
                    **headers,
                ),
                self.client.generic("ZQXMETHOD", reverse("intake:api_report_create"), **headers),
                self.client.post(
                    reverse("accounts:login"),
                    {"username": "ZQXUSER", "password": "ZQXPASSWORD"},
                    **headers,
                ),
            ]
            receipt = responses[2].json()["receipt"]
            markers += receipt.split("-")[1:]  # the secret part of the code
            for body in ({"receipt": receipt}, {"receipt": receipt, "body": "ZQXMESSAGE"}):
                url = "intake:api_report_message" if "body" in body else "intake:api_report_lookup"
                responses.append(self.post_json(reverse(url), body, **headers))

        statuses = [r.status_code for r in responses]
        self.assertEqual(statuses, [404, 404, 201, 400, 404, 401, 400, 403, 405, 200, 200, 201])
        self.assert_clean(stream, markers)
        lines = lines_of(stream)
        for response in responses:
            line = request_line(lines, response)
            self.assertRegex(response["X-Request-ID"], r"^[0-9a-f]{32}$")
            self.assertEqual((line["status"], line["user_id"]), (response.status_code, None))
            self.assertIsInstance(line["duration_ms"], float)
        # The messages that would have quoted the host, the origin and the paths were written.
        loggers = {line["logger"]: line["message"] for line in lines}
        self.assertEqual(
            loggers["django.security.DisallowedHost"], "suspicious request refused: DisallowedHost"
        )
        self.assertEqual(loggers["django.security.csrf"], "CSRF check failed")
        self.assertIn(
            "Not Found", [line["message"] for line in lines if line["logger"] == "django.request"]
        )
        methods = [line["method"] for line in lines if line["logger"] == "noaber.request"]
        self.assertIn("other", methods)

    def test_the_request_line_carries_the_id_sent_back_status_and_view(self):
        with captured_logs() as stream:
            response = self.client.get(reverse("intake:choose"), HTTP_X_REQUEST_ID="mine")
        self.assertEqual(response.status_code, 200)
        self.assertNotEqual(response["X-Request-ID"], "mine")
        line = request_line(lines_of(stream), response)
        self.assertEqual(
            (line["level"], line["status"], line["view"], line["municipality"], line["method"]),
            ("INFO", 200, "intake:choose", None, "GET"),
        )
        self.assertRegex(line["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")

    def test_a_staff_request_names_its_municipality_and_user(self):
        self.sign_in(self.advisor)
        with captured_logs() as stream:
            response = self.client.get("/m/GM1774/register/")
        self.assertEqual(response.status_code, 200)
        line = request_line(lines_of(stream), response)
        self.assertEqual((line["municipality"], line["user_id"]), ("GM1774", self.advisor.pk))
        self.assertTrue(line["view"].startswith("registry:"), line["view"])

    @override_settings(ROOT_URLCONF=__name__)
    def test_an_error_in_a_view_logs_its_traceback_without_its_message(self):
        client = Client(raise_request_exception=False)
        with captured_logs() as stream:
            response = client.get("/boom/")
        self.assertEqual(response.status_code, 500)
        self.assert_clean(stream, ["ZQXEXCEPTIONMESSAGE", "/boom/"])
        lines = lines_of(stream)
        self.assertEqual((request_line(lines, response)["status"]), 500)
        (error,) = [line for line in lines if line["logger"] == "django.request"]
        self.assertEqual((error["message"], error["status"]), ("Internal Server Error", 500))
        self.assertEqual(error["request_id"], response["X-Request-ID"])
        self.assertEqual(error["exception"]["type"], "RuntimeError")
        self.assertTrue(error["exception"]["frames"][-1].endswith(" in _boom"))


class OtherLoggerTests(SimpleTestCase):
    """Loggers outside Noaber that quote requests or errors, called as they call logging."""

    def test_server_and_library_messages_lose_addresses_paths_and_error_texts(self):
        try:
            raise ValueError("ZQXVALUE from a database error")
        except ValueError as error:
            failure, exc_info = error, sys.exc_info()
        handler = logging.StreamHandler(stream := io.StringIO())
        handler.setFormatter(JsonFormatter())
        handler.addFilter(RedactFilter())
        served = {"status_code": 404}
        records = [
            ("gunicorn.error", "Invalid request from ip=198.51.100.9: Bad request 'ZQX'", (), {}),
            ("gunicorn.error", "Error handling request %s %s", ("GET", "/melden/ZQX"), {}),
            ("django.server", '"%s" %s %s', ("GET /melden/ZQX HTTP/1.1", "404", "9"), served),
            ("django.server", "- Broken pipe from %s", (("198.51.100.9", 5123),), {}),
            ("django.dispatch", "Error calling %s in send_robust() (%s)", ("f", failure), {}),
            ("noaber.audit", failure, (), {}),
        ]
        for name, msg, args, extra in records:
            handler.handle(
                logging.getLogger(name).makeRecord(
                    name, logging.ERROR, __file__, 1, msg, args, exc_info, extra=extra
                )
            )
        for marker in ("ZQX", "198.51.100.9"):
            self.assertNotIn(marker, stream.getvalue())
        lines = lines_of(stream)
        self.assertEqual(
            [line["message"] for line in lines],
            [
                "invalid request refused by the server",
                "error handling request",
                "request answered with 404",
                "development server event",
                "Error calling f in send_robust() (ValueError)",
                "ValueError",
            ],
        )
        self.assertEqual(lines[2]["status"], 404)
        self.assertEqual(lines[0]["exception"]["type"], "ValueError")

    def test_the_plain_format_shows_the_request_id_and_no_exception_message(self):
        try:
            raise RuntimeError("ZQXPLAIN")
        except RuntimeError:
            record = logging.getLogger("x").makeRecord(
                "x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()
            )
        text = PlainFormatter().format(record)
        self.assertIn(" ERROR x [-] failed\nexception: RuntimeError (message not logged)", text)
        self.assertNotIn("ZQXPLAIN", text)

    def test_an_unknown_log_format_stops_the_start_with_a_clear_error(self):
        env = os.environ | {"NOABER_DEBUG": "1", "NOABER_LOG_FORMAT": "xml"}
        result = subprocess.run(
            [sys.executable, "-c", "import noaber.settings"],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("NOABER_LOG_FORMAT must be json or plain, not 'xml'", result.stderr)
