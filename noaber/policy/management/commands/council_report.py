import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from noaber.accounts.models import Municipality
from noaber.audit.models import Action
from noaber.lib.pdf import PdfUnavailableError
from noaber.policy.report import ReportError, build_report
from noaber.policy.report_views import audit_report, render_report_html, render_report_pdf


class Command(BaseCommand):
    help = (
        "Write the annual council report (raadsrapportage) of a municipality for a year of its "
        "IVP, as PDF or HTML (by the extension of --out). Counts only; the export is audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("--municipality", required=True, help="CBS code, e.g. GM1774.")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--out", type=Path, required=True, help="report.pdf or report.html")

    def handle(self, *args, **options):
        code, year, out = options["municipality"], options["year"], options["out"]
        fmt = out.suffix.lower().lstrip(".")
        if fmt not in ("pdf", "html"):
            raise CommandError("--out moet eindigen op .pdf of .html.")
        municipality = Municipality.objects.filter(cbs_code=code.upper()).first()
        if municipality is None:
            raise CommandError(f"Onbekende gemeente: {code}.")
        started = time.perf_counter()
        try:
            report = build_report(municipality, year)
            content = render_report_pdf(report) if fmt == "pdf" else render_report_html(report)
        except (ReportError, PdfUnavailableError) as error:
            raise CommandError(str(error)) from error
        try:
            if fmt == "pdf":
                out.write_bytes(content)
            else:
                out.write_text(content, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Kan {out} niet schrijven: {error.strerror}.") from error
        audit_report(Action.EXPORT, municipality, year, fmt, origin="cli")
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Raadsrapportage {municipality} {year} geschreven naar {out} in {seconds:.1f} s."
        )
