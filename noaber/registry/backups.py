"""Backup sets: the database and the stored files as one consistent pair.

A backup set is one directory, written by `manage.py backup`:

    database.dump      the database part: `pg_dump --format=custom` (PostgreSQL), or
    database.sqlite3   a copy made with SQLite's online backup API
    media.tar          every file under MEDIA_ROOT as stored (already encrypted at rest)
    manifest.json      written last, so a set without it is unfinished: the set id, for each
                       part when it was taken, its size and SHA-256; the row count of every
                       table and the audit head, both read in the database part's own snapshot;
                       the storage name, size and SHA-256 of every file in the media part

The database part is taken first, the media part second. Files are written before the row
that refers to them commits, and deleted only after the commit that removes the row
(`noaber.lib.files.delete_after_commit`), so media taken after the database snapshot holds
every file that snapshot refers to, except a file whose row was deleted in between. The
backup therefore compares the files the snapshot refers to with what went into media.tar and
names any that are missing (run it again, not during `apply_retention` or `sweep_files`).

`restore_check` (noaber/registry/restore.py) proves a set by restoring it.
"""

import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from noaber.audit.chain import heads_digest
from noaber.audit.models import AuditSeal
from noaber.lib.files import file_fields

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media.tar"
DATABASE_FILES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
# pax header fields that make the media part say which set it belongs to on its own.
PAX_SET, PAX_CREATED = "noaber.set", "noaber.created"


class BackupError(Exception):
    """The backup or restore check cannot run here (tool missing, unsupported database...)."""


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def sha256_file(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1024 * 1024):
            digest.update(block)
    return digest.hexdigest()


def stored_names(root) -> list[str]:
    """Storage names of the files under `root`, sorted; half-written rotation files skipped."""
    names = []
    for directory, _dirs, files in os.walk(root):
        for file_name in files:
            if file_name.endswith(".rotating"):
                continue
            path = os.path.join(directory, file_name)
            names.append(os.path.relpath(path, root).replace(os.sep, "/"))
    return sorted(names)


# --- PostgreSQL client tools --------------------------------------------------------------


def pg_client(settings_dict) -> tuple[list[str], dict]:
    """Connection arguments and environment for pg_dump, pg_restore, createdb and dropdb from a
    Django database settings dict (the password goes through the environment, never argv)."""
    args = []
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings_dict.get(key):
            args.append(f"{option}={settings_dict[key]}")
    env = {**os.environ, "PGCONNECT_TIMEOUT": os.environ.get("PGCONNECT_TIMEOUT", "10")}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    options = settings_dict.get("OPTIONS") or {}
    for key in ("sslmode", "sslrootcert", "sslcert", "sslkey"):
        if options.get(key):
            env[f"PG{key.upper()}"] = str(options[key])
    return args, env


def run_tool(argv: list[str], env: dict) -> subprocess.CompletedProcess:
    if shutil.which(argv[0]) is None:
        raise BackupError(
            f"{argv[0]} not found: install the PostgreSQL client tools of the server's major "
            "version (Debian: postgresql-client)."
        )
    return subprocess.run(argv, env=env, capture_output=True, text=True, check=False)  # noqa: S603


# --- The database part --------------------------------------------------------------------


@dataclass
class DatabaseSnapshot:
    started: str
    finished: str = ""
    rows: dict[str, int] = field(default_factory=dict)
    audit_head: str | None = None
    referenced: set[str] = field(default_factory=set)


def read_snapshot(cursor, tables, quote, snapshot: DatabaseSnapshot) -> None:
    """Row counts of `tables`, the audit head and the stored names of every file a row refers
    to, read through `cursor` (which sees exactly the database part being written)."""
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 (introspected names)
        snapshot.rows[table] = cursor.fetchone()[0]
    if AuditSeal._meta.db_table in tables:
        seals = quote(AuditSeal._meta.db_table)
        cursor.execute(
            f"SELECT s.chain, s.first_seq + s.count - 1, s.hash FROM {seals} s "  # noqa: S608
            f"JOIN (SELECT chain, MAX(number) AS top FROM {seals} GROUP BY chain) m "
            "ON m.chain = s.chain AND m.top = s.number"
        )
        heads = {chain: (last, digest) for chain, last, digest in cursor.fetchall()}
        snapshot.audit_head = heads_digest(heads) if heads else None
    for model, names in file_fields().items():
        if model._meta.db_table not in tables:
            continue
        for name in names:
            column = quote(model._meta.get_field(name).column)
            cursor.execute(
                f"SELECT {column} FROM {quote(model._meta.db_table)} "  # noqa: S608
                f"WHERE {column} <> ''"
            )
            snapshot.referenced.update(row[0] for row in cursor.fetchall())


def dump_postgresql(path: Path) -> DatabaseSnapshot:
    """pg_dump in the snapshot of a REPEATABLE READ transaction of our own, in which the row
    counts, audit head and file references are read too: the dump and its numbers are one
    moment of the database."""
    wrapper = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot_id = cursor.fetchone()[0]
                snapshot = DatabaseSnapshot(started=now())
                tables = wrapper.introspection.table_names(cursor)
                read_snapshot(cursor, tables, wrapper.ops.quote_name, snapshot)
                args, env = pg_client(wrapper.settings_dict)
                done = run_tool(
                    [
                        "pg_dump",
                        "--format=custom",
                        f"--snapshot={snapshot_id}",
                        "--no-password",
                        f"--file={path}",
                        *args,
                        wrapper.settings_dict["NAME"],
                    ],
                    env,
                )
                if done.returncode:
                    raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
                snapshot.finished = now()
            finally:
                cursor.execute("ROLLBACK")  # read only: nothing to keep
    finally:
        wrapper.close()
    return snapshot


def dump_sqlite(path: Path) -> DatabaseSnapshot:
    """SQLite's online backup API (one step, so one consistent read); the numbers are then read
    from the copy itself."""
    connection = connections[DEFAULT_DB_ALIAS]
    connection.ensure_connection()
    snapshot = DatabaseSnapshot(started=now())
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
        snapshot.finished = now()
        # A copy of a WAL database is in WAL mode; a single file is what a backup should be.
        target.execute("PRAGMA journal_mode=DELETE")
        cursor = target.cursor()
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        tables = [row[0] for row in cursor.fetchall()]
        read_snapshot(cursor, tables, connection.ops.quote_name, snapshot)
    finally:
        target.close()
    return snapshot


# --- The media part -----------------------------------------------------------------------


class _HashingReader:
    def __init__(self, handle):
        self._handle, self.digest = handle, hashlib.sha256()

    def read(self, size=-1):
        block = self._handle.read(size)
        self.digest.update(block)
        return block


def write_media(path: Path, root, set_id: str) -> tuple[str, str, dict]:
    """A tar of every stored file under `root`, as stored; (started, finished, {name: {size,
    sha256}}). The set id and start time travel inside the tar (pax global header), so a
    media part that was swapped in from another set says so itself."""
    started = now()
    files = {}
    headers = {PAX_SET: set_id, PAX_CREATED: started}
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT, pax_headers=headers) as tar:
        # The root itself, so even an empty media part is a readable archive (a pax global
        # header with no member after it is not).
        root_entry = tarfile.TarInfo(".")
        root_entry.type, root_entry.mode, root_entry.mtime = (
            tarfile.DIRTYPE,
            0o700,
            int(time.time()),
        )
        tar.addfile(root_entry)
        for name in stored_names(root) if os.path.isdir(root) else []:
            try:
                handle = open(os.path.join(root, name), "rb")  # noqa: SIM115
            except FileNotFoundError:
                continue  # deleted since the walk (its row was deleted and committed)
            with handle:
                stat = os.fstat(handle.fileno())
                info = tarfile.TarInfo(name)
                info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o600
                reader = _HashingReader(handle)
                tar.addfile(info, reader)
                files[name] = {"size": stat.st_size, "sha256": reader.digest.hexdigest()}
    return started, now(), files


# --- The set ------------------------------------------------------------------------------


def make_backup(directory) -> dict:
    """Write a backup set into `directory` (new or empty) and return its manifest. The
    manifest's `missing_files` names files the database part refers to that did not make it
    into the media part (deleted in between); the caller must treat such a set as incomplete."""
    vendor = connections[DEFAULT_DB_ALIAS].vendor
    if vendor not in DATABASE_FILES:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {vendor!r}.")
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty: a backup set never overwrites another.")
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    set_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(4)

    database_path, media_path = directory / DATABASE_FILES[vendor], directory / MEDIA
    try:
        if vendor == "postgresql":
            snapshot = dump_postgresql(database_path)
        else:
            snapshot = dump_sqlite(database_path)
        media_started, media_finished, files = write_media(media_path, settings.MEDIA_ROOT, set_id)
    except BaseException:
        # Leave the directory as it was (empty), so the same command can simply run again.
        for path in (database_path, media_path):
            path.unlink(missing_ok=True)
        raise
    for path in (database_path, media_path):
        os.chmod(path, 0o600)

    manifest = {
        "format": FORMAT,
        "set": set_id,
        "database": {
            "file": database_path.name,
            "vendor": vendor,
            "started": snapshot.started,
            "finished": snapshot.finished,
            "size": database_path.stat().st_size,
            "sha256": sha256_file(database_path),
            "rows": snapshot.rows,
            "audit_head": snapshot.audit_head,
            "referenced_files": len(snapshot.referenced),
        },
        "media": {
            "file": media_path.name,
            "started": media_started,
            "finished": media_finished,
            "size": media_path.stat().st_size,
            "sha256": sha256_file(media_path),
            "files": files,
        },
        "missing_files": sorted(snapshot.referenced - files.keys()),
    }
    write_manifest(directory, manifest)
    return manifest


def write_manifest(directory: Path, manifest: dict) -> None:
    """Written beside the parts and renamed into place: a set has a manifest only when
    complete."""
    temporary = directory / (MANIFEST + ".partial")
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(manifest, handle, indent=2, sort_keys=True)
        handle.write("\n")
    os.chmod(temporary, 0o600)
    os.replace(temporary, directory / MANIFEST)
