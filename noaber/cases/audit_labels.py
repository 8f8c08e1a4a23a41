"""The Dutch words for the codes casusregie records in the audit log."""

from django.utils.translation import gettext_lazy as _

from noaber.accounts.audit_labels import by_pk
from noaber.audit.labels import register_object_type, register_reasons

from .models import Case, Meeting, Team

register_reasons(
    {
        "casusregie": _("casusregie"),
        "minutes": _("verslag van het overleg"),
        "partner_agenda": _("agenda van een ketenpartner"),
        "my_tasks": _("eigen takenlijst (Mijn taken)"),
    }
)
register_object_type(
    "case",
    _("casus"),
    by_pk(
        lambda m: Case.objects.filter(municipality=m),
        lambda c: _("casus %(n)s") % {"n": c.number},
        "cases:case",
        "cases.work",
    ),
)
register_object_type(
    "meeting",
    _("overleg"),
    by_pk(
        lambda m: Meeting.objects.filter(municipality=m),
        lambda o: _("overleg: %(o)s") % {"o": o},
        "cases:meeting",
        "cases.work",
    ),
)
register_object_type("task", _("taak"))
register_object_type(
    "team",
    _("team"),
    by_pk(
        lambda m: Team.objects.filter(municipality=m),
        lambda t: _("team %(n)s") % {"n": t.name},
        "cases:team_edit",
        "cases.teams",
    ),
)
