from django.core import mail
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from noaber.accounts import actions
from noaber.accounts.models import Role
from noaber.accounts.tasks import check_failed_login_peak, notify_privileged_change
from noaber.accounts.tests.base import NoaberTestCase, make_user


class AlertTests(NoaberTestCase):
    def setUp(self):
        self.privacy.email = "fg@dinkelland.example"
        self.privacy.save(update_fields=["email"])

    def test_granting_a_privileged_role_queues_an_alert_for_the_privacy_officer(self):
        user = make_user("nieuwe.beheerder", {})
        with self.captureOnCommitCallbacks(execute=True):
            membership = actions.grant_role(user, self.dinkelland, Role.ADMIN)
        queued = DBTaskResult.objects.filter(task_path=notify_privileged_change.module_path)
        # Queued in the grant's own transaction (the fixtures' grants queued theirs too).
        self.assertEqual([t.args_kwargs["args"] for t in queued.order_by("-enqueued_at")][0],
                         [membership.pk])  # fmt: skip
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(notify_privileged_change.call(membership.pk), 1)
        self.assertEqual(mail.outbox[0].to, ["fg@dinkelland.example"])
        self.assertIn("nieuwe.beheerder", mail.outbox[0].body)
        self.assertIn("Functioneel beheerder", mail.outbox[0].body)

    def test_an_ordinary_role_raises_no_alert(self):
        user = make_user("gewone.medewerker", {})
        queued = DBTaskResult.objects.filter(task_path=notify_privileged_change.module_path)
        before = queued.count()
        with self.captureOnCommitCallbacks(execute=True):
            actions.grant_role(user, self.dinkelland, Role.EMPLOYEE)
        self.assertEqual(queued.count(), before)

    @override_settings(NOABER_FAILED_LOGIN_ALERT=3)
    def test_a_peak_in_failed_logins_mails_privacy_and_admins(self):
        self.assertEqual(check_failed_login_peak.call(), 0)
        for i in range(3):
            self.client.post("/inloggen/", {"username": f"x{i}", "password": "wrong-pw-123"})
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(check_failed_login_peak.call(), 1)
        self.assertIn("3 inlogpogingen", mail.outbox[0].body)
        self.assertIn("fg@dinkelland.example", mail.outbox[0].to)
