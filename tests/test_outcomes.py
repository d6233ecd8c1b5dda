"""The fast recorder gives the indicator values their reference definition
(``outcomes._cohort_values``, one boolean mask per cohort) gives: counts exactly, means to
rounding (the recorder adds in person order, numpy pairwise)."""

from __future__ import annotations

import numpy as np
import pytest

from reintegration_sim.model import ReintegrationModel
from reintegration_sim.model.agents import Cohort
from reintegration_sim.model.outcomes import _cohort_values
from reintegration_sim.scenario import Scenario


def test_recorder_matches_the_reference_definitions():
    scenario = (
        Scenario(name="rec", description="x")
        .with_parameters({"population": {"n_extremist": 200, "n_comparison": 150}})
        .with_horizon(120)
    )
    model = ReintegrationModel(scenario, 0, build_graph=False)
    p = model.people
    masks = {
        "all": np.ones(p.n, bool),
        "extremist": p.cohort == Cohort.EXTREMIST,
        "comparison": p.cohort == Cohort.COMPARISON,
    }
    rec = model.recorder
    for _ in range(120):
        model.step()
        row = rec.values[model.week]
        for cohort, mask in masks.items():
            for key, value in _cohort_values(model, mask).items():
                recorded = row[rec.columns.index((key, cohort))]
                assert np.isnan(recorded) == np.isnan(value), (model.week, key, cohort)
                assert recorded == pytest.approx(value, rel=1e-12, nan_ok=True), (
                    model.week,
                    key,
                    cohort,
                )


def test_detected_reengagement_is_part_of_true_reengagement():
    """Agencies can only document engagement that happened: everyone with documented
    re-engagement was truly engaged that week or before, and more people were truly engaged
    than documented when detection is imperfect."""
    scenario = (
        Scenario(name="eng", description="x")
        .with_parameters(
            {
                "population": {"n_extremist": 600, "n_comparison": 0},
                "recruiters": {"gate_presence": 0.5, "community_per_1000": 20.0},
            }
        )
        .with_horizon(260)
    )
    p = ReintegrationModel(scenario, 0, build_graph=False).run().people
    documented = p.reengagement_week >= 0
    engaged = p.engaged_week >= 0
    assert documented.sum() >= 5
    assert np.all(engaged[documented])
    assert np.all(p.engaged_week[documented] <= p.reengagement_week[documented])
    assert engaged.sum() > documented.sum()
