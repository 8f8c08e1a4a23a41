from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from noaber.jobs.recovery import Heart


class Command(DatabaseWorkerCommand):
    help = (
        "Run background tasks (django-tasks-db's db_worker) with a heartbeat, so that a task "
        "of a worker that dies is run again or marked failed (noaber/jobs/recovery.py)."
    )

    def handle(self, *args, **options):
        heart = Heart(options["worker_id"]).start()
        try:
            return super().handle(*args, **options)
        finally:
            heart.stop()
