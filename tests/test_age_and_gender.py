"""Age as a continuous maturation curve in both pathways, and gender where evidence supports it.

Age lowers ordinary offending (``offending._age_ratio``), the terrorism hazard
(``offending.terror_age_ratio``: Hasisi et al. 2020; Altier, Boyle & Horgan 2021), the openness of
belief to change (``behaviour.openness_age_ratio``: Krosnick & Alwin 1989) and the openness to
recruiters (``recruiters.age_vulnerability_ratio``, an assumption). Women's hazard of a proven
reoffence is ``offending.hr_female`` that of men (Langan & Levin 2002). The gender-specific lever
``women_centred_support`` works through family ties, trust, hope and housing, for women only.
"""

from __future__ import annotations

import numpy as np
import pytest

from reintegration_sim.model import ReintegrationModel, submodels
from reintegration_sim.model.agents import Cohort, Phase
from reintegration_sim.parameters import Parameters

# ----------------------------------------------------------------------------- helpers


def _alike_on_licence(sim, **groups) -> ReintegrationModel:
    """A model whose people are all on licence with the same state, to read the hazards."""
    m = ReintegrationModel(sim.scenario(100, 100, weeks=10, **groups), build_graph=False)
    p = m.people
    p.phase[:] = Phase.LICENCE
    same = {
        "ideology": 0.5,
        "group_ties": 0.5,
        "hope": 0.3,
        "trust": 0.2,
        "family_ties": 0.4,
        "frailty": 1.0,
        "age": 35.0,
    }
    for name, value in same.items():
        getattr(p, name)[:] = value
    p.prior_record[:] = True
    p.housed[:] = True
    p.working[:] = False
    p.female[:] = False
    p.mental_health[:] = 0
    return m


def _hazards(m: ReintegrationModel) -> tuple[np.ndarray, np.ndarray]:
    p_any, p_terror = submodels.offending_hazards(m)
    return -np.log1p(-p_any), -np.log1p(-p_terror)


def _expected_terror(sim, scenario, replication: int) -> dict[str, float]:
    """Run a replication and sum each week's terrorism hazard of the extremist cohort (the
    expected number of terrorism offences: smooth where the offences themselves are rare),
    with the share of recruiters' approaches in prison that succeed and the mean absolute
    change of belief of the extremist cohort over the run."""
    m = ReintegrationModel(scenario, replication=replication, build_graph=False)
    ext = m.people.cohort == Cohort.EXTREMIST
    start = m.people.ideology.copy()
    expected = 0.0
    while m.running:
        m.step()
        expected += float(submodels.offending_hazards(m)[1][ext].sum())
    tally = m.tally
    return {
        "terror": expected,
        "recruited": tally["recruiter_successes"] / max(tally["recruiter_approaches"], 1),
        "belief_change": float(np.abs(m.people.ideology - start)[ext].mean()),
    }


# ----------------------------------------------------------------------------- age


def test_the_young_have_higher_hazards_in_both_pathways(sim):
    """Two people alike but for age: the 20-year-old's terrorism hazard is
    terror_age_ratio ** 3 that of the 50-year-old, and the ordinary hazard follows the
    piecewise age curve; with the ratio 1 age does not act on terrorism at all."""
    m = _alike_on_licence(sim)
    p, off = m.people, m.params.offending
    p.age[::2], p.age[1::2] = 20.0, 50.0
    h_any, h_terror = _hazards(m)
    ext = np.flatnonzero(p.cohort == Cohort.EXTREMIST)
    young, old = ext[0], ext[1]
    assert h_terror[young] / h_terror[old] == pytest.approx(off.terror_age_ratio**3)
    assert h_terror[young] > h_terror[old]
    assert h_any[young] / h_any[old] == pytest.approx(off.hr_young / (1 - (1 - off.hr_old) / 3))

    flat = _alike_on_licence(sim, offending={"terror_age_ratio": 1.0})
    flat.people.age[::2], flat.people.age[1::2] = 20.0, 50.0
    assert _hazards(flat)[1][young] == _hazards(flat)[1][old]


def test_the_young_are_more_open_to_recruiters():
    """Of two people approached alike, the younger is recruited more often: at ages 20 and 45
    the success chances stand as age_vulnerability_ratio ** 2.5 (same random numbers)."""
    ratio = Parameters().recruiters.age_vulnerability_ratio
    assert ratio > 1
    rec_success = Parameters().recruiters.approach_success
    u = np.random.default_rng(7).random(20_000)
    age = np.where(np.arange(u.size) % 2 == 0, 20.0, 45.0)
    chance = rec_success * 0.8 * submodels._maturation(age, ratio)
    young, old = (u < chance)[age == 20].mean(), (u < chance)[age == 45].mean()
    assert young / old == pytest.approx(ratio**2.5, rel=0.1)


def test_a_younger_population_is_riskier_and_more_open_to_change(sim):
    """Paired on common random numbers, a population five years younger at the start
    (population.age_mean 26 against 36; the same people otherwise) has a higher expected number
    of terrorism offences, more of recruiters' approaches in prison succeed, belief moves more
    over the run, and the comparison cohort reoffends more within a year of release."""
    old = sim.scenario(400, 400, weeks=260, population={"age_mean": 36.0})
    young = sim.scenario(400, 400, weeks=260, population={"age_mean": 26.0})
    diffs: dict[str, list[float]] = {}
    for r in range(5):
        a, b = _expected_terror(sim, old, r), _expected_terror(sim, young, r)
        for key in a:
            diffs.setdefault(key, []).append(b[key] - a[key])
    sim.assert_effect(np.array(diffs["terror"]), "up", "expected terrorism offences")
    sim.assert_effect(np.array(diffs["recruited"]), "up", "recruiters' success in prison")
    sim.assert_effect(np.array(diffs["belief_change"]), "up", "mean absolute belief change")

    def reoffended_within_a_year(run) -> float:
        p = run.people
        keep = (p.cohort == Cohort.COMPARISON) & (p.first_release_week >= 0)
        keep &= p.first_release_week + 52 <= run.model.week
        weeks = p.reoffence_week[keep] - p.first_release_week[keep]
        return float(((p.reoffence_week[keep] >= 0) & (weeks < 52)).mean())

    d = sim.paired(old, young, reoffended_within_a_year, 5)
    sim.assert_effect(d, "up", "comparison cohort's reoffending within a year")


def test_without_age_ratios_age_leaves_the_radicalisation_pathway_alone(sim):
    """Control for the test above: with the three ratios at 1 (and nobody dying, which age
    would change), the ages of the extremist cohort do not change how far their belief moves
    before their first release."""
    flat = {
        "offending": {"terror_age_ratio": 1.0, "mortality_30": 0.0},
        "behaviour": {"openness_age_ratio": 1.0},
        "recruiters": {"age_vulnerability_ratio": 1.0},
    }
    m = ReintegrationModel(sim.scenario(300, 0, weeks=30, **flat), build_graph=False)
    twin = ReintegrationModel(
        sim.scenario(300, 0, weeks=30, population={"age_mean": 26.0}, **flat), build_graph=False
    )
    while m.running:
        m.step()
        twin.step()
    inside = (m.people.first_release_week < 0) & (twin.people.first_release_week < 0)
    np.testing.assert_array_equal(m.people.ideology[inside], twin.people.ideology[inside])


# ----------------------------------------------------------------------------- gender


def test_women_have_the_lower_hazard_of_released_prisoner_statistics(sim):
    m = _alike_on_licence(sim)
    p, off = m.people, m.params.offending
    p.female[::2] = True
    h_any, h_terror = _hazards(m)
    assert h_any[0] / h_any[1] == pytest.approx(off.hr_female)
    assert off.hr_female < 1
    assert h_terror[0] == h_terror[1]  # no figures for terrorism offences: no term for sex


WOMEN_HALF = {"female_share_extremist": 0.5, "female_share_comparison": 0.5}


def test_women_centred_support_builds_ties_trust_and_housing_for_women(sim):
    """Women served rebuild family ties, trust and hope and find housing sooner; men are
    never served [Key takeaways; Social support]."""
    base = sim.scenario(300, 300, weeks=208, population=WOMEN_HALF)
    policy = base.with_interventions({"women_centred_support": {}})
    track = ["family_ties", "trust", "hope", "housed"]

    def among_women(name: str):
        def metric(run) -> float:
            values = run.after_release[name][run.people.female]
            assert np.isfinite(values).sum() >= 50
            return float(np.nanmean(values))

        return metric

    metrics = {name: among_women(name) for name in track}
    diffs = sim.paired(base, policy, metrics, 5, track=track, weeks_after=26)
    for name in track:
        sim.assert_effect(diffs[name], "up", f"women's {name} 26 weeks after release")


@pytest.mark.slow
def test_women_centred_support_lowers_womens_reoffending(sim):
    """Through those mechanisms only, women reoffend less in the first year after release,
    by a few points (Justice Data Lab 2015: 1-9 points for women's centres)."""
    base = sim.scenario(1000, 1000, weeks=260, population=WOMEN_HALF)
    policy = base.with_interventions({"women_centred_support": {}})

    def women_within_a_year(run) -> float:
        p = run.people
        keep = p.female & (p.first_release_week >= 0)
        keep &= p.first_release_week + 52 <= run.model.week
        weeks = p.reoffence_week[keep] - p.first_release_week[keep]
        return float(((p.reoffence_week[keep] >= 0) & (weeks < 52)).mean())

    d = sim.paired(base, policy, women_within_a_year, 6)
    sim.assert_effect(d, "down", "women's reoffending within a year of release")
    assert -0.09 < d.mean() < 0, f"{100 * d.mean():.1f} points, outside the 1-9 of evaluations"


def test_the_week_s_maturation_curves_follow_the_ages(sim):
    """The openness of belief by age, a curve of everyone's age, is made once a week and shared
    by the two rules that read it (influence in custody, drift): after every week the stored
    curve is the curve of this week's ages (a curve kept from last week would differ, since
    everyone alive aged a week), and the rules' results are those of curves made afresh. The
    recruiters' age curve (another ratio here) is made for those approached only, never
    stored."""
    scenario = sim.scenario(150, 150, weeks=13).with_parameters(
        {"recruiters": {"age_vulnerability_ratio": 1.6}}
    )
    m = ReintegrationModel(scenario, build_graph=False)
    beh = m.params.behaviour
    assert beh.openness_age_ratio != 1.6
    for _ in range(12):
        m.step()
        assert set(m.maturation) == {beh.openness_age_ratio}
        for ratio, curve in m.maturation.items():
            np.testing.assert_array_equal(curve, submodels._maturation(m.people.age, ratio))
    last = m.maturation[beh.openness_age_ratio]
    m.step()
    assert not np.array_equal(m.maturation[beh.openness_age_ratio], last)
