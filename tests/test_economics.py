"""Benefit-cost figures: a tiny case computed by hand, signs, discounting, the evaluation size
against textbook values, the acceptability curve, and the figures of a real comparison."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from reintegration_sim.analysis.comparison import replication_levels, run_comparison
from reintegration_sim.analysis.economics import (
    ARM_COLUMNS,
    BENEFIT_COST_COLUMNS,
    RELEASE_PRESETS,
    Valuation,
    acceptability_curve,
    arm_values,
    benefit_cost,
    discount_factor,
    evaluation_size,
    net_benefit_matrix,
    parse_releases_per_year,
    summarise,
)
from reintegration_sim.parameters import ORDINARY_REOFFENCE_MIX, Parameters
from reintegration_sim.scenario import Scenario

#: a discount rate that makes the factors easy: 1 year 0.8, 2 years 0.64, 3 years 0.512
RATE = 0.25
VALUES = Valuation(terrorism_offence=1000.0, ordinary_reoffence=10.0, discount_rate=RATE)


def person(
    cohort: str,
    released: int = -1,
    end: int = 156,
    first: int = -1,
    terror: int = -1,
    n: int = 0,
) -> dict:
    """One row of a people table: released in week ``released`` (-1: never), followed up to
    week ``end``, first proven reoffence in week ``first``, first terrorism offence in week
    ``terror``, ``n`` proven reoffences in all."""
    return {
        "cohort": cohort,
        "first_release_week": released,
        "followup_weeks": end - released if released >= 0 else -1,
        "reoffence_week": first,
        "terror_week": terror,
        "n_reoffences": n,
        "weeks_to_any_reoffence": first - released if first >= 0 else -1,
        "weeks_to_terror_reoffence": terror - released if terror >= 0 else -1,
    }


def people(scenario: str, rows: list[dict], replication: int = 0) -> pd.DataFrame:
    return pd.DataFrame(rows).assign(scenario=scenario, replication=replication)


def costs(scenario: str, weekly: dict[str, dict[int, float]], replication: int = 0):
    """A timeseries of the cost indicators: ``{indicator: {week: EUR}}``."""
    rows = [
        (scenario, replication, week, "all", indicator, value)
        for indicator, by_week in weekly.items()
        for week, value in by_week.items()
    ]
    return pd.DataFrame(
        rows, columns=["scenario", "replication", "week", "cohort", "indicator", "value"]
    )


def tiny() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two scenarios of one run each, small enough to value by hand (see the test)."""
    base = people(
        "base",
        [
            person("extremist", released=0, first=52, terror=52, n=1),  # A
            person("comparison", released=0, first=52, n=3),  # B
            person("extremist"),  # C: never released
            person("extremist", released=52),  # D
        ],
    )
    policy = people(
        "policy",
        [
            person("extremist", released=0),
            person("comparison", released=0, first=104, n=1),
            person("extremist"),
            person("extremist", released=52),
        ],
    )
    spend = {
        "cost_custody": {0: 999.0, 52: 100.0, 104: 100.0},
        "cost_staff": {52: 50.0},
        "cost_interventions": {52: 0.0},
    }
    ts_base = costs("base", spend)
    spend["cost_custody"] = {52: 100.0, 104: 0.0}
    spend["cost_interventions"] = {0: 999.0, 52: 200.0}
    return pd.concat([base, policy]), pd.concat([ts_base, costs("policy", spend)])


def figure(table: pd.DataFrame, measure: str, scale: str | None = None) -> pd.Series:
    rows = table[table["measure"] == measure]
    if scale is not None:
        rows = rows[rows["scale"] == scale]
    assert len(rows) == 1, (measure, scale)
    return rows.iloc[0]


def test_discount_factor() -> None:
    assert discount_factor(0, 0.035) == 1.0
    assert discount_factor(52, 0.035) == pytest.approx(1 / 1.035)
    assert discount_factor([52, 104, 156], RATE) == pytest.approx([0.8, 0.64, 0.512])
    assert discount_factor(520, 0.0) == 1.0


def test_the_tiny_case_equals_a_hand_computation() -> None:
    ppl, ts = tiny()
    result = benefit_cost(ppl, ts, "base", VALUES, releases_per_year={"uk": 40.0})
    arms = result.arms.set_index("scenario")
    # base: A's terrorism offence in week 52 (0.8); B's first reoffence in week 52 (0.8) and two
    # more placed midway between week 52 and the end of follow-up, week 156: week 104 (0.64)
    assert arms.loc["base", "terror_pv"] == pytest.approx(0.8)
    assert arms.loc["base", "ordinary_pv"] == pytest.approx(0.8 + 2 * 0.64)
    assert arms.loc["base", "victim_cost_terror"] == pytest.approx(800.0)
    assert arms.loc["base", "victim_cost_ordinary"] == pytest.approx(20.8)
    # custody 100 in weeks 52 and 104, staff 50 in week 52; week 0 is the start and costs nothing
    assert arms.loc["base", "custody_cost"] == pytest.approx(80.0 + 64.0)
    assert arms.loc["base", "staff_cost"] == pytest.approx(40.0)
    assert arms.loc["policy", "ordinary_pv"] == pytest.approx(0.64)
    assert arms.loc["policy", "custody_cost"] == pytest.approx(80.0)
    assert arms.loc["policy", "intervention_cost"] == pytest.approx(160.0)
    assert arms.loc["base", "released"] == 3 and arms.loc["base", "participants"] == 2
    assert arms.loc["base", "reoffences"] == 4 and arms.loc["policy", "reoffences"] == 1

    table = result.table
    assert list(table.columns) == BENEFIT_COST_COLUMNS
    programme, taxpayer, victim = 160.0, 144.0 - 80.0, 820.8 - 6.4
    npv = taxpayer + victim - programme  # 718.4
    per_100, per_participant = 100.0 / 3, 1.0 / 2
    expected = {
        ("programme_cost", "per participant"): programme * per_participant,
        ("taxpayer_benefit", "per 100 releases"): taxpayer * per_100,
        ("victim_benefit", "per participant"): victim * per_participant,
        ("net_present_value", "per 100 releases"): npv * per_100,
        ("net_present_value", "per participant"): npv * per_participant,
        ("taxpayer_net_cost", "per participant"): (programme - taxpayer) * per_participant,
        ("terror_prevented", "per 100 releases"): 1 * per_100,
        ("reoffences_prevented", "per participant"): 3 * per_participant,
        ("benefit_cost_ratio", None): (taxpayer + victim) / programme,
        ("cost_per_terror_prevented", None): (programme - taxpayer) / 0.8,
        ("cost_per_reoffence_prevented", None): (programme - taxpayer) / (0.8 + 2.08 - 0.64),
        ("relative_change_terror", None): -100.0,
        ("relative_change_reoffences", None): -75.0,
        ("releases_per_terror_prevented", None): 3.0,
        ("releases_per_reoffence_prevented", None): 1.0,
        ("terror_prevented_per_year", None): 40.0 * 1 / 2,  # A was extremist; 2 participants
        ("reoffences_prevented_per_year", None): 40.0 * 1 / 2,
    }
    for (measure, scale), value in expected.items():
        row = figure(table, measure, scale)
        assert row["median"] == pytest.approx(value), measure
        assert row["low"] == pytest.approx(value) and row["high"] == pytest.approx(value)
        assert row["n_draws"] == 1
    assert figure(table, "net_present_value", "per participant")["prob_net_benefit_positive"] == 1
    assert np.isnan(figure(table, "benefits", "per participant")["prob_net_benefit_positive"])


def test_a_later_terrorism_offence_and_further_reoffences_are_placed_in_time() -> None:
    """First an ordinary reoffence (week 104), then a terrorism offence (week 156), and one more
    reoffence placed midway between week 104 and the end of follow-up (week 156)."""
    ppl = people("base", [person("extremist", released=52, end=156, first=104, terror=156, n=3)])
    arms = arm_values(ppl, costs("base", {}), VALUES)
    assert arms.loc[0, "terror_pv"] == pytest.approx(0.512)
    assert arms.loc[0, "ordinary_pv"] == pytest.approx(0.64 + 1.25**-2.5)
    assert arms.loc[0, "terror_offences"] == 1 and arms.loc[0, "reoffences"] == 3
    assert list(arms.columns) == ARM_COLUMNS


def _random_runs(seed: int, n_runs: int, cheaper: float, prevent: int) -> tuple:
    """Base and policy of ``n_runs`` runs with the same costs (policy ``cheaper`` EUR less
    staff) and the policy ``prevent`` reoffences fewer per run, rows in scrambled order."""
    rng = np.random.default_rng(seed)
    ppl, ts = [], []
    for r in range(n_runs):
        n = rng.integers(2, 6, size=20)
        weeks = rng.integers(10, 100, size=20)
        rows = [
            person("comparison", released=0, end=200, first=int(w), n=int(k))
            for w, k in zip(weeks, n, strict=True)
        ]
        fewer = [dict(row) for row in rows]
        for row in fewer[:prevent]:
            row["n_reoffences"] -= 1
        ppl += [people("base", rows, r), people("policy", fewer, r)]
        spend = {"cost_custody": {5: 1000.0}, "cost_staff": {5: 500.0}, "cost_interventions": {}}
        ts.append(costs("base", spend, r))
        spend = {"cost_custody": {5: 1000.0}, "cost_staff": {5: 500.0 - cheaper}}
        ts.append(costs("policy", spend, r))
    table = pd.concat(ppl).sample(frac=1.0, random_state=seed)
    return table, pd.concat(ts)


def test_preventing_offences_at_no_cost_has_a_positive_net_present_value() -> None:
    ppl, ts = _random_runs(1, 6, cheaper=0.0, prevent=3)
    table = benefit_cost(ppl, ts, "base", VALUES).table
    npv = figure(table, "net_present_value", "per 100 releases")
    assert npv["low"] > 0 and npv["prob_net_benefit_positive"] == 1.0
    assert figure(table, "programme_cost", "per 100 releases")["median"] == 0
    assert figure(table, "reoffences_prevented", "per 100 releases")["median"] == pytest.approx(
        100.0 * 3 / 20
    )
    ratio = figure(table, "benefit_cost_ratio")
    assert ratio["n_draws"] == 0 and "6 of 6 draws left out" in ratio["note"]


def test_more_offences_at_a_cost_have_a_negative_net_present_value() -> None:
    ppl, ts = _random_runs(2, 6, cheaper=400.0, prevent=3)  # swapped: the policy adds offences
    swapped = ppl.assign(scenario=ppl["scenario"].map({"base": "policy", "policy": "base"}))
    ts = ts.assign(scenario=ts["scenario"].map({"base": "policy", "policy": "base"}))
    table = benefit_cost(swapped, ts, "base", VALUES).table
    npv = figure(table, "net_present_value", "per 100 releases")
    assert npv["high"] < 0 and npv["prob_net_benefit_positive"] == 0.0
    nnt = figure(table, "releases_per_reoffence_prevented")
    assert nnt["median"] == pytest.approx(-20 / 3)  # negative: releases per reoffence added


def test_discounting_at_rate_zero_is_the_undiscounted_sum(tmp_path) -> None:
    scenario = (
        Scenario(name="base", description="a small population")
        .with_parameters({"population": {"n_extremist": 120, "n_comparison": 120}})
        .with_horizon(260)
    )
    policy = scenario.with_overrides(
        {"name": "policy", "interventions.deradicalisation_programme.coverage": 0.8}
    )
    timeseries, ppl = run_comparison([scenario, policy], 2, workers=1, progress=False)
    undiscounted = Valuation(1000.0, 10.0, 0.0)
    arms = arm_values(ppl, timeseries, undiscounted).set_index(["scenario", "replication"])
    levels = replication_levels(ppl, timeseries)
    totals = levels[(levels["kind"] == "cost") & (levels["outcome"] == "cost_total")]
    for _, row in totals.iterrows():
        arm = arms.loc[(row["scenario"], row["replication"])]
        spent = arm["custody_cost"] + arm["staff_cost"] + arm["intervention_cost"]
        assert spent == pytest.approx(row["value"], rel=1e-12)
        assert arm["terror_pv"] == arm["terror_offences"]
        assert arm["ordinary_pv"] == arm["reoffences"] - arm["terror_offences"]
    assert (arms["reoffences"] > 0).all()
    discounted = arm_values(ppl, timeseries, Valuation(1000.0, 10.0, 0.035))
    assert (discounted["custody_cost"].to_numpy() < arms["custody_cost"].to_numpy()).all()


@pytest.mark.parametrize(
    ("p1", "p2", "n"),
    [
        (0.4, 0.6, 97),  # Fleiss, Levin & Paik (2003), without continuity correction
        (0.25, 0.5, 58),  # Machin et al. (1997), Sample Size Tables for Clinical Studies
    ],
)
def test_evaluation_size_matches_textbook_values(p1, p2, n) -> None:
    assert evaluation_size(p1, p2) == n
    assert evaluation_size(p2, p1) == n
    assert evaluation_size(np.array([p1, 0.3]), np.array([p2, 0.3])).tolist() == [n, np.inf]


def test_acceptability_probabilities_sum_to_one_at_each_willingness_to_pay() -> None:
    rng = np.random.default_rng(3)
    effect = rng.normal([0.0, 1.0, 2.0], 0.2, size=(200, 3))
    cost = rng.normal([0.0, 10.0, 30.0], 2.0, size=(200, 3))
    curve = acceptability_curve(effect, cost, [0.0, 5.0, 20.0, 1e6], ["a", "b", "c"])
    sums = curve.groupby("wtp")["probability"].sum()
    assert sums.to_numpy() == pytest.approx(1.0)
    at = curve.set_index(["wtp", "scenario"])["probability"]
    assert at[0.0, "a"] > 0.9  # nothing is worth paying for: the cheapest wins
    assert at[1e6, "c"] > 0.9  # effects are worth any price: the most effective wins


def test_acceptability_at_the_unit_cost_matches_the_net_present_value() -> None:
    ppl, ts = tiny()
    result = benefit_cost(ppl, ts, "base", VALUES)
    net = net_benefit_matrix(result.paired, VALUES.terrorism_offence, "base")
    assert net["policy"].to_numpy() == pytest.approx(result.paired["net_present_value"])
    assert (net["base"] == 0).all()
    curve = result.acceptability
    assert curve.groupby("wtp")["probability"].sum().to_numpy() == pytest.approx(1.0)


def test_summarise_keeps_never_detectable_draws() -> None:
    assert summarise([1.0, 2.0, 3.0]) == (2.0, pytest.approx(1.1), pytest.approx(2.9), 3)
    median, low, high, n = summarise([10.0, 20.0, np.inf, np.nan])
    assert (median, high, n) == (20.0, np.inf, 3)
    assert summarise([np.nan])[3] == 0


def test_releases_per_year_presets_and_bad_values() -> None:
    assert parse_releases_per_year("uk,France") == {"uk": 40.0, "france": 50.0}
    assert parse_releases_per_year("60") == {"60 releases a year": 60.0}
    assert set(RELEASE_PRESETS) == {"uk", "france", "belgium"}
    for bad in ("0", "-3", "spain", "nan"):
        with pytest.raises(ValueError, match="neither a positive number nor a preset"):
            parse_releases_per_year(bad)


def test_a_country_preset_s_name_gives_its_releases_a_year() -> None:
    """From a walkthrough: `--releases-per-year england_wales` was refused with no hint,
    although docs/adapting.md calls england_wales a country preset. A country preset's name
    gives its [country] figure, labelled by the country, with its source; a misspelt one
    gets the nearest name."""
    from reintegration_sim.analysis.economics import resolve_releases_per_year

    assert parse_releases_per_year("england_wales,30") == {
        "England and Wales": 40.0,
        "30 releases a year": 30.0,
    }
    releases, sources = resolve_releases_per_year("netherlands")
    assert releases == {"the Netherlands": 20.0}
    assert sources["the Netherlands"].startswith("assumption")
    with pytest.raises(ValueError, match="did you mean 'england_wales'") as caught:
        parse_releases_per_year("englnd_wales")
    assert str(caught.value).count("france") == 1  # each name listed once


def test_the_register_values_an_ordinary_reoffence_by_its_stated_mix() -> None:
    costs = Parameters().costs
    assert sum(share for _, share, _, _ in ORDINARY_REOFFENCE_MIX) == pytest.approx(1.0)
    mixed = sum(share * cost for _, share, cost, _ in ORDINARY_REOFFENCE_MIX)
    assert costs.ordinary_reoffence == pytest.approx(mixed, abs=0.5)
    assert costs.discount_rate == 0.035
    value = Valuation.from_costs(costs)
    assert value.terrorism_offence == pytest.approx(costs.terrorism_offence * costs.eur_per_gbp)


def test_the_cost_per_offence_prevented_is_the_expected_cost_over_the_expected_offences() -> None:
    """The league showed "none in the typical run" for a policy that prevented terrorism
    offences on average, because most runs prevent no rare offence and the median of the runs
    is then 0. Its figure is now the mean net cost over the mean offences prevented, every run
    counting; the median over the runs that prevented any stays in the appendix."""
    from reintegration_sim.analysis.economics import summarise_scenario

    draws = 10
    prevented = np.array([1.0, 0, 0, 0, 0, 2.0, 0, 0, 0, 0])  # 0.3 on average, median 0
    net_cost = np.full(draws, 600.0)
    columns = {
        "released": np.full(draws, 100.0),
        "participants": np.full(draws, 100.0),
        "net_present_value": -net_cost,
        "benefits": np.zeros(draws),
        "programme_cost": net_cost,
        "taxpayer_net_cost": net_cost,
        "taxpayer_benefit": np.zeros(draws),
        "victim_benefit": np.zeros(draws),
        "terror_prevented_pv": prevented,
        "reoffences_prevented_pv": prevented,
        "terror_prevented": prevented,
        "reoffences_prevented": prevented,
        "terror_prevented_extremist": prevented,
        "reoffences_prevented_extremist": prevented,
        "base_terror_offences": np.full(draws, 3.0),
        "other_terror_offences": 3.0 - prevented,
        "base_reoffences": np.full(draws, 3.0),
        "other_reoffences": 3.0 - prevented,
        "base_p_terror": np.full(draws, 0.03),
        "other_p_terror": np.full(draws, 0.027),
        "base_p_any": np.full(draws, 0.1),
        "other_p_any": np.full(draws, 0.09),
    }
    table = summarise_scenario(
        pd.DataFrame(columns), scenario="p", base="b", covers="chance only", releases_per_year={}
    )
    row = table[table["measure"] == "cost_per_terror_prevented"].iloc[0]
    assert row["mean"] == pytest.approx(600.0 / 0.3)
    assert row["median"] == pytest.approx(np.median([600.0, 300.0]))  # the two that prevented
    assert "8 of 10 draws prevented none" in row["note"]
