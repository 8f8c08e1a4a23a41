from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import identify_hasher
from django.contrib.sessions.models import Session
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from noaber.accounts.actions import record_login_failure
from noaber.accounts.lockout import username_key
from noaber.accounts.tests.base import PASSWORD, NoaberTestCase, make_user, totp_now
from noaber.audit.models import Action, AuditEvent, Result

LOGIN = reverse("accounts:login")
CODE = reverse("accounts:login_code")
ENROL = reverse("accounts:enrol")


def failures_for(username):
    return AuditEvent.objects.filter(
        action=Action.LOGIN_FAILED, object_type="user", object_id=username
    )


class LoginTests(NoaberTestCase):
    def password_step(self, username, password=PASSWORD, municipality=""):
        return self.client.post(
            LOGIN, {"username": username, "password": password, "municipality": municipality}
        )

    def test_login_with_password_and_totp_code_starts_a_session(self):
        response = self.password_step("anouk")
        self.assertRedirects(response, CODE)
        response = self.client.post(CODE, {"token": totp_now(self.advisor)})
        self.assertRedirects(response, reverse("ui:dashboard", args=["GM1774"]))
        page = self.client.get(reverse("ui:dashboard", args=["GM1774"]))
        self.assertContains(page, "Overzicht Dinkelland")
        login = AuditEvent.objects.filter(action=Action.LOGIN, object_id="anouk").get()
        self.assertEqual(login.municipality, "GM1774")
        self.assertEqual(login.role, "advisor")
        self.assertEqual(login.origin, "127.0.0.1")

    def test_password_alone_gives_no_access_to_staff_pages(self):
        self.password_step("anouk")
        response = self.client.get(reverse("ui:dashboard", args=["GM1774"]))
        self.assertRedirects(response, f"{LOGIN}?next=/m/GM1774/", fetch_redirect_response=False)

    def test_chosen_municipality_becomes_the_active_one(self):
        self.password_step("anouk", municipality="GM0183")
        response = self.client.post(CODE, {"token": totp_now(self.advisor)})
        self.assertRedirects(response, reverse("ui:dashboard", args=["GM0183"]))

    def test_wrong_password_is_refused_counted_and_audited(self):
        response = self.password_step("anouk", "not-the-password")
        self.assertContains(response, "Gebruikersnaam of wachtwoord is onjuist.")
        self.assertNotIn("_auth_user_id", self.client.session)
        event = failures_for("anouk").get()
        self.assertEqual((event.result, event.reason), (Result.FAILURE, "bad_password"))

    def test_unknown_user_gets_the_same_message_as_a_wrong_password(self):
        response = self.password_step("nobody", "whatever-password")
        self.assertContains(response, "Gebruikersnaam of wachtwoord is onjuist.")
        self.assertEqual(failures_for(username_key("nobody")).count(), 1)

    def test_a_password_typed_into_the_name_field_is_not_stored_readably(self):
        self.password_step("Zomer-2026-geheim!", "whatever-password")
        self.password_step("Zomer-2026-geheim!", "whatever-password")
        texts = [ev.canonical().decode().lower() for ev in AuditEvent.objects.all()]
        self.assertFalse(any("zomer-2026-geheim" in text for text in texts))
        # Still counted under one stable key, so guessing under unknown names is throttled.
        self.assertEqual(failures_for(username_key("Zomer-2026-geheim!")).count(), 2)
        self.assertTrue(username_key("Zomer-2026-geheim!").startswith("onbekend-"))

    def test_wrong_totp_code_is_refused_and_audited(self):
        self.password_step("anouk")
        right = totp_now(self.advisor)
        wrong = f"{(int(right) + 1) % 1_000_000:06d}"
        response = self.client.post(CODE, {"token": wrong})
        self.assertContains(response, "Deze code is onjuist of verlopen.")
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertEqual(failures_for("anouk").get().reason, "bad_otp")

    def test_repeated_wrong_codes_lock_the_login(self):
        self.password_step("anouk")
        right = totp_now(self.advisor)
        wrong = f"{(int(right) + 1) % 1_000_000:06d}"
        for _ in range(settings.NOABER_LOGIN_MAX_FAILURES):
            self.client.post(CODE, {"token": wrong})
        response = self.client.post(CODE, {"token": right}, follow=True)
        self.assertContains(response, "Te veel mislukte inlogpogingen")
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertNotIn("login_pending", self.client.session)

    def test_malformed_totp_code_gets_a_clear_error(self):
        self.password_step("anouk")
        response = self.client.post(CODE, {"token": "12ab56"})
        self.assertContains(response, "De code bestaat uit zes cijfers.")
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_repeated_failures_lock_the_account_even_for_the_right_password(self):
        for _ in range(settings.NOABER_LOGIN_MAX_FAILURES):
            self.password_step("anouk", "wrong-password-here")
        response = self.password_step("anouk")
        self.assertContains(response, "Te veel mislukte inlogpogingen")
        self.assertNotIn("login_pending", self.client.session)
        locked = failures_for("anouk").filter(reason="locked").get()
        self.assertEqual(locked.result, Result.DENIED)
        # Another account is not affected by this one's lock.
        self.assertRedirects(self.password_step("mees"), CODE)

    def test_only_real_failures_count_towards_the_lock(self):
        # Refused attempts (during a lock) are audited but must not count, or they would
        # extend the lock forever; one real failure short of the limit still lets the user in.
        for _ in range(settings.NOABER_LOGIN_MAX_FAILURES - 1):
            self.password_step("anouk", "wrong-password-here")
        for _ in range(3):
            record_login_failure(None, "anouk", "locked", result=Result.DENIED)
        self.assertRedirects(self.password_step("anouk"), CODE)

    def test_a_role_withdrawn_between_password_and_code_ends_the_login(self):
        self.password_step("anouk")
        self.advisor.memberships.all().delete()
        response = self.client.post(CODE, {"token": totp_now(self.advisor)})
        self.assertRedirects(response, LOGIN)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_a_successful_login_resets_the_failure_count(self):
        for _ in range(settings.NOABER_LOGIN_MAX_FAILURES - 1):
            self.password_step("anouk", "wrong-password-here")
        self.password_step("anouk")
        self.client.post(CODE, {"token": totp_now(self.advisor)})
        self.client.post(reverse("accounts:logout"))
        response = self.password_step("anouk", "wrong-password-here")
        self.assertContains(response, "Gebruikersnaam of wachtwoord is onjuist.")
        self.assertRedirects(self.password_step("anouk"), CODE)

    @override_settings(NOABER_LOGIN_MAX_FAILURES=2)
    def test_many_failures_from_one_address_throttle_that_address(self):
        for i in range(20):
            self.password_step(f"guess{i}", "wrong-password-here")
        response = self.password_step("anouk")
        self.assertContains(response, "Te veel mislukte inlogpogingen")

    def test_login_for_a_municipality_the_user_does_not_serve_is_refused(self):
        response = self.password_step("tim", municipality="GM1774")
        self.assertContains(response, "U werkt niet voor de gemeente Dinkelland.")
        self.assertNotIn("login_pending", self.client.session)
        event = failures_for("tim").get()
        self.assertEqual((event.reason, event.municipality), ("municipality_not_served", "GM1774"))

    def test_account_without_any_role_cannot_log_in(self):
        make_user("zonder.rol", {})
        response = self.password_step("zonder.rol")
        self.assertContains(response, "Uw account heeft nog geen rol.")
        self.assertEqual(failures_for("zonder.rol").get().reason, "no_role")

    def test_first_login_requires_linking_an_authenticator_app(self):
        newcomer = make_user("nieuw", {self.dinkelland: ["advisor"]}, device=False)
        self.assertRedirects(self.password_step("nieuw"), ENROL)
        page = self.client.get(ENROL)
        self.assertContains(page, "<svg", html=False)
        self.assertContains(page, "Sleutel om over te typen")
        # Staff pages stay closed until the device is confirmed with a valid code.
        self.assertEqual(self.client.get(reverse("ui:dashboard", args=["GM1774"])).status_code, 302)
        device = TOTPDevice.objects.get(user=newcomer, confirmed=False)
        from noaber.accounts.demo import current_code

        response = self.client.post(ENROL, {"token": f"{current_code(device):06d}"})
        self.assertRedirects(response, reverse("ui:dashboard", args=["GM1774"]))
        device.refresh_from_db()
        self.assertTrue(device.confirmed)

    def test_wrong_code_during_enrolment_keeps_the_device_unconfirmed(self):
        make_user("nieuw", {self.dinkelland: ["advisor"]}, device=False)
        self.password_step("nieuw")
        self.client.get(ENROL)
        response = self.client.post(ENROL, {"token": "000000"})
        self.assertContains(response, "Deze code klopt niet.")
        self.assertFalse(TOTPDevice.objects.filter(user__username="nieuw", confirmed=True).exists())

    def test_code_step_without_password_step_sends_back_to_login(self):
        self.assertRedirects(self.client.get(CODE), LOGIN)
        self.assertRedirects(self.client.get(ENROL), LOGIN)

    def test_open_redirect_via_next_is_ignored(self):
        self.client.post(
            LOGIN, {"username": "anouk", "password": PASSWORD, "next": "https://evil.example/"}
        )
        response = self.client.post(CODE, {"token": totp_now(self.advisor)})
        self.assertRedirects(response, reverse("ui:dashboard", args=["GM1774"]))

    def test_session_expires_after_30_minutes_idle(self):
        self.password_step("anouk")
        self.client.post(CODE, {"token": totp_now(self.advisor)})
        dashboard = reverse("ui:dashboard", args=["GM1774"])
        key = self.client.session.session_key
        before = Session.objects.get(session_key=key).expire_date
        self.assertAlmostEqual((before - timezone.now()).total_seconds(), 30 * 60, delta=5)
        # Each request renews the idle timer ...
        Session.objects.filter(session_key=key).update(
            expire_date=timezone.now() + timedelta(minutes=1)
        )
        self.assertEqual(self.client.get(dashboard).status_code, 200)
        renewed = Session.objects.get(session_key=key).expire_date
        self.assertGreater(renewed, timezone.now() + timedelta(minutes=29))
        # ... and after 30 idle minutes the session is gone.
        Session.objects.filter(session_key=key).update(
            expire_date=timezone.now() - timedelta(seconds=1)
        )
        self.assertRedirects(
            self.client.get(dashboard), f"{LOGIN}?next={dashboard}", fetch_redirect_response=False
        )

    def test_passwords_are_hashed_with_argon2(self):
        self.assertEqual(identify_hasher(self.advisor.password).algorithm, "argon2")

    def test_logout_ends_the_session_and_is_audited(self):
        self.sign_in(self.advisor)
        self.client.post(reverse("accounts:logout"))
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertTrue(AuditEvent.objects.filter(action=Action.LOGOUT, actor="anouk").exists())

    def test_no_password_or_code_ever_enters_the_audit_log(self):
        self.password_step("anouk", "Geheim-wachtwoord-123")
        self.password_step("anouk")
        code = totp_now(self.advisor)
        self.client.post(CODE, {"token": "999999" if code != "999999" else "111111"})
        self.client.post(CODE, {"token": code})
        texts = [ev.canonical().decode() for ev in AuditEvent.objects.all()]
        for secret in ("Geheim-wachtwoord-123", PASSWORD, code):
            self.assertFalse(any(secret in text for text in texts), secret)


class PasswordChangeTests(NoaberTestCase):
    def test_password_rules_are_enforced(self):
        self.sign_in(self.advisor)
        url = reverse("accounts:password_change")
        response = self.client.post(
            url, {"old_password": PASSWORD, "new_password1": "12345", "new_password2": "12345"}
        )
        self.assertContains(response, "Dit wachtwoord is te kort: gebruik minstens 12 tekens.")
        self.advisor.refresh_from_db()
        self.assertTrue(self.advisor.check_password(PASSWORD))

    def test_a_good_new_password_is_saved_and_audited(self):
        self.sign_in(self.advisor)
        new = "Nieuw-en-lang-wachtwoord-2026"
        response = self.client.post(
            reverse("accounts:password_change"),
            {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        )
        self.assertRedirects(response, reverse("accounts:account"))
        self.advisor.refresh_from_db()
        self.assertTrue(self.advisor.check_password(new))
        event = AuditEvent.objects.get(reason="password_changed")
        self.assertNotIn(new, event.canonical().decode())
