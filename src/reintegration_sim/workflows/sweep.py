"""Sensitivity sweeps: a spec file, a seeded design, runs streamed to disk, indices at the end.

A sweep spec is TOML (paths relative to the spec file)::

    name = "small"                       # optional; default: the file name
    base = "../scenarios/baseline.toml"  # the base scenario
    method = "morris"                    # "sobol" (Saltelli, second order) or "morris"
    samples = 8                          # base sample size N (Sobol: a power of 2)
    seed = 1                             # seed of the design and of every run
    horizon_weeks = 156                  # optional: overrides the base scenario's horizon
    outcomes = ["extremist.terror_reoffence.1y", "comparison.any_reoffence.1y"]
    parameters = ["recruiters", "offending.terror_hazard"]   # register keys and/or groups
    levels = 4                           # optional, Morris only

    [ranges]                             # optional: narrow the register's plausible ranges
    "offending.terror_hazard" = [0.001, 0.003]

    [overrides.population]               # optional: fixed overrides applied to the base
    n_extremist = 300

Run ``i`` of the design simulates the design row's parameter values (integers rounded) for
``replications_per_point`` replications of the base scenario (with the spec's seed) and
averages their outcomes. With ``random_numbers = "common"`` (the default) every design point uses
replications ``0 .. R-1``: the points are compared on common random numbers, so the indices
measure what the parameters do rather than the noise between replications (as ``compare`` does
for scenarios). With ``"per_run"`` run ``i`` uses replications ``i*R .. i*R+R-1`` (independent
noise per point). Either way every run's random numbers derive statelessly from the seed and
replication indices, so results do not depend on the executor or the number of workers.

The sweep folder is **not** atomic (unlike ``run``): a sweep must survive being killed. Nothing
is written before the executor is reached. It holds ``spec.toml`` and ``base.toml`` (copies,
written first) with ``base-resolved.json`` (every parameter of the base as resolved, so that
``--resume`` refuses a base that has changed since), ``runs/part-NNNNN.parquet`` (finished
runs, appended every ``chunk`` runs, each part written to a temporary name and renamed), and,
when every run is done, ``runs.parquet``, ``indices.parquet``, ``indices.png``,
``metadata.json`` and finally the empty ``COMPLETE`` marker. A folder without ``COMPLETE`` is
unfinished: ``--resume`` reads the parts and runs only the missing run indices.

Memory does not grow with the number of runs while they execute: at most ``window`` runs are in
flight and at most ``chunk`` finished ones wait to be written. ``runs.parquet`` is assembled from
the parts in blocks of run indices (:func:`assemble_runs`), and the analysis reads back only the
outcome columns.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..analysis.sensitivity import (
    SensitivityError,
    analyze,
    evaluate,
    parameter_values,
    problem_from_register,
    resolve_parameters,
    run_size,
    sample,
    typed_values,
    validate_outcomes,
)
from ..analysis.stopping import check_stop, stop_requested
from ..keys import flatten
from ..outputs.results import ResultsError, check_out_dir, now_iso
from ..scenario import (
    MAX_SEED,
    Scenario,
    ScenarioError,
    format_validation_errors,
    load_scenario,
    read_toml,
    resolve_scenario,
)

__all__ = [
    "COMPLETE",
    "MAX_RUNS",
    "SweepError",
    "SweepSpec",
    "load_spec",
    "prepare",
    "run_sweep",
]

COMPLETE = "COMPLETE"
RUNS = "runs.parquet"
INDICES = "indices.parquet"
PLOT = "indices.png"
PARTS = "runs"
RESOLVED = "base-resolved.json"
DEFAULT_CHUNK = 200


class SweepError(ValueError):
    """A sweep spec or folder that cannot be used; the message is meant for the user."""


class SweepSpec(BaseModel):
    """A validated sweep spec (see the module docstring)."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    name: str | None = Field(None, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=80)
    description: str | None = None
    base: str = Field(min_length=1)
    method: Literal["sobol", "morris"]
    samples: int = Field(ge=1, le=1_000_000)
    seed: int = Field(ge=0, le=MAX_SEED)
    horizon_weeks: int | None = Field(None, ge=1, le=5200)
    outcomes: list[str] = Field(min_length=1)
    parameters: list[str] = Field(min_length=1)
    levels: int = Field(4, ge=2, le=20)
    replications_per_point: int = Field(1, ge=1, le=1000)
    random_numbers: Literal["common", "per_run"] = "common"
    ranges: dict[str, list[float]] = Field(default_factory=dict)
    overrides: dict[str, Any] = Field(default_factory=dict)


def load_spec(path: str | Path) -> tuple[SweepSpec, str]:
    """Read and validate a spec file: ``(spec, text)``; raises :class:`SweepError`."""
    path = Path(path)
    data, text = read_toml(path, SweepError)
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as err:
        raise SweepError(format_validation_errors(str(path), err, SweepSpec)) from None
    for key, bounds in spec.ranges.items():
        if len(bounds) != 2:
            raise SweepError(f"{path}: key 'ranges.{key}': give [low, high]")
    return spec, text


@dataclass(frozen=True)
class Plan:
    """Everything a sweep runs: the base scenario, the SALib problem and the design."""

    spec: SweepSpec
    spec_text: str
    name: str
    scenario: Scenario
    problem: dict[str, Any]
    X: np.ndarray
    excluded: list[str]

    @property
    def n_runs(self) -> int:
        return len(self.X)


#: the most runs a sweep plans without being told it may (``max_runs``, ``--allow-large``)
MAX_RUNS = 100_000


def prepare(
    spec_path: str | Path,
    overrides: Mapping[str, Any] | None = None,
    max_runs: int | None = MAX_RUNS,
) -> Plan:
    """Load the spec and base scenario (with the spec's ``[overrides]``, then ``overrides``:
    ``{key: value}`` as ``--set`` gives them), build the problem and the seeded design.
    A design of more than ``max_runs`` simulated replications is refused before it is drawn
    (None: no limit)."""
    spec_path = Path(spec_path)
    spec, text = load_spec(spec_path)
    where = str(spec_path)
    try:
        base_path = resolve_scenario(spec.base, relative_to=spec_path.parent)
        scenario = load_scenario(base_path)
    except ScenarioError as err:
        raise SweepError(f"{where}: base scenario: {err}") from None
    try:
        if spec.overrides:
            scenario = scenario.with_overrides(flatten(spec.overrides))
        if spec.horizon_weeks is not None:
            scenario = scenario.with_horizon(spec.horizon_weeks)
        scenario = scenario.with_seed(spec.seed)
    except ScenarioError as err:  # the bad value is in this spec, not in the base file
        message = str(err).removeprefix(f"{base_path}: ").replace("'parameters.", "'overrides.")
        raise SweepError(f"{where}: {message}") from None
    if overrides:
        try:
            scenario = scenario.with_overrides(overrides)
        except ScenarioError as err:
            message = str(err).removeprefix(f"{base_path}: ")
            raise SweepError(f"{where}: --set: {message}") from None
    try:
        validate_outcomes(spec.outcomes)
        _, excluded = resolve_parameters(spec.parameters)
        problem = problem_from_register(spec.parameters, spec.ranges)
    except SensitivityError as err:
        raise SweepError(f"{where}: {err}") from None
    if spec.method == "sobol" and spec.samples & (spec.samples - 1):
        raise SweepError(f"{where}: key 'samples': Sobol needs a power of 2 (got {spec.samples})")
    points = run_size(spec.method, spec.samples, problem["num_vars"])
    simulated = points * spec.replications_per_point
    if max_runs is not None and simulated > max_runs:
        raise SweepError(
            f"{where}: plans {points:,} design points x {spec.replications_per_point} "
            f"replication(s) = {simulated:,} runs, more than the {max_runs:,} allowed without "
            "--allow-large: lower 'samples' (or the parameters varied), or pass --allow-large"
        )
    X = sample(problem, spec.method, spec.samples, spec.seed, num_levels=spec.levels)
    assert len(X) == run_size(spec.method, spec.samples, problem["num_vars"])
    return Plan(spec, text, spec.name or spec_path.stem, scenario, problem, X, excluded)


# ---------------------------------------------------------------------- one run


def replications_of(run: int, per_point: int, random_numbers: str) -> list[int]:
    """The replication indices design point ``run`` simulates (see the module docstring)."""
    first = 0 if random_numbers == "common" else run * per_point
    return list(range(first, first + per_point))


def run_one(
    scenario: Scenario,
    names: Sequence[str],
    row: Sequence[float],
    run: int,
    outcomes: Sequence[str],
    replications: Sequence[int] | None = None,
) -> dict[str, Any]:
    """Run design point ``run`` of a sweep with the row's values: the mean outcome over
    ``replications`` of ``scenario`` (default: replication ``run`` alone)."""
    start = time.perf_counter()
    values = parameter_values(names, row)
    configured = scenario.with_overrides(typed_values(values))
    replications = [run] if replications is None else list(replications)
    results = [evaluate(configured, r, outcomes=outcomes) for r in replications]
    result = {key: float(np.mean([res[key] for res in results])) for key in results[0]}
    return {
        "run": run,
        "replication": replications[0],
        "replications": len(replications),
        **values,
        **result,
        "wall_seconds": time.perf_counter() - start,
    }


# ---------------------------------------------------------------------- folder


def _replications(plan: Plan, run: int) -> list[int]:
    spec = plan.spec
    return replications_of(run, spec.replications_per_point, spec.random_numbers)


def _parts(folder: Path) -> list[Path]:
    return sorted((folder / PARTS).glob("part-*.parquet"))


def _done_indices(folder: Path) -> set[int]:
    done: set[int] = set()
    for p in _parts(folder):
        done.update(int(r) for r in pd.read_parquet(p, columns=["run"])["run"])
    return done


def assemble_runs(folder: Path, n_runs: int, path: Path, block: int = 10_000) -> None:
    """Write every run of the part files to ``path`` in run order, ``block`` runs at a time.

    Only the ``run`` column of every part and the parts holding one block are in memory at once,
    so assembling 100,000 runs needs no more memory than assembling 10,000. A run found in two
    parts (not expected) is taken from the first. Raises :class:`SweepError` if a run is missing.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    parts = _parts(folder)
    where = np.full(n_runs, -1, dtype=np.int64)
    for k in range(len(parts) - 1, -1, -1):  # earlier parts overwrite later ones
        runs = pd.read_parquet(parts[k], columns=["run"])["run"].to_numpy()
        runs = runs[(runs >= 0) & (runs < n_runs)]
        where[runs] = k
    if (where < 0).any():
        raise SweepError(f"{folder}: runs missing from the part files; run again with --resume")
    tmp = path.with_suffix(".parquet.tmp")
    writer: pq.ParquetWriter | None = None
    try:
        for first in range(0, n_runs, block):
            wanted = where[first : first + block]
            frames = [pd.read_parquet(parts[k]).assign(_part=k) for k in np.unique(wanted)]
            rows = pd.concat(frames, ignore_index=True)
            run = rows["run"].to_numpy()
            inside = (run >= first) & (run < first + len(wanted))
            keep = inside & (rows["_part"].to_numpy() == where[np.where(inside, run, 0)])
            rows = rows[keep].drop(columns="_part").sort_values("run", kind="stable")
            if writer is None:
                table = pa.Table.from_pandas(rows, preserve_index=False)
                writer = pq.ParquetWriter(tmp, table.schema)
            else:
                table = pa.Table.from_pandas(rows, schema=writer.schema, preserve_index=False)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()
    tmp.replace(path)


class _PartWriter:
    def __init__(self, folder: Path, chunk: int) -> None:
        self.dir = folder / PARTS
        self.dir.mkdir(exist_ok=True)
        self.chunk = chunk
        self.rows: list[dict[str, Any]] = []
        self.next = len(list(self.dir.glob("part-*.parquet")))

    def add(self, row: dict[str, Any]) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.chunk:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        frame = pd.DataFrame(self.rows)
        path = self.dir / f"part-{self.next:05d}.parquet"
        tmp = path.with_suffix(".parquet.tmp")
        frame.to_parquet(tmp, index=False)
        tmp.replace(path)
        self.next += 1
        self.rows = []


def resolved_base(plan: Plan) -> dict[str, Any]:
    """Everything of the base scenario a run depends on, with every parameter resolved (so a
    changed register default shows even where the base file does not mention it)."""
    scenario = plan.scenario
    return {
        "horizon_weeks": scenario.horizon_weeks,
        "seed": scenario.seed,
        "parameters": scenario.parameters.model_dump(mode="json"),
        "interventions": scenario.intervention_settings(),
    }


def check_folder(out: Path, plan: Plan, resume: bool) -> None:
    """Refuse a folder that cannot hold this sweep (before anything runs): on ``resume``, the
    spec and the base scenario (its file and every resolved parameter) must be those the sweep
    started with, or the finished and the new runs would come from different models."""
    if resume:
        if not (out / "spec.toml").is_file():
            raise SweepError(f"{out}: not a sweep folder to resume (no spec.toml)")
        if (out / "spec.toml").read_text(encoding="utf-8") != plan.spec_text:
            raise SweepError(f"{out}: was started with another spec; cannot resume")
        if (out / COMPLETE).exists():
            raise SweepError(f"{out}: sweep already complete")
        base = out / "base.toml"
        resolved = out / RESOLVED
        changed = (
            base.is_file() and base.read_text(encoding="utf-8") != plan.scenario.source_text
        ) or (
            resolved.is_file()
            and json.loads(resolved.read_text(encoding="utf-8")) != resolved_base(plan)
        )
        if changed:
            raise SweepError(
                f"{out}: the base scenario (its file or the parameter register's defaults) has "
                "changed since the sweep started; cannot resume: start a new sweep"
            )
    else:  # the current folder, a name too long, a place that cannot be written...
        try:
            check_out_dir(out)
        except ResultsError as err:
            if str(err).endswith("exists and is not empty; choose another --out"):
                raise SweepError(f"{err} or use --resume") from None
            raise


def _progress(total: int, initial: int, name: str) -> Any:
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, desc=name, unit="run", file=sys.stderr)


@contextmanager
def _executor(workers: int, scheduler: str | None) -> Iterator[Executor | None]:
    if scheduler is not None:
        from dask.distributed import Client

        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, ValueError, TimeoutError) as exc:  # unreachable or not an address
            raise SweepError(f"cannot reach Dask scheduler {scheduler!r} ({exc})") from None
        try:
            yield client.get_executor()
        finally:
            client.close()
    elif workers > 1:
        from ..analysis.experiment import worker_pool

        with worker_pool(workers) as pool:
            yield pool
    else:
        yield None


def execute(
    plan: Plan,
    folder: Path,
    todo: Sequence[int],
    executor: Executor | None,
    chunk: int = DEFAULT_CHUNK,
    window: int = 256,
    on_done: Callable[[], None] | None = None,
) -> None:
    """Run the ``todo`` run indices, appending finished runs to part files every ``chunk``.

    At most ``window`` runs are in flight at a time, so neither the futures nor the results of a
    large sweep accumulate in memory.
    """
    writer = _PartWriter(folder, chunk)
    names = plan.problem["names"]
    args = (plan.scenario, names)
    pending: set[Future[dict[str, Any]]] = set()
    try:
        if executor is None:
            for run in todo:
                writer.add(
                    run_one(*args, plan.X[run], run, plan.spec.outcomes, _replications(plan, run))
                )
                if on_done:
                    on_done()
            return
        queue = iter(todo)
        exhausted = False
        while True:
            while not exhausted and len(pending) < window:
                next_run = next(queue, None)
                if next_run is None:
                    exhausted = True
                    break
                pending.add(
                    executor.submit(
                        run_one,
                        *args,
                        plan.X[next_run],
                        next_run,
                        list(plan.spec.outcomes),
                        _replications(plan, next_run),
                    )
                )
            if not pending:
                break
            finished, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            check_stop()
            for future in finished:
                writer.add(future.result())
                if on_done:
                    on_done()
    except BaseException as exc:
        for future in pending:
            future.cancel()
        if isinstance(exc, BrokenProcessPool) and stop_requested():
            raise KeyboardInterrupt from None  # the workers were ended with the command
        raise
    finally:
        writer.flush()  # keep whatever finished, also when interrupted


def run_sweep(
    spec_path: str | Path,
    out: str | Path,
    *,
    workers: int = 1,
    scheduler: str | None = None,
    executor: Executor | None = None,
    resume: bool = False,
    chunk: int = DEFAULT_CHUNK,
    limit: int | None = None,
    command: list[str] | None = None,
    progress: bool = True,
    plan: Plan | None = None,
) -> dict[str, Any]:
    """Run (or resume) a sweep into ``out``; write tables, plot, metadata and ``COMPLETE``.

    Args:
        executor: run on this executor (not shut down here) instead of ``workers``/``scheduler``.
        limit: stop after this many new runs without finishing (for tests of ``resume``).
        plan: the plan of ``spec_path`` if the caller has prepared it already.

    Returns:
        a summary dict: runs, runs run now, wall seconds, the folder, whether complete.
    """
    plan = plan if plan is not None else prepare(spec_path)
    out = Path(out)
    check_folder(out, plan, resume)
    started = now_iso()
    clock = time.perf_counter()
    given = nullcontext(executor) if executor is not None else None
    # reach the executor (a Dask scheduler may be unreachable) before anything is written
    with given or _executor(workers, scheduler) as pool:
        out.mkdir(parents=True, exist_ok=True)
        if not resume:
            (out / "spec.toml").write_text(plan.spec_text, encoding="utf-8")
            (out / "base.toml").write_text(plan.scenario.source_text, encoding="utf-8")
            (out / RESOLVED).write_text(
                json.dumps(resolved_base(plan), indent=1, sort_keys=True), encoding="utf-8"
            )
        done = _done_indices(out)
        todo = [r for r in range(plan.n_runs) if r not in done]
        if limit is not None:
            todo = todo[:limit]
        bar = _progress(plan.n_runs, len(done), plan.name) if progress else None
        try:
            execute(plan, out, todo, pool, chunk, on_done=bar.update if bar else None)
        finally:
            if bar is not None:
                bar.close()
    summary = {"folder": str(out), "runs": plan.n_runs, "ran": len(todo), "complete": False}
    if len(done) + len(todo) < plan.n_runs:
        return summary
    finish(plan, out, started, clock, workers, scheduler, command)
    summary["complete"] = True
    summary["wall_seconds"] = time.perf_counter() - clock
    return summary


def finish(
    plan: Plan,
    out: Path,
    started: str,
    clock: float,
    workers: int,
    scheduler: str | None,
    command: list[str] | None,
) -> None:
    """Combine the parts into ``runs.parquet``, analyse, plot, write metadata and ``COMPLETE``."""
    from ..outputs.results import make_metadata, write_metadata

    assemble_runs(out, plan.n_runs, out / RUNS)
    outcomes = pd.read_parquet(out / RUNS, columns=[*plan.spec.outcomes, "wall_seconds"])
    indices = analyze(
        plan.problem,
        plan.spec.method,
        plan.X,
        outcomes[list(plan.spec.outcomes)],
        seed=plan.spec.seed,
        num_levels=plan.spec.levels,
    )
    indices.to_parquet(out / INDICES, index=False)
    plot_indices(indices, plan.spec.method, out / PLOT)
    metadata = make_metadata(
        plan.scenario,
        replications=plan.n_runs,
        workers=workers,
        started=started,
        command=command,
        seeds=[],
        extra={
            "kind": "sweep",
            "sweep_name": plan.name,
            "spec_text": plan.spec_text,
            "method": plan.spec.method,
            "samples": plan.spec.samples,
            "problem": plan.problem,
            "outcomes": list(plan.spec.outcomes),
            "excluded_categorical": plan.excluded,
            "scheduler": scheduler,
            "run_seeds": (
                f"design point i averages {plan.spec.replications_per_point} replication(s) of "
                "the base scenario with root_seed (see seed_derivation): "
                + (
                    "the same replications 0..R-1 for every point (common random numbers)"
                    if plan.spec.random_numbers == "common"
                    else "replications i*R..i*R+R-1 (independent per point)"
                )
                + "; the design is SALib's, seeded with the spec's seed"
            ),
            "wall_seconds_this_session": round(time.perf_counter() - clock, 3),
            "run_wall_seconds_total": round(float(outcomes["wall_seconds"].sum()), 3),
        },
    )
    write_metadata(out, metadata)
    (out / COMPLETE).write_text("", encoding="utf-8")


def plot_indices(indices: pd.DataFrame, method: str, path: Path) -> None:
    """One horizontal bar chart per outcome: S1 and ST (Sobol) or mu* (Morris), with intervals."""
    from matplotlib.figure import Figure  # no pyplot: the process's backend stays as it is

    shown = ("S1", "ST") if method == "sobol" else ("mu_star",)
    outcomes = list(dict.fromkeys(indices["outcome"]))
    params = list(dict.fromkeys(indices.loc[indices["index"] == shown[0], "parameter"]))
    height = max(2.5, 0.35 * len(params) + 1.2)
    fig = Figure(figsize=(8, height * len(outcomes)))
    axes = fig.subplots(len(outcomes), 1, squeeze=False)
    y = np.arange(len(params))
    bar = 0.8 / len(shown)
    for ax, outcome in zip(axes[:, 0], outcomes, strict=True):
        sub = indices[indices["outcome"] == outcome]
        for k, index in enumerate(shown):
            s = sub[sub["index"] == index].set_index("parameter").reindex(params)
            ax.barh(
                y + k * bar,
                s["value"].fillna(0.0),
                height=bar,
                xerr=s["conf"].fillna(0.0),
                label=index,
            )
        ax.set_yticks(y + bar * (len(shown) - 1) / 2, params)
        ax.invert_yaxis()
        ax.set_title(outcome)
        ax.legend(loc="lower right")
        if sub["value"].isna().all():
            ax.text(0.5, 0.5, "not identified (no variation or NaN)", transform=ax.transAxes)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
