"""Running replications of a scenario, and the survival summary of their event outcomes.

* :func:`run_replication` runs one replication and returns its tidy tables;
* :func:`run_scenario` runs many, in this process or spread over worker processes (or any
  :class:`concurrent.futures.Executor`, e.g. a Dask ``client.get_executor()``), and concatenates
  the tables in replication order. Each replication's random streams derive statelessly from the
  scenario seed and the replication index (:mod:`reintegration_sim.randomness`), so the tables do
  not depend on the number of workers or on which process ran what;
* :func:`survival_table` summarises the event outcomes as Kaplan-Meier cumulative incidence from
  first release, the figures the run summary prints and calibration is judged against.
"""

from __future__ import annotations

import multiprocessing
import sys
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .model import ReintegrationModel
from .outcomes import EVENT_OUTCOMES, EventOutcome, people_table
from .population import WEEKS_PER_YEAR
from .randomness import PROCESSES, process_spawn_key, replication_seed
from .scenario import Scenario

__all__ = [
    "COHORTS",
    "SURVIVAL_YEARS",
    "ReplicationResult",
    "estimated_seconds",
    "event_durations",
    "process_spawn_keys",
    "replication_seeds",
    "run_replication",
    "run_scenario",
    "survival_table",
]

#: cohorts reported in survival summaries (the pooled "all" is left to the tables)
COHORTS: tuple[str, ...] = ("extremist", "comparison")
#: follow-up years of the survival summary
SURVIVAL_YEARS: tuple[int, ...] = (1, 2, 3, 5)
#: show a progress bar when a run is expected to take longer than this (seconds)
PROGRESS_AFTER_SECONDS = 3.0
#: measured throughput of one replication, person-weeks per second (baseline: 2000 x 520 in ~1 s)
_PERSON_WEEKS_PER_SECOND = 1.0e6


@dataclass(frozen=True)
class ReplicationResult:
    """The tables of one replication.

    Attributes:
        replication: its index.
        timeseries: tidy weekly indicators (scenario, replication, week, cohort, indicator, value).
        people: one row per person (:func:`reintegration_sim.outcomes.people_table`).
        wall_seconds: wall-clock time of building and running the model.
    """

    replication: int
    timeseries: pd.DataFrame
    people: pd.DataFrame
    wall_seconds: float


def run_replication(scenario: Scenario, replication: int) -> ReplicationResult:
    """Build and run one replication of ``scenario`` to its horizon."""
    start = time.perf_counter()
    model = ReintegrationModel(scenario, replication=replication, build_graph=False).run()
    timeseries = model.recorder.frame(scenario.name, replication)
    people = people_table(model)
    return ReplicationResult(replication, timeseries, people, time.perf_counter() - start)


def replication_seeds(scenario: Scenario, replications: int) -> list[dict[str, Any]]:
    """What fixes each replication's random numbers, for the result folder's metadata.

    Process ``name`` of replication ``r`` draws from
    ``SeedSequence(root_seed, spawn_key=(r, crc32(name)))``; Mesa's own generator is seeded
    with ``mesa_seed``, the first word of ``SeedSequence(root_seed, spawn_key=(r,))``.
    """
    seeds = []
    for r in range(replications):
        seq = replication_seed(scenario.seed, r)
        seeds.append(
            {
                "replication": r,
                "entropy": scenario.seed,
                "spawn_key": list(seq.spawn_key),
                "mesa_seed": int(seq.generate_state(1)[0]),
            }
        )
    return seeds


def process_spawn_keys() -> dict[str, int]:
    """The second spawn-key element of each named random process (``crc32`` of its name)."""
    return {name: process_spawn_key(name) for name in PROCESSES}


def estimated_seconds(scenario: Scenario, replications: int, workers: int = 1) -> float:
    """A rough forecast of a run's wall time (used to decide whether to show progress)."""
    pop = scenario.parameters.population
    per_replication = (pop.n_extremist + pop.n_comparison) * scenario.horizon_weeks
    parallel = max(1, min(workers, replications))
    return replications * per_replication / _PERSON_WEEKS_PER_SECOND / parallel


def _process_pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes started by a fork server where there is one (Python 3.14's default).

    A plain ``fork`` of a process that already runs threads (numpy's BLAS, tqdm's monitor) can
    deadlock; the fork server is started before any of them, preloads the model once, and forks
    the workers from that clean process. Elsewhere (Windows, macOS) workers are spawned.
    """
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods and sys.platform.startswith("linux"):
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
    else:
        context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


def run_scenario(
    scenario: Scenario,
    replications: int,
    workers: int = 1,
    progress: bool = True,
    executor: Executor | None = None,
    on_result: Any = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run replications ``0 .. replications-1`` and concatenate their tables in that order.

    Args:
        scenario: the scenario to run.
        replications: how many (at least 1).
        workers: worker processes; 1 runs everything in this process. Ignored when
            ``executor`` is given.
        progress: allow a progress bar on stderr. It is shown only when stderr is a terminal
            and the run is expected to take more than a few seconds.
        executor: run on this executor instead (not shut down here), e.g. a Dask
            ``client.get_executor()``.
        on_result: optional callable given each :class:`ReplicationResult` as it arrives
            (in completion order), e.g. to record wall times.

    Returns:
        ``(timeseries, people)``, identical whatever ``workers`` or ``executor``.
    """
    if replications < 1:
        raise ValueError(f"replications must be at least 1 (got {replications})")
    if workers < 1:
        raise ValueError(f"workers must be at least 1 (got {workers})")
    show = progress and estimated_seconds(scenario, replications, workers) > PROGRESS_AFTER_SECONDS
    bar = _progress_bar(replications, scenario.name, show)
    results: list[ReplicationResult | None] = [None] * replications

    def collect(result: ReplicationResult) -> None:
        results[result.replication] = result
        if on_result is not None:
            on_result(result)
        bar.update(1)

    try:
        if executor is not None:
            _run_on(executor, scenario, replications, collect)
        elif workers == 1 or replications == 1:
            for r in range(replications):
                collect(run_replication(scenario, r))
        else:
            with _process_pool(min(workers, replications)) as pool:
                _run_on(pool, scenario, replications, collect)
    finally:
        bar.close()
    done = [r for r in results if r is not None]
    return _concat([r.timeseries for r in done]), _concat([r.people for r in done])


def _run_on(executor: Executor, scenario: Scenario, replications: int, collect: Any) -> None:
    futures: list[Future[ReplicationResult]] = [
        executor.submit(run_replication, scenario, r) for r in range(replications)
    ]
    try:
        for future in as_completed(futures):
            collect(future.result())
    except BaseException:
        for future in futures:
            future.cancel()
        raise


class _NoBar:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def _progress_bar(total: int, name: str, show: bool) -> Any:
    if not show or not sys.stderr.isatty():
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, desc=name, unit="run", file=sys.stderr, leave=False)


def _concat(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate tables, keeping categorical columns categorical (categories unioned)."""
    if len(frames) == 1:
        return frames[0].reset_index(drop=True)
    out = pd.concat(frames, ignore_index=True)
    for column in frames[0].columns:
        if isinstance(frames[0][column].dtype, pd.CategoricalDtype) and not isinstance(
            out[column].dtype, pd.CategoricalDtype
        ):
            categories: list[Any] = []
            for frame in frames:
                categories += [c for c in frame[column].cat.categories if c not in categories]
            out[column] = pd.Categorical(out[column], categories=categories)
    return out


# ---------------------------------------------------------------------- survival


def event_durations(people: pd.DataFrame, outcome: EventOutcome) -> tuple[np.ndarray, np.ndarray]:
    """Durations (weeks from first release) and event flags of the people ever released.

    The duration is ``weeks_to_<outcome>`` for those with the event (0 = in the week of release)
    and ``followup_weeks`` (to death or the horizon) for the censored.
    """
    released = people["followup_weeks"].to_numpy() >= 0
    weeks_to = people[f"weeks_to_{outcome.key}"].to_numpy()[released]
    followup = people["followup_weeks"].to_numpy()[released]
    event = weeks_to >= 0
    return np.where(event, weeks_to, followup).astype(float), event


def survival_table(
    people: pd.DataFrame,
    outcomes: Iterable[EventOutcome] = EVENT_OUTCOMES,
    years: Iterable[float] = SURVIVAL_YEARS,
) -> pd.DataFrame:
    """Kaplan-Meier cumulative incidence of each event outcome after first release, by cohort.

    Among the people ever released, pooled over replications, per cohort and outcome:
    time is weeks from first release to the first event, censored at death or the horizon
    (``followup_weeks``); the cumulative incidence at ``t`` is ``1 - S(t)`` with ``S`` the
    Kaplan-Meier estimate (lifelines), counting events at ``t`` itself and events in the week
    of release (duration 0). The 95 % interval is lifelines' exponential Greenwood interval.
    Where nobody is followed up to ``t`` the estimate is not identified and is NaN.

    Pooling replications makes the interval that of the model's expected incidence (Monte Carlo
    precision), not the sampling uncertainty of a real cohort of one replication's size.

    Returns:
        one row per cohort, outcome and year: ``cohort, outcome, label, years, weeks,
        n_released, n_events`` (events over the whole follow-up), ``n_events_by`` (events at or
        before ``t``), ``n_at_risk`` (followed up to at least ``t``), ``cum_incidence,
        ci_lower, ci_upper`` (fractions).
    """
    from lifelines import KaplanMeierFitter

    outcomes = tuple(outcomes)
    years = tuple(years)
    rows = []
    for cohort in COHORTS:
        group = people[people["cohort"].astype(str) == cohort]
        for outcome in outcomes:
            durations, event = event_durations(group, outcome)
            fitter = None
            if durations.size:
                fitter = KaplanMeierFitter(alpha=0.05).fit(durations, event)
            for year in years:
                weeks = year * WEEKS_PER_YEAR
                row = {
                    "cohort": cohort,
                    "outcome": outcome.key,
                    "label": outcome.label,
                    "years": year,
                    "weeks": weeks,
                    "n_released": int(durations.size),
                    "n_events": int(event.sum()),
                    "n_events_by": int((event & (durations <= weeks)).sum()),
                    "n_at_risk": int((durations >= weeks).sum()),
                    "cum_incidence": np.nan,
                    "ci_lower": np.nan,
                    "ci_upper": np.nan,
                }
                if fitter is not None and durations.max() >= weeks:
                    surv = _step_at(fitter.survival_function_.iloc[:, 0], weeks)
                    ci = fitter.confidence_interval_survival_function_
                    row["cum_incidence"] = 1.0 - surv
                    row["ci_lower"] = 1.0 - _step_at(ci.iloc[:, 1], weeks)
                    row["ci_upper"] = 1.0 - _step_at(ci.iloc[:, 0], weeks)
                rows.append(row)
    return pd.DataFrame(rows, columns=_SURVIVAL_COLUMNS)


_SURVIVAL_COLUMNS = [
    "cohort",
    "outcome",
    "label",
    "years",
    "weeks",
    "n_released",
    "n_events",
    "n_events_by",
    "n_at_risk",
    "cum_incidence",
    "ci_lower",
    "ci_upper",
]


def _step_at(curve: pd.Series, t: float) -> float:
    """Value of a right-continuous step function (index = times, starting at 0) at ``t``."""
    return float(curve[curve.index <= t].iloc[-1])
