from django.db import models


class ScheduleState(models.Model):
    """When a periodic job was last put on the queue and when it is due again."""

    name = models.CharField(max_length=200, unique=True)
    last_enqueued_at = models.DateTimeField(null=True, blank=True)
    next_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return self.name
