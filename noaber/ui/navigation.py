"""The main navigation: groups of items; a user sees the items their roles in the municipality
allow, and only the groups that keep at least one item."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from noaber.accounts.access import can

# (group label, [(label, URL name under /m/<code>/, action needed)]). Later features add their
# line to the group where a user would look for it.
GROUPS = [
    (
        _("Werk"),
        [
            (_("Overzicht"), "ui:dashboard", "dashboard.view"),
            (_("Mijn werk"), "ui:my_work", "ui.my_work"),
            (_("Meldingen"), "intake:inbox", "intake.inbox"),
            (_("Signaalregister"), "registry:inbox", "registry.work"),
            (_("Casussen"), "cases:list", "cases.work"),
            (_("Mijn taken"), "cases:my_tasks", "cases.my_tasks"),
            (_("Partnerportaal"), "portal:portal", "partners.portal"),
            (_("Overleggen"), "cases:partner_agenda", "cases.partner_agenda"),
            (_("Archief"), "archive:overview", "archive.work"),
            (_("Niet pluis melden"), "intake:internal", "intake.internal"),
        ],
    ),
    (
        _("Inzicht"),
        [
            (_("Veiligheidsbeeld"), "insight:dashboard", "insight.view"),
            (_("Kaart"), "insight:map", "insight.view"),
            (_("IVP en uitvoering"), "policy:plan", "policy.view"),
        ],
    ),
    (
        _("Partners"),
        [
            (_("Ketenkaart"), "partners:map", "partners.view"),
            (_("Convenanten"), "partners:agreements", "partners.agreements"),
        ],
    ),
    (
        _("Privacy"),
        [
            (_("Betrokkenen (AVG)"), "registry:privacy", "registry.privacy"),
            (_("Auditlog"), "audit:list", "audit.view"),
            (_("Verwerkingsregister"), "audit:register", "audit.register"),
            (_("Verwerkingenlogging"), "zgw_processing:page", "zgw.processing_log"),
            (_("Toegangsreview"), "access_review:report", "accounts.access_review"),
        ],
    ),
    (
        _("Beheer"),
        [
            (_("Thema's en prioriteiten"), "themes:list", "themes.view"),
            (_("Termijnen en feestdagen"), "themes:terms", "themes.view"),
            (_("Bewaartermijnen"), "registry:retention", "registry.retention"),
            (_("Partnersleutels"), "intake:tokens", "intake.tokens"),
            (_("ZGW-koppelingen"), "zgw_admin:clients", "zgw.manage"),
            (_("Sjablonen"), "intake:standard_texts", "intake.standard_texts"),
            (_("Huisstijl"), "branding:edit", "accounts.branding"),
            (_("Inloggen"), "sign_in:mappings", "accounts.sign_in"),
            (_("Teams"), "cases:teams", "cases.teams"),
        ],
    ),
]
# An item left out for whoever has the page that replaces it: an advisor finds their tasks
# in "Mijn werk"; an enforcer or employee keeps "Mijn taken".
REPLACED_BY = {"cases:my_tasks": "ui.my_work"}
# Every item, flat (for tests and anyone who wants the full list).
ITEMS = [item for _group, items in GROUPS for item in items]


def groups_for(user, municipality, current_path: str) -> list[dict]:
    groups = []
    for group_label, entries in GROUPS:
        items = []
        for label, name, action in entries:
            replaced = name in REPLACED_BY and can(user, REPLACED_BY[name], municipality)
            if can(user, action, municipality) and not replaced:
                url = reverse(name, args=[municipality.cbs_code])
                current = current_path == url or (
                    name != "ui:dashboard" and current_path.startswith(url)
                )
                items.append({"label": label, "url": url, "current": current})
        if items:
            groups.append({"label": group_label, "items": items})
    # Only the longest match is current (/themas/termijnen/ is not also /themas/).
    matches = [i for g in groups for i in g["items"] if i["current"]]
    for item in matches:
        item["current"] = item is max(matches, key=lambda i: len(i["url"]))
    return groups


def items_for(user, municipality, current_path: str) -> list[dict]:
    """The items of groups_for(), flat."""
    return [
        item for group in groups_for(user, municipality, current_path) for item in group["items"]
    ]
