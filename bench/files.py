"""Files at rest: encrypting and decrypting an attachment through EncryptedStorage.

Writes a file of --mb megabytes (default 10) from disk through the storage (as an upload that
Django spooled to a temporary file), reads it back through the storage, and verifies it as a
download does; prints MB/s and the peak of Python allocations (tracemalloc) against the size of
the file: the promise is that a file never sits whole in memory twice, so a streamed write or
read should peak at a few segments, far below one file. Also prints plain AES-GCM over the whole
file in one call as the peer (the speed ceiling of the same primitive on this machine).

    .venv/bin/python bench/files.py [--mb 10] [--runs 3]

No database is needed; the storage writes under a temporary directory.
"""

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "noaber.settings")
os.environ.setdefault("NOABER_DEBUG", "1")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()

    import django

    django.setup()
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from django.core.files import File

    from noaber.lib.files import EncryptedStorage

    size = options.mb * 1024 * 1024
    work = tempfile.mkdtemp(prefix="noaber-bench-files-")
    source = Path(work) / "upload.bin"
    with open(source, "wb") as out:
        for _ in range(options.mb):
            out.write(os.urandom(1024 * 1024))
    storage = EncryptedStorage(location=Path(work) / "media")

    def timed(fn):
        best, peak = None, 0
        for _ in range(options.runs):
            tracemalloc.start()
            start = time.perf_counter()
            result = fn()
            elapsed = time.perf_counter() - start
            peak = max(peak, tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()
            best = elapsed if best is None else min(best, elapsed)
        return best, peak, result

    names = []

    def write():
        with open(source, "rb") as handle:
            names.append(storage.save("bijlage.bin", File(handle)))

    def read():
        total = 0
        with storage.open(names[-1]) as handle:
            for chunk in handle.chunks():
                total += len(chunk)
        return total

    def verify():
        return storage.verify(names[-1])

    def whole_file_aesgcm():
        data = source.read_bytes()
        AESGCM(AESGCM.generate_key(256)).encrypt(os.urandom(12), data, None)

    print(f"File of {options.mb} MB, best of {options.runs} runs; peak = Python allocations")
    rows = [("encrypt (storage.save)", write), ("decrypt (stream read)", read),
            ("verify (download check)", verify),
            ("peer: AES-GCM whole file in one call", whole_file_aesgcm)]  # fmt: skip
    for label, fn in rows:
        elapsed, peak, result = timed(fn)
        if fn is read or fn is verify:
            assert result == size, (label, result, size)
        print(
            f"{label:<38} {options.mb / elapsed:8.1f} MB/s   peak {peak / 2**20:6.2f} MiB "
            f"({peak / size:.2f} × the file)"
        )
    stored = os.path.getsize(storage.path(names[-1]))
    print(f"stored size {stored} bytes for {size} plain (+{stored - size} bytes: header and tags)")


if __name__ == "__main__":
    main()
