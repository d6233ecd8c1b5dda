"""Priors: every assumption has a distribution, drawn reproducibly by a quasi-random design."""

from __future__ import annotations

import numpy as np
import pytest

from reintegration_sim.interventions import REGISTRY
from reintegration_sim.keys import all_keys
from reintegration_sim.priors import (
    PriorError,
    draw,
    is_effect_field,
    neutral_value,
    prior_of,
    priors,
    resolve_vary,
)

U = np.linspace(0.0005, 0.9995, 2001)


def test_every_assumption_in_the_register_has_a_prior_and_published_figures_are_fixed():
    for key, info in all_keys().items():
        if info.kind != "parameter" or not info.numeric or info.unit == "persons":
            continue
        source = info.source.lower()
        uncertain = "assumption" in source or source.startswith("calibrated")
        assert (prior_of(key) is not None) == uncertain, key
        # a user may still name a published figure: it is then drawn on its plausible range
        assert prior_of(key, on_request=True) is not None, key


@pytest.mark.parametrize("key", sorted(priors()))
def test_a_prior_stays_within_its_range_and_centres_on_the_default(key):
    prior = priors()[key]
    info = all_keys()[key]
    values = prior.ppf(U)
    assert np.all(np.diff(values) >= 0), "the inverse CDF must not decrease"
    assert values.min() >= prior.low - 1e-12 and values.max() <= prior.high + 1e-12
    if info.kind == "parameter" and prior.family != "log-normal":
        low, high = (float(v) for v in info.plausible)
        assert low - 1e-12 <= values.min() and values.max() <= high + 1e-12
    if prior.family == "log-normal":
        assert prior.ppf(np.array([0.5]))[0] == pytest.approx(float(info.default), rel=0.05)
    elif prior.high > prior.low and not prior.integer:
        # the density peaks at the default: the densest stretch of the inverse CDF is there
        gaps = np.diff(values)
        assert abs(values[np.argmin(gaps[5:-5]) + 5] - prior.mode) <= 0.15 * (
            prior.high - prior.low
        )


def test_levers_without_outcome_evidence_include_no_effect_and_evidence_levers_do_not():
    seen = {"assumption": 0, "evidence": 0}
    for key, prior in priors().items():
        if not key.startswith("interventions."):
            continue
        _, lever, field = key.split(".")
        assert is_effect_field(field), key
        info = all_keys()[key]
        neutral = neutral_value(info)
        if float(info.default) == neutral:
            continue
        if "EVIDENCE 4" in REGISTRY[lever].evidence:
            seen["evidence"] += 1
            assert not prior.low <= neutral <= prior.high, key
        else:
            seen["assumption"] += 1
            assert prior.low <= neutral <= prior.high, key
    assert seen["assumption"] >= 10 and seen["evidence"] >= 2, seen


def test_delivery_and_policy_settings_are_never_drawn_unless_named():
    assert prior_of("interventions.mentors.coverage") is None
    assert prior_of("interventions.mentors.start_week") is None
    assert prior_of("population.n_extremist") is None
    assert prior_of("interventions.mentors.coverage", on_request=True) is not None


def test_draws_are_reproducible_fill_the_space_and_follow_the_priors():
    keys = ["recruiters.approach_success", "offending.hr_no_housing", "release.continuity"]
    u1, v1 = draw(keys, 256, seed=7)
    u2, v2 = draw(keys, 256, seed=7)
    _, v3 = draw(keys, 256, seed=8)
    assert np.array_equal(u1, u2)
    assert all(np.array_equal(v1[k], v2[k]) for k in keys)
    assert not np.array_equal(v1[keys[0]], v3[keys[0]])
    # quasi-random: every tenth of each axis holds close to a tenth of the draws
    for j in range(len(keys)):
        counts = np.histogram(u1[:, j], bins=10, range=(0, 1))[0]
        assert counts.min() >= 20 and counts.max() <= 32, counts
    for key in keys:
        prior = prior_of(key)
        assert prior is not None
        assert np.all((v1[key] >= prior.low) & (v1[key] <= prior.high))


def test_vary_takes_keys_groups_levers_and_refuses_unknown_names():
    assert resolve_vary(["offending.terror_hazard"], []) == ["offending.terror_hazard"]
    recruiters = resolve_vary(["recruiters"], [])
    assert recruiters and all(k.startswith("recruiters.") for k in recruiters)
    mentors = resolve_vary(["interventions.mentors"], [])
    assert mentors and all(k.startswith("interventions.mentors.") for k in mentors)
    assert resolve_vary(["levers"], ["mentors"]) == mentors
    default = resolve_vary(None, ["mentors"])
    assert set(mentors) <= set(default)
    assert not any(k.startswith("interventions.education.") for k in default)
    with pytest.raises(PriorError, match="did you mean 'offending.terror_hazard'"):
        resolve_vary(["offending.teror_hazard"], [])
    with pytest.raises(PriorError, match="not a number"):
        resolve_vary(["prison.regime"], [])
    with pytest.raises(PriorError, match="at least 1"):
        draw(["offending.terror_hazard"], 0, seed=1)
