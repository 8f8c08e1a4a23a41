"""The ketenkaart: the partners of a municipality, Tabel 7, the drawing, and editing partners."""

import re
from datetime import date

from django.test import SimpleTestCase
from django.urls import reverse

from noaber.accounts.models import Organisation
from noaber.accounts.tests.base import NoaberTestCase
from noaber.audit.models import AuditEvent
from noaber.partners import organisations as actions
from noaber.partners.models import SharingAgreement
from noaber.partners.svg import ketenkaart_drawing
from noaber.themes.models import Priority, themes_for


def matrix_row(html: str, name: str) -> list[str]:
    """The cells ("ja"/"nee") of a partner's row in the Tabel 7 table."""
    table = re.search(r'<table class="utrecht-table noaber-matrix">(.*?)</table>', html, re.S)
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table.group(1), re.S):
        if re.search(rf'scope="row"><a [^>]*>{re.escape(name)}</a>', row):
            return re.findall(r'noaber-visually-hidden">(ja|nee)<', row)
    raise AssertionError(f"No row for {name}")


class MapPageTests(NoaberTestCase):
    def setUp(self):
        self.sign_in(self.advisor)
        self.url = reverse("partners:map", args=["GM1774"])

    def test_page_lists_partners_grouped_by_kind(self):
        response = self.client.get(self.url)
        groups = dict(response.context["groups"])
        self.assertIn("RIEC Oost-Nederland", [p.name for p in groups["Samenwerkingsverband"]])
        self.assertIn("Politie", [p.name for p in groups["Bestuurlijk"]])
        riec = Organisation.objects.get(name="RIEC Oost-Nederland")
        self.assertContains(response, reverse("partners:partner", args=["GM1774", riec.pk]))
        self.assertContains(response, "Bestrijding van ondermijnende criminaliteit")
        self.assertContains(response, 'href="https://www.riec.nl/riecs-en-liec"')

    def test_page_lists_only_partners_serving_the_municipality(self):
        Organisation.objects.create(name="Alleen Tubbergen", kind="other").municipalities.add(
            self.tubbergen
        )
        response = self.client.get(self.url)
        self.assertNotContains(response, "Alleen Tubbergen")
        self.assertContains(response, "Schakel")  # Dinkelland only

    def test_page_groups_partners_by_priority(self):
        response = self.client.get(self.url)
        by_priority = {
            q.order: [p.name for p in members] for q, members in response.context["by_priority"]
        }
        self.assertEqual(sorted(by_priority), [1, 2, 3])
        self.assertIn("RIEC Oost-Nederland", by_priority[1])
        self.assertNotIn("RIEC Oost-Nederland", by_priority[3])
        self.assertIn("Tactus", by_priority[3])

    def test_matrix_row_shows_the_priorities_each_partner_works_on(self):
        html = self.client.get(self.url).content.decode()
        self.assertEqual(matrix_row(html, "Politie"), ["ja", "ja", "ja"])
        self.assertEqual(matrix_row(html, "RIEC Oost-Nederland"), ["ja", "nee", "nee"])
        self.assertIn('<th class="utrecht-table__header-cell" scope="col">1. Ondermijning', html)

    def test_partners_without_priority_are_named_below_the_matrix_not_in_it(self):
        response = self.client.get(self.url)
        not_in_table = [p.name for p in response.context["not_in_table"]]
        self.assertIn("Stichting Vizier", not_in_table)
        self.assertNotIn("Politie", not_in_table)
        with self.assertRaises(AssertionError):
            matrix_row(response.content.decode(), "Stichting Vizier")

    def test_drawing_is_an_accessible_image_with_a_title_and_description(self):
        html = self.client.get(self.url).content.decode()
        svg = re.search(r"<svg [^>]*>", html).group(0)
        self.assertIn('role="img"', svg)
        self.assertIn('aria-labelledby="ketenkaart-titel ketenkaart-beschrijving"', svg)
        self.assertIn('viewBox="0 0 1000 ', svg)
        self.assertIn('<title id="ketenkaart-titel">', html)
        self.assertIn('<desc id="ketenkaart-beschrijving">Ketenkaart van Dinkelland', html)
        self.assertIn("tekstversie van deze kaart", html)
        # Coordinates are not localised (a Dutch decimal comma would break the drawing).
        drawing = html[html.index("<svg") : html.index("</svg>")]
        self.assertNotRegex(drawing, r'(?:x|y|cy|height)="\d+,\d')
        self.assertRegex(drawing, r'cy="\d+\.\d"')

    def test_drawing_escapes_partner_names(self):
        evil = Organisation.objects.create(name="<script>alert(1)</script> & Co", kind="other")
        evil.municipalities.add(self.dinkelland)
        evil.priorities.add(self.dinkelland.priorities.first())
        html = self.client.get(self.url).content.decode()
        self.assertNotIn("<script>", html)
        svg = html[html.index("<svg") : html.index("</svg>")]
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co", svg)

    def test_page_uses_no_inline_styles_or_scripts(self):
        html = self.client.get(self.url).content.decode()
        self.assertNotIn("style=", html)
        self.assertNotIn("<script", html)

    def test_admin_sees_the_add_link_and_the_advisor_does_not(self):
        create = reverse("partners:partner_create", args=["GM1774"])
        self.assertNotContains(self.client.get(self.url), create)
        self.sign_in(self.admin)
        self.assertContains(self.client.get(self.url), create)

    def test_partner_user_cannot_see_the_ketenkaart(self):
        self.client.logout()
        self.sign_in(self.partner)
        self.assertEqual(self.client.get(self.url).status_code, 403)


class PartnerDetailTests(NoaberTestCase):
    def setUp(self):
        self.politie = Organisation.objects.get(name="Politie")
        self.sign_in(self.employee)

    def url(self, organisation, code="GM1774"):
        return reverse("partners:partner", args=[code, organisation.pk])

    def test_detail_shows_the_partner_its_themes_and_priorities_here(self):
        response = self.client.get(self.url(self.politie))
        self.assertContains(response, '<h1 class="utrecht-heading-1">Politie</h1>', html=False)
        self.assertContains(response, "IVP Dinkelland 2024-2026, Bijlage 3, tabel 5")
        self.assertContains(response, "5.2 Georganiseerde")
        priorities = list(response.context["priorities"])
        self.assertEqual([p.municipality for p in priorities], [self.dinkelland] * 3)

    def test_detail_lists_agreements_of_this_municipality_and_marks_expired_ones(self):
        def agreement(name, municipality, until):
            a = SharingAgreement.objects.create(
                name=name,
                purpose="Doel",
                legal_basis="Art. 6 lid 1e AVG",
                valid_from=date(2020, 1, 1),
                valid_until=until,
            )
            a.organisations.add(self.politie)
            a.municipalities.add(municipality)

        agreement("Convenant lopend", self.dinkelland, None)
        agreement("Convenant oud", self.dinkelland, date(2021, 12, 31))
        agreement("Convenant Tubbergen", self.tubbergen, None)
        response = self.client.get(self.url(self.politie), {"sectie": "convenanten"})
        rows = {r["agreement"].name: r for r in response.context["agreements"]}
        self.assertEqual(set(rows), {"Convenant lopend", "Convenant oud"})
        self.assertTrue(rows["Convenant lopend"]["valid"])
        self.assertFalse(rows["Convenant oud"]["valid"])
        self.assertContains(response, "<strong>verlopen</strong>")
        self.assertNotContains(response, "Convenant Tubbergen")

    def test_organisation_not_serving_the_municipality_is_404(self):
        elsewhere = Organisation.objects.create(name="Alleen Tubbergen", kind="other")
        elsewhere.municipalities.add(self.tubbergen)
        self.assertEqual(self.client.get(self.url(elsewhere)).status_code, 404)
        self.client.logout()
        self.sign_in(self.admin)
        edit = reverse("partners:partner_edit", args=["GM1774", elsewhere.pk])
        self.assertEqual(self.client.get(edit).status_code, 404)

    def test_edit_link_only_for_the_admin(self):
        edit = reverse("partners:partner_edit", args=["GM1774", self.politie.pk])
        self.assertNotContains(self.client.get(self.url(self.politie)), edit)
        self.client.logout()
        self.sign_in(self.admin)
        self.assertContains(self.client.get(self.url(self.politie)), edit)


class EditPartnerTests(NoaberTestCase):
    def setUp(self):
        self.riec = Organisation.objects.get(name="RIEC Oost-Nederland")
        self.edit_url = reverse("partners:partner_edit", args=["GM1774", self.riec.pk])
        self.create_url = reverse("partners:partner_create", args=["GM1774"])
        self.priorities = list(self.dinkelland.priorities.all())
        self.sign_in(self.admin)

    def form_data(self, **changes):
        return {
            "name": "RIEC Oost-Nederland",
            "kind": "partnership",
            "responsibility": "Bestrijding van ondermijnende criminaliteit.",
            "contact_route": "https://www.riec.nl/",
            "themes": [t.pk for t in self.riec.themes.all()],
            "priorities": [self.priorities[0].pk, self.priorities[1].pk],
        } | changes

    def assert_unchanged(self, before):
        self.riec.refresh_from_db()
        self.assertEqual(self.riec.name, before.name)
        self.assertEqual(self.riec.contact_route, before.contact_route)
        self.assertEqual(
            list(self.riec.priorities.filter(municipality=self.dinkelland)), [self.priorities[0]]
        )
        self.assertFalse(AuditEvent.objects.filter(object_type="organisation").exists())

    def test_admin_edit_saves_and_is_audited(self):
        response = self.client.post(self.edit_url, self.form_data(), follow=True)
        self.assertRedirects(response, reverse("partners:partner", args=["GM1774", self.riec.pk]))
        self.assertContains(response, "zijn opgeslagen")
        self.riec.refresh_from_db()
        self.assertEqual(self.riec.contact_route, "https://www.riec.nl/")
        self.assertEqual(
            list(self.riec.priorities.filter(municipality=self.dinkelland)), self.priorities[:2]
        )
        event = AuditEvent.objects.get(object_type="organisation")
        self.assertEqual(event.action, "update")
        self.assertEqual(event.object_id, str(self.riec.pk))
        self.assertEqual(event.municipality, "GM1774")
        self.assertEqual(event.actor, "bea")
        self.assertEqual(event.detail["changed"], ["responsibility", "contact_route", "priorities"])

    def test_editing_priorities_keeps_those_of_other_municipalities(self):
        elsewhere = set(self.riec.priorities.exclude(municipality=self.dinkelland))
        self.assertTrue(self.riec.priorities.filter(municipality=self.tubbergen).exists())
        self.client.post(self.edit_url, self.form_data(priorities=[]))
        self.assertEqual(set(self.riec.priorities.all()), elsewhere)

    def test_form_offers_only_this_municipalitys_priorities(self):
        form = self.client.get(self.edit_url).context["form"]
        self.assertEqual(list(form.fields["priorities"].queryset), self.priorities)
        tubbergen = self.tubbergen.priorities.first()
        response = self.client.post(self.edit_url, self.form_data(priorities=[tubbergen.pk]))
        self.assertContains(response, "Selecteer een geldige keuze")
        self.assertFalse(AuditEvent.objects.filter(object_type="organisation").exists())

    def test_empty_name_shows_a_dutch_error_and_changes_nothing(self):
        before = Organisation.objects.get(pk=self.riec.pk)
        response = self.client.post(self.edit_url, self.form_data(name="  ", contact_route="x"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Vul de naam van de organisatie in.")
        self.assertContains(response, "RIEC Oost-Nederland bewerken")
        self.assert_unchanged(before)

    def test_duplicate_name_shows_a_dutch_error_and_changes_nothing(self):
        before = Organisation.objects.get(pk=self.riec.pk)
        response = self.client.post(
            self.edit_url, self.form_data(name="politie", contact_route="x")
        )
        self.assertContains(response, "Er is al een organisatie met de naam “politie”.")
        self.assert_unchanged(before)

    def test_unknown_kind_shows_a_dutch_error_and_changes_nothing(self):
        before = Organisation.objects.get(pk=self.riec.pk)
        response = self.client.post(self.edit_url, self.form_data(kind="bende", contact_route="x"))
        self.assertContains(response, "Kies een van de genoemde soorten organisatie.")
        self.assert_unchanged(before)

    def test_admin_adds_a_partner_linked_to_this_municipality(self):
        data = self.form_data(name="Stichting Buurtpreventie", kind="other", themes=[])
        response = self.client.post(self.create_url, data, follow=True)
        partner = Organisation.objects.get(name="Stichting Buurtpreventie")
        self.assertRedirects(response, reverse("partners:partner", args=["GM1774", partner.pk]))
        self.assertContains(response, "staat op de ketenkaart")
        self.assertEqual(list(partner.municipalities.all()), [self.dinkelland])
        self.assertEqual(list(partner.priorities.all()), self.priorities[:2])
        event = AuditEvent.objects.get(object_type="organisation")
        self.assertEqual((event.action, event.object_id), ("create", str(partner.pk)))
        self.assertIn("name", event.detail["changed"])

    def test_adding_a_partner_with_a_taken_name_creates_nothing(self):
        count = Organisation.objects.count()
        response = self.client.post(self.create_url, self.form_data(name="Politie"))
        self.assertContains(response, "Er is al een organisatie met de naam “Politie”.")
        self.assertEqual(Organisation.objects.count(), count)
        self.assertFalse(AuditEvent.objects.filter(object_type="organisation").exists())

    def test_non_admin_gets_403_on_edit_and_create(self):
        before = Organisation.objects.get(pk=self.riec.pk)
        for user in (self.advisor, self.management, self.employee):
            self.client.logout()
            self.sign_in(user)
            self.assertEqual(self.client.get(self.edit_url).status_code, 403)
            self.assertEqual(self.client.post(self.edit_url, self.form_data()).status_code, 403)
            self.assertEqual(self.client.get(self.create_url).status_code, 403)
        self.assert_unchanged(before)


class OrganisationActionTests(NoaberTestCase):
    def test_update_refuses_another_municipalitys_priority(self):
        riec = Organisation.objects.get(name="RIEC Oost-Nederland")
        with self.assertRaises(ValueError):
            actions.update_organisation(
                riec,
                self.dinkelland,
                name=riec.name,
                kind=riec.kind,
                responsibility=riec.responsibility,
                contact_route=riec.contact_route,
                themes=themes_for(self.dinkelland)[:1],
                priorities=[Priority.objects.filter(municipality=self.tubbergen).first()],
                request=None,
            )


class DrawingTests(SimpleTestCase):
    def drawing(self):
        return ketenkaart_drawing(
            [
                ("administrative", "Bestuurlijk", [("Politie", [1, 2, 3]), ("Douane", [])]),
                ("municipal_team", "Gemeentelijk team", []),
                ("partnership", "Samenwerkingsverband", [("RIEC Oost-Nederland", [1])]),
            ],
            [(1, "1. Ondermijning"), (2, "2. Onrust"), (3, "3. Zorg en veiligheid")],
            priorities_title="Prioriteiten",
        )

    def test_drawing_has_a_line_per_partner_and_priority(self):
        drawing = self.drawing()
        self.assertEqual(len(drawing.links), 4)
        self.assertEqual([b.key for b in drawing.priorities], [1, 2, 3])
        self.assertEqual(
            [h.lines[0] for h in drawing.headings], ["Bestuurlijk", "Samenwerkingsverband"]
        )

    def test_partners_stack_downwards_and_boxes_stay_inside_the_drawing(self):
        drawing = self.drawing()
        ys = [p.dot_y for p in drawing.partners]
        self.assertEqual(ys, sorted(ys))
        for box in drawing.priorities:
            self.assertLessEqual(box.y + box.height, drawing.height)
        self.assertLessEqual(max(ys), drawing.height)

    def test_long_names_wrap_onto_more_lines(self):
        drawing = ketenkaart_drawing(
            [
                (
                    "municipal_team",
                    "Gemeentelijk team",
                    [("Publieke dienstverlening: Telefoon en Informatie, Burgerzaken", [1])],
                )
            ],  # fmt: skip
            [(1, "1. Ondermijning en gedigitaliseerde criminaliteit")],
            priorities_title="Prioriteiten",
        )
        self.assertEqual(len(drawing.partners[0].label.lines), 2)
        self.assertEqual(len(drawing.priorities[0].label.lines), 2)
