"""The built wheel works outside the repository: its scenario files are package data, found by
name, and the issue's three commands run from an empty folder."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """The wheel built from this checkout, installed (without dependencies, which the test
    environment has) into a folder of its own; an empty working folder; the environment."""
    base = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", base / "dist", ROOT],
        check=True,
        capture_output=True,
    )
    (wheel,) = (base / "dist").glob("reintegration_sim-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "reintegration_sim/scenarios/baseline.toml" in names
    assert "reintegration_sim/posteriors/baseline.parquet" in names  # compare --posterior
    assert "reintegration_sim/targets/evidence.toml" in names  # calibrate's targets
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            base / "site",
            wheel,
        ],
        check=True,
        capture_output=True,
    )
    empty = base / "empty"
    empty.mkdir()
    env = {**os.environ, "PYTHONPATH": str(base / "site"), "MPLBACKEND": "Agg"}
    return empty, env


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_wheel_runs_the_api_from_an_empty_folder(installed):
    empty, env = installed
    code = (
        "import reintegration_sim as rs; "
        "print(rs.__file__); "
        "r = rs.run(rs.load('baseline').with_overrides({'population.n_extremist': 200, "
        "'population.n_comparison': 200}), replications=2); print(r.summary())"
    )
    out = _run(["-c", code], empty, env)
    assert out.splitlines()[0].startswith(env["PYTHONPATH"])  # the wheel's copy, not the checkout
    assert "terror_reoffence" in out


def test_the_wheel_runs_a_shipped_scenario_by_name_and_lists_them(installed):
    empty, env = installed
    out = _run(
        ["-m", "reintegration_sim", "run", "baseline", "--set", "horizon_weeks=52", "-n", "1"],
        empty,
        env,
    )
    assert "Today's practice: 1 replication of 2,000 people, 52 weeks" in out
    assert any((empty / "results").iterdir())
    listing = _run(["-m", "reintegration_sim", "scenarios"], empty, env)
    assert "rotterdam_case_conferences" in listing


def test_the_wheel_lists_levers_targets_and_the_country_presets(installed):
    """Adapting to a country from the wheel alone: the levers and the shipped targets are
    package data, and a country preset runs by name."""
    empty, env = installed
    assert "gate_pickup: " in _run(["-m", "reintegration_sim", "levers", "gate_pickup"], empty, env)
    targets = _run(["-m", "reintegration_sim", "targets"], empty, env)
    assert targets.startswith("6 calibration targets: EVIDENCE.md section 1")
    out = _run(
        ["-m", "reintegration_sim", "run", "france", "--set", "horizon_weeks=52", "-n", "1"],
        empty,
        env,
    )
    assert "France: today's practice (country preset)" in out
