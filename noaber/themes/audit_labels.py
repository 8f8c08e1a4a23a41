"""The Dutch words for the codes the themes app records in the audit log."""

from django.utils.translation import gettext_lazy as _

from noaber.audit.labels import register_object_type, register_reasons

register_object_type("theme", _("thema"))
register_object_type("priority", _("prioriteit"))
register_object_type("handling_term", _("afhandeltermijn"))
register_object_type("holiday", _("feestdag"))
register_reasons(
    {
        "assign": _("behandelaar toegewezen"),
        "take_over": _("werk overgenomen"),
        "due_date": _("streefdatum gewijzigd"),
    }
)
