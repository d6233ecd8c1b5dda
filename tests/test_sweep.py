"""Sensitivity sweeps: spec validation, the SALib problem, evaluate(), a tiny Sobol sweep, the
same results on any executor, and resuming an interrupted sweep."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from reintegration_sim import cli
from reintegration_sim.analysis.sensitivity import (
    SensitivityError,
    evaluate,
    problem_from_register,
)
from reintegration_sim.parameters import iter_register
from reintegration_sim.scenario import Scenario
from reintegration_sim.workflows.sweep import COMPLETE, prepare, run_sweep

ROOT = Path(__file__).resolve().parent.parent
OUTCOMES = ["comparison.any_reoffence.1y", "extremist.state.hope"]
BASE = Scenario(name="tinybase", description="x").with_parameters(
    {"population": {"n_extremist": 60, "n_comparison": 60}}
)
SPEC = """
base = "base.toml"
method = "sobol"
samples = 8
seed = 7
horizon_weeks = 60
outcomes = ["comparison.any_reoffence.1y", "extremist.state.hope"]
parameters = ["offending.base_hazard_comparison", "behaviour.trust_growth", "recruiters.gate_presence"]
"""


def _spec_dir(tmp_path: Path, text: str = SPEC) -> Path:
    (tmp_path / "base.toml").write_text(BASE.to_toml(), encoding="utf-8")
    (tmp_path / "spec.toml").write_text(text, encoding="utf-8")
    return tmp_path / "spec.toml"


def _runs(folder: Path) -> pd.DataFrame:
    return pd.read_parquet(folder / "runs.parquet").drop(columns="wall_seconds")


def test_problem_uses_plausible_ranges():
    register = {info.key: info for info in iter_register()}
    problem = problem_from_register(["recruiters", "offending.terror_hazard"])
    assert "offending.terror_hazard" in problem["names"]
    assert all(name.startswith(("recruiters.", "offending.")) for name in problem["names"])
    for name, bounds in zip(problem["names"], problem["bounds"], strict=True):
        assert bounds == [float(v) for v in register[name].plausible]
    narrowed = problem_from_register(
        ["offending.terror_hazard"], {"offending.terror_hazard": [0.001, 0.003]}
    )
    assert narrowed["bounds"] == [[0.001, 0.003]]
    with pytest.raises(SensitivityError, match="categorical"):
        problem_from_register(["prison.regime"])
    with pytest.raises(SensitivityError, match="unknown parameter"):
        problem_from_register(["offending.nope"])


def test_evaluate_is_finite_and_reproducible():
    scenario = BASE.with_horizon(60)
    kwargs = {"offending.terror_hazard": 0.002, "prison.wing_size": 40}
    a = evaluate(scenario, replication=3, outcomes=OUTCOMES, **kwargs)
    b = evaluate(scenario, replication=3, outcomes=OUTCOMES, **kwargs)
    assert set(a) == set(OUTCOMES)
    assert all(math.isfinite(v) for v in a.values())
    assert a == b


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (SPEC + "colour = 1\n", "unknown key 'colour'"),
        (SPEC.replace('method = "sobol"', 'method = "fast"'), "method"),
        (SPEC.replace("samples = 8", "samples = 6"), "power of 2"),
        (SPEC.replace('"extremist.state.hope"', '"extremist.state.joy"'), "unknown state"),
        (SPEC.replace('"recruiters.gate_presence"', '"prison.regime"'), "categorical"),
        (SPEC + '[ranges]\n"offending.terror_hazard" = [0.1, 0.2]\n', "not varied"),
        (SPEC.replace("seed = 7", 'seed = "7"'), "seed"),
    ],
)
def test_bad_specs_exit_2(tmp_path, capsys, text, message):
    spec = _spec_dir(tmp_path, text)
    assert cli.main(["sweep", str(spec), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "error:" in err and message in err
    assert not (tmp_path / "out").exists()


def test_sobol_sweep_same_on_every_executor_and_resume(tmp_path, capsys):
    spec = _spec_dir(tmp_path)
    one = tmp_path / "one"
    assert cli.main(["sweep", str(spec), "--out", str(one), "--workers", "1"]) == 0
    for name in ("runs.parquet", "indices.parquet", "indices.png", "metadata.json", COMPLETE):
        assert (one / name).is_file(), name
    plan = prepare(spec)
    runs = _runs(one)
    assert len(runs) == plan.n_runs == 8 * (2 * 3 + 2)
    assert list(runs["run"]) == list(range(plan.n_runs))
    indices = pd.read_parquet(one / "indices.parquet")
    assert list(indices.columns) == ["parameter", "outcome", "index", "value", "conf"]
    assert set(indices["index"]) == {"S1", "ST", "S2"}
    assert set(indices["outcome"]) == set(OUTCOMES)
    meta = json.loads((one / "metadata.json").read_text())
    assert meta["spec_text"] == spec.read_text() and meta["kind"] == "sweep"

    two = tmp_path / "two"
    assert cli.main(["sweep", str(spec), "--out", str(two), "--workers", "2"]) == 0
    pd.testing.assert_frame_equal(_runs(one), _runs(two))
    pd.testing.assert_frame_equal(indices, pd.read_parquet(two / "indices.parquet"))

    # interrupted after 20 runs (parts of 7), then resumed: every run exactly once
    part = tmp_path / "part"
    summary = run_sweep(spec, part, limit=20, chunk=7, progress=False)
    assert not summary["complete"] and not (part / COMPLETE).exists()
    assert len(list((part / "runs").glob("part-*.parquet"))) == 3
    assert cli.main(["sweep", str(spec), "--out", str(part), "--resume"]) == 0
    pd.testing.assert_frame_equal(_runs(one), _runs(part))
    pd.testing.assert_frame_equal(indices, pd.read_parquet(part / "indices.parquet"))
    assert cli.main(["sweep", str(spec), "--out", str(part), "--resume"]) == 2
    assert "already complete" in capsys.readouterr().err


def test_dask_local_cluster_gives_identical_results(tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    spec = _spec_dir(tmp_path)
    local = tmp_path / "local"
    run_sweep(spec, local, workers=1, progress=False)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        dask_out = tmp_path / "dask"
        run_sweep(spec, dask_out, executor=client.get_executor(), progress=False)
    pd.testing.assert_frame_equal(_runs(local), _runs(dask_out))
    pd.testing.assert_frame_equal(
        pd.read_parquet(local / "indices.parquet"), pd.read_parquet(dask_out / "indices.parquet")
    )


def test_example_specs_validate():
    for path in sorted((ROOT / "sweeps").glob("*.toml")):
        plan = prepare(path)
        assert plan.n_runs > 0, path


def test_a_sweep_varies_lever_fields_and_a_former_constant(tmp_path):
    """The shipped spec varies the deradicalisation programme's effect sizes (lever fields) and
    the sympathy threshold (once a constant in the code); each run sets them in the scenario,
    and the programme's ideology effect moves deradicalisation."""
    from reintegration_sim.workflows.sweep import run_one

    plan = prepare(ROOT / "sweeps" / "levers_and_constants.toml", {"horizon_weeks": 104})
    names = plan.problem["names"]
    assert "interventions.deradicalisation_programme.hope_effect" in names
    assert "behaviour.sympathy_threshold" in names
    assert plan.scenario.horizon_weeks == 104  # --set applies after the spec
    ideology = names.index("interventions.deradicalisation_programme.ideology_effect")
    low, high = list(plan.X[0]), list(plan.X[0])
    low[ideology], high[ideology] = 0.0, 0.01
    outcome = "extremist.state.deradicalised"
    weak = run_one(plan.scenario, names, low, 0, [outcome])
    strong = run_one(plan.scenario, names, high, 0, [outcome])
    assert strong[outcome] > weak[outcome]


def test_common_random_numbers_pair_the_design_points():
    """With common random numbers two design points with the same values give the same
    outcomes (differences between points come from the parameters only); with independent
    numbers per point they differ by noise."""
    from reintegration_sim.workflows.sweep import replications_of, run_one

    scenario = (
        Scenario(name="crn", description="x")
        .with_parameters({"population": {"n_extremist": 100, "n_comparison": 100}})
        .with_horizon(60)
    )
    names, row = ["offending.terror_hazard"], [0.002]
    outcomes = ["comparison.any_reoffence.1y", "extremist.state.disengaged"]

    def outcome(run: int, mode: str) -> dict[str, float]:
        result = run_one(scenario, names, row, run, outcomes, replications_of(run, 2, mode))
        return {key: result[key] for key in outcomes}

    assert replications_of(5, 2, "common") == [0, 1]
    assert replications_of(5, 2, "per_run") == [10, 11]
    assert outcome(0, "common") == outcome(3, "common")
    assert outcome(0, "per_run") != outcome(3, "per_run")


def test_killed_sweep_resumes_with_every_run_once(tmp_path):
    """SIGKILL the whole sweep (parent and worker processes) once some parts are on disk, then
    resume: the runs equal an uninterrupted sweep's, each exactly once."""
    import os
    import signal
    import subprocess
    import sys
    import time

    spec = _spec_dir(tmp_path)
    reference = tmp_path / "reference"
    run_sweep(spec, reference, progress=False)
    out = tmp_path / "killed"
    command = [sys.executable, "-m", "reintegration_sim", "sweep", str(spec)]
    args = ["--out", str(out), "--workers", "2", "--chunk", "4"]
    proc = subprocess.Popen(command + args, start_new_session=True, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while len(list((out / "runs").glob("part-*.parquet"))) < 2:
        assert proc.poll() is None, "the sweep finished before it could be killed"
        assert time.monotonic() < deadline, "no part files appeared"
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert not (out / COMPLETE).exists() and not (out / "runs.parquet").exists()
    kept = len(_runs_in_parts(out))
    assert 0 < kept < prepare(spec).n_runs

    done = subprocess.run(command + ["--out", str(out), "--resume"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (out / COMPLETE).exists()
    pd.testing.assert_frame_equal(_runs(reference), _runs(out))
    assert _runs_in_parts(out)["run"].value_counts().max() == 1


def _runs_in_parts(folder: Path) -> pd.DataFrame:
    parts = sorted((folder / "runs").glob("part-*.parquet"))
    return pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)


def test_assemble_runs_orders_blocks_and_drops_repeats(tmp_path):
    """Parts in completion order (shuffled), a run repeated in a later part, blocks smaller than
    the parts: runs.parquet comes out in run order, one row per run, first copy kept."""
    import numpy as np

    from reintegration_sim.workflows.sweep import SweepError, assemble_runs

    rng = np.random.default_rng(0)
    order = rng.permutation(50)
    (tmp_path / "runs").mkdir()
    for k, start in enumerate(range(0, 50, 8)):
        runs = order[start : start + 8]
        frame = pd.DataFrame({"run": runs, "x": runs * 0.5, "copy": 0})
        frame.to_parquet(tmp_path / "runs" / f"part-{k:05d}.parquet", index=False)
    repeat = pd.DataFrame({"run": [order[0]], "x": [-1.0], "copy": [1]})
    repeat.to_parquet(tmp_path / "runs" / "part-00099.parquet", index=False)
    assemble_runs(tmp_path, 50, tmp_path / "runs.parquet", block=7)
    runs = pd.read_parquet(tmp_path / "runs.parquet")
    assert list(runs["run"]) == list(range(50))
    assert (runs["x"] == runs["run"] * 0.5).all() and (runs["copy"] == 0).all()
    with pytest.raises(SweepError, match="runs missing"):
        assemble_runs(tmp_path, 51, tmp_path / "again.parquet")
    assert not (tmp_path / "again.parquet").exists()


def test_unreachable_scheduler_exits_2_and_writes_nothing(tmp_path, capsys):
    spec = _spec_dir(tmp_path)
    out = tmp_path / "out"
    assert cli.main(["sweep", str(spec), "--out", str(out), "--scheduler", "bogus"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "cannot reach Dask scheduler 'bogus'" in err
    assert not out.exists()


def test_resume_refuses_a_changed_base(tmp_path, capsys):
    """The finished runs and the new ones must come from one model: a base file edited, or a
    register default changed, between the interruption and --resume is refused."""
    spec = _spec_dir(tmp_path)
    part = tmp_path / "part"
    run_sweep(spec, part, limit=5, progress=False)
    base = tmp_path / "base.toml"
    original = base.read_text(encoding="utf-8")
    bigger = BASE.with_parameters({"population": {"n_extremist": 80}})
    base.write_text(bigger.to_toml(), encoding="utf-8")
    assert cli.main(["sweep", str(spec), "--out", str(part), "--resume"]) == 2
    assert "base scenario" in capsys.readouterr().err
    base.write_text(original, encoding="utf-8")

    # the same file, but the register's default moved (as after `calibrate --write`)
    resolved = json.loads((part / "base-resolved.json").read_text(encoding="utf-8"))
    resolved["parameters"]["offending"]["terror_hazard"] *= 2
    (part / "base-resolved.json").write_text(json.dumps(resolved), encoding="utf-8")
    assert cli.main(["sweep", str(spec), "--out", str(part), "--resume"]) == 2
    assert "has changed since the sweep started" in capsys.readouterr().err
    assert not (part / COMPLETE).exists()
