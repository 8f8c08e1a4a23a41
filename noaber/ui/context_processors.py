from noaber.accounts.access import municipalities_of, roles_of
from noaber.accounts.models import Role

from .navigation import items_for


def shell(request):
    """What the page layout needs: the active municipality, the user's roles there, the nav."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_verified():
        return {}
    served = list(municipalities_of(user))
    current = getattr(request, "municipality", None)
    if current is None:
        code = request.session.get("municipality")
        current = next((m for m in served if m.cbs_code == code), served[0] if served else None)
    if current is None:
        return {"served_municipalities": served}
    labels = dict(Role.choices)
    return {
        "current_municipality": current,
        "served_municipalities": served,
        "current_roles": [labels[r] for r in sorted(roles_of(user, current))],
        "nav_items": items_for(user, current, request.path),
    }
