"""Determinism and common random numbers.

A scenario, its seed and a replication index fix every number a run produces; a lever changes
outcomes only for the people it can reach, and only from the week it can act.
"""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest
from numba import njit
from scipy import stats

from reintegration_sim.model import ReintegrationModel, kernels, randomness
from reintegration_sim.model.agents import Cohort
from reintegration_sim.model.outcomes import people_table
from reintegration_sim.model.randomness import WEEKLY_PROCESSES, Streams
from reintegration_sim.scenario import Scenario

uniform_at = kernels.uniform_at

#: a scenario in which the two cohorts cannot touch each other: separate wings, no press
#: coverage (a terrorism offence would raise prejudice against everyone), no peer ties, no
#: community recruiters (their attention is shared among all targets in a community), nobody
#: re-engaged who starts recruiting (online approaches reach each person on their own) and
#: enough staff that no caseload ever has a waiting list
ISOLATED = {
    "prison": {"regime": "separation"},
    "community": {"press_coverage": 0.0, "peer_degree": 0.0},
    "recruiters": {"community_per_1000": 0.0, "conversion": 0.0},
    "agencies": {"staffing_level": 20.0, "religious_counsellors_per_1000": 4.0},
}
#: on top of ISOLATED, nobody influences anybody in custody either, so each person's
#: trajectory depends only on their own random numbers and the parameters
SEPARABLE = {
    **ISOLATED,
    "prison": {"regime": "separation", "peer_influence": 0.0, "differing_views": 0.0},
    "recruiters": {"community_per_1000": 0.0, "in_prison_per_1000": 0.0, "conversion": 0.0},
}


def _with(base: dict, group: str, values: dict) -> dict:
    merged = {g: dict(v) for g, v in base.items()}
    merged.setdefault(group, {}).update(values)
    return merged


def _table(model: ReintegrationModel) -> pd.DataFrame:
    return people_table(model).drop(columns=["scenario"])


def _differing_rows(a: pd.DataFrame, b: pd.DataFrame) -> pd.Series:
    """Which rows differ in any column (NaN equal to NaN)."""
    same = (a == b) | (a.isna() & b.isna())
    return ~same.all(axis=1)


def _differing_people(
    ma: ReintegrationModel, mb: ReintegrationModel, ignore: tuple[str, ...] = ()
) -> np.ndarray:
    """Which people differ in any state array (except those in ``ignore``), now."""
    a, b = ma.people.arrays(), mb.people.arrays()
    differ = np.zeros(ma.people.n, bool)
    for name, values in a.items():
        if name not in ignore:
            differ |= values != b[name]
    return differ


# ----------------------------------------------------------------------------- reproducibility


def test_same_seed_and_replication_reproduce_exactly(sim):
    scenario = sim.scenario(300, 300, weeks=156)
    a, b = sim.run(scenario, 1).model, sim.run(scenario, 1).model
    pd.testing.assert_frame_equal(people_table(a), people_table(b))
    pd.testing.assert_frame_equal(a.recorder.frame("x", 1), b.recorder.frame("x", 1))
    assert a.tally == b.tally
    for kind in a.caseloads:
        assert np.array_equal(a.caseloads[kind].assigned, b.caseloads[kind].assigned)


def test_results_do_not_depend_on_global_random_state_or_run_order(sim):
    scenario = sim.scenario(200, 200, weeks=104)
    saved_numpy, saved_python = np.random.get_state(), random.getstate()  # noqa: NPY002
    try:
        np.random.seed(1)  # noqa: NPY002 (the legacy global state must not matter)
        random.seed(1)
        first = _table(sim.run(scenario, 2).model)
        # other replications in between, and a different global state
        sim.run(scenario, 0)
        sim.run(scenario.with_seed(99), 2)
        np.random.seed(2)  # noqa: NPY002
        random.seed(2)
        np.random.random(1000)  # noqa: NPY002
        second = _table(sim.run(scenario, 2).model)
    finally:
        np.random.set_state(saved_numpy)  # noqa: NPY002
        random.setstate(saved_python)
    pd.testing.assert_frame_equal(first, second)


def test_other_replications_and_seeds_differ(sim):
    scenario = sim.scenario(300, 300, weeks=104)
    base = _table(sim.run(scenario, 0).model)
    other_rep = _table(sim.run(scenario, 1).model)
    other_seed = _table(sim.run(scenario.with_seed(scenario.seed + 1), 0).model)
    for other in (other_rep, other_seed):
        assert _differing_rows(base, other).mean() > 0.9
        assert not np.allclose(base.age_start, other.age_start)
    assert not np.array_equal(base.first_release_week, other_rep.first_release_week)


def test_building_the_graph_changes_nothing(sim):
    """The networkx graph is for readers only: building it must not move any random stream."""
    scenario = sim.scenario(150, 150, weeks=52)
    with_graph = ReintegrationModel(scenario, replication=0, build_graph=True).run()
    without = ReintegrationModel(scenario, replication=0, build_graph=False).run()
    assert with_graph.graph is not None and with_graph.graph.number_of_nodes() > 0
    pd.testing.assert_frame_equal(people_table(with_graph), people_table(without))


def test_streams_are_named_and_independent():
    fresh = Streams(7, 3)
    draws = {name: fresh.uniform(name, 5, 8) for name in WEEKLY_PROCESSES}
    values = np.stack(list(draws.values()))
    assert len({tuple(row) for row in values}) == len(WEEKLY_PROCESSES), "two streams coincide"
    assert not np.array_equal(Streams(7, 4).uniform("death", 5, 8), draws["death"])
    assert not np.array_equal(Streams(8, 3).uniform("death", 5, 8), draws["death"])
    assert not np.array_equal(fresh.uniform("death", 6, 8), draws["death"])
    assert Streams(7, 3).mesa_seed() == Streams(7, 3).mesa_seed() != Streams(7, 4).mesa_seed()
    with pytest.raises(KeyError, match="unknown random process"):
        fresh["no such process"]
    with pytest.raises(KeyError, match="a weekly process"):
        fresh["death"]
    with pytest.raises(KeyError, match="unknown weekly random process"):
        fresh.uniform("population", 5, 8)


def test_a_weekly_number_is_a_pure_function_of_person_week_and_process():
    """Person i's number depends on (seed, replication, process, week, row, i) only: not on how
    many people there are, on what was drawn before, or on how many rows were asked for."""
    s = Streams(11, 2)
    many = s.uniforms("gate", 40, 2, 1001)
    assert np.array_equal(s.uniforms("gate", 40, 2, 1001), many)  # asking again: the same
    assert np.array_equal(Streams(11, 2).uniform("gate", 40, 7), many[0, :7])  # fewer people
    assert np.array_equal(s.uniform("gate", 40, 1001), many[0])  # row 0 alone
    assert not np.array_equal(many[0], many[1])
    assert ((many >= 0.0) & (many < 1.0)).all()
    drawn = Streams(11, 2)
    drawn.draw_week(40, 1001)  # the week's bulk draws at once: the same numbers, read-only
    assert np.array_equal(drawn.uniforms("gate", 40, 2, 1001), many)
    for name in WEEKLY_PROCESSES:
        assert np.array_equal(drawn.uniform(name, 40, 1001), Streams(11, 2).uniform(name, 40, 1001))
    with pytest.raises(ValueError, match="read-only"):
        drawn.uniform("death", 40, 1001)[0] = 0.5
    kept = drawn.uniform("death", 40, 1001)
    drawn.draw_week(41, 1001)  # numbers kept from a week stay that week's
    assert np.array_equal(kept, s.uniform("death", 40, 1001))
    assert not np.array_equal(drawn.uniform("death", 41, 1001), kept)
    assert np.array_equal(drawn.uniform("death", 41, 1001), s.uniform("death", 41, 1001))


@njit
def _read_person_by_person(draw, out):
    for i in range(out.size):
        out[i] = uniform_at(draw, i)


@pytest.mark.parametrize("week", [0, 40, 2**31 + 5])
def test_a_number_made_on_demand_is_the_number_made_in_bulk(week):
    """A kernel that makes a draw's numbers person by person (Streams.on_demand, for the rules
    that reach few people) reads exactly the numbers the bulk pass gives, for every process and
    row, odd and even persons, whether or not the week was drawn at once."""
    n = 1001
    bulk, drawn = Streams(11, 2), Streams(11, 2)
    drawn.draw_week(week, n)
    made = np.empty(n)
    subset = np.array([1000, 3, 4, 0, 999], np.int64)  # any persons, in any order
    for name in WEEKLY_PROCESSES:
        for row in range(randomness.draws_a_week(name)):
            _read_person_by_person(drawn.on_demand(name, week, row), made)
            assert np.array_equal(made, bulk.uniform(name, week, n, row)), (name, row)
            assert np.array_equal(made, drawn.uniform(name, week, n, row)), (name, row)
            some = kernels.uniforms_at(drawn.on_demand(name, week, row), subset)
            assert np.array_equal(some, made[subset]), (name, row)
    # a week drawn at once holds only the bulk draws; the others are made when a rule asks
    assert drawn._drawn.shape[0] == sum(
        randomness.draws_a_week(name) for name in WEEKLY_PROCESSES
    ) - len(randomness.ON_DEMAND)
    # numbers given (the hand-built kernel tests) are read as given
    _read_person_by_person(kernels.given(np.linspace(0.0, 0.9, n)), made)
    assert np.array_equal(made, np.linspace(0.0, 0.9, n))
    with pytest.raises(KeyError, match="unknown weekly random process"):
        drawn.on_demand("population", week)
    with pytest.raises(ValueError, match="'death' has draws 0 to 0, not 1"):
        drawn.on_demand("death", week, 1)
    with pytest.raises(ValueError, match="'gate' has draws 0 to 1, not 2"):
        drawn.uniform("gate", week, n, 2)


def test_a_run_is_the_same_whether_a_week_is_drawn_at_once_or_process_by_process(monkeypatch):
    """Small populations make a week's numbers in one call, large ones process by process
    (randomness.DRAW_WEEK_BYTES): the same run either way."""
    scenario = (
        Scenario(name="paths", description="x")
        .with_parameters({"population": {"n_extremist": 150, "n_comparison": 150}})
        .with_horizon(80)
    )
    at_once = ReintegrationModel(scenario, 0, build_graph=False).run()
    monkeypatch.setattr(randomness, "DRAW_WEEK_BYTES", 0)
    one_by_one = ReintegrationModel(scenario, 0, build_graph=False).run()
    assert one_by_one.streams._week is None  # the per-process path was taken
    pd.testing.assert_frame_equal(people_table(at_once), people_table(one_by_one))
    assert np.array_equal(at_once.recorder.values, one_by_one.recorder.values, equal_nan=True)


def test_weekly_numbers_are_uniform_and_independent():
    """The counter-based numbers behave as independent U(0, 1): a Kolmogorov-Smirnov test per
    process, and no correlation between processes, rows, weeks or neighbouring people (for
    truly independent uniforms all 23 tests and 253 correlations together would fail with a
    probability of about 0.4 %; the seed is fixed, so the test does not flake)."""
    s = Streams(2026, 0)
    n = 20_000
    rows = {name: s.uniform(name, 3, n) for name in WEEKLY_PROCESSES}
    rows["gate row 1"] = s.uniforms("gate", 3, 2, n)[1]
    rows["death next week"] = s.uniform("death", 4, n)
    for name, u in rows.items():
        assert stats.kstest(u, "uniform").pvalue > 1e-4, name
    names = list(rows)
    corr = np.corrcoef(np.stack([rows[k] for k in names]))
    bound = 4.5 / np.sqrt(n)  # 4.5 standard errors of a correlation of independent numbers
    off_diagonal = corr[~np.eye(len(names), dtype=bool)]
    assert np.abs(off_diagonal).max() < bound
    u = rows["death"]
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < bound  # neighbours share a counter
    assert abs(np.corrcoef(u[0::2], u[1::2])[0, 1]) < bound * np.sqrt(2)


def test_philox_matches_random123_known_answers():
    """The generator is Philox4x32-10 exactly: Random123's published known-answer vectors
    (tests/kat_vectors of github.com/DEShawResearch/random123)."""
    vectors = [
        ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
        ((0xFFFFFFFF,) * 4, (0xFFFFFFFF,) * 2, (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
        (
            (0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344),
            (0xA4093822, 0x299F31D0),
            (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1),
        ),
    ]
    for counter, key, expected in vectors:
        words = (np.uint32(word) for word in (*counter, *key))
        assert tuple(int(x) for x in kernels._philox4x32(*words)) == expected
    # the numbers of persons 0 and 1 under key 0 in week 0, draw 0 (counter 0): the first
    # vector's words 0-1 and 2-3, each pair's top 53 bits over 2^53
    u = np.empty(2)
    kernels.philox_uniforms(np.uint32(0), np.uint32(0), 0, 0, u)
    assert u[0] == ((0x6627E8D5 << 32 | 0xE169C58D) >> 11) / 2**53
    assert u[1] == ((0xBC57AC4C << 32 | 0x9B00DBD8) >> 11) / 2**53


# ----------------------------------------------------------------------------- common random numbers


@pytest.mark.parametrize(
    "lever, untouched",
    [
        (("release", {"electronic_monitoring": 0.0}, {"electronic_monitoring": 1.0}), "comparison"),
        (
            ("release", {"licence_years_comparison": 0.5}, {"licence_years_comparison": 3.0}),
            "extremist",
        ),
    ],
    ids=["monitoring_leaves_comparison", "comparison_licence_leaves_extremist"],
)
def test_lever_leaves_unreachable_cohort_identical(sim, lever, untouched):
    """A lever acting on one cohort changes nobody in the other when the cohorts cannot meet,
    while it does change the cohort it acts on."""
    group, low, high = lever
    a = sim.run(sim.scenario(300, 300, weeks=260, **_with(ISOLATED, group, low))).model
    b = sim.run(sim.scenario(300, 300, weeks=260, **_with(ISOLATED, group, high))).model
    for model in (a, b):
        caseloads = model.recorder.values[
            :, [model.recorder._index[f"waiting_{k.value}", "all"] for k in model.caseloads]
        ]
        assert np.nansum(caseloads) == 0, "a caseload bound: the cohorts could interact"
    ta, tb = _table(a), _table(b)
    differ = _differing_rows(ta, tb)
    in_untouched = (ta.cohort == untouched).to_numpy()
    assert not differ[in_untouched].any(), (
        f"{int(differ[in_untouched].sum())} {untouched} people changed: "
        f"{ta[in_untouched & differ.to_numpy()].head()}"
    )
    assert differ[~in_untouched].mean() > 0.3, "the lever should change the cohort it acts on"


def test_shared_wings_let_a_lever_reach_the_other_cohort(sim):
    """Control for the test above: under dispersal the cohorts share wings, so monitoring the
    extremist cohort (more recalls back onto the wings) does reach comparison prisoners."""
    dispersal = _with(ISOLATED, "prison", {"regime": "dispersal"})
    a = sim.run(
        sim.scenario(
            300, 300, weeks=260, **_with(dispersal, "release", {"electronic_monitoring": 0.0})
        )
    )
    b = sim.run(
        sim.scenario(
            300, 300, weeks=260, **_with(dispersal, "release", {"electronic_monitoring": 1.0})
        )
    )
    ta, tb = _table(a.model), _table(b.model)
    comparison = (ta.cohort == "comparison").to_numpy()
    assert _differing_rows(ta, tb)[comparison].any()


def _first_release(model: ReintegrationModel) -> int:
    return int(model.people.release_week.min())


def _a_year_after_first_extremist_release(model: ReintegrationModel) -> int:
    ext = model.people.cohort == Cohort.EXTREMIST
    return int(model.people.release_week[ext].min()) + 52


@pytest.mark.parametrize(
    "group, low, high, earliest, ignore",
    [
        ("release", {"continuity": 0.0}, {"continuity": 1.0}, _first_release, ()),
        ("recruiters", {"gate_presence": 0.0}, {"gate_presence": 0.5}, _first_release, ()),
        ("release", {"family_pickup": 0.3}, {"family_pickup": 0.9}, _first_release, ()),
        (
            "agencies",
            {"exit_support_years": 1.0},
            {"exit_support_years": 3.0},
            _a_year_after_first_extremist_release,
            (),
        ),
        (
            "release",
            {"licence_years_extremist": 1.0},
            {"licence_years_extremist": 3.0},
            _a_year_after_first_extremist_release,
            ("licence_end",),  # the end date is set at release; it acts when it arrives
        ),
    ],
    ids=["continuity", "gate_presence", "family_pickup", "exit_support", "licence_length"],
)
def test_lever_changes_nothing_before_it_can_act(sim, group, low, high, earliest, ignore):
    """Everyone stays identical until the earliest week the lever can act (baseline
    interactions left on); a lever acting at the gate first changes only people released
    that week."""
    ma = ReintegrationModel(sim.scenario(300, 300, weeks=160, **{group: low}), build_graph=False)
    mb = ReintegrationModel(sim.scenario(300, 300, weeks=160, **{group: high}), build_graph=False)
    first_possible = earliest(ma)
    while ma.running:
        ma.step()
        mb.step()
        differ = _differing_people(ma, mb, ignore)
        if not differ.any():
            continue
        assert ma.week >= first_possible, (
            f"{int(differ.sum())} people differ in week {ma.week}, before the lever can act "
            f"(week {first_possible})"
        )
        if earliest is _first_release:
            released_now = ma.people.last_release_week == ma.week
            assert released_now[differ].all(), f"week {ma.week}: people not released differ"
        return
    pytest.fail("the lever never changed anybody")


def test_lever_reaches_each_person_only_from_their_release(sim):
    """When nobody can influence anybody (separate wings, no peer influence in custody, no
    recruiters, no binding caseloads), electronic monitoring leaves each person's state
    identical up to the week of their own first release, and never touches the comparison
    cohort."""
    base = _with(SEPARABLE, "release", {"electronic_monitoring": 0.0})
    policy = _with(SEPARABLE, "release", {"electronic_monitoring": 1.0})
    ma = ReintegrationModel(sim.scenario(300, 300, weeks=200, **base), build_graph=False)
    mb = ReintegrationModel(sim.scenario(300, 300, weeks=200, **policy), build_graph=False)
    ext = ma.people.cohort == Cohort.EXTREMIST
    ever_differed = np.zeros(ma.people.n, bool)
    while ma.running:
        ma.step()
        mb.step()
        differ = _differing_people(ma, mb)
        first = ma.people.first_release_week
        reachable = ext & (first >= 0) & (first <= ma.week)
        assert not (differ & ~reachable).any(), (
            f"week {ma.week}: {np.flatnonzero(differ & ~reachable)[:10]} differ before their "
            "release or outside the extremist cohort"
        )
        ever_differed |= differ
    assert ever_differed[ext].mean() > 0.5


def test_womens_lever_leaves_every_man_identical(sim):
    """Gender-specific pathways serve women only: when nobody can influence anybody, every man
    ends the run exactly as without the lever, while most women released change."""
    women = {"population": {"female_share_extremist": 0.3, "female_share_comparison": 0.3}}
    setting = {**SEPARABLE, **women}
    base = sim.scenario(300, 300, weeks=260, **setting)
    policy = base.with_interventions({"women_centred_support": {}})
    a, b = sim.run(base).model, sim.run(policy).model
    ta, tb = _table(a), _table(b)
    differ = _differing_rows(ta, tb).to_numpy()
    female = ta.female.to_numpy()
    assert not differ[~female].any(), f"{int(differ[~female].sum())} men changed"
    released = female & (ta.first_release_week >= 0).to_numpy()
    assert differ[released].mean() > 0.8, "the lever should change the women it serves"


def test_with_interactions_a_womens_lever_reaches_some_men(sim):
    """Control for the test above: where people share wings, caseloads, recruiters and peer
    ties, what the lever does for women reaches some men too."""
    women = {"population": {"female_share_extremist": 0.3, "female_share_comparison": 0.3}}
    base = sim.scenario(300, 300, weeks=260, **women)
    policy = base.with_interventions({"women_centred_support": {}})
    ta, tb = _table(sim.run(base).model), _table(sim.run(policy).model)
    assert _differing_rows(ta, tb).to_numpy()[~ta.female.to_numpy()].any()
