"""Sensitivity sweeps: spec validation, the SALib problem, evaluate(), a tiny Sobol sweep, the
same results on any executor, and resuming an interrupted sweep."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from reintegration_sim import cli
from reintegration_sim.parameters import iter_register
from reintegration_sim.scenario import Scenario
from reintegration_sim.sensitivity import (
    SensitivityError,
    evaluate,
    problem_from_register,
)
from reintegration_sim.sweep import COMPLETE, prepare, run_sweep

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
    for name in ("small.toml", "recruiters_sobol.toml"):
        plan = prepare(ROOT / "sweeps" / name)
        assert plan.n_runs > 0


def test_common_random_numbers_pair_the_design_points():
    """With common random numbers two design points with the same values give the same
    outcomes (differences between points come from the parameters only); with independent
    numbers per point they differ by noise."""
    from reintegration_sim.sweep import replications_of, run_one

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
