"""E-mail notices are sent once per key: a task that runs twice mails once, a mail server
that refuses leaves the notice for a later attempt, and two deliverers never both send."""

import threading
from datetime import timedelta
from unittest import skipUnless

from django.core import mail
from django.db import connection, connections, transaction
from django.test import TransactionTestCase, override_settings
from django.utils import timezone

from noaber.accounts.tests.base import NoaberTestCase
from noaber.audit.triggers import triggers_removed
from noaber.intake.tasks import notify_new_report
from noaber.jobs import outbox
from noaber.jobs.models import OutboxMail
from noaber.jobs.tasks import deliver_pending_mail

# A real SMTP client against a port nobody listens on: the connection is refused.
REFUSING_SMTP = {
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_HOST": "127.0.0.1",
    "EMAIL_PORT": 9,
    "EMAIL_TIMEOUT": 2,
}


class OutboxTests(NoaberTestCase):
    def notice(self, key="test:1", to=("a@example.nl",)):
        with self.captureOnCommitCallbacks(execute=True):
            return outbox.send_notice(key, "Onderwerp", "Tekst", list(to))

    def test_a_key_is_mailed_once_with_a_stable_message_id(self):
        self.assertEqual(self.notice(), 1)
        self.assertEqual(self.notice(), 0)
        self.assertEqual(len(mail.outbox), 1)
        row = OutboxMail.objects.get(key="test:1")
        self.assertIsNotNone(row.sent_at)
        self.assertEqual(row.attempts, 1)
        self.assertEqual(mail.outbox[0].extra_headers["Message-ID"], outbox.message_id(row))
        self.assertEqual(outbox.deliver(row.pk), False)  # sent is sent
        self.assertEqual(len(mail.outbox), 1)

    def test_nobody_to_tell_makes_no_notice(self):
        self.assertEqual(self.notice(to=("",)), 0)
        self.assertFalse(OutboxMail.objects.exists())

    def test_a_notice_of_a_rolled_back_transaction_is_neither_kept_nor_sent(self):
        with self.captureOnCommitCallbacks(execute=True):
            try:
                with transaction.atomic():
                    outbox.send_notice("test:rollback", "Onderwerp", "Tekst", ["a@example.nl"])
                    raise RuntimeError("the change failed")
            except RuntimeError:
                pass
        self.assertFalse(OutboxMail.objects.exists())
        self.assertEqual(mail.outbox, [])

    def test_the_new_report_notice_is_sent_once_though_the_task_runs_twice(self):
        from noaber.intake.actions import submit_report
        from noaber.intake.models import Category, Channel

        advisor = self.advisor
        advisor.email = "anouk@example.nl"
        advisor.save(update_fields=["email"])
        category = Category.objects.get(code="overlast-jeugd")
        data = {"category": category, "description": "Licht in de schuur."}
        report = submit_report(self.dinkelland, data, channel=Channel.WEB).report
        for _ in range(2):  # e.g. run again after its worker was killed
            with self.captureOnCommitCallbacks(execute=True):
                notify_new_report.call(report.pk)
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(OutboxMail.objects.get().key, f"new-report:{report.pk}")

    def test_a_reporters_message_is_a_notice_of_its_own(self):
        from django_tasks_db.models import DBTaskResult

        from noaber.intake.actions import post_reporter_message, submit_report
        from noaber.intake.models import Category, Channel

        self.advisor.email = "anouk@example.nl"
        self.advisor.save(update_fields=["email"])
        data = {"category": Category.objects.get(code="overlast-jeugd"), "description": "Licht."}
        report = submit_report(self.dinkelland, data, channel=Channel.WEB).report
        message = post_reporter_message(report, "Vannacht weer busjes gezien.")
        queued = DBTaskResult.objects.filter(task_path=notify_new_report.module_path)
        self.assertEqual(queued.count(), 2)  # queued with the report and with the message
        for task in queued.order_by("enqueued_at"):
            for _ in range(2):  # each run twice: still one mail each
                with self.captureOnCommitCallbacks(execute=True):
                    notify_new_report.call(*task.args_kwargs["args"])
        self.assertEqual(len(mail.outbox), 2)
        self.assertEqual(
            set(OutboxMail.objects.values_list("key", flat=True)),
            {f"new-report:{report.pk}", f"report-message:{message.pk}"},
        )

    def test_the_back_off_is_capped_at_two_hours(self):
        with override_settings(**REFUSING_SMTP), self.assertLogs("noaber.jobs.outbox"):
            self.notice()
            row = OutboxMail.objects.get()
            OutboxMail.objects.filter(pk=row.pk).update(attempts=9)
            self.assertFalse(outbox.deliver(row.pk))
        row.refresh_from_db()
        self.assertEqual(row.attempts, 10)
        self.assertLessEqual(row.next_attempt_at, timezone.now() + timedelta(minutes=120))
        self.assertIsNone(row.failed_at)

    def test_a_refusing_mail_server_leaves_the_notice_for_a_later_attempt(self):
        with override_settings(**REFUSING_SMTP), self.assertLogs("noaber.jobs.outbox") as logs:
            self.assertEqual(self.notice(), 1)
        self.assertIn("not delivered yet: ConnectionRefusedError", logs.output[0])
        row = OutboxMail.objects.get()
        self.assertIsNone(row.sent_at)
        self.assertEqual((row.attempts, row.last_error), (1, "ConnectionRefusedError"))
        self.assertGreater(row.next_attempt_at, timezone.now())
        # Past the grace for its own process, but within the back-off: not yet.
        self.assertEqual(outbox.deliver_pending(timezone.now() + timedelta(seconds=60)), 0)
        later = timezone.now() + timedelta(minutes=3)
        self.assertEqual(outbox.deliver_pending(later), 1)  # the server is back (locmem)
        self.assertEqual(outbox.deliver_pending(later), 0)
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(OutboxMail.objects.get().attempts, 2)

    def test_a_notice_the_server_keeps_refusing_is_given_up_and_logged(self):
        with override_settings(**REFUSING_SMTP):
            with self.assertLogs("noaber.jobs.outbox", "WARNING"):
                self.notice()
            row = OutboxMail.objects.get()
            OutboxMail.objects.filter(pk=row.pk).update(attempts=outbox.MAX_ATTEMPTS - 1)
            with self.assertLogs("noaber.jobs.outbox", "ERROR") as logs:
                self.assertFalse(outbox.deliver(row.pk))
        row.refresh_from_db()
        self.assertIsNotNone(row.failed_at)
        self.assertNotIn("a@example.nl", "\n".join(logs.output))  # no address in the log
        self.assertEqual(outbox.deliver_pending(timezone.now() + timedelta(days=2)), 0)

    def test_the_periodic_sweep_delivers_what_a_crash_left_and_prunes_old_notices(self):
        # A crash right after commit: the row is there, its commit hook never ran.
        row = OutboxMail.objects.create(
            key="test:crash", subject="S", body="B", recipients=["a@x.nl"]
        )
        self.assertEqual(deliver_pending_mail.call(), 0)  # its own process may still be at it
        OutboxMail.objects.filter(pk=row.pk).update(
            created_at=timezone.now() - timedelta(minutes=1)
        )
        self.assertEqual(deliver_pending_mail.call(), 1)
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(outbox.prune_sent(timezone.now() + timedelta(days=29)), 0)
        self.assertEqual(outbox.prune_sent(timezone.now() + timedelta(days=31)), 1)


@skipUnless(connection.vendor == "postgresql", "SQLite has one writer at a time")
class ConcurrentDeliveryTests(TransactionTestCase):
    def _fixture_teardown(self):
        with triggers_removed():  # the flush would otherwise stop at the audit log
            super()._fixture_teardown()

    def test_two_deliverers_at_once_send_one_mail(self):
        for round_ in range(5):
            row = OutboxMail.objects.create(
                key=f"test:race:{round_}", subject="S", body="B", recipients=["a@x.nl"]
            )
            start, results = threading.Barrier(2), []

            def deliver(pk=row.pk, start=start, results=results):
                try:
                    start.wait(5)
                    results.append(outbox.deliver(pk))
                finally:
                    connections.close_all()

            threads = [threading.Thread(target=deliver) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(10)
            self.assertEqual(sorted(results), [False, True])
        self.assertEqual(len(mail.outbox), 5)
