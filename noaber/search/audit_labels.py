"""The Dutch words for the codes the search app records in the audit log."""

from django.utils.translation import gettext_lazy as _

from noaber.audit.labels import register_object_type, register_reasons

register_object_type("search", _("zoekopdracht"))
register_object_type("search_index", _("zoekindex"))
register_reasons({"search": _("zoeken in meldingen, signalen en casussen")})
