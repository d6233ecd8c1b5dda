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
    cmp.save("results/my-comparison")  # tables, plots, report.md and report.html

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
from ..analysis.experiment import run_scenario
from ..analysis.survival import survival_table
from ..outputs.results import now_iso
from ..scenario import Scenario, load_scenario
from .abc import AbcRun, as_run, save_folder
from .sweep import DEFAULT_CHUNK

if TYPE_CHECKING:
    from matplotlib.figure import Figure

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
        )

    def __str__(self) -> str:
        return self.text()

    def plot(self) -> Figure:
        """Paired differences from the base with 95 % intervals (forest plot)."""
        from ..outputs.plotting import forest_figure

        return forest_figure(self.table, self.years)

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
            },
        )

    def report(self) -> str:
        """The one-page report as Markdown (without figures; :meth:`save` embeds them)."""
        from ..outputs.report import report_blocks, to_markdown

        blocks = report_blocks(self.table, self.scenarios, self.metadata(), years=self.years)
        return to_markdown(blocks)

    def save(self, folder: str | Path, command: Sequence[str] | None = None) -> Path:
        """Write the result folder: tables, plots, ``report.md``, ``report.html`` and
        metadata; it appears only once everything is written."""
        from ..outputs.plotting import (
            FOREST_PNG,
            INDICATORS_PNG,
            SURVIVAL_PNG,
            write_comparison_plots,
        )
        from ..outputs.report import write_report
        from ..outputs.results import ResultFolder, write_comparison_tables, write_metadata

        out = Path(folder)
        with ResultFolder(out) as staged:
            assert staged.path is not None
            write_comparison_tables(
                staged.path, self.table, self.levels, self.timeseries, self.people
            )
            write_comparison_plots(
                staged.path, self.table, self.timeseries, self.people, years=self.years
            )
            metadata = self.metadata(command)
            write_report(
                staged.path,
                self.table,
                self.scenarios,
                metadata,
                years=self.years,
                figures={
                    "forest": FOREST_PNG,
                    "survival": SURVIVAL_PNG,
                    "indicators": INDICATORS_PNG,
                },
                destination=out,
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
) -> ComparisonResult:
    """Run every scenario on the same seeds (the base's unless ``seed`` is given) and compare
    each with the first: paired differences with 95 % intervals (chance only), costs."""
    from ..analysis.comparison import (
        comparison_table,
        main_follow_up,
        replication_levels,
        run_comparison,
    )

    if replications < 2:
        raise ValueError(f"a comparison needs at least 2 replications (got {replications})")
    loaded, run_as, common = prepare_comparison(scenarios, seed)
    started = now_iso()
    clock = time.perf_counter()
    timeseries, people = run_comparison(
        run_as, replications, workers=workers, progress=progress, executor=executor
    )
    levels = replication_levels(people, timeseries)
    table = comparison_table(levels, run_as[0].name, detectable=detect)
    shown = main_follow_up(table, years)
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
    )


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
    calibration targets (EVIDENCE.md section 1, or ``targets``: a list or a targets file).

    ``method="optimise"``: Nelder-Mead on common random numbers, one point
    (:mod:`~reintegration_sim.analysis.calibration`; ``replications`` per evaluation, default
    4, at most ``max_evaluations``). ``method="abc"``: Bayesian, ABC-SMC with pyabc, a
    posterior (:mod:`~reintegration_sim.analysis.abc`; ``population`` particles, ``generations``,
    ``replications`` per simulation, default 1; on ``workers`` processes or the Dask
    ``scheduler``; ``checks`` predictive simulations). The result prints itself, and
    ``.save(folder)`` writes it as ``calibrate`` does."""
    from ..analysis.calibration import calibrate as fit_scenario

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
    if targets is not None:
        raise CalibrationError("a targets file is used by method 'abc' only")
    replications = replications or CALIBRATION_REPLICATIONS
    started, clock = now_iso(), time.perf_counter()
    result = fit_scenario(
        as_scenario(scenario),
        list(fit),
        replications=replications,
        workers=workers,
        max_evaluations=max_evaluations,
    )
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
