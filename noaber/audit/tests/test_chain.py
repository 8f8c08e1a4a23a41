import json
import os
from io import StringIO
from unittest import mock

from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import SimpleTestCase
from django.urls import reverse

from noaber.accounts.tests.base import NoaberTestCase
from noaber.audit.actions import REDACTED, record
from noaber.audit.chain import verify_log
from noaber.audit.chains import seal_all
from noaber.audit.models import LEGACY_CHAIN, Action, AuditEvent, AuditPending, AuditSeal, Result
from noaber.audit.triggers import SEAL_TABLE, triggers_removed

TABLE = AuditEvent._meta.db_table


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def verify_chain():
    """The whole log, after sealing what waits (what verify_audit does)."""
    seal_all()
    return verify_log()


class ChainTests(NoaberTestCase):
    def setUp(self):
        # Events in both municipalities and installation-wide, sealed into their chains.
        for n in range(3):
            record(Action.VIEW, origin="system", municipality=self.dinkelland,
                   object_type="report", object_id=f"d{n}")  # fmt: skip
            record(Action.VIEW, origin="system", municipality=self.tubbergen,
                   object_type="report", object_id=f"t{n}")  # fmt: skip
        seal_all()

    def chain_events(self, code):
        """The events of a chain in chain order, from its seals."""
        ids = [i for s in AuditSeal.objects.filter(chain=code).order_by("number")
               for i in s.event_ids]  # fmt: skip
        events = AuditEvent.objects.in_bulk(ids)
        return [events[i] for i in ids]

    def test_each_municipality_has_its_own_chain_starting_at_the_closed_old_chain(self):
        start = AuditSeal.objects.get(chain=LEGACY_CHAIN, number=1)
        for code in ("GM1774", "GM0183", ""):
            with self.subTest(chain=code):
                seals = list(AuditSeal.objects.filter(chain=code).order_by("number"))
                self.assertTrue(seals)
                self.assertEqual(seals[0].prev_hash, start.hash)
                position = 1
                for prev, link in zip([None, *seals], seals, strict=False):
                    if prev:
                        self.assertEqual(link.prev_hash, prev.hash)
                    self.assertEqual(link.first_seq, position)
                    position += link.count
                    macs = [AuditEvent.objects.get(pk=i).hash for i in link.event_ids]
                    self.assertEqual(link.hash, link.compute_hash(macs))
                events = self.chain_events(code)
                self.assertEqual({e.municipality for e in events}, {code})
                self.assertEqual([e.pk for e in events], sorted(e.pk for e in events))
                for event in events:
                    self.assertEqual((event.seq, event.prev_hash, event.format), (None, "", 3))
                    self.assertEqual(event.hash, event.compute_hash())
        self.assertFalse(AuditPending.objects.exists())

    def test_an_event_commits_with_its_change_or_not_at_all(self):
        before = AuditEvent.objects.count()
        with self.assertRaises(RuntimeError), transaction.atomic():
            record(Action.UPDATE, origin="system", municipality=self.dinkelland)
            raise RuntimeError("the change fails")
        self.assertEqual(AuditEvent.objects.count(), before)
        self.assertFalse(AuditPending.objects.exists())
        self.assertTrue(verify_chain().ok)

    def test_events_left_unsealed_by_a_crash_are_chained_by_the_next_sealer(self):
        # The writer committed and died before sealing: its events wait in AuditPending.
        sealed = len(self.chain_events("GM1774"))
        waiting = [record(Action.VIEW, origin="system", municipality=self.dinkelland,
                          object_type="report", object_id=n) for n in range(3)]  # fmt: skip
        self.assertEqual(AuditPending.objects.filter(chain="GM1774").count(), 3)
        out = StringIO()
        call_command("verify_audit", "--no-record", stdout=out)
        self.assertIn(f"GM1774: {sealed} events, 3 more waiting to be sealed", out.getvalue())
        out = StringIO()
        call_command("verify_audit", stdout=out)  # seals first
        total = sealed + 3
        self.assertIn(f"GM1774: {total} events, head GM1774:", out.getvalue())
        chained = [e.pk for e in self.chain_events("GM1774")]
        self.assertEqual(chained[sealed:], [e.pk for e in waiting])
        self.assertFalse(AuditPending.objects.filter(chain="GM1774").exists())

    def test_verify_audit_passes_on_an_untouched_log_and_can_check_one_chain(self):
        out = StringIO()
        call_command("verify_audit", stdout=out)
        self.assertIn("Audit chain intact", out.getvalue())
        for name in ("old chain", "GM1774", "GM0183", "installation"):
            self.assertIn(f"  {name}: ", out.getvalue())
        self.assertEqual(AuditEvent.objects.order_by("-id")[0].action, Action.VERIFY)
        out = StringIO()
        call_command("verify_audit", "--chain", "GM0183", "--no-record", stdout=out)
        self.assertIn(f"GM0183: {len(self.chain_events('GM0183'))} events", out.getvalue())
        self.assertNotIn("GM1774", out.getvalue())
        with self.assertRaisesMessage(CommandError, "--chain: a municipality code"):
            call_command("verify_audit", "--chain", "GM1774; DROP", stdout=StringIO())

    def test_update_and_delete_are_refused_by_the_database(self):
        event = AuditEvent.objects.order_by("id").first()
        original_reason, original_actor = event.reason, event.actor
        with self.assertRaises(DatabaseError), transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk).update(reason="rewritten")
        with self.assertRaises(DatabaseError), transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk).delete()
        with self.assertRaises(DatabaseError), transaction.atomic():
            raw(f"UPDATE {TABLE} SET actor = 'someone' WHERE id = %s", [event.pk])
        link = AuditSeal.objects.get(chain="GM1774", number=1)
        with self.assertRaises(DatabaseError), transaction.atomic():
            raw(f"UPDATE {SEAL_TABLE} SET count = 1 WHERE id = %s", [link.pk])
        with self.assertRaises(DatabaseError), transaction.atomic():
            AuditSeal.objects.filter(pk=link.pk).delete()
        event.refresh_from_db()
        self.assertEqual((event.reason, event.actor), (original_reason, original_actor))
        self.assertTrue(verify_chain().ok)

    def test_a_changed_row_names_its_chain_and_position_and_the_others_verify(self):
        target = self.chain_events("GM0183")[1]
        with triggers_removed():
            raw(f"UPDATE {TABLE} SET actor = 'someone-else' WHERE id = %s", [target.pk])
        with self.assertRaisesMessage(
            CommandError, "Audit chain GM0183 broken at event #2: event #2 (id"
        ):
            call_command("verify_audit", stdout=StringIO())
        report = verify_log()
        self.assertEqual((report.chain, report.broken_seq), ("GM0183", 2))
        intact = {r.chain for r in report.chains if r.ok}
        self.assertEqual(intact, {LEGACY_CHAIN, "GM1774", ""})
        out = StringIO()
        call_command("verify_audit", "--chain", "GM1774", "--no-record", stdout=out)
        self.assertIn("Audit chain intact", out.getvalue())

    def test_an_event_changed_with_its_hash_is_named_not_its_seal(self):
        target = self.chain_events("GM0183")[2]
        with triggers_removed():
            raw(f"UPDATE {TABLE} SET object_id = 'x', hash = %s WHERE id = %s",
                ["e" * 64, target.pk])  # fmt: skip
        report = verify_log()
        self.assertEqual((report.chain, report.broken_seq), ("GM0183", 3))
        self.assertIn(f"event #3 (id {target.pk}) was changed after writing", report.problem)

    def test_an_event_of_form_3_claiming_the_closed_old_chain_is_named(self):
        source = self.chain_events("GM1774")[0]
        columns = [f.column for f in AuditEvent._meta.concrete_fields if f.column != "id"]
        values = [("*" if c == "municipality" else "f" * 64 if c == "hash" else getattr(source, c))
                  for c in columns]  # fmt: skip
        values = [json.dumps(v) if isinstance(v, dict) else v for v in values]
        marks = ", ".join(["%s"] * len(values))
        raw(f"INSERT INTO {TABLE} ({', '.join(columns)}) VALUES ({marks})", values)
        seal_all()  # the sealer leaves it alone
        report = verify_log()
        self.assertEqual(report.chain, LEGACY_CHAIN)
        self.assertIn("claims the closed old chain", report.problem)

    def test_a_time_moved_before_year_1_is_found(self):
        if connection.vendor != "postgresql":
            self.skipTest("SQLite keeps times as text")
        target = self.chain_events("GM1774")[1]
        with triggers_removed():
            raw(f"UPDATE {TABLE} SET created_at = ((created_at AT TIME ZONE 'UTC')::text || ' BC')"
                "::timestamp AT TIME ZONE 'UTC' WHERE id = %s", [target.pk])  # fmt: skip
        report = verify_log()
        self.assertEqual((report.chain, report.broken_seq), ("GM1774", 2))
        self.assertIn("was changed after writing", report.problem)

    def test_an_event_id_twice_after_the_primary_key_is_dropped_is_found(self):
        if connection.vendor != "postgresql":
            self.skipTest("SQLite cannot drop a primary key")
        target = self.chain_events("GM1774")[1]
        raw(f"ALTER TABLE {TABLE} DROP CONSTRAINT {TABLE}_pkey CASCADE")
        raw(f"ALTER TABLE {TABLE} DROP CONSTRAINT {TABLE}_hash_key")
        with triggers_removed():
            raw(f"INSERT INTO {TABLE} SELECT * FROM {TABLE} WHERE id = %s", [target.pk])
            raw(f"UPDATE {TABLE} SET object_id = 'FORGED' WHERE ctid = (SELECT max(ctid) "
                f"FROM {TABLE} WHERE id = %s)", [target.pk])  # fmt: skip
        report = verify_log()
        self.assertEqual(report.chain, "GM1774")
        self.assertIn(f"event id {target.pk} is in the log twice", report.problem)

    def test_a_removed_row_is_named(self):
        target = self.chain_events("GM1774")[2]
        with triggers_removed():
            raw(f"DELETE FROM {TABLE} WHERE id = %s", [target.pk])
        with self.assertRaisesMessage(CommandError, f"event #3 (id {target.pk}) is missing"):
            call_command("verify_audit", stdout=StringIO())

    def test_a_removed_or_changed_seal_is_named(self):
        record(Action.VIEW, origin="system", municipality=self.dinkelland, object_id="later")
        seal_all()
        links = list(AuditSeal.objects.filter(chain="GM1774").order_by("number"))
        self.assertGreaterEqual(len(links), 2)
        with triggers_removed():
            raw(f"UPDATE {SEAL_TABLE} SET created_at = created_at, event_ids = %s WHERE id = %s",
                ['[]', links[0].pk])  # fmt: skip
        with self.assertRaisesMessage(
            CommandError, "Audit chain GM1774 broken at event #1: seal 1"
        ):
            call_command("verify_audit", "--no-record", stdout=StringIO())
        with triggers_removed():
            raw(f"DELETE FROM {SEAL_TABLE} WHERE id = %s", [links[0].pk])
        with self.assertRaisesMessage(CommandError, "seal 1 is missing"):
            call_command("verify_audit", "--no-record", stdout=StringIO())

    def test_an_event_taken_out_of_the_queue_is_named(self):
        event = record(Action.VIEW, origin="system", municipality=self.tubbergen)
        AuditPending.objects.filter(event_id=event.pk).delete()
        with self.assertRaisesMessage(
            CommandError, f"event id {event.pk} is in no seal and not waiting for one"
        ):
            call_command("verify_audit", stdout=StringIO())
        waiting = record(Action.VIEW, origin="system", municipality=self.dinkelland)
        with triggers_removed():
            raw(f"DELETE FROM {TABLE} WHERE id = %s", [waiting.pk])
        report = verify_log(only="GM1774")
        self.assertIn(f"event id {waiting.pk} was waiting to be sealed and is missing",
                      report.problem)  # fmt: skip

    def test_a_row_inserted_behind_the_applications_back_is_named(self):
        # The forger computes the hash the way the code does, but without the audit key,
        # which is not in the database; the sealer chains what is in the queue.
        forged = AuditEvent(
            created_at=AuditEvent.objects.first().created_at, format=3,
            municipality="GM1774", action=Action.VIEW, result=Result.SUCCESS,
        )  # fmt: skip
        with self.settings(NOABER_AUDIT_KEY="a-guess-at-the-key"):
            forged.hash = forged.compute_hash()
        forged.save(force_insert=True)  # the trigger queues it, as it queues every event
        self.assertTrue(AuditPending.objects.filter(event_id=forged.pk).exists())
        position = len(self.chain_events("GM1774")) + 1
        with self.assertRaisesMessage(
            CommandError, f"event #{position} (id {forged.pk}) was changed"
        ):
            call_command("verify_audit", stdout=StringIO())

    def test_a_copy_of_an_event_cannot_be_inserted(self):
        event = AuditEvent.objects.filter(municipality="GM1774").first()
        copy = AuditEvent.objects.get(pk=event.pk)
        copy.pk = None
        with self.assertRaises(DatabaseError), transaction.atomic():
            copy.save(force_insert=True)

    def test_removing_the_newest_events_is_found_with_a_recorded_head(self):
        out = StringIO()
        call_command("verify_audit", "--no-record", stdout=out)
        head = out.getvalue().split("GM1774: ")[1].split("head ")[1].split()[0]
        self.assertRegex(head, r"^GM1774:[0-9]+:[0-9a-f]{64}$")
        installation = out.getvalue().split("installation: ")[1].split("head ")[1].split()[0]
        self.assertRegex(installation, r"^installation:[0-9]+:[0-9a-f]{64}$")
        record(Action.VIEW, origin="system", municipality=self.dinkelland, object_id="later")
        # The heads as printed are what --expect-head takes.
        for printed in (head, installation):
            call_command("verify_audit", "--expect-head", printed, stdout=StringIO())
        with triggers_removed():
            raw(f"DELETE FROM {SEAL_TABLE} WHERE chain = 'GM1774'")
            raw(f"DELETE FROM {TABLE} WHERE municipality = 'GM1774'")
        # Without the recorded head the shortened chain looks whole; with it, it does not.
        self.assertTrue(verify_chain().ok)
        number = head.split(":")[1]
        with self.assertRaisesMessage(
            CommandError, f"no longer holds seal {number} of chain GM1774"
        ):
            call_command("verify_audit", "--expect-head", head, stdout=StringIO())

    def test_a_malformed_expected_head_is_refused(self):
        for head in ("12", "GM1774:x:" + "0" * 64, "a:b:c:d"):
            with (
                self.subTest(head=head),
                self.assertRaisesMessage(CommandError, "expected CHAIN:NUMBER:HASH"),
            ):
                call_command("verify_audit", "--expect-head", head, stdout=StringIO())

    def test_details_keep_their_exact_bytes_on_every_database(self):
        event = record(
            Action.UPDATE,
            origin="system",
            reason="nul\x00byte",
            detail={"big": 1e16, "ratio": 0.1, "huge": 2**60, "text": "a\x00b", "n": 3},
        )
        stored = AuditEvent.objects.get(pk=event.pk)
        self.assertEqual(stored.hash, stored.compute_hash())
        self.assertEqual(stored.detail["n"], 3)
        self.assertEqual(stored.detail["text"], "ab")
        self.assertEqual(stored.reason, "nulbyte")
        self.assertTrue(verify_chain().ok)

    def test_secrets_in_details_are_never_stored(self):
        event = record(
            Action.UPDATE,
            origin="system",
            detail={
                "password": "hunter2-secret",
                "nested": {"api_token": "abc123"},
                "receipt_code": "K7QM-2XPA",
                "n": 1,
                "cbs_code": "GM1774",
                "postcode": "7591AB",
            },
        )
        self.assertEqual(event.detail["password"], REDACTED)
        self.assertEqual(event.detail["nested"]["api_token"], REDACTED)
        self.assertEqual(event.detail["receipt_code"], REDACTED)
        self.assertEqual(event.detail["n"], 1)
        # Whole words only: ordinary keys that contain "code" are kept.
        self.assertEqual(event.detail["cbs_code"], "GM1774")
        self.assertEqual(event.detail["postcode"], "7591AB")
        self.assertNotIn("hunter2", event.canonical().decode())

    def test_unknown_action_is_refused(self):
        with self.assertRaises(ValueError):
            record("peek", origin="system")


class AuditPageTests(NoaberTestCase):
    def test_privacy_officer_reads_the_log_and_the_reading_is_logged(self):
        self.sign_in(self.privacy)
        record(
            Action.DENIED,
            actor=self.advisor_tubbergen,
            municipality=self.dinkelland,
            object_type="page",
            object_id="/m/GM1774/",
            result=Result.DENIED,
        )
        response = self.client.get(reverse("audit:list", args=["GM1774"]) + "?handeling=denied")
        self.assertContains(response, "pagina /m/GM1774/")
        self.assertContains(response, "toegang geweigerd")
        read = AuditEvent.objects.order_by("-seq")[0]
        self.assertEqual(
            (read.action, read.object_type, read.actor), ("view", "audit_log", "priya")
        )

    def test_failed_logins_of_the_municipalitys_own_staff_are_visible(self):
        self.client.post(
            reverse("accounts:login"), {"username": "anouk", "password": "wrong-password-1"}
        )
        self.client.post(
            reverse("accounts:login"), {"username": "tim", "password": "wrong-password-2"}
        )
        self.sign_in(self.privacy)
        page = self.client.get(reverse("audit:list", args=["GM1774"]) + "?handeling=login_failed")
        failed = [event.object_id for event in page.context["page"]]
        # Anouk works for Dinkelland; Tim only for Tubbergen.
        self.assertIn("anouk", failed)
        self.assertNotIn("tim", failed)

    def test_log_page_shows_only_its_own_municipality(self):
        record(
            Action.VIEW,
            origin="system",
            municipality=self.tubbergen,
            object_type="x",
            object_id="tubbergen-only",
        )
        self.sign_in(self.privacy)
        response = self.client.get(reverse("audit:list", args=["GM1774"]))
        self.assertNotContains(response, "tubbergen-only")


class FastWalkTests(NoaberTestCase):
    """On PostgreSQL the walk pastes the fields of COPY's lines into the canonical form; a line
    it cannot pass is recomputed the exact way. Neither may pass a changed event or fail an
    intact one, whatever the values hold."""

    AWKWARD = ['quote " backslash \\ slash /', "tab\tnew\nline\rcr\x08\x0c\x01\x1f\x7f",
               "é ü 中文 \u2028 \u2029 😀", "", "'; DROP TABLE x; --", "100% {x} %s"]  # fmt: skip

    def record_awkward(self):
        for n, text in enumerate(self.AWKWARD):
            record(Action.UPDATE, origin=text[:100], reason=text, object_id=text,
                   municipality=self.dinkelland, role=text[:100],
                   detail={"z": text, "a": [1, None, True, {"é": text}], "n": -(2**52)},
                   actor=self.advisor if n % 2 else None)  # fmt: skip
        seal_all()

    def test_every_row_passes_the_fast_way_or_the_exact_way_and_plain_rows_the_fast_way(self):
        from noaber.audit.chain import _event_rows, _exact

        self.record_awkward()
        record(Action.VIEW, municipality=self.dinkelland, object_type="report", object_id="7",
               detail={"tab": 2})  # fmt: skip
        seal_all()
        rows = list(_event_rows(["GM1774"], 0, 2**62, "default"))
        self.assertGreaterEqual(len(rows), len(self.AWKWARD) + 1)
        for event_id, chain, digest, fine in rows:
            self.assertEqual(chain, "GM1774")
            self.assertEqual(digest, AuditEvent.objects.get(pk=event_id).hash)
            self.assertTrue(fine or _exact(event_id, chain, "default"), event_id)
        if connection.vendor == "postgresql":
            # Plain values need no second look (else the walk would be slow, not wrong).
            self.assertTrue(rows[-1][3])
        self.assertTrue(verify_chain().ok)

    def test_a_value_changed_into_its_own_escaped_form_is_found(self):
        """`he said "hi"` changed to `he said \\"hi\\"`: pasted between quotes the changed
        value gives the original's canonical bytes; the walk must not take that for intact."""
        record(Action.VIEW, municipality=self.dinkelland, object_type="report",
               object_id="9", reason='he said "hi"')  # fmt: skip
        seal_all()
        target = AuditEvent.objects.get(reason='he said "hi"')
        with triggers_removed():
            raw(f"UPDATE {TABLE} SET reason = %s WHERE id = %s", ['he said \\"hi\\"', target.pk])
        report = verify_chain()
        self.assertFalse(report.ok)
        self.assertEqual(report.chain, "GM1774")
        self.assertIn(f"(id {target.pk}) was changed after writing", report.problem)

    def test_a_walk_stopped_early_leaves_the_connection_usable(self):
        from noaber.audit.chain import _event_rows

        self.record_awkward()
        rows = _event_rows(["GM1774"], 0, 2**62, "default")
        next(rows)
        rows.close()
        self.assertGreaterEqual(AuditEvent.objects.filter(municipality="GM1774").count(),
                                len(self.AWKWARD))  # fmt: skip
        self.assertTrue(verify_chain().ok)


class CompiledWalkTests(NoaberTestCase):
    """The walk's per-row work in C (`_fastwalk`, built by make) against the same work in
    Python: the same hashes, the same suspects, for plain, awkward and changed rows."""

    AWKWARD = FastWalkTests.AWKWARD

    def setUp(self):
        from noaber.audit import chain

        if chain._fastwalk is None:
            if os.environ.get("NOABER_REQUIRE_FASTWALK"):
                self.fail("noaber/audit/_fastwalk.c is not built (make fastwalk)")
            self.skipTest("noaber/audit/_fastwalk.c is not built (make fastwalk)")

    def rows(self, *, compiled):
        from noaber.audit import chain

        with mock.patch.object(chain, "_fastwalk", chain._fastwalk if compiled else None):
            return list(chain._event_rows(["GM1774", "GM0183", ""], 0, 2**62, "default"))

    def test_c_and_python_give_every_row_the_same_answer(self):
        if connection.vendor != "postgresql":
            self.skipTest("the COPY walk is PostgreSQL's (SQLite walks its rows in Python)")
        FastWalkTests.record_awkward(self)
        for n in range(30):
            record(Action.VIEW, municipality=self.tubbergen if n % 2 else self.dinkelland,
                   object_type="report", object_id=str(n), detail={"tab": n % 3})  # fmt: skip
        seal_all()
        changed = AuditEvent.objects.filter(municipality="GM0183").order_by("id")[3]
        quoted = AuditEvent.objects.filter(municipality="GM1774").order_by("id")[8]
        with triggers_removed():
            raw(f"UPDATE {TABLE} SET object_id = 'x' WHERE id = %s", [changed.pk])
            raw(f"UPDATE {TABLE} SET hash = 'not a hash' WHERE id = %s", [quoted.pk])
        in_c, in_python = self.rows(compiled=True), self.rows(compiled=False)
        self.assertEqual(in_c, in_python)
        self.assertGreater(len(in_c), 40)
        doubtful = {row[0] for row in in_c if not row[3]}
        self.assertIn(changed.pk, doubtful)
        self.assertIn(quoted.pk, doubtful)
        self.assertFalse(doubtful & {e.pk for e in AuditEvent.objects.filter(object_type="report")
                                     if e.pk not in (changed.pk, quoted.pk)})  # fmt: skip

    def test_the_python_walk_still_names_a_changed_row(self):
        from noaber.audit import chain

        record(Action.VIEW, municipality=self.dinkelland, object_type="report", object_id="1")
        seal_all()
        target = AuditEvent.objects.filter(municipality="GM1774").latest("id")
        with triggers_removed():
            raw(f"UPDATE {TABLE} SET reason = 'weg' WHERE id = %s", [target.pk])
        with mock.patch.object(chain, "_fastwalk", None):
            report = verify_chain()
        self.assertFalse(report.ok)
        self.assertIn(f"(id {target.pk}) was changed after writing", report.problem)

    def test_every_bigint_id_is_read_as_python_reads_it(self):
        from noaber.audit import chain

        fields = [b"x"] * (len(chain._PIECES) - 1)
        fields[chain._DETAIL] = b"{}"
        ids = [b"7", b"1000000000000000000", b"9223372036854775807", b"-5", b"3"]
        lines = [b"\t".join([i, b"GM1774", *fields, b"h", b""]) + b"\n" for i in ids]
        answers = []
        for fast in (True, False):
            macs, suspects = ({},), (set(),)
            found = chain._line_checker(["GM1774"], fast=fast)(lines, macs, suspects, 0)
            answers.append((found, macs, suspects))
        self.assertEqual(answers[0], answers[1])
        self.assertEqual(answers[0][0][2], [(-5, "GM1774")])  # not above the one before it
        self.assertEqual(set(answers[0][1][0]), {int(i) for i in ids})

    def test_lines_that_are_no_copy_lines_are_refused(self):
        from noaber.audit import chain

        check = chain._line_checker(["GM1774"])
        good = b"\t".join([b"1", b"GM1774"] + [b"x"] * (len(chain._PIECES) - 1) + [b"h", b""])
        for line in (good, good + b"\tx\n", b"1\tGM1774\n", b"x" + good + b"\n"):
            with self.subTest(line=line[:20]), self.assertRaises(ValueError):
                check([line], ({},), (set(),), 0)


class HmacTests(SimpleTestCase):
    def test_the_walk_hmac_is_rfc_2104_for_short_and_long_keys(self):
        import hashlib
        import hmac

        from noaber.audit.chain import hmac_sha256_hex

        for key in (b"", b"k", b"x" * 64, b"y" * 65, bytes(range(200))):
            mac = hmac_sha256_hex(key)
            for message in (b"", b"event", bytes(range(256)) * 5):
                with self.subTest(key=len(key), message=len(message)):
                    self.assertEqual(
                        mac(message), hmac.new(key, message, hashlib.sha256).hexdigest()
                    )


class RangeWalkTests(NoaberTestCase):
    """The walk split into ranges of ids (what --jobs processes each take) finds what one walk
    finds: seals whose events lie in two ranges, late commits, waiting events."""

    def setUp(self):
        # Four rounds of events in two chains and installation-wide, each round sealed: seals
        # of every chain interleave, so range boundaries fall inside seals.
        for round_ in range(4):
            for n in range(5):
                for code in (self.dinkelland, self.tubbergen):
                    record(Action.VIEW, origin="system", municipality=code,
                           object_type="report", object_id=f"{round_}-{n}")  # fmt: skip
            record(Action.VIEW, origin="system", object_type="system", object_id=str(round_))
            seal_all()
        # And two events left waiting.
        record(Action.VIEW, origin="system", municipality=self.dinkelland, object_id="w1")
        record(Action.VIEW, origin="system", municipality=self.tubbergen, object_id="w2")

    def reports(self):
        from noaber.audit.chain import chains, verify_chains

        names = chains()
        found = {}
        for parts in (1, 2, 3, 5, 8):
            reports = verify_chains(names, parts=parts)
            found[parts] = [(r.chain, r.checked, r.broken_seq, r.problem, r.head_hash, r.waiting)
                            for r in reports]  # fmt: skip
        for parts, result in found.items():
            self.assertEqual(result, found[1], f"{parts} ranges")
        return found[1]

    def test_every_split_agrees_on_an_intact_log(self):
        result = self.reports()
        self.assertEqual({r[0] for r in result}, {"GM1774", "GM0183", ""})
        self.assertTrue(all(r[2] is None for r in result))
        self.assertEqual(sum(r[5] for r in result), 2)  # the two waiting events
        sealed = sum(AuditSeal.objects.exclude(chain=LEGACY_CHAIN).values_list("count", flat=True))
        self.assertGreaterEqual(sealed, 44)
        self.assertEqual(sum(r[1] for r in result), sealed)

    def events(self, code):
        ids = [i for s in AuditSeal.objects.filter(chain=code).order_by("number")
               for i in s.event_ids]  # fmt: skip
        return ids

    def test_every_split_names_a_changed_event_and_a_removed_one(self):
        ids = self.events("GM0183")
        with triggers_removed():
            raw(f"UPDATE {TABLE} SET object_id = 'anders' WHERE id = %s", [ids[12]])
        result = {r[0]: r for r in self.reports()}
        self.assertEqual(result["GM0183"][2], 13)
        self.assertIn(f"event #13 (id {ids[12]}) was changed after writing", result["GM0183"][3])
        self.assertIsNone(result["GM1774"][2])
        with triggers_removed():
            raw(f"DELETE FROM {TABLE} WHERE id = %s", [ids[7]])
        result = {r[0]: r for r in self.reports()}
        self.assertEqual(result["GM0183"][2], 8)
        self.assertIn(f"event #8 (id {ids[7]}) is missing", result["GM0183"][3])

    def test_every_split_names_a_waiting_event_removed_or_taken_out_of_the_queue(self):
        waiting = AuditPending.objects.get(chain="GM1774").event_id
        with triggers_removed():
            raw("DELETE FROM audit_auditpending WHERE event_id = %s", [waiting])
        result = {r[0]: r for r in self.reports()}
        self.assertIn(f"event id {waiting} is in no seal and not waiting", result["GM1774"][3])
        other = AuditPending.objects.get(chain="GM0183").event_id
        with triggers_removed():
            raw(f"DELETE FROM {TABLE} WHERE id = %s", [other])
        result = {r[0]: r for r in self.reports()}
        self.assertIn(f"event id {other} was waiting to be sealed and is missing",
                      result["GM0183"][3])  # fmt: skip

    def test_every_split_names_a_changed_seal(self):
        seal = AuditSeal.objects.get(chain="GM1774", number=2)
        with triggers_removed():
            raw(f"UPDATE {SEAL_TABLE} SET event_ids = %s WHERE id = %s",
                [json.dumps(list(reversed(seal.event_ids))), seal.pk])  # fmt: skip
        result = {r[0]: r for r in self.reports()}
        self.assertEqual(result["GM1774"][2], seal.first_seq)
        self.assertIn("seal 2 was changed after writing", result["GM1774"][3])

    def test_an_event_read_in_another_range_than_its_seal_is_checked_there(self):
        from noaber.audit.chain import chains, verify_chains

        names = chains()
        ids = AuditEvent.objects.filter(municipality__in=names, format__gte=3)
        low, high = min(ids.values_list("id", flat=True)), max(ids.values_list("id", flat=True))
        found = None
        for seal in AuditSeal.objects.filter(chain="GM0183").order_by("number"):
            for parts in range(2, 12):
                step = -(-(high + 1 - low) // parts)
                boundaries = [low + k * step for k in range(1, parts)]
                later = [
                    i for i in seal.event_ids for b in boundaries if min(seal.event_ids) < b <= i
                ]
                if later:
                    found = parts, later[0], seal
                    break
            if found:
                break
        self.assertIsNotNone(found, "no seal straddles a range boundary")
        parts, target, seal = found
        position = seal.first_seq + seal.event_ids.index(target)
        with triggers_removed():
            raw(f"UPDATE {TABLE} SET origin = 'elders' WHERE id = %s", [target])
        for split in (1, parts):
            report = {r.chain: r for r in verify_chains(names, parts=split)}["GM0183"]
            self.assertEqual(report.broken_seq, position, split)
            self.assertIn(f"(id {target}) was changed after writing", report.problem)
