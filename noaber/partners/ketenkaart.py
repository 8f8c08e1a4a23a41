"""The ketenkaart: who works on safety in a municipality, and on which of its IVP priorities.

The partners are `accounts.Organisation` rows serving the municipality; their links to the
municipality's priorities are the plan's Tabel 7. What the plan publishes is no personal data,
so reading is not logged; every change goes through noaber/partners/organisations.py.
"""

from django.contrib import messages
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from noaber.accounts.access import can, municipality_view
from noaber.accounts.models import Organisation
from noaber.lib.pages import sections
from noaber.themes.models import Priority

from . import organisations as actions
from .forms import PartnerForm
from .models import SharingAgreement
from .svg import ketenkaart_drawing


def get_partner_for(municipality, pk) -> Organisation:
    """An organisation that serves `municipality`, or 404."""
    return get_object_or_404(Organisation, municipalities=municipality, pk=pk)


def _partners_of(municipality):
    """The municipality's partners, each with `local_priorities`: its Tabel 7 row."""
    return municipality.organisations.prefetch_related(
        Prefetch(
            "priorities",
            queryset=Priority.objects.filter(municipality=municipality),
            to_attr="local_priorities",
        )
    ).order_by("name")


def _by_kind(partners):
    return [
        (kind, label, [p for p in partners if p.kind == kind])
        for kind, label in Organisation.Kind.choices
    ]


def _description(municipality, total, by_priority) -> str:
    """The drawing's text equivalent in a few sentences (the table holds the details)."""
    counts = "; ".join(
        ngettext("%(name)s: %(n)d partner", "%(name)s: %(n)d partners", len(members))
        % {"name": priority.name, "n": len(members)}
        for priority, members in by_priority
    )
    return _(
        "Ketenkaart van %(municipality)s: %(total)d partners, in groepen per soort, met een "
        "lijn naar elke prioriteit van het Integraal Veiligheidsplan waaraan zij werken. "
        "%(counts)s. De tabel “Wie werkt aan welke prioriteit” op deze pagina is de "
        "tekstversie van deze kaart."
    ) % {"municipality": municipality.name, "total": total, "counts": counts}


@municipality_view("partners.view")
def map_page(request, municipality):
    partners = list(_partners_of(municipality))
    priorities = list(municipality.priorities.all())
    groups = _by_kind(partners)
    by_priority = [(q, [p for p in partners if q in p.local_priorities]) for q in priorities]
    in_table = [p for p in partners if p.local_priorities]
    kind_order = {kind: index for index, (kind, _label) in enumerate(Organisation.Kind.choices)}
    matrix = [
        (partner, [priority in partner.local_priorities for priority in priorities])
        for partner in sorted(in_table, key=lambda p: (kind_order.get(p.kind, 99), p.name))
    ]
    drawing = ketenkaart_drawing(
        [
            (kind, label, [(p.name, [q.pk for q in p.local_priorities]) for p in members])
            for kind, label, members in groups
        ],
        [(q.pk, f"{q.order}. {q.name}") for q in priorities],
        priorities_title=_("Prioriteiten IVP"),
    )
    return render(
        request,
        "partners/ketenkaart.html",
        {
            "partners": partners,
            "groups": [(label, members) for _kind, label, members in groups if members],
            "by_priority": by_priority,
            "priority_headers": priorities,
            "matrix": matrix,
            "not_in_table": [p for p in partners if not p.local_priorities],
            "drawing": drawing,
            "description": _description(municipality, len(partners), by_priority),
            "may_manage": can(request.user, "partners.manage", municipality),
            "may_see_views": can(request.user, "partners.viewed", municipality),
        },
    )


def _agreement_status(agreement, today) -> str:
    if agreement.valid_on(today):
        return _("geldig")
    return _("nog niet ingegaan") if today < agreement.valid_from else _("verlopen")


@municipality_view("partners.view")
def partner_detail(request, municipality, pk):
    partner = get_partner_for(municipality, pk)
    today = timezone.localdate()
    agreements = SharingAgreement.objects.filter(
        organisations=partner, municipalities=municipality
    ).order_by("-valid_from", "name")
    rows = [
        {"agreement": a, "valid": a.valid_on(today), "status": _agreement_status(a, today)}
        for a in agreements
    ]
    tabs, current = sections(
        request, [("overzicht", _("Overzicht")), ("convenanten", _("Convenanten"), len(rows))]
    )
    return render(
        request,
        "partners/partner.html",
        {
            "tabs": tabs,
            "section": current,
            "valid_agreements": sum(1 for r in rows if r["valid"]),
            "partner": partner,
            "themes": partner.themes.filter(
                Q(municipality__isnull=True) | Q(municipality=municipality)
            ).order_by("domain__number", "code"),
            "priorities": partner.priorities.filter(municipality=municipality),
            "agreements": rows,
            "may_manage": can(request.user, "partners.manage", municipality),
            "may_see_agreements": can(request.user, "partners.agreements", municipality),
        },
    )


def _fields(form) -> dict:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "kind": data["kind"],
        "responsibility": data["responsibility"],
        "contact_route": data["contact_route"],
        "themes": list(data["themes"]),
        "priorities": list(data["priorities"]),
    }


@municipality_view("partners.manage", ["GET", "POST"])
def partner_create(request, municipality):
    form = PartnerForm(request.POST or None, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        partner = actions.create_organisation(municipality, **_fields(form), request=request)
        messages.success(request, _("%(name)s staat op de ketenkaart.") % {"name": partner.name})
        return redirect("partners:partner", municipality.cbs_code, partner.pk)
    return render(request, "partners/partner_form.html", {"form": form, "partner": None})


@municipality_view("partners.manage", ["GET", "POST"])
def partner_edit(request, municipality, pk):
    partner = get_partner_for(municipality, pk)
    # The form gets its own copy: validating it changes its instance, and the action compares
    # the new values with the stored ones.
    form = PartnerForm(
        request.POST or None, instance=get_partner_for(municipality, pk), municipality=municipality
    )
    if request.method == "POST" and form.is_valid():
        actions.update_organisation(partner, municipality, **_fields(form), request=request)
        messages.success(
            request, _("De gegevens van %(name)s zijn opgeslagen.") % {"name": partner.name}
        )
        return redirect("partners:partner", municipality.cbs_code, pk)
    return render(
        request,
        "partners/partner_form.html",
        {
            "form": form,
            "partner": partner,
            "other_municipalities": partner.municipalities.exclude(pk=municipality.pk),
        },
    )
