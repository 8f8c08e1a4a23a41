"""The restore check: a backup set restored into a scratch database and folder, and judged.

The database part is restored into a database of its own (PostgreSQL: a new database
`noaber_restore_check_<pid>` created and dropped by the check; SQLite: a copy in a temporary
folder), the media part into a temporary folder; the restored database is reached through an
extra connection alias, so the live database and MEDIA_ROOT are never read or written. Then:

- the audit chain of the restored log is walked and its head compared with the manifest;
- the rows of every table are counted and compared with the manifest;
- a sample of every encrypted field of every model (the oldest and the newest rows) is
  decrypted with the configured keys;
- every file a restored row refers to must be in the media part and decrypt whole.

The verdict is `goed`, `onvolledig` (something is missing: a part, files, rows, or the media
part is older than the database part) or `fout` (something is wrong: a part changed since the
backup, the chain broken, a value or file that does not decrypt).
"""

import binascii
import copy
import json
import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import dj_database_url
from cryptography.exceptions import InvalidTag
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.utils import load_backend
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from noaber.audit.chain import chain_name, check_head, verify_log
from noaber.lib.crypto import MissingFieldKey, encrypted_fields, rows_under_missing_keys
from noaber.lib.files import AlteredFileError, EncryptedStorage, file_fields

from .backups import (
    DATABASE_FILES,
    MANIFEST,
    PAX_CREATED,
    PAX_SET,
    BackupError,
    pg_client,
    run_tool,
    sha256_file,
    stored_names,
)

GOED, ONVOLLEDIG, FOUT = "goed", "onvolledig", "fout"
ALIAS = "restore_check"
LISTED = 20  # names listed per finding; the rest are counted


@dataclass
class Finding:
    verdict: str  # ONVOLLEDIG or FOUT
    text: str


@dataclass
class CheckResult:
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        verdicts = {finding.verdict for finding in self.findings}
        return FOUT if FOUT in verdicts else ONVOLLEDIG if verdicts else GOED


def _listed(names: list[str]) -> str:
    shown = ", ".join(names[:LISTED])
    if len(names) > LISTED:
        shown += " " + _("en %(count)d meer") % {"count": len(names) - LISTED}
    return shown


def _time(text) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None


class RestoreCheck:
    def __init__(self, directory, *, sample=20, expect_head=None, server_url=None):
        self.directory = Path(directory)
        self.sample = sample
        # (chain, number, hash) recorded outside the backup (audit.chain.parse_head), or None
        self.expect_head = expect_head
        self.server_url = server_url
        self.result = CheckResult()
        self.scratch: Path | None = None
        self.scratch_database = ""
        self.server: dict = {}
        self.wrapper = None

    # --- findings ---------------------------------------------------------------------------

    def incomplete(self, text):
        self.result.findings.append(Finding(ONVOLLEDIG, text))

    def wrong(self, text):
        self.result.findings.append(Finding(FOUT, text))

    def note(self, text):
        self.result.notes.append(text)

    # --- the run ------------------------------------------------------------------------------

    def run(self) -> CheckResult:
        try:
            self._run()
        finally:
            self.cleanup()
        return self.result

    def _run(self):
        manifest = self.read_manifest()
        if manifest is None:
            return
        database = manifest["database"]
        vendor = database.get("vendor")
        if vendor not in DATABASE_FILES:
            raise BackupError(f"unknown database part vendor {vendor!r} in the manifest")
        database_path = self.directory / database["file"]
        if not database_path.is_file():
            self.incomplete(
                _("Het databasedeel ontbreekt (%(file)s): er valt niets te herstellen.")
                % {"file": database["file"]}
            )
            return
        if sha256_file(database_path) != database["sha256"]:
            self.wrong(
                _(
                    "Het databasedeel %(file)s is gewijzigd of beschadigd sinds de backup: "
                    "de SHA-256 wijkt af van het manifest."
                )
                % {"file": database["file"]}
            )
        self.scratch = Path(tempfile.mkdtemp(prefix=f"noaber-restore-check-{os.getpid()}-"))
        media_dir, same_set = self.restore_media(manifest)
        if not self.restore_database(vendor, database_path):
            return
        self.check_audit(database)
        self.check_rows(database["rows"])
        self.check_fields()
        self.check_files(media_dir, manifest.get("media") if same_set else None)

    def read_manifest(self) -> dict | None:
        path = self.directory / MANIFEST
        if not path.is_file():
            self.incomplete(
                _(
                    "%(manifest)s ontbreekt in %(directory)s: geen (afgeronde) backupset van "
                    "`manage.py backup`."
                )
                % {"manifest": MANIFEST, "directory": self.directory}
            )
            return None
        try:
            with open(path, encoding="utf-8") as handle:
                manifest = json.load(handle)
            manifest["database"]["sha256"]  # noqa: B018 (the fields everything else needs)
            manifest["database"]["rows"]  # noqa: B018
        except (ValueError, KeyError, TypeError):
            self.wrong(_("%(manifest)s is onleesbaar of onvolledig.") % {"manifest": MANIFEST})
            return None
        self.note(
            _("Backupset %(set)s: databasedeel %(file)s van %(started)s")
            % {
                "set": manifest.get("set", "?"),
                "file": manifest["database"]["file"],
                "started": manifest["database"].get("started", "?"),
            }
        )
        return manifest

    # --- the media part -----------------------------------------------------------------------

    def restore_media(self, manifest) -> tuple[Path | None, bool]:
        """Extract the media part into the scratch folder; (folder or None, whether the media
        part belongs to this manifest's set)."""
        media = manifest.get("media") or {}
        path = self.directory / media.get("file", "media.tar")
        if not media or not path.is_file():
            self.incomplete(
                _(
                    "Het mediadeel ontbreekt (%(file)s): de bestanden waarnaar rijen verwijzen "
                    "zijn niet te herstellen."
                )
                % {"file": path.name}
            )
            return None, False
        database_started = _time(manifest["database"].get("started"))
        try:
            with tarfile.open(path) as tar:
                members = tar.getmembers()  # reads the pax global header too
                tar_set, tar_created = (
                    tar.pax_headers.get(PAX_SET),
                    tar.pax_headers.get(PAX_CREATED),
                )
                target = self.scratch / "media"
                target.mkdir()
                tar.extractall(target, members=members, filter="data")
        except (tarfile.TarError, OSError) as error:
            self.wrong(
                _("Het mediadeel %(file)s is beschadigd: %(error)s")
                % {"file": path.name, "error": error}
            )
            return None, False
        same_set = tar_set == manifest.get("set")
        created = _time(media.get("started") if same_set else tar_created)
        if not same_set:
            self.note(
                _("Het mediadeel hoort bij backupset %(other)s, niet bij %(set)s.")
                % {"other": tar_set or "?", "set": manifest.get("set", "?")}
            )
        elif sha256_file(path) != media.get("sha256"):
            self.wrong(
                _(
                    "Het mediadeel %(file)s is gewijzigd of beschadigd sinds de backup: de "
                    "SHA-256 wijkt af van het manifest."
                )
                % {"file": path.name}
            )
        if created is None:
            self.wrong(
                _("Het mediadeel %(file)s is niet door `manage.py backup` gemaakt.")
                % {"file": path.name}
            )
        elif database_started and created < database_started:
            self.incomplete(
                _(
                    "Het mediadeel is ouder dan het databasedeel (mediadeel van %(media)s, "
                    "databasedeel van %(database)s): bestanden die daartussen zijn opgeslagen "
                    "ontbreken."
                )
                % {"media": created.isoformat(), "database": database_started.isoformat()}
            )
        return target, same_set

    # --- the database part --------------------------------------------------------------------

    def restore_database(self, vendor, path) -> bool:
        if vendor == "sqlite":
            restored = self.scratch / "database.sqlite3"
            shutil.copyfile(path, restored)
            settings_dict = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(restored)}
        else:
            settings_dict = self.create_scratch_database()
            args, env = pg_client(settings_dict)
            done = run_tool(
                [
                    "pg_restore",
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    "--no-password",
                    f"--dbname={self.scratch_database}",
                    *args,
                    str(path),
                ],
                env,
            )
            if done.returncode:
                self.wrong(
                    _("Het databasedeel laat zich niet herstellen: %(error)s")
                    % {"error": done.stderr.strip()[-500:]}
                )
                return False
        # A connection of its own under an alias that is in no settings: nothing that walks
        # the configured databases (or a test's allowed databases) ever meets it.
        configured = connections.configure_settings({DEFAULT_DB_ALIAS: settings_dict})
        configured = configured[DEFAULT_DB_ALIAS]
        self.wrapper = load_backend(configured["ENGINE"]).DatabaseWrapper(configured, ALIAS)
        connections[ALIAS] = self.wrapper
        return True

    def create_scratch_database(self) -> dict:
        """A new, empty PostgreSQL database on the live server (or on --server), named after
        this process; never one that existed before."""
        if self.server_url:
            server = dj_database_url.parse(self.server_url)
        else:
            live = connections[DEFAULT_DB_ALIAS]
            if live.vendor != "postgresql":
                raise BackupError(
                    "This backup set holds a PostgreSQL dump: run restore_check with "
                    "DATABASE_URL pointing at a PostgreSQL server, or pass --server."
                )
            server = copy.deepcopy(live.settings_dict)
        name = f"noaber_restore_check_{os.getpid()}"
        live_name = connections[DEFAULT_DB_ALIAS].settings_dict.get("NAME")
        if name == live_name:
            raise BackupError(f"refusing to use {name}: it is the live database")
        args, env = pg_client(server)
        done = run_tool(["createdb", "--template=template0", "--no-password", *args, name], env)
        if done.returncode:
            raise BackupError(
                f"createdb {name} failed: {done.stderr.strip()} (the database user needs "
                "CREATEDB, or pass --server with a user that has it)"
            )
        self.scratch_database, self.server = name, server
        return {
            key: server[key]
            for key in ("ENGINE", "HOST", "PORT", "USER", "PASSWORD", "OPTIONS")
            if key in server
        } | {"ENGINE": "django.db.backends.postgresql", "NAME": name}

    def cleanup(self):
        if self.wrapper is not None:
            self.wrapper.close()
            del connections[ALIAS]
            self.wrapper = None
        if self.scratch_database:
            args, env = pg_client(self.server)
            done = run_tool(
                [
                    "dropdb",
                    "--if-exists",
                    "--force",
                    "--no-password",
                    *args,
                    self.scratch_database,
                ],  # fmt: skip
                env,
            )
            if done.returncode:
                self.note(
                    _(
                        "Let op: de tijdelijke database %(name)s kon niet worden verwijderd: "
                        "%(error)s"
                    )
                    % {"name": self.scratch_database, "error": done.stderr.strip()}
                )
            self.scratch_database = ""
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
            self.scratch = None

    # --- the checks ---------------------------------------------------------------------------

    def check_audit(self, database):
        try:
            report = verify_log(ALIAS)
        except DatabaseError as error:
            self.wrong(_("Het auditlog is niet te lezen: %(error)s") % {"error": error})
            return
        if report.incident:
            self.wrong(
                _("Het herstelde auditlog is niet beschermd: %(problem)s")
                % {"problem": report.incident}
            )
            return
        if not report.ok:
            self.wrong(
                _("De auditketen %(chain)s is gebroken bij gebeurtenis #%(seq)s: %(problem)s")
                % {
                    "chain": chain_name(report.chain),
                    "seq": report.broken_seq,
                    "problem": report.problem,
                }
            )
            return
        restored = f"{report.head_seq}:{report.head_hash}" if report.head_seq else None
        expected = database.get("audit_head")
        if expected and restored != expected:
            expected_seq = int(expected.split(":")[0])
            if (report.head_seq or 0) < expected_seq:
                self.incomplete(
                    _(
                        "Het herstelde auditlog eindigt bij #%(seq)s, het manifest noemt kop "
                        "%(head)s: de nieuwste gebeurtenissen ontbreken."
                    )
                    % {"seq": report.head_seq or 0, "head": expected}
                )
            else:
                self.wrong(
                    _(
                        "De kop van het herstelde auditlog %(restored)s is niet %(head)s uit "
                        "het manifest."
                    )
                    % {"restored": restored, "head": expected}
                )
            return
        if self.expect_head:
            problem = check_head(self.expect_head, ALIAS)
            if problem:
                chain, number, digest = self.expect_head
                self.wrong(
                    _("De opgegeven kop %(head)s staat niet in het herstelde auditlog: %(problem)s")
                    % {"head": f"{chain_name(chain)}:{number}:{digest}", "problem": problem}
                )
                return
        self.note(
            _("Auditketen intact: %(count)d gebeurtenissen, kop %(head)s, gelijk aan het manifest.")
            % {"count": report.checked, "head": restored}
        )

    def check_rows(self, expected: dict):
        restored = connections[ALIAS]
        quote = restored.ops.quote_name
        with restored.cursor() as cursor:
            tables = set(restored.introspection.table_names(cursor))
            fewer, more = [], []
            for table, count in sorted(expected.items()):
                if table not in tables:
                    fewer.append(
                        _("%(table)s ontbreekt (manifest: %(count)d rijen)")
                        % {"table": table, "count": count}
                    )
                    continue
                cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608
                found = cursor.fetchone()[0]
                if found < count:
                    fewer.append(
                        _("%(table)s: %(found)d van %(count)d rijen")
                        % {"table": table, "found": found, "count": count}
                    )
                elif found > count:
                    more.append(
                        _("%(table)s: %(found)d rijen, manifest %(count)d")
                        % {"table": table, "found": found, "count": count}
                    )
        if fewer:
            self.incomplete(_("Tabellen missen rijen: %(tables)s.") % {"tables": _listed(fewer)})
        if more:
            self.wrong(
                _(
                    "Tabellen hebben meer rijen dan het manifest (hoort niet bij deze set): "
                    "%(tables)s."
                )
                % {"tables": _listed(more)}
            )
        if not fewer and not more:
            self.note(
                _("Rijen: %(tables)d tabellen, %(rows)d rijen, gelijk aan het manifest.")
                % {"tables": len(expected), "rows": sum(expected.values())}
            )

    def check_fields(self):
        """Every encrypted value of every row must be under a configured key (one query per
        model); the oldest and the newest rows (up to `sample` per model) of every model with an
        encrypted field are decrypted, each field on its own, so a failure names model, field
        and row."""
        try:
            under_missing = rows_under_missing_keys(using=ALIAS)
        except DatabaseError:
            under_missing = {}  # a table is missing; check_rows names it
        if under_missing:
            self.wrong(
                _(
                    "Rijen met waarden onder een sleutel die niet in NOABER_FIELD_KEYS staat: "
                    "%(models)s."
                )
                % {
                    "models": _listed(
                        [f"{label} ({n})" for label, n in sorted(under_missing.items())]
                    )
                }
            )
        failures, decrypted, models = [], 0, 0
        for model, names in encrypted_fields().items():
            rows = model._base_manager.using(ALIAS)
            half = max(1, self.sample // 2)
            try:
                pks = list(rows.order_by("pk").values_list("pk", flat=True)[:half])
                pks += list(rows.order_by("-pk").values_list("pk", flat=True)[:half])
            except DatabaseError:
                continue  # the table is missing; check_rows names it
            models += 1
            for pk in dict.fromkeys(pks):
                for name in names:
                    try:
                        rows.filter(pk=pk).values_list(name, flat=True).get()
                    except MissingFieldKey as error:
                        failures.append(
                            _("%(field)s #%(pk)s: sleutel %(key)r ontbreekt in NOABER_FIELD_KEYS")
                            % {
                                "field": f"{model._meta.label}.{name}",
                                "pk": pk,
                                "key": error.key_id,
                            }
                        )
                    except (InvalidTag, ValueError, binascii.Error):
                        failures.append(
                            _("%(field)s #%(pk)s: niet te ontsleutelen")
                            % {"field": f"{model._meta.label}.{name}", "pk": pk}
                        )
                    else:
                        decrypted += 1
        if failures:
            self.wrong(
                _("Versleutelde waarden zijn niet te lezen: %(values)s.")
                % {"values": _listed(failures)}
            )
        else:
            self.note(
                _("Versleutelde velden: %(values)d waarden uit %(models)d modellen ontsleuteld.")
                % {"values": decrypted, "models": models}
            )

    def check_files(self, media_dir: Path | None, media: dict | None):
        """Every file a restored row refers to is in the media part and decrypts whole; with a
        media part of this set, each also has the manifest's SHA-256."""
        storage = EncryptedStorage(location=str(media_dir)) if media_dir else None
        listed = (media or {}).get("files", {})
        referenced, missing, altered, ok = set(), [], [], 0
        for model, names in file_fields().items():
            for name in names:
                rows = model._base_manager.using(ALIAS).exclude(**{name: ""})
                try:
                    stored = list(rows.values_list("pk", name))
                except DatabaseError:
                    continue
                for pk, file_name in stored:
                    referenced.add(file_name)
                    where = f"{file_name} ({model._meta.label} #{pk})"
                    if storage is None:
                        continue
                    if not storage.exists(file_name):
                        missing.append(where)
                        continue
                    try:
                        storage.verify(file_name)
                    except AlteredFileError as error:
                        altered.append(f"{where}: {error}")
                        continue
                    except MissingFieldKey as error:
                        altered.append(
                            _("%(file)s: sleutel %(key)r ontbreekt in NOABER_FIELD_KEYS")
                            % {"file": where, "key": error.key_id}
                        )
                        continue
                    entry = listed.get(file_name)
                    if entry and sha256_file(storage.path(file_name)) != entry["sha256"]:
                        altered.append(_("%(file)s wijkt af van het manifest") % {"file": where})
                        continue
                    ok += 1
        if storage is None:
            if referenced:
                self.note(
                    ngettext(
                        "%(count)d bestand waarnaar een rij verwijst is niet gecontroleerd.",
                        "%(count)d bestanden waarnaar rijen verwijzen zijn niet gecontroleerd.",
                        len(referenced),
                    )
                    % {"count": len(referenced)}
                )
            return
        if missing:
            self.incomplete(
                ngettext(
                    "%(count)d bestand waarnaar een rij verwijst ontbreekt in het mediadeel: "
                    "%(files)s.",
                    "%(count)d bestanden waarnaar rijen verwijzen ontbreken in het mediadeel: "
                    "%(files)s.",
                    len(missing),
                )
                % {"count": len(missing), "files": _listed(sorted(missing))}
            )
        if altered:
            self.wrong(
                _("Bestanden zijn gewijzigd of niet te ontsleutelen: %(files)s.")
                % {"files": _listed(sorted(altered))}
            )
        loose = len(set(stored_names(media_dir)) - referenced)
        self.note(
            _(
                "Bestanden: %(ok)d waarnaar rijen verwijzen aanwezig en heel ontsleuteld; "
                "%(loose)d zonder rij (niet gecontroleerd; sweep_files ruimt zulke op)."
            )
            % {"ok": ok, "loose": loose}
        )
