from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from noaber.accounts.models import Municipality
from noaber.audit.models import Confidentiality
from noaber.zgw.clients import create_client, revoke_client
from noaber.zgw.models import ApiClient, Scope


class Command(BaseCommand):
    help = (
        "Manage the systems that read a municipality's data through the ZGW APIs (docs/zgw.md): "
        "`zgw_client create zaaksysteem-dinkelland --municipality GM1774 --name Zaaksysteem "
        "--scope catalogi.lezen --max-confidentiality zaakvertrouwelijk` prints the client's "
        "secret once; `zgw_client list`; `zgw_client revoke <client-id>`. Audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "list", "revoke"])
        parser.add_argument("client_id", nargs="?")
        parser.add_argument("--municipality", metavar="GMxxxx")
        parser.add_argument("--name")
        parser.add_argument("--scope", action="append", default=[], choices=Scope.values)
        parser.add_argument(
            "--max-confidentiality",
            default=Confidentiality.OPENBAAR,
            choices=Confidentiality.values,
        )
        parser.add_argument("--bsn", action="store_true", help="May receive BSNs.")
        parser.add_argument("--legal-basis", default="", help="The convenant or law.")

    def handle(self, *args, **options):
        if options["action"] == "list":
            for client in ApiClient.objects.select_related("municipality"):
                state = "ingetrokken" if client.revoked_at else "actief"
                self.stdout.write(
                    f"{client.client_id}\t{client.municipality.cbs_code}\t{client.name}\t"
                    f"{','.join(client.scopes)}\t{client.max_confidentiality}\t{state}"
                )
            return
        if not options["client_id"]:
            raise CommandError("Noem de client-id.")
        if options["action"] == "revoke":
            client = ApiClient.objects.filter(client_id=options["client_id"]).first()
            if client is None:
                raise CommandError(f"Geen client {options['client_id']!r}.")
            revoke_client(client)
            self.stdout.write(f"Ingetrokken: {client.client_id}")
            return
        municipality = Municipality.objects.filter(cbs_code=options["municipality"] or "").first()
        if municipality is None or not options["name"]:
            raise CommandError("Een nieuwe client heeft --municipality GMxxxx en --name nodig.")
        try:
            client, secret = create_client(
                municipality,
                options["name"],
                options["client_id"],
                scopes=options["scope"],
                max_confidentiality=options["max_confidentiality"],
                bsn_entitled=options["bsn"],
                legal_basis=options["legal_basis"],
            )
        except ValidationError as error:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
            ) from None
        self.stdout.write(f"client_id: {client.client_id}")
        self.stdout.write(f"secret:    {secret}")
        self.stdout.write("Het geheim wordt maar één keer getoond; bewaar het in de kluis.")
