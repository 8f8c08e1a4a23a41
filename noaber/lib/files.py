"""Uploaded files encrypted at rest with the field keys (NOABER_FIELD_KEYS), streamed in segments.

A stored file is a header followed by sealed segments (the STREAM construction of Hoang,
Reyhanitabar, Rogaway and Vizár, as used by Tink and age):

    b"NBF1" | len(key id) (1 byte) | key id | salt (16 bytes) | segment | segment | ...

Every file has its own AES-256-GCM key, derived with HKDF-SHA256 from the field key and the
file's random salt, so nonces never repeat across files: the nonce of segment i is i (11 bytes,
big endian) followed by 1 for the last segment and 0 for every other. A segment holds at most
SEGMENT bytes of plain text plus a 16-byte tag. The header and the file's storage name are the
associated data, so a segment cannot be changed, reordered, dropped, cut off or moved into
another file unnoticed, and a file cannot be swapped for another. Writing and reading hold one
segment in memory, never the whole file.

Which fields hold encrypted files is found from the models (every FileField whose storage is an
EncryptedStorage), like encrypted text fields, so key rotation and restore checks cover them.
"""

import os
import tempfile
from functools import partial

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.core.files import File, locks
from django.core.files.storage import FileSystemStorage
from django.db import migrations, transaction
from django.http import FileResponse
from django.utils.deconstruct import deconstructible

from noaber.lib.crypto import MissingFieldKey, keys

MAGIC = b"NBF1"
SEGMENT = 64 * 1024
TAG = 16
SALT = 16


class AlteredFileError(Exception):
    """The stored file does not authenticate: changed, damaged, cut off or not encrypted."""

    def __init__(self, problem: str, name: str = ""):
        self.name = name
        super().__init__(f"{name}: {problem}" if name else problem)


def _aead(key: bytes, salt: bytes) -> AESGCM:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"noaber file v1")
    return AESGCM(derived.derive(key))


def _nonce(index: int, last: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def encrypted_blocks(source, name: str):
    """The stored form of `source` (a django File) under the newest key, as a generator: the
    header, then one sealed segment at a time."""
    key_id, key = keys()[0]
    salt = os.urandom(SALT)
    raw_id = key_id.encode()
    header = MAGIC + bytes([len(raw_id)]) + raw_id + salt
    aead, aad = _aead(key, salt), header + name.encode()
    yield header
    index, pending = 0, b""
    if hasattr(source, "seek"):
        source.seek(0)
    for chunk in source.chunks(SEGMENT):
        pending += chunk
        while len(pending) > SEGMENT:
            yield aead.encrypt(_nonce(index, False), pending[:SEGMENT], aad)
            pending, index = pending[SEGMENT:], index + 1
    yield aead.encrypt(_nonce(index, True), pending, aad)


def read_key_id(handle) -> str:
    """The key id in the header of an open stored file; AlteredFileError if there is no header."""
    start = handle.read(5)
    if len(start) < 5 or start[:4] != MAGIC:
        raise AlteredFileError("no Noaber file header (not encrypted, or damaged)")
    raw_id = handle.read(start[4])
    if len(raw_id) != start[4]:
        raise AlteredFileError("header cut short")
    return raw_id.decode(errors="replace")


class DecryptingReader:
    """A read-only, forward-only binary file object over a stored file. Raises AlteredFileError as
    soon as a segment does not authenticate (so also when the end is missing)."""

    def __init__(self, handle, name: str):
        self._handle, self._buffer, self._index, self._done = handle, b"", 0, False
        self.name = name
        try:
            self.key_id = read_key_id(handle)
            salt = handle.read(SALT)
            if len(salt) != SALT:
                raise AlteredFileError("header cut short")
            key = dict(keys()).get(self.key_id)
            if key is None:
                raise MissingFieldKey(self.key_id)
        except AlteredFileError as error:
            handle.close()
            raise AlteredFileError(str(error), name) from error
        except Exception:
            handle.close()
            raise
        raw_id = self.key_id.encode()
        header = MAGIC + bytes([len(raw_id)]) + raw_id + salt
        self._cipher, self._aad = _aead(key, salt), header + name.encode()
        self._next = handle.read(SEGMENT + TAG)

    def _segment(self) -> bytes:
        sealed, self._next = self._next, self._handle.read(SEGMENT + TAG)
        last = not self._next
        try:
            plain = self._cipher.decrypt(_nonce(self._index, last), sealed, self._aad)
        except InvalidTag as error:
            problem = f"segment {self._index} does not authenticate"
            raise AlteredFileError(problem, self.name) from error
        self._index, self._done = self._index + 1, last
        return plain

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size is None or size < 0 or len(self._buffer) < size):
            self._buffer += self._segment()
        if size is None or size < 0:
            size = len(self._buffer)
        out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out

    def chunks(self, chunk_size: int = SEGMENT):
        while chunk := self.read(chunk_size):
            yield chunk

    def verify(self) -> int:
        """Read to the end, keeping nothing; the plain size. AlteredFileError if anything fails."""
        size = 0
        while not self._done:
            size += len(self._segment())
        return size + len(self._buffer)

    def close(self) -> None:
        self._handle.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def plain_size(stored_size: int, key_id: str) -> int:
    """The plain size of a stored file from its size on disk and key id (no decryption)."""
    body = stored_size - 5 - len(key_id.encode()) - SALT
    segments = max(1, -(-body // (SEGMENT + TAG)))
    return body - segments * TAG


@deconstructible(path="noaber.lib.files.EncryptedStorage")
class EncryptedStorage(FileSystemStorage):
    """MEDIA_ROOT storage that encrypts every file it writes and decrypts every file it opens."""

    def _save(self, name, content):
        name = str(name).replace("\\", "/")  # the name bound into the file is the one returned
        full_path = self.path(name)
        os.makedirs(os.path.dirname(full_path), exist_ok=True)
        while True:
            try:
                fd = os.open(
                    full_path,
                    os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                    0o600,
                )
            except FileExistsError:
                name = self.get_available_name(name)
                full_path = self.path(name)
                continue
            break
        try:
            with os.fdopen(fd, "wb") as target:
                locks.lock(target, locks.LOCK_EX)
                for block in encrypted_blocks(content, name):
                    target.write(block)
                target.flush()
                os.fsync(target.fileno())
        except BaseException:
            os.remove(full_path)
            raise
        if self.file_permissions_mode is not None:
            os.chmod(full_path, self.file_permissions_mode)
        return name

    def _open(self, name, mode="rb"):
        if "w" in mode or "a" in mode or "+" in mode:
            raise ValueError("encrypted files are written through save() only")
        return File(DecryptingReader(open(self.path(name), "rb"), name), name)

    def size(self, name):
        with open(self.path(name), "rb") as handle:
            key_id = read_key_id(handle)
        return plain_size(os.path.getsize(self.path(name)), key_id)

    def key_id(self, name) -> str:
        with open(self.path(name), "rb") as handle:
            return read_key_id(handle)

    def verify(self, name) -> int:
        """Decrypt the whole file without keeping it; its plain size, or AlteredFileError."""
        with DecryptingReader(open(self.path(name), "rb"), name) as reader:
            return reader.verify()

    def encrypt_plain(self, name) -> bool:
        """Encrypt a file written before encryption at rest (no header) in place; False when
        it is missing or already encrypted."""
        try:
            with open(self.path(name), "rb") as handle:
                if handle.read(4) == MAGIC:
                    return False
        except FileNotFoundError:
            return False
        return self._rewrite(name, lambda handle: encrypted_blocks(File(handle), name))

    def decrypt_in_place(self, name) -> bool:
        """The reverse of encrypt_plain, for migrating back to before encryption at rest."""
        try:
            with open(self.path(name), "rb") as handle:
                if handle.read(4) != MAGIC:
                    return False
        except FileNotFoundError:
            return False
        return self._rewrite(name, lambda handle: DecryptingReader(handle, name).chunks())

    def reencrypt(self, name) -> bool:
        """Rewrite a stored file under the newest key, one segment at a time; False when it
        was skipped (see _rewrite)."""
        return self._rewrite(
            name, lambda handle: encrypted_blocks(File(DecryptingReader(handle, name)), name)
        )

    def _rewrite(self, name, blocks_of) -> bool:
        """Replace a stored file by `blocks_of(open original)`, atomically. Under an exclusive
        lock on the original (a second rewrite skips it, a deletion waits for it), into a
        private temporary file beside it (unique name, mode 0600 from the start, synced to
        disk), renamed over the original only while the original is still the file that was
        read, so a file deleted meanwhile never comes back. False when the file is missing,
        locked by another rewrite, or was replaced or deleted meanwhile."""
        full_path = self.path(name)
        try:
            handle = open(full_path, "rb")  # noqa: SIM115 (closed below, after the rename)
        except FileNotFoundError:
            return False
        with handle:
            if not locks.lock(handle, locks.LOCK_EX | locks.LOCK_NB):
                return False
            directory = os.path.dirname(full_path)
            fd, temporary = tempfile.mkstemp(dir=directory, prefix=".", suffix=".rotating")
            try:
                with os.fdopen(fd, "wb") as target:
                    for block in blocks_of(handle):
                        target.write(block)
                    target.flush()
                    os.fsync(target.fileno())
                try:
                    unchanged = os.stat(full_path).st_ino == os.fstat(handle.fileno()).st_ino
                except FileNotFoundError:
                    unchanged = False
                if not unchanged:
                    return False
                os.replace(temporary, full_path)
                _sync_directory(directory)
                return True
            finally:
                if os.path.exists(temporary):
                    os.remove(temporary)

    def delete(self, name):
        """Delete a stored file, after any rewrite of it has finished (its lock)."""
        try:
            handle = open(self.path(name), "rb")  # noqa: SIM115
        except FileNotFoundError:
            return
        with handle:
            locks.lock(handle, locks.LOCK_EX)
            super().delete(name)


def _sync_directory(directory) -> None:
    """Make a rename durable: a crash right after it must not leave an empty file in place."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def encrypt_existing_files(app_label: str, model_name: str, *names: str):
    """A RunPython operation for the migration that puts a FileField on EncryptedStorage:
    every stored file that is still plain is rewritten encrypted, in place and atomically."""

    def forwards(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        for name in names:
            for stored in model._base_manager.exclude(**{name: ""}).values_list(name, flat=True):
                _STORAGE.encrypt_plain(stored)

    def backwards(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        for name in names:
            for stored in model._base_manager.exclude(**{name: ""}).values_list(name, flat=True):
                _STORAGE.decrypt_in_place(stored)

    return migrations.RunPython(forwards, backwards, elidable=True)


def encrypted_storage():
    """The storage of every FileField with personal content (callable, so migrations refer to
    it by name)."""
    return _STORAGE


_STORAGE = EncryptedStorage()


def file_fields() -> dict:
    """{model: [names of its encrypted FileFields]} for every installed model."""
    from django.apps import apps
    from django.db import models

    found = {}
    for model in apps.get_models():
        names = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.FileField) and isinstance(f.storage, EncryptedStorage)
        ]
        if names:
            found[model] = names
    return found


def open_verified(fieldfile):
    """(open file, plain size) of a stored file whose every segment has been checked first, so
    a download of an altered file is refused before a byte is sent (AlteredFileError)."""
    storage, name = fieldfile.storage, fieldfile.name
    handle = open(storage.path(name), "rb")  # noqa: SIM115 (handed to the response)
    # Checked and streamed through one descriptor: a file renamed into place meanwhile (a
    # rotation, a restore) cannot slip in between.
    try:
        size = DecryptingReader(handle, name).verify()
        handle.seek(0)
        return File(DecryptingReader(handle, name), name), size
    except BaseException:
        handle.close()
        raise


def download(fieldfile, *, filename: str, content_type: str) -> FileResponse:
    """A download of a stored file, checked whole before the first byte is sent (AlteredFileError
    otherwise), streamed one segment at a time, never cached."""
    handle, size = open_verified(fieldfile)
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["Content-Length"] = size
    response["Cache-Control"] = "no-store"
    return response


def files_under_missing_keys() -> dict:
    """{"<model label> (files)": count} of stored files under a key that is not configured
    (read from each file's header), for the start-up check noaber.E001."""
    configured = {key_id for key_id, _key in keys()}
    found = {}
    for model, names in file_fields().items():
        count = 0
        for name in names:
            storage = model._meta.get_field(name).storage
            stored = model._base_manager.exclude(**{name: ""}).values_list(name, flat=True)
            for file_name in stored.iterator(chunk_size=2000):
                try:
                    count += storage.key_id(file_name) not in configured
                except (AlteredFileError, FileNotFoundError):
                    continue  # not a key problem: restore_check and downloads report these
        if count:
            found[f"{model._meta.label} (files)"] = count
    return found


def delete_after_commit(fieldfile) -> None:
    """Delete a stored file once the surrounding transaction has committed, so a rollback never
    leaves a row whose file is gone. (A file written by a transaction that rolls back is left
    behind; `manage.py sweep_files` removes such files.)"""
    if fieldfile and fieldfile.name:
        transaction.on_commit(partial(fieldfile.storage.delete, fieldfile.name))
