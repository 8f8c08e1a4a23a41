from django.core.management import call_command
from django.core.management.base import BaseCommand

from noaber.accounts.demo import (
    load_demo_branding,
    load_demo_identity_provider,
    load_demo_users,
    require_demo_mode,
)
from noaber.archive.demo import load_demo_archive
from noaber.cases.demo import load_demo_cases, load_demo_work
from noaber.insight.demo import load_demo_alert, load_demo_figures
from noaber.intake.demo import (
    load_demo_addresses,
    load_demo_history,
    load_demo_reports,
    load_demo_standard_texts,
)
from noaber.partners.demo import load_demo_partners


class Command(BaseCommand):
    help = (
        "Load reference data, the demo users (one per role), demo reports, agreements and a "
        "case shared with the police, the plan's three example cases told completely (and a "
        "case in Tubbergen), demo figures for the veiligheidsbeeld, three years of closed "
        "reports and a peak in the last week that raises an alert, old closed cases and a "
        "destruction list for the archivist, a primary colour per municipality. Demo mode "
        "only; safe to rerun."
    )

    def handle(self, *args, **options):
        require_demo_mode()
        call_command("load_reference_data", stdout=self.stdout)
        created = load_demo_users()
        load_demo_branding()
        load_demo_identity_provider()
        archive = load_demo_archive()  # first: the old cases get the low numbers
        load_demo_addresses()  # the made-up BAG fixture: the demo's reports are resolved
        history = load_demo_history()  # the years before the demo's own reports
        reports = load_demo_reports()
        load_demo_standard_texts()
        partners = load_demo_partners()
        figures = load_demo_figures()
        cases = load_demo_cases()
        alerts = load_demo_alert()
        work = load_demo_work()
        # The history is bulk-inserted (no model signals): index everything once.
        call_command("rebuild_search_index", stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demogegevens geladen ({created} nieuwe gebruikers, {reports} nieuwe meldingen, "
                f"{partners} nieuwe convenanten en gedeelde casussen, {cases} nieuwe "
                f"voorbeeldcasussen, {figures} nieuwe cijfers voor het veiligheidsbeeld, {history} "
                f"meldingen uit drie jaar historie, {alerts} nieuwe piekmeldingen, {archive} oude "
                f"casussen voor de archivaris, {work} behandelaars en streefdatums)."
            )
        )
