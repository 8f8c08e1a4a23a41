"""The Dutch words for the codes the meldpunt records in the audit log."""

from django.utils.translation import gettext_lazy as _

from noaber.accounts.audit_labels import by_pk
from noaber.audit.labels import register_object_type, register_reasons

from .models import Report, StandardText

register_reasons(
    {
        "triage": _("beoordeling en behandeling"),
        "receipt_follow_up": _("melder volgt de melding met de ontvangstcode"),
        "referral_consent": _("toestemming voor doorverwijzing"),
    }
)
register_object_type(
    "report",
    _("melding"),
    by_pk(
        lambda m: Report.objects.filter(municipality=m),
        lambda r: _("melding %(n)s") % {"n": r.number},
        "intake:detail",
        "intake.inbox",
    ),
)
register_object_type("report_message", _("bericht bij een melding"))
register_object_type(
    "standard_text",
    _("sjabloon"),
    by_pk(
        lambda m: StandardText.objects.filter(municipality=m),
        lambda t: _("sjabloon %(t)s") % {"t": t.title},
        "intake:standard_text_edit",
        "intake.standard_texts",
    ),
)
register_object_type("attachment", _("bijlage bij een melding"))
register_object_type("boundary", _("gebiedsgrenzen"))
register_object_type("area_outlines", _("kern- en gemeentegrenzen"))
register_object_type("address_register", _("adressenregister (BAG)"))
