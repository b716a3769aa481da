"""Geometry of the budget charts, drawn by the template as inline SVG.

The SVG has no viewBox: bars are laid out in percent of the chart's width and text keeps its
size in pixels, so the chart stays legible from a 320px phone to a wide screen. Numbers that go
into SVG attributes are formatted here, with a decimal point: the template would localise them
("12,5%" is not a length).

Colours (WCAG 1.4.11 non-text contrast, ≥ 3:1), and why colour is never the only cue:
- paid: solid #073a50 — 12.1:1 against the white background;
- committed: hatching in #073a50 on white — 12.1:1; told apart from "paid" by its pattern;
- reserved: solid #c46a00 — 3.9:1 against white, 3.1:1 against "paid";
- available: white inside the bar's frame (#48525e, 7.9:1 against white).
Neighbouring segments are separated by a white gap; every segment is named in the legend with its
amount, and the figures table next to the chart is the text alternative.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from buendnis.budget.selectors import BudgetFigures
from buendnis.funding.figures import FieldFigures

PAID = "#073a50"
RESERVED = "#c46a00"
AVAILABLE = "#ffffff"
FRAME = "#48525e"
INK = "#1b1f24"

HUNDRED = Decimal(100)
TENTH = Decimal("0.1")
# SVG text does not wrap: labels are broken into lines that fit a 320px phone (about 30
# characters of 15px bold text).
LINE_CHARS = 30


def _pct(part: Decimal, whole: Decimal) -> Decimal:
    """Share in percent with one decimal place; 0 for an empty whole."""
    if whole <= 0:
        return Decimal(0)
    return (part * HUNDRED / whole).quantize(TENTH, rounding=ROUND_HALF_UP)


def _length(value: Decimal) -> str:
    """An SVG length in percent, with a decimal point whatever the language."""
    return f"{value:.3f}%"


@dataclass(frozen=True)
class Segment:
    key: str
    label: str
    amount: Decimal
    share: Decimal  # percent of the bar's whole, for the legend
    fill: str  # a colour or url(#pattern)
    x: str
    width: str


@dataclass(frozen=True)
class LegendItem:
    segment: Segment
    y: str  # top of the swatch
    text_y: str  # baseline of the label
    amount_y: str = ""  # baseline of the amount, on its own line below the label


@dataclass
class BudgetBar:
    """One stacked bar: paid, committed, reserved, available, in percent of the virtual budget."""

    prefix: str
    segments: list[Segment]
    legend: list[LegendItem]
    height: str
    bar_height: str = "40"


def _fills(prefix: str) -> dict[str, str]:
    return {
        "paid": PAID,
        "committed": f"url(#{prefix}-hatch)",
        "reserved": RESERVED,
        "available": AVAILABLE,
    }


def _stack(parts: list[tuple[str, str, Decimal]], whole: Decimal, prefix: str) -> list[Segment]:
    """Lay the parts side by side from the left; widths in percent of `whole`."""
    fills = _fills(prefix)
    segments = []
    left = Decimal(0)
    for key, label, amount in parts:
        width = (amount * HUNDRED / whole) if whole > 0 else Decimal(0)
        width = max(Decimal(0), min(width, HUNDRED - left))
        segments.append(
            Segment(
                key=key,
                label=label,
                amount=amount,
                share=_pct(amount, whole),
                fill=fills[key],
                x=_length(left),
                width=_length(width),
            )
        )
        left += width
    return segments


def budget_bar(figures: BudgetFigures, *, prefix: str = "budget") -> BudgetBar:
    parts = [
        ("paid", _("Ausgezahlt"), figures.paid),
        ("committed", _("Gebunden (bewilligt)"), figures.committed),
        ("reserved", _("Reserviert (Votum)"), figures.reserved),
        ("available", _("Verfügbar"), max(figures.available, Decimal(0))),
    ]
    segments = _stack(parts, figures.budget, prefix)
    top = 56  # below the 40px bar and a gap
    row = 46  # label and amount on two lines: a phone has no room for both on one
    legend = [
        LegendItem(
            segment=segment,
            y=str(top + index * row),
            text_y=str(top + index * row + 15),
            amount_y=str(top + index * row + 34),
        )
        for index, segment in enumerate(segments)
    ]
    return BudgetBar(
        prefix=prefix,
        segments=segments,
        legend=legend,
        height=str(top + len(segments) * row),
    )


@dataclass(frozen=True)
class FieldRow:
    figures: FieldFigures
    title_lines: list[tuple[str, str]]  # (baseline, text)
    amount_y: str
    bar_y: str
    segments: list[Segment]


@dataclass
class FieldBars:
    """One bar per field of action: its grants (paid, committed, reserved), scaled to the field
    holding the most, so the fields compare with each other."""

    prefix: str
    rows: list[FieldRow]
    height: str
    legend: list[LegendItem] = field(default_factory=list)
    bar_height: str = "20"
    legend_y: str = "0"


def field_label(entry: FieldFigures) -> str:
    if entry.field is None:
        return _("Ohne Handlungsfeld")
    if entry.field.is_open:
        return _("%(title)s (thematisch offen)") % {"title": entry.field.title}
    return entry.field.title


def field_bars(fields: list[FieldFigures], *, prefix: str = "fields") -> FieldBars:
    largest = max((entry.grants for entry in fields), default=Decimal(0))
    line = 18
    rows = []
    top = 0
    for entry in fields:
        lines = textwrap.wrap(field_label(entry), LINE_CHARS) or [""]
        title_lines = [(str(top + 16 + index * line), text) for index, text in enumerate(lines)]
        below = top + (len(lines) - 1) * line
        parts = [
            ("paid", _("Ausgezahlt"), entry.paid),
            ("committed", _("Gebunden (bewilligt)"), entry.committed),
            ("reserved", _("Reserviert (Votum)"), entry.reserved),
        ]
        rows.append(
            FieldRow(
                figures=entry,
                title_lines=title_lines,
                amount_y=str(below + 36),
                bar_y=str(below + 46),
                segments=_stack(parts, largest, prefix),
            )
        )
        top = below + 80
    legend_top = top + 8
    legend_parts = _stack(
        [
            ("paid", _("Ausgezahlt"), Decimal(0)),
            ("committed", _("Gebunden (bewilligt)"), Decimal(0)),
            ("reserved", _("Reserviert (Votum)"), Decimal(0)),
        ],
        Decimal(0),
        prefix,
    )
    legend = [
        LegendItem(
            segment=segment,
            y=str(legend_top + index * 28),
            text_y=str(legend_top + index * 28 + 15),
        )
        for index, segment in enumerate(legend_parts)
    ]
    return FieldBars(
        prefix=prefix,
        rows=rows,
        legend=legend,
        height=str(legend_top + len(legend) * 28),
        legend_y=str(legend_top),
    )


# --- Stacked bars of several budgets: the ministry's overview ----------------------------------


@dataclass(frozen=True)
class StackedRow:
    label: str
    figures: BudgetFigures
    distributed_share: Decimal  # reserved + committed + paid, in percent of the row's budget
    title_lines: list[tuple[str, str]]  # (baseline, text)
    amount_y: str
    bar_y: str
    frame_width: str  # the row's whole budget, in percent of the chart's width
    segments: list[Segment]


@dataclass
class StackedBars:
    """One stacked bar per row: paid, committed, reserved, available of a budget. With
    `scale="own"` every bar is its own budget (the rows compare in shares: how far each alliance
    has come); with `scale="largest"` the bars are measured against the largest budget (the rows
    compare in euros: budgets over time)."""

    prefix: str
    rows: list[StackedRow]
    height: str
    legend: list[LegendItem] = field(default_factory=list)
    bar_height: str = "20"
    legend_y: str = "0"


def _budget_parts(figures: BudgetFigures) -> list[tuple[str, str, Decimal]]:
    return [
        ("paid", _("Ausgezahlt"), figures.paid),
        ("committed", _("Gebunden (bewilligt)"), figures.committed),
        ("reserved", _("Reserviert (Votum)"), figures.reserved),
        ("available", _("Verfügbar"), max(figures.available, Decimal(0))),
    ]


def stacked_bars(
    items: list[tuple[str, BudgetFigures]], *, prefix: str, scale: str = "own"
) -> StackedBars:
    largest = max((figures.budget for _label, figures in items), default=Decimal(0))
    line = 18
    rows = []
    top = 0
    for label, figures in items:
        lines = textwrap.wrap(label, LINE_CHARS) or [""]
        title_lines = [(str(top + 16 + index * line), text) for index, text in enumerate(lines)]
        below = top + (len(lines) - 1) * line
        whole = figures.budget if scale == "own" else largest
        frame = HUNDRED if scale == "own" else _raw_share(figures.budget, largest)
        rows.append(
            StackedRow(
                label=label,
                figures=figures,
                distributed_share=_pct(figures.distributed, figures.budget),
                title_lines=title_lines,
                amount_y=str(below + 36),
                bar_y=str(below + 46),
                frame_width=_length(frame),
                segments=_stack(_budget_parts(figures), whole, prefix),
            )
        )
        top = below + 80
    legend_top = top + 8
    legend_parts = _stack(
        [(key, text, Decimal(0)) for key, text, _amount in _budget_parts(_NO_FIGURES)],
        Decimal(0),
        prefix,
    )
    legend = [
        LegendItem(
            segment=segment,
            y=str(legend_top + index * 28),
            text_y=str(legend_top + index * 28 + 15),
        )
        for index, segment in enumerate(legend_parts)
    ]
    return StackedBars(
        prefix=prefix,
        rows=rows,
        legend=legend,
        height=str(legend_top + len(legend) * 28),
        legend_y=str(legend_top),
    )


_NO_FIGURES = BudgetFigures(
    budget=Decimal(0), reserved=Decimal(0), committed=Decimal(0), paid=Decimal(0)
)


def _raw_share(part: Decimal, whole: Decimal) -> Decimal:
    """`part` in percent of `whole`, unrounded (a length), 0 for an empty whole."""
    if whole <= 0:
        return Decimal(0)
    return min(HUNDRED, part * HUNDRED / whole)
