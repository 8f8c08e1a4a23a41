"""The theme: tokens compiled to the committed stylesheet, every property the components in use
read has a value, fonts ship with Noaber, badges are readable, Dutch dates with time."""

import re
from datetime import UTC, date, datetime
from pathlib import Path

from django.contrib.staticfiles import finders
from django.template import Context, Template
from django.test import SimpleTestCase
from django.urls import reverse

from noaber.accounts.tests.base import NoaberTestCase
from noaber.lib.colour import contrast_ratio
from noaber.ui import theme
from noaber.ui.navigation import ITEMS


class TokenTests(SimpleTestCase):
    def test_the_committed_stylesheet_is_what_the_tokens_compile_to(self):
        self.assertEqual(
            theme.THEME_CSS.read_text(encoding="utf-8"),
            theme.build(),
            "noaber-theme.css is out of date: run `manage.py build_theme`.",
        )

    def test_every_property_the_components_in_use_read_has_a_value(self):
        missing = theme.uncovered()
        self.assertEqual(missing, {}, "add these to noaber/ui/tokens/ and run build_theme")

    def test_the_coverage_check_sees_the_classes_of_our_templates(self):
        used = theme.classes_in_use()
        for expected in ("utrecht-form-label", "utrecht-table__header-cell", "utrecht-button"):
            self.assertIn(expected, used)
        read = theme.properties_read(
            theme.COMPONENT_CSS.read_text(encoding="utf-8"), {"utrecht-form-label"}
        )
        self.assertIn("--utrecht-form-label-font-weight", read)
        self.assertNotIn("--utrecht-table-header-cell-font-weight", read)

    def test_a_missing_token_is_reported(self):
        tokens = theme.load_tokens()
        del tokens["--utrecht-form-label-font-weight"]
        self.assertIn("--utrecht-form-label-font-weight", theme.uncovered(tokens))

    def test_a_reference_to_no_token_is_refused(self):
        with self.assertRaisesMessage(theme.TokenError, "{basis.nothing.here}"):
            theme.compile_css({"--a": "{basis.nothing.here}"})

    def test_references_become_custom_properties_so_branding_can_override_them(self):
        css = theme.compile_css(
            {"--noaber-color-primary-500": "#1d5b8c", "--x": "{noaber.color.primary.500}"}
        )
        self.assertIn("--x: var(--noaber-color-primary-500);", css)
        self.assertTrue(css.split("\n")[1].startswith(".noaber-theme {"))

    def test_text_uses_the_shipped_sans_font_without_a_serif_fallback(self):
        tokens = theme.load_tokens()
        family = theme.resolve(tokens, "--basis-text-font-family-default")
        self.assertTrue(family.startswith("'Source Sans 3'"), family)
        for name in tokens:
            if name.endswith("font-family"):
                value = theme.resolve(tokens, name)
                with self.subTest(name=name):
                    self.assertNotRegex(value, r"(?<!sans-)serif|Times|Georgia")

    def test_table_captions_are_left_aligned(self):
        tokens = theme.load_tokens()
        self.assertEqual(theme.resolve(tokens, "--utrecht-table-caption-text-align"), "start")

    def test_status_badges_are_readable(self):
        tokens = theme.load_tokens()
        for tone in ("neutral", "info", "ok", "warning", "danger"):
            text = theme.resolve(tokens, f"--noaber-badge-{tone}-color")
            background = theme.resolve(tokens, f"--noaber-badge-{tone}-background-color")
            with self.subTest(tone=tone):
                self.assertGreaterEqual(contrast_ratio(text, background), 4.5)
                self.assertIn(f".noaber-badge--{tone} {{", _noaber_css())


def _noaber_css() -> str:
    return Path(finders.find("ui/noaber.css")).read_text(encoding="utf-8")


class FontTests(SimpleTestCase):
    def test_every_font_face_points_at_a_font_file_in_the_project(self):
        css = _noaber_css()
        urls = re.findall(r"@font-face\s*\{[^}]*url\(\"?([^\")]+)\"?\)", css)
        self.assertGreaterEqual(len(urls), 3)
        for url in urls:
            with self.subTest(url=url):
                self.assertFalse(url.startswith(("http:", "https:", "//")))
                self.assertIsNotNone(finders.find("ui/" + url), url)
        weights = set(re.findall(r"font-weight:\s*(\d+)", css.split("/* Every text")[0]))
        self.assertTrue({"400", "600", "700"} <= weights, weights)

    def test_the_font_licence_ships_with_the_fonts(self):
        licence = Path(finders.find("ui/fonts/OFL.txt")).read_text(encoding="utf-8")
        self.assertIn("SIL Open Font License", licence)


class MomentFilterTests(SimpleTestCase):
    def render(self, value):
        return Template("{% load noaber_ui %}{{ value|moment }}").render(Context({"value": value}))

    def test_a_moment_is_a_dutch_date_with_the_time_in_amsterdam(self):
        # 14:05 UTC is 15:05 in Amsterdam in winter and 16:05 in summer.
        self.assertEqual(
            self.render(datetime(2026, 11, 3, 14, 5, tzinfo=UTC)), "3 november 2026 om 15:05"
        )
        self.assertEqual(
            self.render(datetime(2026, 7, 1, 14, 5, tzinfo=UTC)), "1 juli 2026 om 16:05"
        )

    def test_a_plain_date_has_no_time_and_nothing_shows_nothing(self):
        self.assertEqual(self.render(date(2026, 3, 9)), "9 maart 2026")
        self.assertEqual(self.render(None), "")


class LayoutTests(NoaberTestCase):
    def page(self, user, name="ui:dashboard"):
        self.sign_in(user)
        return self.client.get(reverse(name, args=["GM1774"])).content.decode()

    def test_every_page_wears_the_theme_its_fonts_and_a_favicon(self):
        page = self.client.get(reverse("accounts:login")).content.decode()
        self.assertIn('class="noaber-theme', page)
        self.assertIn("ui/noaber-theme.css", page)
        self.assertNotIn("voorbeeld-theme", page)
        self.assertRegex(page, r'<link rel="icon" href="[^"]*ui/noaber\.svg"')
        self.assertIsNotNone(finders.find("ui/noaber.svg"))

    def test_navigation_is_grouped_and_shows_only_groups_with_items(self):
        advisor = self.page(self.advisor)
        for group in ("Werk", "Inzicht", "Partners", "Beheer"):
            self.assertIn(f">{group}</p>", advisor)
        self.assertNotIn(">Privacy</p>", advisor)
        self.client.logout()
        employee = self.page(self.employee)
        self.assertNotIn(">Beheer</p>", employee)
        self.assertNotIn(">Inzicht</p>", employee)

    def test_the_admin_finds_the_branding_page_under_beheer(self):
        page = self.page(self.admin)
        beheer = page.split(">Beheer</p>")[1].split("</ul>")[0]
        self.assertIn(reverse("branding:edit", args=["GM1774"]), beheer)

    def test_every_navigation_item_is_a_url_of_its_own(self):
        names = [name for _label, name, _action in ITEMS]
        self.assertEqual(len(names), len(set(names)))

    def test_list_tables_scroll_inside_a_focusable_region(self):
        page = self.page(self.advisor, "cases:list")
        self.assertRegex(
            page, r'<div class="noaber-scroll" role="region" tabindex="0" aria-label="Tabel"><table'
        )
