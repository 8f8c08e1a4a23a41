"""Dutch for people (issue 21, point 5): every reason and method name of the peak detection
that reaches a person (the alert page, the `detect_peaks` output) is Dutch, made at display
time from the codes the detection keeps; no English reason and no code gets through."""

import re
from io import StringIO
from unittest import mock

from django.core.management import call_command
from django.test import SimpleTestCase
from django.urls import reverse

from noaber.accounts.tests.base import NoaberTestCase
from noaber.insight.models import Alert
from noaber.insight.peak_text import judgement_text, method_text, note_text, notes_text
from noaber.insight.peaks import (
    DECLINED,
    FALLBACK,
    FARRINGTON,
    MIN_COUNT,
    NO_DATA,
    NOTE_CODES,
    SPARSE,
    TOO_SHORT,
    YEARS_BACK,
    Note,
    detect,
)
from noaber.insight.series import Series, week_list

END = (2026, 40)
WEEKS = week_list(END)

# What the English of the detection (and its codes) would look like on a page or in the output.
ENGLISH = re.compile(
    r"series too short|too few|needs|sparse|baseline|minimum-count|no data|judged week"
    r"|years back|reports in the last|fallback|declined|farrington|too_short|min_count|no_data",
)


def series(key, label, counts):
    """A register series ending in END (the last len(counts) weeks)."""
    return Series(f"report-theme:{key}", label, WEEKS[-len(counts) :], list(counts))


MIN_COUNT_SERIES = ([1, 0, 0] * 110)[: len(WEEKS) - 4] + [0, 0, 0, 4]
SPARSE_SERIES = [1 if i % 10 == 0 else 0 for i in range(len(WEEKS))]
EXAMPLES = [
    series(1, "Kort", [2] * 79 + [12]),  # 80 weeks: the block method, and a peak
    series(2, "Weinig", SPARSE_SERIES),  # 0.1 a week: the block method
    series(3, "Drempel", MIN_COUNT_SERIES),  # above the bound, held back by the minimum count
    series(4, "Leeg", [5] * (len(WEEKS) - 1) + [None]),  # the judged week has no data
    series(5, "Heel kort", [1, 2, 3, 4, 9]),  # too short even for the block method
    series(6, "Gewoon", [3, 4] * 156 + [20]),  # five years: Farrington, a peak, nothing to say
]


class NoteTextTests(SimpleTestCase):
    def test_each_note_reads_as_dutch_with_a_decimal_comma_and_plurals(self):
        short = "te kort: %s gegevens, er zijn 108 nodig"
        sparse = "te weinig meldingen: gemiddeld %s per week, minstens %s nodig"
        few = "geen piek bij zo weinig meldingen: %s in de laatste 4 weken, minstens 5 nodig"
        cases = [
            (Note.of(TOO_SHORT, weeks=80, needed=108), short % "80 weken"),
            (Note.of(TOO_SHORT, weeks=1, needed=108), short % "1 week"),
            (Note.of(SPARSE, mean=0.3, needed=0.5), sparse % ("0,3", "0,5")),
            (Note.of(SPARSE, mean=0.13461, needed=0.2), sparse % ("0,13", "0,2")),
            (Note.of(MIN_COUNT, total=3, weeks=4, needed=5), few % "3 meldingen"),
            (Note.of(MIN_COUNT, total=1, weeks=4, needed=5), few % "1 melding"),
            (Note.of(NO_DATA), "geen gegevens over de beoordeelde week"),
            (Note.of(YEARS_BACK, years=3, wanted=5), "3 van de 5 jaar geschiedenis beschikbaar"),
        ]
        for note, dutch in cases:
            with self.subTest(note.code):
                self.assertEqual(note_text(note), dutch)
                self.assertEqual(note_text(note.data), dutch)  # as an alert stores it

    def test_every_code_has_dutch_and_no_english(self):
        numbers = {"weeks": 2, "needed": 3, "mean": 0.1, "years": 1, "wanted": 5, "total": 1}
        for code in NOTE_CODES:
            with self.subTest(code):
                text = note_text({"code": code, **numbers})
                self.assertNotEqual(text, "opmerking van de piekdetectie")
                self.assertNotRegex(text, ENGLISH)
        self.assertEqual(note_text({"code": "later_code"}), "opmerking van de piekdetectie")

    def test_method_names(self):
        self.assertEqual(method_text(FARRINGTON), "Farrington (verbeterd)")
        self.assertEqual(method_text(FALLBACK), "blokmethode voor weinig meldingen")
        self.assertEqual(method_text(DECLINED), "niet beoordeeld")
        self.assertEqual(str(Alert.Method.FALLBACK.label), "blokmethode voor weinig meldingen")
        self.assertEqual(judgement_text(FARRINGTON, ()), "methode: Farrington (verbeterd)")

    def test_the_detection_keeps_codes_and_numbers_and_english_only_for_developers(self):
        result = detect([2] * 80)
        self.assertEqual(result.notes, (Note.of(TOO_SHORT, weeks=80, needed=108),))
        self.assertEqual(result.reason, "series too short: 80 weeks, needs 108")
        self.assertEqual(notes_text(result.notes), "te kort: 80 weken gegevens, er zijn 108 nodig")


class DetectPeaksOutputTests(NoaberTestCase):
    def run_command(self):
        out = StringIO()
        with mock.patch("noaber.insight.alerts.register_series", return_value=EXAMPLES):
            call_command(
                "detect_peaks", municipality="GM1774", week="2026-W40", verbose_series=True,
                stdout=out,
            )  # fmt: skip
        return out.getvalue()

    def test_the_output_says_every_reason_and_method_in_dutch(self):
        output = self.run_command()
        for line in (
            "6 reeksen (3 Farrington, 2 blokmethode, 1 afgewezen), 2 pieken waarvan 2 nieuw.",
            "  piek: Kort: 18 waargenomen, verwacht 8,0, bovengrens 15,0 (score 1,43; "
            "methode: blokmethode voor weinig meldingen)",
            "    toelichting: te kort: 80 weken gegevens, er zijn 108 nodig",
            "methode: Farrington (verbeterd))",
            "  afgewezen: Heel kort: te kort: 5 weken gegevens, er zijn 108 nodig; ook te kort "
            "voor de blokmethode: 1 week met gegevens, er zijn 8 nodig",
            "  opmerking: Weinig: methode: blokmethode voor weinig meldingen; te weinig meldingen: "
            "gemiddeld 0,1 per week, minstens 0,2 nodig",
            "  opmerking: Drempel: methode: Farrington (verbeterd); geen piek bij zo weinig "
            "meldingen: 4 meldingen in de laatste 4 weken, minstens 5 nodig",
            "  opmerking: Leeg: methode: Farrington (verbeterd); geen gegevens over de beoordeelde "
            "week",
        ):
            self.assertIn(line, output)
        self.assertNotIn("opmerking: Kort", output)  # said once, under its peak
        self.assertNotRegex(output, ENGLISH)

    def test_the_alert_page_shows_method_and_notes_in_dutch(self):
        self.run_command()
        alert = Alert.objects.get(series_label="Kort")
        self.assertEqual(alert.notes, [{"code": "too_short", "weeks": 80, "needed": 108}])
        self.sign_in(self.advisor)
        page = self.client.get(reverse("insight:alert", args=["GM1774", alert.pk]))
        self.assertContains(page, "<dd>Blokmethode voor weinig meldingen</dd>", html=True)
        self.assertContains(
            page, "<dd>Te kort: 80 weken gegevens, er zijn 108 nodig</dd>", html=True
        )
        farrington = self.client.get(
            reverse("insight:alert", args=["GM1774", Alert.objects.get(series_label="Gewoon").pk])
        )
        self.assertContains(farrington, "<dd>Farrington (verbeterd)</dd>", html=True)
        self.assertNotContains(farrington, "Toelichting")
        for response in (page, farrington):
            body = response.content.decode()
            self.assertNotRegex(body[body.index("<main") :], ENGLISH)

    def test_an_alert_stored_before_the_notes_shows_no_explanation(self):
        alert = Alert.objects.create(
            municipality=self.dinkelland, series_key="report-theme:9", series_label="Oud",
            year=2025, week=3, observed=9, expected=2.0, upper=6.0, score=2.1, method="farrington",
        )  # fmt: skip
        self.assertEqual((alert.notes, alert.explanation), ([], ""))
        self.sign_in(self.advisor)
        page = self.client.get(reverse("insight:alert", args=["GM1774", alert.pk]))
        self.assertContains(page, "<dd>Farrington (verbeterd)</dd>", html=True)
        self.assertNotContains(page, "Toelichting")
