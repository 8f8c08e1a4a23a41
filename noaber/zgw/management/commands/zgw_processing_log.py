from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from noaber.accounts.models import Municipality, User
from noaber.registry.models import Signal, Subject
from noaber.zgw.processing import (
    eligible_clients,
    release_processing_log,
    set_processing_log,
    setting_for,
)


class Command(BaseCommand):
    help = (
        "The processing log outward (VNG Verwerkingenlogging, docs/verwerkingen.md), as the "
        "municipality's privacy officer (--operator, audited as the actor): "
        "`zgw_processing_log status GM1774`; `zgw_processing_log on GM1774 --operator priya "
        "--client privacytool` (names the clients it answers; every `on` names them all anew); "
        "`zgw_processing_log off GM1774 --operator priya`; `zgw_processing_log release GM1774 "
        "--operator priya (--signal ID | --subject ID) --reason TEXT`."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["status", "on", "off", "release"])
        parser.add_argument("municipality", metavar="GMxxxx")
        parser.add_argument("--operator", help="Username of the privacy officer (audited).")
        parser.add_argument("--client", action="append", default=[], help="A client id.")
        parser.add_argument("--signal", type=int)
        parser.add_argument("--subject", type=int)
        parser.add_argument("--reason", default="")

    def handle(self, *args, **options):
        municipality = Municipality.objects.filter(cbs_code=options["municipality"]).first()
        if municipality is None:
            raise CommandError(f"Geen gemeente {options['municipality']!r}.")
        if options["action"] == "status":
            return self.status(municipality)
        operator = User.objects.filter(username=options["operator"] or "", is_active=True).first()
        if operator is None:
            raise CommandError("Noem de privacyfunctionaris met --operator.")
        try:
            if options["action"] == "release":
                signal = subject = None
                if options["signal"] is not None:
                    signal = Signal.objects.filter(pk=options["signal"]).first()
                    if signal is None:
                        raise CommandError(f"Geen signaal {options['signal']}.")
                if options["subject"] is not None:
                    subject = Subject.objects.filter(pk=options["subject"]).first()
                    if subject is None:
                        raise CommandError(f"Geen betrokkene B-{options['subject']}.")
                release_processing_log(
                    municipality,
                    signal=signal,
                    subject=subject,
                    reason=options["reason"],
                    actor=operator,
                )
                self.stdout.write(f"Vrijgegeven: {signal or subject}")
                return
            set_processing_log(
                municipality,
                enabled=options["action"] == "on",
                client_ids=options["client"] if options["action"] == "on" else [],
                actor=operator,
            )
        except PermissionDenied as error:
            raise CommandError(str(error)) from error
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.status(municipality)

    def status(self, municipality):
        setting = setting_for(municipality)
        enabled = setting is not None and setting.enabled
        named = sorted(c.client_id for c in setting.clients.all()) if setting else []
        self.stdout.write(
            f"{municipality.cbs_code}\t{'aan' if enabled else 'uit'}\t{','.join(named)}"
        )
        eligible = sorted(c.client_id for c in eligible_clients(municipality))
        self.stdout.write(f"te noemen (scope verwerkingen.lezen): {','.join(eligible) or '-'}")
