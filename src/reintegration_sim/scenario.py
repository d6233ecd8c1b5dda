"""Scenarios: a named, described, validated set of parameter overrides with a horizon and a seed.

A scenario file is TOML::

    name = "baseline"
    title = "Today's practice"      # optional: the human name used in reports and plots
    description = "What this models, in plain words, and where in the paper it comes from."
    horizon_weeks = 520
    seed = 20181106

    [parameters.prison]
    regime = "dispersal"

    [country]                       # optional: what the comparison's figures a year scale by
    name = "France"
    releases_per_year = 50
    source = "EVIDENCE 2: French prison administration, 50 in 2022"

A file may inherit from another with ``base = "baseline"`` (a shipped scenario by name) or
``base = "other.toml"`` (a path, relative to the file): the base is read first (itself perhaps
inheriting), and this file's keys and tables override it key by key. ``name``, ``title`` and
``description`` are never inherited. An inheritance cycle is refused.

Scenarios are found by :func:`load_scenario` from a path or, for a bare name, among the files
shipped with the package (:func:`shipped_scenarios`). Every key is checked against the parameter
register; a bad file raises :class:`ScenarioError` whose message names the file, the key and
what is allowed.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from .interventions import Intervention, Interventions
from .keys import did_you_mean
from .parameters import Parameters

__all__ = [
    "Country",
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "resolve_scenario",
    "shipped_scenario_dir",
    "shipped_scenarios",
]

MAX_SEED = 2**63 - 1


class ScenarioError(ValueError):
    """A scenario file or value that cannot be used; the message is meant for the user."""


class Country(BaseModel):
    """The country a scenario describes (its ``[country]`` table), for the figures a year.

    A simulated cohort is a sample sized for precision, not a country's prison population: the
    model's figures are per 100 (or 1,000) releases, and a comparison turns them into figures a
    year with ``releases_per_year``, the terrorist prisoners the country releases in a year
    (EVIDENCE 2). A policy file that inherits from a country preset (``base = "france"``)
    inherits its country."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    name: str = Field(min_length=1, max_length=60, description="the country, as reports name it")
    releases_per_year: float = Field(
        gt=0,
        le=100_000,
        description="terrorist prisoners released a year: the comparison's figures a year",
    )
    source: str = Field(
        min_length=1,
        description="where releases_per_year comes from (a citation, or 'assumption: ...')",
    )


class Scenario(BaseModel):
    """A frozen, validated scenario. It owns its seed; replications derive theirs from it."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    name: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        max_length=80,
        description="short identifier used in result folders and tables",
    )
    title: str | None = Field(
        None,
        min_length=1,
        max_length=120,
        description="human name used in reports, plots and the dashboard (default: the name)",
    )
    description: str = Field(min_length=1, description="what this models, in plain words")
    horizon_weeks: int = Field(520, ge=1, le=5200, description="weeks simulated (1 step = 1 week)")
    seed: int = Field(20181106, ge=0, le=MAX_SEED, description="root seed of every random stream")
    parameters: Parameters = Field(default_factory=Parameters)
    interventions: Interventions = Field(default_factory=lambda: Interventions())
    country: Country | None = Field(
        None,
        description="the country described: its name and terrorist prisoners released a year, "
        "used for the figures a year of a comparison whose base this is",
    )
    _source_text: str | None = PrivateAttr(None)
    _source_path: str | None = PrivateAttr(None)

    @property
    def source_text(self) -> str:
        """The file text this scenario was read from, or its TOML rendering."""
        return self._source_text if self._source_text is not None else self.to_toml()

    @property
    def label(self) -> str:
        """The human title if the scenario has one, else its name."""
        return self.title or self.name

    @property
    def source_path(self) -> str | None:
        """The file this scenario was read from, if any."""
        return self._source_path

    def overrides(self) -> dict[str, dict[str, Any]]:
        """The parameter values this scenario sets, as ``{group: {name: value}}``."""
        return self.parameters.model_dump(exclude_unset=True)

    def intervention_settings(self) -> dict[str, dict[str, Any]]:
        """The interventions this scenario switches on, with the fields it sets."""
        return self.interventions.model_dump(exclude_unset=True, exclude_none=True)

    def active_interventions(self) -> list[Intervention]:
        """The interventions switched on, in registry order."""
        return [
            getattr(self.interventions, key)
            for key in type(self.interventions).model_fields
            if getattr(self.interventions, key) is not None
        ]

    def with_interventions(self, settings: dict[str, dict[str, Any]]) -> Scenario:
        """A copy with interventions switched on or changed (validated)."""
        return self._revalidate(interventions=_merge(self.intervention_settings(), settings))

    def with_parameters(self, overrides: dict[str, dict[str, Any]]) -> Scenario:
        """A copy with further parameter overrides (validated)."""
        return self._revalidate(parameters=_merge(self.overrides(), overrides))

    def with_overrides(self, overrides: Mapping[str, Any]) -> Scenario:
        """A copy with values set by key (validated): ``group.name`` for a register parameter,
        ``interventions.LEVER.FIELD`` for a lever's field (switching the lever on if needed),
        ``horizon_weeks``, ``seed``, ``title``, ``description`` or ``country.NAME``
        (:mod:`~reintegration_sim.keys`)::

            scenario.with_overrides({"offending.terror_hazard": 0.002,
                                     "interventions.deradicalisation_programme.coverage": 0.5})

        A new ``name`` without a ``title`` drops the title, as a file that inherits from
        another names and titles itself: a copy of the baseline under another name is not
        shown as "Today's practice".
        """
        from .keys import KeyError_, nested_overrides

        try:
            parameters, levers, settings = nested_overrides(overrides)
        except KeyError_ as err:
            raise ScenarioError(f"{self.source_path or self.name}: {err}") from None
        if settings.get("name", self.name) != self.name and "title" not in settings:
            settings["title"] = None
        if "country" in settings:  # country.NAME keys: merged into the scenario's table
            own = self.country.model_dump() if self.country is not None else {}
            settings["country"] = _merge(own, settings["country"])
        return self._revalidate(
            parameters=_merge(self.overrides(), parameters),
            interventions=_merge(self.intervention_settings(), levers),
            **settings,
        )

    def with_seed(self, seed: int) -> Scenario:
        return self._revalidate(seed=seed)

    def with_horizon(self, weeks: int) -> Scenario:
        return self._revalidate(horizon_weeks=weeks)

    def _revalidate(self, **changes: Any) -> Scenario:
        data = self.model_dump(exclude={"parameters", "interventions"}, exclude_none=True)
        data["parameters"] = self.overrides()
        data["interventions"] = self.intervention_settings()
        data.update(changes)
        try:
            new = Scenario.model_validate(data)
        except ValidationError as err:
            raise ScenarioError(
                format_validation_errors(self.source_path or self.name, err)
            ) from None
        new._source_path = self._source_path
        return new

    def to_toml(self) -> str:
        """The scenario as TOML text (what a result folder stores when no file text exists)."""
        lines = [f"name = {_toml_value(self.name)}"]
        if self.title is not None:
            lines.append(f"title = {_toml_value(self.title)}")
        lines += [
            f"description = {_toml_value(self.description)}",
            f"horizon_weeks = {self.horizon_weeks}",
            f"seed = {self.seed}",
        ]
        for group, values in self.overrides().items():
            lines += ["", f"[parameters.{group}]"]
            lines += [f"{key} = {_toml_value(value)}" for key, value in values.items()]
        for key, values in self.intervention_settings().items():
            lines += ["", f"[interventions.{key}]"]
            lines += [f"{name} = {_toml_value(value)}" for name, value in values.items()]
        if self.country is not None:
            lines += ["", "[country]"]
            lines += [
                f"{name} = {_toml_value(value)}"
                for name, value in self.country.model_dump().items()
            ]
        return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    text = str(value)
    if "\n" in text:
        return '"""\n' + text.replace("\\", "\\\\").replace('"""', '\\"""') + '"""'
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _allowed_at(loc: tuple[Any, ...], root: type[BaseModel] | None = None) -> list[str]:
    """The keys allowed at the level of ``loc`` (for unknown-key messages)."""
    model: Any = Scenario if root is None else root
    for part in loc[:-1]:
        field = model.model_fields.get(part)
        if field is None:
            return []
        candidates = [field.annotation, *get_args(field.annotation)]
        models = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
        if not models:
            return []
        model = models[0]
    return list(model.model_fields)


def format_validation_errors(
    where: str, err: ValidationError, root: type[BaseModel] | None = None
) -> str:
    """One line for the user: every problem of ``err``, naming ``where`` and each key; unknown
    keys list what is allowed at their level of ``root`` (default: a scenario file)."""
    messages = []
    for e in err.errors():
        loc = tuple(e["loc"])
        key = ".".join(str(p) for p in loc)
        if e["type"] == "extra_forbidden":
            allowed = _allowed_at(loc, root)
            hint = did_you_mean(str(loc[-1]), allowed)
            messages.append(
                f"unknown key '{key}'; {hint + ' ' if hint else ''}allowed here: "
                + ", ".join(allowed)
            )
        elif e["type"] == "missing":
            messages.append(f"missing key '{key}'")
        else:
            hint = _plausible_hint(loc)
            messages.append(f"key '{key}': {e['msg']} (got {e.get('input')!r}){hint}")
    return f"{where}: " + "; ".join(messages)


def _plausible_hint(loc: tuple[Any, ...]) -> str:
    if len(loc) == 3 and loc[0] == "parameters":
        group = Parameters.model_fields.get(str(loc[1]))
        if group is not None:
            assert group.annotation is not None  # every group is annotated with its model class
            field = group.annotation.model_fields.get(str(loc[2]))
            if field is not None and field.json_schema_extra:
                extra = field.json_schema_extra
                return f"; unit {extra['unit']}, plausible {extra['plausible']}"
    return ""


def read_toml(path: Path, error: type[Exception]) -> tuple[dict[str, Any], str]:
    """``(data, text)`` of a TOML file; a missing, unreadable or malformed file raises
    ``error`` with a one-line message naming the file."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # a byte-order mark (Windows editors) is fine
    except FileNotFoundError:
        raise error(f"{path}: file not found") from None
    except IsADirectoryError:
        raise error(f"{path}: is a directory, not a file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: cannot read ({exc})") from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path}: not valid TOML ({exc})") from None
    except RecursionError:
        raise error(f"{path}: not valid TOML (nested too deeply)") from None


SHIPPED_PACKAGE = "reintegration_sim"
#: keys of a scenario file that are its own and never inherited from its base
OWN_KEYS = ("name", "title", "description")


def shipped_scenario_dir() -> Path:
    """The folder of the scenario files shipped with the package."""
    return Path(str(resources.files(SHIPPED_PACKAGE) / "scenarios"))


def shipped_scenarios() -> dict[str, Path]:
    """``{name: path}`` of every shipped scenario file, sorted by name."""
    return {p.stem: p for p in sorted(shipped_scenario_dir().glob("*.toml"))}


def resolve_scenario(ref: str | Path, relative_to: Path | None = None) -> Path:
    """The file a scenario reference names: a path (relative to ``relative_to`` if given) when
    it exists, is a :class:`~pathlib.Path` or contains a folder separator, else a shipped
    scenario's name (``baseline``, with or without ``.toml``). An unknown name raises
    :class:`ScenarioError` with close names; a missing path is reported when it is read."""
    path = Path(ref)
    if relative_to is not None and not path.is_absolute():
        path = relative_to / path
    text = str(ref)
    if path.exists() or isinstance(ref, Path) or "/" in text or "\\" in text:
        return path
    name = text.removesuffix(".toml")
    shipped = shipped_scenarios()
    if name in shipped:
        return shipped[name]
    hint = did_you_mean(name, shipped) or "`reintegration-sim scenarios` lists the shipped ones"
    raise ScenarioError(f"{text}: no such file, nor a shipped scenario of that name; {hint}")


def _merge(base: dict[str, Any], own: dict[str, Any]) -> dict[str, Any]:
    """``own`` over ``base``, table by table (a table in both is merged key by key)."""
    out = dict(base)
    for key, value in own.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _resolved_data(path: Path, chain: tuple[Path, ...] = ()) -> tuple[dict[str, Any], str, bool]:
    """The file's data with its ``base`` chain applied, its own text, and whether it
    inherits."""
    data, text = read_toml(path, ScenarioError)
    where = path.resolve()
    if where in chain:
        cycle = " -> ".join(str(p) for p in (*chain, where))
        raise ScenarioError(f"{path}: inheritance cycle: {cycle}")
    base_ref = data.pop("base", None)
    if base_ref is None:
        return data, text, False
    if not isinstance(base_ref, str) or not base_ref.strip():
        raise ScenarioError(
            f"{path}: key 'base': expected a scenario name or a path (got {base_ref!r})"
        )
    try:
        base_path = resolve_scenario(base_ref, relative_to=path.parent)
        base_data, _, _ = _resolved_data(base_path, (*chain, where))
    except ScenarioError as err:
        raise ScenarioError(f"{path}: key 'base': {err}") from None
    for key in OWN_KEYS:
        base_data.pop(key, None)
    return _merge(base_data, data), text, True


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario, by path or shipped name, with its ``base`` chain applied;
    raise :class:`ScenarioError` with a clear message."""
    path = resolve_scenario(path)
    data, text, inherits = _resolved_data(path)
    data.setdefault("name", path.stem)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(format_validation_errors(str(path), err)) from None
    # a file that inherits is not complete on its own: keep the resolved scenario instead, so
    # that a result folder's copy runs again without its base
    scenario._source_text = _inherited_text(scenario, path, text) if inherits else text
    scenario._source_path = str(path)
    return scenario


def _inherited_text(scenario: Scenario, path: Path, text: str) -> str:
    own = "\n".join(f"# {line}".rstrip() for line in text.strip().splitlines())
    return f"# {path} with its base applied; the file itself reads:\n{own}\n\n" + scenario.to_toml()
