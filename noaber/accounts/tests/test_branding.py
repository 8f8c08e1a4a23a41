"""A municipality's branding: set by its functional admin, refused without enough contrast,
served as a stylesheet per municipality."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from noaber.accounts.branding import colour_problem, stylesheet_for
from noaber.accounts.demo import DEMO_BRANDING, load_demo_branding
from noaber.accounts.models import Municipality
from noaber.audit.models import Action, AuditEvent
from noaber.lib.colour import contrast_ratio

from .base import NoaberTestCase


def png(width=120, height=40, fmt="PNG"):
    out = io.BytesIO()
    Image.new("RGB", (width, height), (31, 111, 67)).save(out, format=fmt)
    return out.getvalue()


class BrandingFormTests(NoaberTestCase):
    def url(self, code="GM1774"):
        return reverse("branding:edit", args=[code])

    def post(self, **data):
        payload = {"display_name": "", "primary_colour": ""} | data
        return self.client.post(self.url(), payload)

    def events(self):
        return AuditEvent.objects.filter(action=Action.UPDATE, object_type="municipality")

    def test_the_admin_sets_name_and_colour_and_it_is_audited(self):
        self.sign_in(self.admin)
        response = self.post(display_name="Gemeente Dinkelland", primary_colour="#1F6F43")
        self.assertRedirects(response, self.url(), fetch_redirect_response=False)
        found = Municipality.objects.get(cbs_code="GM1774")
        self.assertEqual(
            (found.display_name, found.primary_colour), ("Gemeente Dinkelland", "#1f6f43")
        )
        self.assertIsNotNone(found.branding_updated_at)
        event = self.events().get()
        self.assertEqual(event.municipality, "GM1774")
        self.assertEqual(event.detail["fields"], ["display_name", "primary_colour"])
        page = self.client.get(self.url()).content.decode()
        self.assertIn("De huisstijl is opgeslagen.", page)
        self.assertIn(reverse("branding:stylesheet", args=["GM1774"]), page)
        self.assertIn("Gemeente Dinkelland", page)

    def test_a_colour_with_too_little_contrast_is_refused_in_dutch_and_nothing_changes(self):
        self.sign_in(self.admin)
        self.post(primary_colour="#1f6f43")
        before = Municipality.objects.get(cbs_code="GM1774")
        events = self.events().count()
        for colour in ("#777777", "#ffcc00", "#ffffff", "#3d8bd9"):
            with self.subTest(colour=colour):
                self.assertLess(contrast_ratio("#ffffff", colour), 4.5)
                response = self.post(display_name="Andere naam", primary_colour=colour)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "Deze kleur geeft te weinig contrast")
                self.assertContains(response, "minstens 4,5:1")
                self.assertContains(response, f'value="{colour}"')
                after = Municipality.objects.get(cbs_code="GM1774")
                self.assertEqual(after.primary_colour, "#1f6f43")
                self.assertEqual(after.display_name, before.display_name)
                self.assertEqual(after.branding_updated_at, before.branding_updated_at)
                self.assertEqual(self.events().count(), events)

    def test_a_colour_that_is_no_hex_code_is_refused(self):
        self.sign_in(self.admin)
        for colour in ("groen", "#12345", "rgb(0,0,0)"):
            with self.subTest(colour=colour):
                response = self.post(primary_colour=colour)
                self.assertContains(response, "Geef de kleur als # met zes hexadecimale tekens")
        self.assertEqual(Municipality.objects.get(cbs_code="GM1774").primary_colour, "")

    def test_the_contrast_rule_accepts_exactly_from_4_5_to_1(self):
        self.assertIsNone(colour_problem("#767676"))
        self.assertIsNotNone(colour_problem("#777777"))

    def test_only_the_functional_admin_may_set_the_branding(self):
        for user in (self.advisor, self.privacy, self.management):
            self.client.logout()
            self.sign_in(user)
            with self.subTest(user=user.username):
                self.assertEqual(self.post(primary_colour="#1f6f43").status_code, 403)
        self.assertEqual(Municipality.objects.get(cbs_code="GM1774").primary_colour, "")

    def test_a_png_logo_is_stored_re_encoded_and_shown_in_the_header(self):
        self.sign_in(self.admin)
        upload = SimpleUploadedFile("logo.jpg", png(fmt="JPEG"), content_type="image/jpeg")
        response = self.client.post(
            self.url(), {"display_name": "", "primary_colour": "", "logo": upload}
        )
        self.assertRedirects(response, self.url())
        found = Municipality.objects.get(cbs_code="GM1774")
        self.assertEqual(found.logo_type, "image/png")
        self.assertTrue(bytes(found.logo).startswith(b"\x89PNG"))
        page = self.client.get(reverse("ui:dashboard", args=["GM1774"])).content.decode()
        self.assertIn(reverse("branding:logo", args=["GM1774"]), page)
        self.client.logout()
        logo = self.client.get(reverse("branding:logo", args=["GM1774"]))
        self.assertEqual(logo["Content-Type"], "image/png")
        self.assertEqual(Image.open(io.BytesIO(logo.content)).size, (120, 40))

    def test_the_admin_can_remove_the_logo(self):
        self.sign_in(self.admin)
        upload = SimpleUploadedFile("logo.png", png(), content_type="image/png")
        self.client.post(self.url(), {"display_name": "", "primary_colour": "", "logo": upload})
        self.assertEqual(Municipality.objects.get(cbs_code="GM1774").logo_type, "image/png")
        self.post(remove_logo="on")
        found = Municipality.objects.get(cbs_code="GM1774")
        self.assertEqual((found.logo_type, bytes(found.logo)), ("", b""))
        self.assertEqual(self.events().count(), 2)

    def test_svg_oversized_and_non_image_logos_are_refused(self):
        self.sign_in(self.admin)
        svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
        cases = [
            (SimpleUploadedFile("logo.svg", svg, "image/svg+xml"), "PNG- of JPEG-bestand"),
            (SimpleUploadedFile("logo.png", b"not an image", "image/png"), "PNG- of JPEG-bestand"),
            (SimpleUploadedFile("wide.png", png(1200, 100), "image/png"), "1200 × 100 pixels"),
            (SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * 300_000, "image/png"), "200 kB"),
        ]
        for upload, message in cases:
            with self.subTest(name=upload.name):
                response = self.client.post(
                    self.url(), {"display_name": "X", "primary_colour": "", "logo": upload}
                )
                self.assertContains(response, message)
        found = Municipality.objects.get(cbs_code="GM1774")
        self.assertEqual((found.logo_type, found.display_name), ("", ""))


class BrandingStylesheetTests(NoaberTestCase):
    def setUp(self):
        Municipality.objects.filter(cbs_code="GM1774").update(primary_colour="#1f6f43")
        Municipality.objects.filter(cbs_code="GM0183").update(primary_colour="#8a1f3d")

    def css(self, code):
        return self.client.get(reverse("branding:stylesheet", args=[code]))

    def test_each_municipality_gets_its_own_colour_and_not_another_s(self):
        dinkelland, tubbergen = self.css("GM1774"), self.css("GM0183")
        self.assertEqual(dinkelland["Content-Type"], "text/css; charset=utf-8")
        self.assertIn("--noaber-color-primary-500: #1f6f43;", dinkelland.content.decode())
        self.assertNotIn("#8a1f3d", dinkelland.content.decode())
        self.assertIn("--noaber-color-primary-500: #8a1f3d;", tubbergen.content.decode())
        self.assertNotIn("#1f6f43", tubbergen.content.decode())

    def test_no_colour_means_no_override_and_an_unknown_code_is_404(self):
        Municipality.objects.filter(cbs_code="GM1774").update(primary_colour="")
        self.assertNotIn("--noaber-color", self.css("GM1774").content.decode())
        self.assertEqual(self.css("GM9999").status_code, 404)

    def test_the_stylesheet_is_cached_and_revalidated(self):
        first = self.css("GM1774")
        self.assertIn(
            "private", first["Cache-Control"]
        )  # carries the session cookie when signed in
        again = self.client.get(
            reverse("branding:stylesheet", args=["GM1774"]), HTTP_IF_NONE_MATCH=first["ETag"]
        )
        self.assertEqual(again.status_code, 304)
        Municipality.objects.filter(cbs_code="GM1774").update(primary_colour="#8a1f3d")
        changed = self.client.get(
            reverse("branding:stylesheet", args=["GM1774"]), HTTP_IF_NONE_MATCH=first["ETag"]
        )
        self.assertEqual(changed.status_code, 200)

    def test_pages_of_a_municipality_link_its_stylesheet_the_public_form_too(self):
        css = reverse("branding:stylesheet", args=["GM1774"])
        self.assertContains(self.client.get(reverse("intake:report", args=["GM1774"])), css)
        self.assertNotContains(self.client.get(reverse("intake:report", args=["GM0183"])), css)
        self.sign_in(self.advisor_tubbergen)
        page = self.client.get(reverse("ui:dashboard", args=["GM0183"]))
        self.assertContains(page, reverse("branding:stylesheet", args=["GM0183"]))
        self.assertNotContains(page, css)

    def test_without_a_logo_the_logo_url_shows_noabers_mark(self):
        response = self.client.get(reverse("branding:logo", args=["GM1774"]))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].endswith("ui/noaber.svg"))

    def test_the_stylesheet_holds_only_the_colour_shades(self):
        css = stylesheet_for(Municipality.objects.get(cbs_code="GM1774"))
        self.assertEqual(css.count("--noaber-color-primary-"), 8)
        self.assertNotIn("url(", css)


class DemoBrandingTests(NoaberTestCase):
    def test_the_demo_municipalities_get_different_accessible_colours(self):
        self.assertEqual(load_demo_branding(), 2)
        colours = set(
            Municipality.objects.filter(cbs_code__in=DEMO_BRANDING).values_list(
                "primary_colour", flat=True
            )
        )
        self.assertEqual(len(colours), 2)
        for colour in colours:
            self.assertIsNone(colour_problem(colour))
        # Rerunning keeps what an admin set.
        Municipality.objects.filter(cbs_code="GM1774").update(primary_colour="#000000")
        self.assertEqual(load_demo_branding(), 0)
        self.assertEqual(Municipality.objects.get(cbs_code="GM1774").primary_colour, "#000000")


class BrandingOnRefusedPagesTests(NoaberTestCase):
    def test_a_refused_page_of_another_municipality_wears_the_users_own_branding(self):
        Municipality.objects.filter(cbs_code="GM0183").update(
            display_name="Gemeente Tubbergen", primary_colour="#8a1f3d"
        )
        self.sign_in(self.enforcer)  # serves Dinkelland only
        response = self.client.get("/m/GM0183/casussen/mijn-taken/")
        self.assertEqual(response.status_code, 404)
        self.assertNotContains(response, "Tubbergen", status_code=404)
        self.assertNotContains(response, "/m/GM0183/huisstijl.css", status_code=404)
        # Where the user does serve the municipality, its branding applies.
        self.sign_in(self.advisor)  # serves Dinkelland and Tubbergen
        response = self.client.get("/m/GM0183/casussen/mijn-taken/")
        self.assertContains(response, "/m/GM0183/huisstijl.css")
