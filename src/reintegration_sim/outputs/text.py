"""Plain-text summaries printed after a run and a comparison (the command line prints them;
:class:`~reintegration_sim.workflows.RunResult` and
:class:`~reintegration_sim.workflows.ComparisonResult` show them as their text)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pandas as pd

from .league import expected

__all__ = [
    "CHANCE_AND_ASSUMPTIONS",
    "MARKDOWN_MARKS",
    "NOISE_ONLY",
    "SUMMARY_YEARS",
    "escape_markdown",
    "format_comparison_summary",
    "format_summary",
]

#: what the ranges of a comparison over assumption draws cover
CHANCE_AND_ASSUMPTIONS = (
    "chance and the stated assumptions, each drawn from its prior (docs/uncertainty.md); "
    "not the model's structure"
)
#: what a comparison's interval covers, said wherever one is printed
NOISE_ONLY = (
    "chance only (simulation noise between replications), not the uncertainty of the lever "
    "effect sizes, most of which are assumptions (docs/levers.md)"
)
#: follow-up years shown in the printed summary (summary.csv has more)
SUMMARY_YEARS = (1, 3, 5)


def _percent(row: pd.Series) -> str:
    if pd.isna(row["cum_incidence"]):
        return "n/a"
    return (
        f"{100 * row['cum_incidence']:.1f} "
        f"({100 * row['ci_lower']:.1f}-{100 * row['ci_upper']:.1f})"
    )


def format_summary(
    summary: pd.DataFrame,
    *,
    scenario_name: str,
    replications: int,
    people: int,
    horizon_weeks: int,
    seed: int,
    workers: int,
    seconds: float,
    years: Sequence[int] = SUMMARY_YEARS,
) -> str:
    """The table printed after a run: per cohort, people released and, per event outcome,
    Kaplan-Meier cumulative incidence (%) with 95 % interval at the given follow-up years."""
    lines = [
        f"{scenario_name}: {replications} replication{'s' * (replications != 1)} of "
        f"{people:,} people, {horizon_weeks} weeks, seed {seed}, "
        f"{workers} worker{'s' * (workers != 1)}, {seconds:.1f} s",
        "",
        "Cumulative incidence from first release, % (95% CI), Kaplan-Meier pooled over "
        "replications; n/a = nobody followed up that long",
    ]
    shown = summary[summary["years"].isin(years)]
    label_width = max([len("outcome"), *(len(str(v)) for v in shown["label"])])
    cells = {key: _percent(row) for key, row in _rows_by(shown)}
    cell_width = max([len("5 years"), *(len(c) for c in cells.values())])
    for cohort, block in shown.groupby("cohort", sort=False):
        n_released = int(block["n_released"].iloc[0])
        lines += ["", f"{cohort}: {n_released:,} released"]
        head = "  " + "outcome".ljust(label_width)
        head += "".join("  " + f"{y} year{'s' * (y != 1)}".ljust(cell_width) for y in years)
        lines.append(head.rstrip())
        for outcome, rows in block.groupby("outcome", sort=False):
            line = "  " + str(rows["label"].iloc[0]).ljust(label_width)
            for y in years:
                line += "  " + cells.get((str(cohort), str(outcome), y), "n/a").ljust(cell_width)
            lines.append(line.rstrip())
    return "\n".join(lines)


def _rows_by(table: pd.DataFrame) -> Iterator[tuple[tuple[str, str, Any], pd.Series]]:
    for _, row in table.iterrows():
        yield (str(row["cohort"]), str(row["outcome"]), row["years"]), row


def _signed(x: float, digits: int = 1) -> str:
    if pd.isna(x):
        return "n/a"
    if x != 0 and abs(x) < 0.95 * 10 ** (1 - digits):
        digits += 1  # -0.04, not -0.0
    return f"{x:+.{digits}f}"


def _diff_cell(row: pd.Series, scale: float = 1.0, digits: int = 1) -> str:
    if pd.isna(row["difference"]):
        return "n/a"
    if row["difference"] == 0 and row["sd"] == 0:
        return "0 (identical in every replication)"
    cell = f"{_signed(scale * row['difference'], digits)}"
    if pd.notna(row["lower"]):
        lo, hi = _signed(scale * row["lower"], digits), _signed(scale * row["upper"], digits)
        cell += f" ({lo} to {hi})"
    return cell + (" *" if row["excludes_zero"] else "")


def format_comparison_summary(
    table: pd.DataFrame,
    *,
    years: float,
    replications: int,
    people: int,
    horizon_weeks: int,
    seed: int,
    seed_source: str,
    workers: int,
    seconds: float,
    requested_years: float | None = None,
    labels: Mapping[str, str] | None = None,
    draws: Mapping[str, Any] | None = None,
    economics: pd.DataFrame | None = None,
) -> str:
    """The table printed after a comparison: per other scenario, the event outcomes ``years``
    after release per 100 releases (base, scenario, paired difference with 95 % interval) and
    the total cost, with the cost per reoffence prevented; with ``economics``
    (:func:`~reintegration_sim.analysis.economics.benefit_cost_table`) also the net present
    value per participant and the chance that benefits exceed costs."""
    names = list(dict.fromkeys(table["scenario"].astype(str)))
    base = names[0]
    shown = {name: name for name in names} | dict(labels or {})
    lines = [
        f"compare: {shown[base]} (base) vs {', '.join(shown[n] for n in names[1:])}",
        f"{replications} replications of {people:,} people, {horizon_weeks} weeks, common seed "
        f"{seed} (from the {seed_source}), {workers} worker{'s' * (workers != 1)}, "
        f"{seconds:.1f} s",
    ]
    if requested_years is not None and requested_years != years:
        lines.append(
            f"(follow-up {requested_years:g} years is beyond the horizon; showing {years:g})"
        )
    lines += [
        "",
        f"Per 100 releases, {years:g} year{'s' * (years != 1)} after release (Kaplan-Meier, mean "
        "over replications); difference = scenario - base, 95% interval; * = interval excludes 0",
        f"The intervals cover {NOISE_ONLY}.",
    ]
    events = table[(table["kind"] == "event") & (table["years"] == years)]
    label_width = max([len("outcome"), *(len(str(v)) for v in events["label"])])
    for name in names[1:]:
        lines += ["", f"{shown[name]} vs {shown[base]}:"]
        head = f"  {'cohort':<10}  {'outcome':<{label_width}}  {'base':>10}  {'scenario':>10}"
        lines.append(head + "  difference (95% interval)")
        for _, row in events[events["scenario"] == name].iterrows():
            ref = events[
                (events["scenario"] == base)
                & (events["cohort"] == row["cohort"])
                & (events["outcome"] == row["outcome"])
            ]
            ref_level = ref["level"].iloc[0] if len(ref) else float("nan")
            lines.append(
                f"  {row['cohort']:<10}  {row['label']:<{label_width}}  "
                f"{_level(ref_level):>10}  {_level(row['level']):>10}  {_diff_cell(row)}"
            )
        lines += _cost_lines(table, base, name, label_width)
        if economics is not None:
            lines += _benefit_cost_lines(economics, name)
    if draws:
        lines += _draw_lines(table, names, shown, years, draws, label_width)
    return "\n".join(lines)


def _draw_lines(
    table: pd.DataFrame,
    names: list[str],
    shown: Mapping[str, str],
    years: float,
    draws: Mapping[str, Any],
    label_width: int,
) -> list[str]:
    """The differences over assumptions and chance: mean, 90 % range, chance it helps."""
    lines = [
        "",
        f"Over assumptions and chance ({draws['n_draws']} joint draws of "
        f"{len(draws['drawn'])} assumptions, {draws['replications_per_draw']} run(s) per "
        "scenario in each): mean difference, 90% range, chance the policy improves the "
        "outcome, share of the spread due to the assumptions (the rest is chance).",
        f"These ranges cover {CHANCE_AND_ASSUMPTIONS}.",
    ]
    events = table[(table["kind"] == "event") & (table["years"] == years)]
    for name in names[1:]:
        lines += ["", f"{shown[name]} vs {shown[names[0]]}:"]
        for _, row in events[events["scenario"] == name].iterrows():
            if pd.isna(row.get("total_median")):
                continue
            better = row["prob_better"]
            chance = "n/a" if pd.isna(better) else f"{100 * better:.0f}%"
            share = row["share_assumptions"]
            spread = "n/a" if pd.isna(share) else f"{100 * share:.0f}%"
            lines.append(
                f"  {row['cohort']:<10}  {row['label']:<{label_width}}  "
                f"{expected(row):+.2f} ({row['total_low']:+.2f} to "
                f"{row['total_high']:+.2f}); helps: {chance}; assumptions: {spread}"
            )
    return lines


def _benefit_cost_lines(economics: pd.DataFrame, name: str) -> list[str]:
    rows = economics[
        (economics["scenario"] == name)
        & (economics["measure"] == "net_present_value")
        & (economics["scale"] == "per participant")
    ]
    if rows.empty:
        return []
    row = rows.iloc[0]
    runs = int(row["n_draws"])
    positive = round(row["prob_net_benefit_positive"] * runs)
    lines = [
        f"  net present value per participant: EUR {row['median']:,.0f} (range EUR "
        f"{row['low']:,.0f} to {row['high']:,.0f}; {row['covers']}); benefits exceed costs in "
        f"{positive} of {runs} runs (benefit_cost.csv)"
    ]
    yearly = economics[
        (economics["scenario"] == name) & (economics["measure"] == "terror_prevented_per_year")
    ]
    for _, year in yearly.iterrows():
        where = str(year["label"]).rsplit(", ", 1)[-1]
        central = expected(year, "mean", "median")  # as the brief
        lines.append(
            f"  terrorism offences prevented a year, {where} ({year['releases_per_year']:g} "
            f"releases a year): {central:+.2f} mean (range {year['low']:+.2f} to "
            f"{year['high']:+.2f}; {year['covers']})"
        )
    return lines


def _level(x: float) -> str:
    return "n/a" if pd.isna(x) else f"{x:.1f}"


def _cost_lines(table: pd.DataFrame, base: str, name: str, width: int) -> list[str]:
    def pick(scenario: str, outcome: str) -> pd.Series | None:
        rows = table[
            (table["scenario"] == scenario)
            & (table["cohort"] == "all")
            & (table["outcome"] == outcome)
        ]
        return rows.iloc[0] if len(rows) else None

    total, ref = pick(name, "cost_total"), pick(base, "cost_total")
    if total is None or ref is None:
        return []
    label = "total cost, EUR million"
    lines = [
        f"  {'all':<10}  {label:<{width}}  {ref['level'] / 1e6:>10.1f}  "
        f"{total['level'] / 1e6:>10.1f}  {_diff_cell(total, 1e-6)}"
    ]
    ratio = pick(name, "cost_per_reoffence_prevented")
    if ratio is not None:
        level = ratio["level"]
        if pd.isna(level):
            value = "not defined"
        elif level < 0:
            value = f"none: saves EUR {-level:,.0f} per reoffence prevented"
        else:
            value = f"EUR {level:,.0f}"
        lines.append(f"  extra cost per reoffence prevented: {value} ({ratio['note']})")
    return lines


#: Markdown's marks, written with a backslash in user text so that they are taken literally
MARKDOWN_MARKS = "\\`*_{}[]()#+!|~"
_MARKS = re.compile("([" + re.escape(MARKDOWN_MARKS) + "])")


def escape_markdown(text: str) -> str:
    """User text (a scenario's title, name or description, a command line) made safe and literal
    in Markdown that is rendered as a page: the one rule for every place user text is shown
    (the dashboard, report.md and report.html).

    Whitespace is collapsed to single spaces; ``& < > "`` become HTML entities, so no tag,
    attribute or script survives (the apostrophe stays as typed: without ``<`` no attribute
    can be opened, and report.md, the text for editing, reads "Today's practice"); Markdown's
    marks (:data:`MARKDOWN_MARKS`) get a backslash, so no emphasis, link, image or code span
    can be made (``[x](javascript:...)`` shows as typed).
    Curly braces are marks too; the dashboard renders its Markdown with Vue interpolation off
    (``{{ 7*7 }}`` shows as typed, see ``dashboard.app.Markdown``).
    """
    marked = _MARKS.sub(r"\\\1", " ".join(str(text).split()))
    # after the marks: its entities hold a '#'
    return html.escape(marked, quote=False).replace('"', "&quot;")
