"""The generated catalogues (docs/levers.md, docs/scenarios.md) are current, and the scenario
files cover every lever and every named practice of the paper."""

from __future__ import annotations

from pathlib import Path

import pytest

from reintegration_sim.interventions import REGISTRY
from reintegration_sim.outputs.catalogue import (
    PARAMETER_LEVERS,
    levers_markdown,
    scenarios_markdown,
)
from reintegration_sim.parameters import Parameters
from reintegration_sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))
REGENERATE = "regenerate with `python -m reintegration_sim.outputs.catalogue` (or `make docs`)"

NAMED_PRACTICES = (
    "rotterdam_case_conferences",
    "austrian_social_network_meetings",
    "hessen_case_meetings",
    "copenhagen_coordination_unit",
    "welcome_home_meetings",
    "uk_contest_3",
    "german_hybrid_model",
)


def test_levers_page_is_current():
    assert (ROOT / "docs" / "levers.md").read_text() == levers_markdown(), REGENERATE


def test_scenarios_page_is_current():
    text = (ROOT / "docs" / "scenarios.md").read_text()
    assert text == scenarios_markdown(ROOT / "scenarios"), REGENERATE


def test_parameter_levers_exist_in_the_register():
    flat = Parameters().flat()
    for key, _, _ in PARAMETER_LEVERS:
        assert key in flat


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_scenario_file_is_named_after_itself_and_cites_the_paper(path):
    scenario = load_scenario(path)
    assert scenario.name == path.stem
    assert "RAN 2018" in " ".join(scenario.description.split()) or path.stem == "baseline"


def test_every_intervention_has_a_scenario_file():
    used = set()
    for path in SCENARIOS:
        used |= set(load_scenario(path).intervention_settings())
    assert set(REGISTRY) <= used, f"levers without a scenario: {sorted(set(REGISTRY) - used)}"


def test_every_parameter_lever_has_a_scenario_file():
    used = set()
    for path in SCENARIOS:
        for group, values in load_scenario(path).overrides().items():
            used |= {f"{group}.{name}" for name in values}
    missing = {key for key, _, _ in PARAMETER_LEVERS} - used
    assert not missing, f"parameter levers without a scenario: {sorted(missing)}"


def test_named_practices_and_counterfactual_exist():
    names = {p.stem for p in SCENARIOS}
    for name in (*NAMED_PRACTICES, "baseline", "no_support"):
        assert name in names
