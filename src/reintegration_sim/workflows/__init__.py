"""The workflows, callable from Python: run a scenario, compare scenarios, sweep, calibrate.

Each returns an in-memory result that can be looked at (tables, a summary, a figure) and saved
to a result folder (:meth:`RunResult.save`, :meth:`ComparisonResult.save`) exactly as the
command line writes it; the command line is a thin layer over these functions::

    import reintegration_sim as rs

    base = rs.load("baseline").with_overrides({"population.n_extremist": 300})
    result = rs.run(base, replications=8)
    result.summary()                 # Kaplan-Meier incidence by cohort, outcome and year
    result.save("results/my-run")

    cmp = rs.compare([base, base.with_overrides(
        {"interventions.deradicalisation_programme.coverage": 0.8})], replications=8)
    print(cmp)                       # paired differences, intervals and what they cover
    cmp.table                        # every measure, level and paired difference
    cmp.economics.table              # benefit-cost figures (net present value, ...)
    cmp.save("results/my-comparison")  # tables, plots, report.md, report.html, brief.pdf

Scenarios are given as :class:`~reintegration_sim.scenario.Scenario` objects, shipped names
(``"baseline"``) or paths. Results do not depend on ``workers``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from ..analysis.abc import DEFAULT_CHECKS as ABC_CHECKS
from ..analysis.abc import DEFAULT_GENERATIONS as ABC_GENERATIONS
from ..analysis.abc import DEFAULT_POPULATION as ABC_POPULATION
from ..analysis.abc import DEFAULT_REPLICATIONS as ABC_REPLICATIONS
from ..analysis.calibration import (
    DEFAULT_MAX_EVALUATIONS,
    CalibrationError,
    CalibrationResult,
    Target,
)
from ..analysis.calibration import DEFAULT_REPLICATIONS as CALIBRATION_REPLICATIONS
from ..analysis.economics import BenefitCost
from ..analysis.experiment import run_scenario
from ..analysis.survival import survival_table
from ..analysis.uncertainty import DEFAULT_DRAW_REPLICATIONS
from ..outputs.results import now_iso
from ..scenario import Country, Scenario, load_scenario
from .abc import AbcRun, as_run, save_folder
from .sweep import DEFAULT_CHUNK

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..outputs.league import League

__all__ = [
    "DEFAULT_COMPARE_YEARS",
    "DEFAULT_DETECT",
    "AbcRun",
    "CalibrationRun",
    "ComparisonResult",
    "RunResult",
    "ScenarioLike",
    "as_scenario",
    "calibrate",
    "compare",
    "run",
    "sweep",
]

#: default replications of a run and of each scenario of a comparison
DEFAULT_REPLICATIONS = 10
#: default follow-up (years after release) of a comparison's summary, forest plot and report
DEFAULT_COMPARE_YEARS = 3
#: default smaller difference (per 100 releases) whose replications needed are reported
DEFAULT_DETECT = 1.0

ScenarioLike = Scenario | str | Path


def as_scenario(scenario: ScenarioLike) -> Scenario:
    """A scenario object, a shipped scenario's name, or a scenario file's path, as a scenario."""
    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)


# ---------------------------------------------------------------------- run


@dataclass
class RunResult:
    """Replications of one scenario.

    Attributes:
        scenario: the scenario as run (seed applied).
        replications, workers: as run.
        timeseries: weekly indicators (scenario, replication, week, cohort, indicator, value).
        people: one row per person and replication.
        seconds: wall time of the run.
        started: when it started (ISO 8601).
        replication_seconds: wall time of each replication, in replication order.
    """

    scenario: Scenario
    replications: int
    workers: int
    timeseries: pd.DataFrame
    people: pd.DataFrame
    seconds: float
    started: str
    replication_seconds: list[float]
    _summary: pd.DataFrame | None = field(default=None, repr=False)

    def summary(self) -> pd.DataFrame:
        """Kaplan-Meier cumulative incidence of each event outcome from first release, by
        cohort and follow-up year, with 95 % intervals (simulation noise, pooled replications;
        :func:`~reintegration_sim.analysis.survival.survival_table`)."""
        if self._summary is None:
            self._summary = survival_table(self.people)
        return self._summary

    def text(self) -> str:
        """The summary the command line prints."""
        from ..outputs.text import format_summary

        return format_summary(
            self.summary(),
            scenario_name=self.scenario.label,
            replications=self.replications,
            people=len(self.people) // self.replications,
            horizon_weeks=self.scenario.horizon_weeks,
            seed=self.scenario.seed,
            workers=self.workers,
            seconds=self.seconds,
        )

    def __str__(self) -> str:
        return self.text()

    def plot(self) -> Figure:
        """Cumulative incidence from first release, one panel per event outcome."""
        from ..outputs.plotting import survival_figure

        return survival_figure(self.people)

    def metadata(self, command: Sequence[str] | None = None) -> dict[str, Any]:
        """The ``metadata.json`` of this run."""
        from ..outputs.results import make_metadata

        return make_metadata(
            self.scenario,
            replications=self.replications,
            workers=self.workers,
            started=self.started,
            command=list(command) if command is not None else None,
            extra={
                "wall_seconds": round(self.seconds, 3),
                "replication_wall_seconds": self.replication_seconds,
            },
        )

    def save(self, folder: str | Path, command: Sequence[str] | None = None) -> Path:
        """Write the result folder (tables, plots, metadata); the folder must not exist or be
        empty, and appears only once everything is written."""
        from ..outputs.plotting import write_plots
        from ..outputs.results import ResultFolder, write_metadata, write_tables

        out = Path(folder)
        with ResultFolder(out) as staged:
            assert staged.path is not None
            write_tables(staged.path, self.timeseries, self.people, self.summary())
            write_plots(staged.path, self.timeseries, self.people)
            write_metadata(staged.path, self.metadata(command))
        return out


def run(
    scenario: ScenarioLike,
    replications: int = DEFAULT_REPLICATIONS,
    *,
    workers: int = 1,
    seed: int | None = None,
    progress: bool = False,
    executor: Executor | None = None,
) -> RunResult:
    """Run replications ``0 .. replications-1`` of ``scenario`` (with ``seed`` if given)."""
    scenario = as_scenario(scenario)
    if seed is not None:
        scenario = scenario.with_seed(seed)
    started = now_iso()
    clock = time.perf_counter()
    wall: dict[int, float] = {}
    timeseries, people = run_scenario(
        scenario,
        replications,
        workers=workers,
        progress=progress,
        executor=executor,
        on_result=lambda r: wall.__setitem__(r.replication, round(r.wall_seconds, 3)),
    )
    return RunResult(
        scenario,
        replications,
        workers,
        timeseries,
        people,
        time.perf_counter() - clock,
        started,
        [wall[r] for r in sorted(wall)],
    )


# ---------------------------------------------------------------------- compare


@dataclass
class ComparisonResult:
    """Scenarios run on common random numbers and compared with the first (the base).

    Attributes:
        loaded: the scenarios as given.
        scenarios: as run (the common seed applied), base first.
        seed, seed_source: the common seed and where it came from.
        replications, workers: as run.
        timeseries, people: the tables of every scenario, base first.
        levels: what each replication measured
            (:func:`~reintegration_sim.analysis.comparison.replication_levels`).
        table: levels, paired differences and intervals of every measure
            (:func:`~reintegration_sim.analysis.comparison.comparison_table`).
        years: the follow-up (years after release) of the summary, forest plot and report.
        requested_years: the follow-up asked for (``years`` is shorter if the horizon is).
        detect: the difference (per 100 releases) whose replications needed are reported.
        economics: the benefit-cost analysis against the base
            (:func:`~reintegration_sim.analysis.economics.benefit_cost`; ``benefit_cost.csv``).
    """

    loaded: list[Scenario]
    scenarios: list[Scenario]
    seed: int
    seed_source: str
    replications: int
    workers: int
    timeseries: pd.DataFrame
    people: pd.DataFrame
    levels: pd.DataFrame
    table: pd.DataFrame
    years: float
    requested_years: float
    detect: float
    seconds: float
    started: str
    #: with ``assumption_draws``: every draw's levels (``draws.parquet``), the drawn values
    #: (``assumptions.parquet``), the keys drawn and those kept as policy, and per scenario and
    #: main outcome which assumptions explain the difference (``drivers.csv``)
    draws: pd.DataFrame | None = None
    assumptions: pd.DataFrame | None = None
    draw_info: dict[str, Any] | None = None
    drivers: pd.DataFrame | None = None
    #: with ``assumption_draws``: EVPPI of each drawn assumption and group for the choice of the
    #: scenario with the highest net present value (``value_of_information.csv``)
    value_of_information: pd.DataFrame | None = None
    economics: BenefitCost | None = None
    #: the terrorist prisoners released a year behind the figures a year of ``economics``
    #: (``{label: releases}``): ``releases_per_year`` as given, else the base scenario's
    #: ``[country]`` (a country preset), else the presets of EVIDENCE 2; and where each comes from
    releases_per_year: dict[str, float] | None = None
    releases_sources: dict[str, str] | None = None

    @property
    def country(self) -> Country | None:
        """The base scenario's country (its ``[country]`` table), if it has one."""
        return self.scenarios[0].country

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.scenarios]

    def text(self) -> str:
        """The summary the command line prints (intervals: chance only, and it says so)."""
        from ..outputs.text import format_comparison_summary

        return format_comparison_summary(
            self.table,
            years=self.years,
            replications=self.replications,
            people=len(self.people) // (self.replications * len(self.scenarios)),
            horizon_weeks=self.scenarios[0].horizon_weeks,
            seed=self.seed,
            seed_source=self.seed_source,
            workers=self.workers,
            seconds=self.seconds,
            requested_years=self.requested_years,
            labels={s.name: s.label for s in self.scenarios},
            draws=self.draw_info,
            economics=self.economics.table if self.economics is not None else None,
        )

    def __str__(self) -> str:
        return self.text()

    def plot(self) -> Figure:
        """Differences from the base per 1,000 releases with their ranges, one panel per
        outcome and one row per scenario by its title (forest plot)."""
        from ..outputs.league import titles
        from ..outputs.plotting import forest_figure

        return forest_figure(self.table, self.years, titles(self.scenarios))

    def metadata(self, command: Sequence[str] | None = None) -> dict[str, Any]:
        """The ``metadata.json`` of this comparison."""
        from ..outputs.results import make_comparison_metadata

        return make_comparison_metadata(
            self.loaded,
            self.scenarios,
            seed_source=self.seed_source,
            replications=self.replications,
            workers=self.workers,
            started=self.started,
            command=list(command) if command is not None else None,
            extra={
                "wall_seconds": round(self.seconds, 3),
                "follow_up_years": self.years,
                "requested_follow_up_years": self.requested_years,
                "detectable_difference": self.detect,
                **({"assumption_draws": self.draw_info} if self.draw_info else {}),
                **({"benefit_cost": self._valuation()} if self.economics is not None else {}),
                **({"releases_per_year": self._releases()} if self.releases_per_year else {}),
            },
        )

    def _releases(self) -> dict[str, Any]:
        """The releases a year behind the figures a year and their sources, for
        ``metadata.json``."""
        sources = self.releases_sources or {}
        return {
            label: {"releases_per_year": value, "source": sources.get(label, "")}
            for label, value in (self.releases_per_year or {}).items()
        }

    def _valuation(self) -> dict[str, Any]:
        """The valuation behind ``benefit_cost.csv``, for ``metadata.json``."""
        assert self.economics is not None
        costs = self.scenarios[0].parameters.costs
        return {
            "valued_with": f"the base scenario's costs group ({self.scenarios[0].name})",
            "terrorism_offence_eur": self.economics.valuation.terrorism_offence,
            "ordinary_reoffence_eur": self.economics.valuation.ordinary_reoffence,
            "offence_costs_price_year": "2015/16 (GBP, Heeks et al. 2018)",
            "eur_per_gbp": costs.eur_per_gbp,
            "discount_rate": costs.discount_rate,
            "discounted_to": "week 0 of the run, by week of the run",
        }

    def report(self) -> str:
        """The one-page report as Markdown (without figures; :meth:`save` embeds them)."""
        from ..outputs.report import report_blocks, to_markdown

        blocks = report_blocks(
            self.table,
            self.scenarios,
            self.metadata(),
            years=self.years,
            economics=self.economics,
            levels=self.levels,
        )
        return to_markdown(blocks)

    def league(self) -> League:
        """The league table of the report's first screen and of ``brief.pdf``: one row per
        policy by its title, sorted by the change in terrorism reoffences."""
        from ..outputs.league import league

        return league(
            self.table,
            self.scenarios,
            self.metadata(),
            years=self.years,
            economics=self.economics,
            levels=self.levels,
        )

    def save(self, folder: str | Path, command: Sequence[str] | None = None) -> Path:
        """Write the result folder: tables, plots, ``report.md``, ``report.html``,
        ``brief.pdf`` and metadata; it appears only once everything is written."""
        from ..outputs.brief import write_brief
        from ..outputs.league import league, titles
        from ..outputs.plotting import (
            ACCEPTABILITY_PNG,
            COST_EFFECT_PNG,
            FOREST_PNG,
            INDICATORS_PNG,
            SURVIVAL_PNG,
            write_comparison_plots,
        )
        from ..outputs.report import write_report
        from ..outputs.results import (
            ResultFolder,
            write_benefit_cost,
            write_comparison_tables,
            write_draw_tables,
            write_metadata,
        )

        out = Path(folder)
        with ResultFolder(out) as staged:
            assert staged.path is not None
            write_comparison_tables(
                staged.path, self.table, self.levels, self.timeseries, self.people
            )
            if self.economics is not None:
                write_benefit_cost(staged.path, self.economics.table, self.economics.acceptability)
            metadata = self.metadata(command)
            shown = titles(self.scenarios)
            table = league(
                self.table,
                self.scenarios,
                metadata,
                years=self.years,
                economics=self.economics,
                levels=self.levels,
            )
            written = write_comparison_plots(
                staged.path,
                self.table,
                self.timeseries,
                self.people,
                years=self.years,
                economics=self.economics,
                labels=shown,
                order=[row.name for row in table.rows],
            )
            roles = {
                "forest": FOREST_PNG,
                "survival": SURVIVAL_PNG,
                "indicators": INDICATORS_PNG,
                "cost_effect": COST_EFFECT_PNG,
                "acceptability": ACCEPTABILITY_PNG,
            }
            write_report(
                staged.path,
                self.table,
                self.scenarios,
                metadata,
                years=self.years,
                figures={role: name for role, name in roles.items() if name in written},
                destination=out,
                economics=self.economics,
                levels=self.levels,
            )
            write_brief(
                staged.path,
                table,
                self.economics,
                shown,
                footer=f"reintegration-sim {metadata.get('version', '?')}, {self.started[:10]}.",
            )
            if self.draws is not None and self.assumptions is not None:
                write_draw_tables(
                    staged.path,
                    self.draws,
                    self.assumptions,
                    self.drivers,
                    self.value_of_information,
                )
            write_metadata(staged.path, metadata)
        return out


def prepare_comparison(
    scenarios: Sequence[ScenarioLike], seed: int | None = None
) -> tuple[list[Scenario], list[Scenario], int]:
    """``(loaded, as run, common seed)``: the scenarios checked to be comparable (same people,
    distinct names) with one seed; raises :class:`~reintegration_sim.scenario.ScenarioError`."""
    from ..analysis.comparison import comparable_scenarios

    loaded = [as_scenario(s) for s in scenarios]
    run_as, common = comparable_scenarios(loaded, seed)
    return loaded, run_as, common


def compare(
    scenarios: Sequence[ScenarioLike],
    replications: int = DEFAULT_REPLICATIONS,
    *,
    workers: int = 1,
    seed: int | None = None,
    years: float = DEFAULT_COMPARE_YEARS,
    detect: float = DEFAULT_DETECT,
    progress: bool = False,
    executor: Executor | None = None,
    assumption_draws: int | None = None,
    vary: Sequence[str] | None = None,
    draw_replications: int = DEFAULT_DRAW_REPLICATIONS,
    scheduler: str | None = None,
    cache: str | Path | None = None,
    posterior: str | Path | None = None,
    releases_per_year: Mapping[str, float] | str | None = None,
) -> ComparisonResult:
    """Run every scenario on the same seeds (the base's unless ``seed`` is given) and compare
    each with the first: paired differences with 95 % intervals (chance only), costs, and the
    benefit-cost figures (valued with the base's ``costs`` group). ``releases_per_year``
    (``{label: releases}``, or text such as ``"uk,france"`` or ``"60"``) sets the terrorist
    prisoners released a year behind the offences prevented a year (default: the base
    scenario's ``[country]``, as in the country presets, else the presets of EVIDENCE 2).

    With ``assumption_draws`` N, also run N joint draws of the assumptions (``vary``: keys,
    groups or levers; default every assumption the scenarios share,
    :func:`~reintegration_sim.analysis.uncertainty.plan_draws`), ``draw_replications`` runs
    per scenario in each draw on common random numbers, on ``workers`` processes or the Dask
    ``scheduler``; the table gains ``total_mean`` (the expected difference, which the reports
    show), ``total_median``, ``total_low``, ``total_high`` (90 % over assumptions and chance),
    ``share_assumptions`` and ``prob_better``. Finished draws are kept
    in ``cache`` (default: a folder in the temporary directory named by the plan), so the same
    call after an interruption runs only the missing draws; the cache is removed at the end.
    ``posterior`` (a file of ``calibrate --method abc``, or ``"baseline"`` for the shipped one)
    draws the calibrated parameters jointly from it; one made for another base scenario or
    another parameter register is refused (:class:`~reintegration_sim.analysis.abc.PosteriorError`).
    """
    from ..analysis.comparison import (
        comparison_table,
        main_follow_up,
        replication_levels,
        run_comparison,
    )
    from ..analysis.economics import Valuation, benefit_cost, resolve_releases_per_year

    if replications < 2:
        raise ValueError(f"a comparison needs at least 2 replications (got {replications})")
    loaded, run_as, common = prepare_comparison(scenarios, seed)
    releases_per_year, releases_sources = resolve_releases_per_year(
        releases_per_year, run_as[0].country
    )
    started = now_iso()
    clock = time.perf_counter()
    timeseries, people = run_comparison(
        run_as, replications, workers=workers, progress=progress, executor=executor
    )
    levels = replication_levels(people, timeseries)
    table = comparison_table(levels, run_as[0].name, detectable=detect)
    shown = main_follow_up(table, years)
    economics = benefit_cost(
        people,
        timeseries,
        run_as[0].name,
        Valuation.from_costs(run_as[0].parameters.costs),
        years=shown,
        releases_per_year=releases_per_year,
    )
    extra: dict[str, Any] = {}
    if assumption_draws is not None:
        extra = _assumption_draws(
            run_as,
            assumption_draws,
            vary,
            draw_replications,
            workers=workers,
            scheduler=scheduler,
            executor=executor,
            cache=cache,
            years=shown,
            releases_per_year=releases_per_year,
            posterior=posterior,
        )
        if extra.get("economics") is not None:
            economics = extra.pop("economics")
        else:
            extra.pop("economics", None)
        table = table.merge(
            extra.pop("columns"), how="left", on=["scenario", "cohort", "kind", "outcome", "years"]
        )
    return ComparisonResult(
        loaded=loaded,
        scenarios=run_as,
        seed=common,
        seed_source="seed argument" if seed is not None else "base scenario",
        replications=replications,
        workers=workers,
        timeseries=timeseries,
        people=people,
        levels=levels,
        table=table,
        years=shown,
        requested_years=years,
        detect=detect,
        seconds=time.perf_counter() - clock,
        started=started,
        economics=economics,
        releases_per_year=releases_per_year,
        releases_sources=releases_sources,
        **extra,
    )


#: the outcomes whose drivers a comparison over assumption draws reports (cohort, kind,
#: outcome): the main ones of the summary
DRIVER_OUTCOMES = (
    ("extremist", "event", "terror_reoffence"),
    ("extremist", "event", "any_reoffence"),
    ("comparison", "event", "any_reoffence"),
)


def _assumption_draws(
    scenarios: Sequence[Scenario],
    n_draws: int,
    vary: Sequence[str] | None,
    replications: int,
    *,
    workers: int,
    scheduler: str | None,
    executor: Executor | None,
    cache: str | Path | None,
    years: float,
    releases_per_year: Mapping[str, float] | str | None = None,
    posterior: str | Path | None = None,
) -> dict[str, Any]:
    """Run the draws of a comparison; the table columns and the result's draw fields, and the
    benefit-cost analysis over the draws (its ranges cover chance and the assumptions) with the
    value of information of each drawn assumption and register group."""
    import shutil
    import tempfile

    from ..analysis.uncertainty import (
        drivers,
        paired_draw_differences,
        plan_draws,
        run_draws,
        uncertainty_columns,
    )
    from ..priors import prior_words
    from .sweep import _executor

    calibrated = None
    if posterior is not None:
        from ..analysis.abc import load_posterior

        calibrated = load_posterior(posterior, scenarios[0])
    plan = plan_draws(scenarios, n_draws, vary, replications, calibrated)
    folder = (
        Path(cache)
        if cache is not None
        else Path(tempfile.gettempdir()) / f"reintegration-sim-draws-{plan.fingerprint(scenarios)}"
    )
    clock = time.perf_counter()
    if executor is not None:
        levels, arms = run_draws(plan, scenarios, folder, executor, years=years)
    else:
        with _executor(workers, scheduler) as pool:
            levels, arms = run_draws(plan, scenarios, folder, pool, years=years)
    seconds = time.perf_counter() - clock
    base = scenarios[0].name
    assumptions = plan.assumptions()
    diffs = paired_draw_differences(levels, base)
    wanted = diffs[diffs["years"] == years].dropna(subset=["difference"])
    groups = dict(
        iter(
            wanted.groupby(
                [wanted["scenario"].astype(str), "cohort", "kind", "outcome"], observed=True
            )
        )
    )
    driver_rows = []
    for name in [s.name for s in scenarios[1:]]:
        for cohort, kind, outcome in DRIVER_OUTCOMES:
            chosen = groups.get((name, cohort, kind, outcome))
            if chosen is None or chosen.empty:
                continue
            found = drivers(chosen, assumptions, plan.keys).head(10)
            found.insert(0, "outcome", f"{cohort}.{kind}.{outcome}@{years:g}y")
            found.insert(0, "scenario", name)
            driver_rows.append(found)
    shutil.rmtree(folder, ignore_errors=True)
    economics, value_of_information = _draw_economics(
        scenarios, plan, arms, assumptions, releases_per_year
    )
    return {
        "economics": economics,
        "value_of_information": value_of_information,
        "columns": uncertainty_columns(levels, base),
        "draws": levels,
        "assumptions": assumptions,
        "drivers": pd.concat(driver_rows, ignore_index=True) if driver_rows else None,
        "draw_info": {
            "n_draws": plan.n_draws,
            "replications_per_draw": plan.replications,
            "design": "scrambled Halton, seeded with the base scenario's seed",
            "drawn": {
                key: "posterior"
                if calibrated is not None and key in calibrated.keys
                else prior_words(key, on_request=True) or ""
                for key in plan.keys
            },
            **({"posterior": str(posterior)} if posterior is not None else {}),
            "kept_as_policy": plan.policy,
            "seconds": round(seconds, 3),
        },
    }


def _draw_economics(
    scenarios: Sequence[Scenario],
    plan: Any,
    arms: pd.DataFrame,
    assumptions: pd.DataFrame,
    releases_per_year: Mapping[str, float] | str | None,
) -> tuple[Any, pd.DataFrame | None]:
    """The benefit-cost analysis over the draws, and the EVPPI of each drawn assumption (and
    each register group or lever of them) for the choice of the scenario with the highest net
    present value (willingness to pay per terrorism offence prevented: its unit cost)."""
    from ..analysis.economics import (
        COVERS_DRAWS,
        BenefitCost,
        Valuation,
        acceptability_curve,
        benefit_cost_table,
        default_wtp,
        effect_and_cost,
    )
    from ..analysis.uncertainty import evppi, net_benefit_by_draw

    base = scenarios[0].name
    valuation = Valuation.from_costs(scenarios[0].parameters.costs)
    table, paired = benefit_cost_table(
        arms.drop(columns="draw"),
        base,
        covers=COVERS_DRAWS.format(n=plan.n_draws, runs=len(arms) // len(scenarios)),
        releases_per_year=releases_per_year if isinstance(releases_per_year, Mapping) else None,
    )
    if paired.empty:
        return None, None
    effect, cost = effect_and_cost(paired, base)
    curve = acceptability_curve(effect, cost, default_wtp(valuation))
    economics = BenefitCost(valuation, base, arms, paired, table, curve)
    nb = net_benefit_by_draw(paired, arms, valuation.terrorism_offence, base)
    groups: dict[str, list[str]] = {key: [key] for key in plan.keys}
    for key in plan.keys:
        parts = key.split(".")
        group = ".".join(parts[:2]) if parts[0] == "interventions" else parts[0]
        groups.setdefault(f"group {group}", []).append(key)
    value = evppi(nb.to_numpy(), assumptions.loc[nb.index], groups)
    value.insert(1, "unit", "EUR per decision (net present value, all releases simulated)")
    return economics, value


# ---------------------------------------------------------------------- sweep, calibrate


def sweep(
    spec: str | Path,
    out: str | Path,
    *,
    overrides: Mapping[str, Any] | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    resume: bool = False,
    chunk: int = DEFAULT_CHUNK,
    progress: bool = False,
) -> dict[str, Any]:
    """Run the sensitivity sweep described by the spec file into the folder ``out`` (see
    :mod:`~reintegration_sim.workflows.sweep`), with ``overrides`` (``{key: value}``, as ``--set``)
    applied to its base scenario after the spec's own.

    Returns:
        ``folder``, ``runs`` (in the design), ``ran`` (now), ``complete`` and
        ``wall_seconds``; the indices are in ``out/indices.parquet`` and the runs in
        ``out/runs.parquet``.
    """
    from .sweep import prepare, run_sweep

    plan = prepare(spec, overrides)
    return run_sweep(
        spec,
        Path(out),
        workers=workers,
        scheduler=scheduler,
        resume=resume,
        chunk=chunk,
        progress=progress,
        plan=plan,
    )


def calibrate(
    scenario: ScenarioLike,
    fit: Sequence[str],
    *,
    method: Literal["optimise", "abc"] = "optimise",
    replications: int | None = None,
    workers: int = 1,
    max_evaluations: int = DEFAULT_MAX_EVALUATIONS,
    targets: Sequence[Target] | str | Path | None = None,
    population: int = ABC_POPULATION,
    generations: int = ABC_GENERATIONS,
    scheduler: str | None = None,
    checks: int = ABC_CHECKS,
    progress: bool = False,
) -> CalibrationRun | AbcRun:
    """Calibrate the keys ``fit`` (register parameters or lever fields) of ``scenario`` to the
    calibration targets (the shipped ones, EVIDENCE.md section 1, or ``targets``: a list or a
    targets file of the same form, :func:`~reintegration_sim.analysis.calibration.load_targets`).

    ``method="optimise"``: Nelder-Mead on common random numbers, one point
    (:mod:`~reintegration_sim.analysis.calibration`; ``replications`` per evaluation, default
    4, at most ``max_evaluations``). ``method="abc"``: Bayesian, ABC-SMC with pyabc, a
    posterior (:mod:`~reintegration_sim.analysis.abc`; ``population`` particles, ``generations``,
    ``replications`` per simulation, default 1; on ``workers`` processes or the Dask
    ``scheduler``; ``checks`` predictive simulations). The result prints itself, and
    ``.save(folder)`` writes it as ``calibrate`` does."""
    from ..analysis.calibration import calibrate as fit_scenario
    from ..analysis.calibration import resolve_targets

    if method == "abc":
        from .abc import run_abc

        return run_abc(
            as_scenario(scenario),
            fit,
            targets=targets,
            population=population,
            generations=generations,
            replications=replications or ABC_REPLICATIONS,
            workers=workers,
            scheduler=scheduler,
            checks=checks,
            progress=progress,
        )
    if method != "optimise":
        raise CalibrationError(f"method must be 'optimise' or 'abc' (got {method!r})")
    chosen, where = resolve_targets(targets)
    replications = replications or CALIBRATION_REPLICATIONS
    started, clock = now_iso(), time.perf_counter()
    result = fit_scenario(
        as_scenario(scenario),
        list(fit),
        replications=replications,
        workers=workers,
        max_evaluations=max_evaluations,
        targets=chosen,
    )
    result.targets_from = where
    return as_run(CalibrationRun, result, started, clock)


@dataclass
class CalibrationRun(CalibrationResult):
    """A calibration (:class:`~reintegration_sim.analysis.calibration.CalibrationResult`: parameters,
    fitted values, evaluations, target table) that prints and saves itself."""

    def metadata(self, command: Sequence[str] | None = None) -> dict[str, Any]:
        """The ``metadata.json`` of this calibration (the scenario as given, before the fit)."""
        from ..outputs.results import make_metadata

        return make_metadata(
            self.given if self.given is not None else self.scenario,
            replications=self.replications,
            workers=self.workers,
            started=self.started,
            command=list(command) if command is not None else None,
            extra={
                "calibration": {
                    "fitted": self.fitted,
                    "start": {p.key: p.start for p in self.parameters},
                    "objective_start": self.objective_start,
                    "objective_fitted": self.objective_fitted,
                    "evaluations": len(self.evaluations),
                    "max_evaluations": self.max_evaluations,
                    "fitted_targets": [t.key for t in self.fitted_targets],
                    "targets_from": self.targets_from,
                    "message": self.message,
                },
                "wall_seconds": round(self.seconds, 3),
            },
        )

    def save(self, folder: str | Path, command: Sequence[str] | None = None) -> Path:
        """Write the result folder (``calibration.md``, tables, metadata); it appears only once
        everything is written."""
        from ..analysis.calibration import write_calibration

        return save_folder(
            folder, command, lambda path, text: write_calibration(path, self, text), self.metadata
        )
