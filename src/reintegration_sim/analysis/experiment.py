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
import multiprocessing.context
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
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
from .stopping import check_stop, stop_requested

__all__ = [
    "ReplicationResult",
    "available_memory",
    "estimated_memory",
    "estimated_seconds",
    "concat_tables",
    "process_pool",
    "process_spawn_keys",
    "replication_seeds",
    "run_model",
    "run_replication",
    "run_scenario",
    "usable_workers",
    "worker_pool",
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


def run_model(model: ReintegrationModel) -> ReintegrationModel:
    """Run a model to its horizon as ``model.run()`` does, stopping (``KeyboardInterrupt``)
    between two weeks if the command has been asked to stop (:mod:`.stopping`)."""
    while model.running:
        model.step()
        check_stop()
    return model


def run_replication(scenario: Scenario, replication: int) -> ReplicationResult:
    """Build and run one replication of ``scenario`` to its horizon."""
    start = time.perf_counter()
    model = run_model(ReintegrationModel(scenario, replication=replication, build_graph=False))
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


def usable_workers(workers: int) -> int:
    """``workers`` capped at the number of processors this process may use."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(workers, cpus))


def _outside_paths(paths: Sequence[str]) -> list[str]:
    """``sys.path`` without the current folder ('' or its absolute path), unless that is the
    folder of the ``__main__`` script (a user's script run from its folder keeps its imports)."""
    cwd = os.path.realpath(os.getcwd())
    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    main_dir = os.path.realpath(os.path.dirname(main_file)) if main_file else None
    return [
        p for p in paths if p and (os.path.realpath(p) != cwd or os.path.realpath(p) == main_dir)
    ]


@contextmanager
def _safe_start() -> Iterator[None]:
    """While a worker (or the fork server) starts: no implicit current folder on its
    ``sys.path`` (``PYTHONSAFEPATH``, as ``python -P``: its ``-c`` start-up would otherwise
    import ``random.py`` from the caller's folder) and the parent's path handed over without it."""
    saved_env, saved_path = os.environ.get("PYTHONSAFEPATH"), list(sys.path)
    os.environ["PYTHONSAFEPATH"] = "1"
    sys.path[:] = _outside_paths(saved_path)
    try:
        yield
    finally:
        sys.path[:] = saved_path
        if saved_env is None:
            os.environ.pop("PYTHONSAFEPATH", None)
        else:
            os.environ["PYTHONSAFEPATH"] = saved_env


class _ForkServerProcess(multiprocessing.context.ForkServerProcess):
    @staticmethod
    def _Popen(process_obj: Any) -> Any:
        with _safe_start():
            return multiprocessing.context.ForkServerProcess._Popen(process_obj)


class _ForkServerContext(multiprocessing.context.ForkServerContext):
    Process = _ForkServerProcess


class _SpawnProcess(multiprocessing.context.SpawnProcess):
    @staticmethod
    def _Popen(process_obj: Any) -> Any:
        with _safe_start():
            return multiprocessing.context.SpawnProcess._Popen(process_obj)


class _SpawnContext(multiprocessing.context.SpawnContext):
    Process = _SpawnProcess


def _end_with_parent() -> None:
    """Block until the process that started this worker has gone, then end this worker."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return
    parent.join()  # its end of a pipe closes when it ends, even by SIGKILL
    os._exit(1)


def _worker_start() -> None:
    """Every worker, before its first task: the caller's folder off ``sys.path``; Ctrl-C left to
    the parent (which stops the pool); and a thread that ends the worker when the parent has
    gone, so that no worker (nor the fork server and resource tracker that wait for them)
    outlives a killed command."""
    sys.path[:] = _outside_paths(sys.path)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_end_with_parent, name="end-with-parent", daemon=True).start()


#: peak memory of a replication while it runs, bytes per person (measured: about 2.7 KB)
BYTES_PER_PERSON_RUNNING = 3_000
#: memory of a finished replication's tables until they are written, bytes per person (the
#: people table is about 400 bytes a row; concatenating copies it)
BYTES_PER_PERSON_KEPT = 1_000
#: memory of a process with the model's libraries loaded
BYTES_PER_PROCESS = 300e6


def estimated_memory(
    scenario: Scenario, replications: int, workers: int = 1, scenarios: int = 1
) -> float:
    """A rough forecast of a run's peak memory in bytes: every process's libraries, the
    replications running at once, and the tables of all of them kept until they are written."""
    pop = scenario.parameters.population
    people = pop.n_extremist + pop.n_comparison
    parallel = max(1, min(workers, replications * scenarios))
    processes = parallel + (parallel > 1)
    return (
        processes * BYTES_PER_PROCESS
        + parallel * people * BYTES_PER_PERSON_RUNNING
        + scenarios * replications * people * BYTES_PER_PERSON_KEPT
    )


def available_memory() -> float | None:
    """Bytes of memory available to a new run (Linux: MemAvailable), None if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return None


def process_pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes started by a fork server where there is one (Python 3.14's default).

    A plain ``fork`` of a process that already runs threads (numpy's BLAS, tqdm's monitor) can
    deadlock; the fork server is started before any of them, preloads the model once, and forks
    the workers from that clean process. Elsewhere (Windows, macOS) workers are spawned. Either
    way no worker imports from the caller's current folder (a ``random.py`` there is not run)
    and every worker ends when the process that started it ends (:func:`_worker_start`). Use
    :func:`worker_pool` to also stop the workers at once when the work is interrupted.
    """
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods and sys.platform.startswith("linux"):
        context: BaseContext = _ForkServerContext()
        context.set_forkserver_preload([__name__])
    else:
        context = _SpawnContext()
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_start)


@contextmanager
def worker_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """:func:`process_pool` as a context: shut down cleanly when the work is done; when it ends
    by an exception (an interruption included), the workers are ended at once instead of
    finishing what they run."""
    pool = process_pool(workers)
    try:
        yield pool
    except BaseException:
        _stop_pool(pool)
        raise
    pool.shutdown(wait=True)


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        if process.is_alive():
            process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
    deadline = time.monotonic() + 5
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()


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
            with worker_pool(min(workers, replications)) as pool:
                _run_on(pool, scenario, replications, collect)
    finally:
        bar.close()
    done = [r for r in results if r is not None]
    return concat_tables([r.timeseries for r in done]), concat_tables([r.people for r in done])


def _run_on(executor: Executor, scenario: Scenario, replications: int, collect: Any) -> None:
    futures: list[Future[ReplicationResult]] = [
        executor.submit(run_replication, scenario, r) for r in range(replications)
    ]
    pending = set(futures)
    try:
        while pending:
            done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            check_stop()
            for future in done:
                collect(future.result())
    except BaseException as exc:
        for future in futures:
            future.cancel()
        if isinstance(exc, BrokenProcessPool) and stop_requested():
            raise KeyboardInterrupt from None  # the workers were ended with the command
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
