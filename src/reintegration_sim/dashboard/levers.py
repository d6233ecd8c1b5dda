"""The dashboard's controls, generated from the parameter register and the lever registry.

Each control is a :class:`Lever`: a register parameter (its unit, plausible range, meaning and
source come from :func:`~reintegration_sim.parameters.iter_register`) or an intervention of
:data:`~reintegration_sim.interventions.REGISTRY` (its label, paper section and first docstring
sentence), whose control is the share of eligible people offered it, 0 meaning off.

:func:`model_params` turns the levers into the ``model_params`` of Mesa's ``SolaraViz``
(``{"type": "SliderFloat", ...}`` dictionaries); :func:`policy_scenario` applies what a user set to
a base or preset scenario, with the scenario module's own validation; :func:`parse_seed` reads
a seed typed into a text field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from ..interventions import REGISTRY, Interventions
from ..parameters import ParamInfo, iter_register
from ..scenario import MAX_SEED, Scenario, ScenarioError, format_validation_errors

__all__ = [
    "INTERVENTION_PREFIX",
    "LEVERS",
    "LEVER_BY_KEY",
    "MAIN_PARAMETERS",
    "NO_PRESET",
    "Lever",
    "lever_value",
    "model_params",
    "apply_preset",
    "format_value",
    "parse_seed",
    "policy_scenario",
    "OVERRIDE",
    "preset_changes",
]

#: the register parameters a workshop moves, with a short lay title (the register gives the rest)
MAIN_PARAMETERS: dict[str, str] = {
    "prison.regime": "Where extremist prisoners are held",
    "prison.overcrowding": "Prison overcrowding",
    "prison.fairness": "Fair and respectful prison regime",
    "release.planning_lead_weeks": "Transition planning starts before release",
    "release.continuity": "Same practitioner inside and outside",
    "release.electronic_monitoring": "Electronic monitoring on licence",
    "agencies.staffing_level": "Staffing of every agency",
    "agencies.exit_workers_per_1000": "Exit workers",
    "agencies.exit_support_years": "Exit work continues after release",
    "community.prejudice_mean": "Community prejudice",
    "community.capacity_mean": "Community capacity to support",
    "community.press_coverage": "Press coverage of terrorism offences",
    "recruiters.gate_presence": "Recruiters waiting at the gate",
}
#: one line in plain words for every control, shown with it in the sidebar (no model jargon)
LAY: dict[str, str] = {
    "prison.regime": "spread extremist prisoners over ordinary wings, hold them apart, or both",
    "prison.overcrowding": "more prisoners than places leaves less room for programmes",
    "prison.fairness": "fair treatment builds trust; unfair treatment feeds grievance",
    "release.planning_lead_weeks": "how early the plan for life outside starts",
    "release.continuity": "how often the practitioner from inside stays on after release",
    "release.electronic_monitoring": "how many extremist releases wear an ankle monitor",
    "agencies.staffing_level": "staff in every agency compared with today (1 = today)",
    "agencies.exit_workers_per_1000": "NGO or state workers who help people leave extremist groups",
    "agencies.exit_support_years": "how long exit workers stay with someone after release",
    "community.prejudice_mean": "how strongly communities reject people with a conviction",
    "community.capacity_mean": "how well communities help returners find a home and work",
    "community.press_coverage": "how much a reported terrorism offence stirs up prejudice",
    "recruiters.gate_presence": "how often recruiters wait at the prison gate on release day",
    "intervention.community_work": "meetings and mediation that open communities to returners",
    "intervention.media_strategy": "communities prepared before a release draws the press",
    "intervention.material_support": "help with a home, work, training and health care",
    "intervention.release_conditions": "ankle monitor, house arrest and more frequent contact",
    "intervention.case_conference": "agencies meet on each case and share what they know",
    "intervention.risk_assessment": "a structured assessment decides who gets which help",
    "intervention.deradicalisation_programme": "sessions in custody that question the ideology",
    "intervention.education": "courses toward a school or vocational qualification",
    "intervention.prison_work": "a working day in custody and a job lined up for release",
    "intervention.sport": "sport works off anger, so fewer incidents feel unfair",
    "intervention.religious_support": "vetted religious counsel that questions extremist readings",
    "intervention.family_support": "information, advice and help so families can support",
    "intervention.women_centred_support": "a women-only key worker: family, trust, hope, a home",
    "intervention.staff_training": "staff trained to build trust and to notice warning signs",
    "intervention.co_owned_plan": "plans for life after release made with the person",
    "intervention.mentors": "trained former extremists as mentors",
    "intervention.ddp": "the UK's intensive programme tailored to each person",
    "intervention.mental_health_transition": "mental health care that continues through the gate",
    "intervention.gate_pickup": "someone the person trusts meets them at the gate",
    "intervention.conditional_early_release": "a judge releases people early on a release plan",
}
#: paper sections for the main parameters whose register source names none
_SECTION_FALLBACK = {
    "agencies.exit_workers_per_1000": "Providers of exit work",
    "agencies.exit_support_years": "Providers of exit work; Transition management",
}
#: prefix of the control of an intervention's coverage (``"intervention.gate_pickup"``)
INTERVENTION_PREFIX = "intervention."
#: the control that makes every slider's value count, also at the base's value
OVERRIDE = "override_preset"
#: the preset picker's entry for "no preset: the base scenario with the levers"
NO_PRESET = "(none: base + levers)"
_RAN_SECTION = re.compile(r"RAN 2018 \[([^\]]+)\]")


@dataclass(frozen=True)
class Lever:
    """One control of the dashboard.

    Attributes:
        key: ``group.name`` of a register parameter, or ``intervention.<key>``.
        title: a short lay title.
        unit: what the number measures.
        plausible: the plausible range (numbers) or the allowed values (categories).
        lay: one line in plain words (:data:`LAY`), shown with the control.
        explanation: what it does in the model (the register's meaning or the lever's
            docstring), on page 1.
        section: section(s) of Baaken, Korn & Walkenhorst (2018) it comes from.
        source: the register's source, or the lever's evidence.
    """

    key: str
    title: str
    unit: str
    plausible: tuple[Any, ...]
    lay: str
    explanation: str
    section: str
    source: str

    @property
    def is_intervention(self) -> bool:
        return self.key.startswith(INTERVENTION_PREFIX)

    @property
    def categorical(self) -> bool:
        return isinstance(self.plausible[0], str)

    @property
    def integer(self) -> bool:
        return not self.categorical and all(isinstance(v, int) for v in self.plausible)

    def label(self) -> str:
        """The control's label: title, the line in plain words, unit and plausible range, and
        the paper section (the first where there are several); page 1 says more."""
        where = f" · RAN 2018: {self.section.split(';')[0]}" if self.section else ""
        if self.is_intervention:
            scale = f"{self.unit}; 0 = no change"
        elif self.categorical:
            scale = " / ".join(self.plausible)
        else:
            lo, hi = self.plausible
            scale = f"{self.unit}, {lo:g}–{hi:g}"
        return f"{self.title}: {self.lay} ({scale}){where}"


def _one_line(text: str) -> str:
    """The first sentence of a docstring, on one line, without reStructuredText quotes."""
    flat = " ".join(text.split()).replace("``", "")
    match = re.match(r"(.+?[.!?])(\s|$)", flat)
    return match.group(1) if match else flat


def _parameter_lever(info: ParamInfo) -> Lever:
    sections = _RAN_SECTION.findall(info.source)
    section = "; ".join(sections) or _SECTION_FALLBACK.get(info.key, "")
    return Lever(
        key=info.key,
        title=MAIN_PARAMETERS[info.key],
        unit=info.unit,
        plausible=info.plausible,
        lay=LAY[info.key],
        explanation=info.doc,
        section=section,
        source=info.source,
    )


def _intervention_levers() -> list[Lever]:
    levers = []
    for key, cls in REGISTRY.items():
        unit = (
            "share of communities covered"
            if cls.covers_communities
            else "share of eligible people offered it"
        )
        levers.append(
            Lever(
                key=INTERVENTION_PREFIX + key,
                title=cls.label,
                unit=unit,
                plausible=(0.0, 1.0),
                lay=LAY[INTERVENTION_PREFIX + key],
                explanation=_one_line(cls.__doc__ or ""),
                section=cls.section,
                source=cls.evidence,
            )
        )
    return levers


def _all_levers() -> tuple[Lever, ...]:
    register = {info.key: info for info in iter_register()}
    missing = [key for key in MAIN_PARAMETERS if key not in register]
    if missing:
        raise RuntimeError(f"dashboard levers not in the parameter register: {missing}")
    return tuple(
        [_parameter_lever(register[key]) for key in MAIN_PARAMETERS] + _intervention_levers()
    )


#: every control, the register's parameters first, then one per intervention
LEVERS: tuple[Lever, ...] = _all_levers()
LEVER_BY_KEY = {lever.key: lever for lever in LEVERS}


def lever_value(scenario: Scenario, key: str) -> Any:
    """The value a scenario gives a lever: a parameter's value, or an intervention's coverage
    (0.0 when the scenario does not switch it on)."""
    if key.startswith(INTERVENTION_PREFIX):
        intervention = getattr(scenario.interventions, key.removeprefix(INTERVENTION_PREFIX))
        return 0.0 if intervention is None else float(intervention.coverage)
    group, name = key.split(".")
    return getattr(getattr(scenario.parameters, group), name)


def _slider(lever: Lever, value: Any) -> dict[str, Any]:
    if lever.categorical:
        return {"type": "Select", "value": value, "values": list(lever.plausible)}
    lo, hi = lever.plausible
    lo, hi = min(lo, value), max(hi, value)  # the base's value is always reachable
    if lever.integer:
        return {"type": "SliderInt", "value": int(value), "min": lo, "max": hi, "step": 1}
    step = 0.05 if lever.is_intervention else _nice_step((hi - lo) / 40)
    return {"type": "SliderFloat", "value": float(value), "min": lo, "max": hi, "step": step}


def _nice_step(raw: float) -> float:
    """1, 2 or 5 times a power of ten, at most ``raw``."""
    if raw <= 0:
        return 0.01
    exponent = 10.0 ** int(f"{raw:e}".split("e")[1])
    for factor in (5.0, 2.0, 1.0):
        if factor * exponent <= raw:
            return factor * exponent
    return exponent


def model_params(
    base: Scenario, presets: Mapping[str, Scenario], replications: int = 20
) -> dict[str, Any]:
    """The ``model_params`` of Mesa's ``SolaraViz`` for :class:`~.run.WorkshopRun`: the preset
    picker, the seed, the replication, one control per lever (starting at the base's value) and
    the fixed ``base`` and ``presets``."""
    params: dict[str, Any] = {
        "preset": {
            "type": "Select",
            "value": NO_PRESET,
            "values": [NO_PRESET, *presets],
            "label": "Policy preset (the levers below add to it)",
        },
        "seed": {
            "type": "InputText",
            "value": str(base.seed),
            "label": "Seed (a whole number; both runs share it)",
        },
        "replication": {
            "type": "SliderInt",
            "value": 0,
            "min": 0,
            "max": replications - 1,
            "step": 1,
            "label": "Replication (another draw of people and chance)",
        },
    }
    params[OVERRIDE] = {
        "type": "Checkbox",
        "value": False,
        "label": "Sliders override the preset: every slider's value is used, also at the "
        "base's value (page 1 lists the preset's values)",
    }
    for lever in LEVERS:
        params[lever.key] = {**_slider(lever, lever_value(base, lever.key)), "label": lever.label()}
    params["base"] = base
    params["presets"] = dict(presets)
    return params


def format_value(value: object) -> str:
    """A lever's value for the page: numbers without trailing zeros, categories as they are."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def parse_seed(text: Any) -> int:
    """A seed from a text field (or a number): a whole number from 0 to ``MAX_SEED``.

    Raises:
        ValueError: with a message for the user when ``text`` is not such a number.
    """
    if isinstance(text, bool):
        raise ValueError(f"the seed must be a whole number, got {text!r}")
    if isinstance(text, int):
        value = text
    else:
        cleaned = str(text).strip()
        try:
            value = int(cleaned)
        except ValueError:
            raise ValueError(
                f"the seed must be a whole number (digits only), got {cleaned!r}"
            ) from None
    if not 0 <= value <= MAX_SEED:
        raise ValueError(f"the seed must be between 0 and {MAX_SEED}, got {value}")
    return value


def preset_changes(
    preset: Scenario, reference: Scenario
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]], list[str]]:
    """What a preset changes with respect to ``reference`` (the baseline it was written
    against): parameter overrides and intervention settings, and notes on what is left out.

    Population parameters are left out: the policy runs on the base's synthetic people, so that
    the two runs are paired (common random numbers)."""
    before, after = reference.parameters.flat(), preset.parameters.flat()
    parameters: dict[str, dict[str, Any]] = {}
    notes: list[str] = []
    for key, value in after.items():
        if value == before[key]:
            continue
        group, name = key.split(".")
        if group == "population":
            notes.append(
                f"preset {preset.name} sets {key} = {value}; the policy keeps the base's "
                "population (the same synthetic people in both runs)"
            )
            continue
        parameters.setdefault(group, {})[name] = value
    reference_settings = reference.intervention_settings()
    interventions = {
        key: settings
        for key, settings in preset.intervention_settings().items()
        if reference_settings.get(key) != settings
    }
    return parameters, interventions, notes


def apply_preset(
    base: Scenario, preset: Scenario, reference: Scenario
) -> tuple[Scenario, list[str], list[str]]:
    """The base with a preset's changes (see :func:`preset_changes`), the changes in words
    (``"prison.regime = mixed"``, ``"ddp switched on (capacity 230)"``) and notes for the
    user."""
    parameters, interventions, notes = preset_changes(preset, reference)
    scenario = base.with_parameters(parameters) if parameters else base
    if interventions:
        scenario = scenario.with_interventions(interventions)
    words = [
        f"{group}.{name} = {value}"
        for group, values in parameters.items()
        for name, value in values.items()
    ]
    for key, settings in interventions.items():
        detail = ", ".join(f"{name} {value}" for name, value in settings.items())
        words.append(f"{key} switched on" + (f" ({detail})" if detail else ""))
    return scenario, words, notes


def policy_scenario(
    base: Scenario, start: Scenario, values: Mapping[str, Any], override: bool = False
) -> tuple[Scenario, dict[str, tuple[Any, Any]]]:
    """The policy: ``start`` (the base or a preset) with every lever that ``values`` moves away
    from the base's value set to that value; with ``override``, every lever set to its value
    in ``values`` (so a slider at the base's value undoes what the preset changed, e.g. a
    named practice without one of its parts).

    Returns the scenario and ``{key: (value in start, value in the policy)}`` for each lever
    that changes ``start``. Raises :class:`~reintegration_sim.scenario.ScenarioError` when a
    value does not validate, or :class:`KeyError` for an unknown lever.
    """
    parameters: dict[str, dict[str, Any]] = {}
    coverage: dict[str, float] = {}
    moved: dict[str, tuple[Any, Any]] = {}
    for key, value in values.items():
        lever = LEVER_BY_KEY[key]
        reference = lever_value(start if override else base, key)
        if value == reference:
            continue
        if lever.is_intervention:
            coverage[key.removeprefix(INTERVENTION_PREFIX)] = float(value)
        else:
            group, name = key.split(".")
            typed = value if lever.categorical else (int(value) if lever.integer else float(value))
            parameters.setdefault(group, {})[name] = typed
        moved[key] = (lever_value(start, key), value)
    policy = start.with_parameters(parameters) if parameters else start
    if coverage:
        settings = policy.intervention_settings()
        for key, share in coverage.items():
            if share > 0:
                settings.setdefault(key, {})["coverage"] = share
            else:
                settings.pop(key, None)
        try:
            interventions = Interventions.model_validate(settings)
        except ValidationError as err:
            raise ScenarioError(
                format_validation_errors("dashboard levers", err, root=Interventions)
            ) from None
        policy = policy.model_copy(update={"interventions": interventions})
    return policy, moved
