"""Generated catalogues: the levers (from the intervention registry), the parameters (from the
register) and the scenario files.

``python -m reintegration_sim.outputs.catalogue`` (or ``make docs``) rewrites ``docs/levers.md`` and
``docs/scenarios.md``; tests fail when either is stale, so the docs cannot drift from the code
and the files. ``reintegration-sim levers [KEY]`` and ``params [GROUP]`` print the same content
for a terminal (:func:`levers_text`, :func:`parameters_text`), from the same entries
(:func:`lever_entry`, the register).
"""

from __future__ import annotations

import sys
import textwrap
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..interventions import REGISTRY, Intervention
from ..keys import LEVER_PREFIX, KeyError_, did_you_mean
from ..parameters import Parameters, iter_register
from ..priors import prior_words
from ..scenario import load_scenario

if TYPE_CHECKING:
    from ..analysis.calibration import Target

__all__ = [
    "LeverEntry",
    "lever_entry",
    "lever_keys",
    "levers_markdown",
    "levers_text",
    "parameter_choices",
    "parameters_text",
    "scenarios_markdown",
    "targets_text",
    "write_docs",
]

#: levers that are parameters of the register rather than intervention classes
PARAMETER_LEVERS: tuple[tuple[str, str, str], ...] = (
    (
        "prison.regime",
        "Prison regime: separation wings, dispersal or mixed",
        "Prisons and prison regime; CONTEST",
    ),
    ("prison.overcrowding", "Overcrowding (occupancy ratio)", "Prisons and prison regime"),
    (
        "prison.fairness",
        "Fairness and respect of the prison regime",
        "Prisons and prison regime; Trust",
    ),
    ("release.planning_lead_weeks", "When transition planning starts", "Transition management"),
    (
        "release.continuity",
        "Continuity of the same practitioner inside and outside",
        "Transition management",
    ),
    (
        "release.electronic_monitoring",
        "Electronic monitoring or house arrest on licence",
        "Release conditions",
    ),
    ("agencies.staffing_level", "Staffing and funding of every agency", "Staff training"),
    (
        "agencies.exit_workers_per_1000",
        "NGO exit workers (providers of exit work)",
        "Providers of exit work",
    ),
    (
        "agencies.religious_counsellors_per_1000",
        "Vetted religious counsellors",
        "Theological support",
    ),
    ("agencies.mental_health_workers_per_1000", "Mental health services", "Mental health"),
    ("agencies.housing_workers_per_1000", "Housing support workers", "Material support"),
    (
        "agencies.employment_workers_per_1000",
        "Employment and education advisers",
        "Material support",
    ),
    ("community.press_coverage", "Press coverage of terrorism offences", "Stigmatisation"),
)


def _fmt(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def _prior_text(key: str) -> str:
    """A lever field's prior in words: the distribution and why (or 'fixed: the policy')."""
    return prior_words(key, basis=True) or "fixed: a setting of the policy"


#: the delivery fields every intervention has (described once, not per lever)
DELIVERY_TEXT = (
    "Every intervention also has the delivery fields `start_week`, `end_week`, `coverage` "
    "(share of eligible people offered it), `capacity` (places at once; beyond them people "
    "wait, longest wait first), `cost_per_case_week` and `cost_per_case` (EUR)."
)


@dataclass(frozen=True)
class LeverField:
    """One field of a lever, as the catalogue shows it (text, formatted)."""

    name: str
    default: str
    unit: str
    plausible: str
    prior: str
    meaning: str
    source: str


@dataclass(frozen=True)
class LeverEntry:
    """One intervention of the registry, as the catalogue shows it: what ``docs/levers.md`` and
    ``reintegration-sim levers`` print, from one place."""

    key: str
    label: str
    doc: str
    facts: tuple[tuple[str, str], ...]
    fields: tuple[LeverField, ...]


def lever_entry(key: str) -> LeverEntry:
    """The catalogue entry of the intervention ``key``: its description, paper section,
    mechanism, what it writes, the size of its effect, its typical cost and its own fields
    (default, unit, plausible range, prior, meaning, source)."""
    cls = REGISTRY[key]
    facts = (
        ("Paper section", cls.section),
        ("Acts through", cls.mechanism),
        ("Writes", ", ".join(f"`{w}`" for w in cls.writes)),
        (
            "On the reoffending hazards directly",
            f"yes, because {cls.direct_hazard}"
            if cls.direct_hazard
            else "no (its effect on offending comes only through the states above)",
        ),
        ("Size of the effect", cls.evidence),
        (
            "Typical cost (assumption, used unless the scenario sets one)",
            f"EUR {cls.typical_cost_per_case_week:,.0f} per case-week, EUR "
            f"{cls.typical_cost_per_case:,.0f} per new case",
        ),
    )
    delivery = set(Intervention.model_fields)
    fields = []
    for n, f in cls.model_fields.items():
        if n in delivery:
            continue
        extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
        span = extra.get("plausible")
        fields.append(
            LeverField(
                name=n,
                default=_fmt(f.default),
                unit=str(extra.get("unit", "")),
                plausible=f"{_fmt(span[0])} to {_fmt(span[1])}" if isinstance(span, list) else "",
                prior=_prior_text(f"{LEVER_PREFIX}.{key}.{n}"),
                meaning=_one_line(f.description),
                source=_one_line(str(extra.get("source", ""))),
            )
        )
    return LeverEntry(key, cls.label, _one_line(cls.__doc__), facts, tuple(fields))


def parameter_levers() -> list[tuple[str, str, str, str]]:
    """``(key, lever, paper section, baseline value)`` of the levers that are register
    parameters rather than intervention classes."""
    flat = Parameters().flat()
    return [(key, label, section, _fmt(flat[key])) for key, label, section in PARAMETER_LEVERS]


def levers_markdown() -> str:
    """Every lever: the intervention classes with their fields, then the parameter levers."""
    lines = [
        "# Levers",
        "",
        "Generated from the intervention registry and the parameter register by "
        "`python -m reintegration_sim.outputs.catalogue`; do not edit by hand "
        "(`reintegration-sim levers [KEY]` prints the same in a terminal).",
        "Switch an intervention on in a scenario file with `[interventions.KEY]` and set any of "
        f"its fields there. {DELIVERY_TEXT} Sections are those of Baaken, Korn & Walkenhorst "
        "(2018), RAN ex post paper; 'EVIDENCE n' is section n of the project's evidence notes.",
        "",
        "Each lever acts through a mechanism of the model: it writes modifiers that the weekly "
        "rules read (docs/ODD.md section 8.2), or state, and the outcomes follow from the states "
        "it moves. Multiplying the reoffending hazards directly (the modifiers `hazard` and "
        "`terror_hazard`) is kept for a lever whose evidence is about reoffending itself and "
        "whose effect no mechanism of the model carries; each lever below says whether it does "
        "and why. "
        + (
            "At present no lever does."
            if not any(cls.direct_hazard for cls in REGISTRY.values())
            else "Those that do: "
            + ", ".join(f"`{k}`" for k in sorted(REGISTRY) if REGISTRY[k].direct_hazard)
            + "."
        ),
        "",
        "Numbers declared with a unit carry their plausible range (what a sensitivity analysis "
        "sweeps) and their source; for the others the range is the hard limit and the source is "
        "the lever's 'size of the effect'.",
        "",
        "## Interventions",
        "",
    ]
    for key in sorted(REGISTRY):
        entry = lever_entry(key)
        lines += [f"### `{key}`: {entry.label}", "", entry.doc, ""]
        lines += [f"- {what}: {text}" for what, text in entry.facts]
        lines.append("")
        if entry.fields:
            lines += [
                "| field | default | unit | plausible | prior | meaning | source |",
                "|---|---|---|---|---|---|---|",
            ]
            lines += [
                f"| `{f.name}` | {f.default} | {f.unit} | {f.plausible} | {f.prior} | "
                f"{f.meaning} | {f.source} |"
                for f in entry.fields
            ]
            lines.append("")
    lines += [
        "## Parameter levers",
        "",
        "Set these in `[parameters.GROUP]`; their units, ranges and sources are in "
        "[parameters.md](parameters.md).",
        "",
        "| parameter | lever | paper section | baseline |",
        "|---|---|---|---|",
    ]
    for key, label, section, value in parameter_levers():
        lines.append(f"| `{key}` | {label} | {section} | {value} |")
    lines.append("")
    return "\n".join(lines)


# ---------------------------------------------------------------------- the terminal

#: width of the terminal listings (``reintegration-sim levers``, ``params``)
WIDTH = 100


def _wrap(text: str, indent: int) -> list[str]:
    pad = " " * indent
    return textwrap.wrap(
        " ".join(text.replace("`", "").split()),
        WIDTH,
        initial_indent=pad,
        subsequent_indent=pad,
        break_on_hyphens=False,
        break_long_words=False,
    ) or [pad.rstrip()]


def lever_keys() -> list[str]:
    """What ``reintegration-sim levers KEY`` accepts: the interventions, then the parameter
    levers."""
    return [*sorted(REGISTRY), *(key for key, *_ in PARAMETER_LEVERS)]


def levers_text(key: str | None = None) -> str:
    """Every lever (or the one ``key``: an intervention or a parameter lever) in plain text for
    a terminal, with the content of ``docs/levers.md``. An unknown key raises
    :class:`~reintegration_sim.keys.KeyError_` with the nearest valid ones."""
    if key is not None:
        key = key.strip().removeprefix(f"{LEVER_PREFIX}.").removeprefix("parameters.")
        if key not in lever_keys():
            hint = did_you_mean(key, lever_keys())
            raise KeyError_(
                f"levers {key!r}: no such lever; {hint + ' ' if hint else ''}"
                "`reintegration-sim levers` lists them all"
            )
    lines: list[str] = []
    shown = sorted(REGISTRY) if key is None else [k for k in sorted(REGISTRY) if k == key]
    if key is None:
        lines += _wrap(
            "Levers: switch an intervention on in a scenario file with [interventions.KEY] and "
            f"set any of its fields there. {DELIVERY_TEXT} Sections are those of Baaken, Korn & "
            "Walkenhorst (2018), RAN ex post paper; 'EVIDENCE n' is section n of the project's "
            "evidence notes. The parameter levers follow the interventions.",
            0,
        )
        lines.append("")
    for k in shown:
        entry = lever_entry(k)
        lines.append(f"{k}: {entry.label}")
        lines += _wrap(entry.doc, 2)
        for what, text in entry.facts:
            lines += _wrap(f"{what}: {text}", 2)
        if entry.fields:
            lines.append("  Fields (default, then what it means):")
            for f in entry.fields:
                unit = f" {f.unit}" if f.unit else ""
                lines.append(f"    {f.name} = {f.default}{unit}")
                lines += _wrap(f.meaning, 8)
                details = [f"plausible {f.plausible}"] if f.plausible else []
                details.append(f"prior: {f.prior}")
                if f.source:
                    details.append(f"source: {f.source}")
                lines += _wrap("; ".join(details), 8)
        lines += [f"  In a scenario file: [interventions.{k}]", ""]
    levers = [row for row in parameter_levers() if key is None or row[0] == key]
    if levers and key is None:
        lines += ["Parameter levers (set in [parameters.GROUP]; `reintegration-sim params KEY`):"]
        width = max(len(row[0]) for row in levers)
        for name, label, section, value in levers:
            lines += _wrap(f"{name.ljust(width)}  {label} (baseline {value}; {section})", 2)
        lines += ["", f"{len(shown)} interventions and {len(levers)} parameter levers."]
    elif levers:
        name, label, section, value = levers[0]
        lines += [f"{name}: {label} (a parameter lever)"]
        lines += _wrap(f"Paper section: {section}. Baseline: {value}.", 2)
        lines += _wrap(
            f"In a scenario file: [parameters.{name.split('.')[0]}] {name.split('.')[1]} = ...", 2
        )
        lines += ["", parameters_text(name).rstrip("\n")]
    return "\n".join(lines).rstrip("\n") + "\n"


def parameter_choices() -> list[str]:
    """What ``reintegration-sim params GROUP`` accepts: the groups and every ``GROUP.NAME``."""
    return [*Parameters.model_fields, *(info.key for info in iter_register())]


def parameters_text(group: str | None = None) -> str:
    """The parameter register (or one group, or one ``GROUP.NAME``) in plain text for a
    terminal, with the content of ``docs/parameters.md``: default and unit, meaning, plausible
    range, prior and source. An unknown group or key raises
    :class:`~reintegration_sim.keys.KeyError_` with the nearest valid ones."""
    rows = list(iter_register())
    if group is not None:
        group = group.strip().removeprefix("parameters.")
        if group not in parameter_choices():
            hint = did_you_mean(group, parameter_choices())
            groups = ", ".join(Parameters.model_fields)
            raise KeyError_(
                f"params {group!r}: no such group or parameter; {hint + ' ' if hint else ''}"
                f"groups: {groups}"
            )
        rows = [r for r in rows if group in (r.group, r.key)]
    lines: list[str] = []
    current = None
    for info in rows:
        if info.group != current:
            current = info.group
            model = Parameters.model_fields[current].annotation
            count = sum(1 for r in rows if r.group == current)
            lines += [f"{current} ({count} parameter{'s' if count != 1 else ''})"]
            lines += _wrap((model.__doc__ if model is not None else "") or "", 2)
            lines.append("")
        unit = f" {info.unit}" if info.unit else ""
        lines.append(f"  {info.key} = {_fmt(info.default)}{unit}")
        lines += _wrap(info.doc, 6)
        lines += _wrap(
            f"plausible {_span(info.plausible)}; prior: "
            f"{prior_words(info.key) or 'fixed'}; source: {info.source}",
            6,
        )
    if group is None:
        lines += [
            "",
            f"{len(rows)} parameters in {len(Parameters.model_fields)} groups; a scenario file "
            "sets one as [parameters.GROUP] NAME = value.",
        ]
    return "\n".join(lines).rstrip("\n") + "\n"


def targets_text(targets: Sequence[Target], where: str) -> str:
    """Calibration targets in plain text for a terminal (``reintegration-sim targets``): each
    with its value and range, cohort, outcome and follow-up, definition and source."""
    lines = [f"{len(targets)} calibration target{'s' if len(targets) != 1 else ''}: {where}", ""]
    for t in targets:
        window = (
            f"{t.years:g} year{'s' if t.years != 1 else ''} after release"
            if t.from_years is None
            else f"from {t.from_years:g} to {t.years:g} years after release, of those without "
            f"it at {t.from_years:g}"
        )
        lines.append(f"{t.label}: {t.value:g} % (range {t.low:g} to {t.high:g} %)")
        lines += _wrap(f"Model outcome: {t.outcome}, {t.cohort} cohort, {window} ({t.key}).", 2)
        if t.definition:
            lines += _wrap(f"Definition: {t.definition}", 2)
        lines += [*_wrap(f"Source: {t.source}", 2), ""]
    lines += _wrap(
        "Values are per cent of people released, compared with the model's Kaplan-Meier "
        "cumulative incidence from first release. `reintegration-sim calibrate SCENARIO --fit "
        "KEY --targets FILE` fits to a file of your own.",
        0,
    )
    return "\n".join(lines) + "\n"


def _span(plausible: tuple[Any, ...]) -> str:
    if len(plausible) == 2 and not isinstance(plausible[0], str):
        return f"{_fmt(plausible[0])} to {_fmt(plausible[1])}"
    return " / ".join(_fmt(v) for v in plausible)


def scenarios_markdown(directory: str | Path) -> str:
    """One section per scenario file in ``directory``: what it models, what it sets."""
    directory = Path(directory)
    lines = [
        "# Scenarios",
        "",
        "Generated from the files in `scenarios/` by `python -m reintegration_sim.outputs.catalogue`; do "
        "not edit by hand. They ship with the package: each runs by name with "
        "`reintegration-sim run NAME`; compare any of them with the baseline with "
        "`reintegration-sim compare baseline NAME`; `reintegration-sim scenarios --copy DIR` "
        'copies them to edit, or a file of your own says `base = "NAME"` and only what differs. Levers are described in [levers.md](levers.md), parameters in '
        "[parameters.md](parameters.md).",
        "",
        "| file | name | title (in reports and plots) | sets |",
        "|---|---|---|---|",
    ]
    sections = []
    for path in sorted(directory.glob("*.toml")):
        scenario = load_scenario(path)
        settings = [
            f"`{group}.{name}` = {_fmt(value)}"
            for group, values in scenario.overrides().items()
            for name, value in values.items()
        ]
        for key, values in scenario.intervention_settings().items():
            detail = ", ".join(f"{n} = {_fmt(v)}" for n, v in values.items())
            settings.append(f"`{key}`" + (f" ({detail})" if detail else ""))
        lines.append(
            f"| [`{path.name}`](#{scenario.name}) | {scenario.name} | {scenario.label} | "
            f"{len(settings)} setting{'s' if len(settings) != 1 else ''} |"
        )
        sections += [
            f"## {scenario.name}",
            "",
            f"**{scenario.label}**. File: `scenarios/{path.name}`. Horizon "
            f"{scenario.horizon_weeks} weeks, seed {scenario.seed}.",
            "",
            _one_line(scenario.description),
            "",
        ]
        base = tomllib.loads(path.read_text(encoding="utf-8-sig")).get("base")
        if base is not None:
            sections += [
                f"Inherits from `{base}`; the settings below include those it inherits.",
                "",
            ]
        if scenario.country is not None:
            c = scenario.country
            sections += [
                f"Country: {c.name}, {c.releases_per_year:g} terrorist prisoners released a year "
                f"(the figures a year of a comparison with this base; {_one_line(c.source)}).",
                "",
            ]
        if settings:
            sections += ["Sets: " + "; ".join(settings) + ".", ""]
        page = Path("docs") / "scenarios" / f"{scenario.name}.md"
        if (directory.parent / page).exists():
            sections += [f"More: [{page.name}](scenarios/{page.name}).", ""]
    return "\n".join(lines + [""] + sections)


def write_docs(root: str | Path = ".") -> list[Path]:
    """Rewrite docs/levers.md and docs/scenarios.md under ``root``."""
    root = Path(root)
    written = []
    for name, text in (
        ("levers.md", levers_markdown()),
        ("scenarios.md", scenarios_markdown(root / "scenarios")),
    ):
        path = root / "docs" / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_docs(sys.argv[1] if len(sys.argv) > 1 else "."):
        print(path)
