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

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def verify_chain() -> ChainReport:
    """Recompute every hash in order; report the first event that does not fit.

    A changed row fails its own hash; a removed row leaves a gap in `seq` or a broken
    `prev_hash` link; a row inserted behind the application's back breaks one of the two.
    """
    expected_seq, expected_prev = 1, GENESIS_HASH
    checked = 0
    last = None
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
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
        if event.compute_hash() != event.hash:
            return ChainReport(
                checked, None, "", event.seq, f"event #{event.seq} was changed after writing"
            )
        checked += 1
        expected_seq, expected_prev = event.seq + 1, event.hash
        last = event
    return ChainReport(checked, last.seq if last else None, last.hash if last else GENESIS_HASH)
