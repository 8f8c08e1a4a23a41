"""Layout checks on a document as WeasyPrint lays it out (the same layout its PDF is written
from): every box inside its page's content area, so above the footer; no heading or table
caption as the last thing on a page; and, on the written PDF, every word above the footer line.
Test helpers only."""

import io
import re

from pypdf import PdfReader
from weasyprint import HTML
from weasyprint.formatting_structure import boxes

EPSILON = 0.5  # CSS px: rounding of the layout
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6", "caption", "thead"}  # nothing may follow alone


def _walk(box, ancestors=()):
    """(box, tags of its ancestor elements) for every box below `box`, in document order."""
    for child in box.all_children() if isinstance(box, boxes.ParentBox) else ():
        if isinstance(child, boxes.MarginBox):
            continue  # the footer itself
        tags = (*ancestors, getattr(child, "element_tag", None))
        yield child, tags
        yield from _walk(child, tags)


def _describe(box) -> str:
    text = " ".join(
        b.text for b in ([box] if isinstance(box, boxes.TextBox) else box.descendants())
        if isinstance(b, boxes.TextBox)
    )  # fmt: skip
    return f"<{getattr(box, 'element_tag', '?')}> {text[:60]!r}"


def layout_problems(html: str) -> tuple[list[str], int]:
    """([problem, ...], number of pages) of an HTML document laid out by WeasyPrint."""
    document = HTML(string=html).render()
    problems = []
    for number, page in enumerate(document.pages, start=1):
        page_box = page._page_box
        left, top = page_box.content_box_x(), page_box.content_box_y()
        right, bottom = left + page_box.width, top + page_box.height
        footer_top = min(
            (m.border_box_y() for m in page_box.children
             if isinstance(m, boxes.MarginBox) and m.border_box_y() >= bottom - EPSILON),
            default=bottom,
        )  # fmt: skip
        leaves = []  # (tags, box) of what a reader sees: lines of text and drawings
        for box, tags in _walk(page_box):
            if box.border_width() <= 0 and box.border_height() <= 0:
                continue
            x, y = box.border_box_x(), box.border_box_y()
            if (x < left - EPSILON or y < top - EPSILON or x + box.border_width() > right + EPSILON
                    or y + box.border_height() > min(bottom, footer_top) + EPSILON):  # fmt: skip
                problems.append(
                    f"page {number}: {_describe(box)} at ({x:.0f}, {y:.0f}) size "
                    f"{box.border_width():.0f}×{box.border_height():.0f} leaves the content "
                    f"area ({left:.0f}, {top:.0f})–({right:.0f}, {bottom:.0f})"
                )
            if isinstance(box, boxes.LineBox | boxes.ReplacedBox):
                leaves.append((tags, box))
        if leaves and number < len(document.pages):
            tags, last = leaves[-1]
            heading = next((t for t in reversed(tags) if t in HEADINGS), None)
            if heading:
                problems.append(f"page {number} ends with a lone {heading}: {_describe(last)}")
    return problems, len(document.pages)


def words_below_the_footer_line(pdf: bytes, footer_line_pt: float, footer_texts) -> list[str]:
    """Words of the written PDF lower on a page than `footer_line_pt` (from the page's bottom)
    that are not the footer itself."""
    found = []
    for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages, start=1):
        parts = []

        def visit(text, cm, tm, font_dict, font_size, parts=parts):
            if text.strip():
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]  # the text matrix times the CTM
                parts.append((y, text.strip()))

        page.extract_text(visitor_text=visit)
        for y, text in parts:
            if y < footer_line_pt and not any(re.search(f, text) for f in footer_texts):
                found.append(f"page {number}: {text!r} at {y:.0f} pt from the bottom")
    return found
