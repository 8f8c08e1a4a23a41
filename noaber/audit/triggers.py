"""Database triggers that make the audit tables append-only (and queue each new event for
its seal), for SQLite and PostgreSQL. A migration that alters the events table on SQLite (a
table copy, which drops its triggers) must take all of them away first and put them back.

Used by the migration that installs them and by tests that must simulate tampering
"behind the application's back" (which needs the triggers briefly out of the way).
"""

from contextlib import contextmanager

from django.db import connection

TABLE = "audit_auditevent"
SEAL_TABLE = "audit_auditseal"
MESSAGE = "audit log is append-only"

SQL = {
    "sqlite": {
        "create": [
            f"CREATE TRIGGER audit_no_update BEFORE UPDATE ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
            f"CREATE TRIGGER audit_no_delete BEFORE DELETE ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
        ],
        "drop": [
            "DROP TRIGGER IF EXISTS audit_no_update;",
            "DROP TRIGGER IF EXISTS audit_no_delete;",
        ],
    },
    "postgresql": {
        "create": [
            "CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$ LANGUAGE plpgsql;",
            f"CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();",
            f"CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON {TABLE} "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();",
        ],
        "drop": [
            f"DROP TRIGGER IF EXISTS audit_no_change ON {TABLE};",
            f"DROP TRIGGER IF EXISTS audit_no_truncate ON {TABLE};",
            "DROP FUNCTION IF EXISTS audit_refuse_change();",
        ],
    },
}


# The same for the seals (migration 0004); the function audit_refuse_change is shared and
# stays as long as the events' triggers use it.
SEAL_SQL = {
    "sqlite": {
        "create": [
            f"CREATE TRIGGER audit_seal_no_update BEFORE UPDATE ON {SEAL_TABLE} "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
            f"CREATE TRIGGER audit_seal_no_delete BEFORE DELETE ON {SEAL_TABLE} "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
        ],
        "drop": [
            "DROP TRIGGER IF EXISTS audit_seal_no_update;",
            "DROP TRIGGER IF EXISTS audit_seal_no_delete;",
        ],
    },
    "postgresql": {
        "create": [
            f"CREATE TRIGGER audit_seal_no_change BEFORE UPDATE OR DELETE ON {SEAL_TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();",
            f"CREATE TRIGGER audit_seal_no_truncate BEFORE TRUNCATE ON {SEAL_TABLE} "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();",
        ],
        "drop": [
            f"DROP TRIGGER IF EXISTS audit_seal_no_change ON {SEAL_TABLE};",
            f"DROP TRIGGER IF EXISTS audit_seal_no_truncate ON {SEAL_TABLE};",
        ],
    },
}


# The queue of events to seal (migration 0004): whatever inserts an event of form 3, the same
# statement queues it in audit_auditpending, so record() costs one INSERT like a plain table
# and an event can never be committed without its place in the queue.
QUEUE_SQL = {
    "sqlite": {
        "create": [
            f"CREATE TRIGGER audit_queue AFTER INSERT ON {TABLE} WHEN NEW.format >= 3 "  # noqa: S608
            "BEGIN INSERT INTO audit_auditpending (event_id, chain) "
            "VALUES (NEW.id, NEW.municipality); END;",
        ],
        "drop": ["DROP TRIGGER IF EXISTS audit_queue;"],
    },
    "postgresql": {
        "create": [
            "CREATE OR REPLACE FUNCTION audit_queue_event() RETURNS trigger AS $$ "
            "BEGIN INSERT INTO audit_auditpending (event_id, chain) "
            "VALUES (NEW.id, NEW.municipality); RETURN NULL; END; $$ LANGUAGE plpgsql;",
            f"CREATE TRIGGER audit_queue AFTER INSERT ON {TABLE} FOR EACH ROW "
            "WHEN (NEW.format >= 3) EXECUTE FUNCTION audit_queue_event();",
        ],
        "drop": [
            f"DROP TRIGGER IF EXISTS audit_queue ON {TABLE};",
            "DROP FUNCTION IF EXISTS audit_queue_event();",
        ],
    },
}


# The triggers that must exist (and, on PostgreSQL, be enabled) for the tables to be
# append-only and every new event queued for its seal: {table: names}.
NAMES = {
    "sqlite": {
        TABLE: ("audit_no_update", "audit_no_delete", "audit_queue"),
        SEAL_TABLE: ("audit_seal_no_update", "audit_seal_no_delete"),
    },
    "postgresql": {
        TABLE: ("audit_no_change", "audit_no_truncate", "audit_queue"),
        SEAL_TABLE: ("audit_seal_no_change", "audit_seal_no_truncate"),
    },
}


def missing(using: str = "default") -> list[str]:
    """The append-only triggers that are absent or disabled (empty: all in place). Someone who
    can drop or disable them can rewrite the log; verify_audit reports it as a break."""
    from django.db import connections

    conn = connections[using]
    absent = []
    for table, wanted in NAMES.get(conn.vendor, {}).items():
        with conn.cursor() as cursor:
            if conn.vendor == "postgresql":
                # 'O' fires in normal sessions, 'A' always; 'D' (disabled) and 'R' (replica
                # only) leave the table writable. to_regclass: a missing table is reported.
                cursor.execute(
                    "SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass(%s) "
                    "AND tgenabled IN ('O', 'A')",
                    [table],
                )
            else:
                cursor.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                    [table],
                )
            present = {row[0] for row in cursor.fetchall()}
        absent.extend(name for name in wanted if name not in present)
    return absent


def statements(vendor: str, which: str, sql=SQL) -> list[str]:
    if vendor not in sql:
        raise NotImplementedError(f"No append-only triggers for database vendor {vendor!r}.")
    return sql[vendor][which]


def install(apps, schema_editor):
    for sql in statements(schema_editor.connection.vendor, "create"):
        schema_editor.execute(sql)


def uninstall(apps, schema_editor):
    for sql in statements(schema_editor.connection.vendor, "drop"):
        schema_editor.execute(sql)


def install_seal_triggers(apps, schema_editor):
    for sql in statements(schema_editor.connection.vendor, "create", SEAL_SQL):
        schema_editor.execute(sql)
    for sql in statements(schema_editor.connection.vendor, "create", QUEUE_SQL):
        schema_editor.execute(sql)


def uninstall_seal_triggers(apps, schema_editor):
    for sql in statements(schema_editor.connection.vendor, "drop", QUEUE_SQL):
        schema_editor.execute(sql)
    for sql in statements(schema_editor.connection.vendor, "drop", SEAL_SQL):
        schema_editor.execute(sql)


@contextmanager
def triggers_removed():
    """Take the triggers away for the duration of the block (tests and test teardown only).
    First the process's sealer finishes what it was given, so it writes nothing while the
    triggers are away or after a test's flush."""
    from .chains import drain

    drain()
    vendor = connection.vendor
    drop = [*statements(vendor, "drop", QUEUE_SQL), *statements(vendor, "drop", SEAL_SQL),
            *statements(vendor, "drop")]  # fmt: skip
    create = [*statements(vendor, "create"), *statements(vendor, "create", SEAL_SQL),
              *statements(vendor, "create", QUEUE_SQL)]  # fmt: skip
    with connection.cursor() as cursor:
        for sql in drop:
            cursor.execute(sql)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for sql in create:
                cursor.execute(sql)
