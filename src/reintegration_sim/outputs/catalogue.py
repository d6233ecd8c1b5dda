"""Generated catalogues: the levers (from the intervention registry) and the scenario files.

``python -m reintegration_sim.outputs.catalogue`` (or ``make docs``) rewrites ``docs/levers.md`` and
``docs/scenarios.md``; tests fail when either is stale, so the docs cannot drift from the code
and the files.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from ..interventions import REGISTRY, Intervention
from ..keys import LEVER_PREFIX
from ..parameters import Parameters
from ..priors import prior_words
from ..scenario import load_scenario

__all__ = ["levers_markdown", "scenarios_markdown", "write_docs"]

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


def levers_markdown() -> str:
    """Every lever: the intervention classes with their fields, then the parameter levers."""
    lines = [
        "# Levers",
        "",
        "Generated from the intervention registry and the parameter register by "
        "`python -m reintegration_sim.outputs.catalogue`; do not edit by hand.",
        "Switch an intervention on in a scenario file with `[interventions.KEY]` and set any of "
        "its fields there. Every intervention also has the delivery fields `start_week`, "
        "`end_week`, `coverage` (share of eligible people offered it), `capacity` (places at "
        "once; beyond them people wait, longest wait first), `cost_per_case_week` and "
        "`cost_per_case` (EUR). Sections are those of Baaken, Korn & Walkenhorst (2018), RAN ex "
        "post paper; 'EVIDENCE n' is section n of the project's evidence notes.",
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
    delivery = set(Intervention.model_fields)
    for key in sorted(REGISTRY):
        cls = REGISTRY[key]
        lines += [
            f"### `{key}`: {cls.label}",
            "",
            _one_line(cls.__doc__),
            "",
            f"- Paper section: {cls.section}",
            f"- Acts through: {cls.mechanism}",
            "- Writes: " + ", ".join(f"`{w}`" for w in cls.writes),
            "- On the reoffending hazards directly: "
            + (
                f"yes, because {cls.direct_hazard}"
                if cls.direct_hazard
                else "no (its effect on offending comes only through the states above)"
            ),
            f"- Size of the effect: {cls.evidence}",
            f"- Typical cost (assumption, used unless the scenario sets one): EUR "
            f"{cls.typical_cost_per_case_week:,.0f} per case-week, EUR "
            f"{cls.typical_cost_per_case:,.0f} per new case",
            "",
        ]
        own = [(n, f) for n, f in cls.model_fields.items() if n not in delivery]
        if own:
            lines += [
                "| field | default | unit | plausible | prior | meaning | source |",
                "|---|---|---|---|---|---|---|",
            ]
            for n, f in own:
                extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
                span = extra.get("plausible")
                plausible = f"{_fmt(span[0])} to {_fmt(span[1])}" if isinstance(span, list) else ""
                prior = _prior_text(f"{LEVER_PREFIX}.{key}.{n}")
                lines.append(
                    f"| `{n}` | {_fmt(f.default)} | {extra.get('unit', '')} | {plausible} | "
                    f"{prior} | {_one_line(f.description)} | "
                    f"{_one_line(str(extra.get('source', '')))} |"
                )
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
    flat = Parameters().flat()
    for key, label, section in PARAMETER_LEVERS:
        lines.append(f"| `{key}` | {label} | {section} | {_fmt(flat[key])} |")
    lines.append("")
    return "\n".join(lines)


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
