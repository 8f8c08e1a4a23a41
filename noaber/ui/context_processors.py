from django.urls import reverse

from noaber.accounts.access import can, municipalities_of, roles_of
from noaber.accounts.models import Municipality, Role

from .navigation import groups_for


def _branding(request, current, served=None):
    """The municipality whose branding the page wears: the one in the URL (also on public
    pages such as /melden/<CBS>/), else the signed-in user's current one. A signed-in user
    wears only the branding of a municipality they serve: a refused URL of another one (a 404
    that must not hint it is there for them) shows their own."""
    found = getattr(request, "municipality", None)
    if found is not None:
        return found
    match = getattr(request, "resolver_match", None)
    code = match.kwargs.get("municipality") if match else None
    if isinstance(code, str) and (served is None or code in {m.cbs_code for m in served}):
        found = Municipality.objects.defer("logo").filter(cbs_code=code).first()
        if found is not None:
            return found
    return current


def shell(request):
    """What the page layout needs: the active municipality, the user's roles there, the nav,
    and the municipality whose branding (huisstijl) applies."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_verified():
        return {"branding": _branding(request, None)}
    served = list(municipalities_of(user).defer("logo"))
    current = getattr(request, "municipality", None)
    if current is None:
        code = request.session.get("municipality")
        current = next((m for m in served if m.cbs_code == code), served[0] if served else None)
    if current is None:
        return {"served_municipalities": served, "branding": _branding(request, None, served)}
    labels = dict(Role.choices)
    return {
        "current_municipality": current,
        "served_municipalities": served,
        "current_roles": [labels[r] for r in sorted(roles_of(user, current))],
        "nav_groups": groups_for(user, current, request.path),
        # The search box in the menu, for whoever may search (docs/search.md).
        "search_url": reverse("search:search", args=[current.cbs_code])
        if can(user, "search.use", current)
        else "",
        "branding": _branding(request, current, served),
    }
