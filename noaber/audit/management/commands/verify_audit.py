from django.core.management.base import BaseCommand, CommandError

from noaber.audit.actions import verify_and_record
from noaber.audit.chain import chain_name, parse_head, verify_all


class Command(BaseCommand):
    help = (
        "Prove the audit log unchanged: seal the events that wait, then walk the closed old "
        "chain and every municipality's chain (or --chain CODE). Exits non-zero and names the "
        "chain and position of the first break when a row was changed, removed or inserted "
        "outside Noaber; checks that the append-only triggers are in place and that every "
        "chain still holds its newest head anchored in NOABER_AUDIT_ANCHOR_FILE. --expect-head "
        "checks a head kept elsewhere too."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-record",
            action="store_true",
            help="Write nothing: neither seal waiting events nor append the result to the log.",
        )
        parser.add_argument(
            "--chain",
            metavar="CODE",
            help="Only this chain: a municipality code, or 'installation'.",
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=1,
            metavar="N",
            help="Walk the log in N processes, each a range of event ids (PostgreSQL).",
        )
        parser.add_argument(
            "--expect-head",
            metavar="CHAIN:NUMBER:HASH",
            help="A head printed by an earlier run; it must still be in the log as it was.",
        )

    def handle(self, *args, **options):
        expect_head = None
        if options["expect_head"]:
            try:
                expect_head = parse_head(options["expect_head"])
            except ValueError as error:
                raise CommandError(f"--expect-head: {error}") from error
        only = options["chain"]
        if only is not None:
            only = "" if only == "installation" else only
            if len(only) > 6:
                raise CommandError("--chain: a municipality code (e.g. GM0183) or 'installation'")
        jobs = max(1, min(options["jobs"], 32))
        if options["no_record"]:
            report = verify_all(expect_head, only=only, seal_first=False, jobs=jobs)
        else:
            report = verify_and_record(origin="cli", expect_head=expect_head, only=only, jobs=jobs)
        if report.incident:
            raise CommandError(f"Audit log unprotected: {report.incident}")
        for chain in report.chains:
            if chain.ok:
                waiting = f", {chain.waiting} more waiting to be sealed" if chain.waiting else ""
                # A head in the form --expect-head takes (the old chain is closed: no head).
                head = (f", head {chain.chain or 'installation'}:{chain.head_seal}:"
                        f"{chain.head_hash}" if chain.head_seal else "")  # fmt: skip
                self.stdout.write(
                    f"  {chain_name(chain.chain)}: {chain.checked} events{waiting}{head}"
                )
        if not report.ok:
            raise CommandError(
                f"Audit chain {chain_name(report.chain)} broken at event #{report.broken_seq}: "
                f"{report.problem}"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit chain intact: {report.checked} events in {len(report.chains)} chains"
            )
        )
