from datetime import timedelta

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from noaber.accounts.tests.base import NoaberTestCase
from noaber.audit.models import Action, AuditEvent
from noaber.audit.tasks import verify_audit_chain
from noaber.jobs.schedule import REGISTRY, enqueue_due


class SchedulerTests(NoaberTestCase):
    def test_periodic_jobs_are_registered_from_the_apps(self):
        self.assertIn("noaber.audit.tasks.verify_audit_chain", REGISTRY)
        self.assertIn("noaber.jobs.tasks.prune_task_results", REGISTRY)

    def test_a_due_job_is_enqueued_once_per_interval(self):
        now = timezone.now()
        first = enqueue_due(now)
        self.assertIn("noaber.audit.tasks.verify_audit_chain", first)
        queued = DBTaskResult.objects.filter(task_path="noaber.audit.tasks.verify_audit_chain")
        self.assertEqual(queued.count(), 1)
        self.assertNotIn(
            "noaber.audit.tasks.verify_audit_chain", enqueue_due(now + timedelta(hours=1))
        )
        self.assertEqual(queued.count(), 1)
        self.assertIn(
            "noaber.audit.tasks.verify_audit_chain", enqueue_due(now + timedelta(hours=25))
        )
        self.assertEqual(queued.count(), 2)

    def test_the_audit_check_task_records_its_result(self):
        result = verify_audit_chain.call()
        self.assertTrue(result["ok"])
        last = AuditEvent.objects.order_by("-id")[0]
        self.assertEqual((last.action, last.origin), (Action.VERIFY, "worker"))
