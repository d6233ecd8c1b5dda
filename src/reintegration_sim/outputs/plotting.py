"""Plots of a run, drawn from its tidy tables only (never from a model).

* :func:`survival_figure`: Kaplan-Meier cumulative incidence from first release, one panel per
  event outcome, one line per cohort with its 95 % band;
* :func:`composition_figure`: where the people of each cohort are on the pathway over time;
* :func:`indicators_figure`: state indicators over time per cohort, mean over replications with
  a 5-95 % band.

Comparisons of scenarios (``reintegration-sim compare``):

* :func:`forest_figure`: paired differences from the base with their 95 % intervals, one row
  per scenario and outcome, from the comparison table;
* :func:`survival_comparison_figure`: Kaplan-Meier cumulative incidence per scenario, overlaid;
* :func:`indicators_comparison_figure`: a few indicators over time per scenario (housing, trust,
  hope, stigma, waiting lists, cumulative cost);
* :func:`cost_effect_figure`: the cost-effect plane, one point per draw and scenario
  (terrorism offences prevented against the net cost to taxpayers);
* :func:`acceptability_figure`: the cost-effectiveness acceptability curve;
* :func:`value_of_information_figure`: the EVPPI of the assumptions worth most.

Every title and axis label comes from :mod:`reintegration_sim.model.outcomes`. Figures are plain
:class:`matplotlib.figure.Figure` objects rendered by the Agg canvas; pyplot and its global
state are never touched, so this works headless and in worker processes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..analysis.comparison import measure
from ..analysis.economics import BenefitCost
from ..analysis.survival import COHORTS, event_durations
from ..model.agents import AgencyKind
from ..model.outcomes import EVENT_OUTCOMES, INDICATOR_BY_KEY, EventOutcome
from ..model.population import WEEKS_PER_YEAR

__all__ = [
    "ACCEPTABILITY_PNG",
    "COST_EFFECT_PNG",
    "COMPOSITION",
    "STATE_INDICATORS",
    "COMPARISON_PANELS",
    "acceptability_figure",
    "composition_figure",
    "cost_effect_figure",
    "cumulative_incidence_curve",
    "forest_figure",
    "indicators_comparison_figure",
    "indicators_figure",
    "scenario_colours",
    "survival_comparison_figure",
    "survival_figure",
    "write_comparison_plots",
    "write_plots",
]

COHORT_COLOURS = {"extremist": "tab:red", "comparison": "tab:blue"}
#: the state indicators of ``indicators.png``
STATE_INDICATORS: tuple[str, ...] = (
    "housed",
    "working",
    "trust",
    "hope",
    "stigma",
    "deradicalised",
    "disengaged",
)
#: layers of ``composition.png``, bottom to top: label and the indicators (+) / (-) summed.
#: ``in_custody`` counts everyone in custody, transition planning included; the week of release
#: is the first week on licence.
COMPOSITION: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    (INDICATOR_BY_KEY["in_custody"].label, ("in_custody",), ("in_transition",)),
    (INDICATOR_BY_KEY["in_transition"].label, ("in_transition",), ()),
    (INDICATOR_BY_KEY["on_licence"].label, ("released_this_week", "on_licence"), ()),
    (INDICATOR_BY_KEY["after_licence"].label, ("after_licence",), ()),
    (INDICATOR_BY_KEY["dead"].label, ("dead",), ()),
)
_COMPOSITION_COLOURS = ("#7f7f7f", "#bcbd22", "#1f77b4", "#2ca02c", "#000000")
DPI = 120


def _years(weeks: np.ndarray | pd.Index | pd.Series) -> np.ndarray:
    return np.asarray(weeks, dtype=float) / WEEKS_PER_YEAR


def _n_replications(table: pd.DataFrame) -> int:
    return int(table["replication"].nunique())


# ---------------------------------------------------------------------- survival


def cumulative_incidence_curve(
    people: pd.DataFrame, outcome: EventOutcome, cohort: str
) -> pd.DataFrame | None:
    """Kaplan-Meier cumulative incidence (lifelines) of ``outcome`` in ``cohort``.

    Returns a table indexed by weeks since first release with columns ``estimate``, ``lower``,
    ``upper`` (95 %), or None when nobody in the cohort was released.
    """
    from lifelines import KaplanMeierFitter

    durations, event = event_durations(people[people["cohort"].astype(str) == cohort], outcome)
    if durations.size == 0:
        return None
    fitter = KaplanMeierFitter(alpha=0.05).fit(durations, event)
    curve = fitter.cumulative_density_.copy()
    curve.columns = ["estimate"]
    ci = fitter.confidence_interval_cumulative_density_
    curve["lower"] = ci.iloc[:, 0].to_numpy()
    curve["upper"] = ci.iloc[:, 1].to_numpy()
    return curve


def survival_figure(
    people: pd.DataFrame, outcomes: Sequence[EventOutcome] = EVENT_OUTCOMES
) -> Figure:
    """One panel per event outcome: cumulative incidence from first release, per cohort."""
    ncols = 2 if len(outcomes) > 1 else 1
    nrows = -(-len(outcomes) // ncols)
    fig = Figure(figsize=(5.2 * ncols, 3.6 * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True).ravel()
    n_rep = _n_replications(people)
    for ax, outcome in zip(axes, outcomes, strict=False):
        for cohort in COHORTS:
            curve = cumulative_incidence_curve(people, outcome, cohort)
            if curve is None:
                continue
            x = _years(curve.index)
            colour = COHORT_COLOURS[cohort]
            n = int(
                ((people["cohort"].astype(str) == cohort) & (people["followup_weeks"] >= 0)).sum()
            )
            ax.step(x, curve["estimate"], where="post", color=colour, label=f"{cohort} (n={n:,})")
            ax.fill_between(
                x, curve["lower"], curve["upper"], step="post", color=colour, alpha=0.2, lw=0
            )
        ax.set_title(outcome.label)
        ax.set_ylabel(f"cumulative incidence\n({outcome.unit})")
        ax.set_ylim(bottom=0)
        ax.set_xlim(left=0)
        ax.grid(alpha=0.3)
        if ax.get_legend_handles_labels()[0]:  # nobody released (a population of 0): no legend
            ax.legend(loc="upper left", fontsize="small")
    for ax in axes[len(outcomes) :]:
        ax.set_visible(False)
    for ax in axes[max(0, len(outcomes) - ncols) : len(outcomes)]:
        ax.set_xlabel("years since first release")
        ax.xaxis.set_tick_params(labelbottom=True)
    fig.suptitle(
        "Kaplan-Meier cumulative incidence from first release, 95 % band "
        f"(pooled over {n_rep} replication{'s' * (n_rep != 1)})"
    )
    return fig


# ---------------------------------------------------------------------- over time


def _wide_means(timeseries: pd.DataFrame, keys: Sequence[str], cohort: str) -> pd.DataFrame:
    """Weekly means over replications: index week, one column per indicator."""
    rows = timeseries[
        (timeseries["cohort"].astype(str) == cohort)
        & timeseries["indicator"].astype(str).isin(keys)
    ]
    wide = rows.pivot_table(
        index="week", columns=rows["indicator"].astype(str), values="value", aggfunc="mean"
    )
    return wide.reindex(columns=list(keys))


def composition_figure(timeseries: pd.DataFrame) -> Figure:
    """Stacked shares of each cohort by phase of the pathway, mean over replications."""
    keys = sorted({k for _, plus, minus in COMPOSITION for k in plus + minus})
    fig = Figure(figsize=(5.2 * len(COHORTS), 3.8), layout="constrained")
    axes = fig.subplots(1, len(COHORTS), squeeze=False, sharey=True).ravel()
    for ax, cohort in zip(axes, COHORTS, strict=True):
        wide = _wide_means(timeseries, keys, cohort).fillna(0.0)
        layers = [
            wide[list(plus)].sum(axis=1) - wide[list(minus)].sum(axis=1)
            for _, plus, minus in COMPOSITION
        ]
        total = np.sum(layers, axis=0)
        shares = [
            np.divide(layer, total, out=np.zeros(len(total)), where=total > 0) for layer in layers
        ]
        ax.stackplot(
            _years(wide.index),
            shares,
            labels=[label for label, _, _ in COMPOSITION],
            colors=_COMPOSITION_COLOURS,
            alpha=0.85,
        )
        ax.set_title(f"{cohort} cohort")
        ax.set_xlabel("years since start")
        ax.set_xlim(0, _years(wide.index).max() if len(wide) else 1)
        ax.set_ylim(0, 1)
        ax.yaxis.set_major_formatter("{x:.0%}")
    axes[0].set_ylabel("share of cohort")
    axes[-1].legend(loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize="small")
    n_rep = _n_replications(timeseries)
    fig.suptitle(f"Where people are on the pathway (mean over {n_rep} replications)")
    return fig


def indicators_figure(timeseries: pd.DataFrame, keys: Sequence[str] = STATE_INDICATORS) -> Figure:
    """One panel per indicator: per cohort, mean over replications with a 5-95 % band."""
    ncols = 4 if len(keys) > 4 else len(keys)
    nrows = -(-len(keys) // ncols)
    fig = Figure(figsize=(3.6 * ncols, 3.0 * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True).ravel()
    rows = timeseries[timeseries["indicator"].astype(str).isin(keys)]
    grouped = rows.assign(
        indicator=rows["indicator"].astype(str), cohort=rows["cohort"].astype(str)
    ).groupby(["indicator", "cohort", "week"])["value"]
    stats = pd.DataFrame(
        {"mean": grouped.mean(), "low": grouped.quantile(0.05), "high": grouped.quantile(0.95)}
    )
    for ax, key in zip(axes, keys, strict=False):
        indicator = INDICATOR_BY_KEY[key]
        for cohort in COHORTS:
            if (key, cohort) not in stats.index.droplevel("week"):
                continue
            s = stats.loc[(key, cohort)]
            x = _years(s.index)
            colour = COHORT_COLOURS[cohort]
            ax.plot(x, s["mean"], color=colour, label=cohort)
            ax.fill_between(x, s["low"], s["high"], color=colour, alpha=0.2, lw=0)
        ax.set_title(indicator.label, fontsize="medium")
        ax.set_ylabel(indicator.unit)
        ax.grid(alpha=0.3)
    for ax in axes[len(keys) :]:
        ax.set_visible(False)
    for ax in axes[max(0, len(keys) - ncols) : len(keys)]:
        ax.set_xlabel("years since start")
        ax.xaxis.set_tick_params(labelbottom=True)  # also above an empty slot
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(COHORTS))
    n_rep = _n_replications(timeseries)
    fig.suptitle(f"State indicators: mean and 5-95 % range over {n_rep} replications")
    return fig


def write_plots(folder: Path, timeseries: pd.DataFrame, people: pd.DataFrame) -> list[Path]:
    """Write ``survival.png``, ``composition.png`` and ``indicators.png`` into ``folder``."""
    figures = {
        "survival.png": survival_figure(people),
        "composition.png": composition_figure(timeseries),
        "indicators.png": indicators_figure(timeseries),
    }
    paths = []
    for name, fig in figures.items():
        path = Path(folder) / name
        fig.savefig(path, dpi=DPI)
        paths.append(path)
    return paths


# ---------------------------------------------------------------------- comparisons

#: panels of the comparison's ``indicators.png``: title, indicators summed, cohort, scale
COMPARISON_PANELS: tuple[tuple[str, tuple[str, ...], str, float], ...] = (
    ("Housed, extremist cohort (share)", ("housed",), "extremist", 1.0),
    ("Trust in practitioners, extremist cohort", ("trust",), "extremist", 1.0),
    ("Hope, extremist cohort", ("hope",), "extremist", 1.0),
    ("Stigma met, extremist cohort", ("stigma",), "extremist", 1.0),
    (
        "People on a waiting list (all agencies)",
        tuple(f"waiting_{kind}" for kind in AgencyKind),
        "all",
        1.0,
    ),
    ("Cost since the start (EUR million)", ("cost_cumulative",), "all", 1e-6),
)
_BASE_COLOUR = "black"
#: the base is drawn first and wider, so that it shows around a scenario's line that covers it
_BASE_LW = 2.6


def scenario_colours(names: Sequence[str]) -> dict[str, str]:
    """One colour per scenario, the same in every figure: the base (first) black."""
    colours = [f"C{k}" for k in range(10)]
    return {
        name: _BASE_COLOUR if i == 0 else colours[(i - 1) % len(colours)]
        for i, name in enumerate(names)
    }


def _scenario_names(table: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(table["scenario"].astype(str)))


def forest_figure(
    comparison: pd.DataFrame,
    years: float = 3,
    cohorts: Sequence[str] = COHORTS,
    kind: str = "event",
) -> Figure:
    """Paired differences from the base with their 95 % intervals: one panel per cohort, one row
    per scenario and outcome (event outcomes ``years`` after release, per 100 releases).

    A filled marker is a difference whose interval excludes 0, a hollow one a difference that
    cannot be told apart from simulation noise.
    """
    names = _scenario_names(comparison)
    colours = scenario_colours(names)
    others = names[1:]
    rows = comparison[(comparison["kind"] == kind) & (comparison["scenario"].isin(others))]
    if kind == "event":
        rows = rows[rows["years"] == years]
    outcomes = list(dict.fromkeys(rows["outcome"]))
    labels = [measure(kind, o).label for o in outcomes]
    n_rows = max(1, len(outcomes) * len(others))
    fig = Figure(figsize=(5.0 * len(cohorts), 1.2 + 0.34 * n_rows), layout="constrained")
    axes = fig.subplots(1, len(cohorts), squeeze=False, sharey=True).ravel()
    ticks = [
        (j * len(others) + i, f"{label}: {name}")
        for j, label in enumerate(labels)
        for i, name in enumerate(others)
    ]
    for ax, cohort in zip(axes, cohorts, strict=True):
        block = rows[rows["cohort"] == cohort].set_index(["outcome", "scenario"])
        for j, outcome in enumerate(outcomes):
            for i, name in enumerate(others):
                y = j * len(others) + i
                if (outcome, name) not in block.index:
                    continue
                row = block.loc[(outcome, name)]
                if pd.isna(row["difference"]):
                    continue
                lo, hi = row["lower"], row["upper"]
                colour = colours[name]
                if pd.notna(lo):
                    ax.plot([lo, hi], [y, y], color=colour, lw=2)
                ax.plot(
                    row["difference"],
                    y,
                    "o",
                    color=colour,
                    mfc=colour if row["excludes_zero"] else "white",
                    ms=6,
                )
        ax.axvline(0.0, color="grey", lw=1)
        ax.set_title(f"{cohort} cohort")
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
        ax.grid(axis="x", alpha=0.3)
        ax.set_yticks([y for y, _ in ticks], [t for _, t in ticks])
        ax.set_ylim(n_rows - 0.5, -0.5)
    fig.supxlabel("difference from the base, per 100 releases (95 % interval)", fontsize="medium")
    when = f"{years:g} year{'s' * (years != 1)} after release" if kind == "event" else "end"
    fig.suptitle(
        f"Paired difference from {names[0]}, {when}\n"
        "filled: the interval excludes 0; hollow: not distinguishable from noise",
        fontsize="medium",
    )
    return fig


def survival_comparison_figure(
    people: pd.DataFrame,
    outcomes: Sequence[EventOutcome] = EVENT_OUTCOMES,
    cohorts: Sequence[str] = COHORTS,
) -> Figure:
    """Kaplan-Meier cumulative incidence per 100 releases, one line per scenario (pooled over
    replications), one row of panels per cohort and one column per outcome."""
    names = _scenario_names(people)
    colours = scenario_colours(names)
    fig = Figure(figsize=(3.6 * len(outcomes), 3.0 * len(cohorts) + 0.6), layout="constrained")
    axes = fig.subplots(len(cohorts), len(outcomes), squeeze=False, sharex=True)
    by_scenario = {name: people[people["scenario"].astype(str) == name] for name in names}
    for r, cohort in enumerate(cohorts):
        for c, outcome in enumerate(outcomes):
            ax = axes[r, c]
            for name in names:
                curve = cumulative_incidence_curve(by_scenario[name], outcome, cohort)
                if curve is None:
                    continue
                ax.step(
                    _years(curve.index),
                    100.0 * curve["estimate"],
                    where="post",
                    color=colours[name],
                    lw=_BASE_LW if name == names[0] else 1.2,
                    label=name,
                )
            ax.set_title(f"{outcome.label}\n{cohort} cohort", fontsize="medium")
            ax.set_ylim(bottom=0)
            ax.set_xlim(left=0)
            ax.grid(alpha=0.3)
            if c == 0:
                ax.set_ylabel("per 100 releases")
            if r == len(cohorts) - 1:
                ax.set_xlabel("years since first release")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=min(4, len(names)))
    n_rep = _n_replications(people)
    fig.suptitle(
        "Kaplan-Meier cumulative incidence from first release by scenario "
        f"(pooled over {n_rep} replication{'s' * (n_rep != 1)})"
    )
    return fig


def indicators_comparison_figure(
    timeseries: pd.DataFrame,
    panels: Sequence[tuple[str, tuple[str, ...], str, float]] = COMPARISON_PANELS,
) -> Figure:
    """One panel per entry of ``panels``: the mean over replications per scenario, by week."""
    names = _scenario_names(timeseries)
    colours = scenario_colours(names)
    ncols = 3 if len(panels) > 4 else len(panels)
    nrows = -(-len(panels) // ncols)
    fig = Figure(figsize=(4.0 * ncols, 3.0 * nrows + 0.5), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True).ravel()
    keys = {k for _, summed, _, _ in panels for k in summed}
    rows = timeseries[timeseries["indicator"].astype(str).isin(keys)]
    rows = rows.assign(
        scenario=rows["scenario"].astype(str),
        indicator=rows["indicator"].astype(str),
        cohort=rows["cohort"].astype(str),
    )
    per_rep = rows.groupby(["scenario", "cohort", "indicator", "replication", "week"])["value"]
    per_rep = per_rep.sum(min_count=1)
    for ax, (title, summed, cohort, scale) in zip(axes, panels, strict=False):
        for name in names:
            try:
                block = per_rep.loc[(name, cohort)]
            except KeyError:
                continue
            block = block[block.index.get_level_values("indicator").isin(summed)]
            if block.empty:
                continue
            total = block.groupby(["replication", "week"]).sum(min_count=1)
            mean = total.groupby("week").mean()
            ax.plot(
                _years(mean.index),
                scale * mean.to_numpy(),
                color=colours[name],
                lw=_BASE_LW if name == names[0] else 1.2,
                label=name,
            )
        ax.set_title(title, fontsize="medium")
        ax.grid(alpha=0.3)
    for ax in axes[len(panels) :]:
        ax.set_visible(False)
    for ax in axes[max(0, len(panels) - ncols) : len(panels)]:
        ax.set_xlabel("years since start")
        ax.xaxis.set_tick_params(labelbottom=True)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=min(4, len(names)))
    n_rep = _n_replications(timeseries)
    fig.suptitle(f"Indicators over time by scenario (mean over {n_rep} replications)")
    return fig


def cost_effect_figure(paired: pd.DataFrame, terrorism_offence: float, base: str) -> Figure:
    """The cost-effect plane: per draw (small dots) and median (large), each scenario's
    terrorism offences prevented per 100 releases against its net cost to taxpayers per 100
    releases (EUR, discounted), from :func:`~reintegration_sim.analysis.economics.benefit_cost`'s
    ``paired`` table. The dashed line is the unit cost of a terrorism offence: below it, a
    policy is worth its net cost at that valuation (ignoring the other offences it prevents)."""
    names = [base, *dict.fromkeys(paired["scenario"].astype(str))]
    colours = scenario_colours(names)
    fig = Figure(figsize=(6.4, 4.8), layout="constrained")
    ax = fig.subplots()
    xs, ys = [0.0], [0.0]
    for name in names[1:]:
        rows = paired[paired["scenario"].astype(str) == name]
        x = 100.0 * rows["terror_prevented"].to_numpy() / rows["released"].to_numpy()
        y = 100.0 * rows["taxpayer_net_cost"].to_numpy() / rows["released"].to_numpy() / 1e6
        ax.plot(x, y, ".", color=colours[name], alpha=0.5)
        ax.plot(np.median(x), np.median(y), "o", color=colours[name], ms=9, label=name)
        xs += list(x)
        ys += list(y)
    ax.plot(0.0, 0.0, "s", color=_BASE_COLOUR, ms=7, label=f"{base} (base)")
    ax.axhline(0.0, color="grey", lw=1)
    ax.axvline(0.0, color="grey", lw=1)
    span = max(abs(min(xs)), abs(max(xs))) or 1.0
    line = np.array([-span, span])
    ax.plot(line, line * terrorism_offence / 1e6, "--", color="grey", lw=1)
    ax.set_xlim(-1.05 * span, 1.05 * span)
    pad = 0.1 * ((max(ys) - min(ys)) or 1.0)
    ax.set_ylim(min(ys) - pad, max(ys) + pad)
    ax.set_xlabel("terrorism offences prevented per 100 releases")
    ax.set_ylabel("net cost to taxpayers per 100 releases\n(EUR million, discounted)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    ax.set_title(
        f"Cost-effect plane against {base}: one dot per run, large dot the median\n"
        f"dashed: EUR {terrorism_offence:,.0f} per terrorism offence prevented",
        fontsize="medium",
    )
    return fig


def acceptability_figure(curve: pd.DataFrame, terrorism_offence: float) -> Figure:
    """Cost-effectiveness acceptability curve: the probability that each scenario has the
    highest net benefit, by willingness to pay per terrorism offence prevented (from
    :func:`~reintegration_sim.analysis.economics.acceptability_curve`)."""
    names = list(dict.fromkeys(curve["scenario"].astype(str)))
    colours = scenario_colours(names)
    fig = Figure(figsize=(6.4, 4.2), layout="constrained")
    ax = fig.subplots()
    shown = curve[curve["wtp"] > 0]
    for name in names:
        rows = shown[shown["scenario"].astype(str) == name].sort_values("wtp")
        ax.plot(
            rows["wtp"],
            rows["probability"],
            color=colours[name],
            lw=_BASE_LW if name == names[0] else 1.5,
            label=name,
        )
    ax.axvline(terrorism_offence, color="grey", ls="--", lw=1)
    ax.set_xscale("log")
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("willingness to pay per terrorism offence prevented (EUR)")
    ax.set_ylabel("probability of the highest net benefit")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    ax.set_title(
        "Cost-effectiveness acceptability curve\n"
        f"dashed: the unit cost used, EUR {terrorism_offence:,.0f}",
        fontsize="medium",
    )
    return fig


#: file names of the comparison plots
FOREST_PNG, SURVIVAL_PNG, INDICATORS_PNG = "forest.png", "survival.png", "indicators.png"
COST_EFFECT_PNG, ACCEPTABILITY_PNG = "cost_effect.png", "acceptability.png"


def write_comparison_plots(
    folder: Path,
    comparison: pd.DataFrame,
    timeseries: pd.DataFrame,
    people: pd.DataFrame,
    years: float = 3,
    economics: BenefitCost | None = None,
) -> dict[str, Path]:
    """Write ``forest.png``, ``survival.png`` and ``indicators.png`` into ``folder``, and with
    ``economics`` ``cost_effect.png`` and ``acceptability.png``; returns them by name."""
    figures = {
        FOREST_PNG: forest_figure(comparison, years),
        SURVIVAL_PNG: survival_comparison_figure(people),
        INDICATORS_PNG: indicators_comparison_figure(timeseries),
    }
    if economics is not None and not economics.paired.empty:
        value = economics.valuation.terrorism_offence
        figures[COST_EFFECT_PNG] = cost_effect_figure(economics.paired, value, economics.base)
        figures[ACCEPTABILITY_PNG] = acceptability_figure(economics.acceptability, value)
    paths = {}
    for name, fig in figures.items():
        path = Path(folder) / name
        fig.savefig(path, dpi=DPI)
        paths[name] = path
    return paths


def value_of_information_figure(value: pd.DataFrame, top: int = 15) -> Figure:
    """Horizontal bars of the expected value of partial perfect information (EUR) of the
    assumptions and groups worth most, with the total EVPI as the first bar."""
    shown = value.sort_values("evppi", ascending=False, kind="stable").head(top)
    fig = Figure(figsize=(8, 0.35 * len(shown) + 1.2), layout="constrained")
    ax = fig.add_subplot()
    ax.barh(range(len(shown)), shown["evppi"].to_numpy(), color="#4c72b0")
    ax.set_yticks(range(len(shown)), [str(a) for a in shown["assumption"]], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("expected value of perfect information, EUR per decision")
    ax.set_title("Which unknown is worth a study (EVPPI, regression method)")
    return fig
