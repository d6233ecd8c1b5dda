"""Adapting the model to a country (issue 13): the levers and parameters listed from the command
line, calibration targets in a file, the country presets and the figures a year they carry,
"did you mean" wherever a user types a name, the bare command and each command's examples, and
the walkthrough's commands (docs/adapting.md)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pandas as pd
import pytest

from reintegration_sim import cli
from reintegration_sim.analysis.calibration import (
    TARGETS,
    load_targets,
    shipped_targets_path,
)
from reintegration_sim.analysis.economics import RELEASE_PRESETS
from reintegration_sim.interventions import REGISTRY, Intervention
from reintegration_sim.outputs.catalogue import (
    PARAMETER_LEVERS,
    lever_entry,
    levers_markdown,
)
from reintegration_sim.parameters import Parameters, iter_register, register_markdown
from reintegration_sim.priors import prior_of
from reintegration_sim.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parent.parent
#: the country presets and the release presets of EVIDENCE 2 they agree with (None: assumed)
PRESETS = {
    "england_wales": "uk",
    "france": "france",
    "belgium": "belgium",
    "netherlands": None,
    "germany": None,
}
KEY = "offending.base_hazard_comparison"
TINY = (
    Scenario(name="tinycountry", description="x")
    .with_parameters(
        {
            "population": {"n_extremist": 150, "n_comparison": 150},
            "offending": {"base_hazard_comparison": 0.02},
        }
    )
    .with_horizon(60)
)


def _one_line_error(capsys, rc: int, folder: Path | None = None, before=None) -> str:
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert rc == 2, captured.err
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("reintegration-sim: error: ")
    if folder is not None:
        assert sorted(folder.iterdir()) == before  # nothing written
    return lines[0]


def _plain(text: str) -> str:
    return " ".join(text.replace("`", "").split())


# ---------------------------------------------------------------------- levers


def test_levers_lists_every_lever_with_its_fields_defaults_evidence_and_cost(sim) -> None:
    status, out = sim.cli(["levers"])
    assert status == 0
    flat = _plain(out)
    delivery = set(Intervention.model_fields)
    for key, cls in REGISTRY.items():
        assert f"{key}: {cls.label}" in out
        assert _plain(cls.evidence) in flat  # size of the effect, as the register says
        assert f"EUR {cls.typical_cost_per_case_week:,.0f} per case-week" in flat
        for name, field in cls.model_fields.items():
            if name in delivery:
                continue
            assert re.search(rf"^    {name} = ", out, re.M), f"{key}.{name} not listed"
            assert _plain(field.description or "") in flat
    for key, *_ in PARAMETER_LEVERS:
        assert key in out
    assert f"{len(REGISTRY)} interventions and {len(PARAMETER_LEVERS)} parameter levers" in out


def test_one_lever_matches_the_catalogue_entry(sim) -> None:
    status, out = sim.cli(["levers", "gate_pickup"])
    assert status == 0
    entry = lever_entry("gate_pickup")
    assert out.startswith(f"gate_pickup: {entry.label}\n")
    flat = _plain(out)
    for what, text in entry.facts:
        assert _plain(f"{what}: {text}") in flat
    for field in entry.fields:
        assert f"    {field.name} = {field.default}" in out
        assert _plain(field.prior) in flat
    assert "case_conference" not in out  # only the one asked for
    status, out = sim.cli(["levers", "prison.regime"])  # a parameter lever
    assert status == 0 and "prison.regime = dispersal" in out and "a parameter lever" in out


def test_levers_markdown_is_the_docs_page(sim) -> None:
    status, out = sim.cli(["levers", "--markdown"])
    assert status == 0 and out == levers_markdown()
    assert (ROOT / "docs" / "levers.md").read_text(encoding="utf-8") == out


@pytest.mark.parametrize(
    "argv, hint",
    [
        (["levers", "gate_pikcup"], "did you mean 'gate_pickup'?"),
        (["levers", "prison.regim"], "did you mean 'prison.regime'?"),
        (["params", "ofending"], "did you mean 'offending'?"),
        (["params", "offending.teror_hazard"], "did you mean 'offending.terror_hazard'?"),
        (["scenarios", "fance"], "did you mean 'france'?"),
        (["scenarios", "fance", "--copy", "my_country"], "did you mean 'france'?"),
    ],
)
def test_unknown_lever_or_group_names_the_nearest_and_exits_2(argv, hint, tmp_path, capsys):
    before = sorted(tmp_path.iterdir())
    line = _one_line_error(capsys, cli.main(argv), tmp_path, before)
    assert hint in line


def test_naming_scenarios_shows_their_titles_and_descriptions(capsys):
    """`scenarios france` was refused ("naming scenarios needs --copy DIR") with no hint for a
    misspelt name; a user reading about presets wants to see one before copying it."""
    assert cli.main(["scenarios", "france", "belgium"]) == 0
    out = capsys.readouterr().out
    for name in ("france", "belgium"):
        scenario = load_scenario(name)
        assert f"{name}: {scenario.title}" in out
        assert " ".join(scenario.description.split())[:60] in " ".join(out.split())


# ---------------------------------------------------------------------- params


def test_params_group_lists_its_parameters_as_the_register_says(sim) -> None:
    status, out = sim.cli(["params", "recruiters"])
    assert status == 0
    flat = _plain(out)
    rows = [info for info in iter_register() if info.group == "recruiters"]
    assert out.startswith(f"recruiters ({len(rows)} parameters)")
    for info in rows:
        assert f"  {info.key} = " in out
        assert _plain(info.doc) in flat and _plain(info.source) in flat
        prior = prior_of(info.key)
        assert ("prior: fixed" if prior is None else _plain(prior.describe())) in flat
    assert "offending." not in out


def test_params_without_a_group_lists_the_whole_register(sim) -> None:
    status, out = sim.cli(["params"])
    assert status == 0
    keys = [info.key for info in iter_register()]
    for key in keys:
        assert f"  {key} = " in out
    assert f"{len(keys)} parameters in {len(Parameters.model_fields)} groups" in out


def test_params_one_key_markdown_and_brief(sim) -> None:
    status, out = sim.cli(["params", "offending.terror_hazard"])
    assert status == 0 and "offending.terror_hazard = " in out
    assert "offending.hr_young" not in out
    status, out = sim.cli(["params", "prison", "--markdown"])
    assert status == 0 and out == register_markdown("prison")
    assert out.startswith("## `prison`") and "`regime`" in out and "## `offending`" not in out
    status, out = sim.cli(["params", "--brief"])
    assert status == 0 and "population.n_extremist" in out and "parameters;" in out


# ---------------------------------------------------------------------- targets in a file


def test_the_shipped_targets_are_a_file_with_source_and_definition() -> None:
    path = shipped_targets_path()
    assert path.name == "evidence.toml" and path.is_file()
    assert tuple(load_targets(path)) == TARGETS
    for target in TARGETS:
        assert target.source.strip() and len(target.definition) > 40


def test_targets_command_lists_checks_and_prints_the_file(sim, tmp_path) -> None:
    status, out = sim.cli(["targets"])
    assert status == 0 and out.startswith(f"{len(TARGETS)} calibration targets: EVIDENCE.md")
    for target in TARGETS:
        assert target.label in out
    status, out = sim.cli(["targets", "--toml"])
    assert status == 0 and out == shipped_targets_path().read_text(encoding="utf-8")
    mine = tmp_path / "mine.toml"
    mine.write_text(out, encoding="utf-8")
    status, listed = sim.cli(["targets", str(mine)])
    assert status == 0 and str(mine) in listed.splitlines()[0]


def _one_target_file(folder: Path, value: float = 30.0) -> Path:
    path = folder / "my_country.toml"
    path.write_text(
        f"""
[[target]]
label = "any reoffence within a year, my country"
cohort = "comparison"
outcome = "any_reoffence"
years = 1
value = {value}
low = {value - 5}
high = {value + 5}
source = "National reoffending statistics (example)"
definition = "Proven reoffending within 12 months of adults released from custody"
""",
        encoding="utf-8",
    )
    return path


def test_calibrate_with_a_targets_file_fits_to_those_targets(sim, tmp_path) -> None:
    scenario = sim.scenario_file(tmp_path, TINY, "tinycountry")
    targets = _one_target_file(tmp_path)
    out = tmp_path / "out"
    argv = ["calibrate", str(scenario), "--fit", KEY, "--targets", str(targets)]
    status, stdout = sim.cli(
        [*argv, "--replications", "1", "--max-evaluations", "3", "--out", str(out)]
    )
    assert status == 0
    table = pd.read_csv(out / "calibration.csv")
    assert table["key"].tolist() == ["comparison.any_reoffence.1y"]  # only the file's target
    assert table["target_value"].tolist() == [30.0]
    assert table["definition"].tolist() == [
        "Proven reoffending within 12 months of adults released from custody"
    ]
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["calibration"]["targets_from"] == f"targets file {targets}"
    report = (out / "calibration.md").read_text()
    assert f"## Targets (targets file {targets})" in report
    assert "National reoffending statistics (example)" in report
    assert "any reoffence within a year, my country: " in stdout


@pytest.mark.parametrize("method", ["optimise", "abc"])
@pytest.mark.parametrize(
    "change, message",
    [
        (lambda t: t.replace("definition", "defintion"), "did you mean 'definition'?"),
        (lambda t: t.replace('"comparison"', '"comparision"'), "did you mean 'comparison'?"),
        (lambda t: t.replace("value = 30.0", "value = 300.0"), "need 0 <= low <= value"),
        (lambda t: t.replace("[[target]]", "[[targets]]"), "did you mean 'target'?"),
        (lambda t: t.replace("source = ", "# "), "missing key 'source'"),
    ],
)
def test_a_bad_targets_file_is_one_line_exit_2_nothing_written(
    method, change, message, tmp_path, capsys
) -> None:
    path = _one_target_file(tmp_path)
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    before = sorted(tmp_path.iterdir())
    rc = cli.main(
        ["calibrate", "baseline", "--method", method, "--fit", KEY, "--targets", str(path),
         "--out", str(tmp_path / "out")]
    )  # fmt: skip
    line = _one_line_error(capsys, rc, tmp_path, before)
    assert str(path) in line and message in line
    rc = cli.main(["targets", str(path)])  # the same check, on its own
    assert message in _one_line_error(capsys, rc)


# ---------------------------------------------------------------------- country presets


@pytest.mark.parametrize("name", list(PRESETS))
def test_country_preset_inherits_the_baseline_and_says_what_is_sourced(name) -> None:
    scenario = load_scenario(name)
    baseline = load_scenario("baseline")
    text = (ROOT / "scenarios" / f"{name}.toml").read_text(encoding="utf-8")
    assert 'base = "baseline"' in text
    assert scenario.title is not None and "(country preset)" in scenario.title
    words = " ".join(scenario.description.split())
    assert "Sourced:" in words and "Assumed:" in words and "EVIDENCE" in words
    # the same people, horizon and seed as the baseline: policies compare on the same footing
    assert scenario.parameters.population == baseline.parameters.population
    assert scenario.parameters.offending == baseline.parameters.offending
    assert (scenario.horizon_weeks, scenario.seed) == (baseline.horizon_weeks, baseline.seed)
    country = scenario.country
    assert country is not None and country.releases_per_year > 0
    preset = PRESETS[name]
    if preset is None:  # no figure in EVIDENCE 2: an assumption, and it says so
        assert country.source.startswith("assumption")
    else:
        assert country.source.startswith("EVIDENCE 2")
        assert country.releases_per_year == RELEASE_PRESETS[preset][0]
    assert f"{country.releases_per_year:g}" in words  # the description gives the figure


def test_a_policy_built_on_a_preset_carries_its_country(tmp_path) -> None:
    policy = tmp_path / "gate.toml"
    policy.write_text(
        'name = "gate"\ndescription = "x"\nbase = "france"\n\n'
        '[interventions.gate_pickup]\nby = "exit_worker"\n',
        encoding="utf-8",
    )
    scenario = load_scenario(policy)
    assert scenario.country == load_scenario("france").country
    assert scenario.parameters.prison.regime == "mixed"
    changed = scenario.with_overrides({"country.releases_per_year": 60})
    assert changed.country is not None and changed.country.releases_per_year == 60
    assert changed.country.name == "France"


def test_compare_uses_the_base_country_for_the_figures_a_year(tmp_path, capsys) -> None:
    import reintegration_sim as rs

    small = {"population.n_extremist": 150, "population.n_comparison": 150, "horizon_weeks": 104}
    base = rs.load("belgium").with_overrides(small)
    policy = base.with_overrides({"name": "gate", "interventions.gate_pickup.by": "exit_worker"})
    result = rs.compare([base, policy], replications=2)
    assert result.releases_per_year == {"Belgium": 27.0}
    assert result.releases_sources is not None
    assert result.releases_sources["Belgium"].startswith("EVIDENCE 2")
    assert result.country is not None and result.country.name == "Belgium"
    assert result.economics is not None
    yearly = result.economics.table[result.economics.table["measure"].str.endswith("_per_year")]
    assert set(yearly["releases_per_year"]) == {27.0}
    assert all(label.endswith(", Belgium") for label in yearly["label"])
    assert result.metadata()["releases_per_year"]["Belgium"]["releases_per_year"] == 27.0
    assert "prevented a year, Belgium (27 releases a year)" in result.text()
    given = rs.compare([base, policy], replications=2, releases_per_year="uk,60")
    assert given.releases_per_year == {"uk": 40.0, "60 releases a year": 60.0}


def test_compare_warns_when_a_scenario_does_not_build_on_the_country(tmp_path, capsys) -> None:
    small = ["--set", "population.n_extremist=150", "--set", "population.n_comparison=150"]
    small += ["--set", "horizon_weeks=60"]
    rc = cli.main(
        ["compare", "france", "regime_mixed", "-n", "2", *small, "--out", str(tmp_path / "o")]
    )
    err = capsys.readouterr().err
    assert rc == 0, err
    assert "regime_mixed.toml: no country, unlike the base (France)" in err
    assert 'base = "france"' in err
    assert "figures a year at 50 terrorist prisoners released a year in France" in err


# ---------------------------------------------------------------------- did you mean


@pytest.mark.parametrize(
    "argv, hint",
    [
        (["compar", "baseline", "france"], "did you mean 'compare'?"),
        (["run", "baseline", "--replication", "2"], "did you mean '--replications'?"),
        (["calibrate", "baseline", "--fit", KEY, "--method", "abcd"], "did you mean 'abc'?"),
        (["run", "baselin"], "did you mean 'baseline'?"),
        (["run", "frnace"], "did you mean 'france'?"),
        (["run", "baseline", "--set", "offending.teror_hazard=0.002"], "'offending.terror_hazard'"),
        (["run", "baseline", "--set", "country.releases=3"], "'country.releases_per_year'"),
        (["compare", "baseline", "france", "--releases-per-year", "belgim"], "'belgium'?"),
        (["calibrate", "baseline", "--fit", "offending.terror_hazrd"], "did you mean"),
    ],
)
def test_a_mistyped_name_gets_the_nearest_valid_one(argv, hint, tmp_path, capsys) -> None:
    before = sorted(tmp_path.iterdir())
    line = _one_line_error(
        capsys, cli.main([*argv, "--out", str(tmp_path / "out")]), tmp_path, before
    )
    assert hint in line


@pytest.mark.parametrize(
    "body, hint",
    [
        ('[interventions.gate_pikcup]\nby = "family"\n', "did you mean 'gate_pickup'?"),
        ("[parameters.prison]\nregim = 'mixed'\n", "did you mean 'regime'?"),
        ("[parameters.prisons]\nregime = 'mixed'\n", "did you mean 'prison'?"),
        ("horizon_week = 52\n", "did you mean 'horizon_weeks'?"),
        ('[country]\nname = "X"\nreleases_per_yer = 3\nsource = "s"\n', "'releases_per_year'"),
    ],
)
def test_a_mistyped_key_in_a_scenario_file_gets_the_nearest(body, hint, tmp_path, capsys) -> None:
    path = tmp_path / "mine.toml"
    path.write_text('name = "mine"\ndescription = "x"\n' + body, encoding="utf-8")
    before = sorted(tmp_path.iterdir())
    line = _one_line_error(capsys, cli.main(["run", str(path)]), tmp_path, before)
    assert str(path) in line and hint in line


# ---------------------------------------------------------------------- help and examples


def _commands() -> dict[str, object]:
    import argparse

    parser = cli.build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def _command_lines(text: str) -> list[list[str]]:
    """The ``reintegration-sim ...`` command lines of ``text`` as argument lists (comments,
    redirections and continuation lines handled; placeholders in capitals skipped)."""
    out = []
    joined = re.sub(r"\\\n\s*", " ", text)
    for line in joined.splitlines():
        line = line.strip().removeprefix("$ ")
        if not line.startswith("reintegration-sim "):
            continue
        line = line.split(" #", 1)[0].split(" > ", 1)[0].split(" | ", 1)[0]
        words = shlex.split(line)[1:]
        if any(re.fullmatch(r"[A-Z_.]+", w) for w in words):
            continue  # a placeholder such as COMMAND
        out.append(words)
    return out


@pytest.mark.parametrize("name", list(_commands()))
def test_each_command_help_ends_with_examples_that_parse(name, capsys) -> None:
    assert cli.main([name, "--help"]) == 0
    out = capsys.readouterr().out
    assert "\nexamples:\n" in out
    examples = out.split("\nexamples:\n", 1)[1]
    lines = _command_lines(examples)
    assert lines and examples.strip().splitlines()[-1].strip().startswith("reintegration-sim")
    parser = cli.build_parser()
    for words in lines:
        assert words[0] == name
        parser.parse_args(words)  # a UsageError here is a broken example


def test_the_walkthrough_commands_parse() -> None:
    text = (ROOT / "docs" / "adapting.md").read_text(encoding="utf-8")
    lines = _command_lines(text)
    assert len(lines) >= 10
    parser = cli.build_parser()
    used = set()
    for words in lines:
        parser.parse_args(words)
        used.add(words[0])
    assert {"scenarios", "levers", "params", "targets", "calibrate", "compare"} <= used


def test_the_dashboard_takes_a_country_as_base_not_as_a_policy() -> None:
    from reintegration_sim.dashboard.app import load_config

    base, presets, problems = load_config.__wrapped__("france")
    assert problems == () and base.country is not None and base.country.name == "France"
    assert "german_hybrid_model" in presets
    assert not set(PRESETS) & set(presets)  # the country presets are bases, not policies
