"""The ketenkaart as a picture: coordinates for an inline SVG of who works on which priority.

A pure function of plain data (names, kinds, priority keys), so it is tested without a database
and the template (templates/partners/_ketenkaart_svg.html) only places what it gets; Django's
autoescaping covers every name. Partners stand in a column on the left, grouped by kind; the
priorities are boxes on the right; a line joins a partner to each priority it works on.

The drawing has a viewBox and no fixed size, so it scales with the page; at the page's full
width one unit is about one CSS pixel, which keeps the 14-unit text legible.
"""

import textwrap
from dataclasses import dataclass, field

WIDTH = 1000
MARGIN = 16
FONT = 14  # partner names and priority names
HEADING_FONT = 16  # the kinds
LINE = 18  # line height of wrapped text
ROW_GAP = 8  # between partners
GROUP_GAP = 20  # above a kind's heading
NAME_RIGHT = 440  # partner names end here (right aligned)
NAME_CHARS = 50  # wrap partner names at this many characters
DOT_X = 454
BOX_X = 700
BOX_WIDTH = WIDTH - MARGIN - BOX_X
BOX_CHARS = 30
BOX_PADDING = 14
BOX_MIN_HEIGHT = 120
LINK_SPACING = 6  # between the ends of lines arriving at a box


@dataclass
class Text:
    x: float
    y: float
    lines: list[str]

    def __post_init__(self):
        self.x, self.y = round(self.x, 1), round(self.y, 1)


@dataclass
class Partner:
    name: str
    kind: str
    label: Text
    dot_y: float
    priorities: list = field(default_factory=list)


@dataclass
class Box:
    key: object
    x: float
    y: float
    width: float
    height: float
    label: Text


@dataclass
class Link:
    kind: str
    path: str


@dataclass
class Drawing:
    width: int
    height: int
    font: int = FONT
    heading_font: int = HEADING_FONT
    line: int = LINE
    dot_x: int = DOT_X
    headings: list[Text] = field(default_factory=list)
    partners: list[Partner] = field(default_factory=list)
    priorities: list[Box] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    priorities_heading: Text | None = None


def wrap(text: str, width: int) -> list[str]:
    """Whole words per line; a word longer than the line is broken."""
    return textwrap.wrap(text, width, break_on_hyphens=False) or [""]


def ketenkaart_drawing(groups, priorities, *, priorities_title: str) -> Drawing:
    """Lay out the ketenkaart.

    groups: [(kind, kind_label, [(partner_name, [priority_key, ...]), ...]), ...] in the order
        to draw them; empty groups are left out.
    priorities: [(priority_key, label), ...] top to bottom.
    """
    drawing = Drawing(width=WIDTH, height=0)
    y = MARGIN
    for kind, kind_label, partners in groups:
        if not partners:
            continue
        if drawing.headings:
            y += GROUP_GAP
        drawing.headings.append(Text(MARGIN, y + HEADING_FONT, [kind_label]))
        y += HEADING_FONT + LINE // 2
        for name, keys in partners:
            lines = wrap(name, NAME_CHARS)
            block = len(lines) * LINE
            first_baseline = y + LINE - (LINE - FONT) / 2 - 1
            drawing.partners.append(
                Partner(
                    name=name,
                    kind=kind,
                    label=Text(NAME_RIGHT, first_baseline, lines),
                    dot_y=round(y + block / 2, 1),
                    priorities=list(keys),
                )
            )
            y += block + ROW_GAP
    left_height = y + MARGIN

    # The priority boxes, spread over the height of the partner column.
    top = MARGIN
    drawing.priorities_heading = Text(BOX_X, top + HEADING_FONT, [priorities_title])
    top += HEADING_FONT + LINE
    count = len(priorities)
    available = max(left_height - MARGIN - top, count * (BOX_MIN_HEIGHT + GROUP_GAP))
    slot = available / count if count else 0
    for index, (key, label) in enumerate(priorities):
        lines = wrap(label, BOX_CHARS)
        arriving = sum(key in p.priorities for p in drawing.partners)
        # Tall enough for its name and to keep arriving lines apart, within its slot.
        height = max(BOX_MIN_HEIGHT, len(lines) * LINE + 2 * BOX_PADDING)
        height = max(height, min(arriving * LINK_SPACING + 2 * BOX_PADDING, slot - GROUP_GAP))
        box_y = top + index * slot + (slot - height) / 2
        text_y = box_y + height / 2 - (len(lines) * LINE) / 2 + FONT
        drawing.priorities.append(
            Box(
                key,
                BOX_X,
                round(box_y, 1),
                BOX_WIDTH,
                round(height, 1),
                Text(BOX_X + BOX_PADDING, text_y, lines),
            )
        )
    drawing.height = int(max(left_height, top + available + MARGIN) + 0.5)

    # One line per (partner, priority); the ends are spread over the box's left edge in the
    # partners' order, so lines do not cross where they arrive.
    for box in drawing.priorities:
        sources = [p for p in drawing.partners if box.key in p.priorities]
        step = (box.height - 2 * BOX_PADDING) / max(len(sources), 1)
        for rank, partner in enumerate(sources):
            end_y = box.y + BOX_PADDING + step * (rank + 0.5)
            middle = (DOT_X + box.x) / 2
            drawing.links.append(
                Link(
                    partner.kind,
                    f"M{DOT_X:.0f} {partner.dot_y:.1f} "
                    f"C{middle:.0f} {partner.dot_y:.1f} {middle:.0f} {end_y:.1f} "
                    f"{box.x:.0f} {end_y:.1f}",
                )
            )
    return drawing
