"""PDF from the same Django templates as the HTML pages, with WeasyPrint.

PDFs are made as PDF/UA-1 (tagged: headings, tables and reading order a screen reader can
follow), with the document language and title set. WeasyPrint needs the Pango library
(Debian: libpango-1.0-0; macOS: brew install pango); without it only the PDF functions fail,
with a clear message, and the rest of Noaber runs.
"""

from django.template.loader import render_to_string
from django.utils.translation import gettext as _


class PdfUnavailableError(RuntimeError):
    pass


def render_pdf(template: str, context: dict) -> bytes:
    html = render_to_string(template, context)
    try:
        from weasyprint import HTML
    except OSError as error:  # Pango missing
        raise PdfUnavailableError(
            _("PDF maken kan hier niet: de bibliotheek Pango ontbreekt (zie docs/operations.md).")
        ) from error
    return HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
