"""Walking the audit chains to prove them unchanged.

Two kinds of chain (docs/decisions/0019-one-audit-chain-per-municipality.md):

- the old installation-wide chain of events of forms 1 and 2 ("*"), closed by one seal that
  records its length and head: `walk_legacy`;
- one chain per municipality ("" for installation-wide events) of form-3 events, linked by
  seals: `verify_chain(chain)`.

Events are streamed as tuples with a server-side cursor on PostgreSQL (no model objects).
"""

import hashlib
import hmac
import json
from array import array
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import repeat

from django.conf import settings
from django.db import DataError, transaction
from django.db.models import Max, Min

from .models import (
    CANONICAL_FIELDS,
    GENESIS_HASH,
    LATER_FIELDS,
    LEGACY_CHAIN,
    AuditEvent,
    AuditPending,
    AuditSeal,
    canonical,
)

try:
    from . import _fastwalk  # the walk's per-row work in C, built by `make` (_fastwalk.c)
except ImportError:  # not built: no C compiler or no OpenSSL headers; the same walk in Python
    _fastwalk = None

CHUNK = 5000


@dataclass
class ChainReport:
    checked: int
    head_seq: int | None
    head_hash: str
    broken_seq: int | None = None
    problem: str = ""
    # Not a broken link but a broken protection: missing triggers, anchors that do not match.
    incident: str = ""
    # The chain this report is about (None: the whole log, its chains in `chains`).
    chain: str | None = None
    # Events committed and not yet sealed (they will be; their own hashes were checked).
    waiting: int = 0
    # The number of the chain's newest seal (its head is CHAIN:head_seal:head_hash).
    head_seal: int | None = None
    chains: list["ChainReport"] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.broken_seq is None and not self.incident

    @property
    def broken_chain(self) -> str | None:
        """The chain of the first break of a whole-log report."""
        for report in self.chains:
            if not report.ok:
                return report.chain
        return self.chain if not self.ok else None


def chain_name(chain: str | None) -> str:
    """How reports name a chain: its municipality code, `installation` or `old chain`."""
    if chain == LEGACY_CHAIN:
        return "old chain"
    return chain or "installation"


def parse_head(text: str) -> tuple[str, int, str]:
    """A head as verify_audit prints it: `CHAIN:NUMBER:HASH` (a chain's seal; the chain is a
    municipality code, `installation` or `*`) or `SEQ:HASH` (an event of the old chain)."""
    parts = text.split(":")
    if len(parts) == 2:
        parts = [LEGACY_CHAIN, *parts]
    if len(parts) != 3 or not parts[1].isdigit() or len(parts[2]) != 64:
        raise ValueError(
            "expected CHAIN:NUMBER:HASH (or SEQ:HASH of the old chain), e.g. "
            "GM0183:12:<64 hexadecimal characters>"
        )
    chain = "" if parts[0] == "installation" else parts[0]
    return chain, int(parts[1]), parts[2].lower()


def _break(chain, checked, seq, problem) -> ChainReport:
    return ChainReport(checked, None, "", seq, problem, chain=chain)


def _values(row) -> dict:
    return dict(zip(CANONICAL_FIELDS, row, strict=False))


def _mac(row) -> str:
    key = settings.NOABER_AUDIT_KEY.encode()
    return hmac.new(key, canonical(_values(row)), hashlib.sha256).hexdigest()


# Form 3 on PostgreSQL: the chain's rows arrive as lines of `COPY … TO STDOUT` (the cheapest
# way out of the database: no per-row protocol of a cursor, no rendering in SQL but the time)
# and Python pastes each line's fields into the canonical form (keys in the sorted order of
# models.canonical). A line whose pasted bytes could differ from the exact form for a reason
# other than a change — a quote or a backslash outside `detail`, which JSON escapes and COPY
# may escape too — and any line whose HMAC does not match is a *suspect*: it is recomputed the
# exact way from its row before it counts as changed. The fast path can be slower, never wrong:
# with no quote and no backslash in them, the pasted values are delimited unambiguously, so
# bytes that match the HMAC are the event's own (docs/decisions/0019).
_FORM_3_KEYS = sorted(set(CANONICAL_FIELDS) - {"seq", "prev_hash"})
_NUMBERS = frozenset({"actor_id", "format", "retention_months"})


def _form_3_copy() -> tuple[str, list[bytes], int]:
    """The COPY query (ids from `{low}` below `{high}` of the chains `{chains}`), the constant
    pieces of the canonical form between which its fields are pasted, and the place of
    `detail` among them."""
    columns, pieces = [], []
    for name in _FORM_3_KEYS:
        if name == "created_at":
            # (`YYYY` has no era: a time moved to the same moment BC must not render alike.)
            columns.append("CASE WHEN created_at >= '0001-01-01 00:00:00+00' AND "
                           "created_at < '10000-01-01 00:00:00+00' THEN to_char(created_at AT "
                           "TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US') END")  # fmt: skip
            pieces.append(f'"{name}":"%s+00:00"')
        elif name in _NUMBERS:
            columns.append(f"COALESCE({name}::text, 'null')")
            pieces.append(f'"{name}":%s')
        elif name == "detail":
            columns.append("detail::text")
            pieces.append(f'"{name}":%s')
        else:
            columns.append(name)
            pieces.append(f'"{name}":"%s"')
    query = (
        f"COPY (SELECT id, municipality, {', '.join(columns)}, hash, '' "  # noqa: S608
        "FROM audit_auditevent WHERE id >= {low} AND id < {high} AND format >= 3 "
        "AND municipality IN ({chains}) ORDER BY id) TO STDOUT"
    )
    template = ("{" + ",".join(pieces) + "}").encode()
    return query, template.split(b"%s"), _FORM_3_KEYS.index("detail")


# (The last column is empty: the line's newline is not part of the hash before it.)
_COPY_QUERY, _PIECES, _DETAIL = _form_3_copy()
BATCH = 2000


def _hmac_states(key: bytes):
    block = key if len(key) <= 64 else hashlib.sha256(key).digest()
    block = block.ljust(64, b"\0")
    return (hashlib.sha256(bytes(b ^ 0x36 for b in block)),
            hashlib.sha256(bytes(b ^ 0x5C for b in block)))  # fmt: skip


def hmac_sha256_hex(key: bytes):
    """HMAC-SHA256 (RFC 2104) with the key's inner and outer states computed once: per
    message two hash copies instead of a key set-up (`hmac.digest` sets the key up again on
    every call, which is about half its cost for an event)."""
    inner, outer = _hmac_states(key)

    def mac(message: bytes) -> str:
        step = inner.copy()
        step.update(message)
        last = outer.copy()
        last.update(step.digest())
        return last.hexdigest()

    return mac


def _canonical_detail(text: bytes) -> bytes:
    return json.dumps(json.loads(text), sort_keys=True, ensure_ascii=False,
                      separators=(",", ":")).encode()  # fmt: skip


def _event_rows(names: list[str], low: int, high: int, using: str):
    """The events of the chains `names` with ids from `low` below `high`, in id order, each
    (id, chain, hash, fine): `fine` is False for a suspect, which `_exact` must settle."""
    macs = tuple({} for _ in names)
    suspects = tuple(set() for _ in names)
    feed = _feed(names, low, high, using, macs, suspects)
    try:
        for _last, strays, _twice in feed:
            rows = [(event_id, _copy_text(chain), digest, False)
                    for event_id, chain, digest in strays]  # fmt: skip
            for name, found, doubtful in zip(names, macs, suspects, strict=True):
                rows.extend((i, name, digest, i not in doubtful) for i, digest in found.items())
                found.clear()
                doubtful.clear()
            yield from sorted(rows)
    finally:
        feed.close()


def _feed(names: list[str], low: int, high: int, using: str, macs: tuple, suspects: tuple):
    """Read the events of the chains `names` with ids from `low` below `high` in id order, in
    batches of up to BATCH: each event's stored hash into `macs[k]` (a dict id -> hash for
    `names[k]`), and its id into `suspects[k]` where the fast way did not find it intact (or
    its id came twice), for `_exact` to settle. After each batch yields (the batch's last id,
    strays: (id, chain as COPY wrote it, hash) of a chain not found among `names`, twice:
    (id, chain) of an id not above the one before it)."""
    from django.db import connections

    connection = connections[using]
    previous = low - 1
    if connection.vendor != "postgresql":
        events = AuditEvent.objects.using(using).filter(
            municipality__in=names, format__gte=3, id__gte=low, id__lt=high
        )
        rows = events.order_by("id").values_list("id", *CANONICAL_FIELDS, "hash")
        place = {name: k for k, name in enumerate(names)}
        twice, read = [], 0
        for row in rows.iterator(chunk_size=CHUNK):
            event_id, k = row[0], place[row[7]]
            macs[k][event_id] = row[-1]
            if event_id <= previous:
                twice.append((event_id, row[7]))
            if event_id <= previous or _mac(row[1:-1]) != row[-1]:
                suspects[k].add(event_id)
            previous, read = event_id, read + 1
            if read % BATCH == 0:
                yield previous, [], twice
                twice = []
        yield previous, [], twice
        return
    import select

    from psycopg import errors, pq, sql

    check = _line_checker(names)
    connection.ensure_connection()
    query = sql.SQL(_COPY_QUERY).format(
        low=sql.Literal(low), high=sql.Literal(high),
        chains=sql.SQL(", ").join(map(sql.Literal, names)),
    )  # fmt: skip
    # `COPY … TO STDOUT` read straight from libpq (psycopg.pq), one call per line: about twice
    # the rate of psycopg's Copy object. The protocol is always completed (a consumer that
    # stops early has the rest drained), so the connection is left as psycopg expects it:
    # idle in its transaction. (Each line is copied out at once: keeping libpq's buffers
    # until the batch is full costs more than the copy.)
    pgconn = connection.connection.pgconn
    pgconn.send_query(query.as_bytes(connection.connection))
    while pgconn.flush():
        select.select([], [pgconn.socket], [])
    result = pgconn.get_result()
    if result.status != pq.ExecStatus.COPY_OUT:
        while pgconn.get_result() is not None:
            pass
        raise errors.error_from_result(result, encoding="utf-8")
    get_copy_data, size, lines = pgconn.get_copy_data, 0, []
    keep = lines.append
    try:
        while (copied := get_copy_data(0))[0] > 0:
            keep(bytes(copied[1]))
            if len(lines) == BATCH:
                found = check(lines, macs, suspects, previous)
                previous = found[0]
                yield found
                lines = []
                keep = lines.append
        size = copied[0]
        yield check(lines, macs, suspects, previous)
    finally:
        while size >= 0 and (size := get_copy_data(0)[0]) > 0:
            pass
        failure = None
        while (result := pgconn.get_result()) is not None:
            if result.status != pq.ExecStatus.COMMAND_OK:
                failure = result
    if failure is not None:
        raise errors.error_from_result(failure, encoding="utf-8")


def _line_checker(names: list[str], *, fast: bool = True):
    """check(lines, macs, suspects, previous) for a batch of COPY lines (see `_feed`): C's
    `_fastwalk.check` where it was built (`make` builds it), else the same work in Python."""
    key = settings.NOABER_AUDIT_KEY.encode()
    details: dict[bytes, bytes] = {}
    if fast and _fastwalk is not None:
        pairs = tuple((name.encode(), name) for name in names)
        pieces, detail_at = tuple(_PIECES), _DETAIL + 2

        def check(lines, macs, suspects, previous):
            return _fastwalk.check(lines, pieces, detail_at, pairs, key, details,
                                   _canonical_detail, macs, suspects, previous)  # fmt: skip

        return check
    inner, outer = _hmac_states(key)
    inner_copy, outer_copy = inner.copy, outer.copy  # hmac_sha256_hex, written out: per row
    place = {name.encode(): k for k, name in enumerate(names)}
    # The canonical form as a list: its constant pieces at even places, a row's fields pasted
    # into the odd ones (a slice assignment and a join cost less than `%` formatting).
    pasted = [b""] * (2 * len(_PIECES) - 1)
    pasted[0::2] = _PIECES
    detail_at = _DETAIL + 2

    def check(lines, macs, suspects, previous):
        strays, twice = [], []
        for line in lines:
            fields = line.split(b"\t")
            event_id, digest = int(fields[0]), fields[-2].decode()
            k = place.get(fields[1])
            if k is None:
                strays.append((event_id, fields[1], digest))
                previous = event_id
                continue
            macs[k][event_id] = digest
            if event_id <= previous:
                twice.append((event_id, names[k]))
                suspects[k].add(event_id)
                previous = event_id
                continue
            previous = event_id
            detail = fields[detail_at]
            if b"\\" in line or line.count(b'"') != detail.count(b'"'):
                suspects[k].add(event_id)
                continue
            canonical_detail = details.get(detail)
            if canonical_detail is None:
                canonical_detail = _canonical_detail(detail)
                if len(details) < 10_000:
                    details[detail] = canonical_detail
            fields[detail_at] = canonical_detail
            pasted[1::2] = fields[2:-2]
            step = inner_copy()
            step.update(b"".join(pasted))
            last = outer_copy()
            last.update(step.digest())
            if last.hexdigest() != digest:
                suspects[k].add(event_id)
        return previous, strays, twice

    return check


def _copy_text(field: bytes) -> str:
    """A text field of a COPY line as it is stored (only a suspect line needs this)."""
    escapes = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
    text, out, k = field.decode(), [], 0
    while k < len(text):
        if text[k] == "\\" and k + 1 < len(text):
            out.append(escapes.get(text[k + 1], text[k + 1]))
            k += 2
        else:
            out.append(text[k])
            k += 1
    return "".join(out)


def _exact(event_id: int, chain: str, using: str) -> bool:
    """A suspect settled: its HMAC recomputed from the row's values in the exact form. The row
    must be the only one with its id, of this chain and form 3, and readable at all (a time
    before year 1 is not)."""
    rows = AuditEvent.objects.using(using).filter(pk=event_id, municipality=chain, format__gte=3)
    try:
        with transaction.atomic(using=using):
            found = list(rows.values_list(*CANONICAL_FIELDS, "hash")[:2])
    except (DataError, ValueError, OverflowError):
        return False
    return len(found) == 1 and _mac(found[0][:-1]) == found[0][-1]


def _set_since_format_2(values: dict) -> bool:
    """An event of the first form was written before the later fields existed, which its HMAC
    does not cover: any of them set means the row was changed."""
    return any(values[name] not in ("", None) for name in LATER_FIELDS)


def walk_legacy(using: str = "default", *, events=AuditEvent) -> ChainReport:
    """Recompute the old chain (forms 1 and 2) in order; report the first event that does not
    fit. A changed row fails its own HMAC; a removed row leaves a gap in `seq` or a broken
    `prev_hash` link; a row inserted without the key cannot carry a valid HMAC."""
    expected_seq, expected_prev = 1, GENESIS_HASH
    checked, last = 0, None
    rows = (
        events.objects.using(using)
        .filter(seq__isnull=False)
        .order_by("seq")
        .values_list(*CANONICAL_FIELDS, "hash")
        .iterator(chunk_size=CHUNK)
    )
    for row in rows:
        values = _values(row)
        seq = values["seq"]
        if seq != expected_seq:
            return _break(
                LEGACY_CHAIN, checked, seq,
                f"event #{expected_seq} is missing (next present is #{seq})",
            )  # fmt: skip
        if values["prev_hash"] != expected_prev:
            return _break(
                LEGACY_CHAIN, checked, seq, f"event #{seq} does not link to its predecessor"
            )
        if values["format"] not in (1, 2) or (
            values["format"] == 1 and _set_since_format_2(values)
        ):
            return _break(LEGACY_CHAIN, checked, seq, f"event #{seq} was changed after writing")
        if _mac(row) != row[-1]:
            return _break(LEGACY_CHAIN, checked, seq, f"event #{seq} was changed after writing")
        checked += 1
        expected_seq, expected_prev = seq + 1, row[-1]
        last = (seq, row[-1])
    return ChainReport(
        checked, last[0] if last else None, last[1] if last else GENESIS_HASH, chain=LEGACY_CHAIN
    )


def verify_legacy(using: str = "default") -> ChainReport:
    """The old chain against the seal that closed it: as long and with the same head, and
    closed: no event of a later form and no second seal claims it. Read in one snapshot (on
    PostgreSQL): the first sealer writes the closing seal while this may run."""
    from django.db import connections

    conn = connections[using]
    if conn.in_atomic_block:
        return _verify_legacy(using)
    with transaction.atomic(using=using):
        if conn.vendor == "postgresql":
            with conn.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return _verify_legacy(using)


def _verify_legacy(using: str) -> ChainReport:
    report = walk_legacy(using)
    if not report.ok:
        return report
    intruder = (
        AuditEvent.objects.using(using)
        .filter(municipality=LEGACY_CHAIN, format__gte=3)
        .values_list("id", flat=True)
        .first()
    )
    if intruder is not None:
        return _break(LEGACY_CHAIN, report.checked, report.checked + 1,
                      f"event id {intruder} claims the closed old chain")  # fmt: skip
    if AuditSeal.objects.using(using).filter(chain=LEGACY_CHAIN, number__gt=1).exists():
        return _break(LEGACY_CHAIN, report.checked, report.checked + 1,
                      "a second seal claims the closed old chain")  # fmt: skip
    closing = AuditSeal.objects.using(using).filter(chain=LEGACY_CHAIN, number=1).first()
    if closing is None:
        if not report.checked and not AuditSeal.objects.using(using).exists():
            return report  # an empty log: the first sealer writes it (chains.start_reference)
        return ChainReport(0, None, "", incident="the seal that closed the old chain is missing")
    if closing.compute_hash([]) != closing.hash:
        return _break(LEGACY_CHAIN, report.checked, 0, "the seal that closed it was changed")
    if report.checked < closing.count:
        return _break(
            LEGACY_CHAIN, report.checked, report.checked + 1,
            f"the log ends at #{report.checked}; the chain was closed at #{closing.count}: "
            "newest events removed",
        )  # fmt: skip
    if report.checked > closing.count or report.head_hash != closing.prev_hash:
        return _break(
            LEGACY_CHAIN, report.checked, closing.count + 1,
            f"events after #{closing.count} were added to the closed chain",
        )  # fmt: skip
    return ChainReport(report.checked, closing.count, closing.hash, chain=LEGACY_CHAIN)


def verify_chain(chain: str, using: str = "default") -> ChainReport:
    """One municipality's chain ("" for installation-wide events): see `verify_chains`."""
    return verify_chains([chain], using)[0]


def verify_chains(
    names: list[str], using: str = "default", *, jobs: int = 1, parts: int | None = None
) -> list[ChainReport]:
    """Walk the chains `names` in one pass over their events in id order, split into `parts`
    ranges of ids (default: `jobs`), each walked by one of `jobs` processes (PostgreSQL,
    outside a transaction; otherwise one after the other here). Every event is read once,
    however many chains there are: a walk per chain would read every page of the table once
    per chain.

    Per chain: its seals in order, each linking to its predecessor (the first to the closed
    old chain); each event a seal names present in the chain with its own HMAC; the seal's
    HMAC over its events; every event no seal names still waiting in AuditPending. A seal is
    checked by the range that holds its lowest event id; events it names in another range
    are matched against what that range found no seal of its own for. Seals, events and
    queue are read in one snapshot (REPEATABLE READ on PostgreSQL, shared with the walkers):
    the sealer works on while the walk runs, and an event sealed in between must not look
    removed."""
    from django.db import connections

    conn = connections[using]
    parts = max(1, parts or jobs)
    forked = jobs > 1 and conn.vendor == "postgresql" and not conn.in_atomic_block
    pool = None
    if forked:
        import multiprocessing

        connections.close_all()  # a forked walker must never speak on its parent's socket
        pool = multiprocessing.get_context("fork").Pool(jobs)
    try:
        if conn.in_atomic_block:
            return _verify_chains(names, using, parts, pool)
        with transaction.atomic(using=using):
            if conn.vendor == "postgresql":
                with conn.cursor() as cursor:
                    _read_only_snapshot(cursor)
            return _verify_chains(names, using, parts, pool)
    except BaseException:
        if pool is not None:
            pool.terminate()  # an error or Ctrl+C: the walkers stop now, not at their end
        raise
    finally:
        if pool is not None:
            pool.close()
            pool.join()


def _read_only_snapshot(cursor, snapshot: str | None = None) -> None:
    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
    if snapshot:
        cursor.execute("SET TRANSACTION SNAPSHOT %s", [snapshot])
    # One core per walker (--jobs gives the walk its cores); no compiling of the query.
    cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
    cursor.execute("SET LOCAL jit = off")


@dataclass
class _Seal:
    number: int
    first_seq: int
    count: int
    ids: array  # empty where only the links were read (`_seals(…, ids=False)`)
    prev_hash: str
    hash: str
    first_id: int | None = None


def _seals(names, using, numbers: dict | None = None, *, ids=True) -> dict[str, list[_Seal]]:
    """The chains' seals in order (`numbers`: only these {chain: set of numbers}). Without
    `ids` only their links and first event ids: the range walkers read the rest themselves."""
    found = {name: [] for name in names}
    columns = ["number", "first_seq", "count", "event_ids" if ids else "event_ids__0"]
    for name in names:
        stored = AuditSeal.objects.using(using).filter(chain=name)
        if numbers is not None:
            wanted = numbers.get(name)
            if not wanted:
                continue
            stored = stored.filter(number__gte=min(wanted), number__lte=max(wanted))
        rows = stored.order_by("number").values_list(*columns, "prev_hash", "hash")
        for number, first_seq, count, listed, prev_hash, digest in rows.iterator(chunk_size=200):
            if numbers is not None and number not in numbers[name]:
                continue
            if ids:
                listed = array("q", listed)
                first = listed[0] if listed else None
            else:
                first, listed = listed if type(listed) is int else None, array("q")
            found[name].append(_Seal(number, first_seq, count, listed, prev_hash, digest, first))
    return found


def _verify_chains(names, using, parts, pool) -> list[ChainReport]:
    from django.db import connections

    start = (
        AuditSeal.objects.using(using)
        .filter(chain=LEGACY_CHAIN, number=1)
        .values_list("hash", flat=True)
        .first()
    )
    # The walkers of a pool read their seals' event ids themselves, side by side.
    seals = _seals(names, using, ids=pool is None)
    waiting = {name: set() for name in names}
    for event_id, name in (
        AuditPending.objects.using(using).filter(chain__in=names).values_list("event_id", "chain")
    ):
        waiting[name].add(event_id)
    bounds = (
        AuditEvent.objects.using(using)
        .filter(municipality__in=names, format__gte=3)
        .aggregate(low=Min("id"), high=Max("id"))
    )
    low, high = bounds["low"] or 0, (bounds["high"] or 0) + 1
    step = max(1, -(-(high - low) // parts))
    ranges = [(low + k * step, min(high, low + (k + 1) * step)) for k in range(parts)]
    ranges = [(lo, hi) for lo, hi in ranges if lo < hi] or [(low, high)]
    # Each seal is checked by the range that holds its first event id (an empty seal: the first).
    owned = [{name: set() for name in names} for _ in ranges]
    for name in names:
        for seal in seals[name]:
            first = seal.first_id if seal.first_id is not None else ranges[0][0]
            k = next((k for k, (lo, hi) in enumerate(ranges) if lo <= first < hi), 0)
            owned[k][name].add(seal.number)
    if pool is not None:
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        found = pool.starmap(
            _walk_range_in_child,
            [(names, lo, hi, owned[k], using, snapshot) for k, (lo, hi) in enumerate(ranges)],
        )
    else:
        found = [
            _walk_range(
                names,
                lo,
                hi,
                {
                    name: [seal for seal in seals[name] if seal.number in owned[k][name]]
                    for name in names
                },
                using,
            )
            for k, (lo, hi) in enumerate(ranges)
        ]
    return [
        _chain_report(name, start, seals[name], waiting[name], [part[name] for part in found])
        for name in names
    ]


def _walk_range_in_child(names, lo, hi, numbers, using, snapshot):
    from django.db import connections

    try:
        with transaction.atomic(using=using):
            with connections[using].cursor() as cursor:
                _read_only_snapshot(cursor, snapshot)
            return _walk_range(names, lo, hi, _seals(names, using, numbers), using)
    finally:
        connections.close_all()


@dataclass
class _Part:
    """What one range found for one chain."""

    problems: list = field(default_factory=list)  # (position, checked, problem)
    foreign: list = field(default_factory=list)  # (event id, position): named here, read elsewhere
    # event id: intact; read here and named by no seal here
    leftovers: dict = field(default_factory=dict)
    suspects: list = field(default_factory=list)  # (position, event id) named here


class _RangeWalk:
    """One chain within one range of ids: rows arrive in id order (their hashes into `macs`,
    the ids the fast way did not find intact into `suspects`); an owned seal is checked
    (`settle`) as soon as the rows it names in this range have all been read."""

    def __init__(self, chain, seals, lo, hi):
        self.chain, self.seals, self.lo, self.hi = chain, seals, lo, hi
        self.macs = {}  # event id: stored hash, read and not yet taken by a seal
        self.suspects = set()  # event ids read here that `_exact` must settle
        self.next = 0
        self.stopped = False
        self.deferred = []  # (seal, hashes with None for events read elsewhere)
        self.part = _Part()
        self.due = self._due()

    def _due(self) -> float:
        if self.stopped or self.next >= len(self.seals):
            return float("inf")
        ids, lo, hi = self.seals[self.next].ids, self.lo, self.hi
        if ids and lo <= min(ids) and max(ids) < hi:
            return max(ids)
        own = [i for i in ids if lo <= i < hi]
        return max(own) if own else lo

    def settle(self, upto=None):
        """Check every owned seal whose rows in this range are all read (all: `upto` None)."""
        while not self.stopped and self.next < len(self.seals):
            if upto is not None and self.due > upto:
                return
            self._check(self.seals[self.next])
            self.next += 1
            self.due = self._due()
        self.due = float("inf")

    def _stop(self, position, checked, problem, *tag):
        self.part.problems.append((position, checked, problem, *tag))
        self.stopped = True

    def _note_suspects(self, seal):
        if self.suspects and not self.suspects.isdisjoint(seal.ids):
            self.part.suspects.extend(
                (seal.first_seq + offset, event_id)
                for offset, event_id in enumerate(seal.ids)
                if event_id in self.suspects
            )
            self.suspects.difference_update(seal.ids)

    def _check(self, seal):
        macs, lo, hi, ids = self.macs, self.lo, self.hi, seal.ids
        if seal.count != len(ids):
            return self._stop(*_seal_changed(seal))
        if ids and lo <= min(ids) and max(ids) < hi:
            # The usual seal: all its events read here (in C; a miss is named below).
            taken = list(map(macs.pop, ids, repeat(None)))
            if None not in taken:
                self._note_suspects(seal)
                if not _seal_intact(self.chain, seal, taken):
                    self._stop(*_seal_changed(seal))
                return
            # put them back: the loop below names what is missing
            macs.update((i, mac) for i, mac in zip(ids, taken, strict=True) if mac is not None)
        self._note_suspects(seal)
        taken, deferred = [], False
        for offset, event_id in enumerate(ids):
            position = seal.first_seq + offset
            if lo <= event_id < hi:
                mac = macs.pop(event_id, None)
                if mac is None:
                    problem = f"event #{position} (id {event_id}) is missing"
                    return self._stop(position, position - 1, problem)
                taken.append(mac)
            else:
                self.part.foreign.append((event_id, position))
                taken.append(None)
                deferred = True
        if deferred:
            self.deferred.append((seal, taken))
        elif not _seal_intact(self.chain, seal, taken):
            self._stop(*_seal_changed(seal))

    def finish(self, using) -> _Part:
        """After the last row: the seals with events read elsewhere (their hashes fetched),
        suspects settled the exact way, and what no seal here took."""
        self.settle()
        elsewhere = {event_id for event_id, _ in self.part.foreign}
        hashes = {}
        for chunk in _chunks(sorted(elsewhere), 500):
            hashes.update(
                (event_id, digest)
                for event_id, digest in AuditEvent.objects.using(using)
                .filter(pk__in=chunk, municipality=self.chain, format__gte=3)
                .values_list("id", "hash")
            )
        for seal, macs in self.deferred:
            for offset, event_id in enumerate(seal.ids):
                if macs[offset] is None:
                    macs[offset] = hashes.get(event_id)
            if None in macs:
                offset = macs.index(None)
                position = seal.first_seq + offset
                self.part.problems.append(
                    (
                        position,
                        position - 1,
                        f"event #{position} (id {seal.ids[offset]}) is missing",
                    )
                )
            elif not _seal_intact(self.chain, seal, macs):
                self.part.problems.append(_seal_changed(seal))
        for position, event_id in self.part.suspects:
            if not _exact(event_id, self.chain, using):
                self.part.problems.append(_event_changed(position, event_id))
                break
        self.part.suspects = []
        self.part.leftovers = {
            event_id: event_id not in self.suspects or _exact(event_id, self.chain, using)
            for event_id in self.macs
        }
        return self.part


def _seal_changed(seal) -> tuple:
    return (seal.first_seq, seal.first_seq - 1, f"seal {seal.number} was changed after writing",
            "seal", seal.count)  # fmt: skip


def _event_changed(position, event_id) -> tuple:
    return (position, position - 1, f"event #{position} (id {event_id}) was changed after writing",
            "event")  # fmt: skip


def _chunks(items, size):
    for start in range(0, len(items), size):
        yield items[start : start + size]


@lru_cache(maxsize=8)
def _pairs_format(count: int) -> str:
    return ",".join(['[%d,"%s"]'] * count)


def _interleave(ids, macs) -> list:
    flat = [None] * (2 * len(macs))
    flat[0::2] = ids
    flat[1::2] = macs
    return flat


def _seal_intact(chain, seal, macs) -> bool:
    """The seal's HMAC over its events: its canonical bytes written out directly (as
    AuditSeal.canonical renders them for codes and hexadecimal hashes), and the model's own
    way when they do not match."""
    pairs = _pairs_format(len(macs)) % tuple(_interleave(seal.ids, macs))
    body = (f'["seal",{json.dumps(chain)},{seal.number},{seal.first_seq},'
            f"{json.dumps(seal.prev_hash)},[{pairs}]]")  # fmt: skip
    key = settings.NOABER_AUDIT_KEY.encode()
    if hmac.new(key, body.encode(), hashlib.sha256).hexdigest() == seal.hash:
        return True
    link = AuditSeal(
        chain=chain,
        number=seal.number,
        first_seq=seal.first_seq,
        count=seal.count,
        event_ids=seal.ids,
        prev_hash=seal.prev_hash,
    )
    return link.compute_hash(macs) == seal.hash


def _walk_range(names, lo, hi, seals, using) -> dict[str, _Part]:
    walks = {name: _RangeWalk(name, seals[name], lo, hi) for name in names}
    order = [walks[name] for name in names]
    feed = _feed(names, lo, hi, using, tuple(w.macs for w in order),
                 tuple(w.suspects for w in order))  # fmt: skip
    try:
        for last, strays, twice in feed:
            for event_id, chain in twice:  # in order, each once: unless the key was dropped
                problem = f"event id {event_id} is in the log twice: its primary key was removed"
                walks[chain].part.problems.append((1, 0, problem))
            for event_id, chain, digest in strays:  # a name COPY had to escape
                walk = walks[_copy_text(chain)]
                walk.macs[event_id] = digest
                walk.suspects.add(event_id)
            for walk in order:
                if walk.due <= last:
                    walk.settle(last)
    finally:
        feed.close()
    return {name: walk.finish(using) for name, walk in walks.items()}


def _chain_report(chain, start, seals, waiting, parts) -> ChainReport:
    """One chain's verdict from the seals' links and what every range found: the problem at
    the lowest position, if any."""
    problems, position, expected_prev = [], 0, start
    for number, seal in enumerate(seals, start=1):
        if expected_prev is None:
            missing = "the seal that closed the old chain is missing"
            return ChainReport(0, None, "", chain=chain, incident=missing)
        if seal.number != number or seal.first_seq != position + 1:
            problems.append((position + 1, position, f"seal {number} is missing"))
            break
        if seal.prev_hash != expected_prev:
            problems.append(
                (position + 1, position, f"seal {number} does not link to its predecessor")
            )
            break
        position += seal.count
        expected_prev = seal.hash
    end = position if not problems else sum(s.count for s in seals)
    for part in parts:
        problems.extend(part.problems)
    leftovers = {}
    for part in parts:
        leftovers.update(part.leftovers)
    named_elsewhere = {}
    for part in parts:
        for event_id, at in part.foreign:
            if event_id in named_elsewhere or event_id not in leftovers or event_id in waiting:
                problems.append((at, at - 1, f"event #{at} (id {event_id}) is missing"))
            elif not leftovers[event_id]:
                problems.append(_event_changed(at, event_id))
            named_elsewhere[event_id] = at
    gone = waiting - leftovers.keys()
    if gone:
        problems.append(
            (end + 1, end, f"event id {min(gone)} was waiting to be sealed and is missing")
        )
    for event_id in sorted(leftovers.keys() - named_elsewhere.keys()):
        if event_id not in waiting:
            problems.append(
                (
                    end + 1,
                    end,
                    f"event id {event_id} is in no seal and not waiting for one: "
                    "inserted outside Noaber or its place in the queue removed",
                )
            )
            break
        if not leftovers[event_id]:
            problems.append(
                (end + 1, end, f"waiting event id {event_id} was changed after writing")
            )
            break
    # A seal fails its HMAC when one of its events was changed together with its hash: the
    # event is named, not the seal.
    changed = [found[0] for found in problems if found[3:4] == ("event",)]
    problems = [
        found for found in problems
        if found[3:4] != ("seal",) or not any(0 <= at - found[0] < found[4] for at in changed)
    ]  # fmt: skip
    if problems:
        seq, checked, problem = min(problems, key=lambda found: found[0])[:3]
        return _break(chain, checked, seq, problem)
    head = seals[-1] if seals else None
    return ChainReport(
        end,
        end if head else None,
        head.hash if head else "",
        chain=chain,
        waiting=len(waiting),
        head_seal=head.number if head else None,
    )


def chains(using: str = "default") -> list[str]:
    """Every chain of form-3 events: municipalities that have events or seals."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor == "postgresql":
        # A skip scan over the (municipality, id) index: one probe per municipality instead of
        # reading every event (seconds at ten million), then one probe for a form-3 event.
        with connection.cursor() as cursor:
            cursor.execute(
                "WITH RECURSIVE code AS ("
                " (SELECT municipality FROM audit_auditevent ORDER BY municipality LIMIT 1)"
                " UNION ALL SELECT (SELECT e.municipality FROM audit_auditevent e"
                "  WHERE e.municipality > code.municipality ORDER BY e.municipality LIMIT 1)"
                " FROM code WHERE code.municipality IS NOT NULL)"
                " SELECT municipality FROM code WHERE municipality IS NOT NULL AND EXISTS"
                " (SELECT 1 FROM audit_auditevent e WHERE e.municipality = code.municipality"
                "  AND e.format >= 3)"
            )
            found = {code for (code,) in cursor.fetchall()}
    else:
        found = set(
            AuditEvent.objects.using(using)
            .filter(format__gte=3)
            .values_list("municipality", flat=True)
            .distinct()
            .order_by()
        )
    found |= set(
        AuditSeal.objects.using(using)
        .exclude(chain=LEGACY_CHAIN)
        .values_list("chain", flat=True)
        .distinct()
        .order_by()
    )
    return sorted(found)


def verify_log(using: str = "default", *, only: str | None = None, jobs: int = 1) -> ChainReport:
    """The triggers, then the old chain and every municipality's chain (or `only` that one).
    A break in one chain leaves the others verified. With `jobs` > 1 (PostgreSQL, outside a
    transaction) that many processes walk ranges of the log side by side."""
    from .triggers import missing

    absent = missing(using)
    if absent:
        return ChainReport(
            0, None, "",
            incident="the append-only triggers are missing or disabled: " + ", ".join(absent),
        )  # fmt: skip
    reports = []
    if only is None or only == LEGACY_CHAIN:
        reports.append(verify_legacy(using))
    names = [only] if only is not None else chains(using)
    names = [name for name in names if name != LEGACY_CHAIN]
    if names:
        reports.extend(verify_chains(names, using, jobs=jobs))
    return combine(reports)


def combine(reports: list[ChainReport]) -> ChainReport:
    total = ChainReport(
        sum(r.checked for r in reports), None, "", chains=reports,
        waiting=sum(r.waiting for r in reports),
    )  # fmt: skip
    for report in reports:
        if report.incident:
            total.incident = report.incident
            break
        if not report.ok:
            total.broken_seq, total.problem, total.chain = (
                report.broken_seq, report.problem, report.chain,
            )  # fmt: skip
            break
    head = heads_digest({r.chain: (r.head_seq or 0, r.head_hash) for r in reports if r.head_hash})
    total.head_seq, _, total.head_hash = head.partition(":")
    total.head_seq = int(total.head_seq)
    return total


def heads_digest(heads: dict[str, tuple[int, str]]) -> str:
    """`TOTAL:DIGEST` of every chain's head {chain: (last position, seal hash)}: what a backup's
    manifest records and its restore check compares (the total shows a shorter log)."""
    lines = "\n".join(f"{chain}:{last}:{digest}" for chain, (last, digest) in sorted(heads.items()))
    total = sum(last for last, _ in heads.values())
    return f"{total}:{hashlib.sha256(lines.encode()).hexdigest()}"


def check_head(head: tuple[str, int, str], using: str = "default") -> str:
    """ "" when `head` (chain, number, hash) is still in the log as it was; otherwise why not."""
    chain, number, digest = head
    if chain == LEGACY_CHAIN:
        found = AuditEvent.objects.using(using).filter(seq=number).values_list("hash", flat=True)
        what = f"event #{number} of the old chain"
    else:
        found = AuditSeal.objects.using(using).filter(chain=chain, number=number)
        found = found.values_list("hash", flat=True)
        what = f"seal {number} of chain {chain_name(chain)}"
    hashes = list(found)
    if not hashes:
        return f"the log no longer holds {what}: newest events removed or the log emptied"
    if hashes != [digest]:
        return f"{what} differs from the recorded head"
    return ""


def verify_all(
    expect_head: tuple[str, int, str] | None = None,
    *,
    only: str | None = None,
    seal_first: bool = True,
    jobs: int = 1,
) -> ChainReport:
    """The whole proof: the anchor file against the log (the newest anchored head of every
    chain must still be there as it was), `expect_head` (a head an operator kept elsewhere),
    the triggers, and every chain. With `seal_first`, what waits is sealed first."""
    from .anchors import check

    _, problem = check()
    if problem:
        return ChainReport(0, None, "", incident=f"audit anchors: {problem}")
    if seal_first:
        from .chains import seal_all

        seal_all()
    report = verify_log(only=only, jobs=jobs)
    if report.ok and expect_head:
        problem = check_head(expect_head)
        if problem:
            chain = expect_head[0]
            return ChainReport(report.checked, None, "", expect_head[1], problem, chain=chain,
                               chains=report.chains)  # fmt: skip
    return report
