"""The intervention framework: registry, validation, delivery (coverage, capacity, window,
costs) and the guarantee that a lever nobody receives changes nothing."""

from __future__ import annotations

import numpy as np
import pytest

from reintegration_sim.interventions import REGISTRY
from reintegration_sim.model import ReintegrationModel
from reintegration_sim.model.outcomes import people_table
from reintegration_sim.scenario import Scenario, ScenarioError

SMALL = Scenario(name="small", description="framework tests").with_parameters(
    {"population": {"n_extremist": 300, "n_comparison": 300}}
)
HORIZON = 156


def _run(scenario: Scenario, replication: int = 0) -> ReintegrationModel:
    return ReintegrationModel(scenario.with_horizon(HORIZON), replication, build_graph=False).run()


@pytest.fixture(scope="module")
def baseline_table():
    model = _run(SMALL)
    return people_table(model).drop(columns="scenario"), model.recorder.values


@pytest.mark.parametrize("key", sorted(REGISTRY))
def test_zero_coverage_reproduces_the_baseline_exactly(key, baseline_table):
    table, values = baseline_table
    model = _run(SMALL.with_interventions({key: {"coverage": 0.0}}))
    assert people_table(model).drop(columns="scenario").equals(table)
    np.testing.assert_array_equal(model.recorder.values, values)


@pytest.mark.parametrize("key", sorted(REGISTRY))
def test_every_intervention_documents_itself(key):
    cls = REGISTRY[key]
    assert cls.key == key
    assert cls.label and cls.section and cls.evidence and cls.__doc__
    for name, field in cls.model_fields.items():
        assert field.description, f"{key}.{name} has no description"


@pytest.mark.parametrize("key", sorted(REGISTRY))
def test_every_intervention_acts_when_switched_on(key, baseline_table):
    """Full coverage from week 0 changes some person's trajectory (a lever that never acts
    would be a stub)."""
    table, _ = baseline_table
    model = _run(SMALL.with_interventions({key: {}}))
    assert not people_table(model).drop(columns="scenario").equals(table)
    assert model.deliveries[0].cases > 0


def test_unknown_intervention_lists_the_known_ones():
    with pytest.raises(ScenarioError) as err:
        SMALL.with_interventions({"gate_pick_up": {}})
    message = str(err.value)
    assert "gate_pick_up" in message
    for key in REGISTRY:
        assert key in message


def test_unknown_field_and_bad_value_are_refused():
    with pytest.raises(ScenarioError, match="coverge"):
        SMALL.with_interventions({"gate_pickup": {"coverge": 0.5}})
    with pytest.raises(ScenarioError, match="coverage"):
        SMALL.with_interventions({"gate_pickup": {"coverage": 1.5}})


def test_capacity_binds_and_people_wait():
    scenario = SMALL.with_interventions({"deradicalisation_programme": {"capacity": 20}})
    model = ReintegrationModel(scenario.with_horizon(HORIZON), 0, build_graph=False)
    most_waiting = 0
    for _ in range(30):
        model.step()
        caseload = model.deliveries[0].caseload
        assert caseload.load.sum() <= 20
        most_waiting = max(most_waiting, int(caseload.waiting.sum()))
    assert most_waiting > 100


def test_capacity_shows_in_outcomes():
    """A capped programme reaches fewer people, so its effect on ideology lies between none and
    the uncapped programme's, in every paired replication."""

    def extremist_ideology(settings):
        model = _run(SMALL.with_interventions(settings) if settings else SMALL)
        table = people_table(model)
        return table.loc[table.cohort == "extremist", "ideology_end"].mean()

    none = extremist_ideology(None)
    capped = extremist_ideology({"deradicalisation_programme": {"capacity": 30}})
    full = extremist_ideology({"deradicalisation_programme": {}})
    assert full < capped < none


def test_window_limits_when_it_acts():
    scenario = SMALL.with_interventions({"family_support": {"start_week": 20, "end_week": 40}})
    model = ReintegrationModel(scenario.with_horizon(HORIZON), 0, build_graph=False)
    served_by_week = []
    for _ in range(60):
        model.step()
        served_by_week.append(int(model.deliveries[0].caseload.served.sum()))
    assert all(n == 0 for n in served_by_week[:19])
    assert all(n > 0 for n in served_by_week[19:40])
    assert all(n == 0 for n in served_by_week[40:])


def test_costs_add_up():
    scenario = SMALL.with_interventions(
        {"family_support": {"cost_per_case_week": 10.0, "cost_per_case": 100.0}}
    ).with_horizon(30)
    model = ReintegrationModel(scenario, 0, build_graph=False)
    case_weeks = 0
    for _ in range(30):
        model.step()
        case_weeks += int(model.deliveries[0].caseload.served.sum())
    delivery = model.deliveries[0]
    assert delivery.cost == pytest.approx(10.0 * case_weeks + 100.0 * delivery.cases)


def test_scenario_with_interventions_round_trips_through_toml(tmp_path):
    from reintegration_sim.scenario import load_scenario

    scenario = SMALL.with_interventions({"gate_pickup": {"by": "family", "coverage": 0.5}})
    path = tmp_path / "s.toml"
    path.write_text(scenario.to_toml())
    loaded = load_scenario(path)
    assert loaded.intervention_settings() == scenario.intervention_settings()
    assert loaded.active_interventions() == scenario.active_interventions()
