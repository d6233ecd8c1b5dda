"""Running replications of a scenario.

* :func:`run_replication` runs one replication and returns its tidy tables;
* :func:`run_scenario` runs many, in this process or spread over worker processes
  (:func:`process_pool`, or any :class:`concurrent.futures.Executor`, e.g. a Dask
  ``client.get_executor()``), and concatenates the tables in replication order. Each
  replication's random streams derive statelessly from the scenario seed and the replication
  index (:mod:`reintegration_sim.model.randomness`), so the tables do not depend on the number of
  workers or on which process ran what.

What is made of the tables lives next door: :mod:`reintegration_sim.analysis.survival` (Kaplan-Meier
summaries of the event outcomes) and :mod:`reintegration_sim.analysis.comparison` (scenarios compared
on common random numbers).
"""

from __future__ import annotations

import multiprocessing
import sys
import time
from collections.abc import Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from typing import Any

import pandas as pd

from ..model.outcomes import (
    people_table,
)
from ..model.randomness import PROCESSES, process_spawn_key, replication_seed
from ..model.simulation import ReintegrationModel
from ..scenario import Scenario

__all__ = [
    "ReplicationResult",
    "estimated_seconds",
    "concat_tables",
    "process_pool",
    "process_spawn_keys",
    "replication_seeds",
    "run_replication",
    "run_scenario",
]

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
        people: one row per person (:func:`reintegration_sim.model.outcomes.people_table`).
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


def process_pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes started by a fork server where there is one (Python 3.14's default).

    A plain ``fork`` of a process that already runs threads (numpy's BLAS, tqdm's monitor) can
    deadlock; the fork server is started before any of them, preloads the model once, and forks
    the workers from that clean process. Elsewhere (Windows, macOS) workers are spawned.
    """
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods and sys.platform.startswith("linux"):
        context: BaseContext = multiprocessing.get_context("forkserver")
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
            with process_pool(min(workers, replications)) as pool:
                _run_on(pool, scenario, replications, collect)
    finally:
        bar.close()
    done = [r for r in results if r is not None]
    return concat_tables([r.timeseries for r in done]), concat_tables([r.people for r in done])


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


def concat_tables(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
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
