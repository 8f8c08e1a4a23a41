"""The two shapes every object page shares (STYLE.md, "Object pages and action forms").

- An object page has a header with its key facts and status, and sections shown one at a time as
  tabs: plain links with `?sectie=<key>`, so they work without JavaScript, can be bookmarked, and
  keep each screen short. `sections()` builds the tab list and picks the current one.
- Every action on an object (note, task, close, weging, …) has its own page with one form:
  `action_page()` shows it, keeps what was typed and puts errors beside the fields when the form
  or the action refuses, and returns to the object with a success message when the action ran.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms import Form
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from noaber.lib.errors import ConflictError

SECTION_PARAM = "sectie"


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    url: str
    current: bool
    count: int | None = None


def sections(request, items: Iterable[tuple], default: str | None = None):
    """Tabs for an object page. `items` are (key, label) or (key, label, count) in order; the
    first (or `default`) is shown when `?sectie=` is absent or names no section of this object
    (an old bookmark is no error). A tab's link keeps the page's other query parameters.
    Returns (list of Section, current key)."""
    items = [tuple(i) + (None,) * (3 - len(i)) for i in items]
    keys = [i[0] for i in items]
    wanted = request.GET.get(SECTION_PARAM)
    current = wanted if wanted in keys else (default or keys[0])
    # Other query parameters (e.g. ?verzoek= on a subject opened for a request) stay.
    kept = request.GET.copy()
    kept.pop(SECTION_PARAM, None)

    def url(key):
        query = kept.copy()
        if key != keys[0]:
            query[SECTION_PARAM] = key
        return f"{request.path}?{query.urlencode()}" if query else request.path

    tabs = [
        Section(
            key=key,
            label=label,
            url=url(key),
            current=key == current,
            count=count,
        )
        for key, label, count in items
    ]
    return tabs, current


def section_url(url: str, key: str | None) -> str:
    """The object page's URL opened on section `key` (the first section when None)."""
    return f"{url}?{SECTION_PARAM}={key}" if key else url


def action_page(
    request,
    form: Form,
    run: Callable[[dict], object],
    *,
    success_url: str | Callable[[object], str],
    context: dict,
    template: str = "ui/action.html",
    success_message: str | None = None,
):
    """Show `form` (bound on POST); when it is valid, call `run(cleaned_data)`.

    A ValidationError from the action lands beside the field it names (or above the form), a
    ConflictError (someone changed the object meanwhile) above the form; either way the form
    comes back with what was typed and nothing changed. On success: a message and a redirect to
    `success_url`. `context` carries at least `object_url` and `object_label` (the way back) and
    `title` (the action's name); `submit_label` and `intro` are optional. `success_url` may
    also be a function of what `run` returned (e.g. the page of the object it created).
    """
    if request.method == "POST" and form.is_valid():
        try:
            # One transaction per action: a refusal halfway leaves nothing written, and row
            # locks (select_for_update) hold, whatever the action itself declares.
            with transaction.atomic():
                result = run(form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        except ConflictError as error:
            form.add_error(None, str(error) or _("Iemand anders heeft dit intussen gewijzigd."))
        else:
            messages.success(request, success_message or _("Vastgelegd."))
            return redirect(success_url(result) if callable(success_url) else success_url)
    status = 400 if request.method == "POST" else 200
    return render(request, template, context | {"form": form}, status=status)


def _add_errors(form: Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
