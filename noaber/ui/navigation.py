"""The main navigation: which items a user sees depends on their roles in the municipality."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from noaber.accounts.access import can

# (label, URL name under /m/<code>/, action needed). Later features add their line here.
ITEMS = [
    (_("Overzicht"), "ui:dashboard", "dashboard.view"),
    (_("Meldingen"), "intake:inbox", "intake.inbox"),
    (_("Signaalregister"), "registry:inbox", "registry.work"),
    (_("Casussen"), "cases:list", "cases.work"),
    (_("Mijn taken"), "cases:my_tasks", "cases.my_tasks"),
    (_("Veiligheidsbeeld"), "insight:dashboard", "insight.view"),
    (_("IVP en uitvoering"), "policy:plan", "policy.view"),
    (_("Partnerportaal"), "portal:portal", "partners.portal"),
    (_("Overleggen"), "cases:partner_agenda", "cases.partner_agenda"),
    (_("Betrokkenen (AVG)"), "registry:privacy", "registry.privacy"),
    (_("Bewaartermijnen"), "registry:retention", "registry.retention"),
    (_("Archief"), "archive:overview", "archive.work"),
    (_("Niet pluis melden"), "intake:internal", "intake.internal"),
    (_("Ketenkaart"), "partners:map", "partners.view"),
    (_("Convenanten"), "partners:agreements", "partners.agreements"),
    (_("Toegangsreview"), "access_review:report", "accounts.access_review"),
    (_("Thema's en prioriteiten"), "themes:list", "themes.view"),
    (_("Auditlog"), "audit:list", "audit.view"),
    (_("Partnersleutels"), "intake:tokens", "intake.tokens"),
]


def items_for(user, municipality, current_path: str):
    items = []
    for label, name, action in ITEMS:
        if can(user, action, municipality):
            url = reverse(name, args=[municipality.cbs_code])
            current = current_path == url or (
                name != "ui:dashboard" and current_path.startswith(url)
            )
            items.append({"label": label, "url": url, "current": current})
    return items
