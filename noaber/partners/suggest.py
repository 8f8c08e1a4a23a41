"""Which partners to think of for a theme: those that work on it (their themes), and those
that work on an IVP priority that covers it (the plan's Tabel 7)."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from noaber.accounts.models import Organisation
from noaber.themes.models import Priority


def suggest_partners(municipality, themes, *, limit: int = 8) -> list[dict]:
    """Partners of `municipality` for `themes`, best first, each with the reasons and whether
    a valid agreement with them exists (sharing needs one, or a legal basis)."""
    themes = [t for t in themes if t is not None]
    if not themes:
        return []
    codes = {t.code for t in themes}
    priorities = list(
        Priority.objects.filter(municipality=municipality, themes__code__in=codes).distinct()
    )
    partners = (
        Organisation.objects.filter(
            municipalities=municipality, kind__in=Organisation.PARTNER_KINDS
        )
        .filter(Q(themes__code__in=codes) | Q(priorities__in=priorities))
        .distinct()
        .prefetch_related("themes", "priorities", "agreements__municipalities")
    )
    today = timezone.localdate()
    rows = []
    for partner in partners:
        reasons = [
            _("werkt op thema %(t)s") % {"t": t}
            for t in sorted(partner.themes.all(), key=lambda t: t.sort_key)
            if t.code in codes
        ]
        on_theme = len(reasons)
        reasons += [
            _("werkt aan prioriteit %(p)s") % {"p": p.name}
            for p in partner.priorities.all()
            if p in priorities
        ]
        agreements = [
            a
            for a in partner.agreements.all()
            if a.valid_on(today) and municipality in a.municipalities.all()
        ]
        rows.append(
            {
                "organisation": partner,
                "reasons": reasons,
                "agreements": agreements,
                "score": (on_theme, len(reasons)),
            }
        )
    rows.sort(key=lambda r: (-r["score"][0], -r["score"][1], r["organisation"].name))
    return rows[:limit]
