"""PLACEHOLDER — being written (ketenkaart pages)."""

from django.http import HttpResponse

from noaber.accounts.access import municipality_view


def _first_partner(municipality):
    return {"pk": municipality.organisations.order_by("pk").first().pk}


@municipality_view("partners.view")
def map_page(request, municipality):
    return HttpResponse("<main>ketenkaart</main>")


@municipality_view("partners.view", example=_first_partner)
def partner_detail(request, municipality, pk):
    return HttpResponse("<main>partner</main>")


@municipality_view("partners.manage", ["GET", "POST"])
def partner_create(request, municipality):
    return HttpResponse("<main>nieuw</main>")


@municipality_view("partners.manage", ["GET", "POST"], example=_first_partner)
def partner_edit(request, municipality, pk):
    return HttpResponse("<main>bewerken</main>")
