"""Models that moved to their owning app keep their table, ids and rows (issue 15, part 2).

The move is a change of Django's model state only. These tests fill a database through the
real actions, migrate back to before the move and forward again, and compare: row counts and
values equal, the plain key still authenticates, the audit chain still verifies; and running
the migrations once more changes nothing."""

from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TransactionTestCase

from noaber.accounts import partner_keys
from noaber.accounts.models import Municipality, Organisation, PartnerToken
from noaber.audit.chain import verify_chain
from noaber.audit.triggers import triggers_removed
from noaber.reference import load_all

BEFORE = [("accounts", "0003_need_to_know"), ("intake", "0003_portal_channel")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def rows(table):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} ORDER BY id")  # noqa: S608 (fixed names)
        return cursor.fetchall()


class PartnerTokenMoveTests(TransactionTestCase):
    def _fixture_teardown(self):
        # The flush would delete audit rows, which the append-only triggers forbid.
        with triggers_removed():
            super()._fixture_teardown()

    def test_partner_keys_keep_table_ids_and_rows_across_the_move_and_back(self):
        load_all()
        politie = Organisation.objects.get(name="Politie")
        municipalities = list(Municipality.objects.filter(cbs_code__in=["GM1774", "GM0183"]))
        token, plain = partner_keys.create_partner_token(
            politie, municipalities, "Signalen politie", actor=None
        )
        other, _ = partner_keys.create_partner_token(politie, municipalities[:1], "Oud", actor=None)
        partner_keys.revoke_partner_token(other, actor=None)
        before = (rows("intake_partnertoken"), rows("intake_partnertoken_municipalities"))

        migrate(BEFORE)
        self.assertEqual(
            (rows("intake_partnertoken"), rows("intake_partnertoken_municipalities")), before
        )
        migrate(latest())
        self.assertEqual(
            (rows("intake_partnertoken"), rows("intake_partnertoken_municipalities")), before
        )
        moved = PartnerToken.objects.get(pk=token.pk)
        self.assertEqual(
            (
                moved.name,
                moved.organisation,
                sorted(m.cbs_code for m in moved.municipalities.all()),
            ),
            ("Signalen politie", politie, ["GM0183", "GM1774"]),
        )
        self.assertEqual(partner_keys.authenticate_partner_token(f"Token {plain}"), (moved, ""))
        self.assertEqual(
            partner_keys.authenticate_partner_token(f"Token {plain[:-1]}x")[1], "invalid"
        )
        self.assertTrue(verify_chain().ok)
        # Run again: nothing to do, nothing changes.
        again = (rows("intake_partnertoken"), rows("intake_partnertoken_municipalities"))
        call_command("migrate", verbosity=0)
        self.assertEqual(
            (rows("intake_partnertoken"), rows("intake_partnertoken_municipalities")), again
        )
