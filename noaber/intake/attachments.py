"""Checking and cleaning uploaded photos and PDFs before anything is stored.

- The type is decided by the content, never by the name or the browser's claim: images must
  open in Pillow as JPEG, PNG or WebP; PDFs must parse in pypdf.
- Images are decoded and written anew from their pixels only (after applying the EXIF
  orientation), so EXIF, GPS, XMP and comments are gone. Images over MAX_PIXELS are refused
  before decoding (decompression bombs).
- PDFs are rewritten without their document information and XMP metadata (author, creator
  tool, title): a document made in a word processor often names its writer. Encrypted PDFs
  and PDFs of more than MAX_PDF_PAGES pages are refused.
- Stored names are random; the reporter's file name (which may identify them) is not kept.
"""

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_FILES = 3
MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40-megapixel photo; more is refused unread
MAX_PDF_PAGES = 200
# Accepted image formats; each is stored as PNG (if it was PNG) or JPEG.
# (Pillow reads many phone photos as MPO, JPEG with extra pictures; only the first is kept.)
IMAGE_FORMATS = {"JPEG", "MPO", "PNG", "WEBP"}
STORED_AS = {"PNG": ("image/png", "png"), "JPEG": ("image/jpeg", "jpg")}
ACCEPT = "image/jpeg,image/png,image/webp,application/pdf"


@dataclass
class CleanFile:
    content: bytes
    content_type: str
    extension: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def _clean_image(data: bytes) -> CleanFile:
    with warnings.catch_warnings():
        # Pillow warns above MAX_IMAGE_PIXELS and raises above twice that; refuse both.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in IMAGE_FORMATS:
                    raise ValidationError(_("Dit bestandstype wordt niet geaccepteerd."))
                if image.width * image.height > MAX_PIXELS:
                    raise Image.DecompressionBombError
                image.load()
                upright = ImageOps.exif_transpose(image)
                fmt = "PNG" if image.format == "PNG" else "JPEG"
                if fmt == "JPEG" and upright.mode not in ("RGB", "L"):
                    upright = upright.convert("RGB")
                out = io.BytesIO()
                # Only pixels are written: no exif=, no icc_profile=, no info carried over.
                upright.save(out, format=fmt, **({"quality": 90} if fmt == "JPEG" else {}))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise ValidationError(
                _("Deze afbeelding is te groot (meer dan %(mp)s megapixel).")
                % {"mp": MAX_PIXELS // 1_000_000}
            ) from error
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
            raise ValidationError(
                _("Dit bestand is geen geldige foto of pdf en is niet opgeslagen.")
            ) from error
    content_type, extension = STORED_AS[fmt]
    return CleanFile(out.getvalue(), content_type, extension)


def clean_upload(upload) -> CleanFile:
    """A checked, cleaned copy of an uploaded file, or ValidationError with a Dutch message."""
    if upload.size > MAX_BYTES:
        raise ValidationError(
            _("Een bestand mag hoogstens %(mb)s MB zijn.") % {"mb": MAX_BYTES // (1024 * 1024)}
        )
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValidationError(
            _("Een bestand mag hoogstens %(mb)s MB zijn.") % {"mb": MAX_BYTES // (1024 * 1024)}
        )
    if data.startswith(b"%PDF-"):
        return _clean_pdf(data)
    return _clean_image(data)


def _clean_pdf(data: bytes) -> CleanFile:
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise ValidationError(_("Versleutelde pdf-bestanden kunnen wij niet openen."))
        if len(reader.pages) > MAX_PDF_PAGES:
            raise ValidationError(
                _("Een pdf mag hoogstens %(n)s pagina's hebben.") % {"n": MAX_PDF_PAGES}
            )
        writer = PdfWriter(clone_from=reader)
        writer.metadata = None
        writer._root_object.pop("/Metadata", None)
        for page in writer.pages:
            page.pop("/Metadata", None)
        out = io.BytesIO()
        writer.write(out)
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, RecursionError) as error:
        raise ValidationError(_("Dit pdf-bestand is beschadigd of onvolledig.")) from error
    return CleanFile(out.getvalue(), "application/pdf", "pdf")


def clean_uploads(uploads) -> list[CleanFile]:
    if len(uploads) > MAX_FILES:
        raise ValidationError(_("U kunt hoogstens %(n)s bestanden meesturen.") % {"n": MAX_FILES})
    return [clean_upload(u) for u in uploads]
