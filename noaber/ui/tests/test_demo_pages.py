"""The demo shows the product: with `seed_demo`'s data, every page in every role's navigation
has something real on it (issue 17: "every page of every role has something real to show")."""

from html.parser import HTMLParser
from io import StringIO

from django.core.management import call_command
from django.test import TestCase, override_settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from noaber.accounts.demo import DEMO_USERS
from noaber.accounts.models import Municipality, User
from noaber.ui.navigation import items_for

EMPTY_STATES = ("Geen ", "Niet gedeeld", "Er zijn geen", "U heeft geen")


class MainContent(HTMLParser):
    """Counts, inside <main>, what a person can read or act on: table rows, list items that
    are not an empty state ("Geen taken."), charts, and forms with a field to fill in."""

    def __init__(self):
        super().__init__()
        self.depth = 0  # >0 inside <main>
        self.stack = []
        self.rows = self.items = self.charts = self.fields = 0
        self.item_text = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "main":
            self.depth += 1
        if not self.depth:
            return
        self.stack.append(tag)
        if tag == "tr" and "tbody" in self.stack:
            self.rows += 1
        if tag == "li":
            self.item_text.append("")
        if tag == "svg":
            self.charts += 1
        if tag in ("input", "select", "textarea") and attrs.get("type") != "hidden":
            self.fields += 1

    def handle_data(self, data):
        if self.depth and self.item_text:
            self.item_text[-1] += data

    def handle_endtag(self, tag):
        if tag == "main":
            self.depth -= 1
        if self.depth and tag == "li" and self.item_text:
            text = " ".join(self.item_text.pop().split())
            if text and not text.startswith(EMPTY_STATES):
                self.items += 1
        if self.depth and self.stack and tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    @property
    def something(self) -> bool:
        return bool(self.rows or self.items or self.charts or self.fields)


@override_settings(DEMO=True)
class DemoPagesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("seed_demo", stdout=StringIO())

    def test_every_page_in_every_roles_navigation_shows_something(self):
        # Dinkelland tells the story; Tubbergen has just enough to show the separation (no
        # plan of its own, for instance), so there every page only has to open.
        dinkelland = Municipality.objects.get(cbs_code="GM1774")
        empty = []
        for username, *_ in DEMO_USERS:
            user = User.objects.get(username=username)
            self.client.force_login(user)
            session = self.client.session
            device = TOTPDevice.objects.get(user=user, confirmed=True)
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
            for municipality in Municipality.objects.filter(memberships__user=user).distinct():
                for item in items_for(user, municipality, ""):
                    response = self.client.get(item["url"])
                    self.assertEqual(response.status_code, 200, f"{username} {item['url']}")
                    parser = MainContent()
                    parser.feed(response.content.decode())
                    if municipality == dinkelland and not parser.something:
                        empty.append(f"{username} {municipality.name}: {item['label']}")
        self.assertEqual(empty, [], "pages with nothing to show in the demo")
