"""A municipality's branding (huisstijl): display name, logo and primary colour.

The functional admin sets them on /m/<CBS>/huisstijl/. The colour reaches the pages as a
generated stylesheet, /m/<CBS>/huisstijl.css, that overrides Noaber's noaber.color.primary.*
tokens (the CSP allows no inline styles); it is refused unless white text on it and it on white
both reach WCAG AA (4.5:1). The stylesheet and the logo are public: they hold nothing but what
the municipality shows on its own website, and the public report form uses them too.
"""

import hashlib
import io

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import condition

from noaber.lib.colour import HEX, MIN_TEXT_CONTRAST, WHITE, contrast_ratio, primary_shades

from . import actions
from .access import municipality_view, public_view
from .models import Municipality

LOGO_MAX_BYTES = 200 * 1024
LOGO_MAX_SIZE = (800, 300)  # width, height in pixels
LOGO_FORMATS = {"PNG", "JPEG"}


def colour_problem(colour: str) -> str | None:
    """Why `colour` cannot be the primary colour (a Dutch sentence), or None when it can."""
    if not HEX.fullmatch(colour):
        return _("Geef de kleur als # met zes hexadecimale tekens, bijvoorbeeld #1f6f43.")
    on_colour = contrast_ratio(WHITE, colour)
    on_white = contrast_ratio(colour, WHITE)
    if min(on_colour, on_white) < MIN_TEXT_CONTRAST:
        return _(
            "Deze kleur geeft te weinig contrast: witte tekst op %(colour)s haalt %(on_colour)s:1 "
            "en %(colour)s op wit %(on_white)s:1, terwijl minstens 4,5:1 nodig is. "
            "Kies een donkerdere kleur."
        ) % {
            "colour": colour,
            "on_colour": f"{on_colour:.2f}".replace(".", ","),
            "on_white": f"{on_white:.2f}".replace(".", ","),
        }
    return None


def read_logo(upload) -> bytes:
    """The uploaded logo, checked and re-encoded as PNG (which drops metadata and anything
    hidden in the file); ValidationError in Dutch otherwise. SVG is refused: it can carry
    scripts."""
    if upload.size > LOGO_MAX_BYTES:
        raise ValidationError(_("Het logo is te groot: hooguit 200 kB."))
    data = upload.read()
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data), formats=sorted(LOGO_FORMATS)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(data), formats=sorted(LOGO_FORMATS))
        if image.format not in LOGO_FORMATS:
            raise ValidationError(_("Een logo is een PNG- of JPEG-bestand."))
        width, height = image.size
        if width > LOGO_MAX_SIZE[0] or height > LOGO_MAX_SIZE[1]:
            raise ValidationError(
                _("Het logo is %(w)s × %(h)s pixels; hooguit 800 × 300 past in de kop.")
                % {"w": width, "h": height}
            )
        out = io.BytesIO()
        image.convert("RGBA").save(out, format="PNG", optimize=True)
    except ValidationError:
        raise
    except Exception as error:  # noqa: BLE001 - any decoding failure is the same refusal
        raise ValidationError(_("Een logo is een PNG- of JPEG-bestand.")) from error
    return out.getvalue()


class BrandingForm(forms.Form):
    display_name = forms.CharField(
        label=gettext_lazy("Naam in de kop"),
        help_text=gettext_lazy("Bijvoorbeeld: Gemeente Dinkelland. Leeg: de gewone naam."),
        max_length=100,
        required=False,
    )
    primary_colour = forms.CharField(
        label=gettext_lazy("Hoofdkleur"),
        help_text=gettext_lazy(
            "Als # met zes hexadecimale tekens, bijvoorbeeld #1f6f43. Witte tekst op de kleur "
            "en de kleur op wit moeten allebei een contrast van minstens 4,5:1 halen. "
            "Leeg: de kleur van Noaber."
        ),
        max_length=20,
        required=False,
    )
    logo = forms.FileField(
        label=gettext_lazy("Logo"),
        help_text=gettext_lazy("PNG of JPEG, hooguit 200 kB en 800 × 300 pixels."),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    remove_logo = forms.BooleanField(label=gettext_lazy("Logo verwijderen"), required=False)

    def clean_primary_colour(self):
        colour = self.cleaned_data["primary_colour"].strip().lower()
        if colour:
            problem = colour_problem(colour)
            if problem:
                raise ValidationError(problem)
        return colour

    def clean_logo(self):
        upload = self.cleaned_data.get("logo")
        return read_logo(upload) if upload else None


@municipality_view("accounts.branding", ["GET", "POST"])
def edit(request, municipality):
    initial = {
        "display_name": municipality.display_name,
        "primary_colour": municipality.primary_colour,
    }
    form = BrandingForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        actions.update_branding(
            municipality,
            display_name=data["display_name"],
            primary_colour=data["primary_colour"],
            logo=data["logo"],
            remove_logo=data["remove_logo"],
            request=request,
        )
        messages.success(request, _("De huisstijl is opgeslagen."))
        return redirect("branding:edit", municipality.cbs_code)
    return render(request, "accounts/branding.html", {"form": form, "branded": municipality})


def stylesheet_for(municipality: Municipality) -> str:
    lines = [f"/* Huisstijl van {municipality.cbs_code}, gemaakt door Noaber. */"]
    if municipality.primary_colour:
        lines.append(".noaber-theme {")
        for shade, value in primary_shades(municipality.primary_colour).items():
            lines.append(f"  --noaber-color-primary-{shade}: {value};")
        lines.append("}")
    return "\n".join(lines) + "\n"


def _branding_of(request, municipality):
    if not hasattr(request, "_branding"):
        request._branding = (
            Municipality.objects.filter(cbs_code=municipality)
            .only("cbs_code", "primary_colour", "logo_type", "branding_updated_at")
            .first()
        )
    return request._branding


def _etag(request, municipality):
    found = _branding_of(request, municipality)
    if found is None:
        return None
    stamp = found.branding_updated_at.isoformat() if found.branding_updated_at else "-"
    return hashlib.sha256(f"{found.cbs_code}|{stamp}|{found.primary_colour}".encode()).hexdigest()[
        :20
    ]


def _last_modified(request, municipality):
    found = _branding_of(request, municipality)
    return found.branding_updated_at if found else None


def _cached(response):
    # Small; browsers revalidate after five minutes (ETag, Last-Modified). Private: for a
    # signed-in user the response carries the session cookie, which no shared cache may keep.
    response["Cache-Control"] = "private, max-age=300"
    return response


@public_view(["GET"], page=False)
@condition(etag_func=_etag, last_modified_func=_last_modified)
def stylesheet(request, municipality):
    found = get_object_or_404(Municipality.objects.defer("logo"), cbs_code=municipality)
    return _cached(HttpResponse(stylesheet_for(found), content_type="text/css; charset=utf-8"))


@public_view(["GET"], page=False)
@condition(etag_func=_etag, last_modified_func=_last_modified)
def logo(request, municipality):
    found = get_object_or_404(Municipality, cbs_code=municipality)
    if not found.logo_type:
        # No logo of its own: Noaber's mark, so a link to the logo never breaks.
        return redirect(static("ui/noaber.svg"))
    return _cached(HttpResponse(bytes(found.logo), content_type=found.logo_type))
