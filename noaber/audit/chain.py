"""Walking the audit chain to prove it unchanged."""

from dataclasses import dataclass

from .models import GENESIS_HASH, AuditEvent


@dataclass
class ChainReport:
    checked: int
    head_seq: int | None
    head_hash: str
    broken_seq: int | None = None
    problem: str = ""
    # Not a broken link but a broken protection: missing triggers, anchors that do not match.
    incident: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_seq is None and not self.incident


def parse_head(text: str) -> tuple[int, str]:
    """`SEQ:HASH` as printed by verify_audit, e.g. `1532:9f2c…`."""
    seq, _, digest = text.partition(":")
    if not seq.isdigit() or len(digest) != 64:
        raise ValueError("expected SEQ:HASH, e.g. 1532:<64 hexadecimal characters>")
    return int(seq), digest.lower()


def verify_chain(
    expect_head: tuple[int, str] | None = None, *, using: str = "default"
) -> ChainReport:
    """Recompute every HMAC in order; report the first event that does not fit.

    A changed row fails its own HMAC; a removed row leaves a gap in `seq` or a broken
    `prev_hash` link; a row inserted behind the application's back cannot carry a valid HMAC
    without the key. Removing the newest rows leaves a shorter chain that is still valid, so
    `expect_head` (a head recorded earlier outside the database) must still be in it.
    `using` names another database connection (a restored backup, see restore_check).
    Missing or disabled append-only triggers are a break too (reported with sequence 0): with
    them gone, rows can be rewritten and a rewrite with the key would go unnoticed.
    """
    from .triggers import missing

    absent = missing(using)
    if absent:
        return ChainReport(
            0, None, "",
            incident="the append-only triggers are missing or disabled: " + ", ".join(absent),
        )  # fmt: skip
    expected_seq, expected_prev = 1, GENESIS_HASH
    checked = 0
    last = None
    for event in AuditEvent.objects.using(using).order_by("seq").iterator(chunk_size=2000):
        if event.seq != expected_seq:
            return ChainReport(
                checked,
                None,
                "",
                event.seq,
                f"event #{expected_seq} is missing (next present is #{event.seq})",
            )
        if event.prev_hash != expected_prev:
            return ChainReport(
                checked,
                None,
                "",
                event.seq,
                f"event #{event.seq} does not link to its predecessor",
            )
        if event.format not in (1, 2) or (event.format == 1 and _set_since_format_2(event)):
            return ChainReport(
                checked, None, "", event.seq, f"event #{event.seq} was changed after writing"
            )
        if event.compute_hash() != event.hash:
            return ChainReport(
                checked, None, "", event.seq, f"event #{event.seq} was changed after writing"
            )
        if expect_head and event.seq == expect_head[0] and event.hash != expect_head[1]:
            return ChainReport(
                checked, None, "", event.seq, f"event #{event.seq} differs from the recorded head"
            )
        checked += 1
        expected_seq, expected_prev = event.seq + 1, event.hash
        last = event
    if expect_head and (last is None or last.seq < expect_head[0]):
        return ChainReport(
            checked,
            None,
            "",
            expect_head[0],
            f"the log ends before the recorded head #{expect_head[0]}: newest events removed",
        )
    return ChainReport(checked, last.seq if last else None, last.hash if last else GENESIS_HASH)


def _set_since_format_2(event) -> bool:
    """An event of the first form was written before the later fields existed, which its HMAC
    does not cover: any of them set means the row was changed."""
    return bool(
        event.processing_activity or event.confidentiality or event.retention_months is not None
        or event.trace_id or event.span_id or event.parent_span_id or event.data_subject
        or event.data_subject_type
    )  # fmt: skip


def verify_all(expect_head: tuple[int, str] | None = None) -> ChainReport:
    """The whole proof: the triggers, the anchor file against the log, and the chain against
    the newest anchor and `expect_head` (a head an operator kept elsewhere), both."""
    from .anchors import check

    anchored, problem = check()
    if problem:
        return ChainReport(0, None, "", incident=f"audit anchors: {problem}")
    report = verify_chain(anchored)
    if report.ok and expect_head and expect_head != anchored:
        report = verify_chain(expect_head)
    return report
