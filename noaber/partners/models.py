"""The ketenkaart's own rules about agreements. The partners themselves are
`accounts.Organisation`; the agreements are `registry.SharingAgreement` (disclosures from the
register name them); sharing a case and the portal live in noaber/portal."""


def agreement_covers(agreement, organisation_id, municipality_id, day) -> bool:
    """Valid on `day` and naming the organisation and the municipality (uses prefetched
    parties and municipalities where the caller prefetched them)."""
    return (
        agreement.valid_on(day)
        and any(o.pk == organisation_id for o in agreement.organisations.all())
        and any(m.pk == municipality_id for m in agreement.municipalities.all())
    )
