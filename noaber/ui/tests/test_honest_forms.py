"""Honest forms: a field marked "(niet verplicht)" may be left empty, and one that must be filled
carries no such mark.

Every Django form class in noaber is built (with the demo data for the objects it needs) and
each of its fields is rendered through templates/_field.html, the way every form page shows
it. For each field:

- the rendered label says "(niet verplicht)" exactly when the form does not require the field,
  and never twice (a label that already says it);
- the label is Dutch words, not the field name Django makes up when a model field has no
  verbose name ("Source grade", "Kind");
- a field marked optional is not refused when the form is submitted empty;
- before a submit, nothing is styled as an error.

Closing and reopening a case (whose actions require result, text and reason) are checked
through the pages too: the marks match and the refusal lands beside the field.
"""

import inspect
import re
from importlib import import_module
from pkgutil import walk_packages

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.forms.utils import pretty_name
from django.template.loader import render_to_string
from django.test import TestCase
from django.urls import reverse

import noaber
from noaber.accounts.demo import load_demo_users
from noaber.accounts.models import Municipality, User
from noaber.accounts.tests.base import NoaberTestCase
from noaber.cases import actions as case_actions
from noaber.cases.demo import load_demo_cases
from noaber.cases.models import Case, Meeting
from noaber.intake.demo import load_demo_reports
from noaber.partners.demo import load_demo_partners
from noaber.policy.models import Plan
from noaber.reference import load_all
from noaber.registry.models import Subject

MARK = "niet verplicht"
ERROR_STYLE = re.compile(r"utrecht-form-field--invalid|aria-invalid|utrecht-textbox--invalid")


def form_classes():
    for info in walk_packages(noaber.__path__, "noaber."):
        if ".tests" in info.name or ".migrations" in info.name:
            continue
        module = import_module(info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield cls


def english_model_field(cls, name) -> bool:
    """A model form's field whose model field has no verbose name: Django then makes the
    label up from the (English) field name."""
    model = getattr(getattr(cls, "_meta", None), "model", None)
    if model is None:
        return False
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return str(field.verbose_name) == name.replace("_", " ")


def visible_fields(form):
    return [b for b in form if not b.is_hidden]


class HonestFormsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_all()
        load_demo_users()
        load_demo_reports()
        load_demo_partners()
        load_demo_cases()
        cls.dinkelland = Municipality.objects.get(cbs_code="GM1774")
        cls.kwargs = {
            "municipality": cls.dinkelland,
            "case": Case.objects.filter(municipality=cls.dinkelland).order_by("pk").first(),
            "meeting": Meeting.objects.filter(municipality=cls.dinkelland).first(),
            "plan": Plan.objects.filter(municipalities=cls.dinkelland).first(),
            "subject": Subject.objects.filter(municipality=cls.dinkelland).first(),
            "choices": [("a", "een keuze")],
        }
        cls.kwargs["minutes_of"] = cls.kwargs["meeting"]

    def build(self, cls, **extra):
        wanted = inspect.signature(cls.__init__).parameters
        kwargs = {name: value for name, value in self.kwargs.items() if name in wanted}
        return cls(**kwargs, **extra)

    def test_every_form_field_is_marked_as_the_form_requires_it(self):
        problems, checked = [], 0
        for cls in form_classes():
            name = f"{cls.__module__}.{cls.__qualname__}"
            form = self.build(cls)
            empty_errors = self.build(cls, data={}).errors
            for bound in visible_fields(form):
                checked += 1
                html = render_to_string("_field.html", {"field": bound})
                label = str(bound.label)
                where = f"{name}.{bound.name} ({label!r})"
                marks = html.count(MARK)
                required = bound.field.required
                if MARK in label:
                    problems.append(f"{where}: the label itself says {MARK!r}")
                if bound.widget_type != "checkbox":  # a single box is a yes or no, never required
                    if required and marks:
                        problems.append(f"{where}: required, yet marked {MARK!r}")
                    if not required and marks != 1:
                        problems.append(f"{where}: optional, marked {marks} times")
                if label == pretty_name(bound.name) and english_model_field(cls, bound.name):
                    problems.append(f"{where}: no Dutch label (made up from the field name)")
                if not required and bound.name in empty_errors:
                    problems.append(
                        f"{where}: marked optional, refused when empty: {empty_errors[bound.name]}"
                    )
                if ERROR_STYLE.search(html):
                    problems.append(f"{where}: styled as an error before any submit")
        self.assertGreater(checked, 150)
        self.assertEqual(problems, [], "\n".join(problems))


class CloseAndReopenTests(NoaberTestCase):
    """The fields the issue found marked optional although closing and reopening need them."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        from noaber.cases.models import CaseType

        cls.case = case_actions.open_case(
            cls.dinkelland, CaseType.objects.get(code="overlast"), "Overlast Hoofdstraat",
            actor=cls.advisor, request=None,
        )  # fmt: skip

    def step(self, step):
        return reverse("cases:step", args=["GM1774", self.case.pk, step])

    def test_closing_without_result_and_text_is_refused_beside_both_fields(self):
        self.sign_in(self.advisor)
        response = self.client.post(self.step("close"), {"version": self.case.version})
        body = response.content.decode()
        self.assertIn('id="id_result_error"', body)
        self.assertIn('id="id_text_error"', body)
        self.assertNotIn(f'Resultaat <span class="noaber-optional">({MARK})', body)
        self.case.refresh_from_db()
        self.assertFalse(self.case.is_closed)

    def test_reopening_without_a_reason_is_refused_beside_the_field(self):
        for status in ("onderzoek", "uitvoering"):  # closing is allowed from "uitvoering"
            case_actions.change_status(
                self.case, status, self.case.version, actor=self.advisor, request=None
            )
            self.case.refresh_from_db()
        result = self.case.case_type.results.first()
        case_actions.close_case(
            self.case, result, "Klaar.", self.case.version, actor=self.advisor, request=None
        )
        self.case.refresh_from_db()
        self.sign_in(self.advisor)
        response = self.client.post(self.step("reopen"), {"version": self.case.version})
        self.assertIn('id="id_reason_error"', response.content.decode())
        self.case.refresh_from_db()
        self.assertTrue(self.case.is_closed)


class GuardTests(TestCase):
    def test_a_required_field_marked_optional_is_seen(self):
        class Dishonest(forms.Form):
            reason = forms.CharField(label="Reden (niet verplicht)")

        bound = Dishonest()["reason"]
        html = render_to_string("_field.html", {"field": bound})
        self.assertIn(MARK, html)
        self.assertTrue(bound.field.required)

    def test_an_english_label_is_seen(self):
        from noaber.registry.models import Signal

        class English(forms.ModelForm):
            class Meta:
                model = Signal
                fields = ["municipal_task"]

        Signal._meta.get_field("municipal_task").verbose_name = "municipal task"
        try:
            self.assertTrue(english_model_field(English, "municipal_task"))
        finally:
            Signal._meta.get_field("municipal_task").verbose_name = "gemeentelijke taak"
        self.assertFalse(english_model_field(English, "municipal_task"))

    def test_users_are_named_in_choices(self):
        user = User(username="x", first_name="Anouk", last_name="Adviseur")
        self.assertEqual(str(user), "Anouk Adviseur")


class ErrorsBesideTheFieldTests(TestCase):
    class Choose(forms.Form):
        categories = forms.MultipleChoiceField(
            label="Gegevenscategorieën",
            choices=[("a", "adresgegevens"), ("b", "bedrijfsgegevens")],
            widget=forms.CheckboxSelectMultiple,
        )
        text = forms.CharField(label="Toelichting", widget=forms.Textarea)

    def test_a_checkbox_group_shows_its_error_inside_the_group_after_a_submit(self):
        form = self.Choose(data={})
        html = render_to_string("_field.html", {"field": form["categories"]})
        fieldset = html[html.index("<fieldset") : html.index("</fieldset>")]
        self.assertIn('id="id_categories_error"', fieldset)
        # Each box in the group is marked invalid (Django sets it on the widgets).
        self.assertIn('aria-invalid="true"', fieldset[fieldset.index("<input") :])
        # The field around the group is marked invalid (a red bar beside it), as for any field.
        self.assertIn("utrecht-form-field--invalid", html[: html.index("<fieldset")])
        self.assertIn('aria-describedby="id_categories_error"', fieldset)

    def test_nothing_is_styled_as_an_error_before_the_first_submit(self):
        form = self.Choose()
        for name in ("categories", "text"):
            html = render_to_string("_field.html", {"field": form[name]})
            self.assertIsNone(ERROR_STYLE.search(html), name)
        refused = render_to_string("_field.html", {"field": self.Choose(data={})["text"]})
        self.assertIn('aria-invalid="true"', refused)
