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
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

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


# Form 3 on PostgreSQL: the database renders every field of the canonical bytes but `detail`
# (keys in the sorted order of models.canonical), so the walk does one HMAC per row and
# builds no Python object per field. A row whose fast bytes do not match is recomputed the
# exact way before it counts as changed: the fast path can be slower, never wrong.
_BEFORE_DETAIL = ("action", "actor", "actor_id", "confidentiality", "created_at",
                  "data_subject", "data_subject_type")  # fmt: skip
_AFTER_DETAIL = ("format", "municipality", "object_id", "object_type", "origin",
                 "parent_span_id", "processing_activity", "reason", "result",
                 "retention_months", "role", "span_id", "trace_id")  # fmt: skip


def _sql_json(name: str) -> str:
    if name == "created_at":
        return ("'\"' || to_char(created_at AT TIME ZONE 'UTC', "
                "'YYYY-MM-DD\"T\"HH24:MI:SS.US') || '+00:00\"'")  # fmt: skip
    if name in ("actor_id", "retention_months", "format"):
        return f"COALESCE({name}::text, 'null')"
    if name in _PLAIN_TEXT:
        # Codes and hexadecimal ids, which never need escaping when Noaber writes them: pasted
        # as they are unless they hold a quote or a backslash (so a value can never reach
        # into the next field); a control character only makes the bytes differ, which sends
        # the row to the exact recomputation.
        return (f"CASE WHEN strpos({name}, '\"') = 0 AND strpos({name}, '\\') = 0 "
                f"THEN '\"' || {name} || '\"' ELSE to_json({name})::text END")  # fmt: skip
    return f"to_json({name})::text"


_PLAIN_TEXT = frozenset({"action", "confidentiality", "data_subject", "data_subject_type",
                         "municipality", "parent_span_id", "processing_activity", "result",
                         "span_id", "trace_id"})  # fmt: skip


def _sql_part(names, opening: str, closing: str) -> str:
    parts = [f"'{opening if i == 0 else ','}\"{name}\":' || {_sql_json(name)}"
             for i, name in enumerate(names)]  # fmt: skip
    return " || ".join(parts) + f" || '{closing}'"


_DETAIL_KEY = ',"detail":'
FAST_SELECT = (
    "SELECT id, " + _sql_part(_BEFORE_DETAIL, "{", _DETAIL_KEY) + ", detail::text, "  # noqa: S608
    + _sql_part(_AFTER_DETAIL, ",", "}") + ", hash FROM audit_auditevent "
    "WHERE municipality = %s AND format >= 3 ORDER BY id"
)  # fmt: skip


def hmac_sha256_hex(key: bytes):
    """HMAC-SHA256 (RFC 2104) with the key's inner and outer states computed once: per
    message two hash copies instead of a key set-up (`hmac.digest` sets the key up again on
    every call, which is about half its cost for an event)."""
    block = key if len(key) <= 64 else hashlib.sha256(key).digest()
    block = block.ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def mac(message: bytes) -> str:
        step = inner.copy()
        step.update(message)
        last = outer.copy()
        last.update(step.digest())
        return last.hexdigest()

    return mac


def _event_rows(chain: str, using: str):
    """The chain's events in id order, each (id, …, hash), and the function that computes a
    row's HMAC: streamed with a server-side cursor."""
    from django.db import connections

    events = AuditEvent.objects.using(using).filter(municipality=chain, format__gte=3)
    if connections[using].vendor != "postgresql":
        rows = events.order_by("id").values_list("id", *CANONICAL_FIELDS, "hash")
        return iter(rows.iterator(chunk_size=CHUNK)), lambda row: _mac(row[1:])
    mac = hmac_sha256_hex(settings.NOABER_AUDIT_KEY.encode())
    details: dict[str, str] = {}

    def fast_mac(row) -> str:
        event_id, before, detail, after, _ = row
        canonical_detail = details.get(detail)
        if canonical_detail is None:
            canonical_detail = json.dumps(json.loads(detail), sort_keys=True,
                                          ensure_ascii=False, separators=(",", ":"))  # fmt: skip
            if len(details) < 10_000:
                details[detail] = canonical_detail
        if mac((before + canonical_detail + after).encode()) == row[-1]:
            return row[-1]
        exact = events.filter(pk=event_id).values_list(*CANONICAL_FIELDS).first()
        return _mac(exact) if exact else ""

    def stream():
        with transaction.atomic(using=using), connections[using].cursor() as cursor:
            # A named (server-side) cursor: rows arrive CHUNK at a time, not all at once.
            with cursor.connection.cursor(name=f"audit_walk_{chain or 'installation'}") as walk:
                walk.itersize = CHUNK
                walk.execute(FAST_SELECT, [chain])
                yield from walk

    return stream(), fast_mac


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
    """The old chain against the seal that closed it: as long and with the same head."""
    report = walk_legacy(using)
    if not report.ok:
        return report
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
    """Walk one municipality's chain: its seals in order, each linking to its predecessor (the
    first to the closed old chain), each event named in a seal present with its own HMAC, and
    every event of the chain that no seal names still waiting in AuditPending. Seals, events
    and queue are read in one snapshot (REPEATABLE READ on PostgreSQL): the sealer works on
    while the walk runs, and an event sealed in between must not look removed."""
    from django.db import connections

    conn = connections[using]
    if conn.in_atomic_block:
        return _verify_chain(chain, using)
    with transaction.atomic(using=using):
        if conn.vendor == "postgresql":
            with conn.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return _verify_chain(chain, using)


def _verify_chain(chain: str, using: str) -> ChainReport:
    seals = (
        AuditSeal.objects.using(using)
        .filter(chain=chain)
        .order_by("number")
        .values_list("number", "first_seq", "count", "event_ids", "prev_hash", "hash")
        .iterator(chunk_size=200)
    )
    rows, row_mac = _event_rows(chain, using)
    ahead = {}  # events read before the seal that names them (a late commit sealed later)
    closing = AuditSeal.objects.using(using).filter(chain=LEGACY_CHAIN, number=1)
    # (None: no seal of the old chain, which only a log whose chains have no seal yet lacks.)
    expected_prev = closing.values_list("hash", flat=True).first()
    position, number, head = 0, 0, None

    def take(wanted):
        if wanted in ahead:
            return ahead.pop(wanted)
        for row in rows:
            if row[0] == wanted:
                return row
            ahead[row[0]] = row
            if row[0] > wanted:
                return None
        return None

    for seal_number, first_seq, count, event_ids, prev_hash, digest in seals:
        if expected_prev is None:
            missing = "the seal that closed the old chain is missing"
            return ChainReport(0, None, "", chain=chain, incident=missing)
        number += 1
        if seal_number != number or first_seq != position + 1:
            return _break(chain, position, position + 1, f"seal {number} is missing")
        if prev_hash != expected_prev:
            return _break(
                chain, position, position + 1, f"seal {number} does not link to its predecessor"
            )
        if count != len(event_ids):
            return _break(chain, position, position + 1, f"seal {number} was changed after writing")
        macs = []
        for event_id in event_ids:
            position += 1
            row = take(event_id)
            if row is None:
                return _break(
                    chain, position - 1, position, f"event #{position} (id {event_id}) is missing"
                )
            if row_mac(row) != row[-1]:
                return _break(
                    chain,
                    position - 1,
                    position,
                    f"event #{position} (id {event_id}) was changed after writing",
                )
            macs.append(row[-1])
        link = AuditSeal(chain=chain, number=seal_number, first_seq=first_seq, count=count,
                         event_ids=event_ids, prev_hash=prev_hash)  # fmt: skip
        if link.compute_hash(macs) != digest:
            return _break(
                chain, first_seq - 1, first_seq, f"seal {number} was changed after writing"
            )
        expected_prev, head = digest, (seal_number, digest)
    # Whatever no seal names must be waiting for one, with a valid HMAC of its own.
    waiting = set(
        AuditPending.objects.using(using).filter(chain=chain).values_list("event_id", flat=True)
    )
    rest = list(ahead.values())
    rest.extend(rows)
    gone = waiting - {row[0] for row in rest}
    if gone:
        return _break(
            chain, position, position + 1,
            f"event id {min(gone)} was waiting to be sealed and is missing",
        )  # fmt: skip
    for row in rest:
        if row[0] not in waiting:
            return _break(
                chain, position, position + 1,
                f"event id {row[0]} is in no seal and not waiting for one: inserted outside "
                "Noaber or its place in the queue removed",
            )  # fmt: skip
        if row_mac(row) != row[-1]:
            return _break(
                chain,
                position,
                position + 1,
                f"waiting event id {row[0]} was changed after writing",
            )
    return ChainReport(
        position, position if head else None, head[1] if head else "",
        chain=chain, waiting=len(rest), head_seal=head[0] if head else None,
    )  # fmt: skip


def chains(using: str = "default") -> list[str]:
    """Every chain of form-3 events: municipalities that have events or seals."""
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
    Each chain is walked on its own: a break in one leaves the others verified. With `jobs`
    > 1 (PostgreSQL, outside a transaction) that many processes walk chains side by side."""
    from .triggers import missing

    absent = missing(using)
    if absent:
        return ChainReport(
            0, None, "",
            incident="the append-only triggers are missing or disabled: " + ", ".join(absent),
        )  # fmt: skip
    names = [only] if only is not None else [LEGACY_CHAIN, *chains(using)]
    if jobs > 1 and len(names) > 1:
        return combine(_walk_in_processes(names, using, jobs))
    return combine([_walk(name, using) for name in names])


def _walk(name: str, using: str = "default") -> ChainReport:
    return verify_legacy(using) if name == LEGACY_CHAIN else verify_chain(name, using)


def _walk_in_child(name: str, using: str) -> ChainReport:
    from django.db import connections

    try:
        return _walk(name, using)
    finally:
        connections.close_all()


def _walk_in_processes(names: list[str], using: str, jobs: int) -> list[ChainReport]:
    """Forked walkers, each with its own connection (the parent's is closed first: a forked
    child must never speak on its parent's socket)."""
    import multiprocessing

    from django.db import connections

    if connections[using].vendor != "postgresql" or connections[using].in_atomic_block:
        return [_walk(name, using) for name in names]
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        return pool.starmap(_walk_in_child, [(name, using) for name in names])


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
