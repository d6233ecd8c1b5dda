"""Levers of cooperation between agencies and of assessment: case conferences and risk
assessment [RAN 2018, Multi-agency cooperation; Transition management; Social support; Risk and
resilience assessment]."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np
from pydantic import Field
from scipy.special import ndtr

from ..model.agents import Cohort, Phase
from ..model.submodels import _age_ratio
from .base import Intervention, cohort_mask, lever_field, lever_state, register, returning

if TYPE_CHECKING:
    from ..model.simulation import ReintegrationModel

__all__ = ["CaseConference", "RiskAssessment", "assessment", "true_risk"]

Member = Literal[
    "prison",
    "probation",
    "exit",
    "police",
    "employment",
    "housing",
    "mental_health",
    "religious",
    "family",
    "community",
    "religious_community",
]
#: members who hand a case over at release (roles divided, nobody falls through the cracks)
_PRACTITIONERS = {"prison", "probation", "exit"}


@register
class CaseConference(Intervention):
    """Regular multi-agency case conferences on each person from transition planning to
    ``weeks_after_release`` after release (Rotterdam weekly, Copenhagen fortnightly, Austrian
    social network and Hessen case meetings before release). Effects grow with meeting
    frequency: intensity k = ``meeting_every_weeks`` ^ -``frequency_exponent`` (1 / sqrt by
    default; assumption). With a prison, probation or exit practitioner at the table roles are
    divided at release: the trust lost at a handover falls by the share ``handover_effect`` k x
    ``information_shared``. Housing and employment members start the search before release (a
    plan) and multiply the weekly chance of housing or work by 1 + ``chance_effect`` k. A mental
    health member brings people with needs the share ``treatment_share`` k of the mental health
    treatment's effect (as a place at the service does, up to it). Local police at the table raise detection of
    re-engagement by ``police_detection`` k x information shared; security services in the room
    (``security_in_room``) by ``security_detection`` k x information shared, but the family's
    trust in agencies then erodes every week (``security_family_trust_cost`` k x information
    shared x trust). A family at the table gains trust (``family_trust_effect`` k x (1 -
    trust)), a community or grassroots member lowers the stigma met (``stigma_relief`` k),
    religious members and the religious community raise hope a little (``hope_effect`` k x (1 -
    hope))."""

    key: ClassVar[str] = "case_conference"
    typical_cost_per_case_week: ClassVar[float] = 80.0
    typical_cost_per_case: ClassVar[float] = 0.0
    label: ClassVar[str] = "Multi-agency case conferences"
    section: ClassVar[str] = "Multi-agency cooperation; Transition management; Social support"
    evidence: ClassVar[str] = "assumption (no effect sizes for multi-agency formats)"
    mechanism: ClassVar[str] = (
        "by member: trust kept across the gate (handover), housing and work found (the housing "
        "and work terms of the reoffending hazard, recalls), mental health treatment (the mental "
        "health term of the reoffending hazard), detection of re-engagement (recall, "
        "disruption; with security in the room at a cost in the family's trust), the family's "
        "trust, stigma and hope"
    )
    writes: ClassVar[tuple[str, ...]] = (
        "handover_loss",
        "housing_chance",
        "work_chance",
        "planned_search",
        "treatment",
        "detection",
        "family_trust_change",
        "stigma",
        "hope_change",
    )

    members: list[Member] = Field(
        ["probation", "police", "mental_health", "housing", "employment"],
        description="who sits at the table: agencies ('police': local police), family, "
        "community, religious community",
    )
    meeting_every_weeks: int = Field(
        1, ge=1, le=26, description="weeks between meetings (1 weekly, 2 fortnightly)"
    )
    information_shared: float = Field(
        0.7, ge=0.0, le=1.0, description="share of what members know that is shared"
    )
    security_in_room: bool = Field(
        False, description="security services at the table (information reaches them)"
    )
    cohort: Literal["extremist", "all"] = Field("extremist", description="whose cases it takes")
    weeks_after_release: int = Field(
        52, ge=1, le=1040, description="weeks after release that cases stay on the agenda"
    )
    frequency_exponent: float = Field(
        0.5,
        ge=0.0,
        le=2.0,
        description="intensity k = (weeks between meetings) to minus this (0: frequency does "
        "not matter)",
    )
    handover_effect: float = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description="share of the trust lost at a handover that is saved, times k and "
        "information shared (a prison, probation or exit member)",
    )
    chance_effect: float = Field(
        0.5,
        ge=0.0,
        le=2.0,
        description="housing (employment) member: the weekly chance of housing (work) x "
        "(1 + this x k)",
    )
    treatment_share: float = lever_field(
        0.5,
        unit="share of the treatment's effect",
        plausible=(0.0, 1.0),
        source="assumption (EVIDENCE 4: Hopkin et al. 2018, more contact with services, mixed "
        "effect on reoffending)",
        doc="mental health member: share of the mental health treatment's effect, times k, for "
        "released people with needs (capped, with a place at the service, at a treated "
        "person's)",
    )
    police_detection: float = Field(
        0.5,
        ge=0.0,
        le=3.0,
        description="local police member: detection x (1 + this x k x information shared)",
    )
    security_detection: float = Field(
        1.0,
        ge=0.0,
        le=3.0,
        description="security services in the room: detection raised by a further this x k x "
        "information shared",
    )
    security_family_trust_cost: float = Field(
        0.004,
        ge=0.0,
        le=0.05,
        description="security services in the room: weekly loss of the family's trust in "
        "agencies, times k x information shared x trust",
    )
    family_trust_effect: float = Field(
        0.01,
        ge=0.0,
        le=0.05,
        description="family member: weekly gain of the family's trust, times k x (1 - trust)",
    )
    stigma_relief: float = Field(
        0.03,
        ge=0.0,
        le=0.2,
        description="community member: stigma met after release lowered by this x k",
    )
    hope_effect: float = Field(
        0.002,
        ge=0.0,
        le=0.05,
        description="religious members: weekly hope gain, times k x (1 - hope)",
    )

    def unit_costs(self) -> tuple[float, float]:
        """The typical weekly cost (EUR 80 per case for five members meeting weekly) scales with
        the number of members and how often they meet (assumption; the 5 is the size of the
        table the typical cost is given for, structure, not a parameter)."""
        if self.cost_per_case_week is None:
            week = (
                self.typical_cost_per_case_week * len(self.members) / 5 / self.meeting_every_weeks
            )
            return week, self.unit_costs_default()[1]
        return self.unit_costs_default()

    def eligible(self, m: ReintegrationModel) -> np.ndarray:
        return returning(m, self.weeks_after_release) & cohort_mask(m, self.cohort)

    def apply(self, m: ReintegrationModel, served: np.ndarray) -> None:
        p = m.people
        members = set(self.members)
        k = self.meeting_every_weeks**-self.frequency_exponent
        info = self.information_shared
        transition = served & (p.phase == Phase.TRANSITION)
        community = served & p.in_community()
        if members & _PRACTITIONERS:
            m.mod.multiply("handover_loss", served, 1.0 - self.handover_effect * k * info)
        if "housing" in members:
            m.mod.multiply("housing_chance", served & ~p.housed, 1.0 + self.chance_effect * k)
        if "employment" in members:
            m.mod.multiply("work_chance", served & ~p.working, 1.0 + self.chance_effect * k)
        if members & {"housing", "employment"}:
            m.mod.add("planned_search", transition, 1.0)
        if "mental_health" in members:
            m.mod.add("treatment", community & (p.mental_health > 0), self.treatment_share * k)
        detection = 1.0
        if "police" in members:
            detection += self.police_detection * k * info
        if self.security_in_room:
            detection += self.security_detection * k * info
            cost = self.security_family_trust_cost
            m.mod.add("family_trust_change", served, -cost * k * info * p.family_trust)
        if detection != 1.0:
            m.mod.multiply("detection", community, detection)
        if "family" in members:
            trust_gain = self.family_trust_effect * k * (1.0 - p.family_trust)
            m.mod.add("family_trust_change", served, trust_gain)
        if "community" in members:
            m.mod.add("stigma", community, -self.stigma_relief * k)
        if members & {"religious", "religious_community"}:
            m.mod.add("hope_change", served, self.hope_effect * k * (1.0 - p.hope))


# ----------------------------------------------------------------------------- risk assessment


# zero risks: with every hazard 0 (a legal edge case) the true risks are 0 and their logs -inf: the
# ranking is undefined and the scores NaN (nobody stands out), with no RuntimeWarning printed


def true_risk(m: ReintegrationModel) -> np.ndarray:
    """Each person's weekly hazard of a proven reoffence or terrorism offence as the model's
    rules would give it now, if released, without practitioners (the truth the assessment
    estimates with error)."""
    p, off = m.people, m.params.offending
    log = np.log
    base = np.where(
        p.cohort == Cohort.EXTREMIST, off.base_hazard_extremist, off.base_hazard_comparison
    )
    log_hr = (
        log(base * p.frailty)
        + p.prior_record * log(off.hr_prior_record)
        + log(_age_ratio(p.age, off))
        + ~p.housed * log(off.hr_no_housing)
        + ~p.working * log(off.hr_no_work)
        + p.family_ties * log(off.hr_family)
        + p.hope * log(off.hr_hope)
        + (p.mental_health > 0) * log(off.hr_mental_health)
        + p.group_ties * log(off.hr_group_ties)
    )
    terror = off.terror_hazard * p.ideology * p.group_ties * off.terror_hr_hope**p.hope
    return np.exp(log_hr) + terror


def _pairs(z: np.ndarray, p1: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Differences of true risk over all ordered pairs, and each pair's weight: the chance that
    the first has the outcome and the second does not."""
    dz = (z[:, None] - z[None, :]).ravel()
    w = p1[:, None] * (1.0 - p1[None, :])
    np.fill_diagonal(w, 0.0)
    w = w.ravel()
    return dz, w / w.sum()


def _auc_of_pairs(dz: np.ndarray, w: np.ndarray, rho: float) -> float:
    if rho >= 1.0:
        hit = (dz > 0) + 0.5 * (dz == 0)
    else:
        hit = ndtr(rho * dz / np.sqrt(2.0 * (1.0 - rho**2)))
    return float(w @ hit)


def _expected_auc(z: np.ndarray, p1: np.ndarray, rho: float) -> float:
    """Expected AUC, for an outcome that happens with probability ``p1``, of the score
    rho z + sqrt(1 - rho^2) e with e standard normal noise (binormal noise on the true risk)."""
    return _auc_of_pairs(*_pairs(z, p1), rho)


def _solve_rho(z: np.ndarray, p1: np.ndarray, auc: float) -> float:
    """The weight of true risk in the score that gives the wanted expected AUC (bisection; 1
    if even the true risk cannot reach it). 20 halvings: a numerical tolerance (2^-20), not a
    parameter."""
    dz, w = _pairs(z, p1)
    if auc >= _auc_of_pairs(dz, w, 1.0):
        return 1.0
    lo, hi = 0.0, 1.0
    for _ in range(20):
        mid = 0.5 * (lo + hi)
        if _auc_of_pairs(dz, w, mid) < auc:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def assessment(m: ReintegrationModel, key: str = "risk_assessment") -> dict[str, np.ndarray]:
    """The assessment's per-person arrays in one run: ``assessed`` (bool), ``score`` (NaN if not
    assessed) and ``flagged`` (bool). For analysis of populations only: synthetic people, never
    a score of a real person."""
    return lever_state(m, key)


@register
class RiskAssessment(Intervention):
    """A structured assessment of each eligible person once, at the start of transition planning
    (or at release for those already out): a score that estimates the person's true risk of
    reoffending (their propensity, record, age, mental health, group ties and current needs)
    with error, so that its accuracy (AUC) for first-year reoffending is about ``auc``. The
    share ``flag_share`` with the highest scores is flagged (threshold set on the cohort at the
    start). What follows a flag, until ``weeks_after_release`` after release, depends on the
    approach. *Security*: the flagged are watched like police monitoring (detection of
    re-engagement x (1 + ``security_detection``), doubled by default) and labelled (stigma +
    ``security_stigma``: careless use stigmatises); nothing is done for their needs.
    *Risk-need-resilience* (good lives model): the flagged get priority help with their needs:
    housing and work chances x (1 + ``need_chance``), search before release, faster trust growth
    (``need_trust``) and some hope (``need_hope``), with little stigma (+ ``need_stigma``).
    ``follow_up`` scales what follows a flag (0: the score is kept, nothing follows). A
    population-level lever: the model is never a risk score for a person."""

    key: ClassVar[str] = "risk_assessment"
    typical_cost_per_case_week: ClassVar[float] = 0.0
    typical_cost_per_case: ClassVar[float] = 600.0
    label: ClassVar[str] = "Risk assessment: security or risk-need-resilience"
    section: ClassVar[str] = "Risk and resilience assessment; Capacity building"
    evidence: ClassVar[str] = (
        "EVIDENCE 4: Fazel et al. 2024 (risk tools AUC about 0.62-0.64); Andrews & Bonta 2010 "
        "(RNR adherence helps, no adherence r about -0.02); Koehler et al. 2013 (supervision "
        "alone no benefit); sizes of what follows a flag: assumption"
    )
    mechanism: ClassVar[str] = (
        "who gets what: a security flag brings detection of re-engagement (recall, disruption) "
        "and stigma; a risk-need-resilience flag brings help with housing and work (the housing "
        "and work terms of the reoffending hazard, recalls), faster trust growth, hope and a "
        "little stigma. Effects grow with adherence to risk-need-responsivity because help "
        "with needs lowers the hazard only of those who have the needs, most for those at "
        "highest risk"
    )
    writes: ClassVar[tuple[str, ...]] = (
        "detection",
        "stigma",
        "housing_chance",
        "work_chance",
        "planned_search",
        "trust_growth",
        "hope_change",
    )

    approach: Literal["security", "risk_need_resilience"] = Field(
        "risk_need_resilience", description="what the assessment is for and what follows a flag"
    )
    auc: float = Field(0.63, ge=0.5, le=0.9, description="accuracy for first-year reoffending")
    flag_share: float = Field(0.3, ge=0.01, le=0.99, description="share of the cohort flagged")
    follow_up: float = Field(
        1.0, ge=0.0, le=2.0, description="strength of what follows a flag (0: score only)"
    )
    cohort: Literal["extremist", "all"] = Field("extremist", description="who is assessed")
    weeks_after_release: int = Field(
        104, ge=1, le=1040, description="weeks after release that a flag is acted on"
    )
    security_detection: float = Field(
        1.0,
        ge=0.0,
        le=5.0,
        description="security approach: detection after release x (1 + this x follow_up)",
    )
    security_stigma: float = Field(
        0.1,
        ge=0.0,
        le=0.5,
        description="security approach: stigma added after release, times follow_up",
    )
    need_chance: float = Field(
        0.5,
        ge=0.0,
        le=3.0,
        description="risk-need-resilience approach: housing and work chances x (1 + this x "
        "follow_up)",
    )
    need_trust: float = Field(
        0.3,
        ge=0.0,
        le=3.0,
        description="risk-need-resilience approach: trust growth x (1 + this x follow_up)",
    )
    need_hope: float = Field(
        0.003,
        ge=0.0,
        le=0.05,
        description="risk-need-resilience approach: weekly hope gain, times follow_up x (1 - hope)",
    )
    need_stigma: float = Field(
        0.02,
        ge=0.0,
        le=0.5,
        description="risk-need-resilience approach: stigma added after release, times follow_up",
    )

    @np.errstate(divide="ignore", invalid="ignore")  # zero risks, see true_risk
    def initialize(self, m: ReintegrationModel) -> None:
        """Fix the accuracy, the noise and the threshold for this run from the cohort at the
        start (all draws from the lever's own stream)."""
        state = lever_state(m, self.key)
        n = m.people.n
        rng = m.streams.extra(f"intervention:{self.key}:score")
        noise = rng.standard_normal(n)
        cohort = np.flatnonzero(cohort_mask(m, self.cohort))
        h = true_risk(m)
        log_h = np.log(h[cohort]) if cohort.size else np.zeros(1)
        mean, sd = float(log_h.mean()), float(log_h.std()) or 1.0
        # 400: a sample big enough to solve for the accuracy (numerical, not a parameter);
        # 52.0: weeks in the first year, over which the AUC is defined (structure)
        sample = rng.permutation(cohort)[:400]
        z = (np.log(h[sample]) - mean) / sd
        p1 = -np.expm1(-52.0 * h[sample])
        rho = _solve_rho(z, p1, self.auc) if sample.size > 1 else 0.0
        state.update(
            mean=mean,
            sd=sd,
            rho=rho,
            noise=noise,
            assessed=np.zeros(n, bool),
            score=np.full(n, np.nan),
            flagged=np.zeros(n, bool),
        )
        start = self._score(m, cohort)
        state["threshold"] = float(np.quantile(start, 1.0 - self.flag_share)) if cohort.size else 0

    @np.errstate(divide="ignore", invalid="ignore")  # zero risks, see true_risk
    def _score(self, m: ReintegrationModel, index: np.ndarray) -> np.ndarray:
        s = lever_state(m, self.key)
        z = (np.log(true_risk(m)[index]) - s["mean"]) / s["sd"]
        rho = s["rho"]
        return rho * z + np.sqrt(1.0 - rho**2) * s["noise"][index]

    def eligible(self, m: ReintegrationModel) -> np.ndarray:
        state = lever_state(m, self.key)
        due = returning(m, self.weeks_after_release) & cohort_mask(m, self.cohort)
        # the unflagged leave after their assessment
        return due & ~(state["assessed"] & ~state["flagged"])

    def apply(self, m: ReintegrationModel, served: np.ndarray) -> None:
        state = lever_state(m, self.key)
        new = np.flatnonzero(served & ~state["assessed"])
        if new.size:
            score = self._score(m, new)
            state["score"][new] = score
            state["flagged"][new] = score > state["threshold"]
            state["assessed"][new] = True
        f = self.follow_up
        if f == 0.0:
            return
        p = m.people
        flagged = served & state["flagged"]
        community = flagged & p.in_community()
        if self.approach == "security":
            m.mod.multiply("detection", community, 1.0 + self.security_detection * f)
            m.mod.add("stigma", community, self.security_stigma * f)
        else:
            m.mod.multiply("housing_chance", flagged & ~p.housed, 1.0 + self.need_chance * f)
            m.mod.multiply("work_chance", flagged & ~p.working, 1.0 + self.need_chance * f)
            m.mod.add("planned_search", flagged & (p.phase == Phase.TRANSITION), 1.0)
            m.mod.multiply("trust_growth", flagged, 1.0 + self.need_trust * f)
            m.mod.add("hope_change", flagged, self.need_hope * f * (1.0 - p.hope))
            m.mod.add("stigma", community, self.need_stigma * f)
