"""Anchoring the audit chain outside the database.

Removing the newest events (or emptying the table) as database superuser leaves a chain that
still verifies; only a head recorded elsewhere shows it. Noaber records heads itself, in an
append-only file outside the database (NOABER_AUDIT_ANCHOR_FILE), written with O_APPEND and
fsync under a file lock, one JSON line per anchor holding the newest seal of every chain:

    {"n": 12, "heads": {"": [40, "1d0e…"], "GM0183": [977, "9f2c…"]},
     "at": "2026-11-30T17:00:00+00:00",
     "prev": "<mac of line 11>", "mac": "<HMAC-SHA256 with NOABER_AUDIT_KEY over the rest>"}

(Lines written before one chain per municipality, {"chain": "*", "seq": …, "hash": …}, name an
event of the old chain and are read as such.)

Each anchor is also an audit event (`audit_anchor`, with its line number), so the log knows
how many anchors exist and the file knows which heads the log had. `check()` compares them:

- a file that is missing, shorter than the log says, or with a line whose MAC or link does not
  fit (edited, reordered, lines removed from the middle) is reported;
- the newest anchor's head of every chain must still be in the log with its hash
  (`chain.check_head`): a chain shorter than its anchor, or a different hash at an anchored
  seal, is reported.

The file lives on the application's file system, which the database role cannot write; an
operator can ship it off the machine (docs/operations.md, "Audit anchors").
"""

import fcntl
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .chain import chain_name, check_head
from .models import LEGACY_CHAIN, Action, AuditEvent

OBJECT_TYPE = "audit_anchor"


class AnchorError(Exception):
    """The anchor file does not hold what the log says was written to it (message in English,
    for the operator and the log)."""


@dataclass(frozen=True)
class Anchor:
    n: int
    # {chain: (seal number, seal hash)}; chain "*" names an event of the old chain instead.
    heads: dict
    mac: str


def path() -> Path | None:
    configured = getattr(settings, "NOABER_AUDIT_ANCHOR_FILE", "")
    return Path(configured) if configured else None


def _mac(fields: dict) -> str:
    body = json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(settings.NOABER_AUDIT_KEY.encode(), body, hashlib.sha256).hexdigest()


def read(file: Path) -> list[Anchor]:
    """Every anchor in the file, each line's MAC and link checked, heads never moving back;
    AnchorError names the first line that does not fit (or why the file cannot be read)."""
    try:
        text = file.read_text()
    except (OSError, UnicodeDecodeError) as error:
        raise AnchorError(f"the anchor file cannot be read ({type(error).__name__})") from None
    anchors, prev = [], ""
    for number, line in enumerate(text.splitlines(), start=1):
        try:
            fields = json.loads(line)
            mac = str(fields.pop("mac"))
            if "heads" in fields:
                heads = {str(c): (int(h[0]), str(h[1])) for c, h in fields["heads"].items()}
            else:  # a line of the old single chain
                heads = {LEGACY_CHAIN: (int(fields["seq"]), str(fields["hash"]))}
            anchor = Anchor(int(fields["n"]), heads, mac)
            valid = hmac.compare_digest(mac.encode(), _mac(fields).encode())
        except (ValueError, KeyError, TypeError, AttributeError, IndexError):
            raise AnchorError(f"anchor file line {number} is not an anchor") from None
        if not valid:
            raise AnchorError(f"anchor file line {number} was changed after writing")
        if fields.get("prev") != prev or anchor.n != number:
            raise AnchorError(f"anchor file line {number} does not follow line {number - 1}")
        for chain, (seal, digest) in anchor.heads.items():
            before = anchors[-1].heads.get(chain) if anchors else None
            if before and seal < before[0]:
                raise AnchorError(
                    f"anchor file line {number} holds an older head of chain "
                    f"{chain_name(chain)} ({seal}) than line {number - 1} ({before[0]}): the "
                    "log was cut back before it was anchored"
                )
            if before and seal == before[0] and digest != before[1]:
                raise AnchorError(
                    f"anchor file line {number} names another head {seal} of chain "
                    f"{chain_name(chain)}"
                )
        anchors.append(anchor)
        prev = mac
    return anchors


def _written() -> tuple[int, str]:
    """The highest anchor number the log says was written, and a problem ("" when none)."""
    numbers = AuditEvent.objects.filter(object_type=OBJECT_TYPE, action=Action.CREATE)
    highest = 0
    for value in numbers.values_list("object_id", flat=True):
        if not str(value).isdigit():
            return 0, f"an anchor event names no anchor number ({str(value)[:20]!r})"
        highest = max(highest, int(value))
    return highest, ""


def _compare(file: Path, anchors: list[Anchor] | None) -> str:
    """What does not fit between the file (None: missing), the log and the chain; "" if all
    does. The newest anchored head must still be in the chain with its hash."""
    written, problem = _written()
    if problem:
        return problem
    if anchors is None:
        return (f"the anchor file {file} is missing (the log says {written} anchors were "
                "written)" if written else "")  # fmt: skip
    if written > len(anchors):
        return (f"the anchor file holds {len(anchors)} anchors; the log says {written} were "
                "written: lines were removed")  # fmt: skip
    if anchors:
        for chain, (number, digest) in sorted(anchors[-1].heads.items()):
            problem = check_head((chain, number, digest))
            if problem:
                return f"anchored head: {problem}"
    return ""


def write(origin: str = "system") -> Anchor | None:
    """Seal what waits, append every chain's newest seal to the anchor file and record that as
    an event.
    None when no file is configured. Refuses (AnchorError) when the file and the log do not
    fit — a missing or cut file, a log cut back below the newest anchor — instead of writing
    over the evidence: that is an incident for verify_audit, and re-anchoring is a deliberate
    act of the operator (docs/operations.md, "Audit anchors")."""
    from .actions import record
    from .chains import heads, seal_all

    file = path()
    if file is None:
        return None
    file.parent.mkdir(parents=True, exist_ok=True)
    existed = file.exists()
    fd = os.open(file, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        existing = read(file)
        problem = _compare(file, existing if existed else None)
        if problem:
            raise AnchorError(problem)
        seal_all()
        newest = {c: (n, h) for c, (n, _, h) in heads().items() if c != LEGACY_CHAIN}
        fields = {
            "n": len(existing) + 1,
            "heads": {c: [n, h] for c, (n, h) in newest.items()},
            "at": timezone.now().isoformat(timespec="seconds"),
            "prev": existing[-1].mac if existing else "",
        }
        mac = _mac(fields)
        data = (json.dumps(fields | {"mac": mac}, sort_keys=True) + "\n").encode()
        while data:  # a short write must not leave half a line
            data = data[os.write(fd, data) :]
        os.fsync(fd)
        anchor = Anchor(fields["n"], newest, mac)
        # Recorded under the lock, so the log's newest anchor number is this line's.
        record(
            Action.CREATE,
            origin=origin,
            object_type=OBJECT_TYPE,
            object_id=anchor.n,
            detail={"chains": len(newest)},
        )
    finally:
        os.close(fd)
    return anchor


def check() -> tuple[dict | None, str]:
    """(the newest anchored heads, all found in the log) and a problem ("" when none).
    Never raises: whatever cannot be read is itself the problem."""
    file = path()
    if file is None:
        return None, ""
    try:
        if not file.exists():
            return None, _compare(file, None)
        fd = os.open(file, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)  # never half a line being written
            anchors = read(file)
        finally:
            os.close(fd)
        problem = _compare(file, anchors)
    except AnchorError as error:
        return None, str(error)
    except Exception as error:  # noqa: BLE001 - an unreadable anchor is an incident, not a crash
        return None, f"the anchors cannot be checked ({type(error).__name__})"
    if problem or not anchors:
        return None, problem
    return anchors[-1].heads, ""


def newest_anchor_time():
    """When the newest anchor was written (None: none yet), from its audit event."""
    return (
        AuditEvent.objects.filter(object_type=OBJECT_TYPE, action=Action.CREATE)
        .order_by("-id")
        .values_list("created_at", flat=True)
        .first()
    )
