"""The comparison report: one page a policymaker can read without help.

``reintegration-sim compare`` writes ``report.md`` and ``report.html`` into its result folder.
Both come from one list of blocks (:func:`report_blocks`: headings, paragraphs, lists, tables,
images), rendered twice (:func:`to_markdown`, :func:`to_html`), so the two never say different
things. The HTML is self-contained (plots embedded as base64, a few lines of CSS) and needs no
Markdown library. Text may use three inline marks: ``**bold**``, ``[label](link)`` and
```code```.

The page answers "what changes if we do X instead of the base?": the scenarios in their own
words, the main figures per 100 releases with paired differences and intervals, whether each
difference stands out from simulation noise, how many replications a smaller difference would
need, costs, what each policy is worth (benefit-cost: net present value, the chance that
benefits exceed costs, cost per offence prevented, the size of a real evaluation), the plots,
the model's limits and the ethics note. Everything else is in ``comparison.csv`` and
``benefit_cost.csv``.
"""

from __future__ import annotations

import base64
import html
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
from .text import CHANCE_AND_ASSUMPTIONS, MARKDOWN_MARKS, NOISE_ONLY, escape_markdown

__all__ = [
    "Heading",
    "Image",
    "Paragraph",
    "Table",
    "Bullets",
    "REPORT_HTML",
    "REPORT_MD",
    "report_blocks",
    "to_html",
    "to_markdown",
    "write_report",
]

REPORT_MD = "report.md"
REPORT_HTML = "report.html"
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


@dataclass(frozen=True)
class Paragraph:
    text: str
    quote: bool = False  # shown as a highlighted note


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    #: per column: "l" or "r"
    align: str = ""


@dataclass(frozen=True)
class Image:
    path: str  # relative to the report
    alt: str
    caption: str = ""


Block = Heading | Paragraph | Bullets | Table | Image


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


def report_blocks(
    comparison: pd.DataFrame,
    scenarios: Sequence[Scenario],
    metadata: Mapping[str, Any],
    *,
    years: float,
    figures: Mapping[str, str] | None = None,
    destination: Path | None = None,
    economics: BenefitCost | None = None,
) -> list[Block]:
    """The report's content.

    Args:
        comparison: :func:`reintegration_sim.analysis.comparison.comparison_table`.
        scenarios: the scenarios as run, base first.
        metadata: the comparison's metadata (replications, seed, versions, command).
        years: the follow-up (years after release) of the main table.
        figures: plot file names (relative to the report) by role: ``forest``,
            ``survival``, ``indicators``, ``cost_effect``, ``acceptability``.
        destination: the result folder (for the relative link to the ODD).
        economics: the benefit-cost analysis
            (:func:`~reintegration_sim.analysis.economics.benefit_cost`), shown when given.
    """
    figures = dict(figures or {})
    base, others = scenarios[0], list(scenarios[1:])
    replications = int(metadata.get("replications", 0))
    pop = base.parameters.population
    horizon = base.horizon_weeks
    when = f"{years:g} year{'s' * (years != 1)} after release"
    detect = comparison["detectable_difference"].dropna()
    detect_size = float(detect.iloc[0]) if len(detect) else None

    names = " or ".join(f"**{escape_markdown(s.label)}**" for s in others)
    blocks: list[Block] = [
        Heading(1, f"What changes if we do {names} instead of **{escape_markdown(base.label)}**?"),
        Paragraph(
            "**Synthetic populations only.** This report compares policies for simulated "
            "populations; it says nothing about any real person and must never be used to score "
            "one.",
            quote=True,
        ),
        Paragraph(
            f"This report compares {len(scenarios)} scenarios of reintegration-sim, an "
            "agent-based simulation of people convicted of violent extremist offences, and of a "
            "comparison group convicted of ordinary violent offences, through custody, release "
            f"and the years after. Each scenario was run {replications} times on the same "
            f"synthetic population ({pop.n_extremist:,} people in the extremist cohort, "
            f"{pop.n_comparison:,} in the comparison cohort) over {horizon} weeks "
            f"({horizon / WEEKS_PER_YEAR:.1f} years). Run *r* of every scenario uses the same "
            f"people and the same random numbers (seed {base.seed}), so two scenarios differ "
            "only where their policies differ. Figures are **per 100 people released**; a "
            "difference is the scenario minus the base, averaged over the runs, with a 95 % "
            "interval." + _follow_up_note(metadata, years)
        ),
    ]
    blocks += _draws_section(comparison, scenarios, metadata, years)
    blocks.append(Heading(2, "The scenarios"))
    for i, scenario in enumerate(scenarios):
        role = "the base" if i == 0 else "compared with the base"
        changes = _what_changes(scenario) if i > 0 else []
        shown = scenario.name if scenario.title is None else f"{scenario.title} ({scenario.name})"
        blocks.append(
            Paragraph(
                f"**{escape_markdown(shown)}** ({role}). {escape_markdown(scenario.description)}"
            )
        )
        if changes:
            blocks.append(Bullets(tuple(changes)))
    for other in others:
        blocks += _scenario_section(comparison, base.name, other.name, years, replications)
    if economics is not None and not economics.table.empty:
        blocks += _benefit_cost_section(economics, base, others, figures)
    blocks += _noise_section(comparison, base.name, others, years, replications, detect_size)
    blocks += _plots_section(figures, base.name, when)
    blocks += [
        Heading(2, "Limits"),
        Bullets(
            (
                "The population is synthetic and the model stylised: it shows what follows from "
                "its assumptions, not a forecast for any country or prison.",
                "Many parameters and most effect sizes of the levers are stated assumptions (see "
                "the parameter register and each lever's evidence); the results are only as good "
                "as they are.",
                "The intervals measure simulation noise (variation between runs), not uncertainty "
                "about the assumptions or the model's structure. Before relying on a difference, "
                "check that it survives a sensitivity analysis over the plausible ranges.",
                "Costs to taxpayers count custody places, agency practitioners and the "
                "programmes' own costs at assumed unit costs (parameter group `costs`). Costs to "
                "victims and society count proven offences only, at the Home Office's unit costs "
                "for England and Wales (which include police and court costs); a terrorism "
                "offence has no published unit cost, so its value is an assumption.",
                "Reoffending is proven reoffending within the simulated follow-up; the model "
                f"description is in {_odd_link(destination)}.",
            )
        ),
        Heading(2, "Ethics"),
        Paragraph(ETHICS),
        Heading(2, "How this was made"),
        Paragraph(_provenance(metadata)),
    ]
    return blocks


def _draws_section(
    comparison: pd.DataFrame,
    scenarios: Sequence[Scenario],
    metadata: Mapping[str, Any],
    years: float,
) -> list[Block]:
    """With assumption draws: each policy's differences over assumptions and chance, first."""
    draws = metadata.get("assumption_draws")
    if not draws or "total_median" not in comparison:
        return []
    base = scenarios[0]
    blocks: list[Block] = [
        Heading(2, "How sure is this? Differences over assumptions and chance"),
        Paragraph(
            f"Most effect sizes in this model are assumptions. Here {len(draws['drawn'])} of them "
            f"were drawn jointly {draws['n_draws']} times from their priors (each scenario run "
            f"{draws['replications_per_draw']} time(s) per draw on the same people and random "
            "numbers as the others). The range covers 90 % of the differences; 'chance it helps' "
            "is the share of draws in which the policy did better; 'due to assumptions' is the "
            f"share of the spread that comes from the assumptions, the rest being chance. These "
            f"ranges cover {CHANCE_AND_ASSUMPTIONS}."
        ),
    ]
    events = comparison[(comparison["kind"] == "event") & (comparison["years"] == years)]
    header = (
        "scenario",
        "cohort",
        "outcome",
        "median difference",
        "90 % range",
        "chance it helps",
        "due to assumptions",
    )
    rows = []
    for other in scenarios[1:]:
        for _, row in events[events["scenario"] == other.name].iterrows():
            if pd.isna(row["total_median"]):
                continue
            better, share = row["prob_better"], row["share_assumptions"]
            rows.append(
                (
                    other.label,
                    str(row["cohort"]),
                    str(row["label"]),
                    _num(row["total_median"], signed=True),
                    f"{_num(row['total_low'], signed=True)} to {_num(row['total_high'], signed=True)}",
                    "n/a" if pd.isna(better) else f"{100 * better:.0f} %",
                    "n/a" if pd.isna(share) else f"{100 * share:.0f} %",
                )
            )
    if rows:
        blocks.append(Table(header, tuple(rows), "lllrrrr"))
    blocks.append(
        Paragraph(
            f"Per 100 people released, {years:g} years after release; the difference is the "
            f"scenario minus **{base.label}**. Every draw is in draws.parquet and the drawn "
            "values in assumptions.parquet; drivers.csv says which assumptions explain each "
            "main difference."
        )
    )
    return blocks


def _follow_up_note(metadata: Mapping[str, Any], years: float) -> str:
    requested = metadata.get("requested_follow_up_years")
    if requested is None or float(requested) == years:
        return ""
    return (
        f" The main tables show {years:g} years after release: {float(requested):g} years is "
        "longer than the simulated horizon follows anyone up."
    )


def _scenario_section(
    comparison: pd.DataFrame, base: str, other: str, years: float, replications: int
) -> list[Block]:
    when = f"{years:g} year{'s' * (years != 1)} after release"
    header = ("Outcome", "Cohort", base, other, "Difference (95 % interval)", "More than noise?")
    events = []
    for cohort in COHORTS:
        for _, row in _rows(comparison, scenario=other, cohort=cohort, kind="event").iterrows():
            if row["years"] != years:
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
    state_when = (
        f"disengagement, deradicalisation, engagement, housing, work and family ties {when}, "
        "the others at the end of the run"
        if timed
        else "at the end of the run"
    )
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
        states.append(
            (
                f"{row['label']} ({row['unit']})",
                _num(ref["level"]),
                _num(row["level"]),
                f"{_num(row['difference'], signed=True)} ({_interval(row)})",
                _verdict(row, replications),
            )
        )
    blocks: list[Block] = [
        Heading(2, f"{other} compared with {base}"),
        Paragraph(
            f"**Reoffending, re-engagement and recall {when}**, per 100 people released "
            "(Kaplan-Meier cumulative incidence from each person's first release, mean over "
            f"the runs). The intervals cover {NOISE_ONLY}."
        ),
        Table(header, tuple(events), "llrrrl"),
        Paragraph(
            f"**States of the released people of the extremist cohort**: {state_when} "
            "(housing, work, family ties and stigma among those living in the community, the "
            "others among those alive; indices on a 0-100 scale). The comparison cohort's "
            "figures, and every state at 1, 3 and 5 years and at the end, are in comparison.csv."
        ),
        Table(
            ("Outcome", base, other, "Difference (95 % interval)", "More than noise?"),
            tuple(states),
            "lrrrl",
        ),
    ]
    blocks += _cost_blocks(comparison, base, other, replications)
    return blocks


def _cost_blocks(comparison: pd.DataFrame, base: str, other: str, replications: int) -> list[Block]:
    rows = []
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
        return []
    blocks: list[Block] = [
        Paragraph(
            "**Costs over the whole run** (both cohorts; custody places, agency practitioners "
            "and programmes, at the assumed unit costs of the parameter register)."
        ),
        Table(
            ("Cost", base, other, "Difference (95 % interval)", "More than noise?"),
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
    return blocks


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
    ("terror_prevented", "per 100 releases", "Terrorism offences prevented per 100 releases"),
    ("relative_change_terror", None, "Change in terrorism offences"),
    ("releases_per_terror_prevented", None, "Releases served per terrorism offence prevented"),
    ("releases_per_reoffence_prevented", None, "Releases served per reoffence prevented"),
    ("evaluation_size_terror", None, "People per arm to detect the change in terrorism offences"),
    ("evaluation_size_any", None, "People per arm to detect the change in any reoffence"),
)


def _benefit_cost_section(
    economics: BenefitCost,
    base: Scenario,
    others: Sequence[Scenario],
    figures: Mapping[str, str],
) -> list[Block]:
    table, value = economics.table, economics.valuation
    costs = base.parameters.costs
    covers = str(table["covers"].iloc[0])
    blocks: list[Block] = [
        Heading(2, "What is each policy worth? (benefit-cost)"),
        Paragraph(
            f"Money is in EUR, discounted to the start of the run at {100 * value.discount_rate:g} % "
            "a year (the HM Treasury Green Book rate): a cost or an offence *t* years into "
            f"the run counts (1 + {value.discount_rate:g})^-*t* of its value. **Benefits** are "
            f"costs avoided compared with {base.label}: custody places (taxpayers) and the harm "
            "of offences to victims and society, at the Home Office's unit costs of crime "
            "(Heeks et al. 2018, GBP at 2015/16 prices, converted at "
            f"{costs.eur_per_gbp:g} EUR per GBP): {_eur(value.terrorism_offence)} for a "
            "terrorism offence (an assumption: no published unit cost exists) and "
            f"{_eur(value.ordinary_reoffence)} for any other proven reoffence (an assumed mix "
            "of offence types). **Programme cost** is the extra staff and programme cost. The "
            "**net present value** is benefits minus programme cost. A **participant** is a "
            "person released from the extremist cohort; only proven offences are valued."
        ),
        Paragraph(
            f"**What the ranges cover: {covers}.** A range that includes zero means the "
            "sign of the figure is not settled by these runs.",
            quote=True,
        ),
    ]
    for other in others:
        mine = table[table["scenario"] == other.name]
        if mine.empty:
            continue
        picked = [(_bc_row(mine, measure, scale), words) for measure, scale, words in _BC_SHOWN]
        picked += [
            (
                row,
                f"Terrorism offences prevented a year at {row['releases_per_year']:g} releases "
                f"a year ({_place(str(row['label']).rsplit(', ', 1)[-1])})",
            )
            for _, row in mine[mine["measure"] == "terror_prevented_per_year"].iterrows()
        ]
        rows = [
            (
                words,
                _bc_value(row, "median"),
                f"{_bc_value(row, 'low')} to {_bc_value(row, 'high')}",
            )
            for row, words in picked
            if row is not None
        ]
        blocks += [
            Paragraph(f"**{other.label} against {base.label}**"),
            Table(("Figure", "Median", "Range (5th to 95th percentile)"), tuple(rows), "lrr"),
            Paragraph(_benefit_cost_words(mine, other.label)),
        ]
    for role, alt, caption in (
        (
            "cost_effect",
            "Cost-effect plane",
            "Each dot is one run: terrorism offences prevented (right: fewer offences) against "
            "the net cost to taxpayers (up: costs more), per 100 releases. Below the dashed "
            "line a policy is worth its net cost at the assumed value of a terrorism offence.",
        ),
        (
            "acceptability",
            "Cost-effectiveness acceptability curve",
            "The share of runs in which each scenario has the highest net benefit, by what one "
            "is willing to pay to prevent a terrorism offence (other offences avoided count at "
            "their unit costs); at the dashed line it matches the net present value.",
        ),
    ):
        if role in figures:
            blocks.append(Image(figures[role], alt, caption))
    return blocks


def _place(label: str) -> str:
    """A release preset's country ('uk' -> 'UK'); other labels as they are."""
    return RELEASE_PRESETS[label][1].split(",")[0] if label in RELEASE_PRESETS else label


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
        uk = RELEASE_PRESETS["uk"][0]
        text += (
            f"A real two-arm evaluation would need about {n:,.0f} released people per arm "
            f"({2 * n:,.0f} in all) to detect the simulated change in terrorism offences with "
            f"80 % power; at about {uk:g} terrorist prisoners released a year in the UK that "
            f"is {2 * n / uk:,.0f} years of releases."
        )
        if 2 * n / uk > 10:
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


def _noise_section(
    comparison: pd.DataFrame,
    base: str,
    others: Sequence[Scenario],
    years: float,
    replications: int,
    detect_size: float | None,
) -> list[Block]:
    when = f"{years:g} year{'s' * (years != 1)} after release"
    items = []
    table_rows = []
    for other in others:
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
                items.append(_noise_sentence(row, other.name, cohort, replications, detect_size))
                if detect_size is not None:
                    table_rows.append(
                        (
                            other.name,
                            f"{row['label']}, {cohort}",
                            _num(row["sd"]),
                            _count(row["replications_needed"]),
                            _count(row["replications_for_detectable"]),
                        )
                    )
        if same:
            items.append(
                f"**The same in every run with {other.name}** (nothing to detect): "
                + ", ".join(same)
                + "."
            )
    blocks: list[Block] = [
        Heading(2, "Which differences are more than noise?"),
        Paragraph(
            "Every run of a simulation comes out a little differently. A difference is "
            "**distinguishable from noise** when its 95 % interval lies wholly on one side of "
            f"zero. With {replications} runs per scenario, {when}:"
        ),
        Bullets(tuple(items)),
    ]
    if table_rows and detect_size is not None:
        blocks += [
            Heading(2, "How many runs would it take to detect a difference?"),
            Paragraph(
                "Runs per scenario needed to detect a difference with 80 % power at the 95 % "
                "level, from the spread of the paired differences (sd, per 100 releases): "
                "n = ((1.96 + 0.84) x sd / difference)^2, a little more for few runs (t "
                f"distribution). '{_num(detect_size)} per 100' is a difference of the size asked "
                "for (`--detect`, e.g. the smallest that would matter for policy); 'this size' is "
                "the difference observed, shown where it was not yet distinguishable from noise."
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
        return f"{what}: {size} ({interval}): distinguishable from noise" + (
            f", {judged} than the base." if judged else "."
        )
    text = f"{what}: {size} ({interval}): not distinguishable from noise with {replications} runs"
    needed = row["replications_needed"]
    if np.isfinite(needed):
        text += f"; a difference this size would need {_runs(needed)}"
    if detect_size is not None and np.isfinite(row["replications_for_detectable"]):
        text += f", one of {_num(detect_size)} per 100 {_runs(row['replications_for_detectable'])}"
    return text + "."


def _plots_section(figures: Mapping[str, str], base: str, when: str) -> list[Block]:
    captions = {
        "forest": (
            "Differences from the base with 95 % intervals",
            f"Each row: a scenario and an outcome, {when}, per 100 releases. A filled dot is "
            "distinguishable from noise; a hollow one is not. Left of the grey line: fewer "
            f"events than {base}.",
        ),
        "survival": (
            "Cumulative incidence by scenario",
            "Share of released people (per 100) with each event, by years since their first "
            f"release; {base} in black.",
        ),
        "indicators": (
            "Indicators over time by scenario",
            "Housing, trust, hope and stigma of the extremist cohort, waiting lists of all "
            "agencies and the cost since the start, mean over runs.",
        ),
    }
    blocks: list[Block] = []
    for role, (alt, caption) in captions.items():
        if role in figures:
            blocks.append(Image(figures[role], alt, caption))
    return [Heading(2, "Plots"), *blocks] if blocks else []


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
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(blocks: Sequence[Block]) -> str:
    """The blocks as Markdown (relative links to the plots)."""
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
            lines = [
                "| " + " | ".join(_md_cell(h) for h in block.header) + " |",
                "|" + "|".join("---:" if a == "r" else "---" for a in align) + "|",
            ]
            lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in block.rows]
            out.append("\n".join(lines))
        elif isinstance(block, Image):
            text = f"![{block.alt}]({block.path})"
            out.append(text + (f"\n\n*{block.caption}*" if block.caption else ""))
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
  max-width: 62rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2rem;
  border-bottom: 1px solid #ddd; }
blockquote { margin: 1rem 0; padding: 0.6rem 1rem; background: #fff6e0;
  border-left: 4px solid #e0a800; }
table { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.92rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; vertical-align: top; }
th { background: #f2f2f2; } td.r, th.r { text-align: right; white-space: nowrap; }
figure { margin: 1rem 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { font-size: 0.9rem; color: #444; }
code { background: #f4f4f4; padding: 0 0.2rem; }
"""


def _image_src(path: str, folder: Path | None) -> str:
    if folder is not None and (Path(folder) / path).is_file():
        data = base64.b64encode((Path(folder) / path).read_bytes()).decode("ascii")
        return f"data:image/png;base64,{data}"
    return html.escape(path, quote=True)


def to_html(blocks: Sequence[Block], folder: Path | None = None, title: str = "") -> str:
    """The blocks as one self-contained HTML page; plots found in ``folder`` are embedded."""
    body: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            body.append(f"<h{block.level}>{_inline(block.text)}</h{block.level}>")
        elif isinstance(block, Paragraph):
            text = f"<p>{_inline(block.text)}</p>"
            body.append(f"<blockquote>{text}</blockquote>" if block.quote else text)
        elif isinstance(block, Bullets):
            items = "".join(f"<li>{_inline(item)}</li>" for item in block.items)
            body.append(f"<ul>{items}</ul>")
        elif isinstance(block, Table):
            align = block.align.ljust(len(block.header), "l")
            head = "".join(
                f'<th class="{a}">{_inline(h)}</th>'
                for h, a in zip(block.header, align, strict=True)
            )
            rows = "".join(
                "<tr>"
                + "".join(
                    f'<td class="{a}">{_inline(c)}</td>' for c, a in zip(row, align, strict=True)
                )
                + "</tr>"
                for row in block.rows
            )
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        elif isinstance(block, Image):
            caption = f"<figcaption>{_inline(block.caption)}</figcaption>" if block.caption else ""
            body.append(
                f'<figure><img src="{_image_src(block.path, folder)}" '
                f'alt="{html.escape(block.alt, quote=True)}">{caption}</figure>'
            )
    heading = next((b.text for b in blocks if isinstance(b, Heading)), "Comparison")
    page_title = html.escape(title) if title else re.sub(r"<[^>]*>", "", _inline(heading))
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{page_title}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
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
    )
    md, page = Path(folder) / REPORT_MD, Path(folder) / REPORT_HTML
    md.write_text(to_markdown(blocks), encoding="utf-8")
    page.write_text(to_html(blocks, folder), encoding="utf-8")
    return md, page
