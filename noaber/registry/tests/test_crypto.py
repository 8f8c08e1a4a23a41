import base64
from io import StringIO

from cryptography.exceptions import InvalidTag
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from noaber.accounts.tests.base import NoaberTestCase
from noaber.lib import crypto
from noaber.registry import actions
from noaber.registry.models import Signal

from .helpers import make_signal

NEW_KEY = "k2026:" + base64.b64encode(b"n" * 32).decode()


def raw_description(pk) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT description FROM registry_signal WHERE id = %s", [pk])
        return cursor.fetchone()[0]


class EncryptionTests(NoaberTestCase):
    def test_values_are_sealed_to_their_column(self):
        sealed = crypto.encrypt("geheim", "registry.signal.description")
        self.assertEqual(crypto.decrypt(sealed, "registry.signal.description"), "geheim")
        with self.assertRaises(InvalidTag):
            crypto.decrypt(sealed, "registry.subject.label")

    def test_free_text_is_encrypted_at_rest(self):
        signal = make_signal(self.dinkelland, self.advisor, "Busjes bij de schuur van Jansen.")
        raw = raw_description(signal.pk)
        self.assertTrue(raw.startswith("enc1:demo:"))
        self.assertNotIn("Jansen", raw)
        self.assertIn("Jansen", Signal.objects.get(pk=signal.pk).description)

    def test_key_rotation_re_encrypts_with_the_newest_key(self):
        signal = make_signal(self.dinkelland, self.advisor, "Tekst onder de oude sleutel.")
        actions.add_subject(
            signal,
            "person",
            {"label": "Jan Janssen", "bsn": "111222333"},
            "",
            actor=self.advisor,
            request=None,
        )
        with self.settings(NOABER_FIELD_KEYS=f"{NEW_KEY},{settings.NOABER_FIELD_KEYS}"):
            out = StringIO()
            call_command("rotate_field_keys", "--reindex", stdout=out)
            self.assertIn("re-encrypted with key 'k2026'", out.getvalue())
            self.assertTrue(raw_description(signal.pk).startswith("enc1:k2026:"))
            self.assertEqual(
                Signal.objects.get(pk=signal.pk).description,
                "[M-1] Tekst onder de oude sleutel.".replace("M-1", signal.reports.get().number),
            )
        # Without the new key the rotated value cannot be read: the old key alone is not enough.
        with self.assertRaisesMessage(Exception, "k2026"):
            Signal.objects.get(pk=signal.pk).description  # noqa: B018
