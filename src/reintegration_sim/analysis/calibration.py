"""Calibration: the targets, read from a file, and a simulation-based fit.

* :data:`TARGETS` are the published figures the baseline should reproduce (EVIDENCE.md section
  1: label, cohort, model outcome, follow-up years, target value, acceptable range, source and
  definition), in per cent, read from the targets file shipped with the package
  (``targets/evidence.toml``, :func:`shipped_targets_path`); :func:`load_targets` reads a file
  of the same form for another country (``calibrate --targets FILE``);
  :func:`range_checks` gives them in the ``(cohort, outcome, years, low, high)`` form of
  ``tests/test_calibration.py``;
* :func:`simulated_values` reads each target's simulated value (with the 95 % interval) from
  :func:`reintegration_sim.analysis.survival.survival_table`, and :func:`objective` scores them:
  the sum over targets of ``((simulated - target) / half-width of the range) ** 2``;
* :func:`calibrate` fits chosen register parameters with Nelder-Mead in a space scaled to each
  parameter's plausible range, re-running the SAME replications (common random numbers) in every
  evaluation, so the objective changes smoothly with the parameters;
* :func:`write_calibration` writes the result folder files and :func:`write_fitted_values`
  records the fitted values in the scenario file (a conservative text edit, validated).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..keys import (
    KeyInfo,
    canonical,
    current_value,
    did_you_mean,
    model_keys,
    unknown_key_message,
)
from ..scenario import Scenario, ScenarioError, load_scenario

__all__ = [
    "DEFAULT_MAX_EVALUATIONS",
    "DEFAULT_REPLICATIONS",
    "TARGETS",
    "TARGETS_FILE",
    "CalibrationError",
    "CalibrationResult",
    "FitParameter",
    "Target",
    "calibrate",
    "calibration_markdown",
    "load_targets",
    "objective",
    "range_checks",
    "relevant_targets",
    "resolve_parameters",
    "resolve_targets",
    "shipped_targets_path",
    "simulated_values",
    "write_calibration",
    "write_fitted_values",
]

DEFAULT_MAX_EVALUATIONS = 40
DEFAULT_REPLICATIONS = 4
#: significant digits of the values tried (and written back): what is written was simulated
SIGNIFICANT_DIGITS = 4
#: initial simplex step, as a share of each parameter's plausible range
SIMPLEX_STEP = 0.15


class CalibrationError(ValueError):
    """A calibration request that cannot be carried out; the message is meant for the user."""


@dataclass(frozen=True)
class Target:
    """One published figure the model should reproduce (values in per cent).

    ``from_years`` set: the share of people without the event at ``from_years`` who have it by
    ``years`` (``1 - S(years) / S(from_years)``); otherwise the cumulative incidence at
    ``years`` after first release.
    """

    label: str
    cohort: str
    outcome: str
    years: float
    value: float
    low: float
    high: float
    source: str
    from_years: float | None = None
    #: what the source counted, in whom, where and when (definitions differ between sources)
    definition: str = ""

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2.0

    @property
    def key(self) -> str:
        window = (
            f"{self.years:g}y"
            if self.from_years is None
            else f"{self.from_years:g}-{self.years:g}y"
        )
        return f"{self.cohort}.{self.outcome}.{window}"


#: the targets file shipped with the package (EVIDENCE.md section 1)
TARGETS_FILE = "targets/evidence.toml"

#: the keys of a ``[[target]]`` table and their types; source and definition are required, so
#: that every figure says where it comes from and what it counted
_TARGET_FIELDS: dict[str, type] = {
    "label": str,
    "cohort": str,
    "outcome": str,
    "years": float,
    "value": float,
    "low": float,
    "high": float,
    "source": str,
    "definition": str,
    "from_years": float,
}
_REQUIRED = ("label", "cohort", "outcome", "years", "value", "low", "high", "source", "definition")


def shipped_targets_path() -> Path:
    """The targets file shipped with the package: EVIDENCE.md section 1."""
    return Path(str(resources.files("reintegration_sim").joinpath(TARGETS_FILE)))


def load_targets(path: str | Path) -> list[Target]:
    """The targets of a TOML file of ``[[target]]`` tables (the shipped
    ``targets/evidence.toml`` shows the form and says what each key means).

    Raises :class:`CalibrationError` with one line naming the file, the target and the first
    thing wrong, and what is allowed (with the nearest valid key or value).
    """
    from ..model.outcomes import EVENT_OUTCOMES
    from ..scenario import read_toml
    from .survival import COHORTS

    path = Path(path)
    data, _ = read_toml(path, CalibrationError)
    extra = sorted(set(data) - {"target"})
    if extra:
        hint = did_you_mean(extra[0], ["target"])
        raise CalibrationError(
            f"{path}: unknown table or key '{extra[0]}'; {hint + ' ' if hint else ''}a targets "
            "file has only [[target]] tables"
        )
    tables = data.get("target")
    if not isinstance(tables, list) or not tables or not all(isinstance(t, dict) for t in tables):
        raise CalibrationError(
            f"{path}: no [[target]] tables (`reintegration-sim targets --toml` prints the "
            "shipped file to start from)"
        )
    outcomes = [o.key for o in EVENT_OUTCOMES]
    cohorts = list(COHORTS)
    out: list[Target] = []
    for i, table in enumerate(tables, start=1):
        where = f"{path}: target {i}"
        if isinstance(table.get("label"), str) and table["label"].strip():
            where += f" ({table['label'].strip()[:60]})"
        unknown = sorted(set(table) - set(_TARGET_FIELDS))
        if unknown:
            hint = did_you_mean(unknown[0], _TARGET_FIELDS)
            allowed = ", ".join(_TARGET_FIELDS)
            raise CalibrationError(
                f"{where}: unknown key '{unknown[0]}'; {hint + ' ' if hint else ''}"
                f"allowed: {allowed}"
            )
        missing = [k for k in _REQUIRED if k not in table]
        if missing:
            why = {
                "source": " (where the figure comes from)",
                "definition": " (what the source counted, in whom, where and when)",
            }
            raise CalibrationError(
                f"{where}: missing key '{missing[0]}'{why.get(missing[0], '')}; every target "
                f"has {', '.join(_REQUIRED)}"
            )
        for key, kind in _TARGET_FIELDS.items():
            if key not in table:
                continue
            value = table[key]
            if kind is str and not (isinstance(value, str) and value.strip()):
                raise CalibrationError(f"{where}: '{key}' must be a non-empty string")
            if kind is float and (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
            ):
                raise CalibrationError(f"{where}: '{key}' must be a number (got {value!r})")
        for key, allowed_values in (("cohort", cohorts), ("outcome", outcomes)):
            if table[key] not in allowed_values:
                hint = did_you_mean(table[key], allowed_values)
                raise CalibrationError(
                    f"{where}: '{key}' must be one of {', '.join(allowed_values)} (got "
                    f"{table[key]!r}{'; ' + hint if hint else ''})"
                )
        years, low, value, high = (float(table[k]) for k in ("years", "low", "value", "high"))
        if years <= 0:
            raise CalibrationError(f"{where}: 'years' must be positive (got {years:g})")
        from_years = table.get("from_years")
        if from_years is not None and not 0 < from_years < years:
            raise CalibrationError(
                f"{where}: 'from_years' must be between 0 and 'years' ({years:g}), "
                f"got {from_years:g}"
            )
        if not 0.0 <= low <= value <= high <= 100.0 or not low < high:
            raise CalibrationError(
                f"{where}: need 0 <= low <= value <= high <= 100 with low < high, per cent "
                f"(got low {low:g}, value {value:g}, high {high:g})"
            )
        target = Target(
            label=table["label"].strip(),
            cohort=table["cohort"],
            outcome=table["outcome"],
            years=years,
            value=value,
            low=low,
            high=high,
            source=" ".join(table["source"].split()),
            from_years=None if from_years is None else float(from_years),
            definition=" ".join(table["definition"].split()),
        )
        if any(t.key == target.key for t in out):
            raise CalibrationError(f"{where}: a second target for {target.key}")
        out.append(target)
    return out


#: EVIDENCE.md section 1, in per cent, read from the shipped targets file
#: (``src/reintegration_sim/targets/evidence.toml``)
TARGETS: tuple[Target, ...] = tuple(load_targets(shipped_targets_path()))
#: how reports name the shipped targets
SHIPPED_TARGETS = "EVIDENCE.md section 1 (the targets shipped with the package)"


def resolve_targets(targets: Sequence[Target] | str | Path | None) -> tuple[list[Target], str]:
    """The targets to calibrate to and where they come from, in words: ``None`` for the
    shipped ones (:data:`TARGETS`), a path for a targets file (read with :func:`load_targets`),
    or a list of :class:`Target`."""
    if targets is None:
        return list(TARGETS), SHIPPED_TARGETS
    if isinstance(targets, str | Path):
        return load_targets(targets), f"targets file {targets}"
    return list(targets), "targets given in Python"


def range_checks(targets: Iterable[Target] = TARGETS) -> list[tuple[str, str, float, float, float]]:
    """``(cohort, outcome, years, low, high)`` of the cumulative targets (per cent), the form
    ``tests/test_calibration.py`` checks."""
    return [(t.cohort, t.outcome, t.years, t.low, t.high) for t in targets if t.from_years is None]


def _years_needed(targets: Iterable[Target]) -> tuple[float, ...]:
    years: set[float] = set()
    for t in targets:
        years.add(float(t.years))
        if t.from_years is not None:
            years.add(float(t.from_years))
    return tuple(sorted(years))


def simulated_values(
    people: pd.DataFrame, targets: Sequence[Target] = TARGETS
) -> dict[str, tuple[float, float, float]]:
    """``{target key: (value, lower, upper)}`` in per cent from :func:`survival_table`.

    NaN where the horizon does not identify the value. For a conditional target the interval
    takes the bounds of ``S(years)`` over the point estimate of ``S(from_years)`` (approximate).
    """
    from ..model.outcomes import EVENT_OUTCOMES
    from .survival import survival_table

    outcomes = {t.outcome for t in targets}
    table = survival_table(
        people,
        outcomes=[o for o in EVENT_OUTCOMES if o.key in outcomes],
        years=_years_needed(targets),
    )
    return values_from_table(table, targets)


def values_from_table(
    table: pd.DataFrame, targets: Sequence[Target] = TARGETS
) -> dict[str, tuple[float, float, float]]:
    """As :func:`simulated_values`, from a :func:`survival_table` frame."""

    def row(t: Target, years: float) -> tuple[float, float, float]:
        hit = table[
            (table["cohort"] == t.cohort)
            & (table["outcome"] == t.outcome)
            & np.isclose(table["years"].astype(float), years)
        ]
        if hit.empty:
            return (math.nan, math.nan, math.nan)
        r = hit.iloc[0]
        return (float(r["cum_incidence"]), float(r["ci_lower"]), float(r["ci_upper"]))

    out: dict[str, tuple[float, float, float]] = {}
    for t in targets:
        value, lower, upper = row(t, t.years)
        if t.from_years is not None:
            before = 1.0 - row(t, t.from_years)[0]
            if before > 0:
                value = 1.0 - (1.0 - value) / before
                lower = 1.0 - (1.0 - lower) / before
                upper = 1.0 - (1.0 - upper) / before
            else:
                value = lower = upper = math.nan
        out[t.key] = (100.0 * value, 100.0 * lower, 100.0 * upper)
    return out


def objective(values: Mapping[str, float | tuple[float, ...]], targets: Sequence[Target]) -> float:
    """Sum over ``targets`` of ``((simulated - target) / half-width) ** 2``.

    ``values`` maps target keys to the simulated value in per cent (or a tuple whose first item
    is). Targets without a finite simulated value (not identified) are left out.
    """
    total = 0.0
    for t in targets:
        value = values.get(t.key, math.nan)
        if isinstance(value, tuple):
            value = value[0]
        if value is None or not math.isfinite(value):
            continue
        total += ((value - t.value) / t.half_width) ** 2
    return total


def relevant_targets(keys: Iterable[str], targets: Sequence[Target] = TARGETS) -> list[Target]:
    """The targets the parameters ``keys`` can move: a parameter named for one cohort
    (``..._comparison``, ``..._extremist``, ``terror_...``) moves that cohort's targets only;
    any other moves all."""
    cohorts: set[str] = set()
    for key in keys:
        name = key.split(".", 1)[-1]
        if name.endswith("_comparison") or key == "population.n_comparison":
            cohorts.add("comparison")
        elif name.endswith("_extremist") or name.startswith("terror") or name == "n_extremist":
            cohorts.add("extremist")
        else:
            cohorts.update(("extremist", "comparison"))
    return [t for t in targets if t.cohort in cohorts]


# ---------------------------------------------------------------------- parameters


@dataclass(frozen=True)
class FitParameter:
    """A register parameter being fitted, with its plausible range and start value."""

    info: KeyInfo
    low: float
    high: float
    start: float
    integer: bool

    @property
    def key(self) -> str:
        return self.info.key

    def from_unit(self, x: float) -> float | int:
        """The value at ``x`` in [0, 1] (clipped) of the plausible range, rounded."""
        x = min(1.0, max(0.0, float(x)))
        value = self.low + x * (self.high - self.low)
        if self.integer:
            return int(round(value))
        return float(f"{value:.{SIGNIFICANT_DIGITS}g}")

    def to_unit(self, value: float) -> float:
        return (float(value) - self.low) / (self.high - self.low)


def resolve_parameters(scenario: Scenario, keys: Sequence[str]) -> list[FitParameter]:
    """Check keys (``GROUP.NAME`` or ``interventions.LEVER.FIELD``) and the scenario's current
    values; a lever field is fitted over its allowed range."""
    register = model_keys()
    out: list[FitParameter] = []
    if not keys:
        raise CalibrationError("--fit needs at least one parameter GROUP.NAME")
    for raw in keys:
        key = canonical(raw)
        if key in (p.key for p in out):
            raise CalibrationError(f"parameter '{key}' is given twice")
        info = register.get(key)
        if info is None:
            message = unknown_key_message(key, register).replace("unknown key", "unknown parameter")
            raise CalibrationError(message)
        if not info.numeric:
            shown = " / ".join(map(str, info.plausible)) or "not a number"
            raise CalibrationError(
                f"parameter '{key}' is categorical ({shown}); only numeric parameters can be fitted"
            )
        low, high = float(info.plausible[0]), float(info.plausible[1])
        start = current_value(scenario, key)
        if start is None:
            raise CalibrationError(
                f"parameter '{key}' has no value in the scenario (none: {info.doc}); set a "
                "start value in the scenario file"
            )
        if not low <= start <= high or not high > low:
            raise CalibrationError(
                f"parameter '{key}' starts at {start:g}, outside its plausible range "
                f"{low:g} to {high:g}; set a start value inside it in the scenario file"
            )
        out.append(FitParameter(info, low, high, float(start), info.integer))
    return out


def _overrides(params: Sequence[FitParameter], values: Sequence[float | int]) -> dict[str, Any]:
    return {p.key: v for p, v in zip(params, values, strict=True)}


# ---------------------------------------------------------------------- fit


@dataclass
class CalibrationResult:
    """What :func:`calibrate` found.

    Attributes:
        parameters: the fitted parameters (with start values).
        fitted: their values at the best evaluation.
        fitted_targets: the targets fitted (the others are reported only).
        evaluations: one row per simulated evaluation: ``evaluation``, each parameter,
            ``objective``, ``seconds`` and the simulated value of every target.
        table: target vs simulated at the start and at the fitted values
            (:data:`TABLE_COLUMNS`).
        objective_start, objective_fitted: the objective at start and at the fitted values.
        message: the optimiser's stop message.
        scenario: the scenario with the fitted values.
        replications, workers, max_evaluations: as run.
        started, seconds: when it started (ISO 8601) and its wall time (set by the workflow
            that ran it).
        given: the scenario as given (start values).
        targets_from: where the targets come from, in words (the shipped ones or a file).
    """

    parameters: list[FitParameter]
    fitted: dict[str, float | int]
    fitted_targets: list[Target]
    evaluations: pd.DataFrame
    table: pd.DataFrame
    objective_start: float
    objective_fitted: float
    message: str
    scenario: Scenario
    replications: int = 0
    workers: int = 1
    max_evaluations: int = 0
    started: str = ""
    seconds: float = 0.0
    given: Scenario | None = None
    targets_from: str = SHIPPED_TARGETS

    def text(self) -> str:
        """What the command line prints: parameters from start to fitted, each target."""
        lines = [
            f"Calibration of {self.scenario.label}: {len(self.evaluations)} evaluations "
            f"({self.message}); objective {self.objective_start:.3f} -> "
            f"{self.objective_fitted:.3f}"
        ]
        for p in self.parameters:
            lines.append(f"  {p.key}: {p.start:g} -> {self.fitted[p.key]:g}")
        for r in self.table.itertuples():
            missing = math.isnan(r.simulated)
            value = "n/a (horizon too short)" if missing else f"{r.simulated:.1f} %"
            mark = "in range" if r.in_range else ("" if missing else "OUT of range")
            lines.append(
                f"  {r.target}: {value} (target {r.target_value:g}, {r.low:g}-{r.high:g}) "
                f"{mark}".rstrip()
            )
        lines.append(
            "Intervals of simulated values cover chance only (simulation noise); the fit is one "
            "point, not a posterior."
        )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()


TABLE_COLUMNS = [
    "target",
    "key",
    "cohort",
    "outcome",
    "years",
    "from_years",
    "target_value",
    "low",
    "high",
    "fitted_on",
    "start",
    "simulated",
    "ci_lower",
    "ci_upper",
    "in_range",
    "source",
    "definition",
]


def calibrate(
    scenario: Scenario,
    keys: Sequence[str],
    *,
    replications: int = DEFAULT_REPLICATIONS,
    workers: int = 1,
    max_evaluations: int = DEFAULT_MAX_EVALUATIONS,
    targets: Sequence[Target] = TARGETS,
    on_evaluation: Callable[[int, dict[str, Any], float], None] | None = None,
) -> CalibrationResult:
    """Fit the parameters ``keys`` (``GROUP.NAME``) of ``scenario`` to ``targets``.

    Every evaluation runs replications ``0 .. replications-1`` of the scenario with its own seed
    (common random numbers). Nelder-Mead works on each parameter scaled to [0, 1] over its
    plausible range (values clipped to it), starting from the scenario's values, and stops after
    ``max_evaluations`` simulations. Only the targets the parameters can move
    (:func:`relevant_targets`) enter the objective; all are reported.
    """
    from scipy.optimize import minimize

    from .experiment import run_scenario, worker_pool

    if max_evaluations < 1:
        raise CalibrationError(f"--max-evaluations must be at least 1 (got {max_evaluations})")
    params = resolve_parameters(scenario, keys)
    fitted_on = relevant_targets([p.key for p in params], targets)
    cache: dict[tuple, tuple[float, dict[str, tuple[float, float, float]]]] = {}
    rows: list[dict[str, Any]] = []

    def evaluate(values: tuple[float | int, ...], pool: Any) -> float:
        if values in cache:
            return cache[values][0]
        if len(cache) >= max_evaluations:
            raise _Budget
        clock = time.perf_counter()
        candidate = scenario.with_overrides(_overrides(params, values))
        _, people = run_scenario(candidate, replications, workers=1, progress=False, executor=pool)
        sims = simulated_values(people, targets)
        score = objective(sims, fitted_on)
        cache[values] = (score, sims)
        row: dict[str, Any] = {"evaluation": len(cache)}
        row.update({p.key: v for p, v in zip(params, values, strict=True)})
        row["objective"] = score
        row["seconds"] = round(time.perf_counter() - clock, 3)
        row.update({t.key: sims[t.key][0] for t in targets})
        rows.append(row)
        if on_evaluation is not None:
            on_evaluation(
                len(cache), dict(zip([p.key for p in params], values, strict=True)), score
            )
        return score

    def run_fit(pool: Any) -> str:
        def f(x: np.ndarray) -> float:
            return evaluate(tuple(p.from_unit(xi) for p, xi in zip(params, x, strict=True)), pool)

        x0 = np.array([p.to_unit(p.start) for p in params])
        simplex = [x0]
        for i in range(len(params)):
            step = np.zeros_like(x0)
            step[i] = SIMPLEX_STEP if x0[i] + SIMPLEX_STEP <= 1.0 else -SIMPLEX_STEP
            simplex.append(x0 + step)
        # the start exactly as set in the scenario, so the report's start is what was run
        start_values = tuple(int(p.start) if p.integer else p.start for p in params)
        evaluate(start_values, pool)
        try:
            res = minimize(
                f,
                x0,
                method="Nelder-Mead",
                options={
                    "initial_simplex": np.array(simplex),
                    "maxfev": 10 * max_evaluations,
                    "xatol": 1e-3,
                    "fatol": 1e-3,
                },
            )
            return str(res.message)
        except _Budget:
            return f"stopped after the budget of {max_evaluations} evaluations"

    if workers > 1 and replications > 1:
        with worker_pool(min(workers, replications)) as pool:
            message = run_fit(pool)
    else:
        message = run_fit(None)

    start_key = next(iter(cache))
    best_key = min(cache, key=lambda k: cache[k][0])  # the first of equal ones (dict order)
    fitted = dict(zip([p.key for p in params], best_key, strict=True))
    table = _target_table(targets, fitted_on, cache[start_key][1], cache[best_key][1])
    return CalibrationResult(
        parameters=params,
        fitted=fitted,
        fitted_targets=fitted_on,
        evaluations=pd.DataFrame(rows),
        table=table,
        objective_start=cache[start_key][0],
        objective_fitted=cache[best_key][0],
        message=message,
        scenario=scenario.with_overrides(_overrides(params, best_key)),
        replications=replications,
        workers=workers,
        max_evaluations=max_evaluations,
        given=scenario,
    )


class _Budget(Exception):
    """Raised inside the objective when the evaluation budget is spent."""


def _target_table(
    targets: Sequence[Target],
    fitted_on: Sequence[Target],
    start: dict[str, tuple[float, float, float]],
    best: dict[str, tuple[float, float, float]],
) -> pd.DataFrame:
    rows = []
    fitted_keys = {t.key for t in fitted_on}
    for t in targets:
        value, lower, upper = best[t.key]
        rows.append(
            {
                "target": t.label,
                "key": t.key,
                "cohort": t.cohort,
                "outcome": t.outcome,
                "years": t.years,
                "from_years": t.from_years,
                "target_value": t.value,
                "low": t.low,
                "high": t.high,
                "fitted_on": t.key in fitted_keys,
                "start": start[t.key][0],
                "simulated": value,
                "ci_lower": lower,
                "ci_upper": upper,
                "in_range": bool(math.isfinite(value) and t.low <= value <= t.high),
                "source": t.source,
                "definition": t.definition,
            }
        )
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


# ---------------------------------------------------------------------- output


def _num(value: Any) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    if isinstance(value, int):
        return str(value)
    return f"{value:.4g}"


def calibration_markdown(result: CalibrationResult, command: str) -> str:
    """The ``calibration.md`` report."""
    s = result.scenario
    pop = s.parameters.population
    lines = [
        f"# Calibration of scenario `{s.name}`",
        "",
        f"Command: `{command}`",
        "",
        f"{result.replications} replications of {pop.n_extremist + pop.n_comparison} people over "
        f"{s.horizon_weeks} weeks (seed {s.seed}), the same replications in every evaluation "
        f"(common random numbers); Nelder-Mead in each parameter's plausible range scaled to "
        f"[0, 1]; {len(result.evaluations)} evaluations ({result.message}).",
        "",
        "Objective: sum over the fitted targets of ((simulated - target) / half-width of the "
        f"range)^2: {result.objective_start:.3f} at the start, {result.objective_fitted:.3f} "
        "fitted.",
        "",
        "## Parameters",
        "",
        "| parameter | plausible range | start | fitted |",
        "|---|---|---|---|",
    ]
    for p in result.parameters:
        lines.append(
            f"| `{p.key}` | {p.low:g} to {p.high:g} | {_num(p.start)} | "
            f"{_num(result.fitted[p.key])} |"
        )
    lines += [
        "",
        f"## Targets ({result.targets_from}), per cent",
        "",
        "| target | target | range | fitted on | start | simulated (95 % interval) | in range | "
        "source |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in result.table.itertuples():
        sim = "n/a (horizon too short)"
        if math.isfinite(r.simulated):
            sim = f"{r.simulated:.1f} ({r.ci_lower:.1f}-{r.ci_upper:.1f})"
        in_range = "yes" if r.in_range else ("n/a" if not math.isfinite(r.simulated) else "**no**")
        start = f"{r.start:.1f}" if math.isfinite(r.start) else "n/a"
        lines.append(
            f"| {r.target} | {r.target_value:g} | {r.low:g}-{r.high:g} | "
            f"{'yes' if r.fitted_on else 'no'} | {start} | {sim} | {in_range} | {r.source} |"
        )
    lines += [
        "",
        "Intervals are Kaplan-Meier 95 % intervals pooled over replications (Monte Carlo "
        "precision of the model's expected value); for a conditional share (from one follow-up "
        "to another) the interval is approximate (bounds of the later survival over the "
        "estimate of the earlier). `evaluations.csv` lists every evaluation.",
        "",
        *definitions_markdown(result.table),
    ]
    return "\n".join(lines)


def definitions_markdown(table: pd.DataFrame) -> list[str]:
    """What each target's source counted (``target`` and ``definition`` columns), as a list."""
    if "definition" not in table or not table["definition"].astype(str).str.strip().any():
        return []
    lines = ["## What each target counts", ""]
    for r in table.itertuples():
        if str(r.definition).strip():
            lines.append(f"- **{r.target}**: {r.definition}")
    return [*lines, ""]


def write_calibration(folder: Path, result: CalibrationResult, command: str) -> None:
    """Write ``calibration.md``, ``calibration.csv`` and ``evaluations.csv`` into ``folder``."""
    (folder / "calibration.md").write_text(calibration_markdown(result, command), encoding="utf-8")
    result.table.to_csv(folder / "calibration.csv", index=False)
    result.evaluations.to_csv(folder / "evaluations.csv", index=False)


# ---------------------------------------------------------------------- --write

_HEADER = re.compile(r"^\s*\[\s*([^\[\]#]+?)\s*\]\s*(#.*)?$")
_ARRAY_HEADER = re.compile(r"^\s*\[\[")
CALIBRATED_PREFIX = "# Calibrated on "


def _toml_number(value: float | int) -> str:
    if isinstance(value, int):
        return str(value)
    return repr(float(value))


def _code_lines(lines: list[str]) -> list[bool]:
    """Which lines are outside multi-line strings (where headers and keys can be)."""
    out = []
    inside: str | None = None
    for line in lines:
        out.append(inside is None)
        text = line
        while True:
            if inside is None:
                positions = [(text.find(d), d) for d in ('"""', "'''") if text.find(d) >= 0]
                if not positions:
                    break
                pos, delim = min(positions)
                if "#" in text[:pos]:
                    break
                inside, text = delim, text[pos + 3 :]
            else:
                pos = text.find(inside)
                if pos < 0:
                    break
                inside, text = None, text[pos + 3 :]
    return out


def edit_toml_text(text: str, fitted: dict[str, float | int], comment: str) -> str:
    """``text`` with each ``GROUP.NAME`` of ``fitted`` set in its ``[parameters.GROUP]`` table.

    A ``name = value`` line in the table is replaced (a trailing comment kept); a missing one is
    appended to the table; a missing table is appended to the file. ``comment`` goes on a line
    above the first fitted entry of each table (replacing an earlier ``# Calibrated on`` line
    there). Every other line is kept as it was.
    """
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines()
    by_group: dict[str, dict[str, float | int]] = {}
    for key, value in fitted.items():
        table, name = key.rsplit(".", 1)  # GROUP.NAME or interventions.LEVER.FIELD
        by_group.setdefault(table, {})[name] = value
    for group, values in by_group.items():
        code = _code_lines(lines)
        headers = [
            i
            for i, line in enumerate(lines)
            if code[i] and (_HEADER.match(line) or _ARRAY_HEADER.match(line))
        ]
        wanted = group if group.startswith("interventions.") else f"parameters.{group}"
        start = next(
            (
                i
                for i in headers
                if (m := _HEADER.match(lines[i]))
                and re.sub(r"\s+", "", m.group(1)).replace('"', "") == wanted
            ),
            None,
        )
        if start is None:
            while lines and not lines[-1].strip():
                lines.pop()
            lines += ["", f"[{wanted}]", comment]
            lines += [f"{name} = {_toml_number(v)}" for name, v in values.items()]
            continue
        end = next((i for i in headers if i > start), len(lines))
        first_edit: int | None = None
        missing: list[str] = []
        for name, value in values.items():
            pattern = re.compile(rf"^(\s*){re.escape(name)}\s*=\s*([^#]*?)\s*(#.*)?$")
            hit = next(
                (i for i in range(start + 1, end) if code[i] and pattern.match(lines[i])), None
            )
            if hit is None:
                missing.append(name)
                continue
            m = pattern.match(lines[hit])
            assert m is not None
            tail = f"  {m.group(3)}" if m.group(3) else ""
            lines[hit] = f"{m.group(1)}{name} = {_toml_number(value)}{tail}"
            first_edit = hit if first_edit is None else min(first_edit, hit)
        if missing:
            last = end - 1
            while last > start and not lines[last].strip():
                last -= 1
            new = [f"{name} = {_toml_number(values[name])}" for name in missing]
            if first_edit is None:
                new = [comment, *new]
            lines[last + 1 : last + 1] = new
        if first_edit is not None:
            if lines[first_edit - 1].lstrip().startswith(CALIBRATED_PREFIX):
                lines[first_edit - 1] = comment
            else:
                lines.insert(first_edit, comment)
    return newline.join(lines) + (newline if text.endswith(("\n", "\r")) or not text else "")


def write_fitted_values(
    path: str | Path, fitted: dict[str, float | int], command: str, today: dt.date | None = None
) -> str:
    """Record ``fitted`` in the scenario file ``path`` (see :func:`edit_toml_text`).

    The new text is validated (loaded, and the fitted values read back) before a temporary file
    is renamed over the original; on any problem the file is left as it was and
    :class:`CalibrationError` is raised. Returns the new text.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    today = today or dt.date.today()
    comment = f"{CALIBRATED_PREFIX}{today.isoformat()} with: {' '.join(command.split())}"
    new = edit_toml_text(text, fitted, comment)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(new)
        try:
            written = load_scenario(tmp)
        except ScenarioError as err:
            raise CalibrationError(f"{path}: editing the file would break it ({err})") from None
        wrong = [k for k, v in fitted.items() if current_value(written, k) != v]
        if wrong:
            raise CalibrationError(
                f"{path}: could not record {', '.join(wrong)} by a simple edit "
                "(set in an unusual form?); file left unchanged"
            )
        with contextlib.suppress(OSError):
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return new
