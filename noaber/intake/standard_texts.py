"""Standard texts (sjablonen) for reporters: replies and status texts per municipality.

The functional admin keeps them on /m/<CBS>/sjablonen/ (every change audited). On the pages
"Bericht aan de melder" and "Status wijzigen" the advisor picks one; the text box is filled
with it and the advisor edits it before sending. Without JavaScript the choice is a small GET
form ("Gebruik sjabloon") that reloads the page with the text filled in; with JavaScript
(static/intake/standard_texts.js) the same button fills the box in place.

A standard text is plain text. It is never rendered as a template: `{{ … }}` or `{% … %}` or
HTML in it are shown and sent exactly as written (Django escapes them like any other text).
Placeholders are a fixed list, filled in with plain string replacement (`fill`).
"""

import re

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from noaber.accounts.access import municipality_view
from noaber.lib.pages import action_page

from . import actions
from .models import MESSAGE_MAX, PUBLIC_TEXT_MAX, StandardText

BODY_MAX = min(MESSAGE_MAX, PUBLIC_TEXT_MAX)
# The placeholders a standard text may hold, and what each becomes for a report.
PLACEHOLDERS = {
    "{meldingnummer}": gettext_lazy("het nummer van de melding, bijvoorbeeld M-12"),
    "{gemeente}": gettext_lazy("de naam van de gemeente, bijvoorbeeld Dinkelland"),
}
_PLACEHOLDER_LIKE = re.compile(r"\{[^{}\s]{1,40}\}")
_TEMPLATE_SYNTAX = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
CHOICE_PARAM = "sjabloon"


def fill(text: str, report) -> str:
    """The standard text for `report`: each known placeholder replaced by plain string
    replacement; everything else (including anything that looks like template syntax) kept."""
    values = {"{meldingnummer}": report.number, "{gemeente}": report.municipality.name}
    for placeholder, value in values.items():
        text = text.replace(placeholder, str(value))
    return text


def unknown_placeholders(text: str) -> list[str]:
    """Words in single braces that are no placeholder (`{naam}`): probably a typo. Template
    syntax (`{{ … }}`, `{% … %}`) is no placeholder either; it stays in the text, literally."""
    rest = _TEMPLATE_SYNTAX.sub(" ", text)
    return [m for m in _PLACEHOLDER_LIKE.findall(rest) if m not in PLACEHOLDERS]


class StandardTextForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Soort"), choices=StandardText.Kind.choices)
    title = forms.CharField(
        label=gettext_lazy("Naam"),
        max_length=100,
        help_text=gettext_lazy("Zo kiest de adviseur het sjabloon, bijvoorbeeld: Ontvangen."),
    )
    body = forms.CharField(
        label=gettext_lazy("Tekst"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    active = forms.BooleanField(label=gettext_lazy("In gebruik"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = _(
            "Hoogstens %(n)s tekens, gewone tekst (geen opmaak). Invulplekken: %(p)s."
        ) % {
            "n": BODY_MAX,
            "p": "; ".join(f"{k} — {v}" for k, v in PLACEHOLDERS.items()),
        }

    def clean_body(self):
        body = self.cleaned_data["body"]
        if not body.strip():
            raise ValidationError(_("Schrijf de tekst van het sjabloon."))
        unknown = unknown_placeholders(body)
        if unknown:
            raise ValidationError(
                _("Onbekende invulplek %(u)s. Mogelijk zijn: %(p)s.")
                % {"u": ", ".join(unknown), "p": ", ".join(PLACEHOLDERS)}
            )
        return body.strip()


@municipality_view("intake.standard_texts")
def standard_text_list(request, municipality):
    texts = StandardText.objects.filter(municipality=municipality)
    groups = [
        (label, [t for t in texts if t.kind == kind]) for kind, label in StandardText.Kind.choices
    ]
    return render(request, "intake/standard_text_list.html", {"groups": groups})


@municipality_view("intake.standard_texts", ["GET", "POST"])
def standard_text_edit(request, municipality, pk=None):
    text = get_object_or_404(StandardText, municipality=municipality, pk=pk) if pk else None
    initial = (
        {"kind": text.kind, "title": text.title, "body": text.body, "active": text.active}
        if text
        else {}
    )
    back = reverse("intake:standard_texts", args=[municipality.cbs_code])
    return action_page(
        request,
        StandardTextForm(request.POST or None, initial=initial),
        lambda d: actions.save_standard_text(
            municipality,
            kind=d["kind"],
            title=d["title"],
            body=d["body"],
            active=d["active"],
            text=text,
            request=request,
        ),
        success_url=back,
        success_message=_("Het sjabloon is opgeslagen."),
        context={
            "object_url": back,
            "object_label": _("sjablonen"),
            "title": _("Sjabloon %(t)s bewerken") % {"t": text.title}
            if text
            else _("Nieuw sjabloon"),
            "submit_label": _("Sjabloon opslaan"),
        },
    )


def offer(request, municipality, report, kind: str, form, field: str) -> dict:
    """The standard texts of `kind` the advisor may choose on a report's page, filled in for
    the report, and — when the page was asked with ?sjabloon=<id> (the no-JavaScript way) —
    that text put in the form's `field`. Only the municipality's own active texts are offered
    or accepted; another id is ignored with a message. Returns context for the template."""
    texts = [
        (t, fill(t.body, report))
        for t in StandardText.objects.filter(municipality=municipality, kind=kind, active=True)
    ]
    chosen = request.GET.get(CHOICE_PARAM, "")
    if chosen and request.method == "GET" and not form.is_bound:
        found = next((filled for t, filled in texts if str(t.pk) == chosen), None)
        if found is None:
            messages.warning(request, _("Dat sjabloon bestaat niet (meer); kies een ander."))
        else:
            form.initial[field] = found
            form.initial["standard_text"] = chosen
    return {
        "standard_texts": texts,
        "standard_text_field": form[field].auto_id,
        "standard_text_chosen": chosen,
    }


def used(municipality, report, kind: str, chosen, sent: str) -> dict | None:
    """For the audit log: the standard text the sent text came from — its id, and whether the
    advisor edited it — or None (no choice, or an id that is not one of this municipality's
    texts of this kind)."""
    chosen = str(chosen or "").strip()
    if not chosen.isdigit():
        return None
    text = StandardText.objects.filter(municipality=municipality, kind=kind, pk=chosen).first()
    if text is None:
        return None
    return {"id": text.pk, "edited": fill(text.body, report).strip() != sent.strip()}
