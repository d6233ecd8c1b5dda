"""Refusal of purposeful activity on separation wings (HM Inspectorate of Prisons 2022: almost
all prisoners in England's separation centres refused purposeful activity and offending
behaviour work): a state that programmes must overcome before they can work."""

from __future__ import annotations

import numpy as np

from reintegration_sim.model import ReintegrationModel
from reintegration_sim.model.agents import Cohort


def _separation(sim, weeks=104, **prison):
    # long sentences, so the extremist cohort stays on its wings for the whole run
    return sim.scenario(
        300,
        100,
        weeks=weeks,
        prison={"regime": "separation", **prison},
        population={"sentence_years_extremist": 20.0},
    )


def _mean_extremist_ideology(run) -> float:
    p = run.people
    return float(p.ideology[p.cohort == Cohort.EXTREMIST].mean())


def test_most_people_held_in_separation_come_to_refuse_activity(sim):
    """After a year on separation wings, most of those held there refuse (the pattern the
    inspectorate found; the weekly rate is an assumption)."""
    model = ReintegrationModel(_separation(sim, weeks=52), replication=0, build_graph=False)
    model.run()
    p = model.people
    held = p.in_custody() & p.separated
    assert held.sum() > 200
    share = p.refusing[held].mean()
    print(f"refusing after a year on separation wings: {share:.2f}")
    assert share > 0.5
    assert not p.refusing[~held].any()  # only those on a separation wing refuse


def test_refusal_keeps_programmes_from_lowering_belief(sim):
    """Paired seeds: with refusal, exit work and counsel reach fewer people, so belief falls
    less on the wings than where nobody refuses."""
    diffs = sim.paired(
        _separation(sim, refusal_onset=0.0),
        _separation(sim),
        _mean_extremist_ideology,
        n_reps=4,
    )
    sim.assert_effect(diffs, "up", "mean extremist ideology with refusal vs none")


def test_trusted_practitioners_bring_people_back(sim):
    """Paired seeds: the higher the chance a trusted practitioner overcomes refusal, the fewer
    refuse at the end."""

    def refusing(run) -> float:
        p = run.people
        return float(p.refusing[p.separated].mean())

    diffs = sim.paired(
        _separation(sim, refusal_overcome=0.0),
        _separation(sim, refusal_overcome=0.1),
        refusing,
        n_reps=3,
    )
    sim.assert_effect(diffs, "down", "share refusing with practitioners overcoming it")


def test_without_separation_nobody_refuses_and_the_rule_changes_nothing(sim):
    """Dispersal: the refusal rule draws nothing and moves nothing, whatever its rates."""
    base = sim.scenario(100, 100, weeks=52)
    changed = sim.scenario(100, 100, weeks=52, prison={"refusal_onset": 0.5})
    a, b = sim.run(base), sim.run(changed)
    assert not a.people.refusing.any() and not b.people.refusing.any()
    for name, values in a.people.arrays().items():
        np.testing.assert_array_equal(values, getattr(b.people, name), err_msg=name)
