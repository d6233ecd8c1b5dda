"""Bayesian calibration: approximate Bayesian computation (ABC-SMC, pyabc) of register
parameters against the calibration targets, and the posterior it leaves.

* :func:`abc_calibrate` draws the parameters from their priors (:func:`~reintegration_sim.priors.prior_of`),
  simulates the scenario for each draw with fresh random numbers, and keeps the draws whose
  simulated targets lie close to the published ones: the distance is
  ``sqrt(sum(((simulated - target) / half-width of the target's range) ** 2))`` over the targets
  the parameters can move (:func:`~reintegration_sim.analysis.calibration.relevant_targets`).
  pyabc's sequential Monte Carlo lowers the tolerance generation by generation (each the median
  distance of the one before); the weighted particles of the last generation are the posterior.
  A posterior predictive check simulates the targets again from posterior draws.
* :class:`Posterior` (:func:`load_posterior`, :func:`write_posterior`) is that posterior as a
  file, ``posterior.parquet``: one column per parameter and ``weight``, with the scenario's
  name and a hash of the parameter register (:func:`register_hash`) in its metadata, so a
  posterior made for another scenario or another register is refused
  (:class:`PosteriorError`). :meth:`Posterior.sample` draws parameters jointly by weight from
  uniform numbers, so a quasi-random design can drive it.
* :func:`~reintegration_sim.analysis.calibration.load_targets` (re-exported here) reads a
  targets file (TOML, the form of the shipped ``targets/evidence.toml``).

pyabc is imported only when a calibration runs (it takes seconds to import).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import math
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats

from ..keys import all_keys, canonical, current_value, unknown_key_message
from ..priors import Prior, prior_of
from ..scenario import Scenario
from .calibration import (
    SHIPPED_TARGETS,
    TARGETS,
    CalibrationError,
    Target,
    definitions_markdown,
    load_targets,
    relevant_targets,
)

if TYPE_CHECKING:
    from pyabc.random_variables import RVBase

__all__ = [
    "DEFAULT_CHECKS",
    "DEFAULT_GENERATIONS",
    "DEFAULT_POPULATION",
    "DEFAULT_REPLICATIONS",
    "AbcResult",
    "Posterior",
    "PosteriorError",
    "abc_calibrate",
    "abc_markdown",
    "identified_targets",
    "load_posterior",
    "load_targets",
    "posterior_path",
    "prior_pdf",
    "register_hash",
    "resolve_abc_keys",
    "write_abc",
    "write_posterior",
]

#: particles per generation
DEFAULT_POPULATION = 100
#: generations (populations) of ABC-SMC
DEFAULT_GENERATIONS = 5
#: replications pooled in each simulation of a particle
DEFAULT_REPLICATIONS = 1
#: simulations from posterior draws in the posterior predictive check
DEFAULT_CHECKS = 40
#: the central interval reported for priors, posteriors and predictive checks
INTERVAL = 0.9
#: the metadata key of a posterior file (parquet schema metadata, JSON)
POSTERIOR_METADATA = b"reintegration_sim.posterior"
#: the format of the posterior file; raise when its meaning changes
POSTERIOR_FORMAT = 1
#: register groups left out of the register hash: they value outcomes after the simulation
#: and do not change it
UNHASHED_GROUPS = ("costs",)


class PosteriorError(ValueError):
    """A posterior file that cannot be used here; the message is meant for the user."""


# ---------------------------------------------------------------------- targets


def identified_targets(scenario: Scenario, targets: Sequence[Target]) -> list[Target]:
    """The targets the scenario's horizon can identify (follow-up ``years`` within it)."""
    return [t for t in targets if t.years * 52 < scenario.horizon_weeks]


# ---------------------------------------------------------------------- priors


def resolve_abc_keys(scenario: Scenario, keys: Sequence[str]) -> dict[str, Prior]:
    """``{key: prior}`` of the keys to calibrate (``GROUP.NAME`` or
    ``interventions.LEVER.FIELD``), in the order given; raises
    :class:`~reintegration_sim.analysis.calibration.CalibrationError` for an unknown, repeated,
    non-numeric or whole-number key."""
    if not keys:
        raise CalibrationError("--fit needs at least one parameter GROUP.NAME")
    register = {k: i for k, i in all_keys().items() if i.kind != "scenario"}
    out: dict[str, Prior] = {}
    for raw in keys:
        key = canonical(raw)
        if key in out:
            raise CalibrationError(f"parameter '{key}' is given twice")
        info = register.get(key)
        if info is None:
            message = unknown_key_message(key, register).replace("unknown key", "unknown parameter")
            raise CalibrationError(message)
        prior = prior_of(key, on_request=True)
        if prior is None or not info.numeric:
            raise CalibrationError(f"parameter '{key}' is not a number with a prior")
        if info.integer:
            raise CalibrationError(
                f"parameter '{key}' takes whole numbers; ABC calibrates continuous parameters"
            )
        if not prior.high > prior.low:
            raise CalibrationError(f"parameter '{key}' has a prior of one value ({prior.mode:g})")
        if current_value(scenario, key) is None and info.kind == "parameter":
            raise CalibrationError(f"parameter '{key}' has no value in the scenario")
        out[key] = prior
    return out


def prior_pdf(prior: Prior, x: np.ndarray | float) -> np.ndarray:
    """The density of ``prior`` at ``x`` (the distribution :meth:`Prior.ppf` inverts)."""
    x = np.asarray(x, dtype=float)
    width = prior.high - prior.low
    if prior.family == "triangular":
        c = (prior.mode - prior.low) / width
        density = stats.triang.pdf(x, c, loc=prior.low, scale=width)
    elif prior.family == "beta-PERT":
        a = 1.0 + 4.0 * (prior.mode - prior.low) / width
        b = 1.0 + 4.0 * (prior.high - prior.mode) / width
        density = stats.beta.pdf((x - prior.low) / width, a, b) / width
    else:
        dist = stats.lognorm(prior.spread, scale=prior.mode)
        mass = dist.cdf(prior.high) - dist.cdf(prior.low)
        density = dist.pdf(x) / mass
    return np.where((x >= prior.low) & (x <= prior.high), density, 0.0)


@functools.cache
def _prior_grid(prior: Prior) -> np.ndarray:
    """Values of the prior at 20,000 evenly spaced probabilities: its moments and quantiles."""
    n = 20_000
    return prior.ppf((np.arange(n) + 0.5) / n)


def _make_rv(prior: Prior) -> RVBase:
    """``prior`` as a pyabc random variable (sampled through :meth:`Prior.ppf` from numpy's
    global generator, which pyabc seeds in each worker)."""
    from pyabc.random_variables import RVBase

    class PriorRV(RVBase):
        def __init__(self, prior: Prior) -> None:
            self.prior = prior

        def copy(self) -> PriorRV:
            return PriorRV(self.prior)

        def rvs(self, *args: Any, **kwargs: Any) -> float:
            return float(self.prior.ppf(np.asarray(np.random.uniform())))  # noqa: NPY002 - pyabc seeds it

        def pmf(self, x: Any, *args: Any, **kwargs: Any) -> float:
            return 0.0

        def pdf(self, x: Any, *args: Any, **kwargs: Any) -> float:
            return float(prior_pdf(self.prior, x))

        def cdf(self, x: Any, *args: Any, **kwargs: Any) -> float:
            return float(np.mean(_prior_grid(self.prior) <= x))

        def __reduce__(self) -> tuple[Any, ...]:
            return (_make_rv, (self.prior,))

    return PriorRV(prior)


# ---------------------------------------------------------------------- register hash


def register_hash() -> str:
    """A short hash of the parameter register: every key with its default and plausible range
    (the groups in :data:`UNHASHED_GROUPS` left out). A posterior is valid for the register it
    was made with."""
    rows = [
        [key, repr(info.default), [repr(v) for v in info.plausible]]
        for key, info in sorted(all_keys().items())
        if info.kind == "parameter" and key.split(".")[0] not in UNHASHED_GROUPS
    ]
    text = json.dumps(rows, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


# ---------------------------------------------------------------------- simulation


def simulate_targets(
    scenario: Scenario,
    values: Mapping[str, float],
    seed: int,
    replications: int,
    targets: Sequence[Target],
) -> dict[str, float]:
    """The simulated value (per cent) of each target with the parameters ``values``, the
    scenario seeded with ``seed`` (NaN where the run does not identify it)."""
    from .calibration import simulated_values
    from .experiment import run_scenario

    candidate = scenario.with_overrides({**dict(values), "seed": int(seed)})
    _, people = run_scenario(candidate, replications, workers=1, progress=False)
    sims = simulated_values(people, targets)
    return {t.key: float(sims[t.key][0]) for t in targets}


@dataclass(frozen=True)
class _Model:
    """The pyabc model: parameters to simulated targets, with a fresh seed each call."""

    scenario: Scenario
    replications: int
    targets: tuple[Target, ...]

    def __call__(self, parameters: Mapping[str, float]) -> dict[str, float]:
        seed = int(np.random.randint(0, 2**62))  # noqa: NPY002 - pyabc seeds it per worker
        values = {k: float(v) for k, v in parameters.items()}
        return simulate_targets(self.scenario, values, seed, self.replications, self.targets)


@dataclass(frozen=True)
class _Distance:
    """Euclidean distance of the targets in half-widths of each target's range; a target the
    simulation does not identify puts the particle at an infinite distance."""

    half_widths: tuple[tuple[str, float], ...]

    def __call__(self, x: Mapping[str, float], x0: Mapping[str, float]) -> float:
        total = 0.0
        for key, half in self.half_widths:
            value = float(x[key])
            if not math.isfinite(value):
                return math.inf
            total += ((value - float(x0[key])) / half) ** 2
        return math.sqrt(total)


@contextlib.contextmanager
def _seeded(seed: int) -> Iterator[None]:
    """numpy's global generator seeded (pyabc draws from it), restored afterwards."""
    state = np.random.get_state()  # noqa: NPY002
    np.random.seed(seed % 2**32)  # noqa: NPY002
    try:
        yield
    finally:
        np.random.set_state(state)  # noqa: NPY002


@contextlib.contextmanager
def _dask_client(scheduler: str) -> Iterator[Any]:
    from distributed import Client

    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise CalibrationError(f"cannot reach Dask scheduler {scheduler!r} ({exc})") from None
    try:
        yield client
    finally:
        client.close()


@contextlib.contextmanager
def _quiet_pyabc(progress: bool) -> Iterator[None]:
    import logging

    logger = logging.getLogger("ABC")
    level = logger.level
    logger.setLevel(logging.INFO if progress else logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


# ---------------------------------------------------------------------- result


@dataclass
class AbcResult:
    """What :func:`abc_calibrate` found.

    Attributes:
        scenario: the scenario calibrated (as given).
        priors: ``{key: prior}`` of the calibrated parameters.
        targets: every target asked for; ``fitted_targets`` those in the distance.
        particles: the posterior: one column per parameter and ``weight`` (summing to 1).
        parameters: per parameter, prior and posterior summaries and the shrinkage
            ``1 - posterior variance / prior variance``.
        generations: per generation ``t``, ``epsilon`` (tolerance), ``particles``,
            ``simulations``, ``acceptance_rate`` and ``ess`` (effective sample size).
        check: the posterior predictive check, one row per target.
        check_draws: each predictive simulation: ``draw``, the parameters and each target.
        population, max_generations, replications, workers, scheduler, seed: as run.
        simulations: all model simulations of the ABC (its calibration sample included).
        database: pyabc's sqlite database, as bytes (written as ``abc.db``).
        seconds, started: wall time and start (set by the workflow).
        targets_from: where the targets come from, in words (the shipped ones or a file).
    """

    scenario: Scenario
    priors: dict[str, Prior]
    targets: list[Target]
    fitted_targets: list[Target]
    particles: pd.DataFrame
    parameters: pd.DataFrame
    generations: pd.DataFrame
    check: pd.DataFrame
    check_draws: pd.DataFrame
    population: int
    max_generations: int
    replications: int
    workers: int
    scheduler: str | None
    seed: int
    simulations: int
    abc_seconds: float
    database: bytes = field(default=b"", repr=False)
    started: str = ""
    seconds: float = 0.0
    targets_from: str = SHIPPED_TARGETS

    @property
    def keys(self) -> list[str]:
        return list(self.priors)

    def posterior(self) -> Posterior:
        """The posterior as :func:`load_posterior` gives it back."""
        return Posterior(
            keys=self.keys,
            values=self.particles[self.keys].to_numpy(dtype=float),
            weights=self.particles["weight"].to_numpy(dtype=float),
            metadata=self.posterior_metadata(),
        )

    def posterior_metadata(self) -> dict[str, Any]:
        from .._version import __version__

        pop = self.scenario.parameters.population
        return {
            "format": POSTERIOR_FORMAT,
            "scenario": self.scenario.name,
            "register_hash": register_hash(),
            "package_version": __version__,
            "keys": self.keys,
            "priors": {k: p.describe() for k, p in self.priors.items()},
            "targets": [t.key for t in self.fitted_targets],
            "population": self.population,
            "generations": int(len(self.generations)),
            "replications": self.replications,
            "n_extremist": pop.n_extremist,
            "n_comparison": pop.n_comparison,
            "horizon_weeks": self.scenario.horizon_weeks,
            "seed": self.seed,
            "epsilon": float(self.generations["epsilon"].iloc[-1]),
        }

    def particles_per_minute(self) -> float:
        """Model simulations of the ABC per minute of its wall time."""
        return 60.0 * self.simulations / self.abc_seconds if self.abc_seconds > 0 else math.nan

    def text(self) -> str:
        """What the command line prints."""
        last = self.generations.iloc[-1]
        lines = [
            f"ABC-SMC calibration of {self.scenario.label}: {len(self.generations)} generations of "
            f"{self.population} particles, {self.simulations} simulations; final tolerance "
            f"{last['epsilon']:.3g} (distance in half-widths of the target ranges), effective "
            f"sample size {last['ess']:.0f}",
        ]
        for r in self.parameters.itertuples():
            lines.append(
                f"  {r.parameter}: prior {r.prior}; posterior median {r.posterior_median:.4g} "
                f"(90 % {r.posterior_low:.4g} to {r.posterior_high:.4g}), shrinkage "
                f"{r.shrinkage:.2f}"
            )
        for r in self.check.itertuples():
            mark = "target inside" if r.covers_target else "target OUTSIDE"
            lines.append(
                f"  {r.target}: predicted {r.predicted_median:.1f} % (90 % "
                f"{r.predicted_low:.1f}-{r.predicted_high:.1f}), target {r.target_value:g} "
                f"({r.low:g}-{r.high:g}): {mark}" + ("" if r.fitted_on else " [not fitted]")
            )
        lines.append(
            "Posterior intervals combine what the targets say with the priors; the predictive "
            "intervals include the model's chance variation at this population size."
        )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()


# ---------------------------------------------------------------------- the calibration


def abc_calibrate(
    scenario: Scenario,
    keys: Sequence[str],
    *,
    targets: Sequence[Target] = TARGETS,
    population: int = DEFAULT_POPULATION,
    generations: int = DEFAULT_GENERATIONS,
    replications: int = DEFAULT_REPLICATIONS,
    workers: int = 1,
    scheduler: str | None = None,
    checks: int = DEFAULT_CHECKS,
    progress: bool = False,
) -> AbcResult:
    """ABC-SMC of the parameters ``keys`` of ``scenario`` against ``targets``.

    Each particle's simulation runs ``replications`` replications of the scenario seeded afresh,
    so the posterior carries the model's chance variation. Samplers: pyabc's
    ``DaskDistributedSampler`` on the Dask scheduler ``scheduler``; else
    ``MulticoreEvalParallelSampler`` with ``workers`` processes; else (``workers`` 1)
    ``SingleCoreSampler``, seeded from the scenario's seed, which makes the result
    reproducible. pyabc's database lives in a temporary folder and is returned as bytes.
    """
    import pyabc

    for name, value in (
        ("--population", population),
        ("--generations", generations),
        ("--replications", replications),
        ("--workers", workers),
    ):
        if value < 1:
            raise CalibrationError(f"{name} must be at least 1 (got {value})")
    if checks < 0:
        raise CalibrationError(f"checks must be at least 0 (got {checks})")
    priors = resolve_abc_keys(scenario, keys)
    usable = identified_targets(scenario, targets)
    fitted = relevant_targets(list(priors), usable)
    if not fitted:
        raise CalibrationError(
            f"no target the parameters can move is identified within the horizon of "
            f"{scenario.horizon_weeks} weeks"
        )
    model = _Model(scenario, replications, tuple(usable))
    distance = _Distance(tuple((t.key, t.half_width) for t in fitted))
    observed = {t.key: t.value for t in usable}
    prior = pyabc.Distribution(**{k: _make_rv(p) for k, p in priors.items()})

    with contextlib.ExitStack() as stack:
        client = stack.enter_context(_dask_client(scheduler)) if scheduler else None
        if client is not None:
            sampler: Any = pyabc.sampler.DaskDistributedSampler(dask_client=client)
        elif workers > 1:
            sampler = pyabc.sampler.MulticoreEvalParallelSampler(n_procs=workers)
        else:
            sampler = pyabc.sampler.SingleCoreSampler()
        sampler.show_progress = False
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="abc-")))
        db = folder / "abc.db"
        stack.enter_context(_quiet_pyabc(progress))
        stack.enter_context(_seeded(scenario.seed))
        abc = pyabc.ABCSMC(
            model,
            prior,
            distance,
            population_size=population,
            sampler=sampler,
        )
        clock = time.perf_counter()
        abc.new(f"sqlite:///{db}", observed)
        history = abc.run(max_nr_populations=generations)
        abc_seconds = time.perf_counter() - clock
        table, weights = history.get_distribution(m=0, t=history.max_t)
        particles = table[list(priors)].reset_index(drop=True)
        particles["weight"] = np.asarray(weights, dtype=float) / float(np.sum(weights))
        diagnostics = _diagnostics(history, list(priors))
        simulations = int(history.total_nr_simulations)
        posterior = Posterior(
            list(priors), particles[list(priors)].to_numpy(float), particles["weight"].to_numpy()
        )
        executor = client.get_executor() if client is not None else None
        draws = _predictive_draws(
            scenario, posterior, usable, replications, checks, workers, executor
        )
        database = db.read_bytes()

    return AbcResult(
        scenario=scenario,
        priors=priors,
        targets=list(targets),
        fitted_targets=fitted,
        particles=particles,
        parameters=parameter_table(priors, posterior),
        generations=diagnostics,
        check=check_table(usable, fitted, draws),
        check_draws=draws,
        population=population,
        max_generations=generations,
        replications=replications,
        workers=workers,
        scheduler=scheduler,
        seed=scenario.seed,
        simulations=simulations,
        abc_seconds=abc_seconds,
        database=database,
    )


def _diagnostics(history: Any, keys: list[str]) -> pd.DataFrame:
    from pyabc.weighted_statistics import effective_sample_size

    pops = history.get_all_populations()
    rows = []
    for r in pops[pops["t"] >= 0].itertuples():
        _, w = history.get_distribution(m=0, t=int(r.t))
        rows.append(
            {
                "t": int(r.t),
                "epsilon": float(r.epsilon),
                "particles": int(r.particles),
                "simulations": int(r.samples),
                "acceptance_rate": float(r.particles) / float(r.samples),
                "ess": float(effective_sample_size(np.asarray(w, dtype=float))),
            }
        )
    return pd.DataFrame(rows)


def _predictive_draws(
    scenario: Scenario,
    posterior: Posterior,
    targets: Sequence[Target],
    replications: int,
    checks: int,
    workers: int,
    executor: Executor | None,
) -> pd.DataFrame:
    """``checks`` simulations of the targets from posterior draws (stratified by weight), each
    with its own seed derived from the scenario's."""
    from .experiment import process_pool

    columns = ["draw", *posterior.keys, *(t.key for t in targets)]
    if checks == 0:
        return pd.DataFrame(columns=columns)
    u = (np.arange(checks) + 0.5) / checks
    values = posterior.sample(u)
    tasks = []
    for i in range(checks):
        seed = int(np.random.SeedSequence(scenario.seed, spawn_key=(i, 77)).generate_state(1)[0])
        point = {k: float(v[i]) for k, v in values.items()}
        tasks.append((point, seed))
    run = functools.partial(_simulate_task, scenario, replications, tuple(targets))
    if executor is not None:
        results = list(executor.map(run, tasks))
    elif workers > 1:
        with process_pool(min(workers, checks)) as pool:
            results = list(pool.map(run, tasks))
    else:
        results = [run(task) for task in tasks]
    rows = [
        {"draw": i, **point, **sims}
        for i, ((point, _), sims) in enumerate(zip(tasks, results, strict=True))
    ]
    return pd.DataFrame(rows, columns=columns)


def _simulate_task(
    scenario: Scenario,
    replications: int,
    targets: tuple[Target, ...],
    task: tuple[dict[str, float], int],
) -> dict[str, float]:
    point, seed = task
    return simulate_targets(scenario, point, seed, replications, targets)


def _weighted_quantile(x: np.ndarray, w: np.ndarray, q: float) -> float:
    order = np.argsort(x)
    cdf = np.cumsum(w[order]) / np.sum(w)
    return float(x[order][min(int(np.searchsorted(cdf, q)), len(x) - 1)])


def parameter_table(priors: Mapping[str, Prior], posterior: Posterior) -> pd.DataFrame:
    """Per parameter: the prior (its description, mean, sd and central 90 %), the posterior
    (mean, median, sd, central 90 %) and the shrinkage ``1 - posterior var / prior var``."""
    tail = (1.0 - INTERVAL) / 2.0
    rows = []
    for j, (key, prior) in enumerate(priors.items()):
        grid = _prior_grid(prior)
        x, w = posterior.values[:, j], posterior.weights
        mean = float(np.sum(w * x))
        var = float(np.sum(w * (x - mean) ** 2))
        prior_var = float(np.var(grid))
        rows.append(
            {
                "parameter": key,
                "prior": prior.describe(),
                "prior_mean": float(np.mean(grid)),
                "prior_sd": math.sqrt(prior_var),
                "prior_low": float(np.quantile(grid, tail)),
                "prior_high": float(np.quantile(grid, 1.0 - tail)),
                "posterior_mean": mean,
                "posterior_median": _weighted_quantile(x, w, 0.5),
                "posterior_sd": math.sqrt(var),
                "posterior_low": _weighted_quantile(x, w, tail),
                "posterior_high": _weighted_quantile(x, w, 1.0 - tail),
                "shrinkage": 1.0 - var / prior_var if prior_var > 0 else math.nan,
            }
        )
    return pd.DataFrame(rows)


def check_table(
    targets: Sequence[Target], fitted: Sequence[Target], draws: pd.DataFrame
) -> pd.DataFrame:
    """The posterior predictive check: each target against the distribution of its simulated
    value over the predictive draws (median, central 90 %, the share of draws inside the
    target's range and the share below its value)."""
    tail = (1.0 - INTERVAL) / 2.0
    fitted_keys = {t.key for t in fitted}
    rows = []
    for t in targets:
        sims = draws[t.key].to_numpy(dtype=float) if t.key in draws else np.array([])
        sims = sims[np.isfinite(sims)]
        some = sims.size > 0
        low = float(np.quantile(sims, tail)) if some else math.nan
        high = float(np.quantile(sims, 1.0 - tail)) if some else math.nan
        rows.append(
            {
                "target": t.label,
                "key": t.key,
                "target_value": t.value,
                "low": t.low,
                "high": t.high,
                "fitted_on": t.key in fitted_keys,
                "draws": int(sims.size),
                "predicted_median": float(np.median(sims)) if some else math.nan,
                "predicted_low": low,
                "predicted_high": high,
                "share_in_range": float(np.mean((sims >= t.low) & (sims <= t.high)))
                if some
                else math.nan,
                "share_below_target": float(np.mean(sims < t.value)) if some else math.nan,
                "covers_target": bool(some and low <= t.value <= high),
                "source": t.source,
                "definition": t.definition,
            }
        )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------- the posterior


@dataclass
class Posterior:
    """Weighted particles of calibrated parameters.

    Attributes:
        keys: the parameters, in column order of ``values``.
        values: particles x parameters.
        weights: one per particle, summing to 1.
        metadata: what the file records (scenario, register hash, keys, settings).
    """

    keys: list[str]
    values: np.ndarray
    weights: np.ndarray
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.values = np.asarray(self.values, dtype=float).reshape(len(self.weights), -1)
        w = np.asarray(self.weights, dtype=float)
        self.weights = w / np.sum(w)
        self._cdf = np.cumsum(self.weights)
        self._cdf[-1] = 1.0

    def __len__(self) -> int:
        return len(self.weights)

    def sample(self, u: np.ndarray) -> dict[str, np.ndarray]:
        """Parameters drawn jointly by weight: for each uniform number in ``u`` (in [0, 1)) the
        particle whose cumulative weight first exceeds it (the inverse CDF of the weights, so a
        quasi-random ``u`` gives a stratified draw)."""
        u = np.asarray(u, dtype=float)
        if np.any((u < 0.0) | (u >= 1.0)) or not np.all(np.isfinite(u)):
            raise PosteriorError("posterior draws need uniform numbers in [0, 1)")
        index = np.searchsorted(self._cdf, u, side="right")
        index = np.minimum(index, len(self.weights) - 1)
        return {k: self.values[index, j] for j, k in enumerate(self.keys)}

    def mean(self) -> dict[str, float]:
        """The weighted mean of each parameter."""
        return {k: float(np.sum(self.weights * self.values[:, j])) for j, k in enumerate(self.keys)}

    def frame(self) -> pd.DataFrame:
        """The particles: one column per parameter and ``weight``."""
        table = pd.DataFrame(self.values, columns=self.keys)
        table["weight"] = self.weights
        return table


def write_posterior(path: str | Path, posterior: Posterior) -> Path:
    """Write ``posterior.parquet``: the particles with :attr:`Posterior.metadata` as JSON in the
    schema metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(posterior.frame(), preserve_index=False)
    meta = dict(table.schema.metadata or {})
    meta[POSTERIOR_METADATA] = json.dumps(posterior.metadata, sort_keys=True).encode("utf-8")
    path = Path(path)
    pq.write_table(table.replace_schema_metadata(meta), path)
    return path


def posterior_path(name_or_path: str | Path) -> Path:
    """A posterior file's path: ``name_or_path`` itself, or the posterior shipped with the
    package for a scenario of that name (``"baseline"``)."""
    path = Path(name_or_path)
    if path.suffix or path.exists():
        return path
    shipped = resources.files("reintegration_sim").joinpath("posteriors", f"{path.name}.parquet")
    return Path(str(shipped))


def load_posterior(path: str | Path, scenario: Scenario | str | None) -> Posterior:
    """The posterior in ``path`` (a file, or a shipped posterior's scenario name), refused with
    :class:`PosteriorError` when it was made for another scenario than ``scenario`` (a scenario
    or its name; None: any) or with another parameter register (:func:`register_hash`)."""
    import pyarrow.parquet as pq

    path = posterior_path(path)
    try:
        table = pq.read_table(path)
    except FileNotFoundError:
        raise PosteriorError(f"{path}: no such posterior file") from None
    except (OSError, ValueError) as err:
        raise PosteriorError(f"{path}: not a parquet file ({err})") from None
    raw = (table.schema.metadata or {}).get(POSTERIOR_METADATA)
    if raw is None:
        raise PosteriorError(
            f"{path}: not a posterior written by `reintegration-sim calibrate --method abc`"
        )
    meta = json.loads(raw)
    if meta.get("format") != POSTERIOR_FORMAT:
        raise PosteriorError(
            f"{path}: posterior format {meta.get('format')}, this version reads "
            f"{POSTERIOR_FORMAT}; recalibrate"
        )
    name = scenario if isinstance(scenario, str) or scenario is None else scenario.name
    made_for = meta.get("scenario")
    if name is not None and made_for != name:
        raise PosteriorError(
            f"{path}: posterior made for scenario '{made_for}', not '{name}'; calibrate "
            f"'{name}' with `reintegration-sim calibrate {name} --method abc`"
        )
    if meta.get("register_hash") != register_hash():
        raise PosteriorError(
            f"{path}: posterior made with another parameter register (hash "
            f"{meta.get('register_hash')}, now {register_hash()}): defaults or ranges have "
            "changed since; recalibrate (`make posterior` for the shipped baseline)"
        )
    keys = list(meta.get("keys", []))
    frame = table.to_pandas()
    registered = all_keys()
    for key in keys:
        if key not in registered or key not in frame:
            raise PosteriorError(f"{path}: parameter '{key}' is not in the register or the file")
    weights = frame["weight"].to_numpy(dtype=float) if "weight" in frame else np.array([])
    if weights.size == 0 or not np.all(np.isfinite(weights)) or np.any(weights < 0):
        raise PosteriorError(f"{path}: weights missing, negative or not finite")
    if not weights.sum() > 0:
        raise PosteriorError(f"{path}: weights sum to zero")
    return Posterior(keys, frame[keys].to_numpy(dtype=float), weights, meta)


# ---------------------------------------------------------------------- output


def abc_markdown(result: AbcResult, command: str) -> str:
    """The ``abc.md`` report."""
    s = result.scenario
    pop = s.parameters.population
    sampler = (
        f"Dask scheduler {result.scheduler}"
        if result.scheduler
        else f"{result.workers} process(es)"
    )
    lines = [
        f"# Bayesian calibration (ABC-SMC) of scenario `{s.name}`",
        "",
        f"Command: `{command}`",
        "",
        f"pyabc ABC-SMC: {result.population} particles per generation, "
        f"{len(result.generations)} generations, {result.simulations} simulations of "
        f"{pop.n_extremist + pop.n_comparison} people over {s.horizon_weeks} weeks "
        f"({result.replications} replication(s) each, fresh random numbers each), on {sampler}. "
        "Distance: square root of the sum over the fitted targets of ((simulated - target) / "
        "half-width of the target's range)^2; tolerance: the median distance of the previous "
        "generation. Priors from the register (docs/parameters.md). Targets: "
        f"{result.targets_from}.",
        "",
        "## Parameters: prior and posterior",
        "",
        "| parameter | prior | prior 90 % | posterior median | posterior 90 % | shrinkage |",
        "|---|---|---|---|---|---|",
    ]
    for r in result.parameters.itertuples():
        lines.append(
            f"| `{r.parameter}` | {r.prior} | {r.prior_low:.4g} to {r.prior_high:.4g} | "
            f"{r.posterior_median:.4g} | {r.posterior_low:.4g} to {r.posterior_high:.4g} | "
            f"{r.shrinkage:.2f} |"
        )
    lines += [
        "",
        "Shrinkage is 1 - posterior variance / prior variance: 0 where the targets say nothing "
        "about the parameter, near 1 where they pin it down.",
        "",
        "## Posterior predictive check (per cent)",
        "",
        f"{int(result.check['draws'].max()) if len(result.check) else 0} simulations from "
        "posterior draws; the predicted interval includes the chance variation of one run at "
        "this population size.",
        "",
        "| target | fitted on | target (range) | predicted median | predicted 90 % | "
        "share in range | target inside |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in result.check.itertuples():
        lines.append(
            f"| {r.target} | {'yes' if r.fitted_on else 'no'} | {r.target_value:g} "
            f"({r.low:g}-{r.high:g}) | {r.predicted_median:.1f} | {r.predicted_low:.1f}-"
            f"{r.predicted_high:.1f} | {r.share_in_range:.2f} | "
            f"{'yes' if r.covers_target else '**no**'} |"
        )
    left_out = [t for t in result.targets if t.key not in set(result.check["key"])]
    if left_out:
        lines += [
            "",
            "Not identified within the horizon (left out): "
            + ", ".join(t.label for t in left_out)
            + ".",
        ]
    lines += ["", *definitions_markdown(result.check)]
    lines += [
        "## Diagnostics",
        "",
        "| generation | tolerance | particles | simulations | acceptance rate | effective "
        "sample size |",
        "|---|---|---|---|---|---|",
    ]
    for r in result.generations.itertuples():
        lines.append(
            f"| {r.t} | {r.epsilon:.4g} | {r.particles} | {r.simulations} | "
            f"{r.acceptance_rate:.3f} | {r.ess:.1f} |"
        )
    lines += [
        "",
        "Files: `posterior.parquet` (weighted particles; use with `compare --posterior`), "
        "`parameters.csv`, `predictive_check.csv` and `.png`, `predictive_draws.csv`, "
        "`diagnostics.csv`, `abc.db` (pyabc's database).",
        "",
    ]
    return "\n".join(lines)


def write_abc(folder: Path, result: AbcResult, command: str) -> list[Path]:
    """Write the tables, the posterior and pyabc's database into ``folder``."""
    paths = [
        write_posterior(folder / "posterior.parquet", result.posterior()),
        folder / "parameters.csv",
        folder / "predictive_check.csv",
        folder / "predictive_draws.csv",
        folder / "diagnostics.csv",
        folder / "abc.md",
        folder / "abc.db",
    ]
    result.parameters.to_csv(paths[1], index=False)
    result.check.to_csv(paths[2], index=False)
    result.check_draws.to_csv(paths[3], index=False)
    result.generations.to_csv(paths[4], index=False)
    paths[5].write_text(abc_markdown(result, command), encoding="utf-8")
    paths[6].write_bytes(result.database)
    return paths
