"""The synthetic population: per-person state as numpy arrays, and its starting distributions.

Starting distributions follow EVIDENCE.md section 2 where a figure exists (see the parameter
register for each); the rest are stated assumptions. Disadvantage is shared: prior record,
housing, work, family ties, mental health, age, propensity and ties to the group are drawn from a
common background (a Gaussian copula, :func:`background_scores`), so they go together as they do
among released prisoners, while each keeps the share or distribution the register gives it. Synthetic people only: nothing here is, or
may be used as, a score of a real person.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, fields

import numpy as np
from scipy.special import betainc, betaincinv, gammaincinv, ndtr

from ..parameters import Parameters, Population
from .agents import Cohort, Gate, Phase

_TRANSITION, _RELEASE_DAY = int(Phase.TRANSITION), int(Phase.RELEASE_DAY)
_AFTER_LICENCE, _DEAD = int(Phase.AFTER_LICENCE), int(Phase.DEAD)

__all__ = [
    "BACKGROUND_ATTRIBUTES",
    "Communities",
    "People",
    "background_scores",
    "make_communities",
    "make_people",
]

WEEKS_PER_YEAR = 52
NO_EVENT = -1
#: points of the table from which the family-ties quantile is read: steps of 2^-16 in ties
#: (numerical, not a parameter)
_TABLE_POINTS = 2**16 + 1


@dataclass
class People:
    """State of every person, one array row per person (index = ``Person.index``)."""

    # fixed at the start
    cohort: np.ndarray  # int8, Cohort
    female: np.ndarray  # bool
    prior_record: np.ndarray  # bool
    frailty: np.ndarray  # personal propensity to offend, mean 1
    community: np.ndarray  # int32, home community
    mental_health: np.ndarray  # int8: 0 none, 1 major depression, 2 psychosis
    wing: np.ndarray  # int32, prison wing when in custody
    separated: np.ndarray  # bool, held on a separation wing
    cell_order: np.ndarray  # U(0,1), fixed key for deterministic tie-breaking
    # changing state
    age: np.ndarray
    phase: np.ndarray  # int8, Phase
    release_week: np.ndarray  # int32, week of the next scheduled release (-1: none)
    licence_end: np.ndarray  # int32, week the licence ends
    ideology: np.ndarray  # belief, 0-1
    group_ties: np.ndarray  # behaviour: ties to the extremist group, 0-1
    family_ties: np.ndarray  # 0-1
    family_trust: np.ndarray  # family's trust in agencies, 0-1
    trust: np.ndarray  # trust in practitioners, 0-1
    hope: np.ndarray  # 0-1
    stigma_conviction: np.ndarray  # stigma carried from the conviction, fades
    stigma: np.ndarray  # stigma met this week (conviction + prejudice + monitoring), 0-1
    housed: np.ndarray  # bool (in custody: housing to go to)
    working: np.ndarray  # bool, work or education (in custody: arranged for release)
    monitored: np.ndarray  # bool, electronic monitoring or house arrest
    on_recall: np.ndarray  # bool, in custody on recall (the licence resumes at re-release)
    milestones: np.ndarray  # int16 bit set of Milestone
    gate: np.ndarray  # int8, Gate at the last release
    last_approach_week: np.ndarray  # int32, week recruiters last approached them (-1: never)
    disruption_due: np.ndarray  # int32, week security services act on documented engagement
    recruiting: np.ndarray  # bool, released, engaged and recruiting for the group
    group_link: np.ndarray  # bool, recruited in prison: a contact with an active group outside
    refusing: np.ndarray  # bool, on a separation wing and refusing purposeful activity
    key_worker: (
        np.ndarray
    )  # int32, the key practitioner the person's trust is held with (-1: none yet)
    continuity_week: (
        np.ndarray
    )  # int32, last release at which the practitioner continued (-1: none)
    # events: week of first occurrence after the first release (-1: not yet)
    first_release_week: np.ndarray
    last_release_week: np.ndarray
    reoffence_week: np.ndarray
    terror_week: np.ndarray
    reengagement_week: np.ndarray  # documented by the security services
    engaged_week: np.ndarray  # true: actively engaged with the group, known or not
    recall_week: np.ndarray
    death_week: np.ndarray
    n_reoffences: np.ndarray
    n_recalls: np.ndarray
    # copies of the starting state, for people.parquet
    start: dict[str, np.ndarray]

    @functools.cached_property
    def n(self) -> int:
        """How many people (read some thirty times a week; their number never changes)."""
        return int(self.cohort.size)

    # the phases compared as plain integers: numpy compares an array with an IntEnum member
    # more slowly than with an int, and these masks are made some fifteen times a week
    def in_custody(self) -> np.ndarray:
        return self.phase <= _TRANSITION

    def in_community(self) -> np.ndarray:
        return (self.phase >= _RELEASE_DAY) & (self.phase <= _AFTER_LICENCE)

    def alive(self) -> np.ndarray:
        return self.phase != _DEAD

    def arrays(self) -> dict[str, np.ndarray]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "start"}


@dataclass
class Communities:
    prejudice: np.ndarray
    prejudice_baseline: np.ndarray
    trust: np.ndarray
    capacity: np.ndarray


def beta_shape(mean: float, concentration: float) -> tuple[float, float]:
    """The (a, b) of a beta distribution with this mean and concentration a + b."""
    # a beta distribution needs a mean strictly inside (0, 1): the 1e-3 margin is numerical,
    # not a parameter (a mean of 0 or 1 in the register is read as "almost none" or "almost all")
    mean = float(np.clip(mean, 1e-3, 1 - 1e-3))
    return mean * concentration, (1 - mean) * concentration


def _beta_mean(rng: np.random.Generator, mean: float, concentration: float, n: int) -> np.ndarray:
    a, b = beta_shape(mean, concentration)
    return rng.beta(a, b, n)


#: the starting attributes drawn through the shared background, in draw order, each with the
#: register loading (``population.disadvantage_<name>``) of its disadvantaged side
BACKGROUND_ATTRIBUTES: tuple[str, ...] = (
    "propensity",
    "prior_record",
    "no_housing",
    "no_work",
    "weak_family_ties",
    "mental_health",
    "youth",
    "group_ties",
    "ideology",
)


def background_scores(
    pop: Population, rng: np.random.Generator, n: int
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The shared background and each attribute's latent normal score (Gaussian copula).

    One standard normal ``d`` per person stands for a common background of disadvantage; the
    score of attribute k is ``z_k = l_k d + sqrt(1 - l_k^2) e_k`` with its own standard normal
    ``e_k`` and the register loading ``l_k``, so every score is standard normal (each attribute
    keeps its own distribution, read off through its quantile function at ``Phi(z_k)``) and two
    scores correlate as ``l_j l_k``. A high score is the disadvantaged side (more propensity, a
    record, no housing, no work, weaker family ties, mental illness, younger,
    stronger group ties, stronger belief). Draws: ``d`` first, then one row of ``e`` per
    attribute in :data:`BACKGROUND_ATTRIBUTES` order (a loading of 0 draws the same numbers).
    """
    background = rng.standard_normal(n)
    own = rng.standard_normal((len(BACKGROUND_ATTRIBUTES), n))
    scores = {}
    for k, name in enumerate(BACKGROUND_ATTRIBUTES):
        load = float(getattr(pop, f"disadvantage_{name}"))
        scores[name] = load * background + np.sqrt(1.0 - load * load) * own[k]
    return background, scores


def _beta_quantile(u: np.ndarray, mean: float | np.ndarray, concentration: float) -> np.ndarray:
    """The beta distribution of this mean and concentration, read at the probabilities ``u``."""
    mean = np.clip(mean, 1e-3, 1 - 1e-3)  # as in beta_shape: numerical, not a parameter
    return betaincinv(mean * concentration, (1 - mean) * concentration, u)


def _family_ties_quantile(u: np.ndarray, pop: Population) -> np.ndarray:
    """Family ties at the probabilities ``u``: the quantile of the whole starting distribution,
    a mixture of the never visited (share ``population.never_visited``, ties near zero) and the
    visited (two betas), read off a fine table of its distribution function, so that one score
    orders everyone's ties and the mixture stays what the register says."""
    cdf = _family_ties_cdf(
        pop.family_ties_mean_never_visited,
        pop.family_ties_concentration_never_visited,
        pop.family_ties_mean_visited,
        pop.family_ties_concentration,
        pop.never_visited,
    )
    return np.interp(u, cdf, _TIES_GRID)


#: the family ties at which the table of their distribution function is made
_TIES_GRID = np.linspace(0.0, 1.0, _TABLE_POINTS)
_TIES_GRID.flags.writeable = False


@functools.lru_cache(maxsize=64)
def _family_ties_cdf(
    mean_never: float, concentration_never: float, mean_seen: float, concentration: float, w: float
) -> np.ndarray:
    """The mixture's distribution function on :data:`_TIES_GRID` (read-only). Made once per
    set of parameters: the table's 2 x 65,537 incomplete beta functions took about as long as
    60 weeks of a 2,000-person run, and every replication of a scenario makes the same one."""
    a_never, b_never = beta_shape(mean_never, concentration_never)
    a_seen, b_seen = beta_shape(mean_seen, concentration)
    cdf = w * betainc(a_never, b_never, _TIES_GRID) + (1 - w) * betainc(a_seen, b_seen, _TIES_GRID)
    cdf.flags.writeable = False
    return cdf


def make_people(params: Parameters, rng: np.random.Generator) -> People:
    """Draw the starting population (in custody, everyone) from the parameter register.

    Sex, the share of the sentence served, hope, trust and the tie-breaking key are drawn
    independently; the other attributes come from a common background of disadvantage
    (:func:`background_scores`), each with its register share or distribution unchanged.
    """
    pop = params.population
    n_e, n_c = pop.n_extremist, pop.n_comparison
    n = n_e + n_c
    cohort = np.concatenate(
        [np.full(n_e, Cohort.EXTREMIST, np.int8), np.full(n_c, Cohort.COMPARISON, np.int8)]
    )
    ext = cohort == Cohort.EXTREMIST

    def by_cohort(extremist: float, comparison: float) -> np.ndarray:
        return np.where(ext, extremist, comparison)

    u = rng.random((5, n))  # independent of the background
    female = u[0] < by_cohort(pop.female_share_extremist, pop.female_share_comparison)
    cell_order = u[1]
    served_share = u[2]
    hope = _beta_quantile(u[3], pop.hope_mean, pop.hope_concentration)
    trust = _beta_quantile(u[4], pop.trust_mean, pop.trust_concentration)

    _, z = background_scores(pop, rng, n)
    risk = {name: ndtr(score) for name, score in z.items()}  # U(0, 1); high = disadvantaged
    prior = risk["prior_record"] > 1.0 - by_cohort(
        pop.prior_record_extremist, pop.prior_record_comparison
    )
    ill = risk["mental_health"]
    mh = np.where(
        ill > 1.0 - pop.psychosis, 2, np.where(ill > 1.0 - pop.psychosis - pop.depression, 1, 0)
    )
    housed = risk["no_housing"] <= 1.0 - pop.housing_need_at_release
    working = risk["no_work"] < pop.work_at_release
    age = np.clip(pop.age_mean - pop.age_sd * z["youth"], pop.age_min, pop.age_max)
    # gamma with mean 1 (shape k, scale 1/k) at the propensity's probability
    frailty = gammaincinv(pop.frailty_shape, risk["propensity"]) / pop.frailty_shape
    # sentence: gamma-distributed total length, uniform share already served
    sentence_mean = by_cohort(pop.sentence_years_extremist, pop.sentence_years_comparison)
    total_weeks = rng.gamma(pop.sentence_shape, sentence_mean * WEEKS_PER_YEAR / pop.sentence_shape)
    remaining = np.maximum(1, np.ceil(total_weeks * (1.0 - served_share))).astype(np.int32)

    concentration = pop.ideology_concentration
    ideology = _beta_quantile(
        risk["ideology"],
        by_cohort(pop.ideology_mean_extremist, pop.ideology_mean_comparison),
        concentration,
    )
    group_ties = _beta_quantile(
        risk["group_ties"],
        by_cohort(pop.group_ties_mean_extremist, pop.group_ties_mean_comparison),
        pop.group_ties_concentration,
    )
    family_ties = _family_ties_quantile(1.0 - risk["weak_family_ties"], pop)

    def events() -> np.ndarray:
        return np.full(n, NO_EVENT, np.int32)

    people = People(
        cohort=cohort,
        female=female,
        prior_record=prior,
        frailty=frailty,
        community=np.zeros(n, np.int32),
        mental_health=mh.astype(np.int8),
        wing=np.zeros(n, np.int32),
        separated=np.zeros(n, bool),
        cell_order=cell_order,
        age=age,
        phase=np.full(n, Phase.CUSTODY, np.int8),
        release_week=remaining,
        licence_end=events(),
        ideology=ideology,
        group_ties=group_ties,
        family_ties=family_ties,
        family_trust=np.full(n, pop.family_trust_start),
        trust=trust,
        hope=hope,
        stigma_conviction=np.where(
            ext,
            params.behaviour.stigma_conviction_extremist,
            params.behaviour.stigma_conviction_comparison,
        ),
        stigma=np.zeros(n),
        housed=housed,
        working=working,
        monitored=np.zeros(n, bool),
        on_recall=np.zeros(n, bool),
        milestones=np.zeros(n, np.int16),
        gate=np.full(n, Gate.NOT_RELEASED, np.int8),
        last_approach_week=events(),
        disruption_due=events(),
        recruiting=np.zeros(n, bool),
        group_link=np.zeros(n, bool),
        refusing=np.zeros(n, bool),
        key_worker=events(),
        continuity_week=events(),
        first_release_week=events(),
        last_release_week=events(),
        reoffence_week=events(),
        terror_week=events(),
        reengagement_week=events(),
        engaged_week=events(),
        recall_week=events(),
        death_week=events(),
        n_reoffences=np.zeros(n, np.int16),
        n_recalls=np.zeros(n, np.int16),
        start={},
    )
    return people


def snapshot_start(people: People) -> None:
    """Keep the starting attributes that people.parquet reports."""
    people.start = {
        "age_start": people.age.copy(),
        "sentence_remaining_weeks": people.release_week.copy(),
        "ideology_start": people.ideology.copy(),
        "group_ties_start": people.group_ties.copy(),
        "family_ties_start": people.family_ties.copy(),
        "housed_start": people.housed.copy(),
        "working_start": people.working.copy(),
        "separated": people.separated.copy(),
    }


def make_communities(params: Parameters, rng: np.random.Generator) -> Communities:
    c = params.community
    k = c.n_communities
    prejudice = _beta_mean(rng, c.prejudice_mean, c.concentration, k)
    capacity = _beta_mean(rng, c.capacity_mean, c.concentration, k)
    trust = _beta_mean(rng, c.trust_mean, c.concentration, k)
    return Communities(
        prejudice=prejudice.copy(), prejudice_baseline=prejudice, trust=trust, capacity=capacity
    )
