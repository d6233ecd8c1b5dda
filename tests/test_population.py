"""People as connected wholes: starting attributes drawn from a shared background of
disadvantage (a Gaussian copula) correlate as the register's loadings say, while each keeps the
share or distribution of EVIDENCE.md section 2 that the register gives it."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from scipy import stats
from scipy.special import ndtri

from reintegration_sim.model.agents import Cohort
from reintegration_sim.model.population import (
    BACKGROUND_ATTRIBUTES,
    background_scores,
    make_people,
)
from reintegration_sim.parameters import Parameters

#: people per cohort: enough that a share is known to about +-0.3 points (structure of the test)
N = 40_000
INDEPENDENT = {f"disadvantage_{name}": 0.0 for name in BACKGROUND_ATTRIBUTES}


@functools.cache
def _draw(seed: int, population: tuple[tuple[str, float], ...]):
    params = Parameters().override(
        {"population": {"n_extremist": N, "n_comparison": N, **dict(population)}}
    )
    return make_people(params, np.random.default_rng(seed)), params.population


def _people(seed: int = 1, **population: float):
    """A large population drawn once per seed and settings (the draws are only read)."""
    return _draw(seed, tuple(sorted(population.items())))


def _attributes(people, cohort: Cohort) -> dict[str, np.ndarray]:
    """The attributes on their disadvantaged side, for one cohort."""
    sel = people.cohort == cohort
    return {
        "prior_record": people.prior_record[sel],
        "no_housing": ~people.housed[sel],
        "no_work": ~people.working[sel],
        "mental_health": people.mental_health[sel] > 0,
        "propensity": people.frailty[sel],
        "youth": -people.age[sel],
        "weak_family_ties": -people.family_ties[sel],
        "group_ties": people.group_ties[sel],
        "ideology": people.ideology[sel],
    }


def _expected_joint(p_a: float, p_b: float, rho: float) -> float:
    """P(A and B) when A and B are the upper tails (shares p_a, p_b) of two standard normal
    scores with correlation rho: the bivariate normal at the two thresholds."""
    dist = stats.multivariate_normal(mean=[0.0, 0.0], cov=[[1.0, rho], [rho, 1.0]])
    return float(dist.cdf([ndtri(p_a), ndtri(p_b)]))  # P(-Z_a < t_a, -Z_b < t_b), symmetric


def test_background_scores_are_standard_normal_and_correlate_as_the_product_of_loadings():
    pop = Parameters().population
    background, z = background_scores(pop, np.random.default_rng(3), 200_000)
    assert set(z) == set(BACKGROUND_ATTRIBUTES)
    for name, score in z.items():
        load = getattr(pop, f"disadvantage_{name}")
        assert score.mean() == pytest.approx(0.0, abs=0.01)
        assert score.std() == pytest.approx(1.0, abs=0.01)
        assert np.corrcoef(background, score)[0, 1] == pytest.approx(load, abs=0.01)
    expected = pop.disadvantage_no_housing * pop.disadvantage_prior_record
    observed = np.corrcoef(z["no_housing"], z["prior_record"])[0, 1]
    assert observed == pytest.approx(expected, abs=0.01)


@pytest.mark.parametrize("cohort", [Cohort.EXTREMIST, Cohort.COMPARISON])
def test_shares_and_distributions_stay_where_the_register_puts_them(cohort):
    """The loadings move people, not shares: every share matches the register (4 standard
    errors), and each continuous attribute has the same distribution as when drawn
    independently (two-sample Kolmogorov-Smirnov test on other seeds)."""
    people, pop = _people()
    alone, _ = _people(seed=2, **INDEPENDENT)
    sel = people.cohort == cohort
    ext = cohort == Cohort.EXTREMIST
    shares = {
        "prior_record": (
            people.prior_record[sel],
            pop.prior_record_extremist if ext else pop.prior_record_comparison,
        ),
        "no_housing": (~people.housed[sel], pop.housing_need_at_release),
        "working": (people.working[sel], pop.work_at_release),
        "psychosis": (people.mental_health[sel] == 2, pop.psychosis),
        "depression": (people.mental_health[sel] == 1, pop.depression),
        "female": (
            people.female[sel],
            pop.female_share_extremist if ext else pop.female_share_comparison,
        ),
    }
    for name, (values, share) in shares.items():
        se = np.sqrt(share * (1 - share) / values.size)
        assert abs(values.mean() - share) < 4 * se, f"{name}: {values.mean():.4f} vs {share}"
    ideology_mean = pop.ideology_mean_extremist if ext else pop.ideology_mean_comparison
    assert people.ideology[sel].mean() == pytest.approx(ideology_mean, abs=0.005)
    assert people.frailty[sel].mean() == pytest.approx(1.0, abs=0.03)
    other = alone.cohort == cohort
    for name in ("age", "frailty", "ideology", "group_ties", "family_ties", "hope", "trust"):
        a, b = getattr(people, name)[sel], getattr(alone, name)[other]
        assert stats.ks_2samp(a, b).pvalue > 1e-3, f"{name}: distribution moved"


@pytest.mark.parametrize("cohort", [Cohort.EXTREMIST, Cohort.COMPARISON])
def test_disadvantage_goes_together_as_the_loadings_say(cohort):
    """Within a cohort, two yes/no attributes co-occur as often as the bivariate normal with
    correlation l_a l_b says (0.3 points), more often than independence; continuous attributes
    have the Spearman correlation of a Gaussian copula, (6 / pi) asin(rho / 2); and with all
    loadings 0 they are independent (the control that lets this fail)."""
    people, pop = _people()
    attrs = _attributes(people, cohort)
    loading = {name: getattr(pop, f"disadvantage_{name}") for name in BACKGROUND_ATTRIBUTES}
    pairs = [
        ("prior_record", "no_housing"),
        ("no_housing", "no_work"),
        ("prior_record", "no_work"),
        ("mental_health", "no_housing"),
    ]
    for a, b in pairs:
        p_a, p_b = attrs[a].mean(), attrs[b].mean()
        joint = (attrs[a] & attrs[b]).mean()
        expected = _expected_joint(p_a, p_b, loading[a] * loading[b])
        assert joint == pytest.approx(expected, abs=0.003), f"{a} and {b}"
        assert joint > p_a * p_b + 0.005, f"{a} and {b} should go together"
    for a, b in [("propensity", "youth"), ("propensity", "group_ties")]:
        rho = loading[a] * loading[b]
        expected = 6 / np.pi * np.arcsin(rho / 2)
        assert stats.spearmanr(attrs[a], attrs[b])[0] == pytest.approx(expected, abs=0.015)
    # a record and no housing: more propensity among those who have them
    for flag in ("prior_record", "no_housing", "no_work"):
        gap = attrs["propensity"][attrs[flag]].mean() - attrs["propensity"][~attrs[flag]].mean()
        assert gap > 0.15, f"{flag}: propensity gap {gap:.3f}"

    alone, _ = _people(**INDEPENDENT)
    free = _attributes(alone, cohort)
    for a, b in pairs:
        joint = (free[a] & free[b]).mean()
        assert joint == pytest.approx(free[a].mean() * free[b].mean(), abs=0.003)
    assert abs(stats.spearmanr(free["propensity"], free["youth"])[0]) < 0.015


def test_a_loading_moves_only_its_own_attribute():
    """Each attribute has its own row of draws: changing one loading leaves every other
    attribute of every person as it was."""
    a, _ = _people(seed=5)
    b, _ = _people(seed=5, disadvantage_no_work=0.0)
    assert not np.array_equal(a.working, b.working)
    for name in ("prior_record", "housed", "frailty", "age", "family_ties", "mental_health"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name


def test_the_family_ties_table_is_made_once_per_parameters_and_kept_apart() -> None:
    """The table of the family ties' distribution function is cached per set of parameters:
    a second population with other parameters gets its own table (the one made from scratch),
    the same parameters get the same table again, and nobody can write into a shared table."""
    from reintegration_sim.model import population as pop_module

    small = {"n_extremist": 300, "n_comparison": 300}
    first = Parameters().override({"population": small})
    other = Parameters().override(
        {"population": {**small, "family_ties_mean_visited": 0.35, "never_visited": 0.4}}
    )
    a = make_people(first, np.random.default_rng(5)).family_ties
    b = make_people(other, np.random.default_rng(5)).family_ties
    again = make_people(first, np.random.default_rng(5)).family_ties
    np.testing.assert_array_equal(a, again)
    assert np.mean(b) < np.mean(a)  # fewer ties on average, many more never visited
    keys = (
        "family_ties_mean_never_visited",
        "family_ties_concentration_never_visited",
        "family_ties_mean_visited",
        "family_ties_concentration",
        "never_visited",
    )
    values = [getattr(other.population, key) for key in keys]
    cached = pop_module._family_ties_cdf(*values)
    np.testing.assert_array_equal(cached, pop_module._family_ties_cdf.__wrapped__(*values))
    with pytest.raises(ValueError, match="read-only"):
        cached[0] = 1.0
