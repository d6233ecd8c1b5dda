"""Comparisons over assumptions and chance: draws, common random numbers, resumption, the
summaries of a spread, and the value of information."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from reintegration_sim.analysis.experiment import process_pool
from reintegration_sim.analysis.uncertainty import (
    drivers,
    evppi,
    plan_draws,
    run_draws,
    uncertainty_columns,
)
from reintegration_sim.cli import main
from reintegration_sim.priors import PriorError
from reintegration_sim.scenario import Scenario

SMALL = {"population": {"n_extremist": 60, "n_comparison": 60}}


def _pair(effect: bool = True) -> list[Scenario]:
    base = Scenario(name="base", description="x").with_parameters(SMALL).with_horizon(104)
    mentors = (
        {"mentors": {}}
        if effect
        else {
            "mentors": {
                "trust_effect": 1.0,
                "ideology_effect": 0.0,
                "ties_effect": 0.0,
                "recruit_ratio": 1.0,
            }
        }
    )
    policy = base.model_copy(update={"name": "policy"}).with_interventions(mentors)
    return [base, policy]


def test_a_plan_draws_shared_assumptions_and_keeps_what_differs_as_policy():
    base, policy = _pair()
    other = policy.with_parameters({"release": {"continuity": 0.9}})
    plan = plan_draws([base, other], 4, ["release", "interventions.mentors"], 1)
    assert "release.continuity" in plan.policy
    assert "release.continuity" not in plan.keys
    shared = [k for k in plan.keys if k.startswith("release.")]
    assert shared and all(k in plan.applies["base"] for k in shared)
    lever = [k for k in plan.keys if k.startswith("interventions.mentors.")]
    assert lever and all(k in plan.applies["policy"] for k in lever)
    assert not any(k in plan.applies["base"] for k in lever)
    # the same draw gives both scenarios the same shared values
    assert {k: plan.overrides("base", 2)[k] for k in shared} == {
        k: plan.overrides("policy", 2)[k] for k in shared
    }


def test_draws_do_not_depend_on_workers_and_a_resumed_run_only_runs_what_is_missing(tmp_path):
    scenarios = _pair()
    plan = plan_draws(scenarios, 4, ["recruiters.approach_success"], 1)
    alone, alone_arms = run_draws(plan, scenarios, tmp_path / "a")
    with process_pool(2) as pool:
        pooled, pooled_arms = run_draws(plan, scenarios, tmp_path / "b", pool)
    pd.testing.assert_frame_equal(alone, pooled)
    pd.testing.assert_frame_equal(alone_arms, pooled_arms)
    # a kill leaves some draws in the cache: starting again runs only the others
    (tmp_path / "b" / "draw-00001.parquet").unlink()
    (tmp_path / "b" / "draw-00003.parquet").unlink()
    ran: list[int] = []
    resumed, _ = run_draws(plan, scenarios, tmp_path / "b", on_done=ran.append)
    assert ran == [1, 3]
    pd.testing.assert_frame_equal(alone, resumed)


def test_a_lever_with_no_effect_is_a_coin_toss_and_its_information_worthless(tmp_path):
    scenarios = _pair(effect=False)
    plan = plan_draws(scenarios, 6, ["recruiters"], 1)
    levels, arms = run_draws(plan, scenarios, tmp_path / "c")
    columns = uncertainty_columns(levels, "base")
    events = columns[(columns["kind"] == "event")].dropna(subset=["total_median"])
    assert len(events) >= 5
    assert np.allclose(events["prob_better"].dropna(), 0.5)
    assert np.allclose(events[["total_low", "total_high"]].to_numpy(), 0.0)
    costs = levels[(levels["kind"] == "cost") & (levels["outcome"] == "cost_total")]
    wide = costs.pivot(index="draw", columns="scenario", values="value")
    net_benefit = -wide[["base", "policy"]].to_numpy()
    value = evppi(net_benefit, plan.assumptions(), {k: [k] for k in plan.keys})
    assert value["evppi"].max() == pytest.approx(0.0, abs=1e-6)


def test_spread_summaries_match_a_hand_computation():
    rows = []
    # two draws x two replications; policy - base differences: draw 0: -1, -3; draw 1: +1, -1
    for d, diffs in enumerate([(-1.0, -3.0), (1.0, -1.0)]):
        for r, diff in enumerate(diffs):
            for name, value in (("base", 10.0), ("policy", 10.0 + diff)):
                rows.append((d, name, 2 * d + r, "extremist", "event", "any_reoffence", 3.0, value))
    levels = pd.DataFrame(
        rows,
        columns=["draw", "scenario", "replication", "cohort", "kind", "outcome", "years", "value"],
    )
    row = uncertainty_columns(levels, "base").iloc[0]
    values = np.array([-1.0, -3.0, 1.0, -1.0])
    assert row["total_median"] == pytest.approx(-1.0)
    assert row["total_mean"] == pytest.approx(-1.0)
    assert row["total_low"] == pytest.approx(np.quantile(values, 0.05))
    assert row["total_high"] == pytest.approx(np.quantile(values, 0.95))
    # draw means -2 and 0: one better, one a tie -> 0.75
    assert row["prob_better"] == pytest.approx(0.75)
    within = np.mean([np.var([-1, -3], ddof=1), np.var([1, -1], ddof=1)])
    assert row["share_assumptions"] == pytest.approx(1 - within / np.var(values, ddof=1))


def test_evppi_finds_the_assumption_the_decision_turns_on():
    rng = np.random.default_rng(3)
    x1, x2 = rng.random(4000), rng.random(4000)
    net_benefit = np.column_stack([np.zeros_like(x1), x1 - 0.5 + 0.05 * rng.standard_normal(4000)])
    assumptions = pd.DataFrame({"draw": np.arange(4000), "x1": x1, "x2": x2})
    value = evppi(net_benefit, assumptions, {"x1": ["x1"], "x2": ["x2"]}).set_index("assumption")
    assert value.loc["x1", "evppi"] == pytest.approx(0.125, abs=0.01)  # E[max(0, x1 - 0.5)]
    assert value.loc["x2", "evppi"] < 0.01
    assert value.loc["all assumptions (EVPI)", "evppi"] >= value.loc["x1", "evppi"] - 1e-9
    found = drivers(
        pd.DataFrame({"draw": np.arange(4000), "difference": net_benefit[:, 1]}),
        assumptions,
        ["x1", "x2"],
    )
    assert list(found["key"]) == ["x1", "x2"]
    assert found["share_explained"].iloc[0] > 0.9


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--assumption-draws", "0"], "at least 1"),
        (["--assumption-draws", "2", "--vary", "offending.teror_hazard"], "did you mean"),
        (["--vary", "recruiters"], "needs --assumption-draws"),
    ],
)
def test_bad_draw_options_give_one_line_and_write_nothing(tmp_path, capsys, arguments, message):
    out = tmp_path / "out"
    code = main(["compare", "baseline", "former_extremist_mentors", "--out", str(out), *arguments])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_priors_error_is_a_value_error():
    assert issubclass(PriorError, ValueError)


def test_a_posterior_is_drawn_jointly_by_its_particles_for_every_scenario():
    from reintegration_sim.analysis.abc import Posterior

    keys = ["offending.terror_hazard", "offending.base_hazard_extremist"]
    particles = np.array([[0.001, 0.0002], [0.003, 0.0004]])
    posterior = Posterior(keys, particles, np.array([0.25, 0.75]))
    plan = plan_draws(_pair(), 64, ["recruiters.approach_success"], 1, posterior)
    drawn = np.column_stack([plan.values[k] for k in keys])
    # every draw is a whole particle, in proportion to the weights
    assert {tuple(row) for row in drawn} <= {tuple(row) for row in particles}
    assert np.mean(drawn[:, 0] == 0.003) == pytest.approx(0.75, abs=0.05)
    assert all(set(keys) <= set(plan.applies[name]) for name in ("base", "policy"))
    assert "recruiters.approach_success" in plan.keys


def test_a_posterior_for_another_scenario_is_refused_before_anything_runs(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(
        [
            "compare",
            "material_support",
            "former_extremist_mentors",
            "--assumption-draws",
            "2",
            "--posterior",
            "baseline",
            "--out",
            str(out),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "baseline" in err
    assert not out.exists()


def test_rare_events_show_the_expected_difference_not_a_median_of_zero():
    """From a walkthrough of docs/adapting.md: with terrorism offences rare, most runs differ
    from the base by nothing, so the median difference was 0 while the policy had fewer
    offences in 81 % of draws: the brief printed "0" beside "probably fewer". The reports show
    the mean (expected) difference over all runs of all draws."""
    from reintegration_sim.outputs.league import TERROR, effect_spreads

    rows = []
    # four draws x three runs: the policy prevents one offence in one run of three draws
    for d in range(4):
        for r in range(3):
            diff = -1.0 if (r == 0 and d < 3) else 0.0
            for name, value in (("base", 2.0), ("policy", 2.0 + diff)):
                rows.append((d, name, 3 * d + r, "extremist", "event", TERROR.key, 3.0, value))
    levels = pd.DataFrame(
        rows,
        columns=["draw", "scenario", "replication", "cohort", "kind", "outcome", "years", "value"],
    )
    row = uncertainty_columns(levels, "base").iloc[0]
    assert row["total_median"] == 0.0
    assert row["total_mean"] == pytest.approx(-0.25)
    assert row["prob_better"] == pytest.approx(0.75 + 0.5 * 0.25)
    comparison = pd.DataFrame([{**row.to_dict(), "difference": -0.25, "sd": 0.4}])
    spread = effect_spreads(comparison, 3.0)["policy", TERROR.key]
    assert spread.central == pytest.approx(-0.25 * 10)  # per 1,000 releases, not 0
