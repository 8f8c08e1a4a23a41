from django.urls import reverse

from noaber.accounts.tests.base import NoaberTestCase
from noaber.audit.models import AuditEvent
from noaber.themes.models import Priority, Theme, themes_for


class ThemeDataTests(NoaberTestCase):
    def test_the_vng_themes_and_ivp_priorities_are_loaded(self):
        codes = [t.code for t in themes_for(self.dinkelland)]
        self.assertEqual(len(codes), 22)
        self.assertEqual(codes[0], "1.1")
        self.assertEqual(codes[-1], "5.5")
        self.assertEqual(
            list(self.dinkelland.priorities.values_list("name", flat=True)),
            [
                "Ondermijning en gedigitaliseerde criminaliteit",
                "Maatschappelijke onrust en migratie",
                "Zorg en veiligheid",
            ],
        )
        ondermijning = self.dinkelland.priorities.get(order=1)
        self.assertIn("5.2", [t.code for t in ondermijning.themes.all()])


class ThemeEditingTests(NoaberTestCase):
    def edit_url(self, theme, municipality="GM1774"):
        return reverse("themes:edit", args=[municipality, theme.pk])

    def test_admin_changes_a_theme_for_one_municipality_only(self):
        shared = Theme.objects.get(code="2.5", municipality=None)
        self.sign_in(self.admin)
        response = self.client.post(
            self.edit_url(shared),
            {"name": "Veilig toerisme en recreatie", "description": "Campings", "active": "on"},
        )
        self.assertRedirects(response, reverse("themes:list", args=["GM1774"]))
        local = {t.code: t for t in themes_for(self.dinkelland)}["2.5"]
        self.assertEqual(
            (local.name, local.municipality), ("Veilig toerisme en recreatie", self.dinkelland)
        )
        self.assertEqual(
            {t.code: t for t in themes_for(self.tubbergen)}["2.5"].name, "Veilig toerisme"
        )
        shared.refresh_from_db()
        self.assertEqual(shared.name, "Veilig toerisme")
        event = AuditEvent.objects.order_by("-id")[0]
        self.assertEqual((event.action, event.object_type, event.actor), ("create", "theme", "bea"))

    def test_a_theme_switched_off_disappears_from_the_municipality(self):
        self.sign_in(self.admin)
        self.client.post(
            self.edit_url(Theme.objects.get(code="2.1", municipality=None)),
            {"name": "Veilig winkelgebied", "description": ""},
        )
        self.assertNotIn("2.1", [t.code for t in themes_for(self.dinkelland)])
        self.assertIn("2.1", [t.code for t in themes_for(self.tubbergen)])

    def test_empty_name_gets_a_clear_error_and_changes_nothing(self):
        shared = Theme.objects.get(code="1.1", municipality=None)
        self.sign_in(self.admin)
        before = AuditEvent.objects.count()
        response = self.client.post(self.edit_url(shared), {"name": "", "active": "on"})
        self.assertContains(response, "Dit veld is vereist.")
        self.assertContains(response, "Er is iets niet in orde")
        self.assertEqual(Theme.objects.filter(code="1.1").count(), 1)
        self.assertEqual(AuditEvent.objects.count(), before)

    def test_a_theme_of_another_municipality_cannot_be_opened(self):
        tubbergen_theme = Theme.objects.create(
            code="9.1",
            name="Alleen Tubbergen",
            domain_id=Theme.objects.first().domain_id,
            municipality=self.tubbergen,
        )
        self.sign_in(self.admin)
        self.assertEqual(self.client.get(self.edit_url(tubbergen_theme)).status_code, 404)

    def test_advisor_may_read_but_not_edit(self):
        self.sign_in(self.advisor)
        self.assertContains(self.client.get(reverse("themes:list", args=["GM1774"])), "5.2")
        shared = Theme.objects.get(code="1.1", municipality=None)
        response = self.client.post(self.edit_url(shared), {"name": "Hacked", "active": "on"})
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Theme.objects.filter(name="Hacked").exists())

    def test_admin_links_themes_to_a_priority(self):
        priority = self.dinkelland.priorities.get(order=3)
        self.sign_in(self.admin)
        themes = Theme.objects.filter(code__in=["3.1", "3.4"], municipality=None)
        response = self.client.post(
            reverse("themes:priority_edit", args=["GM1774", priority.pk]),
            {"name": priority.name, "description": "Jeugd", "themes": [t.pk for t in themes]},
        )
        self.assertRedirects(response, reverse("themes:list", args=["GM1774"]))
        self.assertEqual(
            sorted(t.code for t in Priority.objects.get(pk=priority.pk).themes.all()),
            ["3.1", "3.4"],
        )

    def test_priority_of_another_municipality_is_not_found(self):
        other = self.tubbergen.priorities.first()
        self.sign_in(self.admin)
        url = reverse("themes:priority_edit", args=["GM1774", other.pk])
        self.assertEqual(self.client.get(url).status_code, 404)
