"""One chain per municipality on PostgreSQL, with real concurrent transactions: writers take
no lock, so an open business transaction in one municipality holds up nobody, and an event
that commits late is chained after the ones that committed before it."""

import threading
from unittest import skipUnless

from django.db import connection, connections, transaction
from django.test import TransactionTestCase

from noaber.accounts.reference import load_municipalities
from noaber.audit.actions import record
from noaber.audit.chain import verify_log
from noaber.audit.chains import drain
from noaber.audit.models import AuditEvent, AuditPending, AuditSeal
from noaber.audit.triggers import triggers_removed


@skipUnless(connection.vendor == "postgresql", "SQLite has one writer at a time")
class ConcurrentWriterTests(TransactionTestCase):
    def _fixture_teardown(self):
        with triggers_removed():
            super()._fixture_teardown()

    def setUp(self):
        load_municipalities()

    def test_an_open_transaction_in_one_municipality_holds_up_nobody(self):
        written, release, failures = threading.Event(), threading.Event(), []

        def slow_dinkelland_transaction():
            try:
                with transaction.atomic():
                    record("update", municipality="GM1774", origin="system", object_id="slow")
                    written.set()
                    release.wait(30)
            except Exception as error:  # noqa: BLE001 - reported by the test below
                failures.append(error)
            finally:
                connections.close_all()

        slow = threading.Thread(target=slow_dinkelland_transaction)
        slow.start()
        self.assertTrue(written.wait(30))
        try:
            # Anything that had to wait for the open transaction would hit this timeout.
            with connection.cursor() as cursor:
                cursor.execute("SET statement_timeout = '5s'")
            tubbergen = record("update", municipality="GM0183", origin="system", object_id="t")
            fast = record("update", municipality="GM1774", origin="system", object_id="fast")
            self.assertTrue(drain())  # sealed while the slow transaction is still open
            self.assertEqual(AuditPending.objects.filter(chain="GM1774").count(), 0)
        finally:
            release.set()
            slow.join(30)
        self.assertEqual(failures, [])
        # Committed, and sealed by the sealer right after commit, each in its own chain.
        self.assertTrue(drain())
        self.assertFalse(AuditPending.objects.exists())
        slow_event = AuditEvent.objects.get(object_id="slow")
        self.assertLess(slow_event.pk, fast.pk)  # it took its id first, and committed last
        chain = [i for s in AuditSeal.objects.filter(chain="GM1774").order_by("number")
                 for i in s.event_ids]  # fmt: skip
        self.assertEqual(chain, [fast.pk, slow_event.pk])
        self.assertEqual(AuditSeal.objects.get(chain="GM0183").event_ids, [tubbergen.pk])
        report = verify_log()
        self.assertTrue(report.ok, report.problem)
        checked = {r.chain: r.checked for r in report.chains}
        self.assertEqual((checked["GM1774"], checked["GM0183"]), (2, 1))

    def test_a_walk_while_the_sealer_works_raises_no_false_alarm(self):
        """Seals, events and queue are read in one snapshot: an event sealed while the walk
        runs must not look removed, nor one committed meanwhile look lost."""
        from noaber.audit.chains import seal

        done, failures = threading.Event(), []

        def busy_municipality():
            try:
                for n in range(150):
                    record("view", municipality="GM1774", origin="system", object_id=n)
                    if n % 3 == 0:
                        seal("GM1774")
            except Exception as error:  # noqa: BLE001 - reported by the test below
                failures.append(error)
            finally:
                done.set()
                connections.close_all()

        writer = threading.Thread(target=busy_municipality)
        writer.start()
        walks = 0
        while not done.is_set() or walks < 3:
            report = verify_log()
            self.assertTrue(report.ok, f"{report.chain} #{report.broken_seq}: {report.problem}")
            walks += 1
        writer.join(30)
        self.assertEqual(failures, [])
        self.assertTrue(drain())


@skipUnless(connection.vendor == "postgresql", "walker processes are PostgreSQL's")
class WalkerProcessTests(TransactionTestCase):
    """verify_audit --jobs: forked walkers, each with its own connection, import the parent's
    snapshot and walk a range of ids each; together they find what one walk finds."""

    def _fixture_teardown(self):
        with triggers_removed():
            super()._fixture_teardown()

    def setUp(self):
        load_municipalities()

    def test_two_walkers_agree_with_one_and_find_a_change(self):
        for n in range(60):
            record("view", municipality=("GM1774", "GM0183")[n % 2], origin="system",
                   object_id=str(n))  # fmt: skip
            if n % 25 == 0:
                self.assertTrue(drain())
        self.assertTrue(drain())
        one, two = verify_log(), verify_log(jobs=2)
        self.assertTrue(one.ok and two.ok, (one.problem, two.problem))
        self.assertEqual((two.checked, two.head_hash), (one.checked, one.head_hash))
        target = AuditEvent.objects.filter(municipality="GM0183").order_by("-id")[3]
        with triggers_removed(), connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditevent SET origin = 'x' WHERE id = %s", [target.pk])
        one, two = verify_log(), verify_log(jobs=2)
        self.assertEqual((one.chain, one.broken_seq, one.problem),
                         (two.chain, two.broken_seq, two.problem))  # fmt: skip
        self.assertIn(f"(id {target.pk}) was changed after writing", two.problem)
