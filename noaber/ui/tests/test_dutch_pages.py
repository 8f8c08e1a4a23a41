"""Dutch for people: no code from the code base shows on a page where a Dutch word belongs.

One walk over every GET page of the access matrix (noaber/ui/urlwalk.py), with the demo data
loaded, as each demo person who may open it. From each page the visible text is read (tags,
scripts, styles and attribute values left out) and searched, word by word, for the codes the
code base itself defines, collected here automatically:

- every value of every TextChoices class in noaber (roles, audit actions and results, data
  categories, statuses, kinds, peak methods, ...);
- every audit reason code and object type that a view or action records (from the registry
  in noaber.audit.labels, from the source text and from the events the walk itself wrote);
- every login name: the demo people get distinctive ones, so a page that shows a username
  where a name belongs is caught too.

A code that is also a word of Noaber's own Dutch texts (`open`, `plan`, `partner`, a value equal
to its label) cannot be told apart from that word on a page; `dutch_words()` computes that set
and those codes are not searched for.
"""

import re
from html.parser import HTMLParser
from importlib import import_module
from pathlib import Path
from pkgutil import walk_packages

from django.db import models
from django.test import TestCase
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

import noaber
from noaber.accounts.access import RULES
from noaber.accounts.demo import load_demo_users
from noaber.accounts.models import Municipality, User
from noaber.audit import labels
from noaber.audit.models import Action, AuditEvent
from noaber.cases.demo import load_demo_cases
from noaber.insight.demo import load_demo_figures
from noaber.intake.demo import load_demo_reports
from noaber.partners.demo import load_demo_partners
from noaber.reference import load_all
from noaber.ui.urlwalk import example_url, walk

from .examples import EXAMPLES

SOURCE = Path(noaber.__file__).parent
LOGIN_PREFIX = "inlognaam-"
CODE_LIKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
# How a code is recorded in the source: reason="...", REASON = "..." and the failed-login
# reasons.
RECORDED = re.compile(
    r"""(?:reason|object_type|REASON|OBJECT_TYPE)\s*=\s*f?["']([a-z][a-z0-9_]*)["']"""
    r"""|record_login_failure\([^)]*?["']([a-z][a-z0-9_]*)["']"""
)


def choices_classes():
    """Every Choices subclass defined in noaber (every module imported once)."""
    for info in walk_packages(noaber.__path__, "noaber."):
        if ".tests" in info.name or ".migrations" in info.name:
            continue
        import_module(info.name)
    seen, todo = [], list(models.Choices.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("noaber.") and ".tests" not in cls.__module__:
            seen.append(cls)
    return seen


def choice_codes() -> dict[str, str]:
    """code -> where it comes from, for values that read as a word (two letters or more)."""
    codes = {}
    for cls in choices_classes():
        for value, _label in cls.choices:
            if isinstance(value, str) and len(re.findall("[a-z]", value)) >= 2:
                codes[value] = f"{cls.__module__}.{cls.__qualname__}"
    return codes


WORD = re.compile(r"[^\W\d_]+")
GETTEXT = re.compile(r"""\b(?:_|_lazy|gettext|gettext_lazy|ngettext)\(\s*(["'])(.+?)\1""")
TRANSLATE = re.compile(r"""{%\s*translate\s+(["'])(.+?)\1""")
TEMPLATE_CODE = re.compile(r"{#.*?#}|{%.*?%}|{{.*?}}|<[^>]*>", re.DOTALL)


def dutch_words() -> set[str]:
    """The words of Noaber's own Dutch texts: choice labels, gettext strings in the source,
    template text and the reference data. A code that is also such a word (`open`, `plan`,
    `partner`) cannot be told apart from the word on a page, so it is not searched for."""
    texts = [str(label) for cls in choices_classes() for label in cls.labels]
    for path in SOURCE.rglob("*.py"):
        if "tests" not in path.parts and "migrations" not in path.parts:
            texts += [m.group(2) for m in GETTEXT.finditer(path.read_text(encoding="utf-8"))]
    for path in (SOURCE.parent / "templates").rglob("*.html"):
        source = path.read_text(encoding="utf-8")
        texts += [m.group(2) for m in TRANSLATE.finditer(source)]
        texts.append(TEMPLATE_CODE.sub(" ", source))
    for path in (SOURCE.parent / "data" / "reference").rglob("*.json"):
        texts.append(path.read_text(encoding="utf-8"))
    return {word.lower() for text in texts for word in WORD.findall(text)}


def recorded_codes() -> dict[str, str]:
    codes = {}
    for path in SOURCE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for match in RECORDED.finditer(path.read_text(encoding="utf-8")):
            code = match.group(1) or match.group(2)
            codes[code] = f"recorded in {path.relative_to(SOURCE.parent)}"
    return codes


class VisibleText(HTMLParser):
    """The text a person sees: no tags, attribute values, scripts or styles."""

    HIDDEN = {"script", "style", "template", "noscript"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)

    @classmethod
    def of(cls, html: str) -> str:
        parser = cls()
        parser.feed(html)
        return " ".join(" ".join(parser.parts).split())


def leaks(text: str, codes: dict[str, str]) -> list[str]:
    found = []
    for code, origin in codes.items():
        # Not inside a word, path or dotted name, nor a command named for an administrator.
        if re.search(rf"(?<![\w.\-/])(?<!manage\.py ){re.escape(code)}(?![\w\-/]|\.\w)", text):
            at = text.find(code)
            found.append(f"{code!r} ({origin}) in “…{text[max(0, at - 60) : at + 40]}…”")
    return found


class NoCodesOnPagesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_all()
        load_demo_users()
        load_demo_reports()
        load_demo_partners()
        load_demo_figures()
        load_demo_cases()
        cls.dinkelland = Municipality.objects.get(cbs_code="GM1774")
        # Distinctive login names: a username on a page is then a code like any other.
        for user in User.objects.all():
            User.objects.filter(pk=user.pk).update(username=LOGIN_PREFIX + user.username)

    def codes(self) -> dict[str, str]:
        codes = choice_codes() | recorded_codes()
        codes |= {code: "audit reason registry" for code in labels.registered_reasons()}
        codes |= {code: "audit object type" for code in labels.registered_object_types()}
        for field in ("reason", "object_type"):
            for value in AuditEvent.objects.values_list(field, flat=True).distinct():
                if CODE_LIKE.match(value) and len(value) > 2:
                    codes[value] = f"audit event {field}"
        words = dutch_words()
        codes = {code: origin for code, origin in codes.items() if code.lower() not in words}
        codes |= {name: "login name" for name in User.objects.values_list("username", flat=True)}
        return codes

    def pages(self):
        """(who, url) for every GET page each demo person may open, public pages as anyone."""
        routes = [r for r in walk() if r.rule is not None and "GET" in r.rule.methods]
        people = User.objects.filter(memberships__municipality=self.dinkelland).distinct()
        yield (
            None,
            [example_url(r, self.dinkelland, EXAMPLES) for r in routes if r.rule.scope == "public"],
        )
        # The audit log once per action, so that older events (logins, shares) are read too.
        log = reverse("audit:list", args=[self.dinkelland.cbs_code])
        extra = [f"{log}?handeling={action}" for action in Action.values]
        for person in people.order_by("username"):
            roles = set(
                person.memberships.filter(municipality=self.dinkelland).values_list(
                    "role", flat=True
                )
            )
            urls = [
                example_url(r, self.dinkelland, EXAMPLES)
                for r in routes
                if r.rule.scope == "signed_in"
                or (r.rule.scope == "municipality" and roles & set(RULES[r.rule.action]))
            ]
            if roles & set(RULES["audit.view"]):
                urls += extra
            yield person, urls

    def sign_in(self, user):
        """A staff session with a verified second factor (as NoaberTestCase.sign_in)."""
        self.client.force_login(user)
        session = self.client.session
        session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(
            user=user, confirmed=True
        ).persistent_id
        session.save()

    def test_no_page_shows_a_code_instead_of_its_dutch_label(self):
        # Failed logins, so that their reasons are in the log: a wrong password and a name
        # that belongs to no account.
        someone = User.objects.get(username=LOGIN_PREFIX + "adviseur")
        login = reverse("accounts:login")
        self.client.post(login, {"username": someone.username, "password": "fout-wachtwoord-1"})
        self.client.post(login, {"username": "niemand-bekend", "password": "fout-wachtwoord-2"})
        visited, problems, texts = 0, [], []
        for person, urls in self.pages():
            self.client.logout()
            if person is not None:
                self.sign_in(person)
            for url in urls:
                response = self.client.get(url)
                if response.status_code != 200:
                    continue
                visited += 1
                kind = response.get("Content-Type", "")
                if kind.startswith("text/html"):
                    text = VisibleText.of(response.content.decode())
                elif kind.startswith(("text/csv", "text/plain")):
                    text = response.content.decode()
                else:
                    continue
                texts.append((person.username if person else "anoniem", url, text))
        codes = self.codes()  # after the walk: its own audit events count too
        for who, url, text in texts:
            # A login name is an account's attribute on two pages: a person's own account page
            # (what they type to sign in) and the access review, which reviews accounts.
            own = {who} if url == reverse("accounts:account") else set()
            if url == reverse("access_review:report", args=[self.dinkelland.cbs_code]):
                own = set(User.objects.values_list("username", flat=True))
            searched = {code: origin for code, origin in codes.items() if code not in own}
            problems += [f"{who} {url}: {leak}" for leak in leaks(text, searched)]
        self.assertGreater(visited, 60)
        self.assertEqual(problems, [], f"{len(problems)} codes on pages:\n" + "\n".join(problems))


class GuardTests(TestCase):
    """The checks above must be able to fail."""

    def test_a_code_in_visible_text_is_found_and_an_attribute_is_not(self):
        html = '<p title="advisor">Rol: advisor</p><script>var x = "management";</script>'
        text = VisibleText.of(html)
        self.assertEqual(text, "Rol: advisor")
        self.assertEqual(len(leaks(text, {"advisor": "x", "management": "y"})), 1)

    def test_a_code_inside_a_word_or_path_is_not_a_leak(self):
        self.assertEqual(leaks("Ketenpartner /m/GM1774/partner/ partners", {"partner": "x"}), [])

    def test_the_codes_include_roles_actions_categories_and_reasons(self):
        codes = choice_codes() | recorded_codes()
        for code in ("advisor", "login_failed", "signal", "partner_portal", "bad_otp", "my_tasks"):
            self.assertIn(code, codes)
