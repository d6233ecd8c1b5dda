"""The numbers that used to be written inline in the rules, the set-up and the levers are read
from the register (``params.<group>.<name>``) or from the lever's fields: changing one changes
the run, and the two named in the issue move outcomes the way the rule says (paired seeds).

A test here fails when a moved number is again written into the code instead of read."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from reintegration_sim.interventions import REGISTRY
from reintegration_sim.model import ReintegrationModel
from reintegration_sim.model.agents import Cohort
from reintegration_sim.parameters import Parameters
from reintegration_sim.scenario import Scenario

SMALL = Scenario(name="moved", description="moved constants").with_parameters(
    {"population": {"n_extremist": 200, "n_comparison": 200}}
)
HORIZON = 156

#: register parameters that were inline numbers, and a value far from the default that must
#: change the run (None: the end of the plausible range farther from the default)
MOVED: dict[str, Any] = {
    "population.age_min": None,
    "population.age_max": 45.0,  # few start above 60, so cut well inside the ages drawn
    "population.sentence_shape": None,
    "population.ideology_concentration": None,
    "population.group_ties_mean_comparison": None,
    "population.group_ties_concentration": None,
    "population.family_ties_mean_visited": None,
    "population.family_ties_concentration": None,
    "population.family_ties_mean_never_visited": None,
    "population.family_ties_concentration_never_visited": None,
    "population.hope_mean": None,
    "population.hope_concentration": None,
    "population.trust_mean": None,
    "population.trust_concentration": None,
    "population.family_trust_start": None,
    "prison.crowding_reflection_loss": None,
    "agencies.contact_prison": None,
    "agencies.contact_probation": None,
    "agencies.contact_religious": None,
    "agencies.contact_cap": 0.5,
    "agencies.exit_family_trust": None,
    "agencies.work_age_limit": 30.0,
    "agencies.police_ties_threshold": None,
    "agencies.unmonitored_detection": None,
    "agencies.detection_family_trust_weight": None,
    "behaviour.sympathy_threshold": None,
    "behaviour.custody_family_drift": None,
    "behaviour.custody_ties_decay": None,
    "behaviour.family_growth_trust_weight": None,
    "behaviour.conflict_ties_loss": None,
    "behaviour.therapy_milestone_weeks": None,
    "behaviour.family_contact_threshold": None,
    "community.concentration": None,
    "community.size_concentration": None,
    "community.organisation_capacity": None,
    "community.capacity_floor": None,
    "community.trust_cooperation": None,
    "community.press_spillover": None,
    "recruiters.prison_wing_focus": None,
    "recruiters.success_ideology_share": None,
    "recruiters.family_protection": None,
    "recruiters.trust_protection": None,
    "recruiters.stigma_vulnerability": None,
    "recruiters.need_met_vulnerability": None,
    "recruiters.community_target_ideology": None,
    "offending.mortality_doubling_years": None,
    "offending.hr_old": None,
    "offending.young_age": None,
    "offending.neutral_age": None,
    "offending.old_age": None,
    "offending.recall_monitored": None,
    "offending.recall_trust_reduction": None,
    "offending.recall_no_housing": None,
    "offending.housing_loss_sentence_weeks": 520,
}

#: where a parameter acts only in events a small default run has few of, the conditions that
#: make them common (people engaged with the group, licences that end within the horizon, more
#: recruiters, a mental health service too small for everyone)
_ENGAGED = {"population": {"group_ties_mean_extremist": 0.6}, "agencies": {"police_detection": 0.1}}
_SHORT_LICENCE = {**_ENGAGED, "release": {"licence_years_extremist": 0.5}}
_RECRUITED = {"recruiters": {"community_per_1000": 20.0, "approach_success": 0.3}}
_NO_MENTAL_HEALTH_SERVICE = {"agencies": {"mental_health_workers_per_1000": 0.0}}
CONTEXT: dict[str, dict[str, dict[str, Any]]] = {
    "agencies.detection_family_trust_weight": _ENGAGED,
    "agencies.unmonitored_detection": _ENGAGED,
    "agencies.police_ties_threshold": _SHORT_LICENCE,
    "recruiters.stigma_vulnerability": _RECRUITED,
    "recruiters.community_target_ideology": _RECRUITED,
}


def _lever(
    lever: str,
    name: str,
    value: Any,
    settings: dict[str, Any] | None = None,
    parameters: dict[str, dict[str, Any]] | None = None,
) -> tuple[str, str, Any, dict[str, Any], dict[str, dict[str, Any]]]:
    return lever, name, value, settings or {}, parameters or {}


_ALL_MEMBERS = {
    "members": ["probation", "police", "mental_health", "housing", "employment", "family"]
    + ["community", "religious"],
    "security_in_room": True,
}
_SECURITY = {"approach": "security"}
_HOUSE_ARREST = {"house_arrest": True}
#: lever fields that were inline numbers: (lever, field, a value other than the default, the
#: lever's other settings and the parameters under which the field acts)
LEVER_FIELDS = [
    _lever("gate_pickup", "handover_ratio", 1.0),
    _lever("family_support", "min_family_ties", 0.5),
    _lever("family_support", "information_effect", 0.05),
    _lever("family_support", "growth_ratio", 3.0),
    _lever("family_support", "conflict_ratio", 0.0),
    _lever("family_support", "psychological_conflict_ratio", 1.0, {"level": 3}),
    _lever("release_conditions", "contact_exponent", 1.0),
    _lever("release_conditions", "monitoring_detection", 3.0),
    _lever("release_conditions", "house_arrest_trust", 3.0, _HOUSE_ARREST),
    _lever("release_conditions", "house_arrest_detection", 3.0, _HOUSE_ARREST),
    _lever("release_conditions", "house_arrest_recall", 3.0, _HOUSE_ARREST),
    _lever("release_conditions", "house_arrest_work", 0.0, _HOUSE_ARREST),
    _lever("staff_training", "cascade_steepness", 0.5, {"train_the_trainer": True}),
    _lever("ddp", "trust_weight", 1.0),
    # k = 1 with weekly meetings, whatever the exponent
    _lever(
        "case_conference", "frequency_exponent", 0.0, {**_ALL_MEMBERS, "meeting_every_weeks": 2}
    ),
    _lever("case_conference", "handover_effect", 1.0, _ALL_MEMBERS),
    _lever("case_conference", "chance_effect", 2.0, _ALL_MEMBERS),
    _lever("case_conference", "treatment_share", 1.0, _ALL_MEMBERS, _NO_MENTAL_HEALTH_SERVICE),
    _lever("case_conference", "police_detection", 3.0, _ALL_MEMBERS, _ENGAGED),
    _lever("case_conference", "security_detection", 3.0, _ALL_MEMBERS, _ENGAGED),
    _lever("case_conference", "security_family_trust_cost", 0.05, _ALL_MEMBERS),
    _lever("case_conference", "family_trust_effect", 0.05, _ALL_MEMBERS),
    _lever("case_conference", "stigma_relief", 0.2, _ALL_MEMBERS),
    _lever("case_conference", "hope_effect", 0.05, _ALL_MEMBERS),
    _lever("risk_assessment", "security_detection", 5.0, _SECURITY, _ENGAGED),
    _lever("risk_assessment", "security_stigma", 0.5, _SECURITY),
    _lever("risk_assessment", "need_chance", 3.0),
    _lever("risk_assessment", "need_trust", 3.0),
    _lever("risk_assessment", "need_hope", 0.05),
    _lever("risk_assessment", "need_stigma", 0.5),
]


def _outputs(scenario: Scenario) -> dict[str, Any]:
    """Everything a run leaves: every person's state, the weekly indicators, the last week's
    hazards and the event tallies (a parameter read only in rare events still shows here)."""
    model = ReintegrationModel(scenario.with_horizon(HORIZON), 0, build_graph=False).run()
    out: dict[str, Any] = dict(model.people.arrays())
    out["recorded"] = model.recorder.values
    out["last_hazard"] = model.last_hazard
    out["tally"] = dict(model.tally)
    return out


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if a["tally"] != b["tally"]:
        return False
    return all(
        np.array_equal(a[name], b[name], equal_nan=a[name].dtype.kind == "f")
        for name in a
        if name != "tally"
    )


def _far_end(group: str, name: str) -> Any:
    field = Parameters.model_fields[group].annotation.model_fields[name]
    lo, hi = field.json_schema_extra["plausible"]
    return lo if abs(field.default - lo) >= abs(hi - field.default) else hi


@pytest.fixture(scope="module")
def default_runs() -> dict[str, Any]:
    """Outputs at the defaults, by context, filled as the tests need them."""
    return {}


def _base(key: str, cache: dict[str, Any]) -> tuple[Scenario, dict[str, Any]]:
    """The scenario a moved parameter is tried in (the small one, with its CONTEXT) and its
    outputs at the default, computed once per context."""
    context = CONTEXT.get(key, {})
    scenario = SMALL.with_parameters(context)
    name = repr(sorted((g, sorted(v.items())) for g, v in context.items()))
    if name not in cache:
        cache[name] = _outputs(scenario)
    return scenario, cache[name]


def test_the_list_names_register_parameters_with_their_defaults():
    flat = Parameters().flat()
    assert set(MOVED) <= set(flat), sorted(set(MOVED) - set(flat))
    for key, value in MOVED.items():
        assert value is None or value != flat[key], key


@pytest.mark.parametrize("key", sorted(MOVED))
def test_a_moved_parameter_is_read(key, default_runs):
    group, name = key.split(".")
    value = MOVED[key] if MOVED[key] is not None else _far_end(group, name)
    scenario, outputs = _base(key, default_runs)
    changed = _outputs(scenario.with_parameters({group: {name: value}}))
    assert not _same(outputs, changed), f"{key} = {value} changes nothing: is it still read?"


@pytest.mark.parametrize(
    ("lever", "name", "value", "settings", "parameters"),
    LEVER_FIELDS,
    ids=[f"{row[0]}.{row[1]}" for row in LEVER_FIELDS],
)
def test_a_moved_lever_field_is_read(lever, name, value, settings, parameters):
    field = REGISTRY[lever].model_fields[name]
    assert value != field.default, f"{lever}.{name}: pick a value other than the default"
    scenario = SMALL.with_parameters(parameters)
    on = _outputs(scenario.with_interventions({lever: dict(settings)}))
    changed = _outputs(scenario.with_interventions({lever: {**settings, name: value}}))
    assert not _same(on, changed), f"{lever}.{name} = {value} changes nothing: is it still read?"


# --------------------------------------------------------------- direction, on paired seeds


def _mean_end_ideology(cohort: Cohort):
    def metric(run) -> float:
        p = run.people
        keep = (p.cohort == cohort) & p.alive()
        return float(p.ideology[keep].mean())

    return metric


def test_a_higher_sympathy_threshold_lets_grievance_and_rejection_feed_belief_less(sim):
    """_sympathy: below ``behaviour.sympathy_threshold`` grievance and rejection add to ideology
    in proportion to ideology / threshold, so a higher threshold means less added; the
    comparison cohort, who mostly start below it, ends with a lower mean ideology."""
    base = sim.scenario(200, 200, weeks=156, seed=11)
    higher = base.with_parameters({"behaviour": {"sympathy_threshold": 0.6}})
    diffs = sim.paired(base, higher, _mean_end_ideology(Cohort.COMPARISON), n_reps=4)
    sim.assert_effect(diffs, "down", "sympathy_threshold 0.3 -> 0.6: comparison end ideology")


def test_more_contact_with_prison_key_workers_builds_more_trust_in_custody(sim):
    """practitioner_work: trust grows by ``behaviour.trust_growth`` x contact, and a prison key
    worker's contact is ``agencies.contact_prison``; raising it raises trust in custody."""

    def custody_trust(run) -> float:
        p = run.people
        return float(p.trust[p.in_custody()].mean())

    base = sim.scenario(200, 200, weeks=52, seed=11)
    more = base.with_parameters({"agencies": {"contact_prison": 0.8}})
    diffs = sim.paired(base, more, custody_trust, n_reps=4)
    sim.assert_effect(diffs, "up", "contact_prison 0.5 -> 0.8: mean trust in custody")
