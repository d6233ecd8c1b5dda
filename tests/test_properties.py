"""Property-based tests (hypothesis), bounded in time so that ``make test`` stays quick:

* random scenario files, valid and invalid (unicode, huge and non-finite numbers, wrong types,
  nesting errors, broken TOML, a byte-order mark) through the loader: always either a valid
  scenario or one :class:`~reintegration_sim.scenario.ScenarioError`, never another exception;
* random parameter sets anywhere inside the register's hard bounds run a short horizon with
  every invariant of tests/test_invariants.py checked every week.

Examples are derandomised (the same on every run and machine) and no example database is
written into the working folder.
"""

from __future__ import annotations

import json
import math
from typing import Any

import annotated_types
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from test_invariants import run_checked

from reintegration_sim.parameters import Parameters, iter_register
from reintegration_sim.scenario import Scenario, ScenarioError, load_scenario

SETTINGS = dict(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
REGISTER = list(iter_register())
KEYS = [info.key for info in REGISTER]


def _bounds(group: str, name: str) -> tuple[float, float]:
    """A parameter's hard bounds (what a scenario file may set)."""
    model = Parameters.model_fields[group].annotation
    assert model is not None
    lo, hi = -math.inf, math.inf
    for item in model.model_fields[name].metadata:
        if isinstance(item, annotated_types.Ge):
            lo = float(item.ge)
        elif isinstance(item, annotated_types.Le):
            hi = float(item.le)
    return lo, hi


# ---------------------------------------------------------------------- the loader


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
        )
    raise TypeError(value)


values = st.recursive(
    st.one_of(
        st.booleans(),
        st.integers(min_value=-(2**63), max_value=2**63 - 1),
        st.floats(allow_nan=True, allow_infinity=True),
        st.floats(min_value=0, max_value=1),
        st.text(max_size=40),
        st.sampled_from(["", "baseline", "1e400", "\u202e\u0000x", "é" * 300]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
keys = st.one_of(
    st.sampled_from(KEYS),
    st.text(min_size=1, max_size=20),
    st.sampled_from(
        [
            "name",
            "title",
            "description",
            "horizon_weeks",
            "seed",
            "base",
            "parameters",
            "interventions",
        ]
    ),
)


def _plausible(info: Any) -> st.SearchStrategy[Any]:
    low, high = info.plausible[0], info.plausible[-1]
    if isinstance(low, str):
        return st.sampled_from(info.plausible)
    if isinstance(info.default, bool):
        return st.booleans()
    if isinstance(info.default, int):
        return st.integers(int(low), int(high))
    return st.floats(float(low), float(high))


#: a register key with a value inside its plausible range (the files that should load)
plausible_settings = st.sampled_from(REGISTER).flatmap(
    lambda info: st.tuples(st.just(info.key), _plausible(info))
)


@st.composite
def scenario_files(draw: st.DrawFn) -> str:
    """TOML text of a scenario file: mostly well-formed with random keys and values, sometimes
    broken (a cut, a deep nesting, random characters), sometimes with a byte-order mark."""
    lines = []
    if draw(st.booleans()):
        lines.append('base = "baseline"')
    name = draw(st.one_of(st.just("fuzz"), st.just("fuzz"), st.text(max_size=30)))
    lines.append(f"name = {_toml_value(name)}")
    lines.append(f"description = {_toml_value(draw(st.text(min_size=1, max_size=60)))}")
    mixed = st.one_of(
        plausible_settings, plausible_settings, plausible_settings, st.tuples(keys, values)
    )
    settings_ = draw(st.lists(mixed, max_size=6))
    tables: dict[str, dict[str, Any]] = {}
    for key, value in settings_:
        head, _, tail = key.rpartition(".")
        if head and key in KEYS:
            tables.setdefault(head, {})[tail] = value
        else:
            lines.append(f"{json.dumps(key)} = {_toml_value(value)}")
    for head, table in tables.items():  # tables after every top-level key, each once
        lines.append(f"[parameters.{head}]")
        lines += [f"{name} = {_toml_value(value)}" for name, value in table.items()]
    text = "\n".join(lines) + "\n"
    damage = draw(st.sampled_from(["none", "none", "none", "cut", "nest", "noise", "bom"]))
    if damage == "cut":
        text = text[: draw(st.integers(0, len(text)))]
    elif damage == "nest":
        depth = draw(st.integers(1, 5000))
        text += "deep = " + "[" * depth + "1" + "]" * draw(st.integers(0, depth)) + "\n"
    elif damage == "noise":
        text += draw(st.text(max_size=40)) + "\n"
    elif damage == "bom":
        text = "\ufeff" + text
    return text


@settings(max_examples=200, **SETTINGS)
@given(text=scenario_files())
def test_the_loader_gives_a_scenario_or_one_clear_error(tmp_path_factory, text: str) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        scenario = load_scenario(path)
    except ScenarioError as err:
        event("refused")
        message = str(err)
        assert message.startswith(str(path)), message
        assert message.strip()
        return
    event("a valid scenario")
    assert isinstance(scenario, Scenario)
    for key, value in scenario.parameters.flat().items():
        if isinstance(value, float):
            assert math.isfinite(value), key


@settings(max_examples=100, **SETTINGS)
@given(data=st.binary(max_size=200))
def test_the_loader_takes_any_bytes(tmp_path_factory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("bytes") / "bytes.toml"
    path.write_bytes(data)
    with pytest.raises(ScenarioError):  # no description: never a scenario, always one error
        load_scenario(path)


# ---------------------------------------------------------------------- the model


@st.composite
def parameter_sets(draw: st.DrawFn) -> dict[str, dict[str, Any]]:
    """A value for a random subset of parameters, anywhere inside their hard bounds (sizes kept
    small so that a run takes a fraction of a second)."""
    overrides: dict[str, dict[str, Any]] = {}
    chosen = draw(st.lists(st.sampled_from(REGISTER), min_size=1, max_size=40, unique_by=str))
    for info in chosen:
        if isinstance(info.plausible[0], str):
            value: Any = draw(st.sampled_from(info.plausible))
        elif isinstance(info.default, bool):
            value = draw(st.booleans())
        else:
            lo, hi = _bounds(info.group, info.name)
            lo = info.plausible[0] if math.isinf(lo) else lo
            hi = max(lo, min(hi, 10 * max(abs(float(info.plausible[1])), 1.0)))
            if isinstance(info.default, int):
                value = draw(st.integers(int(math.ceil(lo)), int(math.floor(hi))))
            else:
                value = draw(st.floats(lo, hi, allow_nan=False))
        overrides.setdefault(info.group, {})[info.name] = value
    population = overrides.setdefault("population", {})
    population["n_extremist"] = draw(st.integers(0, 120))
    population["n_comparison"] = draw(st.integers(0, 120))
    community = overrides.get("community", {})
    if "n_communities" in community:
        community["n_communities"] = min(community["n_communities"], 50)
    return overrides


@settings(max_examples=30, **SETTINGS)
@given(overrides=parameter_sets(), weeks=st.integers(1, 60), seed=st.integers(0, 2**31))
def test_invariants_hold_every_week_anywhere_inside_the_bounds(
    sim, overrides: dict[str, dict[str, Any]], weeks: int, seed: int
) -> None:
    try:
        scenario = sim.scenario(weeks=weeks, seed=seed).with_parameters(overrides)
    except ScenarioError:
        assume(False)  # a combination the register's cross-checks refuse: not a model input
        return
    run_checked(scenario, sim.unit_indices)
