from django.db import models


class ScheduleState(models.Model):
    """When a periodic job was last put on the queue and when it is due again."""

    name = models.CharField(max_length=200, unique=True)
    last_enqueued_at = models.DateTimeField(null=True, blank=True)
    next_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return self.name


class OutboxMail(models.Model):
    """An e-mail notice to send once: the task that decides to mail writes a row under a key
    that names the occasion (e.g. `new-report:42`); a second row with that key is never made,
    and the row is marked sent in the transaction that sends it (jobs/outbox.py)."""

    key = models.CharField(max_length=200, unique=True)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    from_email = models.CharField(max_length=254, blank=True)
    recipients = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="jobs_outbox_pending",
                condition=models.Q(sent_at__isnull=True, failed_at__isnull=True),
            )
        ]

    def __str__(self):
        return self.key


class WorkerBeat(models.Model):
    """A running task worker (`manage.py run_worker`) and when it last said it is alive; a task
    it claimed is recovered when it stops beating (jobs/recovery.py)."""

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField()

    def __str__(self):
        return self.worker_id


class SchedulerBeat(models.Model):
    """A running scheduler (`manage.py run_scheduler`) and when it last made a pass: /ready
    reports a scheduler that stopped (and with it every periodic job)."""

    scheduler_id = models.CharField(max_length=300, unique=True)
    seen_at = models.DateTimeField()

    def __str__(self):
        return self.scheduler_id
