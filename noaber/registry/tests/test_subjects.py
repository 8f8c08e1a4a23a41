from django.core.exceptions import ValidationError
from django.test import SimpleTestCase

from noaber.registry import subjects


class IdentifierTests(SimpleTestCase):
    def test_bsn_eleven_test(self):
        self.assertEqual(subjects.check_bsn("111222333"), "111222333")
        self.assertEqual(subjects.check_bsn("1112.22.333"), "111222333")
        for bad in ("123456789", "000000000", "12345", "abcdefghi"):
            with self.subTest(bad=bad), self.assertRaises(ValidationError):
                subjects.check_bsn(bad)

    def test_kvk_numbers_have_eight_digits(self):
        self.assertEqual(subjects.check_kvk("6914 2345"), "69142345")
        for bad in ("1234567", "123456789", "00000000", "KVK12345"):
            with self.subTest(bad=bad), self.assertRaises(ValidationError):
                subjects.check_kvk(bad)

    def test_kenteken_sidecodes(self):
        self.assertEqual(subjects.check_kenteken("12-abc-3"), "12ABC3")
        self.assertEqual(subjects.check_kenteken("AB-12-CD"), "AB12CD")
        for bad in ("ABC123X", "123456", "AB-CD-EF", "1-2-3"):
            with self.subTest(bad=bad), self.assertRaises(ValidationError):
                subjects.check_kenteken(bad)

    def test_spelling_variants_share_a_sound_key(self):
        same = [("Jansen", "Janssen"), ("Janssen", "Janszen"), ("Mohammed", "Muhammad"),
                ("Mohamed", "Mohammed"), ("Huijsman", "Huysman"), ("Smit", "Smid")]  # fmt: skip
        for a, b in same:
            with self.subTest(a=a, b=b):
                self.assertEqual(subjects.phonetic(a), subjects.phonetic(b))
        self.assertNotEqual(subjects.phonetic("Jansen"), subjects.phonetic("Pietersen"))
        self.assertEqual(subjects.name_tokens("Jan van der Berg"), ["jan", "berg"])

    def test_clean_subject_reports_every_bad_field(self):
        with self.assertRaises(ValidationError) as caught:
            subjects.clean_subject(
                "person",
                {
                    "label": "A",
                    "bsn": "123456789",
                    "postcode": "123AB",
                    "kvk": "1",
                    "kenteken": "X",
                },
            )
        self.assertEqual(set(caught.exception.message_dict), {"bsn", "postcode", "kvk", "kenteken"})
