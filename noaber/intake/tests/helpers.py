"""Builders for meldpunt tests: valid form data and real image and PDF bytes."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from pypdf import PdfWriter

REPORT_URL = reverse("intake:report", args=["GM1774"])


def form_data(**overrides):
    data = {
        "category": "verdacht-pand",
        "description": "Al weken 's nachts licht en auto's bij de lege schuur.",
        "occurred_on": "",
        "occurred_at_time": "",
        "postcode": "",
        "house_number": "",
        "house_number_addition": "",
        "area": "",
        "latitude": "",
        "longitude": "",
        "contact_name": "",
        "contact_email": "",
        "contact_phone": "",
    }
    data.update(overrides)
    return data


def jpeg_with_gps(name="schuur.jpg") -> SimpleUploadedFile:
    """A real JPEG carrying EXIF with a camera model and GPS coordinates."""
    image = Image.new("RGB", (64, 48), "darkgreen")
    exif = Image.Exif()
    exif[0x0110] = "Telefoon van de melder"  # Model
    exif[0x8825] = {1: "N", 2: (52.0, 24.0, 30.0), 3: "E", 4: (6.0, 54.0, 10.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def png(name="foto.png", size=(16, 16)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, "white").save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def pdf(name="brief.pdf", author="Jan Jansen") -> SimpleUploadedFile:
    """A real one-page PDF whose document information names its author."""
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Author": author, "/Creator": "Tekstverwerker"})
    out = io.BytesIO()
    writer.write(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/pdf")
