"""Every write of the sharing agreements, audited in the same transaction (the partners
themselves: organisations.py; sharing a case and the portal: noaber/portal)."""

import hashlib
import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from noaber.audit.actions import record
from noaber.audit.models import Action

from .models import DocumentVersion, SharingAgreement

AGREEMENT_FIELDS = (
    "name",
    "purpose",
    "legal_basis",
    "data_categories",
    "valid_from",
    "valid_until",
)


def check_pdf(content: bytes) -> None:
    """A signed agreement must be a readable PDF. It is stored as signed (a rewrite would
    break the signature), so it is only checked, not cleaned."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if not content.startswith(b"%PDF-"):
        raise ValidationError(_("Het document is geen PDF-bestand."))
    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            raise ValidationError(_("Het document is versleuteld; lever het onversleuteld aan."))
        len(reader.pages)
    except (PdfReadError, ValueError, KeyError, TypeError) as error:
        raise ValidationError(_("Het document is een beschadigde PDF.")) from error


def may_edit(user, agreement) -> bool:
    """Only someone who manages agreements in every municipality it covers may change it."""
    from noaber.accounts.access import can

    return all(can(user, "partners.agreements_manage", m) for m in agreement.municipalities.all())


@transaction.atomic
def save_agreement(agreement, data: dict, organisations, municipality, *, actor, request,
                   document=None) -> SharingAgreement:  # fmt: skip
    """Create (agreement=None) or update an agreement of `municipality`. An update keeps the
    agreement's other municipalities; what was shared under it keeps its own categories."""
    if not organisations:
        raise ValidationError(_("Kies minstens één partij."))
    if not data.get("data_categories"):
        raise ValidationError(_("Kies minstens één gegevenscategorie."))
    if data.get("valid_until") and data["valid_until"] < data["valid_from"]:
        raise ValidationError(_("De einddatum ligt vóór de begindatum."))
    created = agreement is None
    if not created and not may_edit(actor, agreement):
        # Its other municipalities rely on it too: one of them cannot change it alone.
        raise ValidationError(
            _(
                "Dit convenant geldt ook voor gemeenten waar u het niet mag beheren. Leg een "
                "nieuwe versie vast voor deze gemeente."
            )
        )
    if created:
        agreement = SharingAgreement()
        changed = list(AGREEMENT_FIELDS)
    else:
        # Locked: two replacements of the document at once must each keep the one before.
        agreement = SharingAgreement.objects.select_for_update().get(pk=agreement.pk)
        changed = [f for f in AGREEMENT_FIELDS if getattr(agreement, f) != data[f]]
    for name in AGREEMENT_FIELDS:
        setattr(agreement, name, data[name])
    agreement.data_categories = sorted(set(data["data_categories"]))
    if not created:
        agreement.version += 1
    if document:
        if agreement.document:
            # The signed text the agreement had until now stays, with its hash, as a version.
            DocumentVersion.objects.create(
                agreement=agreement,
                version=agreement.version - 1,
                document=agreement.document.name,
                document_name=agreement.document_name,
                document_sha256=agreement.document_sha256,
                replaced_by=actor,
            )
        agreement.document_name = document["name"]
        agreement.document_sha256 = hashlib.sha256(document["content"]).hexdigest()
        agreement.document.save(
            f"{uuid.uuid4().hex}.pdf", ContentFile(document["content"]), save=False
        )
        changed.append("document")
    agreement.save()
    before = set() if created else set(agreement.organisations.values_list("pk", flat=True))
    after = {o.pk for o in organisations}
    if before != after:
        agreement.organisations.set(organisations)
        changed.append("organisations")
    if created:
        agreement.municipalities.set([municipality])
    record(
        Action.CREATE if created else Action.UPDATE,
        actor=actor,
        request=request,
        municipality=municipality,
        object_type="agreement",
        object_id=agreement.pk,
        detail={"changed": changed, "sha256": agreement.document_sha256 or None},
    )
    return agreement


def record_document_read(agreement, municipality, *, request, version=None) -> None:
    record(
        Action.VIEW,
        request=request,
        municipality=municipality,
        object_type="agreement_document",
        object_id=agreement.pk,
        detail={"version": version.version, "sha256": version.document_sha256} if version else {},
    )
