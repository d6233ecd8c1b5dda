"""Global sensitivity analysis over the parameter register (SALib), and a plain model function.

* :func:`problem_from_register` builds a SALib ``problem`` from register keys and groups, with
  the register's plausible ranges unless narrowed;
* :func:`sample` draws a seeded Sobol (Saltelli, second order) or Morris design;
* :func:`analyze` turns the outputs into tidy index tables;
* :func:`evaluate` runs one replication with given parameter values and returns the outcome
  vocabulary below, a plain function that EMA Workbench (or any other driver) can call.

Outcomes
--------
Outcome keys are those of :mod:`~reintegration_sim.analysis.measures` (``COHORT.EVENT.T``,
``COHORT.state.KEY``, ``COHORT.count.released`` or ``COHORT.count.reoffences``), computed from
one replication's people table (only people ever released count), on the same scales and
with the same estimators as the comparison tables. Example: ``extremist.terror_reoffence.5y``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..interventions import REGISTRY
from ..keys import LEVER_PREFIX, KeyInfo, canonical, model_keys, unknown_key_message
from ..model.outcomes import OUTCOME_BY_KEY
from ..parameters import Parameters
from ..scenario import Scenario, ScenarioError
from .comparison import end_state_value, follow_up_value, released_among
from .measures import STATE_KEYS, MeasureError, OutcomeKey, parse_outcome
from .survival import cumulative_incidence, event_durations

__all__ = [
    "DEFAULT_OUTCOMES",
    "INDEX_COLUMNS",
    "METHODS",
    "SensitivityError",
    "analyze",
    "as_overrides",
    "evaluate",
    "numeric_parameters",
    "outcome_values",
    "parameter_values",
    "problem_from_register",
    "resolve_parameters",
    "run_size",
    "sample",
    "typed_values",
    "validate_outcomes",
]

METHODS = ("sobol", "morris")
#: tidy index table columns of :func:`analyze`
INDEX_COLUMNS = ["parameter", "outcome", "index", "value", "conf"]
#: what :func:`evaluate` returns when no outcomes are named
DEFAULT_OUTCOMES: tuple[str, ...] = (
    *(
        f"{cohort}.{event}.{years}y"
        for cohort in ("extremist", "comparison")
        for event in ("any_reoffence", "terror_reoffence")
        for years in (1, 3, 5)
    ),
    *(f"extremist.state.{key}" for key in ("disengaged", "deradicalised", "hope", "stigma")),
)


class SensitivityError(ValueError):
    """A parameter, range or outcome that cannot be used; the message is meant for the user."""


# ---------------------------------------------------------------------- parameters


def numeric_parameters(group: str) -> tuple[list[str], list[str]]:
    """``(numeric keys, categorical keys)`` of one register group or lever
    (``interventions.LEVER``), in declaration order."""
    numeric: list[str] = []
    categorical: list[str] = []
    for key, info in model_keys().items():
        if key.rsplit(".", 1)[0] == group:
            (numeric if info.numeric else categorical).append(key)
    return numeric, categorical


def _groups() -> list[str]:
    return list(Parameters.model_fields) + [f"{LEVER_PREFIX}.{key}" for key in REGISTRY]


def resolve_parameters(names: Iterable[str]) -> tuple[list[str], list[str]]:
    """Expand keys (``GROUP.NAME``, ``interventions.LEVER.FIELD``), register groups and levers
    (``interventions.LEVER``) into the numeric keys to vary.

    Returns ``(keys, excluded)``: ``excluded`` are the categorical parameters of named groups,
    left out because a sweep varies numbers only. A categorical parameter named explicitly, an
    unknown key or a key named twice raises :class:`SensitivityError`.
    """
    register = model_keys()
    groups = _groups()
    keys: list[str] = []
    excluded: list[str] = []
    for raw in names:
        name = canonical(raw)
        if name in groups:
            numeric, categorical = numeric_parameters(name)
            keys += [k for k in numeric if k not in keys]
            excluded += categorical
        elif name in register:
            info = register[name]
            if not info.numeric:
                shown = " / ".join(map(str, info.plausible)) or "not a number"
                raise SensitivityError(
                    f"parameter '{name}' is categorical ({shown}); "
                    "a sweep varies numeric parameters only: set it in the base scenario or "
                    "[overrides] instead"
                )
            if name in keys:
                raise SensitivityError(f"parameter '{name}' is named twice")
            keys.append(name)
        else:
            message = unknown_key_message(name, {**register, **dict.fromkeys(groups)})
            raise SensitivityError(message.replace("unknown key", "unknown parameter or group"))
    if not keys:
        raise SensitivityError("no numeric parameter to vary")
    return keys, excluded


def problem_from_register(
    names: Iterable[str], ranges: Mapping[str, Sequence[float]] | None = None
) -> dict[str, Any]:
    """A SALib ``problem`` dict for the keys, groups and levers ``names``.

    Bounds are the register's plausible range (for a lever field: its allowed range, which is
    wide; narrow it), unless ``ranges`` gives ``[low, high]`` for a key (any range within the
    parameter's hard limits). Integer parameters are sampled as floats and rounded when run
    (:func:`parameter_values`).
    """
    keys, _ = resolve_parameters(names)
    register = model_keys()
    ranges = {canonical(k): v for k, v in dict(ranges or {}).items()}
    unknown = [k for k in ranges if k not in keys]
    if unknown:
        raise SensitivityError(
            f"range given for '{unknown[0]}', which is not varied; varied: {', '.join(keys)}"
        )
    bounds = []
    for key in keys:
        if key in ranges:
            lo, hi = (float(v) for v in ranges[key])
            if not lo < hi:
                raise SensitivityError(f"range of '{key}': low must be below high (got {lo}, {hi})")
            for value in (lo, hi):
                _check_value(key, value, register[key])
        else:
            lo, hi = (float(v) for v in register[key].plausible)
        bounds.append([lo, hi])
    return {"num_vars": len(keys), "names": keys, "bounds": bounds}


def _check_value(key: str, value: float, info: KeyInfo) -> None:
    cast = int(round(value)) if info.integer else float(value)
    try:
        _BLANK.with_overrides({key: cast})
    except ScenarioError as err:
        reason = str(err).removeprefix(f"{_BLANK.name}: ")
        raise SensitivityError(
            f"range of '{key}': {value:g} is not allowed ({reason}); plausible {list(info.plausible)}"
        ) from None


_BLANK = Scenario(name="range-check", description="checks a value against its limits")


def parameter_values(names: Sequence[str], row: Sequence[float]) -> dict[str, int | float]:
    """``{key: value}`` for one design row; integer parameters rounded to the nearest integer."""
    register = model_keys()
    out: dict[str, int | float] = {}
    for key, value in zip(names, row, strict=True):
        if register[key].integer:
            out[key] = int(round(float(value)))
        else:
            out[key] = float(value)
    return out


def typed_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """``{key: value}`` with numbers of a float parameter as floats and numpy scalars as Python
    ones (what :meth:`Scenario.with_overrides` validates strictly)."""
    register = model_keys()
    out: dict[str, Any] = {}
    for raw, value in values.items():
        key = canonical(raw)
        info = register.get(key)
        if info is None:
            raise SensitivityError(unknown_key_message(key, register))
        if isinstance(value, np.generic):
            value = value.item()
        if (
            isinstance(info.default, float)
            and isinstance(value, int)
            and not isinstance(value, bool)
        ):
            value = float(value)
        out[key] = value
    return out


def as_overrides(values: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Register keys ``{"GROUP.NAME": value}`` as a scenario's ``{GROUP: {NAME: value}}``
    (typed as :func:`typed_values`); lever fields are refused (use
    :meth:`Scenario.with_overrides` with :func:`typed_values`)."""
    overrides: dict[str, dict[str, Any]] = {}
    for key, value in typed_values(values).items():
        if key.startswith(LEVER_PREFIX + "."):
            raise SensitivityError(f"'{key}' is a lever field, not a register parameter")
        group, name = key.split(".", 1)
        overrides.setdefault(group, {})[name] = value
    return overrides


# ---------------------------------------------------------------------- sampling and analysis


def run_size(method: str, n: int, num_vars: int) -> int:
    """How many model runs a design of base size ``n`` needs."""
    if method == "sobol":
        return n * (2 * num_vars + 2)
    if method == "morris":
        return n * (num_vars + 1)
    raise SensitivityError(f"unknown method '{method}'; allowed: {', '.join(METHODS)}")


def sample(problem: dict[str, Any], method: str, n: int, seed: int, **options: Any) -> np.ndarray:
    """A seeded design: Sobol/Saltelli with second-order terms (``n (2D + 2)`` rows; ``n`` a
    power of 2) or Morris trajectories (``n (D + 1)`` rows; ``num_levels`` option, default 4)."""
    if method == "sobol":
        from SALib.sample import sobol

        return sobol.sample(problem, n, calc_second_order=True, seed=seed)
    if method == "morris":
        from SALib.sample import morris

        return morris.sample(problem, n, num_levels=options.get("num_levels", 4), seed=seed)
    raise SensitivityError(f"unknown method '{method}'; allowed: {', '.join(METHODS)}")


def analyze(
    problem: dict[str, Any],
    method: str,
    X: np.ndarray,
    Y: pd.DataFrame | np.ndarray | Mapping[str, np.ndarray],
    seed: int = 0,
    **options: Any,
) -> pd.DataFrame:
    """Sensitivity indices of every outcome column of ``Y`` (rows in design order), tidy.

    Sobol gives ``S1``, ``ST`` (``parameter`` one key) and ``S2`` (``parameter``
    ``"a × b"``); Morris gives ``mu_star``, ``mu`` and ``sigma`` (``conf`` only for
    ``mu_star``). An outcome with any NaN value (not identified at the horizon) or no variation
    at all gets NaN indices. Bootstrap intervals are seeded, so equal inputs give equal tables.

    Returns:
        columns ``parameter, outcome, index, value, conf``.
    """
    if isinstance(Y, pd.DataFrame):
        columns = {c: Y[c].to_numpy(dtype=float) for c in Y.columns}
    elif isinstance(Y, Mapping):
        columns = {k: np.asarray(v, dtype=float) for k, v in Y.items()}
    else:
        arr = np.asarray(Y, dtype=float)
        arr = arr.reshape(len(arr), -1)
        columns = {f"y{i}": arr[:, i] for i in range(arr.shape[1])}
    names = list(problem["names"])
    rows: list[tuple[str, str, str, float, float]] = []
    for outcome, y in columns.items():
        usable = np.all(np.isfinite(y)) and np.ptp(y) > 0
        if method == "sobol":
            rows += _sobol_rows(problem, names, outcome, y, usable, seed, **options)
        elif method == "morris":
            rows += _morris_rows(problem, names, outcome, np.asarray(X), y, usable, seed, **options)
        else:
            raise SensitivityError(f"unknown method '{method}'; allowed: {', '.join(METHODS)}")
    return pd.DataFrame(rows, columns=INDEX_COLUMNS)


def _sobol_rows(problem, names, outcome, y, usable, seed, **options):
    nan = math.nan
    pairs = [(i, j) for i in range(len(names)) for j in range(i + 1, len(names))]
    if usable:
        from SALib.analyze import sobol

        res = sobol.analyze(
            problem,
            y,
            calc_second_order=True,
            num_resamples=options.get("num_resamples", 100),
            seed=seed,
        )
    for i, name in enumerate(names):
        for index in ("S1", "ST"):
            value = float(res[index][i]) if usable else nan
            conf = float(res[f"{index}_conf"][i]) if usable else nan
            yield (name, outcome, index, value, conf)
    for i, j in pairs:
        value = float(res["S2"][i, j]) if usable else nan
        conf = float(res["S2_conf"][i, j]) if usable else nan
        yield (f"{names[i]} × {names[j]}", outcome, "S2", value, conf)


def _morris_rows(problem, names, outcome, X, y, usable, seed, **options):
    nan = math.nan
    if usable:
        from SALib.analyze import morris

        res = morris.analyze(
            problem,
            X,
            y,
            num_resamples=options.get("num_resamples", 100),
            num_levels=options.get("num_levels", 4),
            seed=seed,
        )
    for i, name in enumerate(names):
        for index in ("mu_star", "mu", "sigma"):
            value = float(res[index][i]) if usable else nan
            conf = float(res["mu_star_conf"][i]) if usable and index == "mu_star" else nan
            yield (name, outcome, index, value, conf)


# ---------------------------------------------------------------------- outcomes


def validate_outcomes(keys: Iterable[str]) -> list[str]:
    """The outcome keys, checked against the vocabulary (raises :class:`SensitivityError`)."""
    keys = list(keys)
    if not keys:
        raise SensitivityError("no outcomes named")
    for key in keys:
        _parse(key)
    if len(set(keys)) != len(keys):
        raise SensitivityError("an outcome is named twice")
    return keys


def _parse(key: str) -> OutcomeKey:
    try:
        return parse_outcome(key)
    except MeasureError as err:
        raise SensitivityError(str(err)) from None


def outcome_values(people: pd.DataFrame, keys: Iterable[str]) -> dict[str, float]:
    """The named outcomes of one replication's people table (see the module docstring)."""
    cohort_of = people["cohort"].astype(str).to_numpy()
    released, among = released_among(people)
    out: dict[str, float] = {}
    for key in keys:
        parsed = _parse(key)
        cohort = parsed.cohort
        in_cohort = np.ones(len(people), bool) if cohort == "all" else cohort_of == cohort
        if parsed.kind == "state" and parsed.years is not None:
            state = STATE_KEYS[parsed.key]
            out[key] = follow_up_value(people, state, int(parsed.years), in_cohort)
        elif parsed.kind == "state":
            state = STATE_KEYS[parsed.key]
            out[key] = end_state_value(people, state, in_cohort & released & among[state.among])
        elif parsed.kind == "count":
            if parsed.key == "released":
                out[key] = float(np.count_nonzero(in_cohort & released))
            else:
                out[key] = float(people["n_reoffences"].to_numpy()[in_cohort].sum())
        else:
            assert parsed.weeks is not None
            durations, event = event_durations(people[in_cohort], OUTCOME_BY_KEY[parsed.key])
            out[key] = 100.0 * float(cumulative_incidence(durations, event, [parsed.weeks])[0])
    return out


def evaluate(
    scenario: Scenario | None = None,
    replication: int = 0,
    *,
    outcomes: Sequence[str] | None = None,
    **parameters: Any,
) -> dict[str, float]:
    """Run one replication of ``scenario`` with register parameters set; return outcomes.

    Args:
        scenario: the base scenario (default: the register defaults, which are the
            calibrated baseline, 10-year horizon).
        replication: replication index; with the scenario's seed it fixes every random number,
            so equal arguments give equal outcomes.
        outcomes: outcome keys (module docstring); default :data:`DEFAULT_OUTCOMES`.
        **parameters: keys with their values (register parameters or lever fields,
            :mod:`~reintegration_sim.keys`), dotted keys passed as a mapping:
            ``evaluate(**{"offending.terror_hazard": 0.002,
            "interventions.deradicalisation_programme.coverage": 0.5})``.

    Returns:
        ``{outcome key: value}`` (NaN where not identified at the horizon).

    EMA Workbench (not needed to run the model; the ``test`` extra installs it) can drive it as
    a plain Python model: ``examples/ema_prim.py`` (run by the tests) sets recruiter assumptions
    as uncertainties and release settings as levers, runs the same replications for every
    experiment (common random numbers) and finds with PRIM where re-engagement is highest.
    EMA 3 wants Python identifiers as names, so the example writes a dotted key with double
    underscores on EMA's side and converts back before calling this function.
    """
    from ..model.outcomes import people_table
    from ..model.simulation import ReintegrationModel
    from .experiment import run_model

    if scenario is None:
        scenario = Scenario(
            name="evaluate", description="register defaults (the calibrated baseline)"
        )
    keys = list(outcomes) if outcomes is not None else list(DEFAULT_OUTCOMES)
    validate_outcomes(keys)
    if parameters:
        scenario = scenario.with_overrides(typed_values(parameters))
    # the outcomes read the people table only: the weekly indicators are not recorded
    model = run_model(
        ReintegrationModel(
            scenario, replication=int(replication), build_graph=False, indicators=False
        )
    )
    return outcome_values(people_table(model), keys)
