from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from noaber.accounts.models import Municipality
from noaber.zgw.actions import save_catalogue


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

    def handle(self, *args, **options):
        municipality = Municipality.objects.filter(cbs_code=options["municipality"]).first()
        if municipality is None:
            raise CommandError(f"Onbekende gemeente {options['municipality']!r}.")
        fields = ("rsin", "contact_name", "contact_email", "domain")
        values = {f: options[f] for f in fields if options[f] is not None}
        try:
            catalogue = save_catalogue(municipality, values)
        except ValidationError as error:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
            ) from None
        self.stdout.write(f"Catalogus {catalogue.domain} van {municipality}: RSIN {catalogue.rsin}")
