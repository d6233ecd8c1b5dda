"""Scenarios: defaults, overrides, TOML round trips, clear errors, and every shipped file."""

from __future__ import annotations

from pathlib import Path

import pytest

from reintegration_sim.model import ReintegrationModel
from reintegration_sim.parameters import Parameters, iter_register
from reintegration_sim.scenario import Scenario, ScenarioError, load_scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIO_FILES = sorted((ROOT / "scenarios").glob("*.toml"))
HEADER = 'name = "t"\ndescription = "a test"\n'


def _write(tmp_path: Path, text: str, name: str = "case.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _write_text(path: Path, text: str) -> Path:
    """``text`` in a temporary file named as ``path`` (for a round trip)."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="scenario-"))
    return _write(folder, text, path.name)


def _error(path: Path) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert message.startswith(str(path)), f"the message should start with the file: {message}"
    return message


# ----------------------------------------------------------------------------- the API


def test_defaults_are_the_register_defaults():
    scenario = Scenario(name="x", description="y")
    flat = scenario.parameters.flat()
    for info in iter_register():
        assert flat[info.key] == info.default, info.key
    assert scenario.overrides() == {}
    assert scenario.horizon_weeks == 520


def test_with_parameters_merges_validates_and_copies():
    base = Scenario(name="x", description="y")
    one = base.with_parameters({"prison": {"fairness": 0.35}})
    two = one.with_parameters({"prison": {"overcrowding": 1.3}, "release": {"continuity": 0.9}})
    assert two.parameters.prison.fairness == 0.35, "earlier overrides are kept"
    assert two.parameters.prison.overcrowding == 1.3
    assert two.parameters.release.continuity == 0.9
    assert two.overrides() == {
        "prison": {"fairness": 0.35, "overcrowding": 1.3},
        "release": {"continuity": 0.9},
    }
    assert base.overrides() == {} and one.overrides() == {"prison": {"fairness": 0.35}}
    assert two.with_seed(5).seed == 5 and two.with_seed(5).overrides() == two.overrides()
    assert two.with_horizon(10).horizon_weeks == 10
    with pytest.raises(Exception):  # noqa: B017 (pydantic's frozen-instance error)
        two.seed = 3  # type: ignore[misc]


@pytest.mark.parametrize(
    "change, fragments",
    [
        (lambda s: s.with_parameters({"prison": {"fairness": 1.5}}), ["prison.fairness", "1.5"]),
        (lambda s: s.with_parameters({"prison": {"fairnes": 0.5}}), ["fairnes", "fairness"]),
        (lambda s: s.with_parameters({"prisons": {"fairness": 0.5}}), ["prisons", "release"]),
        (lambda s: s.with_seed(-1), ["seed"]),
        (lambda s: s.with_horizon(0), ["horizon_weeks"]),
    ],
    ids=["out_of_range", "unknown_key", "unknown_group", "negative_seed", "zero_horizon"],
)
def test_api_errors_are_scenario_errors(change, fragments):
    with pytest.raises(ScenarioError) as info:
        change(Scenario(name="x", description="y"))
    for fragment in fragments:
        assert fragment in str(info.value)


def test_toml_round_trip(tmp_path):
    scenario = Scenario(
        name="round-trip_1",
        description='Several lines,\n"quotes", a backslash \\ and """ triple quotes.',
        horizon_weeks=77,
        seed=2**40 + 3,
    ).with_parameters(
        {
            "prison": {"regime": "mixed", "fairness": 0.45, "wing_size": 30},
            "release": {"continuity": 1.0},
            "community": {"press_coverage": 0.0},
        }
    )
    path = _write(tmp_path, scenario.to_toml())
    loaded = load_scenario(path)
    # (== would also compare the private source text and path)
    assert loaded.model_dump() == scenario.model_dump()
    assert loaded.overrides() == scenario.overrides()
    assert loaded.source_text == path.read_text(encoding="utf-8")
    assert loaded.source_path == str(path)
    assert scenario.source_path is None and scenario.source_text == scenario.to_toml()


def test_loaded_file_keeps_its_text_and_values(tmp_path):
    text = HEADER + "horizon_weeks = 12\nseed = 4\n\n# a comment\n[parameters.prison]\n"
    text += 'regime = "separation"\noverlooked = false\n'
    message = _error(_write(tmp_path, text))
    assert "overlooked" in message
    text = text.replace("overlooked = false\n", "wing_size = 40\n")
    scenario = load_scenario(_write(tmp_path, text, "ok.toml"))
    assert scenario.source_text == text
    assert scenario.parameters.prison.regime == "separation"
    assert scenario.parameters.prison.wing_size == 40
    assert (scenario.horizon_weeks, scenario.seed) == (12, 4)


# ----------------------------------------------------------------------------- file errors


def test_unknown_parameter_names_file_key_and_allowed_keys(tmp_path):
    message = _error(_write(tmp_path, HEADER + "[parameters.prison]\nfairnes = 0.5\n"))
    assert "parameters.prison.fairnes" in message
    for allowed in Parameters.model_fields["prison"].annotation.model_fields:
        assert allowed in message, f"allowed key {allowed} not listed"


def test_unknown_group_and_top_level_key_list_what_is_allowed(tmp_path):
    message = _error(_write(tmp_path, HEADER + "[parameters.prisons]\nfairness = 0.5\n"))
    assert "parameters.prisons" in message
    for group in Parameters.model_fields:
        assert group in message
    message = _error(_write(tmp_path, HEADER + "horizon = 10\n", "top.toml"))
    assert "'horizon'" in message
    for key in ("name", "description", "horizon_weeks", "seed", "parameters"):
        assert key in message


@pytest.mark.parametrize(
    "line, fragments",
    [
        ("fairness = 1.5", ["parameters.prison.fairness", "1.5", "plausible", "0.3"]),
        ("fairness = -0.1", ["parameters.prison.fairness", "-0.1"]),
        ("wing_size = 1", ["parameters.prison.wing_size", "persons"]),
        ('fairness = "high"', ["parameters.prison.fairness", "high", "number"]),
        ("wing_size = 2.5", ["parameters.prison.wing_size", "integer"]),
        ('regime = "solitary"', ["parameters.prison.regime", "solitary", "dispersal", "mixed"]),
    ],
    ids=["above", "below", "int_below", "string", "fraction", "category"],
)
def test_bad_values_name_file_key_and_range(tmp_path, line, fragments):
    message = _error(_write(tmp_path, HEADER + f"[parameters.prison]\n{line}\n"))
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} missing from: {message}"


def test_boolean_for_a_number_is_refused(tmp_path):
    _error(_write(tmp_path, HEADER + "[parameters.prison]\nfairness = true\n"))


def test_quoted_number_is_refused(tmp_path):
    _error(_write(tmp_path, HEADER + '[parameters.prison]\nfairness = "0.5"\n'))


@pytest.mark.parametrize(
    "text, fragments",
    [
        ('name = "t"\ndescription = "unterminated\n', ["not valid TOML"]),
        ('name = "t"\n', ["missing", "description"]),
        ('name = "has space"\ndescription = "d"\n', ["name"]),
        (HEADER + "horizon_weeks = 0\n", ["horizon_weeks"]),
        (HEADER + "seed = -3\n", ["seed"]),
        (HEADER + "parameters = 3\n", ["parameters"]),
    ],
    ids=["malformed", "no_description", "bad_name", "horizon", "seed", "not_table"],
)
def test_malformed_files_are_refused_clearly(tmp_path, text, fragments):
    message = _error(_write(tmp_path, text))
    for fragment in fragments:
        assert fragment in message


def test_unreadable_paths(tmp_path):
    missing = tmp_path / "nowhere.toml"
    assert "not found" in _error(missing)
    assert "directory" in _error(tmp_path)
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00name")
    assert "cannot read" in _error(binary)


# ----------------------------------------------------------------------------- shipped files


def test_the_baseline_scenario_file_exists():
    assert (ROOT / "scenarios" / "baseline.toml").is_file()


def test_the_baseline_file_equals_the_register_defaults():
    """Every other scenario file inherits the register defaults and says "otherwise as the
    baseline": a value calibrated into baseline.toml but not into the register would make every
    comparison with the baseline differ by the calibration as well as by the policy."""
    baseline = load_scenario(ROOT / "scenarios" / "baseline.toml")
    assert baseline.parameters == Parameters()
    assert not baseline.active_interventions()


def test_scenario_names_are_unique():
    names = [load_scenario(path).name for path in SCENARIO_FILES]
    assert len(names) == len(set(names)), names


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda path: path.stem)
def test_every_scenario_file_loads_and_runs(path):
    scenario = load_scenario(path)
    assert scenario.description.strip()
    text = path.read_text(encoding="utf-8")
    if 'base = "' in text:  # a country preset: the resolved scenario, the file quoted above it
        assert scenario.source_text.endswith(scenario.to_toml())
        again = load_scenario(_write_text(path, scenario.source_text))
        assert again.model_dump() == scenario.model_dump()
    else:
        assert scenario.source_text == text
    model = ReintegrationModel(scenario.with_horizon(5), replication=0, build_graph=False)
    for _ in range(5):
        model.step()
    assert model.week == 5 and not model.running
    assert model.people.n == (
        scenario.parameters.population.n_extremist + scenario.parameters.population.n_comparison
    )


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda path: path.stem)
def test_every_scenario_file_runs_past_releases_and_its_levers_act(path):
    """A year on a smaller population, long enough for releases, so post-release levers act
    too; every lever the file switches on serves somebody."""
    scenario = load_scenario(path).with_parameters(
        {"population": {"n_extremist": 300, "n_comparison": 300}}
    )
    model = ReintegrationModel(scenario.with_horizon(52), replication=0, build_graph=False).run()
    assert model.people.n == 600
    assert (model.people.first_release_week >= 0).sum() > 50
    for delivery in model.deliveries:
        assert delivery.cases > 0, f"{delivery.intervention.key} served nobody"


def test_list_fields_round_trip_through_toml(tmp_path):
    """Regression: a list field (case conference members) was written as a quoted string."""
    from reintegration_sim.scenario import Scenario, load_scenario

    members = ["family", "exit", "probation"]
    scenario = Scenario(name="lists", description="x").with_interventions(
        {"case_conference": {"members": members}}
    )
    path = tmp_path / "lists.toml"
    path.write_text(scenario.to_toml())
    assert list(load_scenario(path).interventions.case_conference.members) == members
