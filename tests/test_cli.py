"""The command line: a run end to end, bad input, the parameter listing, the console script."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from reintegration_sim import cli
from reintegration_sim.model.outcomes import EVENT_OUTCOMES, INDICATORS
from reintegration_sim.outputs.results import scenario_from_metadata
from reintegration_sim.scenario import Scenario, load_scenario

FILES = {
    "metadata.json",
    "timeseries.parquet",
    "people.parquet",
    "summary.csv",
    "survival.png",
    "composition.png",
    "indicators.png",
}
TINY = (
    Scenario(name="tiny", description="x")
    .with_parameters({"population": {"n_extremist": 150, "n_comparison": 150}})
    .with_horizon(156)
)


@pytest.fixture(scope="module")
def tiny_file(tmp_path_factory, sim) -> Path:
    return sim.scenario_file(tmp_path_factory.mktemp("scenarios"), TINY, "tiny")


@pytest.fixture(scope="module")
def serial_run(tiny_file, tmp_path_factory, sim) -> tuple[Path, str]:
    """One run (2 replications, 1 worker) shared by several tests."""
    out = tmp_path_factory.mktemp("runs") / "serial"
    argv = ["run", str(tiny_file), "--replications", "2", "--out", str(out), "--seed", "11"]
    status, stdout = sim.cli(argv)
    assert status == 0
    return out, stdout


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_run_writes_every_file(serial_run) -> None:
    out, stdout = serial_run
    assert {p.name for p in out.iterdir()} == FILES
    assert not any(p.name.startswith(".") for p in out.parent.iterdir())  # no staging left
    people = pd.read_parquet(out / "people.parquet")
    timeseries = pd.read_parquet(out / "timeseries.parquet")
    summary = pd.read_csv(out / "summary.csv")
    assert len(people) == 2 * 300
    assert set(timeseries["indicator"]) == {i.key for i in INDICATORS}
    assert set(summary["outcome"]) == {o.key for o in EVENT_OUTCOMES}
    assert set(summary["years"]) == {1, 2, 3, 5}
    assert f"Results: {out}" in stdout
    for outcome in EVENT_OUTCOMES:
        assert outcome.label in stdout
    assert "extremist:" in stdout and "comparison:" in stdout


def test_metadata(serial_run, tiny_file) -> None:
    out, _ = serial_run
    meta = json.loads((out / "metadata.json").read_text())
    for key in ("version", "git", "scenario_text", "root_seed", "seeds", "started", "finished"):
        assert key in meta
    from reintegration_sim.outputs.results import LIBRARIES

    for lib in ("python", *LIBRARIES):
        assert meta["versions"][lib], lib
    assert meta["command"][:2] == ["reintegration-sim", "run"]
    assert meta["replications"] == 2 and meta["workers"] == 1
    assert meta["root_seed"] == 11
    assert [s["replication"] for s in meta["seeds"]] == [0, 1]
    assert len(meta["replication_wall_seconds"]) == 2
    assert meta["started"] <= meta["finished"]
    # the stored text loads to the scenario that ran (the file's, reseeded by --seed)
    expected = load_scenario(tiny_file).with_seed(11)
    assert scenario_from_metadata(meta).model_dump() == expected.model_dump()


def test_workers_give_byte_identical_tables(serial_run, tiny_file, tmp_path, capsys) -> None:
    out, _ = serial_run
    parallel = tmp_path / "parallel"
    argv = ["run", str(tiny_file), "-n", "2", "--seed", "11", "--out", str(parallel)]
    assert cli.main([*argv, "--workers", "2"]) == 0
    for name in ("timeseries.parquet", "people.parquet", "summary.csv"):
        assert _sha(parallel / name) == _sha(out / name), name
    summary = capsys.readouterr().out
    assert "2 workers" in summary


def test_rerun_from_metadata_reproduces(serial_run, tmp_path, capsys) -> None:
    out, _ = serial_run
    meta = json.loads((out / "metadata.json").read_text())
    scenario_file = tmp_path / "from-metadata.toml"
    scenario_file.write_text(meta["scenario_text"])
    again = tmp_path / "again"
    assert cli.main(["run", str(scenario_file), "-n", "2", "--out", str(again)]) == 0
    capsys.readouterr()
    assert _sha(again / "people.parquet") == _sha(out / "people.parquet")


def test_default_out_dir(tiny_file, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli.main(["run", str(tiny_file), "-n", "1"]) == 0
    (folder,) = (tmp_path / "results").iterdir()
    assert folder.name.endswith("-tiny")
    assert {p.name for p in folder.iterdir()} == FILES
    assert f"Results: {Path('results') / folder.name}" in capsys.readouterr().out


# ---------------------------------------------------------------------- bad input

BAD_FILES = {
    "unknown key": "[parameters.population]\nn_extremists = 10\n",
    "out of range": "horizon_weeks = 0\n",
    "out of range parameter": "[parameters.population]\nn_extremist = -5\n",
    "wrong type": 'horizon_weeks = "ten years"\n',
    "malformed toml": "horizon_weeks = 52\n[parameters.population\n",
    "not toml at all": "this is not toml\n",
}


def _assert_one_line_error(capsys, rc: int, parent: Path, before: list[Path]) -> str:
    captured = capsys.readouterr()
    assert rc == 2
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("reintegration-sim: error: ")
    assert "Traceback" not in captured.err
    assert sorted(parent.iterdir()) == before  # nothing created
    return lines[0]


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_scenario_file(case, tmp_path, capsys) -> None:
    path = tmp_path / "bad.toml"
    body = BAD_FILES[case]
    header = 'name = "bad"\ndescription = "x"\n'
    path.write_text(body if case == "not toml at all" else header + body)
    before = sorted(tmp_path.iterdir())
    rc = cli.main(["run", str(path), "-n", "1", "--out", str(tmp_path / "out")])
    line = _assert_one_line_error(capsys, rc, tmp_path, before)
    assert str(path) in line


def test_unknown_key_names_the_allowed_keys(tmp_path, capsys) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('name = "bad"\ndescription = "x"\n' + BAD_FILES["unknown key"])
    before = sorted(tmp_path.iterdir())
    rc = cli.main(["run", str(path), "--out", str(tmp_path / "out")])
    line = _assert_one_line_error(capsys, rc, tmp_path, before)
    assert "n_extremists" in line and "n_extremist," in line


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--replications", "0"], "--replications"),
        (["--replications", "two"], "--replications"),
        (["--workers", "0"], "--workers"),
        (["--seed", "-1"], "--seed"),
        (["--bogus"], "--bogus"),
    ],
)
def test_bad_options(extra, message, tiny_file, tmp_path, capsys) -> None:
    before = sorted(tmp_path.iterdir())
    rc = cli.main(["run", str(tiny_file), "--out", str(tmp_path / "out"), *extra])
    line = _assert_one_line_error(capsys, rc, tmp_path, before)
    assert message in line


def test_missing_file(tmp_path, capsys) -> None:
    before = sorted(tmp_path.iterdir())
    rc = cli.main(["run", str(tmp_path / "nope.toml"), "--out", str(tmp_path / "out")])
    line = _assert_one_line_error(capsys, rc, tmp_path, before)
    assert "not found" in line


def test_non_empty_out_is_refused(tiny_file, tmp_path, capsys) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    before = sorted(tmp_path.iterdir())
    rc = cli.main(["run", str(tiny_file), "-n", "1", "--out", str(out)])
    line = _assert_one_line_error(capsys, rc, tmp_path, before)
    assert "not empty" in line
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_no_command_prints_the_commands(capsys) -> None:
    rc = cli.main([])
    captured = capsys.readouterr()
    assert rc == 0 and captured.err == ""
    for command in ("scenarios", "run", "compare", "levers", "params", "targets", "calibrate"):
        assert f"\n  {command} " in captured.out
    assert "--help" in captured.out and "docs/adapting.md" in captured.out


@pytest.mark.parametrize("error", [KeyboardInterrupt, RuntimeError])
def test_failure_during_run_leaves_no_folder(error, tiny_file, tmp_path, monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise error("plots failed")

    monkeypatch.setattr("reintegration_sim.outputs.plotting.write_plots", broken)
    before = sorted(tmp_path.iterdir())
    argv = ["run", str(tiny_file), "-n", "1", "--out", str(tmp_path / "out")]
    if error is KeyboardInterrupt:
        assert cli.main(argv) == 130
        assert "interrupted" in capsys.readouterr().err
    else:
        with pytest.raises(RuntimeError):
            cli.main(argv)
    assert sorted(tmp_path.iterdir()) == before


# ---------------------------------------------------------------------- params, help


def test_params_plain(capsys) -> None:
    assert cli.main(["params"]) == 0
    out = capsys.readouterr().out
    assert "population.n_extremist" in out
    assert "parameters" in out.splitlines()[-1]


def test_params_markdown(capsys) -> None:
    from reintegration_sim.parameters import register_markdown

    assert cli.main(["params", "--markdown"]) == 0
    assert capsys.readouterr().out == register_markdown()


def test_help(capsys) -> None:
    assert cli.main(["run", "--help"]) == 0
    assert "--replications" in capsys.readouterr().out


def test_compare_help(capsys) -> None:
    assert cli.main(["compare", "--help"]) == 0
    out = capsys.readouterr().out
    for option in ("--replications", "--seed", "--out", "--workers", "--years", "--detect"):
        assert option in out
    assert cli.main(["--help"]) == 0
    assert "compare" in capsys.readouterr().out


# ---------------------------------------------------------------------- console script


def _console_script() -> str:
    script = Path(sys.executable).parent / "reintegration-sim"
    found = str(script) if script.exists() else shutil.which("reintegration-sim")
    if found is None:
        pytest.skip("console script not installed")
    return found


def test_console_script_exit_status(tmp_path) -> None:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    bad = subprocess.run(
        [_console_script(), "run", str(tmp_path / "missing.toml"), "--replications", "0"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert bad.returncode == 2
    assert len(bad.stderr.splitlines()) == 1
    assert bad.stderr.startswith("reintegration-sim: error: ")
    assert list(tmp_path.iterdir()) == []

    ok = subprocess.run(
        [sys.executable, "-m", "reintegration_sim", "params"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    assert "population.n_extremist" in ok.stdout
