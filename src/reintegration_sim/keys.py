"""One key grammar for every number a scenario can set.

* ``GROUP.NAME``: a register parameter (:mod:`~reintegration_sim.parameters`), e.g.
  ``offending.terror_hazard``; ``parameters.GROUP.NAME`` is accepted as the same key;
* ``interventions.KEY.FIELD``: a field of a lever (:mod:`~reintegration_sim.interventions`),
  e.g. ``interventions.deradicalisation_programme.hope_effect``. Setting a field of a lever the
  scenario does not use switches that lever on with its defaults and the field set;
* ``name``, ``title``, ``description``, ``horizon_weeks``, ``seed`` and ``country.name``,
  ``country.releases_per_year``, ``country.source``: the scenario's own settings.

Scenario overrides (:meth:`Scenario.with_overrides`), ``--set KEY=VALUE``, sweep specs,
:func:`~reintegration_sim.analysis.sensitivity.evaluate`, ``calibrate --fit`` and the dashboard all take
these keys. :func:`describe` tells what a key is (default, unit, plausible range, source), and
:func:`all_keys` lists every one.

A value outside a numeric key's plausible range is allowed within its hard bounds; it runs, and
:func:`implausible` says so in one line (the command line prints it as a warning).
"""

from __future__ import annotations

import difflib
import functools
import tomllib
import typing
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, cast

import annotated_types

from .interventions import REGISTRY
from .parameters import iter_register

if TYPE_CHECKING:
    from .scenario import Scenario

__all__ = [
    "LEVER_PREFIX",
    "SCENARIO_SETTINGS",
    "KeyError_",
    "KeyInfo",
    "all_keys",
    "canonical",
    "close_matches",
    "current_value",
    "describe",
    "did_you_mean",
    "flatten",
    "implausible",
    "model_keys",
    "nested_overrides",
    "parse_assignment",
    "unknown_key_message",
]

#: the scenario's own settings that ``--set`` and overrides may change
SCENARIO_SETTINGS: dict[str, str] = {
    "name": "short identifier used in result folders and tables",
    "horizon_weeks": "weeks simulated (1 step = 1 week)",
    "seed": "root seed of every random stream",
    "title": "a human title used in reports, plots and the dashboard",
    "description": "what the scenario models, in plain words",
    "country.name": "the country described (figures a year of a comparison whose base this is)",
    "country.releases_per_year": "terrorist prisoners the country releases a year",
    "country.source": "where the country's releases a year come from",
}
LEVER_PREFIX = "interventions"
PARAMETER_PREFIX = "parameters"


class KeyError_(ValueError):  # noqa: N801 - a ValueError, not the builtin KeyError
    """An unknown or malformed key; the message names it and suggests close ones."""


@dataclass(frozen=True)
class KeyInfo:
    """What one key is.

    Attributes:
        key: the canonical key (``group.name`` or ``interventions.key.field``).
        kind: ``parameter`` (register), ``lever`` (intervention field) or ``scenario``.
        default: the value when nothing sets it.
        unit: what the number measures (levers: from their field description).
        plausible: ``(low, high)`` for numbers; the allowed values otherwise; empty if open.
        bounds: hard limits ``(low, high)`` of a number (``None`` where open).
        source: the evidence behind the default, or "assumption".
        doc: one line on what it does.
        integer: whole numbers only (an ``int`` field, ``None`` allowed or not).
    """

    key: str
    kind: Literal["parameter", "lever", "scenario"]
    default: Any
    unit: str
    plausible: tuple[Any, ...]
    bounds: tuple[float | None, float | None]
    source: str
    doc: str
    integer: bool = False

    @property
    def numeric(self) -> bool:
        """A number that can be swept or fitted (not a switch, a choice or a list)."""
        return (
            len(self.plausible) == 2
            and not isinstance(self.default, bool)
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in self.plausible)
        )


def _bounds_of(metadata: list[Any]) -> tuple[float | None, float | None]:
    low: float | None = None
    high: float | None = None
    for item in metadata:
        # pydantic's ge/gt/le/lt on a number field: the limits are numbers
        if isinstance(item, annotated_types.Ge):
            low = float(cast(float, item.ge))
        elif isinstance(item, annotated_types.Gt):
            low = float(cast(float, item.gt))
        elif isinstance(item, annotated_types.Le):
            high = float(cast(float, item.le))
        elif isinstance(item, annotated_types.Lt):
            high = float(cast(float, item.lt))
    return low, high


def _number_type(annotation: Any) -> type | None:
    """``int`` or ``float`` for a number field (``None`` allowed or not), else None."""
    options = [a for a in (typing.get_args(annotation) or (annotation,)) if a is not type(None)]
    if len(options) == 1 and options[0] in (int, float):
        return cast(type, options[0])
    return None


def _choices(annotation: Any) -> tuple[Any, ...]:
    if annotation is bool:
        return (False, True)
    if typing.get_origin(annotation) is Literal:
        return typing.get_args(annotation)
    return ()


def _lever_keys() -> Iterator[KeyInfo]:
    for lever, cls in REGISTRY.items():
        for name, field in cls.model_fields.items():
            low, high = _bounds_of(field.metadata)
            choices = _choices(field.annotation)
            number = _number_type(field.annotation)
            # a number declared with lever_field carries its unit, plausible range and source;
            # for the others the hard limits stand in for the range and the lever's evidence
            # for the source
            extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
            plausible: tuple[Any, ...] = choices
            if "plausible" in extra:
                plausible = tuple(cast(list[Any], extra["plausible"]))
            elif not choices and number is not None and low is not None and high is not None:
                plausible = (low, high)
            if number is int and len(plausible) == 2:
                plausible = (int(plausible[0]), int(plausible[1]))
            yield KeyInfo(
                key=f"{LEVER_PREFIX}.{lever}.{name}",
                kind="lever",
                default=field.default,
                unit=str(extra.get("unit", "")),
                plausible=plausible,
                bounds=(low, high),
                source=str(extra.get("source", cls.evidence)),
                doc=field.description or "",
                integer=number is int,
            )


def _parameter_keys() -> Iterator[KeyInfo]:
    from .parameters import Parameters

    for info in iter_register():
        group = Parameters.model_fields[info.group].annotation
        field = group.model_fields[info.name]  # type: ignore[union-attr]
        yield KeyInfo(
            key=info.key,
            kind="parameter",
            default=info.default,
            unit=info.unit,
            plausible=info.plausible,
            bounds=_bounds_of(field.metadata),
            source=info.source,
            doc=info.doc,
            integer=isinstance(info.default, int) and not isinstance(info.default, bool),
        )


def all_keys() -> dict[str, KeyInfo]:
    """Every key: register parameters, then lever fields, then the scenario's settings (the
    same mapping every call: do not change it)."""
    return _all_keys()


@functools.cache
def _all_keys() -> dict[str, KeyInfo]:
    keys = {info.key: info for info in _parameter_keys()}
    keys.update((info.key, info) for info in _lever_keys())
    for name, doc in SCENARIO_SETTINGS.items():
        keys[name] = KeyInfo(name, "scenario", None, "", (), (None, None), "", doc)
    return keys


def model_keys() -> dict[str, KeyInfo]:
    """The keys of numbers the model reads: register parameters and lever fields (not the
    scenario's own settings)."""
    return {key: info for key, info in all_keys().items() if info.kind != "scenario"}


def canonical(key: str) -> str:
    """The key without an optional ``parameters.`` prefix."""
    key = key.strip()
    if key.startswith(PARAMETER_PREFIX + ".") and key.count(".") == 2:
        return key[len(PARAMETER_PREFIX) + 1 :]
    return key


def describe(key: str) -> KeyInfo:
    """What ``key`` is; an unknown key raises :class:`KeyError_` with close matches."""
    keys = all_keys()
    info = keys.get(canonical(key))
    if info is None:
        raise KeyError_(unknown_key_message(key, keys))
    return info


def close_matches(word: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """The valid names nearest to a mistyped ``word`` (:func:`difflib.get_close_matches`, case
    ignored), best first; for a dotted key also those ending in the same last part (the right
    name in the wrong group or lever)."""
    choices = list(dict.fromkeys(choices))
    lowered = {c.lower(): c for c in choices}
    found = difflib.get_close_matches(word.lower(), list(lowered), n, 0.6)
    if found:  # only those about as close as the best (one clear match is named alone)
        ratio = [difflib.SequenceMatcher(None, word.lower(), c).ratio() for c in found]
        found = [c for c, r in zip(found, ratio, strict=True) if r >= max(ratio) - 0.05]
    close = [lowered[c] for c in found]
    if not close and "." in word:
        last = word.split(".")[-1].lower()
        close = [c for c in choices if c.split(".")[-1].lower() == last][:n]
    return close


def did_you_mean(word: str, choices: Iterable[str], quote: str = "'") -> str:
    """``did you mean 'x'?`` (or ``'x' or 'y'``) for a mistyped ``word`` among ``choices``, or
    an empty string when nothing is close: the one phrasing every "unknown ..." message of the
    package uses (scenario files, ``--set`` keys, scenario names, options, levers, parameter
    groups, targets files)."""
    close = close_matches(word, choices)
    if not close:
        return ""
    return "did you mean " + " or ".join(f"{quote}{c}{quote}" for c in close) + "?"


def unknown_key_message(key: str, keys: Mapping[str, Any]) -> str:
    """``unknown key 'x'; did you mean ...`` (or where to look them up)."""
    key = canonical(key)
    hint = did_you_mean(key, keys)
    if hint:
        return f"unknown key '{key}'; {hint}"
    lever = key.split(".")[1] if key.startswith(LEVER_PREFIX + ".") else None
    if lever is not None and lever in REGISTRY:
        fields = ", ".join(REGISTRY[lever].model_fields)
        return f"unknown key '{key}'; the fields of '{lever}' are: {fields}"
    return (
        f"unknown key '{key}'; keys are GROUP.NAME (see `reintegration-sim params`), "
        "interventions.LEVER.FIELD, name, title, description, horizon_weeks, seed or "
        "country.NAME"
    )


def parse_assignment(text: str) -> tuple[str, Any]:
    """``KEY=VALUE`` as given to ``--set``: the value read as a TOML value (``52``, ``0.2``,
    ``true``, ``"text"``, ``["a", "b"]``), else taken as plain text (``separation``)."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise KeyError_(f"--set {text!r}: expected KEY=VALUE, e.g. offending.terror_hazard=0.002")
    raw = raw.strip()
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return canonical(key), value


def flatten(tables: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested TOML tables (``{"population": {"n_extremist": 200}}``) as flat keys
    (``{"population.n_extremist": 200}``); flat keys pass through."""
    out: dict[str, Any] = {}
    for key, value in tables.items():
        full = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten(value, full + "."))
        else:
            out[full] = value
    return out


def nested_overrides(
    overrides: Mapping[str, Any],
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]], dict[str, Any]]:
    """Split flat ``{key: value}`` into ``(parameters, interventions, settings)`` as the
    scenario's tables nest them; unknown keys raise :class:`KeyError_`."""
    keys = all_keys()
    parameters: dict[str, dict[str, Any]] = {}
    levers: dict[str, dict[str, Any]] = {}
    settings: dict[str, Any] = {}
    for raw, value in overrides.items():
        key = canonical(raw)
        info = keys.get(key)
        if info is None:
            raise KeyError_(unknown_key_message(key, keys))
        if info.kind == "scenario" and "." in key:  # country.NAME: a table of the scenario
            table, name = key.split(".")
            settings.setdefault(table, {})[name] = value
        elif info.kind == "scenario":
            settings[key] = value
        elif info.kind == "lever":
            _, lever, name = key.split(".")
            levers.setdefault(lever, {})[name] = value
        else:
            group, name = key.split(".")
            parameters.setdefault(group, {})[name] = value
    return parameters, levers, settings


def current_value(scenario: Scenario, key: str) -> Any:
    """The value ``key`` has in ``scenario`` (a lever the scenario does not use: its default)."""
    key = canonical(key)
    info = describe(key)
    if info.kind == "parameter":
        return scenario.parameters.flat()[key]
    if info.kind == "lever":
        _, lever, name = key.split(".")
        return scenario.intervention_settings().get(lever, {}).get(name, info.default)
    if "." in key:  # country.NAME
        table, name = key.split(".")
        return getattr(getattr(scenario, table), name, None)
    return getattr(scenario, key)


def implausible(scenario: Scenario) -> list[str]:
    """One line per register parameter or lever field of ``scenario`` outside its plausible
    range (within its hard limits, so it runs). Lever fields declared without a unit have no
    plausible range narrower than their limits."""
    keys = all_keys()
    lines = []
    values = dict(scenario.parameters.flat())
    for lever, fields in scenario.intervention_settings().items():
        values.update({f"{LEVER_PREFIX}.{lever}.{name}": v for name, v in fields.items()})
    for key, value in values.items():
        info = keys.get(key)
        if info is None or not info.numeric or value is None or isinstance(value, bool):
            continue
        low, high = info.plausible
        if not low <= value <= high:
            lines.append(
                f"{key} = {value:g} is outside its plausible range {low:g} to {high:g} "
                f"({info.unit}); it runs, but no evidence supports it"
            )
    return lines
