"""Models that moved to their owning app keep their table, ids and rows (issue 15, part 2).

The move is a change of Django's model state only. These tests fill a database through the
real actions, migrate back to before the move and forward again, and compare: row counts and
values equal, the plain key still authenticates, the audit chain still verifies; and running
the migrations once more changes nothing."""

from io import StringIO

from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TransactionTestCase, override_settings

from noaber.accounts import partner_keys
from noaber.accounts.models import Municipality, Organisation, PartnerToken
from noaber.accounts.tests.base import make_user
from noaber.audit.chain import verify_all
from noaber.audit.triggers import triggers_removed
from noaber.lib.crypto import decrypt
from noaber.partners.tests.factories import make_agreement, make_case
from noaber.portal.actions import share_case
from noaber.portal.models import CaseShare
from noaber.themes.models import Theme

# Before partner keys left intake and organisation themes left accounts.
BEFORE = [
    ("accounts", "0003_need_to_know"),
    ("intake", "0003_portal_channel"),
    ("themes", "0001_initial"),
    ("partners", "0003_end_shares_of_closed_cases"),
    ("registry", "0004_need_to_know"),
]
TABLES = (
    "intake_partnertoken",
    "intake_partnertoken_municipalities",
    "accounts_organisation_themes",
    "accounts_organisation_priorities",
    "partners_caseshare",
    "partners_caseshare_disclosures",
    "registry_sharingagreement",
    "registry_sharingagreement_organisations",
    "registry_sharingagreement_municipalities",
)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def rows(table):
    """Every row as (column, value) pairs sorted by column: migrating back may rebuild a table
    (SQLite) with its columns in another order. Encrypted values are compared decrypted: a
    column encrypted after the move holds plain text again before it."""
    model = next(m for m in apps.get_models(include_auto_created=True) if m._meta.db_table == table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} ORDER BY id")  # noqa: S608 (fixed names)
        names = [column[0] for column in cursor.description]
        return [
            sorted(
                (name, plain(model, name, value)) for name, value in zip(names, row, strict=True)
            )
            for row in cursor.fetchall()
        ]


def plain(model, column, value):
    if isinstance(value, str) and value.startswith("enc1:"):
        return decrypt(value, f"{model._meta.label_lower}.{column}")
    return value


def snapshot():
    return {table: rows(table) for table in TABLES}


class ModelMoveTests(TransactionTestCase):
    def _fixture_teardown(self):
        # The flush would delete audit rows, which the append-only triggers forbid.
        with triggers_removed():
            super()._fixture_teardown()

    @override_settings(DEMO=True)
    def test_moved_models_keep_tables_ids_and_rows_across_the_move_and_back(self):
        # A database filled by the demo loader (reference data, users, reports, agreements,
        # the barn case shared with the police), plus partner keys and a second share.
        call_command("seed_demo", stdout=StringIO())
        demo_share = CaseShare.objects.get(organisation__name="Politie")
        politie = Organisation.objects.get(name="Politie")
        municipalities = list(Municipality.objects.filter(cbs_code__in=["GM1774", "GM0183"]))
        token, plain = partner_keys.create_partner_token(
            politie, municipalities, "Signalen politie", actor=None
        )
        other, _ = partner_keys.create_partner_token(politie, municipalities[:1], "Oud", actor=None)
        partner_keys.revoke_partner_token(other, actor=None)
        case = make_case(Municipality.objects.get(cbs_code="GM1774"), make_user("anouk", {}))
        share = share_case(
            case,
            {"organisation": politie, "agreement": make_agreement(case.municipality, "Politie"),
             "purpose": "Voorbereiding", "data_categories": ["signal"]},
            actor=case.owner, request=None,
        )  # fmt: skip
        before = snapshot()
        self.assertEqual(len(before["partners_caseshare"]), 3)  # police, ZVH and this one
        self.assertTrue(before["partners_caseshare_disclosures"])
        self.assertEqual(len(before["registry_sharingagreement"]), 4)
        self.assertTrue(before["accounts_organisation_themes"])  # the ketenkaart's links
        self.assertTrue(before["accounts_organisation_priorities"])  # Tabel 7

        migrate(BEFORE)
        self.assertEqual(snapshot(), before)
        migrate(latest())
        self.assertEqual(snapshot(), before)
        # The ORM reads the same links through the themes app as the table holds.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT theme_id FROM accounts_organisation_themes WHERE organisation_id = %s",
                [politie.pk],
            )
            linked = sorted(row[0] for row in cursor.fetchall())
        self.assertTrue(linked)
        self.assertEqual(sorted(politie.themes.values_list("pk", flat=True)), linked)
        self.assertEqual(
            sorted(Theme.objects.get(pk=linked[0]).organisations.values_list("pk", flat=True)),
            sorted(
                o.pk
                for o in Organisation.objects.all()
                if linked[0] in {t.pk for t in o.themes.all()}
            ),
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
        moved_share = CaseShare.objects.get(pk=share.pk)
        self.assertEqual(
            (moved_share.case, list(moved_share.disclosures.all())),
            (case, list(share.disclosures.all())),
        )
        self.assertTrue(moved_share.in_force_on(case.created_at.date()))
        self.assertEqual(moved_share.agreement.organisations.get(), politie)
        self.assertEqual(moved_share.disclosures.get().agreement, moved_share.agreement)
        # Encrypted text behind the moved models is still readable.
        demo_disclosure = CaseShare.objects.get(pk=demo_share.pk).disclosures.get()
        self.assertEqual(
            demo_disclosure.shared, f"Casus C-{demo_share.case_id} gedeeld via het partnerportaal."
        )
        self.assertIn("schuur", demo_disclosure.signal.description.lower())
        self.assertTrue(verify_all().ok)
        # Run again: nothing to do, nothing changes.
        again = snapshot()
        call_command("migrate", verbosity=0)
        self.assertEqual(snapshot(), again)
