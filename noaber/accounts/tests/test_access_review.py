import csv
import io
from datetime import timedelta

from django.urls import reverse
from django.utils import dateformat, timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from noaber.accounts import actions as account_actions
from noaber.accounts.models import Organisation, Role
from noaber.accounts.partner_keys import create_partner_token, revoke_partner_token
from noaber.accounts.review import Flag, build_review
from noaber.accounts.tests.base import NoaberTestCase, make_user
from noaber.audit.actions import record
from noaber.audit.models import Action, AuditEvent

DINKELLAND_ACCOUNTS = {"anouk", "mees", "hanna", "piet", "priya", "bram", "bea", "aart"}


class AccessReviewTests(NoaberTestCase):
    def url(self, municipality=None, **query):
        municipality = municipality or self.dinkelland
        url = reverse("access_review:report", args=[municipality.cbs_code])
        if query:
            url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
        return url

    def open_report(self, **query):
        self.sign_in(self.privacy)
        response = self.client.get(self.url(**query))
        self.assertEqual(response.status_code, 200)
        return response

    def row_of(self, response, user) -> str:
        """The HTML of one account's table row."""
        html = response.content.decode()
        start = html.index(f'id="account-{user.pk}"')
        return html[start : html.index("</tr>", start)]

    def account(self, review, user):
        return next(row for row in review.accounts if row.user_id == user.pk)

    def csv_rows(self, response) -> list[list[str]]:
        text = response.content.decode("utf-8")
        self.assertTrue(text.startswith("\ufeff"), "Excel needs the byte order mark")
        return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))

    # --- Who sees it ---------------------------------------------------------------------

    def test_privacy_officer_sees_every_account_of_the_municipality_and_no_other(self):
        response = self.open_report()
        review = response.context["review"]
        self.assertEqual({row.username for row in review.accounts}, DINKELLAND_ACCOUNTS)
        self.assertContains(response, "Toegangsreview Dinkelland")
        self.assertContains(response, "Peildatum")
        self.assertNotContains(response, f'id="account-{self.advisor_tubbergen.pk}"')

    def test_advisor_may_not_open_the_access_review(self):
        self.sign_in(self.advisor)
        self.assertEqual(self.client.get(self.url()).status_code, 403)

    def test_privacy_officer_of_one_municipality_gets_not_found_in_another(self):
        self.sign_in(self.privacy)
        self.assertEqual(self.client.get(self.url(self.tubbergen)).status_code, 404)

    # --- What it shows -------------------------------------------------------------------

    def test_admin_privacy_officer_and_archivist_are_marked_privileged_and_listed_first(self):
        response = self.open_report()
        review = response.context["review"]
        self.assertEqual([row.username for row in review.accounts[:3]], ["aart", "bea", "priya"])
        self.assertTrue(all(row.privileged for row in review.accounts[:3]))
        self.assertFalse(any(row.privileged for row in review.accounts[3:]))
        self.assertEqual(review.privileged_count, 3)
        self.assertIn("Geprivilegieerd", self.row_of(response, self.admin))
        self.assertIn("Geprivilegieerd", self.row_of(response, self.privacy))
        self.assertNotIn("Geprivilegieerd", self.row_of(response, self.advisor))
        self.assertIn(Flag.PRIVILEGED, self.account(review, self.admin).flags)

    def test_last_use_is_the_newest_audit_event_of_the_account_in_any_municipality(self):
        record(Action.VIEW, actor=self.advisor, municipality=self.dinkelland, object_type="x")
        newest = record(
            Action.VIEW, actor=self.advisor, municipality=self.tubbergen, object_type="x"
        )
        response = self.open_report()
        row = self.account(response.context["review"], self.advisor)
        self.assertEqual(row.last_use, newest.created_at)
        shown = dateformat.format(timezone.localtime(newest.created_at), "j-n-Y H:i")
        self.assertIn(shown, self.row_of(response, self.advisor))
        self.assertNotIn(Flag.NEVER_USED, row.flags)

    def test_account_never_used_shows_never_and_is_flagged(self):
        response = self.open_report()
        row = self.account(response.context["review"], self.employee)
        self.assertIsNone(row.last_use)
        self.assertIn(Flag.NEVER_USED, row.flags)
        self.assertIn("nooit", self.row_of(response, self.employee))
        self.assertIn("nooit gebruikt", self.row_of(response, self.employee))

    def test_account_without_use_for_ninety_days_is_flagged(self):
        record(Action.VIEW, actor=self.enforcer, municipality=self.dinkelland, object_type="x")
        today = timezone.localdate()
        self.assertNotIn(
            Flag.UNUSED, self.account(build_review(self.dinkelland, today), self.enforcer).flags
        )
        later = build_review(self.dinkelland, today + timedelta(days=91))
        self.assertIn(Flag.UNUSED, self.account(later, self.enforcer).flags)
        self.assertGreaterEqual(later.unused_count, 1)

    def test_account_without_a_confirmed_second_factor_is_flagged(self):
        nina = make_user("nina", {self.dinkelland: [Role.EMPLOYEE]}, device=False)
        TOTPDevice.objects.create(user=nina, name="half", confirmed=False)
        response = self.open_report()
        review = response.context["review"]
        self.assertFalse(self.account(review, nina).mfa)
        self.assertIn(Flag.NO_MFA, self.account(review, nina).flags)
        self.assertTrue(self.account(review, self.employee).mfa)
        self.assertEqual(review.no_mfa_count, 1)
        self.assertIn("geen MFA", self.row_of(response, nina))

    def test_account_with_roles_in_several_municipalities_is_noted(self):
        response = self.open_report()
        row = self.account(response.context["review"], self.advisor)
        self.assertEqual(row.elsewhere, ["Tubbergen"])
        self.assertIn(Flag.SEVERAL, row.flags)
        self.assertIn("Ook rollen in: Tubbergen", self.row_of(response, self.advisor))

    def test_blocked_account_that_still_holds_roles_is_flagged(self):
        self.management.is_active = False
        self.management.save(update_fields=["is_active"])
        row = self.account(build_review(self.dinkelland), self.management)
        self.assertIn(Flag.INACTIVE, row.flags)

    def test_partner_api_key_is_listed_by_prefix_and_never_with_its_secret(self):
        politie = Organisation.objects.get(name="Politie")
        token, plain = create_partner_token(
            politie, [self.dinkelland], "Koppeling BVH", actor=self.admin
        )
        other, _ = create_partner_token(politie, [self.tubbergen], "Alleen Tubbergen", actor=None)
        response = self.open_report()
        keys = response.context["review"].keys
        self.assertEqual([key.prefix for key in keys], [token.prefix])
        self.assertIn(Flag.NEVER_USED, keys[0].flags)
        self.assertContains(response, f"nbr_{token.prefix}_…")
        self.assertContains(response, "Koppeling BVH")
        self.assertNotContains(response, "Alleen Tubbergen")
        export = self.client.get(self.url(format="csv"))
        for body in (response.content.decode(), export.content.decode("utf-8")):
            self.assertNotIn(plain, body)
            # The secret part (after nbr_<prefix>_; it may itself contain "_").
            self.assertNotIn(plain.split("_", 2)[2], body)
            self.assertNotIn(token.digest, body)

    def test_revoked_key_is_shown_as_revoked_and_not_flagged_unused(self):
        politie = Organisation.objects.get(name="Politie")
        token, _ = create_partner_token(politie, [self.dinkelland], "Oud", actor=self.admin)
        revoke_partner_token(token, actor=self.admin)
        key = build_review(self.dinkelland).keys[0]
        self.assertIsNotNone(key.revoked_at)
        self.assertEqual(key.flags, [])
        self.assertContains(self.open_report(), "ingetrokken op")

    # --- CSV -----------------------------------------------------------------------------

    def test_csv_export_has_a_header_row_and_one_row_per_account(self):
        response = self.open_report(format="csv")
        self.assertTrue(response["Content-Type"].startswith("text/csv"))
        self.assertIn("attachment;", response["Content-Disposition"])
        self.assertIn("toegangsreview-GM1774-", response["Content-Disposition"])
        header, *rows = self.csv_rows(response)
        self.assertEqual(header[:3], ["Soort", "Gebruikersnaam of sleutel", "Naam"])
        self.assertEqual(len(rows), len(DINKELLAND_ACCOUNTS))
        self.assertEqual({row[1] for row in rows}, DINKELLAND_ACCOUNTS)
        self.assertTrue(all(len(row) == len(header) for row in rows))
        self.assertEqual([row[1] for row in rows[:3]], ["aart", "bea", "priya"])
        self.assertEqual(rows[0][header.index("Geprivilegieerd")], "ja")

    def test_csv_export_lists_partner_keys_after_the_accounts(self):
        politie = Organisation.objects.get(name="Politie")
        token, _ = create_partner_token(politie, [self.dinkelland], "Koppeling", actor=None)
        header, *rows = self.csv_rows(self.open_report(format="csv"))
        self.assertEqual(len(rows), len(DINKELLAND_ACCOUNTS) + 1)
        self.assertEqual(rows[-1][:2], ["API-sleutel", f"nbr_{token.prefix}_…"])

    def test_csv_export_contains_no_password_hashes(self):
        body = self.open_report(format="csv").content.decode("utf-8")
        self.assertNotIn(self.admin.password, body)
        self.assertNotIn("pbkdf2", body)
        self.assertNotIn("argon2", body)

    def test_csv_cells_that_look_like_formulas_are_kept_as_text(self):
        sneaky = account_actions.create_user("sneaky", first_name="=HYPERLINK(1)")
        account_actions.grant_role(sneaky, self.dinkelland, Role.EMPLOYEE)
        header, *rows = self.csv_rows(self.open_report(format="csv"))
        row = next(row for row in rows if row[1] == "sneaky")
        self.assertEqual(row[2], "'=HYPERLINK(1)")

    # --- Audit and cost ------------------------------------------------------------------

    def test_reading_the_report_is_audited(self):
        self.open_report()
        event = AuditEvent.objects.filter(object_type="access_review").get()
        self.assertEqual(event.action, Action.VIEW)
        self.assertEqual(event.actor_id, self.privacy.pk)
        self.assertEqual(event.municipality, "GM1774")
        self.assertEqual(event.object_id, "GM1774")
        self.assertEqual(event.detail["format"], "html")
        self.assertEqual(event.detail["accounts"], len(DINKELLAND_ACCOUNTS))

    def test_downloading_the_csv_is_audited_as_an_export(self):
        self.open_report(format="csv")
        event = AuditEvent.objects.filter(object_type="access_review").get()
        self.assertEqual(event.action, Action.EXPORT)
        self.assertEqual(event.detail["format"], "csv")

    def test_building_the_review_takes_the_same_queries_for_more_accounts(self):
        # memberships, other municipalities, MFA devices, last activity, provider identities,
        # local logins, partner keys
        with self.assertNumQueries(7) as few:
            build_review(self.dinkelland)
        for n in range(5):
            user = make_user(f"extra{n}", {self.dinkelland: [Role.EMPLOYEE, Role.ADVISOR]})
            record(Action.VIEW, actor=user, municipality=self.dinkelland, object_type="x")
        with self.assertNumQueries(len(few.captured_queries)):
            build_review(self.dinkelland)
