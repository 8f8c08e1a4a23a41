"""Encryption at rest for the most sensitive fields, and blind indexes for exact search.

Keys come from the environment, never from the database:

- NOABER_FIELD_KEYS: comma-separated `id:base64key` pairs of 256-bit AES keys, newest first.
  New values are encrypted with the first; older ones stay readable until
  `manage.py rotate_field_keys` re-encrypts them with the newest.
- NOABER_BLIND_INDEX_KEY: the HMAC key of blind indexes (exact match on encrypted values).
  It cannot rotate without recomputing every index (rotate_field_keys --reindex does that).

A stored value is `enc1:<key id>:<base64(nonce | ciphertext+tag)>` (AES-256-GCM, 96-bit
random nonce); the field name is bound as associated data, so a value cannot be moved to
another column unnoticed.
"""

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core import checks, validators
from django.core.exceptions import ImproperlyConfigured
from django.db import migrations, models

PREFIX = "enc1"


@lru_cache(maxsize=8)
def _keys(spec: str) -> list[tuple[str, bytes]]:
    keys = []
    for part in spec.split(","):
        key_id, _, b64 = part.strip().partition(":")
        key = base64.b64decode(b64)
        if not key_id or len(key) != 32:
            raise ImproperlyConfigured("NOABER_FIELD_KEYS must be id:base64(32 bytes),...")
        keys.append((key_id, key))
    return keys


def keys() -> list[tuple[str, bytes]]:
    return _keys(settings.NOABER_FIELD_KEYS)


def encrypt(plain: str, context: str) -> str:
    key_id, key = keys()[0]
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, plain.encode(), context.encode())
    return f"{PREFIX}:{key_id}:{base64.b64encode(nonce + sealed).decode()}"


class MissingFieldKey(ImproperlyConfigured):
    """A stored value was encrypted with a key that is no longer in NOABER_FIELD_KEYS."""

    def __init__(self, key_id: str):
        self.key_id = key_id
        super().__init__(
            f"field key {key_id!r} is not in NOABER_FIELD_KEYS: put it back (after the newest "
            "key), run `manage.py rotate_field_keys` until `rotate_field_keys --check` reports "
            "nothing left, and only then remove it."
        )


def decrypt(stored: str, context: str) -> str:
    prefix, key_id, b64 = stored.split(":", 2)
    if prefix != PREFIX:
        raise ValueError("not an encrypted value")
    key = dict(keys()).get(key_id)
    if key is None:
        raise MissingFieldKey(key_id)
    raw = base64.b64decode(b64)
    return AESGCM(key).decrypt(raw[:12], raw[12:], context.encode()).decode()


def key_id_of(stored: str) -> str:
    return stored.split(":", 2)[1] if stored.startswith(PREFIX + ":") else ""


def blind_index(value: str, purpose: str) -> str:
    """A keyed digest of a normalised value: equal values match, nothing can be read back."""
    if not value:
        return ""
    message = f"{purpose}:{value}".encode()
    return hmac.new(settings.NOABER_BLIND_INDEX_KEY.encode(), message, hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text field stored encrypted; reads and writes plain `str` in Python.

    The column is always text (a ciphertext is longer than its plain value); `max_length`, when
    given, limits the plain value and is checked on validation and in forms."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.max_length is not None:
            self.validators.append(validators.MaxLengthValidator(self.max_length))

    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        self._context = f"{cls._meta.label_lower}.{name}"

    def from_db_value(self, value, expression, connection):
        # Rows written before a column was encrypted hold plain text until
        # `rotate_field_keys` has rewritten them; they are returned as they are.
        if not value or not value.startswith(PREFIX + ":"):
            return value
        return decrypt(value, self._context)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value
        return encrypt(value, self._context)


def encrypt_existing(app_label: str, model_name: str, *names: str):
    """A RunPython operation for the migration that turns plain columns into encrypted ones:
    every stored plain value is rewritten encrypted (with the newest key), column by column
    through QuerySet.update, so append-only rows are not edited otherwise."""

    def forwards(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        for name in names:
            rows = model._base_manager.exclude(**{name: ""}).exclude(
                **{f"{name}__startswith": PREFIX + ":"}
            )
            for pk, value in rows.values_list("pk", name).iterator(chunk_size=2000):
                model._base_manager.filter(pk=pk).update(**{name: value})
        _fire_deferred_checks(schema_editor)

    def backwards(apps, schema_editor):
        # Back to a plain column: every value is written back decrypted, in raw SQL (the
        # field would encrypt it again).
        model = apps.get_model(app_label, model_name)
        quote = schema_editor.connection.ops.quote_name
        table, pk_column = quote(model._meta.db_table), quote(model._meta.pk.column)
        for name in names:
            column = quote(model._meta.get_field(name).column)
            rows = model._base_manager.filter(**{f"{name}__startswith": PREFIX + ":"})
            with schema_editor.connection.cursor() as cursor:
                for pk, value in rows.values_list("pk", name).iterator(chunk_size=2000):
                    cursor.execute(
                        f"UPDATE {table} SET {column} = %s WHERE {pk_column} = %s",  # noqa: S608
                        [value, pk],
                    )
        _fire_deferred_checks(schema_editor)

    return migrations.RunPython(forwards, backwards, elidable=True)


def _fire_deferred_checks(schema_editor) -> None:
    """PostgreSQL queues deferred foreign-key checks for every updated row; a later ALTER TABLE
    in the same migration transaction refuses while they are pending ("pending trigger
    events"), so they are run now."""
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def encrypted_fields() -> dict:
    """{model: [names of its encrypted fields]} for every installed model, discovered from the
    models themselves, so key rotation can never miss a field added later."""
    from django.apps import apps

    found = {}
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            found[model] = names
    return found


def not_under_newest_key(model, names) -> int:
    """How many rows of `model` hold a value in one of `names` that is not encrypted with the
    newest key (an older key, or plain text from before the column was encrypted)."""
    from django.db import connection

    newest = keys()[0][0]
    quote = connection.ops.quote_name
    condition = " OR ".join(
        f"({quote(model._meta.get_field(n).column)} <> '' AND "
        f"{quote(model._meta.get_field(n).column)} NOT LIKE %s)"
        for n in names
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {quote(model._meta.db_table)} WHERE {condition}",  # noqa: S608
            [f"{PREFIX}:{newest}:%"] * len(names),
        )
        return cursor.fetchone()[0]


def reencrypt_rows(model, names, chunk: int = 2000) -> int:
    """Re-encrypt, with the newest key, every row of `model` holding a value in one of the
    encrypted columns `names` that is not under that key (an older key, or plain text from
    before the column was encrypted). The one narrow path of key rotation: raw SQL that rewrites
    only these columns — no save(), no other column, no signal — so append-only rows such as
    timeline entries are re-encrypted without being edited. Walks the table by primary key in
    chunks, each locked and written in one transaction with one pipelined statement batch;
    only stale rows are touched, so an interrupted run resumes where it stopped. Returns the
    number of rows rewritten."""
    from django.db import connection, transaction

    newest = keys()[0][0]
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in names]
    if not isinstance(model._meta.pk, models.AutoField | models.BigAutoField):
        raise ImproperlyConfigured(f"{model._meta.label}: key rotation walks integer keys")
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    columns = [quote(f.column) for f in fields]
    stale = " OR ".join(f"({c} <> '' AND {c} NOT LIKE %s)" for c in columns)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    select = (
        f"SELECT {pk}, {', '.join(columns)} FROM {table} "  # noqa: S608 (names quoted)
        f"WHERE {pk} > %s AND ({stale}) ORDER BY {pk} LIMIT {int(chunk)}{lock}"
    )
    update = f"UPDATE {table} SET {', '.join(f'{c} = %s' for c in columns)} WHERE {pk} = %s"  # noqa: S608
    under_newest = [f"{PREFIX}:{newest}:%"] * len(columns)
    contexts = [f._context for f in fields]

    def fresh(value, context):
        if not value:
            return value
        plain = decrypt(value, context) if value.startswith(PREFIX + ":") else value
        return encrypt(plain, context)

    last, count = 0, 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(select, [last, *under_newest])
            rows = cursor.fetchall()
            if not rows:
                return count
            cursor.executemany(
                update,
                [
                    [*(fresh(v, c) for v, c in zip(values, contexts, strict=True)), key]
                    for key, *values in rows
                ],
            )
        last, count = rows[-1][0], count + len(rows)


def rows_under_missing_keys(using: str = "default") -> dict:
    """{model label: rows} holding a value encrypted with a key that is not configured, in the
    database `using` (another connection: a restored backup, see restore_check)."""
    from django.db import connections

    connection = connections[using]
    quote = connection.ops.quote_name
    configured = [f"{PREFIX}:{key_id}:%" for key_id, _key in keys()]
    found = {}
    for model, names in encrypted_fields().items():
        parts, params = [], []
        for name in names:
            column = quote(model._meta.get_field(name).column)
            parts.append(
                f"({column} LIKE %s"
                + "".join(f" AND {column} NOT LIKE %s" for _ in configured)
                + ")"
            )
            params += [f"{PREFIX}:%", *configured]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*) FROM {quote(model._meta.db_table)} "  # noqa: S608
                f"WHERE {' OR '.join(parts)}",
                params,
            )
            count = cursor.fetchone()[0]
        if count:
            found[model._meta.label] = count
    return found


@checks.register(checks.Tags.database)
def check_field_keys(app_configs=None, databases=None, **kwargs):
    """At start-up (`migrate`, `check --database default`): no stored value may be under a key
    that was removed from NOABER_FIELD_KEYS."""
    if not databases:
        return []
    from django.db import DatabaseError

    from noaber.lib.files import files_under_missing_keys

    try:
        missing = rows_under_missing_keys()
        missing.update(files_under_missing_keys())
    except DatabaseError:
        return []  # tables not there yet (before the first migrate)
    if not missing:
        return []
    where = ", ".join(f"{label} ({n})" for label, n in sorted(missing.items()))
    return [
        checks.Error(
            f"Encrypted values are under a key that is not in NOABER_FIELD_KEYS: {where}.",
            hint="Put the removed key back (after the newest), run `manage.py "
            "rotate_field_keys` until `rotate_field_keys --check` reports nothing left, and "
            "only then remove it.",
            id="noaber.E001",
        )
    ]
