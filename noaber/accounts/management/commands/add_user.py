import getpass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from noaber.accounts import actions
from noaber.accounts.models import Municipality, Organisation, Role, User


class Command(BaseCommand):
    help = (
        "Create a named user with roles, e.g. `add_user j.jansen --role GM1774:admin "
        "--role GM0183:admin`. Asks for the password; the user links an authenticator app at "
        "first login. Audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--email", default="")
        parser.add_argument("--organisation", default="", help="Exact organisation name.")
        parser.add_argument(
            "--role",
            action="append",
            default=[],
            metavar="GMxxxx:role",
            help=f"Repeatable. Roles: {', '.join(Role.values)}.",
        )

    def handle(self, *args, **options):
        if User.objects.filter(username=options["username"]).exists():
            raise CommandError(f"User {options['username']!r} already exists.")
        grants = []
        for spec in options["role"]:
            code, _, role = spec.partition(":")
            municipality = Municipality.objects.filter(cbs_code=code).first()
            if municipality is None or role not in Role.values:
                raise CommandError(f"Unknown municipality or role in {spec!r}.")
            grants.append((municipality, role))
        if not grants:
            raise CommandError("Give at least one --role GMxxxx:role.")
        organisation = None
        if options["organisation"]:
            organisation = Organisation.objects.filter(name=options["organisation"]).first()
            if organisation is None:
                raise CommandError(f"Unknown organisation {options['organisation']!r}.")
        if any(role == Role.PARTNER for _, role in grants) and not (
            organisation and organisation.is_partner
        ):
            raise CommandError("A partner user needs --organisation naming a chain partner.")
        password = getpass.getpass("Wachtwoord: ")
        try:
            validate_password(password, User(username=options["username"]))
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        user = actions.create_user(
            options["username"],
            first_name=options["first_name"],
            last_name=options["last_name"],
            email=options["email"],
            password=password,
            organisation=organisation,
            origin="cli",
        )
        for municipality, role in grants:
            actions.grant_role(user, municipality, role, origin="cli")
        self.stdout.write(self.style.SUCCESS(f"Gebruiker {user.username} aangemaakt."))
