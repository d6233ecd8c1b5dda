"""The brief as one A4 page for a briefing pack: ``brief.pdf`` next to ``report.html``.

The page holds what the report's first screen holds (:mod:`.league`): the title, what the ranges
cover, the base's levels, the league table with each policy's title, its changes per 1,000
released with their ranges, the chance of fewer terrorism reoffences and the money; then one
sentence per policy and the cost-effect plane, as far as the page has room (with many policies
the sentences of the first ones and no plane), and a footer that says the people are synthetic
and where the method is.

It is drawn with matplotlib alone (one :class:`~matplotlib.figure.Figure`, saved as PDF, so it
is one page by construction): no browser, no LaTeX and no other PDF library.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from ..analysis.economics import BenefitCost
from .league import PER, League, league_cells, per_year_words
from .plotting import draw_cost_effect, plain_text

__all__ = ["BRIEF_PDF", "brief_figure", "write_brief"]

BRIEF_PDF = "brief.pdf"
#: A4 portrait, inches
PAGE = (8.27, 11.69)
MARGIN = 0.5
#: column widths of the table (inches) and their headers
COLUMNS: tuple[tuple[float, str], ...] = (
    (1.65, "Policy"),
    (0.82, "Terrorism\nreoffences"),
    (0.8, "Any\nreoffence"),
    (0.8, "Recalls"),
    (0.72, "Chance of\nfewer terrorism\nreoffences"),
    (1.13, "Net cost to\ntaxpayers"),
    (0.8, "Per terrorism\noffence\nprevented"),
    (0.55, "Benefits\nexceed\ncosts"),
)
_LINE = 1.25  # line height as a multiple of the font size


def _wrap(text: str, width_in: float, size: float, bold: bool = False) -> list[str]:
    """``text`` wrapped to a width in inches at a font size in points (an average character
    of DejaVu Sans is a little over half the font size wide, bold more)."""
    chars = max(8, int(width_in * 72.0 / ((0.62 if bold else 0.54) * size)))
    return textwrap.wrap(text, chars) or [""]


def _plain(text: str) -> str:
    """The report's inline marks removed (the PDF shows plain text)."""
    return text.replace("**", "").replace("`", "")


class _Page:
    """Text placed from the top of the page down, in inches."""

    def __init__(self, fig: Figure) -> None:
        self.fig = fig
        self.y = MARGIN  # inches from the top
        self.width = PAGE[0] - 2 * MARGIN

    def _fy(self, y: float) -> float:
        return 1.0 - y / PAGE[1]

    def text(self, x: float, y: float, text: str, size: float, **kw: Any) -> None:
        self.fig.text(x / PAGE[0], self._fy(y), text, fontsize=size, va="top", **kw)

    def paragraph(
        self, text: str, size: float, gap: float = 0.08, x: float = MARGIN, **kw: Any
    ) -> None:
        lines = _wrap(text, self.width - (x - MARGIN), size, kw.get("weight") == "bold")
        self.text(x, self.y, "\n".join(lines), size, linespacing=_LINE, **kw)
        self.y += len(lines) * size * _LINE / 72.0 + gap

    def rule(self, y: float, lw: float = 0.5, colour: str = "#999999") -> None:
        self.fig.add_artist(
            _line(
                [MARGIN / PAGE[0], 1 - MARGIN / PAGE[0]],
                [self._fy(y), self._fy(y)],
                lw,
                colour,
            )
        )

    def left(self) -> float:
        return PAGE[1] - MARGIN - self.y


def _line(xs: list[float], ys: list[float], lw: float, colour: str) -> Any:
    from matplotlib.lines import Line2D

    return Line2D(xs, ys, lw=lw, color=colour)


def _cells(table: League) -> list[list[str]]:
    """The league table's cells, the title first; amounts in millions on two lines."""
    return [
        [row.title, *cells[:-2], cells[-2].replace(" million", "\nmillion"), cells[-1]]
        for row, cells in zip(table.rows, league_cells(table), strict=True)
    ]


@plain_text
def brief_figure(
    table: League,
    economics: BenefitCost | None = None,
    labels: Mapping[str, str] | None = None,
    footer: str = "",
) -> Figure:
    """The one-page brief as a figure (A4 portrait)."""
    fig = Figure(figsize=PAGE)
    page = _Page(fig)
    page.paragraph(table.title, 14, gap=0.1, weight="bold")
    page.paragraph(table.covers, 8.5, gap=0.06, color="#5a4500")
    page.paragraph(_plain(table.base_line), 8.5, gap=0.1)
    # the table
    size, small = 7.0, 5.7
    xs = np.cumsum([MARGIN] + [w for w, _ in COLUMNS])
    head = max(h.count("\n") + 1 for _, h in COLUMNS) * small * _LINE / 72.0 + 0.06
    page.rule(page.y)
    for (width, header), x in zip(COLUMNS, xs, strict=False):
        right = header != "Policy"
        page.text(
            x + (width - 0.04 if right else 0.02),
            page.y + 0.04,
            header,
            small,
            weight="bold",
            ha="right" if right else "left",
            linespacing=1.1,
        )
    page.y += head
    page.rule(page.y)
    rows = _cells(table)
    for cells in rows:
        title = _wrap(cells[0], COLUMNS[0][0] - 0.06, size, bold=True)[:3]
        lines = max(len(title), 2)
        height = lines * size * _LINE / 72.0 + 0.06
        page.text(
            xs[0] + 0.02, page.y + 0.03, "\n".join(title), size, weight="bold", linespacing=_LINE
        )
        for (width, _), x, cell in zip(COLUMNS[1:], xs[1:], cells[1:], strict=False):
            first, _, rest = cell.partition("\n")
            page.text(x + width - 0.04, page.y + 0.03, first, size, ha="right")
            if rest:
                page.text(
                    x + width - 0.04,
                    page.y + 0.03 + size * _LINE / 72.0,
                    rest,
                    small,
                    ha="right",
                    color="#555555",
                )
        page.y += height
        page.rule(page.y, 0.3, "#cccccc")
    page.y += 0.06
    page.paragraph(
        f"Differences from {table.base_title} per {PER:,} people released after an extremist "
        f"offence, {table.years:g} years after release; below each, its range. "
        f"{table.sorted_by} Net cost to taxpayers: extra staff and programme costs minus prison "
        "places saved, over the whole run, in today's money. Recalls can rise under a good "
        "policy: closer supervision finds more breaches.",
        6.5,
        gap=0.12,
        color="#333333",
    )
    per_year = _plain(per_year_words(table))
    if per_year:
        page.paragraph(per_year, 7, gap=0.1)
    # one sentence per policy, while there is room (keeping some for the footer)
    footer_room = 0.45
    sentences = 0
    for i, row in enumerate(table.rows, start=1):
        wrapped = _wrap(f"{i}. {row.title}: {row.sentence}", page.width, 7.5)
        need = len(wrapped) * 7.5 * _LINE / 72.0 + 0.05
        if page.left() - footer_room < need:
            break
        page.paragraph(f"{i}. {row.title}: {row.sentence}", 7.5, gap=0.05)
        sentences += 1
    if sentences < len(table.rows):
        page.paragraph(
            f"The sentences for the other {len(table.rows) - sentences} policies are in "
            "report.html.",
            7,
            color="#555555",
        )
    # the cost-effect plane, if there is room for it
    room = page.left() - footer_room - 0.15
    if economics is not None and not economics.paired.empty and room >= 2.6:
        height = min(room, 5.0)
        width = min(page.width, 6.5)
        ax = fig.add_axes(
            (
                (MARGIN + 0.75) / PAGE[0],
                1 - (page.y + 0.15 + height - 0.45) / PAGE[1],
                (width - 0.75 - (2.4 if len(table.rows) > 6 else 0.0)) / PAGE[0],
                (height - 0.65) / PAGE[1],
            )
        )
        draw_cost_effect(
            ax, economics.paired, economics.valuation.terrorism_offence, economics.base, labels
        )
        for item in [ax.xaxis.label, ax.yaxis.label, *ax.get_xticklabels(), *ax.get_yticklabels()]:
            item.set_fontsize(7)
        legend = ax.get_legend()
        if legend is not None:
            for text in legend.get_texts():
                text.set_fontsize(6.5)
        ax.set_title(
            "What each policy buys and costs (dots: runs; large: the typical run)", fontsize=8
        )
    # footer
    page.y = PAGE[1] - MARGIN - footer_room + 0.1
    page.rule(page.y)
    page.y += 0.05
    page.paragraph(
        "Synthetic populations only: every person here is simulated; this compares policies "
        "and is never a risk score for anyone. These are consequences of stated assumptions, "
        "not a forecast. Method, scenario texts and every figure: report.html. " + footer,
        6.2,
        color="#444444",
    )
    return fig


@plain_text
def write_brief(
    folder: Path,
    table: League,
    economics: BenefitCost | None = None,
    labels: Mapping[str, str] | None = None,
    footer: str = "",
) -> Path:
    """Write ``brief.pdf`` (one A4 page) into ``folder``."""
    path = Path(folder) / BRIEF_PDF
    fig = brief_figure(table, economics, labels, footer)
    fig.savefig(
        path,
        format="pdf",
        metadata={"Title": table.title, "Creator": "reintegration-sim", "CreationDate": None},
    )
    return path
