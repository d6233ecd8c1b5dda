"""One key grammar: register parameters (GROUP.NAME), lever fields (interventions.LEVER.FIELD)
and the scenario's settings, the same in overrides, --set, sweeps and calibration; scenario
files that inherit; shipped scenarios found by name."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import numpy as np
import pytest

from reintegration_sim import cli
from reintegration_sim.analysis.calibration import CalibrationError, resolve_parameters
from reintegration_sim.analysis.sensitivity import (
    SensitivityError,
    evaluate,
    problem_from_register,
    typed_values,
)
from reintegration_sim.keys import (
    KeyError_,
    all_keys,
    current_value,
    describe,
    flatten,
    implausible,
    parse_assignment,
)
from reintegration_sim.parameters import iter_register
from reintegration_sim.scenario import (
    Scenario,
    ScenarioError,
    load_scenario,
    resolve_scenario,
    shipped_scenarios,
)

DERAD = "interventions.deradicalisation_programme"
BLANK = Scenario(name="t", description="a test")


def test_every_register_parameter_and_lever_field_has_a_key():
    keys = all_keys()
    for info in iter_register():
        assert keys[info.key].kind == "parameter"
        assert keys[info.key].default == info.default
    lever = describe(f"{DERAD}.coverage")
    assert lever.kind == "lever" and lever.default == 1.0 and lever.plausible == (0.0, 1.0)
    assert describe("parameters.offending.terror_hazard").key == "offending.terror_hazard"


def test_unknown_keys_suggest_close_ones():
    with pytest.raises(KeyError_, match="did you mean 'offending.terror_hazard'"):
        describe("offending.teror_hazard")
    with pytest.raises(KeyError_, match="deradicalisation_programme.coverage"):
        describe(f"{DERAD}.coverag")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("horizon_weeks=52", ("horizon_weeks", 52)),
        ("offending.terror_hazard = 0.002", ("offending.terror_hazard", 0.002)),
        ("prison.regime=separation", ("prison.regime", "separation")),
        (f"{DERAD}.coverage=1", (f"{DERAD}.coverage", 1)),
        ('title="Two words"', ("title", "Two words")),
        ("parameters.population.n_extremist=10", ("population.n_extremist", 10)),
    ],
)
def test_assignments_are_read_as_toml_values(text, expected):
    assert parse_assignment(text) == expected


def test_an_assignment_without_equals_is_refused():
    with pytest.raises(KeyError_, match="expected KEY=VALUE"):
        parse_assignment("horizon_weeks")


def test_overrides_set_parameters_lever_fields_and_settings():
    scenario = BLANK.with_overrides(
        {
            "offending.terror_hazard": 0.002,
            f"{DERAD}.coverage": 0.5,
            "horizon_weeks": 52,
            "title": "A test with a title",
        }
    )
    assert scenario.parameters.offending.terror_hazard == 0.002
    assert scenario.intervention_settings()["deradicalisation_programme"] == {"coverage": 0.5}
    assert (scenario.horizon_weeks, scenario.label) == (52, "A test with a title")
    assert current_value(scenario, f"{DERAD}.coverage") == 0.5
    assert current_value(BLANK, f"{DERAD}.coverage") == 1.0  # not switched on: the default


def test_bad_override_values_name_the_key():
    with pytest.raises(ScenarioError, match="deradicalisation_programme.coverage"):
        BLANK.with_overrides({f"{DERAD}.coverage": 1.5})
    with pytest.raises(ScenarioError, match="unknown key 'nope'"):
        BLANK.with_overrides({"nope": 1})


def test_values_outside_the_plausible_range_run_with_a_warning():
    info = describe("offending.terror_hazard")
    low, high = info.plausible
    bound = info.bounds[1]
    assert bound is not None and bound > high
    outside = BLANK.with_overrides({"offending.terror_hazard": (high + bound) / 2})
    (line,) = implausible(outside)
    assert line.startswith("offending.terror_hazard = ") and "plausible range" in line
    assert implausible(BLANK) == []


def test_flatten_turns_tables_into_keys():
    tables = {"population": {"n_extremist": 5}, "interventions": {"gate_pickup": {"by": "x"}}}
    assert flatten(tables) == {"population.n_extremist": 5, "interventions.gate_pickup.by": "x"}


# ---------------------------------------------------------------------- sweeps, calibration


def test_a_sweep_can_vary_a_lever_field_and_a_register_parameter():
    problem = problem_from_register(
        [f"{DERAD}.hope_effect", "behaviour.ties_decay"], {f"{DERAD}.hope_effect": [0.0, 0.004]}
    )
    assert problem["names"] == [f"{DERAD}.hope_effect", "behaviour.ties_decay"]
    assert problem["bounds"][0] == [0.0, 0.004]


def test_a_sweep_can_name_a_lever_as_a_group():
    problem = problem_from_register([DERAD])
    assert f"{DERAD}.coverage" in problem["names"]
    assert all(name.startswith(DERAD) for name in problem["names"])


def test_a_lever_range_outside_its_limits_is_refused():
    with pytest.raises(SensitivityError, match="not allowed"):
        problem_from_register([f"{DERAD}.coverage"], {f"{DERAD}.coverage": [0.5, 1.5]})


def test_typed_values_turn_numpy_numbers_into_python_ones():
    values = typed_values({f"{DERAD}.coverage": np.float64(0.5), "population.n_extremist": 3})
    assert values == {f"{DERAD}.coverage": 0.5, "population.n_extremist": 3}
    assert type(values[f"{DERAD}.coverage"]) is float


def test_evaluate_takes_lever_fields_and_they_act(sim):
    small = sim.scenario(n_extremist=150, n_comparison=0, weeks=104)
    outcomes = ["extremist.state.deradicalised"]
    none = evaluate(small, 0, outcomes=outcomes)
    full = evaluate(small, 0, outcomes=outcomes, **{f"{DERAD}.coverage": 1.0})
    assert full["extremist.state.deradicalised"] != none["extremist.state.deradicalised"]


def test_calibration_takes_a_lever_field():
    (param,) = resolve_parameters(BLANK, [f"{DERAD}.hope_effect"])
    assert param.key == f"{DERAD}.hope_effect" and param.low < param.start <= param.high
    with pytest.raises(CalibrationError, match="categorical"):
        resolve_parameters(BLANK, ["interventions.gate_pickup.by"])


# ---------------------------------------------------------------------- inheritance, names


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_scenario_inherits_from_a_shipped_one_and_overrides_key_by_key(tmp_path):
    path = _write(
        tmp_path,
        "mine.toml",
        'base = "rotterdam_case_conferences"\ntitle = "Rotterdam, fortnightly"\n'
        'description = "d"\n[interventions.case_conference]\nmeeting_every_weeks = 2\n',
    )
    mine = load_scenario(path)
    parent = load_scenario("rotterdam_case_conferences")
    assert mine.name == "mine" and mine.label == "Rotterdam, fortnightly"
    ours = mine.intervention_settings()["case_conference"]
    theirs = parent.intervention_settings()["case_conference"]
    assert ours == {**theirs, "meeting_every_weeks": 2}
    assert mine.overrides() == parent.overrides()
    assert mine.description == "d"  # never inherited
    # the stored text runs again without the base
    again = Scenario.model_validate(tomllib.loads(mine.source_text))
    assert again.model_dump() == mine.model_dump()


def test_a_chain_of_paths_resolves_relative_to_each_file(tmp_path):
    (tmp_path / "sub").mkdir()
    _write(tmp_path, "a.toml", 'name = "a"\ndescription = "a"\nhorizon_weeks = 30\n')
    _write(tmp_path / "sub", "b.toml", 'base = "../a.toml"\nname = "b"\ndescription = "b"\n')
    c = _write(tmp_path, "c.toml", 'base = "sub/b.toml"\nname = "c"\ndescription = "c"\n')
    assert load_scenario(c).horizon_weeks == 30


def test_an_inheritance_cycle_is_refused(tmp_path):
    a = _write(tmp_path, "a.toml", 'base = "b.toml"\nname = "a"\ndescription = "a"\n')
    _write(tmp_path, "b.toml", 'base = "a.toml"\nname = "b"\ndescription = "b"\n')
    with pytest.raises(ScenarioError, match="inheritance cycle") as info:
        load_scenario(a)
    assert str(info.value).startswith(str(a))


def test_an_unknown_shipped_name_suggests_close_ones():
    with pytest.raises(ScenarioError, match="did you mean 'baseline'"):
        resolve_scenario("baselin")


def test_every_shipped_scenario_loads_by_name():
    shipped = shipped_scenarios()
    assert "baseline" in shipped and len(shipped) >= 40
    for name in shipped:
        assert load_scenario(name).name == name


# ---------------------------------------------------------------------- command line


def test_set_on_run_changes_the_scenario_run(tmp_path, capsys):
    out = tmp_path / "run"
    code = cli.main(
        [
            "run",
            "baseline",
            "--set",
            "horizon_weeks=20",
            "--set",
            "population.n_extremist=40",
            "--set",
            "population.n_comparison=40",
            "-n",
            "1",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    metadata = json.loads((out / "metadata.json").read_text())
    assert metadata["parameters"]["population.n_extremist"] == 40
    assert "horizon_weeks = 20" in metadata["scenario_text"]


def test_a_bad_set_is_one_line_with_exit_2_and_nothing_written(tmp_path, capsys):
    out = tmp_path / "run"
    code = cli.main(["run", "baseline", "--set", "offending.teror=1", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert err.count("\n") == 1 and "did you mean" in err


def test_a_value_outside_the_plausible_range_warns(tmp_path, capsys):
    info = describe("offending.terror_hazard")
    value = (info.plausible[1] + info.bounds[1]) / 2
    code = cli.main(
        [
            "run",
            "baseline",
            "--set",
            f"offending.terror_hazard={value}",
            "--set",
            "horizon_weeks=60",
            "--set",
            "population.n_extremist=10",
            "--set",
            "population.n_comparison=10",
            "-n",
            "1",
            "--out",
            str(tmp_path / "r"),
        ]
    )
    assert code == 0
    assert "warning:" in capsys.readouterr().err


def test_scenarios_lists_and_copies(tmp_path, capsys):
    assert cli.main(["scenarios"]) == 0
    listing = capsys.readouterr().out
    assert "baseline" in listing and "rotterdam_case_conferences" in listing
    assert cli.main(["scenarios", "baseline", "--copy", str(tmp_path)]) == 0
    copied = load_scenario(tmp_path / "baseline.toml")
    assert copied.model_dump() == load_scenario("baseline").model_dump()
    assert cli.main(["scenarios", "baseline", "--copy", str(tmp_path)]) == 2  # no overwrite
    assert "will not overwrite" in capsys.readouterr().err
