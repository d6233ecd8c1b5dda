"""Plots of a run, drawn from its tidy tables only (never from a model).

* :func:`survival_figure`: Kaplan-Meier cumulative incidence from first release, one panel per
  event outcome, one line per cohort with its 95 % band;
* :func:`composition_figure`: where the people of each cohort are on the pathway over time;
* :func:`indicators_figure`: state indicators over time per cohort, mean over replications with
  a 5-95 % band.

Comparisons of scenarios (``reintegration-sim compare``), each scenario by its title:

* :func:`forest_figure`: differences from the base per 1,000 releases with the ranges of the
  report's league table, one panel per outcome and one row per scenario (readable at 20);
* :func:`survival_comparison_figure`: Kaplan-Meier cumulative incidence per scenario with 95 %
  bands, only for the outcomes and scenarios that differ from the base
  (:func:`survival_panels`);
* :func:`indicators_comparison_figure`: a few indicators over time per scenario (housing, trust,
  hope, stigma, waiting lists, cumulative cost);
* :func:`cost_effect_figure`: the cost-effect plane, one point per draw and scenario
  (terrorism offences prevented against the net cost to taxpayers, per 1,000 releases);
* :func:`acceptability_figure`: the cost-effectiveness acceptability curve;
* :func:`value_of_information_figure`: the EVPPI of the assumptions worth most.

Every title and axis label comes from :mod:`reintegration_sim.model.outcomes`. Figures are plain
:class:`matplotlib.figure.Figure` objects rendered by the Agg canvas; pyplot and its global
state are never touched, so this works headless and in worker processes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..analysis.economics import BenefitCost
from ..analysis.survival import COHORTS, event_durations
from ..model.agents import AgencyKind
from ..model.outcomes import EVENT_OUTCOMES, INDICATOR_BY_KEY, EventOutcome
from ..model.population import WEEKS_PER_YEAR
from .league import EFFECT_OUTCOMES, PER, Outcome, effect_spreads

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.lines import Line2D

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
    "draw_cost_effect",
    "scenario_colours",
    "survival_comparison_figure",
    "survival_panels",
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


def plain_text[F: Callable[..., Any]](func: F) -> F:
    """Draw the figures ``func`` makes (and saves) with every text as typed: scenario titles,
    target names and other user text reach legends, titles and tick labels, and a ``$`` in
    them must not start matplotlib's mathtext, which would set "Grants ($500 to $1,000)" in
    italics and fail to draw the figure at all where the text between two ``$`` is not TeX
    (``text.parse_math`` off while the figure's texts are made and drawn)."""

    @functools.wraps(func)
    def plain(*args: Any, **kwargs: Any) -> Any:
        with mpl.rc_context({"text.parse_math": False}):
            return func(*args, **kwargs)

    return cast(F, plain)


def _years(weeks: np.ndarray | pd.Index | pd.Series) -> np.ndarray:
    return np.asarray(weeks, dtype=float) / WEEKS_PER_YEAR


def _n_replications(table: pd.DataFrame) -> int:
    return int(table["replication"].nunique())


# ---------------------------------------------------------------------- survival


@plain_text
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


@plain_text
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


@plain_text
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


@plain_text
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


@plain_text
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
#: the forest plot's colours: a range wholly on the better side, on the worse side, or neither
#: (or an outcome with no better side: detected re-engagement and recall)
_BETTER, _WORSE, _UNCLEAR = "#1b7837", "#b2182b", "#555555"
#: most scenarios drawn in one panel of the survival curves, besides the base
SURVIVAL_MOST = 4


def scenario_colours(names: Sequence[str]) -> dict[str, str]:
    """One colour per scenario, the same in every figure: the base (first) black, the others
    from matplotlib's default cycle (up to 10) or from tab20 (up to 20, then again)."""
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    if len(names) - 1 <= 10:
        palette = [f"C{k}" for k in range(10)]
    else:
        tab20 = colormaps["tab20"]
        palette = [to_hex(tab20(k)) for k in range(20)]
    return {
        name: _BASE_COLOUR if i == 0 else palette[(i - 1) % len(palette)]
        for i, name in enumerate(names)
    }


def _scenario_names(table: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(table["scenario"].astype(str)))


def _shown(labels: Mapping[str, str] | None, name: str) -> str:
    """A scenario's title from ``labels`` (its name where none is given)."""
    return (labels or {}).get(name, name)


def _panel_grid(n: int, most: int = 3) -> tuple[int, int]:
    ncols = min(most, max(1, n))
    return -(-max(1, n) // ncols), ncols


@plain_text
def forest_figure(
    comparison: pd.DataFrame,
    years: float = 3,
    labels: Mapping[str, str] | None = None,
    order: Sequence[str] | None = None,
    outcomes: Sequence[Outcome] = EFFECT_OUTCOMES,
) -> Figure:
    """Differences from the base per 1,000 releases, one panel per outcome (``years`` after
    release) and one row per scenario, by its title (``labels``) in ``order`` (default: as in
    the table).

    The range is the one the report's league table shows (:func:`.league.effect_spreads`): over
    assumptions and chance where the comparison drew the assumptions, else the 95 % interval of
    the mean (chance only). A filled marker is a difference whose range excludes no change;
    green where that is better for the outcome, red where worse, grey where the outcome has no
    better side (a good policy can raise it). Panels in which every scenario is identical to the
    base in every run are left out.
    """
    names = _scenario_names(comparison)
    others = list(order) if order is not None else names[1:]
    spreads = effect_spreads(comparison, years, outcomes)
    direction = {
        (str(r["cohort"]), str(r["outcome"])): str(r["direction"])
        for _, r in comparison[comparison["kind"] == "event"].iterrows()
    }
    kept = []
    for outcome in outcomes:
        key = outcome.key if outcome.cohort == "extremist" else f"{outcome.cohort}:{outcome.key}"
        found = [spreads.get((name, key)) for name in others]
        if any(s is not None and s.known and not s.identical for s in found):
            kept.append((outcome, key))
    nrows, ncols = _panel_grid(len(kept))
    height = nrows * (0.9 + 0.26 * len(others)) + 0.9
    width = 3.4 * ncols + 0.09 * max((len(_shown(labels, n)) for n in others), default=10)
    fig = Figure(figsize=(min(width, 14.0), height), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, sharey=True).ravel()
    for ax, (outcome, key) in zip(axes, kept, strict=False):
        better = direction.get((outcome.cohort, outcome.key), "neutral")
        for y, name in enumerate(others):
            spread = spreads.get((name, key))
            if spread is None or not spread.known:
                continue
            colour = _UNCLEAR
            if spread.excludes_zero and better != "neutral":
                good = (spread.central < 0) == (better == "lower is better")
                colour = _BETTER if good else _WORSE
            if np.isfinite(spread.low):
                ax.plot([spread.low, spread.high], [y, y], color=colour, lw=2)
            ax.plot(
                spread.central,
                y,
                "o",
                color=colour,
                mfc=colour if spread.excludes_zero else "white",
                ms=6,
            )
        ax.axvline(0.0, color="grey", lw=1)
        title = outcome.short
        if outcome.raised_by_good:
            title += "\n(a good policy can raise it)"
        ax.set_title(title, fontsize="medium")
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
        ax.grid(axis="x", alpha=0.3)
        ax.set_yticks(range(len(others)), [_shown(labels, n) for n in others])
        ax.set_ylim(len(others) - 0.5, -0.5)
    for ax in axes[len(kept) :]:
        ax.set_visible(False)
    if not kept:
        axes[0].set_visible(True)
        axes[0].text(0.5, 0.5, "no differences", ha="center", va="center")
    fig.supxlabel(f"difference from the base per {PER:,} released", fontsize="medium")
    base = _shown(labels, names[0])
    fig.suptitle(
        f"Difference from {base}, {years:g} year{'s' * (years != 1)} after release\n"
        "filled: the range excludes no change; green better, red worse, grey neither",
        fontsize="medium",
    )
    return fig


@plain_text
def survival_comparison_figure(
    people: pd.DataFrame,
    outcomes: Sequence[EventOutcome] = EVENT_OUTCOMES,
    cohorts: Sequence[str] = COHORTS,
    labels: Mapping[str, str] | None = None,
    shown: Mapping[tuple[str, str], Sequence[str]] | None = None,
) -> Figure:
    """Kaplan-Meier cumulative incidence per 100 releases with its 95 % band, one line per
    scenario (pooled over replications), by its title (``labels``).

    Without ``shown``: one row of panels per cohort and one column per outcome, every scenario
    in each. With ``shown`` (``{(cohort, outcome key): scenario names}``): only those panels,
    each with the base and the scenarios listed (:func:`survival_panels` picks those that
    differ from the base).
    """
    names = _scenario_names(people)
    colours = scenario_colours(names)
    by_key = {o.key: o for o in outcomes}
    if shown is None:
        panels = [(c, o.key, names[1:]) for c in cohorts for o in outcomes]
        nrows, ncols = len(cohorts), len(outcomes)
    else:
        panels = [(c, k, list(v)) for (c, k), v in shown.items() if k in by_key]
        nrows, ncols = _panel_grid(len(panels), 4)
    fig = Figure(figsize=(3.6 * ncols, 3.0 * nrows + 0.9), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True).ravel()
    by_scenario = {name: people[people["scenario"].astype(str) == name] for name in names}
    drawn: dict[str, Line2D] = {}
    for ax, (cohort, key, policy) in zip(axes, panels, strict=False):
        outcome = by_key[key]
        for name in [names[0], *policy]:
            curve = cumulative_incidence_curve(by_scenario[name], outcome, cohort)
            if curve is None:
                continue
            x = _years(curve.index)
            (line,) = ax.step(
                x,
                100.0 * curve["estimate"],
                where="post",
                color=colours[name],
                lw=_BASE_LW if name == names[0] else 1.2,
            )
            ax.fill_between(
                x,
                100.0 * curve["lower"],
                100.0 * curve["upper"],
                step="post",
                color=colours[name],
                alpha=0.15,
                lw=0,
            )
            drawn.setdefault(name, line)
        short = {(o.cohort, o.key): o.short for o in EFFECT_OUTCOMES}.get((cohort, key))
        ax.set_title(f"{short or outcome.label}\n{cohort} cohort", fontsize="medium")
        ax.set_ylim(bottom=0)
        ax.set_xlim(left=0)
        ax.grid(alpha=0.3)
        ax.set_ylabel("per 100 released")
        ax.set_xlabel("years since first release")
        ax.xaxis.set_tick_params(labelbottom=True)
    for ax in axes[len(panels) :]:
        ax.set_visible(False)
    order = [n for n in names if n in drawn]
    fig.legend(
        [drawn[n] for n in order],
        [_shown(labels, n) for n in order],
        loc="outside lower center",
        ncols=min(3, max(1, len(order))),
    )
    n_rep = _n_replications(people)
    fig.suptitle(
        "Share with each event by years since release, with 95 % bands "
        f"(all {n_rep} run{'s' * (n_rep != 1)} pooled)"
    )
    return fig


def survival_panels(
    comparison: pd.DataFrame, years: float, most: int = SURVIVAL_MOST
) -> dict[tuple[str, str], list[str]]:
    """The survival panels worth drawing: per event outcome of the extremist cohort, the
    scenarios whose difference from the base ``years`` after release is distinguishable from
    chance (its 95 % interval excludes 0), at most ``most`` of them, the largest first; outcomes
    where none differs are left out."""
    events = comparison[
        (comparison["kind"] == "event")
        & (comparison["years"] == years)
        & (comparison["cohort"] == "extremist")
        & comparison["excludes_zero"].astype(bool)
    ]
    out: dict[tuple[str, str], list[str]] = {}
    for outcome in EVENT_OUTCOMES:
        rows = events[events["outcome"] == outcome.key]
        if rows.empty:
            continue
        rows = rows.assign(size=rows["difference"].abs()).sort_values("size", ascending=False)
        out["extremist", outcome.key] = [str(s) for s in rows["scenario"].head(most)]
    return out


@plain_text
def indicators_comparison_figure(
    timeseries: pd.DataFrame,
    panels: Sequence[tuple[str, tuple[str, ...], str, float]] = COMPARISON_PANELS,
    labels: Mapping[str, str] | None = None,
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
                label=_shown(labels, name),
            )
        ax.set_title(title, fontsize="medium")
        ax.grid(alpha=0.3)
    for ax in axes[len(panels) :]:
        ax.set_visible(False)
    for ax in axes[max(0, len(panels) - ncols) : len(panels)]:
        ax.set_xlabel("years since start")
        ax.xaxis.set_tick_params(labelbottom=True)
    handles, legend = axes[0].get_legend_handles_labels()
    fig.legend(handles, legend, loc="outside lower center", ncols=min(4, len(names)))
    n_rep = _n_replications(timeseries)
    fig.suptitle(f"Indicators over time by scenario (mean over {n_rep} replications)")
    return fig


@plain_text
def draw_cost_effect(
    ax: Axes,
    paired: pd.DataFrame,
    terrorism_offence: float,
    base: str,
    labels: Mapping[str, str] | None = None,
    legend: bool = True,
) -> None:
    """The cost-effect plane on ``ax`` (see :func:`cost_effect_figure`), per 1,000 releases."""
    names = [base, *dict.fromkeys(paired["scenario"].astype(str))]
    colours = scenario_colours(names)
    xs, ys = [0.0], [0.0]
    per = float(PER)
    for name in names[1:]:
        rows = paired[paired["scenario"].astype(str) == name]
        x = per * rows["terror_prevented"].to_numpy() / rows["participants"].to_numpy()
        y = per * rows["taxpayer_net_cost"].to_numpy() / rows["participants"].to_numpy() / 1e6
        ok = np.isfinite(x) & np.isfinite(y)
        x, y = x[ok], y[ok]
        if x.size == 0:
            continue
        ax.plot(x, y, ".", color=colours[name], alpha=0.45, ms=4)
        ax.plot(
            np.median(x),
            np.median(y),
            "o",
            color=colours[name],
            mec="white",
            ms=9,
            label=_shown(labels, name),
        )
        xs += list(x)
        ys += list(y)
    ax.plot(0.0, 0.0, "s", color=_BASE_COLOUR, ms=7, label=f"{_shown(labels, base)} (base)")
    ax.axhline(0.0, color="grey", lw=1)
    ax.axvline(0.0, color="grey", lw=1)
    span = max(abs(min(xs)), abs(max(xs))) or 1.0
    line = np.array([-span, span])
    ax.plot(line, line * terrorism_offence / 1e6, "--", color="grey", lw=1)
    ax.set_xlim(-1.05 * span, 1.05 * span)
    pad = 0.1 * ((max(ys) - min(ys)) or 1.0)
    ax.set_ylim(min(ys) - pad, max(ys) + pad)
    ax.set_xlabel(f"terrorism offences prevented per {PER:,} released")
    ax.set_ylabel(f"net cost to taxpayers per {PER:,} released\n(EUR million)")
    ax.grid(alpha=0.3)
    if legend:
        many = len(names) > 7
        ax.legend(
            fontsize="small",
            loc="upper left" if many else "best",
            bbox_to_anchor=(1.02, 1.0) if many else None,
        )


@plain_text
def cost_effect_figure(
    paired: pd.DataFrame,
    terrorism_offence: float,
    base: str,
    labels: Mapping[str, str] | None = None,
) -> Figure:
    """The cost-effect plane: per run (small dots) and median (large), each scenario's
    terrorism offences prevented against its net cost to taxpayers (EUR, discounted), per 1,000
    people released after an extremist offence (offences and costs of both cohorts over the
    whole run, as in ``benefit_cost.csv`` per participant), from
    :func:`~reintegration_sim.analysis.economics.benefit_cost`'s ``paired`` table. The dashed line
    is the unit cost of a terrorism offence: below it, a policy is worth its net cost at that
    valuation (ignoring the other offences it prevents)."""
    n = paired["scenario"].nunique()
    fig = Figure(figsize=(6.4 + (3.2 if n + 1 > 7 else 0.0), 4.8), layout="constrained")
    ax = fig.subplots()
    draw_cost_effect(ax, paired, terrorism_offence, base, labels)
    ax.set_title(
        f"What each policy buys and costs, against {_shown(labels, base)}\n"
        "small dots: runs, large: the median; below the dashed line: worth its cost\n"
        f"at EUR {terrorism_offence / 1e6:,.1f} million per terrorism offence prevented",
        fontsize="medium",
    )
    return fig


@plain_text
def acceptability_figure(
    curve: pd.DataFrame, terrorism_offence: float, labels: Mapping[str, str] | None = None
) -> Figure:
    """Cost-effectiveness acceptability curve: the probability that each scenario has the
    highest net benefit, by willingness to pay per terrorism offence prevented (from
    :func:`~reintegration_sim.analysis.economics.acceptability_curve`)."""
    names = list(dict.fromkeys(curve["scenario"].astype(str)))
    colours = scenario_colours(names)
    many = len(names) > 7
    fig = Figure(figsize=(6.4 + (3.2 if many else 0.0), 4.2), layout="constrained")
    ax = fig.subplots()
    shown = curve[curve["wtp"] > 0]
    for name in names:
        rows = shown[shown["scenario"].astype(str) == name].sort_values("wtp")
        ax.plot(
            rows["wtp"],
            rows["probability"],
            color=colours[name],
            lw=_BASE_LW if name == names[0] else 1.5,
            label=_shown(labels, name),
        )
    ax.axvline(terrorism_offence, color="grey", ls="--", lw=1)
    ax.set_xscale("log")
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("willingness to pay per terrorism offence prevented (EUR)")
    ax.set_ylabel("probability of the highest net benefit")
    ax.grid(alpha=0.3)
    ax.legend(
        fontsize="small",
        loc="upper left" if many else "best",
        bbox_to_anchor=(1.02, 1.0) if many else None,
    )
    ax.set_title(
        "Cost-effectiveness acceptability curve\n"
        f"dashed: the unit cost used, EUR {terrorism_offence:,.0f}",
        fontsize="medium",
    )
    return fig


#: file names of the comparison plots
FOREST_PNG, SURVIVAL_PNG, INDICATORS_PNG = "forest.png", "survival.png", "indicators.png"
COST_EFFECT_PNG, ACCEPTABILITY_PNG = "cost_effect.png", "acceptability.png"


@plain_text
def write_comparison_plots(
    folder: Path,
    comparison: pd.DataFrame,
    timeseries: pd.DataFrame,
    people: pd.DataFrame,
    years: float = 3,
    economics: BenefitCost | None = None,
    labels: Mapping[str, str] | None = None,
    order: Sequence[str] | None = None,
) -> dict[str, Path]:
    """Write ``forest.png`` and ``indicators.png`` into ``folder``; ``survival.png`` where a
    scenario's curve differs from the base's (:func:`survival_panels`); with ``economics``
    ``cost_effect.png`` and ``acceptability.png``. Scenarios are shown by their titles
    (``labels``), the forest plot's rows in ``order``; returns the files by name."""
    figures = {
        FOREST_PNG: forest_figure(comparison, years, labels, order),
        INDICATORS_PNG: indicators_comparison_figure(timeseries, labels=labels),
    }
    panels = survival_panels(comparison, years)
    if panels:
        figures[SURVIVAL_PNG] = survival_comparison_figure(people, labels=labels, shown=panels)
    if economics is not None and not economics.paired.empty:
        value = economics.valuation.terrorism_offence
        figures[COST_EFFECT_PNG] = cost_effect_figure(
            economics.paired, value, economics.base, labels
        )
        figures[ACCEPTABILITY_PNG] = acceptability_figure(economics.acceptability, value, labels)
    paths = {}
    for name, fig in figures.items():
        path = Path(folder) / name
        fig.savefig(path, dpi=DPI)
        paths[name] = path
    return paths


@plain_text
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
