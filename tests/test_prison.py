"""A realistic prison: the followed cohorts live among background ordinary prisoners, so that
terrorism convicts are ``prison.terrorism_share`` of the ordinary wings whatever the cohort
sizes; cohort sizes then set precision, not structure."""

from __future__ import annotations

import numpy as np
import pytest

from reintegration_sim.model import ReintegrationModel
from reintegration_sim.model.agents import Cohort
from reintegration_sim.model.network import assign_wings
from reintegration_sim.parameters import Parameters


def _wings(n_ext: int, n_comp: int, **prison):
    params = Parameters().override(
        {"population": {"n_extremist": n_ext, "n_comparison": n_comp}, "prison": prison}
    )
    cohort = np.repeat([Cohort.EXTREMIST, Cohort.COMPARISON], [n_ext, n_comp])
    rng = np.random.default_rng(1)
    return assign_wings(cohort, rng.random(cohort.size), rng.random(cohort.size), params), cohort


@pytest.mark.parametrize("share", [0.005, 0.01, 0.05])
@pytest.mark.parametrize("n_ext, n_comp", [(1000, 1000), (400, 3600), (2000, 200)])
def test_extremists_are_the_set_share_of_the_ordinary_wings(share, n_ext, n_comp):
    """Whatever the sizes of the followed cohorts (the old prison was half extremists with
    1,000 + 1,000 and a tenth with 400 + 3,600)."""
    (wing, separated, n_wings, background), cohort = _wings(n_ext, n_comp, terrorism_share=share)
    followed = np.bincount(wing, minlength=n_wings)
    extremists = np.bincount(wing[cohort == Cohort.EXTREMIST], minlength=n_wings)
    population = followed + background
    assert not separated.any()
    assert extremists.sum() / population.sum() == pytest.approx(share, rel=0.02)
    # every wing is full and holds at most a few extremists
    per_wing = round(Parameters().prison.wing_size * Parameters().prison.overcrowding)
    assert (population == per_wing).all()
    assert extremists.max() <= 8  # spread at random: a few per wing at most


def test_separation_wings_hold_no_background_prisoners():
    (wing, separated, n_wings, background), _ = _wings(300, 300, regime="separation")
    assert separated.sum() == 300
    assert (background[np.unique(wing[separated])] == 0).all()
    assert background[np.unique(wing[~separated])].sum() > 0


def test_a_share_of_one_fills_the_wings_with_the_followed_people_only():
    (wing, _, n_wings, background), _ = _wings(500, 500, terrorism_share=1.0)
    per_wing = round(60 * 1.1)
    assert n_wings == int(np.ceil(1000 / per_wing))
    assert background.sum() == n_wings * per_wing - 1000 < per_wing  # the last wing's room


def _extremist_outcomes(sim, n: int, reps: int, n_comparison: int | None = None) -> np.ndarray:
    """Per replication: the extremist cohort's mean end ideology and deradicalised share."""
    scenario = sim.scenario(n, n if n_comparison is None else n_comparison, weeks=260)
    out = []
    for r in range(reps):
        model = sim.run(scenario, r).model
        ext = model.people.cohort == Cohort.EXTREMIST
        beh = model.params.behaviour
        ideology = model.people.ideology[ext]
        out.append((ideology.mean(), (ideology < beh.deradicalised_threshold).mean()))
    return np.asarray(out)


def test_doubling_the_followed_cohorts_with_the_prison_fixed_leaves_rates_unchanged(sim):
    """With the prison's make-up held (same terrorism share), doubling both cohorts changes
    the precision of the extremist cohort's outcomes, not their level: the difference of the
    means is within three standard errors."""
    small, large = _extremist_outcomes(sim, 300, 6), _extremist_outcomes(sim, 600, 6)
    diff = large.mean(axis=0) - small.mean(axis=0)
    se = np.sqrt(small.var(axis=0, ddof=1) / 6 + large.var(axis=0, ddof=1) / 6)
    assert (np.abs(diff) <= 3 * se + 1e-3).all(), (diff, se)


def test_the_cohort_mix_leaves_the_extremist_cohorts_rates_unchanged(sim):
    """Agencies that serve the extremist cohort only are staffed for its size, so following
    nine ordinary offenders for each extremist instead of one changes the extremist cohort's
    outcomes only within noise (before, 400 + 3,600 gave each extremist five times the exit
    work of 1,000 + 1,000: deradicalised 93 against 45 per 100)."""
    even, skewed = _extremist_outcomes(sim, 300, 6), _extremist_outcomes(sim, 300, 6, 2700)
    diff = skewed.mean(axis=0) - even.mean(axis=0)
    se = np.sqrt(even.var(axis=0, ddof=1) / 6 + skewed.var(axis=0, ddof=1) / 6)
    assert (np.abs(diff) <= 3 * se + 1e-3).all(), (diff, se)


def test_ordinary_offenders_hardly_radicalise_in_the_baseline_prison(sim):
    """Over ten years in the baseline (dispersal among background prisoners, recruiters
    active), the comparison cohort's belief stays near where it started."""
    scenario = sim.scenario(300, 300, weeks=520)
    model = ReintegrationModel(scenario, replication=0, build_graph=False).run()
    comparison = model.people.cohort == Cohort.COMPARISON
    ideology = model.people.ideology[comparison]
    assert ideology.mean() < 0.07
    assert (ideology > 0.3).mean() < 0.02


@pytest.mark.parametrize("seed", range(5))
def test_peer_ties_are_the_distinct_pairs_in_increasing_order(seed):
    """The sorted-and-masked pairs of network.peer_edges are exactly np.unique's."""
    from reintegration_sim.model.network import peer_edges

    rng = np.random.default_rng(seed)
    community = rng.integers(0, 7, 3000).astype(np.int32)
    src, dst = peer_edges(community, 5.0, np.random.default_rng(seed + 100))
    n = community.size
    codes = src * n + dst
    assert np.array_equal(codes, np.unique(codes))  # distinct and increasing
    assert np.all(src < dst) and np.all(community[src] == community[dst])
    assert abs(src.size - n * 5.0 / 2) < 0.05 * n * 5.0 / 2  # few duplicates at this density


@pytest.mark.parametrize("regime", ["dispersal", "separation", "mixed"])
def test_women_and_men_never_share_a_wing(regime):
    """Women are held apart from men (structure), on wings of each kind of their own, and the
    terrorism convicts among them are the set share of their ordinary wings too."""
    params = Parameters().override(
        {"population": {"n_extremist": 600, "n_comparison": 1400}, "prison": {"regime": regime}}
    )
    cohort = np.repeat([Cohort.EXTREMIST, Cohort.COMPARISON], [600, 1400])
    rng = np.random.default_rng(3)
    female = rng.random(cohort.size) < 0.1
    wing, separated, n_wings, background = assign_wings(
        cohort, rng.random(cohort.size), rng.random(cohort.size), params, female
    )
    women = np.bincount(wing[female], minlength=n_wings)
    men = np.bincount(wing[~female], minlength=n_wings)
    assert not ((women > 0) & (men > 0)).any()
    assert (women > 0).any() and (men > 0).any()
    dispersed = ~separated & female
    ordinary = np.unique(wing[dispersed])
    ext_women = np.count_nonzero(dispersed & (cohort == Cohort.EXTREMIST))
    if ext_women:
        held = women[ordinary].sum() + background[ordinary].sum()
        assert ext_women / held == pytest.approx(params.prison.terrorism_share, rel=0.1)
    # with no women, exactly the assignment without the split
    ideology, order = rng.random(cohort.size), rng.random(cohort.size)
    nobody = assign_wings(cohort, ideology, order, params, np.zeros(cohort.size, bool))
    unsplit = assign_wings(cohort, ideology, order, params)
    for a, b in zip(nobody, unsplit, strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_model_holds_its_women_on_womens_wings(sim):
    model = ReintegrationModel(sim.scenario(300, 300, weeks=1), replication=0, build_graph=False)
    p = model.people
    shared = np.intersect1d(p.wing[p.female], p.wing[~p.female])
    assert p.female.any() and shared.size == 0
