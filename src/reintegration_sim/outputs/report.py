"""The comparison report: a policy brief an adviser reads in two minutes, with everything behind
it folded away in an appendix.

``reintegration-sim compare`` writes ``report.md`` and ``report.html`` into its result folder
(and ``brief.pdf``, :mod:`.brief`). Both come from one list of blocks (:func:`report_blocks`:
headings, paragraphs, lists, tables, images, folded details), rendered twice
(:func:`to_markdown`, :func:`to_html`), so the two never say different things. The HTML is
self-contained (plots embedded as base64, a few lines of CSS, no script) and needs no Markdown
library. Text may use three inline marks: ``**bold**``, ``[label](link)`` and ```code```; user
text (titles, descriptions, the command line) is escaped with
:func:`~reintegration_sim.outputs.text.escape_markdown` wherever it appears, so it shows as typed
and never makes a tag, a link or a mark.

**The first screen answers the question** (WSIPP's benefit-cost pages and the What Works
toolkits are the anchors): a short title made of the scenarios' titles, one line saying what the
ranges cover and that the people are synthetic, the base's own levels in a sentence, and the
league table (:mod:`.league`): one row per policy by its title, with the change in terrorism
reoffences, any reoffence and recall per 1,000 released and their ranges, the chance of fewer
terrorism reoffences, the net cost to taxpayers, the cost per terrorism offence prevented, the
chance that benefits exceed costs, and one plain sentence; sorted by the change in terrorism
reoffences. Then the cost-effect plane, one forest plot faceted by outcome, and survival curves
only where a policy differs from the base. The body uses plain words.

**The appendix** (each part a folded ``<details>``): how the figures were made (the statistics
by name), the scenarios in their own words, every figure of each policy (rows identical in every
run left out and listed once), the differences over assumptions and chance, the runs needed to
tell a difference from chance, the other plots, limits and ethics, and how the report was made.
Everything else is in ``comparison.csv`` and ``benefit_cost.csv``.
"""

from __future__ import annotations

import base64
import html
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..analysis.economics import RELEASE_PRESETS, BenefitCost
from ..analysis.measures import END_STATES, FOLLOW_UP_STATES
from ..analysis.survival import COHORTS, SURVIVAL_YEARS
from ..interventions import REGISTRY
from ..model.outcomes import FOLLOW_UP_YEARS
from ..model.population import WEEKS_PER_YEAR
from ..parameters import Parameters, iter_register
from ..scenario import Scenario
from .league import (
    PER,
    RECALL,
    League,
    expected,
    league,
    league_cells,
    per_year_words,
    released_in,
    titles,
)
from .text import CHANCE_AND_ASSUMPTIONS, MARKDOWN_MARKS, NOISE_ONLY, escape_markdown

__all__ = [
    "APPENDIX_ID",
    "Bullets",
    "Details",
    "Heading",
    "Image",
    "Paragraph",
    "Table",
    "REPORT_HTML",
    "REPORT_MD",
    "league_blocks",
    "report_blocks",
    "safe_link",
    "to_html",
    "to_markdown",
    "write_report",
]

REPORT_MD = "report.md"
REPORT_HTML = "report.html"
#: the id of the appendix's heading in report.html (the brief ends above it)
APPENDIX_ID = "appendix"
#: docs/ODD.md of the checkout this package runs from (linked when it exists)
ODD = Path(__file__).resolve().parents[3] / "docs" / "ODD.md"
ETHICS = (
    "**Synthetic populations only.** Every person in this report is simulated. The model "
    "compares policies for populations; it is never a risk score for a real person and must "
    "not be used to assess, rate or decide about anyone. The paper it follows (Baaken, Korn & "
    "Walkenhorst 2018) warns that risk tools used carelessly stigmatise the people they rate."
)


# ---------------------------------------------------------------------- blocks


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    #: the HTML id of the heading (none if empty)
    anchor: str = ""


@dataclass(frozen=True)
class Paragraph:
    text: str
    quote: bool = False  # shown as a highlighted note
    #: the HTML class of the paragraph (none if empty)
    css: str = ""


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    #: per column: "l" or "r"
    align: str = ""
    #: per row, a line of text under it across the table (in Markdown: a last column)
    notes: tuple[str, ...] = ()
    #: the header of the notes' column in Markdown
    notes_header: str = ""
    #: the HTML class of the table, and per column a class of its cells (none if empty)
    css: str = ""
    keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class Image:
    path: str  # relative to the report
    alt: str
    caption: str = ""


@dataclass(frozen=True)
class Details:
    """A part folded away (HTML ``<details>``; in Markdown a third-level section)."""

    summary: str
    blocks: tuple[Any, ...]


Block = Heading | Paragraph | Bullets | Table | Image | Details


# ---------------------------------------------------------------------- numbers in words


def _num(x: float, signed: bool = False) -> str:
    """A level or difference with one decimal (two below 1), ``n/a`` when missing."""
    if x is None or not np.isfinite(x):
        return "n/a"
    digits = 1 if abs(x) >= 0.95 or x == 0 else 2
    text = f"{x:+.{digits}f}" if signed else f"{x:.{digits}f}"
    return "0" if text in ("+0.0", "-0.0", "0.0") and x == 0 else text


def _eur(x: float, signed: bool = False) -> str:
    """EUR amounts: millions with one decimal, smaller amounts to the euro."""
    if x is None or not np.isfinite(x):
        return "n/a"
    sign = ("+" if x > 0 else "-" if x < 0 else "") if signed else ("-" if x < 0 else "")
    a = abs(x)
    if a >= 1e6:
        return f"{sign}EUR {a / 1e6:,.1f} million"
    return f"{sign}EUR {a:,.0f}"


def _interval(row: pd.Series, fmt: Any = _num) -> str:
    if not np.isfinite(row["lower"]):
        return "n/a"
    if fmt is _eur:
        return _eur_range(row["lower"], row["upper"])
    return f"{fmt(row['lower'], signed=True)} to {fmt(row['upper'], signed=True)}"


def _eur_range(lo: float, hi: float) -> str:
    """An interval of EUR amounts, the unit said once: '+2.7 to +3.0 million'."""
    if max(abs(lo), abs(hi)) >= 1e6:
        return f"{lo / 1e6:+,.1f} to {hi / 1e6:+,.1f} million"
    return f"{lo:+,.0f} to {hi:+,.0f}"


def _change(row: pd.Series, kind: str) -> str:
    """'fewer'/'more' (events, counts) or 'lower'/'higher' (states, costs)."""
    up = row["difference"] > 0
    if kind in ("event", "count"):
        return "more" if up else "fewer"
    return "higher" if up else "lower"


def _judgement(row: pd.Series) -> str:
    """'better', 'worse' or '' from the outcome's direction and the sign of the difference."""
    direction = row["direction"]
    if direction == "neutral" or not row["difference"] or row["kind"] == "cost":
        return ""  # a cost is a trade-off, not better or worse in itself
    better = (row["difference"] < 0) == (direction == "lower is better")
    return "better" if better else "worse"


def _verdict(row: pd.Series, replications: int) -> str:
    """Whether a difference stands out from simulation noise, in words (a table cell)."""
    if not np.isfinite(row["difference"]):
        return "n/a"
    if row["excludes_zero"]:
        judged = _judgement(row)
        return f"yes: {_change(row, row['kind'])}" + (f" ({judged})" if judged else "")
    if _identical(row):
        return "no: identical in every run"
    needed = row["replications_needed"]
    if np.isfinite(needed):
        return f"no: would need {_runs(needed)}"
    return f"no (with {replications} runs)"


def _runs(n: float) -> str:
    """'about 40 runs'; beyond 10,000 the number means little."""
    return "more than 10,000 runs" if n > 10_000 else f"about {int(n):,} runs"


def _identical(row: pd.Series) -> bool:
    """A difference of exactly 0 in every replication."""
    return bool(row["difference"] == 0 and (row["sd"] == 0 or not np.isfinite(row["sd"])))


# ---------------------------------------------------------------------- content


def _rows(table: pd.DataFrame, **where: Any) -> pd.DataFrame:
    mask = np.ones(len(table), dtype=bool)
    for column, value in where.items():
        if column == "years" and value is None:
            mask &= table["years"].isna().to_numpy()
        else:
            mask &= (table[column] == value).to_numpy()
    return table[mask]


def _one(table: pd.DataFrame, **where: Any) -> pd.Series | None:
    rows = _rows(table, **where)
    return rows.iloc[0] if len(rows) else None


def _what_changes(scenario: Scenario) -> list[str]:
    """The levers a scenario switches on and the settings it changes from the register."""
    lines = []
    for key, settings in scenario.intervention_settings().items():
        cls = REGISTRY.get(key)
        label = cls.label if cls is not None else key
        evidence = f"; effect size: {cls.evidence}" if cls is not None else ""
        section = f" [RAN 2018, {cls.section}]" if cls is not None else ""
        shown = ", ".join(f"{k} = {_setting(v)}" for k, v in settings.items())
        lines.append(
            f"lever switched on: {label}{section}" + (f" ({shown})" if shown else "") + evidence
        )
    defaults = Parameters().flat()
    docs = {info.key: info.doc for info in iter_register()}
    for key, value in scenario.parameters.flat().items():
        if key.startswith("population.n_") or value == defaults.get(key):
            continue
        lines.append(
            f"setting changed: `{key}` = {value} (default {defaults.get(key)}): "
            f"{docs.get(key, '').rstrip('.')}"
        )
    return lines


def _setting(value: Any) -> str:
    """A lever setting as a scenario file would write it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_setting(v) for v in value) + "]"
    return str(value)


def _odd_link(destination: Path | None) -> str:
    if ODD.is_file() and destination is not None:
        relative = os.path.relpath(ODD, Path(destination).absolute())
        return f"[docs/ODD.md]({Path(relative).as_posix()})"
    return "`docs/ODD.md` in the reintegration-sim repository"


# ---------------------------------------------------------------------- the brief


def _when(years: float) -> str:
    return f"{years:g} year{'s' * (years != 1)} after release"


def league_blocks(table: League) -> list[Block]:
    """The first screen: title, what the ranges cover, the base's levels, the league table and
    what its columns mean."""
    header = (
        "Policy",
        f"Terrorism reoffences\nper {PER:,} released",
        "Any reoffence",
        "Recalls to prison",
        "Chance of fewer terrorism reoffences",
        f"Net cost to taxpayers\nper {PER:,} released",
        "Net cost per terrorism offence prevented",
        "Benefits exceed costs",
    )
    rows = [
        (f"**{escape_markdown(row.title)}**", *cells)
        for row, cells in zip(table.rows, league_cells(table), strict=True)
    ]
    when = _when(table.years)
    chance = (
        "the share of draws of the assumptions"
        if table.chance_over == "draws"
        else "the share of runs"
    )
    return [
        Heading(1, escape_markdown(table.title)),
        Paragraph(f"**{table.covers}**", css="covers"),
        Paragraph(
            table.base_line.replace(
                f"Under {table.base_title},", f"Under **{escape_markdown(table.base_title)}**,"
            ),
            css="base",
        ),
        Table(
            header,
            tuple(rows),
            "lrrrrrrr",
            notes=tuple(row.sentence for row in table.rows),
            notes_header="In a sentence",
            css="league",
            keys=("title", "terror", "any", "recall", "chance", "cost", "per-terror", "exceed"),
        ),
        *[
            Paragraph(text, css="per-year")
            for text in [per_year_words(table, escape_markdown)]
            if text
        ],
        Paragraph(
            f"Differences from **{escape_markdown(table.base_title)}**, {when}, with their "
            f"range below. **Chance of fewer terrorism reoffences**: {chance} in which the "
            "policy had fewer than the base. **Net cost to taxpayers**: the extra cost of staff "
            "and programmes minus the prison places saved, over the whole run, in today's "
            "money; per terrorism offence prevented, its mean over the mean offences prevented, "
            "where the policy prevents some on average. "
            "**Benefits exceed costs**: the share of runs in which the money saved for "
            "taxpayers and the harm avoided for victims outweigh the cost. "
            f"{table.sorted_by} Recalls can rise under a good policy: "
            f"{RECALL.raised_by_good}.",
            css="note",
        ),
    ]


def report_blocks(
    comparison: pd.DataFrame,
    scenarios: Sequence[Scenario],
    metadata: Mapping[str, Any],
    *,
    years: float,
    figures: Mapping[str, str] | None = None,
    destination: Path | None = None,
    economics: BenefitCost | None = None,
    levels: pd.DataFrame | None = None,
) -> list[Block]:
    """The report's content: the brief, then the appendix.

    Args:
        comparison: :func:`reintegration_sim.analysis.comparison.comparison_table` (with the
            columns of the assumption draws when there were any).
        scenarios: the scenarios as run, base first.
        metadata: the comparison's metadata (replications, seed, versions, command, draws).
        years: the follow-up (years after release) of the main figures.
        figures: plot file names (relative to the report) by role: ``forest``,
            ``survival``, ``indicators``, ``cost_effect``, ``acceptability``.
        destination: the result folder (for the relative link to the ODD).
        economics: the benefit-cost analysis
            (:func:`~reintegration_sim.analysis.economics.benefit_cost`), shown when given.
        levels: the replication levels, for the chance of fewer terrorism reoffences when the
            comparison did not draw the assumptions.
    """
    figures = dict(figures or {})
    table = league(comparison, scenarios, metadata, years=years, economics=economics, levels=levels)
    shown = titles(scenarios)
    blocks = league_blocks(table)
    blocks += _figures_section(figures, table)
    blocks.append(
        Paragraph(
            "**Read with care.** These are the consequences of stated assumptions in a "
            "simulation, not a forecast for any country or prison. Most effects of the policies "
            "are assumptions, and only proven offences count. "
            + (
                ""
                if table.draws
                else "The ranges leave out the uncertainty of those assumptions "
                "(`compare --assumption-draws N` adds it). "
            )
            + "How the figures were made, the policies in their own words and every figure are "
            "in the appendix.",
            css="note",
        )
    )
    blocks += _appendix(
        comparison, scenarios, metadata, years, figures, destination, economics, table, shown
    )
    return blocks


def _figures_section(figures: Mapping[str, str], table: League) -> list[Block]:
    base = escape_markdown(table.base_title)
    blocks: list[Block] = []
    if "cost_effect" in figures:
        blocks += [
            Heading(2, "What each policy buys and what it costs"),
            Image(
                figures["cost_effect"],
                "Cost-effect plane",
                f"Terrorism offences prevented (right: fewer offences than {base}) against the "
                f"net cost to taxpayers (up: costs more), per {PER:,} released; small dots are "
                "single runs, large dots the typical run. Below the dashed line a policy is "
                "worth its net cost at the assumed harm of a terrorism offence.",
            ),
        ]
    if "forest" in figures:
        blocks += [
            Heading(2, "Effect on each outcome"),
            Image(
                figures["forest"],
                "Differences from the base, one panel per outcome",
                f"Each row a policy, in the order of the table; the dot is the difference from "
                f"{base} per {PER:,} released, {_when(table.years)}, the line its range. Re-"
                "engagement is shown as it is and as agencies detect it: better detection finds "
                "more of it, so a good policy can raise the detected figure while true "
                "re-engagement falls. Outcomes no policy changed in any run are left out.",
            ),
        ]
    if "survival" in figures:
        blocks += [
            Heading(2, "Over time"),
            Image(
                figures["survival"],
                "Share with each event by years since release",
                f"The share of people released after an extremist offence with each event, by "
                f"years since release: {base} in black, and only the outcomes and policies (at "
                "most four each) that differ from it beyond chance; shaded: the 95 % band.",
            ),
        ]
    return blocks


# ---------------------------------------------------------------------- the appendix


def _appendix(
    comparison: pd.DataFrame,
    scenarios: Sequence[Scenario],
    metadata: Mapping[str, Any],
    years: float,
    figures: Mapping[str, str],
    destination: Path | None,
    economics: BenefitCost | None,
    table: League,
    shown: Mapping[str, str],
) -> list[Block]:
    base, others = scenarios[0], list(scenarios[1:])
    replications = int(metadata.get("replications", 0))
    detect = comparison["detectable_difference"].dropna()
    detect_size = float(detect.iloc[0]) if len(detect) else None
    parts: list[Block] = [
        Details(
            "How the figures were made",
            tuple(_method(comparison, scenarios, metadata, years, economics, table)),
        ),
        Details("The scenarios in their own words", tuple(_scenario_texts(scenarios, shown))),
    ]
    order = [row.name for row in table.rows] + [
        s.name for s in others if s.name not in {row.name for row in table.rows}
    ]
    by_name = {s.name: s for s in others}
    for name in order:
        other = by_name[name]
        inner = _scenario_section(comparison, base.name, name, years, replications, shown)
        if economics is not None and not economics.table.empty:
            inner += _benefit_cost_blocks(economics, shown, base.name, name)
        parts.append(Details(f"{escape_markdown(shown[other.name])}: every figure", tuple(inner)))
    draws = _draws_section(comparison, scenarios, metadata, years, shown)
    if draws:
        parts.append(Details("Differences over assumptions and chance", tuple(draws)))
    parts.append(
        Details(
            "Runs needed to tell a difference from chance",
            tuple(_noise_section(comparison, others, years, replications, detect_size, shown)),
        )
    )
    more = _more_plots(figures, table)
    if more:
        parts.append(Details("More plots", tuple(more)))
    parts += [
        Details("Limits and ethics", tuple(_limits(destination))),
        Details("How this report was made", (Paragraph(_provenance(metadata)),)),
    ]
    return [Heading(2, "Appendix", anchor=APPENDIX_ID), *parts]


def _method(
    comparison: pd.DataFrame,
    scenarios: Sequence[Scenario],
    metadata: Mapping[str, Any],
    years: float,
    economics: BenefitCost | None,
    table: League,
) -> list[Block]:
    base = scenarios[0]
    replications = int(metadata.get("replications", 0))
    pop = base.parameters.population
    horizon = base.horizon_weeks
    blocks: list[Block] = [
        Paragraph(
            f"This report compares {len(scenarios)} scenarios of reintegration-sim, an "
            "agent-based simulation of people convicted of violent extremist offences, and of a "
            "comparison group convicted of ordinary violent offences, through custody, release "
            f"and the years after. Each scenario was run {replications} times on the same "
            f"synthetic population ({pop.n_extremist:,} people in the extremist cohort, "
            f"{pop.n_comparison:,} in the comparison cohort) over {horizon} weeks "
            f"({horizon / WEEKS_PER_YEAR:.1f} years). Run *r* of every scenario uses the same "
            f"people and the same random numbers (seed {base.seed}), so two scenarios differ "
            "only where their policies differ (common random numbers)."
            + _follow_up_note(metadata, years)
        ),
        Paragraph(
            "**Events** (reoffending, terrorism reoffending, re-engagement, recall) are "
            "Kaplan-Meier cumulative incidence from each person's first release, "
            f"{_when(years)}, per 100 released in the appendix tables and per {PER:,} in the "
            "brief. **Differences** are the scenario minus the base, run by run. At the stated "
            "values of the assumptions, the mean difference has a 95 % paired t interval over "
            f"the runs, which covers {NOISE_ONLY}. "
            + (
                f"With assumption draws the brief shows instead the mean and 90 % range of "
                f"the run-by-run differences over every draw, which covers "
                f"{CHANCE_AND_ASSUMPTIONS} (where most runs differ by nothing, as with rare "
                "terrorism offences, the range can be 0 to 0 while the mean is not), and the chance of fewer reoffences is the share of "
                "draws whose mean difference is on the better side (ties half)."
                if table.draws
                else "The chance of fewer terrorism reoffences is the share of runs in which "
                "the policy had fewer than the base (ties half)."
            )
        ),
        Paragraph(
            "**Outcomes named for what they measure.** *Re-engagement detected by agencies* "
            "counts active re-engagement with an extremist group that the security services "
            "document; better detection raises it, so it is not called better or worse. "
            "*Re-engagement (true)* counts it whether or not any agency knows, which only a "
            "simulation can see. *Recall* rises when closer supervision finds more breaches."
        ),
    ]
    if economics is not None and not economics.table.empty:
        value = economics.valuation
        costs = base.parameters.costs
        covers = str(economics.table["covers"].iloc[0])
        blocks.append(
            Paragraph(
                f"**Money** is in EUR, discounted to the start of the run at "
                f"{100 * value.discount_rate:g} % a year (the HM Treasury Green Book rate): a "
                f"cost or an offence *t* years into the run counts (1 + "
                f"{value.discount_rate:g})^-*t* of its value. The **net cost to taxpayers** is "
                "the extra staff and programme cost minus the custody costs avoided, over the "
                "whole run and both cohorts, per person released from the extremist cohort "
                f"(times {PER:,} in the brief). The **net cost per terrorism offence "
                "prevented** divides its mean by the mean terrorism offences prevented "
                "(discounted alike), over every run: the expected cost per offence prevented, "
                "shown where the policy prevents some on average (the appendix also gives the "
                "median and range over the runs that prevented any). **Benefits** are costs avoided: custody places (taxpayers) and the harm "
                "of offences to victims and society, at the Home Office's unit costs of crime "
                "(Heeks et al. 2018, GBP at 2015/16 prices, converted at "
                f"{costs.eur_per_gbp:g} EUR per GBP): {_eur(value.terrorism_offence)} for a "
                "terrorism offence (an assumption: no published unit cost exists) and "
                f"{_eur(value.ordinary_reoffence)} for any other proven reoffence (an assumed "
                "mix of offence types). **Benefits exceed costs** where the net present value "
                "(benefits minus programme cost) is positive. The money ranges cover "
                f"{covers}."
            )
        )
    return blocks


def _scenario_texts(scenarios: Sequence[Scenario], shown: Mapping[str, str]) -> list[Block]:
    blocks: list[Block] = []
    for i, scenario in enumerate(scenarios):
        role = "the base" if i == 0 else "compared with the base"
        changes = _what_changes(scenario) if i > 0 else []
        blocks.append(
            Paragraph(
                f"**{escape_markdown(shown[scenario.name])}** ({role}; scenario "
                f"`{scenario.name}`). {escape_markdown(scenario.description)}"
            )
        )
        if changes:
            blocks.append(Bullets(tuple(changes)))
    return blocks


def _more_plots(figures: Mapping[str, str], table: League) -> list[Block]:
    blocks: list[Block] = []
    if "indicators" in figures:
        blocks.append(
            Image(
                figures["indicators"],
                "Indicators over time by scenario",
                "Housing, trust, hope and stigma of the extremist cohort, waiting lists of all "
                "agencies and the cost since the start, mean over runs.",
            )
        )
    if "acceptability" in figures:
        blocks.append(
            Image(
                figures["acceptability"],
                "Cost-effectiveness acceptability curve",
                "The share of runs in which each scenario has the highest net benefit, by what "
                "one is willing to pay to prevent a terrorism offence (other offences avoided "
                "count at their unit costs); at the dashed line it matches the net present "
                "value.",
            )
        )
    return blocks


def _limits(destination: Path | None) -> list[Block]:
    return [
        Bullets(
            (
                "The population is synthetic and the model stylised: it shows what follows from "
                "its assumptions, not a forecast for any country or prison.",
                "Many parameters and most effect sizes of the levers are stated assumptions (see "
                "the parameter register and each lever's evidence); the results are only as good "
                "as they are.",
                "Ranges over chance only leave out the uncertainty of the assumptions; ranges "
                "over assumption draws include it, but not uncertainty about the model's "
                "structure.",
                "Costs to taxpayers count custody places, agency practitioners and the "
                "programmes' own costs at assumed unit costs (parameter group `costs`). Costs to "
                "victims and society count proven offences only, at the Home Office's unit costs "
                "for England and Wales (which include police and court costs); a terrorism "
                "offence has no published unit cost, so its value is an assumption.",
                "Reoffending is proven reoffending within the simulated follow-up; the model "
                f"description is in {_odd_link(destination)}.",
            )
        ),
        Paragraph(ETHICS),
    ]


# ---------------------------------------------------------------------- every figure of a policy


def _draws_section(
    comparison: pd.DataFrame,
    scenarios: Sequence[Scenario],
    metadata: Mapping[str, Any],
    years: float,
    shown: Mapping[str, str],
) -> list[Block]:
    """With assumption draws: each policy's differences over assumptions and chance."""
    draws = metadata.get("assumption_draws")
    if not draws or "total_median" not in comparison:
        return []
    base = scenarios[0]
    blocks: list[Block] = [
        Paragraph(
            f"Most effect sizes in this model are assumptions. Here {len(draws['drawn'])} of them "
            f"were drawn jointly {draws['n_draws']} times from their priors (each scenario run "
            f"{draws['replications_per_draw']} time(s) per draw on the same people and random "
            "numbers as the others). The range covers 90 % of the differences; 'chance it helps' "
            "is the share of draws in which the policy did better; 'due to assumptions' is the "
            f"share of the spread that comes from the assumptions, the rest being chance. These "
            f"ranges cover {CHANCE_AND_ASSUMPTIONS}. Per 100 people released, {_when(years)}; "
            f"the difference is the scenario minus **{escape_markdown(shown[base.name])}**. "
            "Every draw is in draws.parquet and the drawn values in assumptions.parquet; "
            "drivers.csv says which assumptions explain each main difference."
        ),
    ]
    events = comparison[(comparison["kind"] == "event") & (comparison["years"] == years)]
    header = (
        "scenario",
        "cohort",
        "outcome",
        "mean difference",
        "90 % range",
        "chance it helps",
        "due to assumptions",
    )
    rows = []
    same = []
    for other in scenarios[1:]:
        for _, row in events[events["scenario"] == other.name].iterrows():
            if pd.isna(row["total_median"]):
                continue
            title = escape_markdown(shown[other.name])
            if row["total_low"] == 0 and row["total_high"] == 0 and row.get("total_mean", 0) == 0:
                same.append(f"{title}: {str(row['label']).lower()} ({row['cohort']})")
                continue
            better, share = row["prob_better"], row["share_assumptions"]
            rows.append(
                (
                    title,
                    str(row["cohort"]),
                    str(row["label"]),
                    _num(expected(row), signed=True),
                    f"{_num(row['total_low'], signed=True)} to {_num(row['total_high'], signed=True)}",
                    "n/a" if pd.isna(better) else f"{100 * better:.0f} %",
                    "n/a" if pd.isna(share) else f"{100 * share:.0f} %",
                )
            )
    if rows:
        blocks.append(Table(header, tuple(rows), "lllrrrr"))
    if same:
        blocks.append(Paragraph("**The same in every run** (left out): " + "; ".join(same) + "."))
    return blocks


def _follow_up_note(metadata: Mapping[str, Any], years: float) -> str:
    requested = metadata.get("requested_follow_up_years")
    if requested is None or float(requested) == years:
        return ""
    return (
        f" The main figures show {years:g} years after release: {float(requested):g} years is "
        "longer than the simulated horizon follows anyone up."
    )


def _same_line(same: Sequence[str]) -> list[Block]:
    if not same:
        return []
    return [Paragraph("**The same in every run** (left out): " + "; ".join(same) + ".")]


def _scenario_section(
    comparison: pd.DataFrame,
    base: str,
    other: str,
    years: float,
    replications: int,
    shown: Mapping[str, str],
) -> list[Block]:
    """Every figure of one policy against the base: events of both cohorts, states of the
    released people, costs; rows identical in every run are listed once, not shown."""
    b, o = escape_markdown(shown[base]), escape_markdown(shown[other])
    header = ("Outcome", "Cohort", b, o, "Difference (95 % interval)", "Beyond chance?")
    events, same = [], []
    for cohort in COHORTS:
        for _, row in _rows(comparison, scenario=other, cohort=cohort, kind="event").iterrows():
            if row["years"] != years:
                continue
            if _identical(row):
                same.append(f"{str(row['label']).lower()} ({cohort})")
                continue
            ref = _one(
                comparison,
                scenario=base,
                cohort=cohort,
                kind="event",
                outcome=row["outcome"],
                years=years,
            )
            events.append(
                (
                    row["label"],
                    cohort,
                    _num(ref["level"]) if ref is not None else "n/a",
                    _num(row["level"]),
                    f"{_num(row['difference'], signed=True)} ({_interval(row)})",
                    _verdict(row, replications),
                )
            )
    states = []
    # states the same time after each person's release as the events, where recorded then
    # (the end of the run mixes people released one and ten years earlier); others at the end
    timed = {state.key for state in FOLLOW_UP_STATES} if years in FOLLOW_UP_YEARS else set()
    for state in END_STATES:
        where = {
            "cohort": "extremist",
            "kind": "state",
            "outcome": state.key,
            "years": float(years) if state.key in timed else None,
        }
        row, ref = (
            _one(comparison, scenario=other, **where),
            _one(comparison, scenario=base, **where),
        )
        if row is None or ref is None:
            continue
        if _identical(row):
            same.append(f"{str(row['label']).lower()} (released, extremist)")
            continue
        states.append(
            (
                f"{row['label']} ({row['unit']})"
                + (f", {years:g} years after release" if state.key in timed else ", at the end"),
                _num(ref["level"]),
                _num(row["level"]),
                f"{_num(row['difference'], signed=True)} ({_interval(row)})",
                _verdict(row, replications),
            )
        )
    blocks: list[Block] = []
    if events:
        blocks += [
            Paragraph(
                f"**Events {_when(years)}**, per 100 people released, both cohorts; "
                "intervals over chance only."
            ),
            Table(header, tuple(events), "llrrrl"),
        ]
    if states:
        blocks += [
            Paragraph(
                "**States of the released people of the extremist cohort** (housing, work, "
                "family ties and stigma among those living in the community, the others among "
                "those alive; indices on a 0-100 scale; the comparison cohort is in "
                "comparison.csv)."
            ),
            Table(
                ("Outcome", b, o, "Difference (95 % interval)", "Beyond chance?"),
                tuple(states),
                "lrrrl",
            ),
        ]
    costs, cost_same = _cost_blocks(comparison, base, other, replications, b, o)
    return blocks + costs + _same_line(same + cost_same)


def _cost_blocks(
    comparison: pd.DataFrame, base: str, other: str, replications: int, b: str, o: str
) -> tuple[list[Block], list[str]]:
    rows, same = [], []
    for kind, key in (
        ("cost", "cost_total"),
        ("cost", "cost_custody"),
        ("cost", "cost_staff"),
        ("cost", "cost_interventions"),
        ("cost", "cost_per_100_releases"),
        ("count", "reoffences"),
    ):
        row = _one(comparison, scenario=other, cohort="all", kind=kind, outcome=key)
        ref = _one(comparison, scenario=base, cohort="all", kind=kind, outcome=key)
        if row is None or ref is None:
            continue
        if _identical(row):
            same.append(str(row["label"]).lower())
            continue
        fmt = _eur if kind == "cost" else _num
        rows.append(
            (
                row["label"],
                fmt(ref["level"]),
                fmt(row["level"]),
                f"{fmt(row['difference'], signed=True)} ({_interval(row, fmt)})",
                _verdict(row, replications),
            )
        )
    if not rows:
        return [], same
    blocks: list[Block] = [
        Paragraph(
            "**Costs over the whole run**, undiscounted (both cohorts; custody places, agency "
            "practitioners and programmes, at the assumed unit costs of the parameter register)."
        ),
        Table(
            ("Cost", b, o, "Difference (95 % interval)", "Beyond chance?"),
            tuple(rows),
            "lrrrl",
        ),
    ]
    ratio = _one(comparison, scenario=other, cohort="all", outcome="cost_per_reoffence_prevented")
    if ratio is not None:
        if np.isfinite(ratio["level"]) and ratio["level"] < 0:
            text = (
                f"**Extra cost per proven reoffence prevented: none**: it saves "
                f"{_eur(-ratio['level'])} per reoffence prevented (difference in total cost over "
                f"the number of reoffences prevented; {ratio['note']})."
            )
        elif np.isfinite(ratio["level"]):
            text = (
                f"**Extra cost per proven reoffence prevented: {_eur(ratio['level'])}** "
                f"(difference in total cost over the number of reoffences prevented; "
                f"{ratio['note']})."
            )
        else:
            text = f"**Extra cost per proven reoffence prevented: not defined** ({ratio['note']})."
        blocks.append(Paragraph(text))
    return blocks, same


# ---------------------------------------------------------------------- benefit-cost


def _bc_value(row: pd.Series | None, which: str) -> str:
    """One figure of ``benefit_cost.csv`` (``which``: median, low or high) in words."""
    if row is None:
        return "n/a"
    x, unit, bound = row[which], str(row["unit"]), which != "median"
    if x == np.inf and row["scale"] == "per arm":
        return "never (infinite)"
    if x is None or not np.isfinite(x):
        return "infinite" if x in (np.inf, -np.inf) else "n/a"
    if unit == "EUR per EUR":
        return f"{x:.2f}"
    if unit.startswith("EUR"):
        return _eur(x, signed=bound)
    if unit.startswith("%"):
        return f"{x:+.0f} %"
    if unit in ("releases", "people released, extremist cohort"):
        return f"{x:,.0f}"
    return _num(x, signed=bound)


def _bc_row(table: pd.DataFrame, measure: str, scale: str | None = None) -> pd.Series | None:
    rows = table[table["measure"] == measure]
    if scale is not None:
        rows = rows[rows["scale"] == scale]
    return rows.iloc[0] if len(rows) else None


#: the figures of the report's benefit-cost table: measure, scale, words
_BC_SHOWN: tuple[tuple[str, str | None, str], ...] = (
    ("net_present_value", "per participant", "Net present value per participant"),
    ("net_present_value", "per 100 releases", "Net present value per 100 releases"),
    ("taxpayer_benefit", "per participant", "Benefits to taxpayers per participant"),
    ("victim_benefit", "per participant", "Benefits to victims and society per participant"),
    ("programme_cost", "per participant", "Programme cost per participant"),
    ("benefit_cost_ratio", None, "Benefit-cost ratio (EUR of benefits per EUR of programme)"),
    ("cost_per_terror_prevented", None, "Net cost to taxpayers per terrorism offence prevented"),
    ("cost_per_reoffence_prevented", None, "Net cost to taxpayers per reoffence prevented"),
    (
        "terror_prevented",
        "per 100 releases",
        "Terrorism offences prevented per 100 releases (both cohorts' offences)",
    ),
    ("relative_change_terror", None, "Change in terrorism offences"),
    ("releases_per_terror_prevented", None, "Releases served per terrorism offence prevented"),
    ("releases_per_reoffence_prevented", None, "Releases served per reoffence prevented"),
    ("evaluation_size_terror", None, "People per arm to detect the change in terrorism offences"),
    ("evaluation_size_any", None, "People per arm to detect the change in any reoffence"),
)


def _benefit_cost_blocks(
    economics: BenefitCost, shown: Mapping[str, str], base: str, name: str
) -> list[Block]:
    """The benefit-cost figures of one policy against the base (``benefit_cost.csv``)."""
    mine = economics.table[economics.table["scenario"] == name]
    if mine.empty:
        return []
    title = escape_markdown(shown[name])
    picked = [(_bc_row(mine, measure, scale), words) for measure, scale, words in _BC_SHOWN]
    picked += [
        (
            row,
            "Terrorism offences prevented a year among people released after extremist "
            f"offences, at {row['releases_per_year']:g} releases a year"
            f"{_releases_where(str(row['label']))}",
        )
        for _, row in mine[mine["measure"] == "terror_prevented_per_year"].iterrows()
    ]
    rows = []
    for row, words in picked:
        if row is None:
            continue
        if row["measure"] == "cost_per_terror_prevented" and pd.notna(row.get("mean", np.nan)):
            rows.append(
                (
                    f"{words}, expected (the mean net cost over the mean offences prevented; "
                    "the brief's figure)",
                    _eur(float(row["mean"])),
                    "",
                )
            )
        rows.append((words, _bc_value(row, "median"), _bc_range(row)))
    covers = str(mine["covers"].iloc[0])
    return [
        Paragraph(
            f"**What it is worth** (benefit-cost against {escape_markdown(shown[base])}; a "
            "participant is a person released from the extremist cohort; the ranges cover "
            f"{covers})."
        ),
        Table(("Figure", "Median", "Range (5th to 95th percentile)"), tuple(rows), "lrr"),
        Paragraph(_benefit_cost_words(mine, title)),
    ]


def _bc_range(row: pd.Series) -> str:
    """The 5th to 95th percentile of a figure; for releases served per offence prevented a
    range whose ends differ in sign runs through "no change" (infinity) and is said so."""
    low, high = row["low"], row["high"]
    through_infinity = bool(np.isinf(low) or np.isinf(high) or (low < 0) != (high < 0))
    if (
        str(row["unit"]) == "releases"
        and not (np.isnan(low) or np.isnan(high))
        and through_infinity
    ):
        return "unbounded: the range includes no change"
    return f"{_bc_value(row, 'low')} to {_bc_value(row, 'high')}"


def _releases_where(label: str) -> str:
    """Where a figure a year's releases come from, as words to follow it: ' (France)' for a
    preset or a country; nothing for a number given as it is ('30 releases a year')."""
    where = released_in(label)
    return f" ({where})" if where else ""


def _about(x: float) -> str:
    """A large count to two significant figures (``614,703`` -> ``610,000``): the sizes of an
    evaluation rest on simulated shares, and more digits would claim a precision they lack."""
    if x < 100:
        return f"{x:,.0f}"
    digits = math.floor(math.log10(x)) - 1
    return f"{round(x, -digits):,.0f}"


def _releases_shown(table: pd.DataFrame) -> tuple[float, str]:
    """The releases a year of the comparison's first figure a year (the base scenario's
    country, or the first release preset or number given) and where, as words to follow it
    (' in France'; nothing for a bare number); the UK's if the comparison has none."""
    rows = table[table["measure"] == "terror_prevented_per_year"]
    row = rows.iloc[0] if len(rows) else None
    where = released_in("uk" if row is None else str(row["label"]))
    releases = RELEASE_PRESETS["uk"][0] if row is None else float(row["releases_per_year"])
    return releases, f" in {'the UK' if where == 'UK' else where}" if where else ""


def _benefit_cost_words(table: pd.DataFrame, label: str) -> str:
    """The decision numbers of one policy in a sentence or two."""
    npv = _bc_row(table, "net_present_value", "per participant")
    size = _bc_row(table, "evaluation_size_terror")
    text = ""
    if npv is not None and np.isfinite(npv["prob_net_benefit_positive"]):
        runs = int(npv["n_draws"])
        positive = round(npv["prob_net_benefit_positive"] * runs)
        text = f"With {label}, benefits exceed costs in {positive} of the {runs} runs. "
    if size is not None and np.isfinite(size["median"]):
        n = float(size["median"])
        releases, place = _releases_shown(table)
        text += (
            f"A real two-arm evaluation would need about {_about(n)} released people per arm "
            f"({_about(2 * n)} in all) to detect the simulated change in terrorism offences "
            f"with 80 % power; at about {releases:g} terrorist prisoners released a year{place} "
            f"that is {_about(2 * n / releases)} years of releases."
        )
        if 2 * n / releases > 10:
            text += (
                " The effect may be precise in the simulation, yet no real evaluation could "
                "observe it."
            )
    elif size is not None:
        text += (
            "The simulated shares with a terrorism offence are equal, so no evaluation could "
            "detect a change."
        )
    return text.strip()


# ---------------------------------------------------------------------- chance


def _noise_section(
    comparison: pd.DataFrame,
    others: Sequence[Scenario],
    years: float,
    replications: int,
    detect_size: float | None,
    shown: Mapping[str, str],
) -> list[Block]:
    items = []
    table_rows = []
    for other in others:
        title = escape_markdown(shown[other.name])
        same = []
        for cohort in COHORTS:
            for _, row in _rows(
                comparison, scenario=other.name, cohort=cohort, kind="event"
            ).iterrows():
                if row["years"] != years or not np.isfinite(row["difference"]):
                    continue
                if _identical(row):
                    same.append(f"{row['label'].lower()} ({cohort})")
                    continue
                items.append(_noise_sentence(row, title, cohort, replications, detect_size))
                if detect_size is not None:
                    table_rows.append(
                        (
                            title,
                            f"{row['label']}, {cohort}",
                            _num(row["sd"]),
                            _count(row["replications_needed"]),
                            _count(row["replications_for_detectable"]),
                        )
                    )
        if same:
            items.append(
                f"**The same in every run with {title}** (nothing to detect): "
                + ", ".join(same)
                + "."
            )
    blocks: list[Block] = [
        Paragraph(
            "Every run of a simulation comes out a little differently. A difference is "
            "**distinguishable from chance** when its 95 % interval lies wholly on one side of "
            f"zero. With {replications} runs per scenario, {_when(years)}, per 100 released:"
        ),
        Bullets(tuple(items)),
    ]
    if table_rows and detect_size is not None:
        blocks += [
            Paragraph(
                "**Runs per scenario needed** to detect a difference with 80 % power at the "
                "95 % level, from the spread of the paired differences (sd, per 100 releases): "
                "n = ((1.96 + 0.84) x sd / difference)^2, a little more for few runs (t "
                f"distribution). '{_num(detect_size)} per 100' is a difference of the size asked "
                "for (`--detect`, e.g. the smallest that would matter for policy); 'this size' is "
                "the difference observed, shown where it was not yet distinguishable from chance."
            ),
            Table(
                (
                    "Scenario",
                    "Outcome",
                    "sd",
                    "runs for this size",
                    f"runs for {_num(detect_size)} per 100",
                ),
                tuple(table_rows),
                "llrrr",
            ),
        ]
    return blocks


def _count(x: float) -> str:
    return f"{int(x):,}" if np.isfinite(x) else "-"


def _noise_sentence(
    row: pd.Series, other: str, cohort: str, replications: int, detect_size: float | None
) -> str:
    what = f"**{row['label']}, {cohort} cohort**"
    d, lo, hi = row["difference"], row["lower"], row["upper"]
    size = f"{_num(abs(d))} {_change(row, 'event')} per 100 releases with {other}"
    interval = f"95 % interval {_num(lo, signed=True)} to {_num(hi, signed=True)}"
    if row["excludes_zero"]:
        judged = _judgement(row)
        return f"{what}: {size} ({interval}): distinguishable from chance" + (
            f", {judged} than the base." if judged else "."
        )
    text = f"{what}: {size} ({interval}): not distinguishable from chance with {replications} runs"
    needed = row["replications_needed"]
    if np.isfinite(needed):
        text += f"; a difference this size would need {_runs(needed)}"
    if detect_size is not None and np.isfinite(row["replications_for_detectable"]):
        text += f", one of {_num(detect_size)} per 100 {_runs(row['replications_for_detectable'])}"
    return text + "."


def _provenance(metadata: Mapping[str, Any]) -> str:
    git = metadata.get("git") or {}
    commit = git.get("commit", "unknown")[:12] if git else "unknown"
    dirty = " with uncommitted changes" if git.get("dirty") else ""
    command = " ".join(str(c) for c in metadata.get("command", []))
    crn = str(metadata.get("common_random_numbers", ""))
    crn = crn[:1].upper() + crn[1:]
    *first, last = (f"{y:g}" for y in SURVIVAL_YEARS)
    years = f"{', '.join(first)} and {last}" if first else last
    return (
        f"reintegration-sim {metadata.get('version', '?')} (git {commit}{dirty}), started "
        f"{metadata.get('started', '?')}; command: {escape_markdown(command)}. "
        f"{crn}. All figures at {years} years, both "
        "cohorts, with intervals and replications needed: comparison.csv; what each run "
        "measured: replications.parquet; scenario texts, seeds and versions: metadata.json."
    )


# ---------------------------------------------------------------------- rendering


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").strip()


def to_markdown(blocks: Sequence[Block], level: int = 0) -> str:
    """The blocks as Markdown (relative links to the plots); a :class:`Details` becomes a
    section one level below the appendix's heading."""
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            out.append("#" * block.level + " " + block.text)
        elif isinstance(block, Paragraph):
            out.append(("> " if block.quote else "") + block.text)
        elif isinstance(block, Bullets):
            out.append("\n".join(f"- {item}" for item in block.items))
        elif isinstance(block, Table):
            align = block.align.ljust(len(block.header), "l")
            header = list(block.header)
            rows = [list(row) for row in block.rows]
            if block.notes:
                header.append(block.notes_header)
                align += "l"
                for row, note in zip(rows, block.notes, strict=True):
                    row.append(note)
            lines = [
                "| " + " | ".join(_md_cell(h) for h in header) + " |",
                "|" + "|".join("---:" if a == "r" else "---" for a in align) + "|",
            ]
            lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
            out.append("\n".join(lines))
        elif isinstance(block, Image):
            text = f"![{block.alt}]({block.path})"
            out.append(text + (f"\n\n*{block.caption}*" if block.caption else ""))
        elif isinstance(block, Details):
            out.append("### " + block.summary)
            out.append(to_markdown(block.blocks, level + 1).rstrip("\n"))
    return "\n\n".join(out) + "\n"


_INLINE = (
    (re.compile(r"\*\*(.+?)\*\*"), r"<strong>\1</strong>"),
    (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])"), r"<em>\1</em>"),
)
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
#: code spans and backslash escapes, set aside before the other marks are read
_LITERAL = re.compile(r"\\([" + re.escape(MARKDOWN_MARKS) + r"])|`([^`]+)`")
#: an HTML entity (escape_markdown writes them), kept as it is; any other & is escaped
_AMPERSAND = re.compile(r"&(?!#[0-9]+;|#[xX][0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)")
#: where a link may lead: the web, mail, or a relative path (no javascript:, data:, file:...)
_SAFE_LINK = re.compile(r"^(?:https?:|mailto:|[^:/?#]*(?:[/?#]|$))", re.IGNORECASE)


def safe_link(target: str) -> bool:
    """Whether a report may link to ``target``: http(s), mailto or a relative path."""
    return bool(_SAFE_LINK.match(target)) and not target.startswith("//")


def _inline(text: str) -> str:
    """The report's Markdown (``**bold**``, ``*em*``, ```code```, ``[label](link)``,
    backslash escapes and entities, as :func:`~.text.escape_markdown` writes user text) as
    HTML. Links other than :func:`safe_link` ones are shown as their label only."""
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        escaped, code = match.groups()
        if escaped is not None:
            kept.append(f"&#{ord(escaped)};")
        else:
            kept.append(f"<code>{html.escape(code, quote=True)}</code>")
        return f"\x00{len(kept) - 1}\x00"

    out = _LITERAL.sub(keep, text)
    out = _AMPERSAND.sub("&amp;", out)
    out = out.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    for pattern, replacement in _INLINE:
        out = pattern.sub(replacement, out)

    def link(match: re.Match[str]) -> str:
        label, target = match.groups()
        if not safe_link(html.unescape(target)):
            return label
        return f'<a href="{target}">{label}</a>'

    out = _LINK.sub(link, out)
    return re.sub("\x00([0-9]+)\x00", lambda m: kept[int(m.group(1))], out)


_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a1a1a;
  max-width: 78rem; margin: 1rem auto; padding: 0 1rem; line-height: 1.4; }
h1 { font-size: 1.45rem; margin: 0.4rem 0 0.5rem; }
h2 { font-size: 1.2rem; margin-top: 1.6rem; border-bottom: 1px solid #ddd; }
p { margin: 0.45rem 0; }
p.covers { background: #fff6e0; border-left: 4px solid #e0a800; padding: 0.3rem 0.7rem; }
p.note { font-size: 0.85rem; color: #333; }
p.per-year { font-size: 0.95rem; }
blockquote { margin: 1rem 0; padding: 0.6rem 1rem; background: #fff6e0;
  border-left: 4px solid #e0a800; }
table { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.92rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; vertical-align: top; }
th { background: #f2f2f2; } td.r, th.r { text-align: right; white-space: nowrap; }
td small, th small { color: #555; font-weight: normal; }
table.league { width: 100%; margin: 0.5rem 0; font-size: 0.88rem; }
table.league th { font-size: 0.8rem; white-space: normal; vertical-align: bottom; }
table.league td { border-bottom: none; }
table.league tr.sentence td { border-top: none; font-size: 0.82rem; color: #333;
  padding: 0 0.5rem 0.3rem; }
figure { margin: 1rem 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { font-size: 0.9rem; color: #444; }
details { margin: 0.4rem 0; border: 1px solid #e4e4e4; border-radius: 4px;
  padding: 0.2rem 0.8rem; }
summary { cursor: pointer; font-weight: 600; padding: 0.2rem 0; }
code { background: #f4f4f4; padding: 0 0.2rem; }
"""


def _image_src(path: str, folder: Path | None) -> str:
    if folder is not None and (Path(folder) / path).is_file():
        data = base64.b64encode((Path(folder) / path).read_bytes()).decode("ascii")
        return f"data:image/png;base64,{data}"
    return html.escape(path, quote=True)


def _cell(text: str) -> str:
    """A table cell: its first line, and the rest smaller beneath it."""
    first, _, rest = text.partition("\n")
    return _inline(first) + (f"<br><small>{_inline(rest)}</small>" if rest.strip() else "")


def _class(*names: str) -> str:
    joined = " ".join(n for n in names if n)
    return f' class="{html.escape(joined, quote=True)}"' if joined else ""


def _table_html(block: Table) -> str:
    n = len(block.header)
    align = block.align.ljust(n, "l")
    keys = tuple(block.keys) + ("",) * (n - len(block.keys))
    head = "".join(
        f"<th{_class(a, k)}>{_cell(h)}</th>"
        for h, a, k in zip(block.header, align, keys, strict=True)
    )
    rows = []
    for i, row in enumerate(block.rows):
        cells = "".join(
            f"<td{_class(a, k)}>{_cell(c)}</td>" for c, a, k in zip(row, align, keys, strict=True)
        )
        rows.append(f"<tr{_class('policy' if block.notes else '')}>{cells}</tr>")
        if block.notes:
            rows.append(
                f'<tr class="sentence"><td colspan="{n}">{_inline(block.notes[i])}</td></tr>'
            )
    return (
        f"<table{_class(block.css)}><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _html_body(blocks: Sequence[Block], folder: Path | None) -> list[str]:
    body: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            anchor = f' id="{html.escape(block.anchor, quote=True)}"' if block.anchor else ""
            body.append(f"<h{block.level}{anchor}>{_inline(block.text)}</h{block.level}>")
        elif isinstance(block, Paragraph):
            text = f"<p{_class(block.css)}>{_inline(block.text)}</p>"
            body.append(f"<blockquote>{text}</blockquote>" if block.quote else text)
        elif isinstance(block, Bullets):
            items = "".join(f"<li>{_inline(item)}</li>" for item in block.items)
            body.append(f"<ul>{items}</ul>")
        elif isinstance(block, Table):
            body.append(_table_html(block))
        elif isinstance(block, Image):
            caption = f"<figcaption>{_inline(block.caption)}</figcaption>" if block.caption else ""
            body.append(
                f'<figure><img src="{_image_src(block.path, folder)}" '
                f'alt="{html.escape(block.alt, quote=True)}">{caption}</figure>'
            )
        elif isinstance(block, Details):
            inner = "\n".join(_html_body(block.blocks, folder))
            body.append(
                f"<details><summary>{_inline(block.summary)}</summary>\n{inner}\n</details>"
            )
    return body


def to_html(blocks: Sequence[Block], folder: Path | None = None, title: str = "") -> str:
    """The blocks as one self-contained HTML page (no script); plots found in ``folder`` are
    embedded."""
    heading = next((b.text for b in blocks if isinstance(b, Heading)), "Comparison")
    page_title = html.escape(title) if title else re.sub(r"<[^>]*>", "", _inline(heading))
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{page_title}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        + "\n".join(_html_body(blocks, folder))
        + "\n</body>\n</html>\n"
    )


def write_report(
    folder: Path,
    comparison: pd.DataFrame,
    scenarios: Sequence[Scenario],
    metadata: Mapping[str, Any],
    *,
    years: float,
    figures: Mapping[str, str] | None = None,
    destination: Path | None = None,
    economics: BenefitCost | None = None,
    levels: pd.DataFrame | None = None,
) -> tuple[Path, Path]:
    """Write ``report.md`` and ``report.html`` into ``folder`` (plots already there are
    embedded in the HTML); ``destination`` is where the folder will end up (for links)."""
    blocks = report_blocks(
        comparison,
        scenarios,
        metadata,
        years=years,
        figures=figures,
        destination=destination if destination is not None else folder,
        economics=economics,
        levels=levels,
    )
    md, page = Path(folder) / REPORT_MD, Path(folder) / REPORT_HTML
    md.write_text(to_markdown(blocks), encoding="utf-8")
    page.write_text(to_html(blocks, folder), encoding="utf-8")
    return md, page
