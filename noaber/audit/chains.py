"""One audit chain per municipality: the sealer.

`record()` inserts an event in the caller's transaction, without any lock, and a trigger
queues it in AuditPending in the same statement, so neither writers nor municipalities wait
for each other. Right after commit the writer wakes its process's sealer thread
(`seal_soon`); one such thread in the installation holds the sealer role (`_Sealer`),
gathers what commits in the next 200 ms in any process and calls `seal(chain)` for every
chain with waiting events: everything waiting in that chain, in event id order, becomes one
AuditSeal, the HMAC over the previous seal's hash and the events' ids and hashes.

Sealers of one chain exclude each other with a per-chain lock they only try (PostgreSQL
advisory transaction lock; SQLite's write lock serialises anyway); one that finds the lock
taken leaves the work to its holder, which looks again after its commit. A crash between
commit and sealing leaves the events waiting, and the next sealer (the sealer thread, the
task every minute, verify_audit, an anchor) chains them.
See docs/decisions/0019-one-audit-chain-per-municipality.md.
"""

import logging
import os
import threading
import time
import zlib

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from .models import GENESIS_HASH, LEGACY_CHAIN, AuditEvent, AuditPending, AuditSeal

# Events per seal at most; more waiting makes more seals in one run.
BATCH = 2000
# How long the sealer thread gathers commits before it seals (seconds): under load one seal
# chains many events; alone, an event is chained this long after its commit.
GATHER = 0.2
# After this long without waiting events the sealer looks only every IDLE seconds (its own
# process's commits still wake it at once).
IDLE = 1.0
logger = logging.getLogger("noaber.audit")
# The advisory lock class of the sealers (any constant; the chain's CRC is the object id).
SEAL_LOCK_CLASS = 0x6E6F6162
# The session advisory lock of the installation's one sealer thread (class, 0).
SEALER_ROLE_LOCK_CLASS = SEAL_LOCK_CLASS + 1


class ChainStartError(Exception):
    """The seal that closed the old chain is gone: no chain can be extended or verified."""


def start_reference() -> str:
    """The hash every municipality's first seal links to: the seal of the old chain. A log
    that holds no seal and no old event at all (a database emptied as a whole, e.g. between
    tests) gets the seal of an empty old chain, as migration 0004 writes it; anything else
    without it is broken."""
    found = (
        AuditSeal.objects.filter(chain=LEGACY_CHAIN, number=1)
        .values_list("hash", flat=True)
        .first()
    )
    if found is None:
        if AuditSeal.objects.exists() or AuditEvent.objects.filter(seq__isnull=False).exists():
            raise ChainStartError("the seal that closed the old audit chain is missing")
        return close_legacy_chain().hash
    return found


def _lock_id(chain: str) -> int:
    value = zlib.crc32(chain.encode())
    return value - 2**32 if value >= 2**31 else value


def _try_lock(chain: str) -> bool:
    if connection.vendor != "postgresql":
        return True  # IMMEDIATE transactions: the write lock is ours for the whole block
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_try_advisory_xact_lock(%s, %s)", [SEAL_LOCK_CLASS, _lock_id(chain)]
        )
        return bool(cursor.fetchone()[0])


def seal(chain: str) -> int:
    """Chain every event waiting in `chain`; returns how many this call sealed. Returns early
    when another sealer holds the chain: that one looks again after its commit and so sees
    whatever committed before this call."""
    sealed = 0
    waiting = AuditPending.objects.filter(chain=chain)
    while waiting.exists():
        with transaction.atomic():
            if not _try_lock(chain):
                return sealed
            # A waiting id without its event cannot be chained; it stays for verify_audit.
            found = list(
                AuditEvent.objects.filter(
                    pk__in=waiting.values("event_id"), municipality=chain, format__gte=3
                )
                .order_by("pk")
                .values_list("pk", "hash")[:BATCH]
            )
            if not found:
                return sealed
            ids = [pk for pk, _ in found]
            macs = dict(found)
            last = AuditSeal.objects.filter(chain=chain).order_by("-number").first()
            link = AuditSeal(
                chain=chain,
                number=last.number + 1 if last else 1,
                first_seq=last.last_seq + 1 if last else 1,
                count=len(ids),
                event_ids=ids,
                created_at=timezone.now(),
                prev_hash=last.hash if last else start_reference(),
            )
            link.hash = link.compute_hash([macs[i] for i in ids])
            link.save(force_insert=True)
            AuditPending.objects.filter(event_id__in=ids).delete()
            sealed += len(ids)
    return sealed


class _Sealer:
    """The process's sealer thread (PostgreSQL). One thread in the installation is the sealer
    at a time: the one holding the session advisory lock SEALER_ROLE_LOCK_CLASS/0. It looks for
    waiting events every GATHER seconds while there are any (every IDLE seconds when there
    were none for a while) and seals each chain that has them, so one seal chains what every
    process committed meanwhile. The other processes' threads only try, now and then, to take
    over — a sealer that dies releases the lock with its session. Its own connection; a fork
    (gunicorn, multiprocessing) starts a fresh thread in the child."""

    def __init__(self):
        self.lock = threading.Lock()
        self.wake = threading.Condition(self.lock)
        self.dirty: set[str] = set()
        self.busy = False
        self.resign = False
        self.pid = None
        self.thread = None

    def add(self, chain: str) -> None:
        if self.pid != os.getpid():
            # A forked child: the parent's lock may have been copied while held.
            self.lock = threading.Lock()
            self.wake = threading.Condition(self.lock)
            self.thread = None
        with self.lock:
            if self.pid != os.getpid() or not self.thread.is_alive():
                self.dirty, self.busy, self.resign, self.pid = set(), False, False, os.getpid()
                self.thread = threading.Thread(target=self.run, name="audit-sealer", daemon=True)
                self.thread.start()
            self.dirty.add(chain)
            self.wake.notify_all()

    def run(self) -> None:
        from django.db import connection

        leader, idle_since, last_try = False, time.monotonic(), 0.0
        while True:
            with self.lock:
                if self.resign:
                    leader, self.resign, last_try = False, False, 0.0
                    connection.close()  # the lock goes with the session
                    self.wake.notify_all()
                if not self.dirty and (not leader or time.monotonic() - idle_since > IDLE):
                    # Not the sealer, or idle: sleep until this process commits an event (or
                    # IDLE passes, for the sealer, which also seals other processes' events).
                    self.wake.wait(None if not leader else IDLE)
                gathered = set(self.dirty)
            time.sleep(GATHER)
            with self.lock:
                self.dirty -= gathered
                self.busy = True
            try:
                if not leader and time.monotonic() - last_try >= 1.0:
                    last_try = time.monotonic()
                    leader = _take_sealer_role()
                if leader:
                    chains = list(AuditPending.objects.values_list("chain", flat=True)
                                  .distinct().order_by())  # fmt: skip
                    for chain in sorted(chains):
                        seal(chain)
                    if chains:
                        idle_since = time.monotonic()
            except Exception:  # noqa: BLE001 - nothing is lost: the events wait in the queue
                logger.exception("Audit events left for the next sealer")
                leader = False
                connection.close()
            finally:
                with self.lock:
                    self.busy = False
                    self.wake.notify_all()

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until this process's commits so far went through a sealing round, then give
        up the sealer role and the connection (tests, benches); False on timeout."""
        deadline = time.monotonic() + timeout
        with self.lock:
            if self.thread is None or not self.thread.is_alive() or self.pid != os.getpid():
                return True
            while (self.dirty or self.busy) and time.monotonic() < deadline:
                self.wake.wait(0.05)
            self.resign = True
            self.wake.notify_all()
            while self.resign and time.monotonic() < deadline:
                self.wake.wait(0.05)
            return not (self.resign or self.dirty or self.busy)


def _take_sealer_role() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, 0)", [SEALER_ROLE_LOCK_CLASS])
        return bool(cursor.fetchone()[0])


_sealer = _Sealer()


def seal_soon(chain: str) -> None:
    """Have this process's sealer chain `chain` a moment from now (after commit). SQLite has
    one writer at a time (and an in-memory test database refuses a second thread's lock): there
    the writer seals at once, in its own thread."""
    if connection.vendor != "postgresql":
        try:
            seal(chain)
        except Exception:  # noqa: BLE001 - the writer's transaction has committed; nothing lost
            logger.exception("Audit events left for the next sealer")
        return
    _sealer.add(chain)


def drain(timeout: float = 10.0) -> bool:
    return _sealer.drain(timeout)


def seal_all() -> int:
    """Seal every chain that has events waiting (the task, verify_audit, anchors)."""
    # (Never the closed old chain: an event of form 3 that claims it is for verify to report.)
    chains = (
        AuditPending.objects.exclude(chain=LEGACY_CHAIN)
        .values_list("chain", flat=True)
        .distinct()
        .order_by("chain")
    )
    return sum(seal(chain) for chain in list(chains))


def heads() -> dict[str, tuple[int, int, str]]:
    """Each chain's newest seal: {chain: (seal number, last position, hash)}."""
    found = {}
    numbers = AuditSeal.objects.values("chain").annotate(top=Max("number"))
    wanted = {row["chain"]: row["top"] for row in numbers}
    for link in AuditSeal.objects.filter(
        number__in=set(wanted.values()), chain__in=list(wanted)
    ).only("chain", "number", "first_seq", "count", "hash"):
        if wanted[link.chain] == link.number:
            found[link.chain] = (link.number, link.last_seq, link.hash)
    return found


def close_legacy_chain(using: str = "default", *, events=None, seals=None) -> AuditSeal:
    """Close the chain of before 0019 with proof: walk it (it must verify), then write the seal
    that records its length and final head, the start of every municipality's chain. Used by
    migration 0004 (with the historical models) and idempotent: an existing seal is returned.
    Raises ValueError naming the break when the old chain does not verify."""
    from .chain import walk_legacy

    events = events or AuditEvent
    seals = seals or AuditSeal
    existing = seals.objects.using(using).filter(chain=LEGACY_CHAIN, number=1).first()
    if existing is not None:
        return existing
    report = walk_legacy(using, events=events)
    if not report.ok:
        raise ValueError(
            f"The audit chain does not verify (event #{report.broken_seq}: {report.problem}); "
            "it is not sealed. Investigate before migrating (docs/operations.md)."
        )
    link = AuditSeal(
        chain=LEGACY_CHAIN,
        number=1,
        first_seq=1,
        count=report.checked,
        event_ids=[],
        created_at=timezone.now(),
        prev_hash=report.head_hash or GENESIS_HASH,
    )
    fields = {f.attname: getattr(link, f.attname) for f in AuditSeal._meta.concrete_fields}
    fields.pop("id")
    fields["hash"] = link.compute_hash([])
    return seals.objects.using(using).create(**fields)
