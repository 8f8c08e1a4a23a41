"""Database triggers that make the audit table append-only, for SQLite and PostgreSQL.

Used by the migration that installs them and by tests that must simulate tampering
"behind the application's back" (which needs the triggers briefly out of the way).
"""

from contextlib import contextmanager

from django.db import connection

TABLE = "audit_auditevent"
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


# The triggers that must exist (and, on PostgreSQL, be enabled) for the table to be append-only.
NAMES = {
    "sqlite": ("audit_no_update", "audit_no_delete"),
    "postgresql": ("audit_no_change", "audit_no_truncate"),
}


def missing(using: str = "default") -> list[str]:
    """The append-only triggers that are absent or disabled (empty: all in place). Someone who
    can drop or disable them can rewrite the log; verify_audit reports it as a break."""
    from django.db import connections

    conn = connections[using]
    wanted = NAMES.get(conn.vendor, ())
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            # 'O' fires in normal sessions, 'A' always; 'D' (disabled) and 'R' (replica only)
            # leave the table writable. to_regclass: a missing table is reported, not raised.
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass(%s) "
                "AND tgenabled IN ('O', 'A')",
                [TABLE],
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE]
            )
        present = {row[0] for row in cursor.fetchall()}
    return [name for name in wanted if name not in present]


def statements(vendor: str, which: str) -> list[str]:
    if vendor not in SQL:
        raise NotImplementedError(f"No append-only triggers for database vendor {vendor!r}.")
    return SQL[vendor][which]


def install(apps, schema_editor):
    for sql in statements(schema_editor.connection.vendor, "create"):
        schema_editor.execute(sql)


def uninstall(apps, schema_editor):
    for sql in statements(schema_editor.connection.vendor, "drop"):
        schema_editor.execute(sql)


@contextmanager
def triggers_removed():
    """Take the triggers away for the duration of the block (tests and test teardown only)."""
    with connection.cursor() as cursor:
        for sql in statements(connection.vendor, "drop"):
            cursor.execute(sql)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for sql in statements(connection.vendor, "create"):
                cursor.execute(sql)
