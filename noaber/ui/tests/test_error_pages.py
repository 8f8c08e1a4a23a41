"""A person using `make run` (DEBUG on) never sees Django's English technical pages: an unknown
URL, another municipality's id, a missing object and a crash get the Dutch 404 and 500 pages;
the traceback stays in the log. (Bad query values: noaber/policy/tests/test_report.py,
noaber/accounts/tests/test_audit_log_page.py and the insight tests.)"""

from django.http import HttpResponse
from django.test import override_settings
from django.urls import include, path, reverse

from noaber.accounts.access import public_view
from noaber.accounts.tests.base import NoaberTestCase

ENGLISH = ("Page not found", "Using the URLconf", "Traceback", "Request Method", "DEBUG = True")


@public_view()
def crash(request):
    raise RuntimeError("kapot")


@public_view()
def fine(request):
    return HttpResponse("ok")


urlpatterns = [
    path("kapot/", crash),
    path("goed/", fine),
    path("", include("noaber.urls")),
]


@override_settings(DEBUG=True)
class DutchErrorPagesTests(NoaberTestCase):
    def assert_dutch_page(self, response, status, text):
        self.assertContains(response, text, status_code=status)
        for english in ENGLISH:
            self.assertNotContains(response, english, status_code=status)

    def test_an_unknown_url_gets_the_dutch_404_page(self):
        self.assert_dutch_page(self.client.get("/bestaat-niet/"), 404, "Pagina niet gevonden")

    def test_a_signed_in_person_keeps_the_header_on_the_404_page(self):
        self.sign_in(self.advisor)
        response = self.client.get("/m/GM1774/bestaat-niet/")
        self.assert_dutch_page(response, 404, "Pagina niet gevonden")
        self.assertContains(response, "Uitloggen", status_code=404)

    def test_a_missing_or_foreign_id_gets_the_dutch_404_page(self):
        self.sign_in(self.advisor_tubbergen)
        for url in (
            reverse("cases:case", args=["GM0183", 999999]),
            reverse("cases:case", args=["GM1774", 1]),  # another municipality
            reverse("registry:signal", args=["GM9999", 1]),  # no such municipality
        ):
            with self.subTest(url=url):
                self.assert_dutch_page(self.client.get(url), 404, "Pagina niet gevonden")

    def test_a_role_without_access_gets_the_dutch_403_page(self):
        self.sign_in(self.employee)
        response = self.client.get(reverse("audit:list", args=["GM1774"]))
        self.assert_dutch_page(response, 403, "Geen toegang")

    @override_settings(ROOT_URLCONF=__name__)
    def test_a_crash_gets_the_dutch_500_page_and_the_traceback_goes_to_the_log(self):
        self.client.raise_request_exception = False
        with self.assertLogs("django.request", "ERROR") as logged:
            response = self.client.get("/kapot/")
        self.assert_dutch_page(response, 500, "Er ging iets mis")
        self.assertNotContains(response, "kapot", status_code=500)
        self.assertIsNotNone(logged.records[0].exc_info)
        self.assertEqual(self.client.get("/goed/").content, b"ok")

    @override_settings(ROOT_URLCONF=__name__)
    def test_the_test_client_still_raises_the_crash(self):
        with self.assertRaises(RuntimeError), self.assertLogs("django.request", "ERROR"):
            self.client.get("/kapot/")
