"""Charts as SVG, drawn once on the server, so the page, a screen reader and the PDF show the same.

Pure functions of plain data that return safe markup for a template (`{{ chart }}`); every label
is escaped. Coordinates are written with a dot whatever the active locale (Django's localised
numbers would write commas, which SVG cannot read); numbers a reader sees are Dutch
(`format_number`). The drawing is role="img", named by its <title> and <desc>; put the figures in
a table beside it. Styling uses presentation attributes: the CSP forbids style="" and WeasyPrint
knows no CSS variables; the class noaber-chart only sizes the drawing on the page. Series differ
in dash pattern as well as colour, bars in outline as well as fill: colour is never the only cue.
"""

import hashlib
import itertools
import math
import textwrap
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# Okabe-Ito hues, darkened to at least 4.5:1 against white (WCAG 1.4.11 asks 3:1)
COLOURS = ["#0072b2", "#c85200", "#007a5a", "#b04f92", "#1a1a1a", "#8a6a00"]
DASHES = ["", "8 4", "2 3", "12 3 3 3", "5 5"]  # 5 patterns x 6 colours: 30 distinct series
TEXT, MUTED, GRID, AXIS, LIGHT = "#1a1a1a", "#595959", "#d9d9d9", "#6b6b6b", "#d0e4f2"
FONT = 13
CHAR = 0.6 * FONT  # a generous average glyph width of a sans-serif face, for layout estimates
PAD = 8
REFERENCE = {"stroke": MUTED, "stroke_width": 1.5, "stroke_dasharray": "6 3"}
ROOT = {"xmlns": "http://www.w3.org/2000/svg", "role": "img", "class_": "noaber-chart"}
ROOT |= {"font_family": "sans-serif", "font_size": FONT}

_serial = itertools.count(1)


def format_number(value, decimals=0) -> str:
    """Dutch text: 12.345 and 8,4 (rounded half up); None (or not a number) is a dash."""
    try:
        number = Decimal(str(value))  # None and words such as "geheim" raise
    except InvalidOperation:
        return "—"
    if not number.is_finite():
        return "—"
    number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{abs(number) if number == 0 else number:,.{decimals}f}"  # never "-0"
    return text.translate(str.maketrans(",.", ".,"))


def line_chart(series, *, title, description, y_label="", width=640, height=280, reference=None,
        zero_based=True, decimals=None, id_prefix=None) -> SafeString:  # fmt: skip
    """Lines over the x labels of all series; a None value is a gap, never a zero.

    series: [{"label": str, "points": [(x_label, value | None), ...], "emphasis": bool}];
    reference: {"label": str, "value": float}, a horizontal line such as a national figure.
    The y axis includes 0 unless zero_based=False. decimals: of the values (default: 0 for whole
    numbers, else 1).
    """
    series = [{**s, "label": str(s["label"]), "points": _points(s["points"])} for s in series]
    if reference is not None and reference.get("value") is None:
        reference = None
    xs = list(dict.fromkeys(x for s in series for x, _v in s["points"]))
    values = [v for s in series for _x, v in s["points"] if v is not None]
    values += [float(reference["value"])] if reference else []
    styles = [_series_style(i, s.get("emphasis")) for i, s in enumerate(series)]
    entries = [(s["label"], style) for s, style in zip(series, styles, strict=True)]
    if reference:  # named in the legend, not on the line, where it could cover a series
        value = _value_text(reference["value"], decimals=decimals)
        entries.append((f"{reference['label']}: {value}", REFERENCE))
    legend, legend_height = _legend(entries, width)
    top = PAD + legend_height + (28 if y_label else 10)
    height = max(height, top + 120)
    body = [legend, _text(PAD, top - 14, y_label)] if y_label else [legend]
    if not values or not xs:
        return _svg(id_prefix, title, description, width, height, body, empty=True)

    lo, hi = min(values), max(values)
    ticks, tick_decimals = _ticks(min(lo, 0), max(hi, 0)) if zero_based else _ticks(lo, hi)
    tick_labels = [format_number(t, tick_decimals) for t in ticks]
    left = PAD + max(len(t) for t in tick_labels) * CHAR + 8
    right = width - PAD - max(0, len(xs[-1]) * CHAR / 2 - 8)  # room for the last x label
    bottom = height - 28
    band = (right - left) / len(xs)
    px = {x: left + (i + 0.5) * band for i, x in enumerate(xs)}

    def py(v):
        return bottom - (v - ticks[0]) / (ticks[-1] - ticks[0]) * (bottom - top)

    for tick, label in zip(ticks, tick_labels, strict=True):
        body.append(_el("line", x1=left, x2=right, y1=py(tick), y2=py(tick), stroke=GRID))
        body.append(_text(left - 6, py(tick) + 4, label, anchor="end"))
    base = py(0) if ticks[0] <= 0 <= ticks[-1] else bottom
    body.append(_el("line", x1=left, x2=right, y1=base, y2=base, stroke=AXIS))
    every = max(1, math.ceil((max(len(x) for x in xs) * CHAR + 8) / band))
    for i, x in enumerate(xs):
        if (len(xs) - 1 - i) % every == 0:  # thinned out, but the latest is always shown
            body.append(_text(px[x], bottom + 18, x, anchor="middle"))
    if reference:
        y = py(float(reference["value"]))
        body.append(_el("line", x1=left, x2=right, y1=y, y2=y, **REFERENCE))

    order = sorted(range(len(series)), key=lambda i: bool(series[i].get("emphasis")))
    for i in order:  # emphasised series last, so on top
        s, style = series[i], styles[i]
        point = {"r": style["stroke_width"] + 1.5, "fill": style["stroke"]}
        path, pen_down, marks = [], False, []
        for x, v in s["points"]:
            if v is not None:
                path.append(f"{'L' if pen_down else 'M'}{_num(px[x])} {_num(py(v))}")
                tip = _el("title", f"{s['label']}, {x}: {_value_text(v, decimals=decimals)}")
                marks.append(_el("circle", tip, cx=px[x], cy=py(v), **point))
            pen_down = v is not None
        body.append(_el("path", d=" ".join(path), fill="none", stroke_linejoin="round", **style))
        body.extend(marks)
    return _svg(id_prefix, title, description, width, height, body)


def bar_chart(bars, *, title, description, unit="", width=640, height=None, decimals=None,
        missing=None, id_prefix=None) -> SafeString:  # fmt: skip
    """Horizontal bars: [(label, value | None, note?)]. A None value gets a text, not a bar: its
    note (e.g. "geheim"), else `missing`, else "onbekend"; a note beside a value is shown in
    brackets after it. The height fits the bars unless given."""
    rows = [(str(b[0]), _float(b[1]), b[2] if len(b) > 2 else "") for b in bars]
    texts = [_value_text(v, note, unit, decimals, missing) for _label, v, note in rows]
    label_width = min(max((len(r[0]) for r in rows), default=0) * CHAR, width * 0.4)
    wrapped = [_wrap(r[0], label_width) for r in rows]
    values = [v for _label, v, _note in rows if v is not None]
    ticks, tick_decimals = _ticks(min([0, *values]), max([0, *values]))
    left = PAD + label_width + 10
    right = width - PAD - max((len(t) for t in texts), default=0) * CHAR - 10
    heights = [max(28, 16 * len(lines) + 10) for lines in wrapped]
    bottom = PAD + sum(heights)
    height = height or (bottom + 28 if rows else 80)
    if not rows:  # no axis of zeros: just the words "geen gegevens"
        return _svg(id_prefix, title, description, width, height, [], empty=True)

    def px(v):
        return left + (v - ticks[0]) / (ticks[-1] - ticks[0]) * (right - left)

    body, y = [], PAD
    for tick in ticks:
        body.append(_el("line", x1=px(tick), x2=px(tick), y1=PAD, y2=bottom, stroke=GRID))
        label = format_number(tick, tick_decimals)
        body.append(_text(px(tick), bottom + 18, label, anchor="middle"))
    for (_label, value, _note), text, lines, row in zip(rows, texts, wrapped, heights, strict=True):
        body.append(_lines(left - 10, y + row / 2, lines, anchor="end"))
        body += _bar(px, value, y + row / 2 - 9, 18, text, fill=COLOURS[0])
        y += row
    body.append(_el("line", x1=px(0), x2=px(0), y1=PAD, y2=bottom, stroke=AXIS))
    return _svg(id_prefix, title, description, width, height, body, empty=not rows)


def comparison_chart(rows, *, title, description, label_a, label_b, unit="", width=640,
        shared_scale=False, decimals=None, missing=None, id_prefix=None) -> SafeString:  # fmt: skip
    """Start versus end: per indicator [(label, value_a, value_b)] two horizontal bars, A light and
    outlined, B solid, each captioned label_a / label_b. Each indicator is scaled to its own larger
    value (indicators differ in unit), so no axis is drawn; pass shared_scale=True when all rows
    share one unit. A None value gets `missing` or "onbekend" instead of a bar."""
    rows = [(str(r[0]), _float(r[1]), _float(r[2])) for r in rows]
    texts = [_value_text(v, "", unit, decimals, missing) for r in rows for v in r[1:3]]
    left = PAD + max(len(label_a), len(label_b)) * CHAR + 10
    right = width - PAD - max((len(t) for t in texts), default=0) * CHAR - 10
    everything = [v for r in rows for v in r[1:3] if v is not None]
    body, y = [], PAD
    for label, a, b in rows:
        scale = everything if shared_scale else [v for v in (a, b) if v is not None]
        lo, span = min([0, *scale]), (max([0, *scale]) - min([0, *scale])) or 1

        def px(v, lo=lo, span=span):
            return left + (v - lo) / span * (right - left)

        lines = _wrap(label, width - 2 * PAD)
        body.append(_lines(PAD, y + 12, lines, font_weight="bold"))
        y += 16 * len(lines) + 6
        for name, value, fill in ((label_a, a, LIGHT), (label_b, b, COLOURS[0])):
            text = _value_text(value, "", unit, decimals, missing)
            body.append(_text(left - 10, y + 13, name, anchor="end"))
            body += _bar(px, value, y + 1, 16, text, fill=fill, stroke=COLOURS[0], stroke_width=1.5)
            y += 20
        body.append(_el("line", x1=px(0), x2=px(0), y1=y - 40, y2=y, stroke=AXIS))
        y += 14
    height = max(y, 60)
    return _svg(id_prefix, title, description, width, height, body, empty=not rows)


def _num(x) -> str:
    """A coordinate for SVG: always a dot, at most one decimal."""
    text = f"{x:.1f}".removesuffix(".0")
    return "0" if text == "-0" else text


def _el(tag, content=None, **attrs) -> SafeString:
    """An element; attribute names from keywords (stroke_width -> stroke-width, class_ -> class),
    numbers as coordinates, None and "" left out; text content escaped, safe content kept."""
    values = {
        name.rstrip("_").replace("_", "-"): _num(value) if isinstance(value, int | float) else value
        for name, value in attrs.items()
        if value is not None and value != ""
    }
    attributes = format_html_join("", ' {}="{}"', values.items())
    if content is None:
        return format_html("<{}{}/>", tag, attributes)
    return format_html("<{}{}>{}</{}>", tag, attributes, content, tag)


def _join(parts) -> SafeString:
    return mark_safe("".join(conditional_escape(p) for p in parts))  # noqa: S308 -- escaped


def _text(x, y, content, *, anchor=None, fill=TEXT, **attrs) -> SafeString:
    return _el("text", content, x=x, y=y, text_anchor=anchor, fill=fill, **attrs)


def _lines(x, middle, lines, **attrs) -> SafeString:
    """Wrapped text centred on `middle`, one <tspan> a line."""
    first = middle + 4 - 8 * (len(lines) - 1)
    spans = [_el("tspan", line, x=x, y=first + 16 * i) for i, line in enumerate(lines)]
    return _text(x, first, _join(spans), **attrs)


def _wrap(label, room, max_lines=3) -> list[str]:
    lines = textwrap.wrap(label, max(8, int(room / CHAR))) or [""]
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], lines[max_lines - 1] + "…"]
    return lines


def _bar(px, value, y, height, text, **attrs) -> list[SafeString]:
    """A bar from 0 to value with its text at the end; only the text (in italics) for None."""
    if value is None:
        return [_text(px(0) + 6, y + height / 2 + 4, text, font_style="italic")]
    x0, x1 = sorted((px(0), px(value)))
    rect = _el("rect", x=x0, y=y, width=x1 - x0, height=height, **attrs)
    return [rect, _text(x1 + 6, y + height / 2 + 4, text)]


def _legend(entries, width) -> tuple[SafeString, float]:
    """Line samples with labels, wrapped into rows below PAD; returns (group, height)."""
    parts, x, y = [], PAD, PAD + 10
    for label, style in entries:
        item = 36 + len(label) * CHAR + 16
        if x > PAD and x + item > width - PAD:
            x, y = PAD, y + 20
        parts.append(_el("line", x1=x, x2=x + 28, y1=y, y2=y, **style))
        parts.append(_text(x + 36, y + 4, label))
        x += item
    return _el("g", _join(parts)), (y + 12 - PAD if entries else 0)


def _svg(id_prefix, title, description, width, height, body, empty=False) -> SafeString:
    """The root element; `empty` adds a "no data" text in the middle."""
    digest = hashlib.sha256(str(title).encode()).hexdigest()[:8]
    chart_id = id_prefix or f"chart-{digest}-{next(_serial)}"
    t, d = f"{chart_id}-title", f"{chart_id}-desc"
    size = {"width": round(width), "height": round(height)}
    if empty:
        body.append(_text(width / 2, height / 2, _("Geen gegevens"), anchor="middle", fill=MUTED))
    content = _join([_el("title", title, id=t), _el("desc", description, id=d), *body])
    box = f"0 0 {size['width']} {size['height']}"
    return _el("svg", content, viewBox=box, aria_labelledby=f"{t} {d}", **size, **ROOT)


def _ticks(lo, hi, target=5) -> tuple[list[float], int]:
    """Round tick values covering lo..hi in about `target` steps, and the decimals they need."""
    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / target
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw * (1 - 1e-9))
    start = math.floor(lo / step + 1e-9) * step
    count = max(1, math.ceil((hi - start) / step - 1e-9))
    decimals = 0
    while abs(step * 10**decimals - round(step * 10**decimals)) > 1e-6:
        decimals += 1
    return [round(start + i * step, 10) for i in range(count + 1)], decimals


def _float(value) -> float | None:
    return None if value is None else float(value)


def _points(points) -> list[tuple[str, float | None]]:
    """x labels as text (a year may come as a number), values as floats (or None)."""
    return [(str(x), _float(v)) for x, v in points]


def _series_style(i, emphasis) -> dict:
    colour, dash = COLOURS[i % len(COLOURS)], DASHES[i % len(DASHES)]
    return {"stroke": colour, "stroke_dasharray": dash, "stroke_width": 3.5 if emphasis else 2}


def _value_text(value, note="", unit="", decimals=None, missing=None) -> str:
    """A value as a reader sees it (decimals None: 0 for whole numbers, else 1), or why not."""
    if value is None:
        return note or missing or _("onbekend")
    decimals = (0 if float(value).is_integer() else 1) if decimals is None else decimals
    text = format_number(value, decimals) + (unit if unit == "%" else f" {unit}" if unit else "")
    return f"{text} ({note})" if note else text
