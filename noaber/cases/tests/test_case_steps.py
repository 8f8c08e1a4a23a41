"""Each step on a case on its own page: bad input comes back with what was typed and the error
beside the field, and changes nothing; the page offers exactly the steps the actions accept
(cases.steps); closing, reopening and closing again tells the reporters each time."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from noaber.accounts.models import Organisation
from noaber.accounts.tests.base import NoaberTestCase
from noaber.cases import actions, steps
from noaber.cases.models import Case, CaseResult, CaseType, InterventionType, Task, TimelineEntry
from noaber.intake.actions import find_by_receipt, submit_report
from noaber.intake.models import Category, Channel, StatusChange
from noaber.registry.actions import register_from_reports

M = "GM1774"


def step_url(case, step):
    return reverse("cases:step", args=[M, case.pk, step])


def case_url(case, section=None):
    url = reverse("cases:case", args=[M, case.pk])
    return f"{url}?sectie={section}" if section else url


class CaseStepBase(NoaberTestCase):
    def setUp(self):
        submitted = submit_report(
            self.dinkelland,
            {"category": Category.objects.get(code="drugs-drugslab"), "description": "Schuur."},
            channel=Channel.WEB,
        )
        self.receipt = submitted.receipt
        signal = register_from_reports(
            self.dinkelland, [submitted.report], actor=self.advisor, request=None
        )
        self.riec = CaseType.objects.get(code="riec")
        self.case = actions.open_case(
            self.dinkelland, self.riec, "Schuur Hoofdweg", actor=self.advisor, request=None,
            signals=[signal],
        )  # fmt: skip
        self.result = CaseResult.objects.get(case_type=self.riec, code="maatregel")
        self.sign_in(self.advisor)

    def advance(self, status="onderzoek"):
        self.case.refresh_from_db()
        actions.change_status(self.case, status, self.case.version, actor=self.advisor,
                              request=None)  # fmt: skip
        self.case.refresh_from_db()

    def snapshot(self):
        """What a refused step must leave untouched."""
        case = Case.objects.get(pk=self.case.pk)
        return (
            case.status,
            case.version,
            case.closed_at,
            case.timeline.count(),
            case.tasks.count(),
            list(case.tasks.values_list("completed_at", "withdrawn_at")),
            case.interventions.count(),
            StatusChange.objects.count(),
        )

    def assert_refused(self, response, field, message, typed=()):
        """The form again (400), the error beside `field` (None: above the form), what was
        typed still in it, and nothing changed."""
        self.assertEqual(response.status_code, 400)
        form = response.context["form"]
        errors = form.errors.get(field or "__all__", [])
        self.assertTrue(any(message in e for e in errors), (field, form.errors))
        if field:
            self.assertContains(response, f'id="{form[field].auto_id}_error"', status_code=400)
        for text in typed:
            self.assertContains(response, text, status_code=400)


class ClosingTextTests(CaseStepBase):
    """Regression (issue 17): a case closed, reopened and closed again with a 'Tekst voor de
    melders' — the reporters read the first, default closing text, and their report's history
    got no entry."""

    def close(self, public_text=""):
        self.case.refresh_from_db()
        actions.close_case(self.case, self.result, "Afgerond.", self.case.version,
                           actor=self.advisor, request=None, public_text=public_text)  # fmt: skip
        self.case.refresh_from_db()

    def reporter_page(self):
        reporter = self.client_class()
        reporter.post(reverse("intake:follow_up_start"), {"receipt": self.receipt})
        return reporter.get(reverse("intake:follow_up"))

    def test_closing_again_tells_the_reporters_the_new_text_and_adds_to_their_history(self):
        self.advance()
        self.close()
        report = find_by_receipt(self.receipt)
        self.assertEqual(report.status, "closed")
        self.assertContains(self.reporter_page(), "Uw melding is afgehandeld.")
        before = report.history.count()
        actions.reopen_case(self.case, "Nieuwe signalen", self.case.version, actor=self.advisor,
                            request=None)  # fmt: skip
        self.close(public_text="Het pand is na een tweede inval definitief gesloten.")
        report.refresh_from_db()
        self.assertEqual(report.status, "closed")
        self.assertEqual(report.public_text, "Het pand is na een tweede inval definitief gesloten.")
        page = self.reporter_page()
        self.assertContains(page, "Het pand is na een tweede inval definitief gesloten.")
        self.assertNotContains(page, "Uw melding is afgehandeld.")
        history = list(report.history.values_list("new_status", "public_text"))
        # Reopening told them (in behandeling), the second closing too (afgehandeld).
        self.assertEqual(len(history), before + 2)
        self.assertEqual(history[-2][0], "in_progress")
        self.assertEqual(
            history[-1], ("closed", "Het pand is na een tweede inval definitief gesloten.")
        )


class AllowedStepsTests(CaseStepBase):
    """The page offers a step exactly when the action accepts it (cases.steps)."""

    def offered(self, step):
        """Whether the case page (any of its sections) links to `step`'s page."""
        urls = {
            steps.SHARE: reverse("portal:share", args=[M, self.case.pk]),
            steps.UNSHARE: reverse("portal:unshare", args=[M, self.case.pk]),
        }
        if step == steps.COMPLETE:
            task = self.case.tasks.first()
            if task is None:
                return False
            urls[step] = reverse("cases:task_complete", args=[M, self.case.pk, task.pk])
        target = urls.get(step) or step_url(self.case, step)
        pages = [self.client.get(case_url(self.case, s)) for s in steps_sections()]
        return any(f'href="{target}' in p.content.decode() for p in pages)

    def test_page_and_actions_agree_through_the_case_lifecycle(self):
        checked = set()
        for stage in ("aangemeld", "onderzoek", "met taak", "afgesloten"):
            if stage == "onderzoek":
                self.advance()
            elif stage == "met taak":
                actions.add_task(self.case, "Bellen", timezone.localdate(), actor=self.advisor,
                                 request=None, user=self.advisor)  # fmt: skip
            elif stage == "afgesloten":
                actions.close_case(self.case, self.result, "Klaar.", self.case.version,
                                   actor=self.advisor, request=None,
                                   withdraw_open_tasks=True)  # fmt: skip
            self.case.refresh_from_db()
            allowed = set(steps.allowed_steps(self.case))
            for step in steps.ALL:
                if step == steps.UNSHARE:
                    continue  # needs a running share; covered in the portal's tests
                with self.subTest(stage=stage, step=step):
                    self.assertEqual(self.offered(step), step in allowed)
                    checked.add((stage, step, step in allowed))
        # Closing from 'aangemeld' is neither offered nor accepted.
        self.assertIn(("aangemeld", steps.CLOSE, False), checked)
        self.assertIn(("onderzoek", steps.CLOSE, True), checked)
        self.assertIn(("afgesloten", steps.REOPEN, True), checked)

    def test_closing_straight_from_aangemeld_is_refused_by_page_and_action(self):
        page = self.client.get(step_url(self.case, "close"))
        self.assertContains(page, "kan niet worden afgesloten vanuit &#x27;aangemeld&#x27;")
        self.assertNotContains(page, 'name="result"')
        before = self.snapshot()
        response = self.client.post(
            step_url(self.case, "close"),
            {"result": self.result.pk, "text": "Snel klaar.", "version": self.case.version},
        )
        self.assert_refused(response, None, "kan niet worden afgesloten vanuit", ["Snel klaar."])
        self.assertEqual(self.snapshot(), before)

    def test_open_tasks_block_closing_until_they_are_let_go_explicitly(self):
        self.advance()
        task = actions.add_task(self.case, "Adres natrekken", timezone.localdate(),
                                actor=self.advisor, request=None, user=self.advisor)  # fmt: skip
        data = {"result": self.result.pk, "text": "Afgerond.", "version": self.case.version}
        page = self.client.get(step_url(self.case, "close"))
        self.assertContains(page, "Adres natrekken")
        before = self.snapshot()
        response = self.client.post(step_url(self.case, "close"), data)
        self.assert_refused(response, "withdraw_tasks", "Er staat nog 1 open taak", ["Afgerond."])
        self.assertEqual(self.snapshot(), before)
        done = self.client.post(step_url(self.case, "close"), data | {"withdraw_tasks": "on"})
        self.assertRedirects(done, case_url(self.case), fetch_redirect_response=False)
        task.refresh_from_db()
        self.assertEqual(task.withdrawn_reason, "casus afgesloten")
        texts = self.case.timeline.filter(kind=TimelineEntry.Kind.TASK).values_list(
            "text", flat=True
        )
        self.assertIn("Vervallen: Adres natrekken — ", "\n".join(texts))


def steps_sections():
    return ("overzicht", "tijdlijn", "taken", "delen", "interventies")


class BadInputTests(CaseStepBase):
    """Every step's form, submitted empty, too long, with a past due date or a future decision
    date, with a choice the state does not allow, or from a stale page."""

    def post(self, step, data, *, stale=False):
        self.case.refresh_from_db()
        version = self.case.version - 1 if stale else self.case.version
        return self.client.post(step_url(self.case, step), data | {"version": version})

    def check(self, step, data, field, message, typed=(), stale=False):
        before = self.snapshot()
        response = self.post(step, data, stale=stale)
        self.assert_refused(response, field, message, typed)
        self.assertEqual(self.snapshot(), before)

    def make_stale(self):
        """Someone else moves the case on: the page the advisor has open is stale."""
        self.advance("onderzoek")

    def test_status(self):
        self.check("status", {}, "status", "vereist")
        self.check("status", {"status": "monitoren"}, "status", "kan vanuit de huidige status")
        self.check("status", {"status": "closed"}, "status", "kan vanuit de huidige status")
        self.make_stale()
        self.check("status", {"status": "uitvoering"}, None, "intussen gewijzigd", stale=True)

    def test_note(self):
        self.check("note", {"text": ""}, "text", "vereist")
        self.check("note", {"text": "x" * 5001}, "text", "niet meer dan 5000 tekens")
        self.make_stale()
        self.check("note", {"text": "Buurman gesproken."}, None, "intussen gewijzigd",
                   ["Buurman gesproken."], stale=True)  # fmt: skip

    def test_task(self):
        tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
        yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
        self.check("task", {}, "title", "vereist")
        self.check("task", {"title": "x" * 201, "due_date": tomorrow, "user": self.advisor.pk},
                   "title", "niet meer dan 200 tekens")  # fmt: skip
        self.check("task", {"title": "Bellen", "due_date": yesterday, "user": self.advisor.pk},
                   "due_date", "in het verleden", ["Bellen", yesterday])  # fmt: skip
        self.check("task", {"title": "Bellen", "due_date": tomorrow}, "user", "één eigenaar",
                   ["Bellen"])  # fmt: skip
        politie = Organisation.objects.get(name="Politie")
        self.check("task", {"title": "Inval", "due_date": tomorrow, "organisation": politie.pk},
                   "agreement", "geldig convenant", ["Inval"])  # fmt: skip
        self.make_stale()
        self.check("task", {"title": "Bellen", "due_date": tomorrow, "user": self.advisor.pk},
                   None, "intussen gewijzigd", ["Bellen"], stale=True)  # fmt: skip

    def test_complete_task(self):
        task = actions.add_task(self.case, "Bellen", timezone.localdate(), actor=self.advisor,
                                request=None, user=self.advisor)  # fmt: skip
        url = reverse("cases:task_complete", args=[M, self.case.pk, task.pk])

        def check(data, field, message, typed=(), version=None):
            self.case.refresh_from_db()
            before = self.snapshot()
            response = self.client.post(url, data | {"version": version or self.case.version})
            self.assert_refused(response, field, message, typed)
            self.assertEqual(self.snapshot(), before)

        check({"result": ""}, "result", "vereist")
        check({"result": "x" * 2001}, "result", "niet meer dan 2000 tekens")
        self.make_stale()
        check({"result": "Gebeld."}, None, "intussen gewijzigd", ["Gebeld."],
              version=self.case.version - 1)  # fmt: skip
        self.assertIsNone(Task.objects.get(pk=task.pk).completed_at)

    def test_intervention(self):
        kind = InterventionType.objects.get(code="gesprek").pk
        today = timezone.localdate()
        good = {"kind": kind, "decided_on": today.isoformat(), "decided_by": "burgemeester"}
        self.check("intervention", {}, "kind", "vereist")
        future = (today + timedelta(days=1)).isoformat()
        self.check("intervention", good | {"decided_on": future, "follow_up": "Na de zomer"},
                   "decided_on", "in de toekomst", ["Na de zomer", future])  # fmt: skip
        self.check("intervention", good | {"decided_by": "x" * 121}, "decided_by",
                   "niet meer dan 120 tekens")  # fmt: skip
        self.check("intervention", good | {"follow_up": "x" * 2001}, "follow_up",
                   "niet meer dan 2000 tekens")  # fmt: skip
        self.make_stale()
        self.check("intervention", good, None, "intussen gewijzigd", ["burgemeester"],
                   stale=True)  # fmt: skip

    def test_close(self):
        self.advance()
        good = {"result": self.result.pk, "text": "Pand gesloten."}
        self.check("close", {}, "result", "Kies een resultaat")
        other = CaseResult.objects.get(case_type__code="onrust", code="rustig")
        self.check("close", good | {"result": other.pk}, "result", "geldige keuze")
        self.check("close", {"result": self.result.pk, "public_text": "Dank u."}, "text",
                   "Schrijf een afsluittekst", ["Dank u."])  # fmt: skip
        self.check("close", good | {"text": "x" * 5001}, "text", "niet meer dan 5000 tekens")
        self.check("close", good | {"public_text": "x" * 2001}, "public_text",
                   "niet meer dan 2000 tekens", ["Pand gesloten."])  # fmt: skip
        self.advance("uitvoering")
        self.check("close", good, None, "intussen gewijzigd", ["Pand gesloten."], stale=True)

    def test_reopen(self):
        self.check("reopen", {"reason": "Nieuw signaal"}, None, "niet afgesloten",
                   ["Nieuw signaal"])  # fmt: skip
        self.advance()
        actions.close_case(self.case, self.result, "Klaar.", self.case.version,
                           actor=self.advisor, request=None)  # fmt: skip
        self.check("reopen", {"reason": " "}, "reason", "Noem de reden")
        self.check("reopen", {"reason": "x" * 301}, "reason", "niet meer dan 300 tekens")
        self.check("reopen", {"reason": "Nieuw signaal", "public_text": "x" * 2001},
                   "public_text", "niet meer dan 2000 tekens", ["Nieuw signaal"])  # fmt: skip
        self.check("reopen", {"reason": "Nieuw signaal"}, None, "intussen gewijzigd",
                   ["Nieuw signaal"], stale=True)  # fmt: skip

    def test_a_step_the_case_does_not_know_is_404(self):
        self.assertEqual(self.client.get(step_url(self.case, "verwijderen")).status_code, 404)

    def test_a_good_step_returns_to_the_case_with_a_message(self):
        response = self.post("note", {"text": "Buurman gesproken."})
        self.assertRedirects(
            response, case_url(self.case, "tijdlijn"), fetch_redirect_response=False
        )
        page = self.client.get(case_url(self.case, "tijdlijn"))
        self.assertContains(page, "De notitie staat op de tijdlijn.")
        self.assertContains(page, "Buurman gesproken.")
