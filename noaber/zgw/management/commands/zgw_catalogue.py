from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from noaber.accounts.models import Municipality
from noaber.audit.actions import record
from noaber.audit.models import Action
from noaber.zgw.models import Catalogue


class Command(BaseCommand):
    help = (
        "Publish (or change) a municipality's zaaktypecatalogus for the ZGW Catalogi API "
        "(docs/zgw.md): `zgw_catalogue GM1774 --rsin 001234560 --contact-name 'Functioneel "
        "beheer' [--contact-email ...] [--domain IVP]`. Audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("municipality", metavar="GMxxxx")
        parser.add_argument("--rsin")
        parser.add_argument("--contact-name")
        parser.add_argument("--contact-email")
        parser.add_argument("--domain")

    @transaction.atomic
    def handle(self, *args, **options):
        municipality = Municipality.objects.filter(cbs_code=options["municipality"]).first()
        if municipality is None:
            raise CommandError(f"Onbekende gemeente {options['municipality']!r}.")
        catalogue = Catalogue.objects.filter(municipality=municipality).first()
        new = catalogue is None
        catalogue = catalogue or Catalogue(municipality=municipality)
        for option, field in (
            ("rsin", "rsin"),
            ("contact_name", "contact_name"),
            ("contact_email", "contact_email"),
            ("domain", "domain"),
        ):
            if options[option] is not None:
                setattr(catalogue, field, options[option])
        try:
            catalogue.full_clean()
        except ValidationError as error:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
            ) from None
        catalogue.save()
        record(
            Action.CREATE if new else Action.UPDATE,
            municipality=municipality,
            object_type="zgw_catalogue",
            object_id=catalogue.pk,
            detail={"rsin": catalogue.rsin, "domain": catalogue.domain},
        )
        self.stdout.write(f"Catalogus {catalogue.domain} van {municipality}: RSIN {catalogue.rsin}")
