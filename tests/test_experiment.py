"""Replications, executors and the Kaplan-Meier survival table."""

from __future__ import annotations

import pickle
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest

from reintegration_sim.analysis.experiment import replication_seeds, run_replication, run_scenario
from reintegration_sim.analysis.survival import COHORTS, survival_table
from reintegration_sim.model.outcomes import EVENT_OUTCOMES, OUTCOME_BY_KEY
from reintegration_sim.scenario import Scenario

Z95 = 1.959963984540054


@pytest.fixture(scope="module")
def tiny() -> Scenario:
    return (
        Scenario(name="tiny", description="x")
        .with_parameters({"population": {"n_extremist": 150, "n_comparison": 150}})
        .with_horizon(156)
    )


@pytest.fixture(scope="module")
def serial(tiny: Scenario) -> tuple[pd.DataFrame, pd.DataFrame]:
    return run_scenario(tiny, 3, workers=1, progress=False)


def test_scenario_pickles(tiny: Scenario) -> None:
    copy = pickle.loads(pickle.dumps(tiny))
    assert copy.model_dump() == tiny.model_dump()


def test_run_replication_tables(tiny: Scenario) -> None:
    result = run_replication(tiny, 1)
    assert result.replication == 1
    assert result.wall_seconds > 0
    assert len(result.people) == 300
    assert set(result.people["replication"]) == {1}
    assert list(result.timeseries.columns) == [
        "scenario",
        "replication",
        "week",
        "cohort",
        "indicator",
        "value",
    ]
    assert result.timeseries["week"].max() == 156


def test_workers_do_not_change_results(tiny: Scenario, serial) -> None:
    timeseries, people = serial
    timeseries2, people2 = run_scenario(tiny, 3, workers=2, progress=False)
    assert timeseries.equals(timeseries2)
    assert people.equals(people2)
    pd.testing.assert_frame_equal(timeseries, timeseries2)
    pd.testing.assert_frame_equal(people, people2)
    # concatenated in replication order, categoricals kept
    assert list(people["replication"].drop_duplicates()) == [0, 1, 2]
    assert isinstance(people["cohort"].dtype, pd.CategoricalDtype)
    assert isinstance(timeseries["indicator"].dtype, pd.CategoricalDtype)


def test_any_executor_gives_the_same_tables(tiny: Scenario, serial) -> None:
    with ThreadPoolExecutor(2) as pool:
        timeseries, people = run_scenario(tiny, 3, executor=pool, progress=False)
    assert timeseries.equals(serial[0])
    assert people.equals(serial[1])


def test_replications_differ_and_repeat(tiny: Scenario, serial) -> None:
    people = serial[1]
    first = people[people["replication"] == 0].drop(columns="replication").reset_index(drop=True)
    second = people[people["replication"] == 1].drop(columns="replication").reset_index(drop=True)
    assert not first.equals(second)
    again = run_replication(tiny, 0).people.drop(columns="replication")
    assert again.equals(first)


def test_replication_seeds(tiny: Scenario) -> None:
    seeds = replication_seeds(tiny, 3)
    assert [s["replication"] for s in seeds] == [0, 1, 2]
    assert [s["spawn_key"] for s in seeds] == [[0], [1], [2]]
    assert all(s["entropy"] == tiny.seed for s in seeds)
    assert len({s["mesa_seed"] for s in seeds}) == 3


def test_bad_counts_are_refused(tiny: Scenario) -> None:
    with pytest.raises(ValueError, match="replications"):
        run_scenario(tiny, 0, progress=False)
    with pytest.raises(ValueError, match="workers"):
        run_scenario(tiny, 1, workers=0, progress=False)


def test_empty_comparison_cohort(tiny: Scenario) -> None:
    scenario = tiny.with_parameters({"population": {"n_comparison": 0}}).with_horizon(60)
    _, people = run_scenario(scenario, 1, progress=False)
    table = survival_table(people, years=(1,))
    comparison = table[table["cohort"] == "comparison"]
    assert (comparison["n_released"] == 0).all()
    assert comparison["cum_incidence"].isna().all()


# ---------------------------------------------------------------------- survival table


def _people(rows: list[tuple[str, int, int]], key: str = "any_reoffence") -> pd.DataFrame:
    """A people table: (cohort, followup_weeks, weeks_to_<key>); other outcomes never happen."""
    table = pd.DataFrame(rows, columns=["cohort", "followup_weeks", f"weeks_to_{key}"])
    for outcome in EVENT_OUTCOMES:
        if outcome.key != key:
            table[f"weeks_to_{outcome.key}"] = -1
    table["cohort"] = pd.Categorical(table["cohort"], categories=list(COHORTS))
    table["replication"] = 0
    return table


def _greenwood_ci(survival: float, terms: list[tuple[int, int]]) -> tuple[float, float]:
    """Exponential Greenwood 95 % interval of S, from (at risk, events) at each event time."""
    var = sum(d / (n * (n - d)) for n, d in terms) / np.log(survival) ** 2
    lower = survival ** np.exp(Z95 * np.sqrt(var))
    upper = survival ** np.exp(-Z95 * np.sqrt(var))
    return lower, upper


def test_survival_table_known_answer() -> None:
    people = _people(
        [
            ("extremist", 0, 0),  # event in the week of release
            ("extremist", 0, -1),  # released in the last week: censored at 0
            ("extremist", 60, 52),  # event at exactly one year
            ("extremist", 30, -1),  # censored at 30
            ("extremist", 150, 100),
            ("extremist", 200, -1),
            ("extremist", 300, -1),
            ("extremist", -1, -1),  # never released: not in the table
            ("comparison", 400, -1),
            ("comparison", 400, -1),
        ]
    )
    table = survival_table(people, [OUTCOME_BY_KEY["any_reoffence"]], years=(1, 2, 5, 6))
    ext = table[table["cohort"] == "extremist"].set_index("years")
    assert list(table.columns[:4]) == ["cohort", "outcome", "label", "years"]
    assert (ext["label"] == OUTCOME_BY_KEY["any_reoffence"].label).all()
    assert (ext["n_released"] == 7).all()
    assert (ext["n_events"] == 3).all()
    assert list(ext["weeks"]) == [52, 104, 260, 312]
    assert list(ext["n_events_by"]) == [2, 3, 3, 3]
    assert list(ext["n_at_risk"]) == [4, 2, 1, 0]
    # S(0) = 6/7 (7 at risk, censored at 0 still at risk); S(52) = 6/7 * 3/4; S(100) *= 2/3
    s52, s100 = 6 / 7 * 3 / 4, 6 / 7 * 3 / 4 * 2 / 3
    assert ext.loc[1, "cum_incidence"] == pytest.approx(1 - s52)
    assert ext.loc[2, "cum_incidence"] == pytest.approx(1 - s100)
    assert ext.loc[5, "cum_incidence"] == pytest.approx(1 - s100)
    assert np.isnan(ext.loc[6, "cum_incidence"])  # nobody followed up 6 years
    lower, upper = _greenwood_ci(s52, [(7, 1), (4, 1)])
    assert ext.loc[1, "ci_lower"] == pytest.approx(1 - upper)
    assert ext.loc[1, "ci_upper"] == pytest.approx(1 - lower)
    lower, upper = _greenwood_ci(s100, [(7, 1), (4, 1), (3, 1)])
    assert ext.loc[2, "ci_lower"] == pytest.approx(1 - upper)
    assert ext.loc[2, "ci_upper"] == pytest.approx(1 - lower)

    comp = table[table["cohort"] == "comparison"].set_index("years")
    assert (comp["n_released"] == 2).all()
    assert (comp["n_events"] == 0).all()
    assert list(comp.loc[[1, 2, 5], "cum_incidence"]) == [0.0, 0.0, 0.0]
    assert list(comp.loc[[1, 2, 5], "ci_upper"]) == [0.0, 0.0, 0.0]


def test_survival_without_censoring_is_the_empirical_share() -> None:
    rng = np.random.default_rng(1)
    weeks = rng.integers(0, 400, 500)
    event = rng.random(500) < 0.6
    people = _people(
        [("extremist", 400, int(w) if e else -1) for w, e in zip(weeks, event, strict=True)]
    )
    table = survival_table(people, EVENT_OUTCOMES, years=(1, 3, 5))
    rows = table[(table["cohort"] == "extremist") & (table["outcome"] == "any_reoffence")]
    for _, row in rows.iterrows():
        expected = np.mean(event & (weeks <= row["weeks"]))
        assert row["cum_incidence"] == pytest.approx(expected)
        assert row["ci_lower"] <= expected <= row["ci_upper"]
    others = table[(table["cohort"] == "extremist") & (table["outcome"] != "any_reoffence")]
    assert (others["cum_incidence"] == 0).all()
    assert set(table["outcome"]) == {o.key for o in EVENT_OUTCOMES}


def test_survival_table_on_a_run(serial) -> None:
    people = serial[1]
    table = survival_table(people)
    assert set(table["cohort"]) == set(COHORTS)
    released = people[people["followup_weeks"] >= 0]
    for cohort in COHORTS:
        n = int((released["cohort"] == cohort).sum())
        assert (table.loc[table["cohort"] == cohort, "n_released"] == n).all()
    ok = table.dropna(subset=["cum_incidence"])
    assert ((ok["ci_lower"] <= ok["cum_incidence"]) & (ok["cum_incidence"] <= ok["ci_upper"])).all()
    assert table.loc[table["years"] == 5, "cum_incidence"].isna().all()  # horizon is 3 years
