import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from noaber.accounts import providers
from noaber.accounts.models import IdentityProvider, Municipality, Organisation, Role


class Command(BaseCommand):
    help = (
        "Register or change an OpenID Connect identity provider (decision 0021), e.g. "
        "`identity_provider dinkelland-entra --name 'Gemeente Dinkelland' --issuer "
        "https://login.microsoftonline.com/<tenant>/v2.0 --client-id <id> --client-secret-env "
        "NOABER_OIDC_SECRET --municipality GM1774 --groups-claim groups --mfa-role privacy "
        "--mfa-role admin --mfa-amr mfa --map <group-id>=GM1774:advisor`. The secret is read "
        "from the named environment variable or asked for; never from the command line. Audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="Short name, used in the redirect URI.")
        parser.add_argument("--name", help="Shown on the login button: 'Inloggen via <name>'.")
        parser.add_argument("--issuer")
        parser.add_argument("--client-id")
        parser.add_argument("--client-secret-env", metavar="VARIABLE")
        parser.add_argument("--ask-client-secret", action="store_true")
        parser.add_argument("--scopes")
        parser.add_argument("--groups-claim", help="groups (Entra ID, Keycloak) or roles.")
        parser.add_argument("--municipality", action="append", default=[], metavar="GMxxxx")
        parser.add_argument("--organisation", help="A chain partner's provider: its name.")
        parser.add_argument("--mfa-role", action="append", default=[], choices=Role.values)
        parser.add_argument("--mfa-amr", action="append", default=[])
        parser.add_argument("--mfa-acr", action="append", default=[])
        parser.add_argument(
            "--mfa-at-provider",
            choices=["yes", "no"],
            help="yes: the provider enforces MFA for Noaber itself (e.g. Entra ID Conditional "
            "Access) though its tokens carry no proof; privileged roles then need none.",
        )
        parser.add_argument("--inactive", action="store_true", help="Switch the provider off.")
        parser.add_argument(
            "--map", action="append", default=[], metavar="CLAIM=GMxxxx:role", help="Repeatable."
        )

    def handle(self, *args, **options):
        provider = IdentityProvider.objects.filter(slug=options["slug"]).first()
        new = provider is None
        if new:
            missing = [n for n in ("name", "issuer", "client_id", "groups_claim") if not options[n]]
            if missing or not options["municipality"]:
                raise CommandError(
                    "A new provider needs --name, --issuer, --client-id, --groups-claim and "
                    "at least one --municipality."
                )
            provider = IdentityProvider(slug=options["slug"])
        for field in ("name", "issuer", "client_id", "scopes", "groups_claim"):
            if options[field]:
                setattr(provider, field, options[field])
        if options["client_secret_env"]:
            secret = os.environ.get(options["client_secret_env"], "")
            if not secret:
                raise CommandError(f"{options['client_secret_env']} is empty or not set.")
            provider.client_secret = secret
        elif options["ask_client_secret"]:
            provider.client_secret = getpass.getpass("Client-secret: ")
        if options["organisation"]:
            provider.organisation = Organisation.objects.filter(
                name=options["organisation"]
            ).first()
            if provider.organisation is None:
                raise CommandError(f"Unknown organisation {options['organisation']!r}.")
        if options["mfa_role"]:
            provider.mfa_roles = sorted(set(options["mfa_role"]))
        if options["mfa_amr"]:
            provider.mfa_amr = options["mfa_amr"]
        if options["mfa_acr"]:
            provider.mfa_acr = options["mfa_acr"]
        if options["mfa_at_provider"]:
            provider.mfa_at_provider = options["mfa_at_provider"] == "yes"
        if options["inactive"]:
            provider.active = False
        municipalities = None
        if options["municipality"]:
            municipalities = list(Municipality.objects.filter(cbs_code__in=options["municipality"]))
            if len(municipalities) != len(set(options["municipality"])):
                raise CommandError("Unknown municipality in --municipality.")
        try:
            providers.save_provider(provider, actor=None, municipalities=municipalities)
            for spec in options["map"]:
                claim, _eq, target = spec.rpartition("=")
                code, _colon, role = target.partition(":")
                municipality = Municipality.objects.filter(cbs_code=code).first()
                if not claim or municipality is None:
                    raise CommandError(f"Use --map CLAIM=GMxxxx:role, not {spec!r}.")
                providers.add_role_mapping(provider, claim, municipality, role, actor=None)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        verb = "geregistreerd" if new else "bijgewerkt"
        self.stdout.write(self.style.SUCCESS(f"Identiteitsprovider {provider.slug} {verb}."))
        self.stdout.write(f"Redirect-URI: https://<host>/inloggen/via/{provider.slug}/terug/")
        self.stdout.write(
            f"Back-channel logout: https://<host>/inloggen/via/{provider.slug}/backchannel-logout/"
        )
