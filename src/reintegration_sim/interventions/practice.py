"""Levers of practice: how staff, plans and programmes work with the person [RAN 2018, Staff
training; Co-owning the process; New developments (CONTEST 3.0); Mental health]."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np
from pydantic import Field

from ..model.agents import Phase
from ..model.population import WEEKS_PER_YEAR
from .base import (
    Intervention,
    cohort_mask,
    extremist,
    lever_field,
    lever_state,
    register,
    released_within,
    returning,
)

if TYPE_CHECKING:
    from ..model.simulation import ReintegrationModel

#: steepness of the logistic spread of a train-the-trainer cascade (assumption): the default
#: of the lever's ``cascade_steepness``
_CASCADE_STEEPNESS = 8.0


def _supervised(m: ReintegrationModel) -> np.ndarray:
    """In custody, or released and on licence (the release week included)."""
    p = m.people
    return p.in_custody() | (p.phase == Phase.RELEASE_DAY) | (p.phase == Phase.LICENCE)


def cascade_share(
    weeks_since_start: float,
    cascade_weeks: float,
    trainers: float,
    steepness: float = _CASCADE_STEEPNESS,
) -> float:
    """Share of staff a train-the-trainer cascade has reached ``weeks_since_start`` weeks after
    it began: the trainers (share ``trainers``) at once, the others along a logistic curve of
    ``steepness`` rescaled to run from none at the start to all after ``cascade_weeks`` (half at
    half time)."""
    t = min(max(weeks_since_start / cascade_weeks, 0.0), 1.0)
    k = steepness

    def sigmoid(x: float) -> float:
        return 1.0 / (1.0 + math.exp(-x))

    low, high = sigmoid(-k / 2), sigmoid(k / 2)
    spread = (sigmoid(k * (t - 0.5)) - low) / (high - low)
    return trainers + (1.0 - trainers) * spread


@register
class StaffTraining(Intervention):
    """Training of prison and probation staff, in three components that can be sized apart:
    relationship quality (trust grows faster with trained staff, ``relationship``),
    recognition of radicalisation and desistance signals (re-engagement after release is
    documented more often, ``signal_detection``, and recruiters' approaches in prison succeed
    less often, ``signal_recruiting``) and intercultural competence (fewer incidents perceived
    as unfair, ``intercultural``). It acts for people in custody and on licence whose staff are
    trained (the share ``coverage`` of them). Direct training reaches all of them from
    ``start_week``. With ``train_the_trainer`` a few staff are trained as trainers first
    (``trainers_share``) and train their colleagues: the share reached rises along a logistic
    curve to all after ``cascade_years``. Costs count everyone covered, reached yet or not."""

    key: ClassVar[str] = "staff_training"
    typical_cost_per_case_week: ClassVar[float] = 5.0
    typical_cost_per_case: ClassVar[float] = 0.0
    label: ClassVar[str] = "Staff training (prison and probation)"
    section: ClassVar[str] = (
        "Staff training and train-the-trainer approaches; Trust; Prisons and prison regime"
    )
    evidence: ClassVar[str] = "assumption (no outcome data on staff training)"
    mechanism: ClassVar[str] = (
        "trust in practitioners (relationship), fewer incidents perceived as unfair "
        "(intercultural competence), recruiters' success in prison and detection of "
        "re-engagement after release (recognition of signals)"
    )
    writes: ClassVar[tuple[str, ...]] = (
        "trust_growth",
        "unfairness",
        "prison_recruit_success",
        "detection",
    )

    relationship: float = Field(
        1.25, ge=1.0, le=3.0, description="multiplier on weekly trust growth with trained staff"
    )
    signal_detection: float = Field(
        1.3,
        ge=1.0,
        le=3.0,
        description="multiplier on the chance that re-engagement on licence is documented",
    )
    signal_recruiting: float = Field(
        0.8,
        ge=0.0,
        le=1.0,
        description="multiplier on the chance that a recruiter's approach in prison succeeds",
    )
    intercultural: float = Field(
        0.75,
        ge=0.0,
        le=1.0,
        description="multiplier on the chance of an incident perceived as unfair",
    )
    train_the_trainer: bool = Field(
        False, description="those trained first train their colleagues (a cascade to all staff)"
    )
    cascade_years: float = Field(
        2.0, ge=0.1, le=20.0, description="years for a train-the-trainer cascade to reach all"
    )
    trainers_share: float = Field(
        0.05, ge=0.0, le=1.0, description="share of staff trained as trainers at the start"
    )
    cascade_steepness: float = Field(
        _CASCADE_STEEPNESS,
        ge=0.5,
        le=50.0,
        description="steepness of the logistic spread of the cascade (larger: most staff are "
        "reached near half time)",
    )

    def eligible(self, m: ReintegrationModel) -> np.ndarray:
        return _supervised(m)

    def reached(self, m: ReintegrationModel, served: np.ndarray) -> np.ndarray:
        """Who meets trained staff this week: those served; with a cascade, only those whose
        fixed rank falls below the share the cascade has reached by now."""
        if not self.train_the_trainer:
            return served
        state = lever_state(m, self.key)
        if "rank" not in state:  # fixed order in which the cascade reaches people's staff
            state["rank"] = m.streams.extra(f"intervention:{self.key}:cascade").random(m.people.n)
        rank = state["rank"]
        weeks = self.cascade_years * WEEKS_PER_YEAR
        share = cascade_share(
            m.week - self.start_week, weeks, self.trainers_share, self.cascade_steepness
        )
        return served & (rank < share)

    def apply(self, m: ReintegrationModel, served: np.ndarray) -> None:
        p = m.people
        reached = self.reached(m, served)
        inside = p.in_custody()
        m.mod.multiply("trust_growth", reached, self.relationship)
        m.mod.multiply("unfairness", reached, self.intercultural)
        m.mod.multiply("prison_recruit_success", reached & inside, self.signal_recruiting)
        m.mod.multiply("detection", reached & ~inside, self.signal_detection)


@register
class CoOwnedPlan(Intervention):
    """Plans for life after release made with the person, not for them: goals are set
    together in custody and followed on licence. Reaching a self-set goal gives more hope
    than reaching one set by others (multiplier ``milestone_hope`` on the hope from each
    milestone), and working together builds trust faster (``trust_effect``). When many people of
    the extremist cohort are visibly served in a community, the support can look like a
    privilege: each week the community's prejudice rises by ``privilege_backlash`` times the
    share of its released residents who are served extremist-cohort people (it relaxes back as
    all prejudice does)."""

    key: ClassVar[str] = "co_owned_plan"
    typical_cost_per_case_week: ClassVar[float] = 30.0
    typical_cost_per_case: ClassVar[float] = 0.0
    label: ClassVar[str] = "Co-owned release and life plans"
    section: ClassVar[str] = "Co-owning the process; Goals; Trust"
    evidence: ClassVar[str] = "assumption"
    mechanism: ClassVar[str] = (
        "hope from milestones reached and trust in practitioners; community prejudice "
        "(privilege backlash: stigma)"
    )
    writes: ClassVar[tuple[str, ...]] = ("milestone_hope", "trust_growth", "communities.prejudice")

    cohort: Literal["all", "extremist"] = Field("all", description="who is eligible")
    milestone_hope: float = Field(
        1.5, ge=1.0, le=3.0, description="multiplier on the hope from a milestone reached"
    )
    trust_effect: float = Field(
        1.15, ge=1.0, le=3.0, description="multiplier on weekly trust growth"
    )
    privilege_backlash: float = Field(
        0.001,
        ge=0.0,
        le=0.05,
        description="weekly rise of community prejudice per unit share of its released "
        "residents who are served extremist-cohort people, times (1 - prejudice)",
    )

    def eligible(self, m: ReintegrationModel) -> np.ndarray:
        return _supervised(m) & cohort_mask(m, self.cohort)

    def apply(self, m: ReintegrationModel, served: np.ndarray) -> None:
        p, c = m.people, m.communities
        m.mod.multiply("milestone_hope", served, self.milestone_hope)
        m.mod.multiply("trust_growth", served, self.trust_effect)
        if self.privilege_backlash > 0.0:
            outside = p.in_community()
            k = c.prejudice.size
            residents = np.bincount(p.community[outside], minlength=k)
            visible = np.bincount(p.community[outside & served & extremist(m)], minlength=k)
            share = visible / np.maximum(residents, 1)
            c.prejudice += self.privilege_backlash * share * (1.0 - c.prejudice)


@register
class Mentors(Intervention):
    """Former extremists, trained and with a clearly defined role, as mentors for people of the
    extremist cohort in custody and for ``after_release_years`` after release. Their
    credibility makes trust in practitioners grow faster, their story questions the ideology
    (a small weekly reduction) and offers belonging outside the group (group ties loosen after
    release), and mentored people resist recruiters more often, in prison and outside."""

    key: ClassVar[str] = "mentors"
    typical_cost_per_case_week: ClassVar[float] = 100.0
    typical_cost_per_case: ClassVar[float] = 0.0
    label: ClassVar[str] = "Former extremists as mentors"
    section: ClassVar[str] = "Co-owning the process; Trust"
    evidence: ClassVar[str] = "assumption (no outcome data on former-extremist mentoring)"
    mechanism: ClassVar[str] = (
        "trust in practitioners, belief (ideology), ties to the group after release and "
        "recruiters' success in prison and outside"
    )
    writes: ClassVar[tuple[str, ...]] = (
        "trust_growth",
        "ideology_change",
        "ties_change",
        "recruit_success",
        "prison_recruit_success",
    )

    trust_effect: float = Field(
        1.3, ge=1.0, le=3.0, description="multiplier on weekly trust growth"
    )
    ideology_effect: float = Field(
        0.002, ge=0.0, le=0.05, description="weekly reduction of ideology, times ideology"
    )
    ties_effect: float = Field(
        0.003,
        ge=0.0,
        le=0.05,
        description="weekly reduction of group ties after release, times group ties",
    )
    recruit_ratio: float = Field(
        0.8, ge=0.0, le=1.0, description="multiplier on the chance a recruiter's approach succeeds"
    )
    after_release_years: float = Field(
        1.0, ge=0.0, le=10.0, description="how long mentoring continues after release"
    )

    def eligible(self, m: ReintegrationModel) -> np.ndarray:
        after = released_within(m, self.after_release_years * WEEKS_PER_YEAR)
        return (m.people.in_custody() | after) & extremist(m)

    def apply(self, m: ReintegrationModel, served: np.ndarray) -> None:
        p = m.people
        inside = p.in_custody()
        m.mod.multiply("trust_growth", served, self.trust_effect)
        m.mod.add("ideology_change", served, -self.ideology_effect * p.ideology)
        m.mod.add("ties_change", served & ~inside, -self.ties_effect * p.group_ties)
        m.mod.multiply("recruit_success", served & ~inside, self.recruit_ratio)
        m.mod.multiply("prison_recruit_success", served & inside, self.recruit_ratio)


@register
class DesistanceDisengagementProgramme(Intervention):
    """The UK Desistance and Disengagement Programme (CONTEST 3.0): intensive interventions
    tailored to the person (mentoring, psychological support, theological and ideological
    advice, practical support) for people of the extremist cohort in custody or on licence,
    with a limited number of places (230 by default; beyond them people wait). Each of its
    components acts through a state of the model: theological and ideological advice lowers
    ideology each week (more with trust: ``trust_weight``); the intensive work makes trust grow
    faster and gives hope (identity, self-esteem, purpose); mentoring offers belonging outside
    the group (group ties loosen: ``ties_effect``); practical support after release multiplies
    the weekly chances of finding housing and work (``practical_support``); psychological
    support brings people with mental health needs the share ``treatment_share`` of the mental
    health treatment's effect. It has no hazard ratio of its own."""

    key: ClassVar[str] = "ddp"
    typical_cost_per_case_week: ClassVar[float] = 300.0
    typical_cost_per_case: ClassVar[float] = 0.0
    label: ClassVar[str] = "Desistance and Disengagement Programme (UK)"
    section: ClassVar[str] = "New developments (CONTEST 3.0); Theological support; Mental health"
    evidence: ClassVar[str] = (
        "EVIDENCE 3: CONTEST 2018 p. 40 (capacity up to 230); the effects of its components are "
        "assumptions (no outcome evaluation of the DDP is published), their sum kept within "
        "EVIDENCE 4: Andrews & Bonta 2010 (RNR in practice r about 0.15) and Lipsey et al. 2007 "
        "(about 25 % fewer reoffences)"
    )
    mechanism: ClassVar[str] = (
        "belief (ideology: the terrorism hazard, re-engagement), trust in practitioners (the "
        "trust term of the reoffending hazard, recalls), hope (the hope terms of both hazards), "
        "ties to the group (the group-ties terms of both hazards, recalls, detection), housing "
        "and work found after release, and mental health treatment"
    )
    writes: ClassVar[tuple[str, ...]] = (
        "ideology_change",
        "trust_growth",
        "hope_change",
        "ties_change",
        "housing_chance",
        "work_chance",
        "treatment",
    )

    capacity: int | None = Field(
        230, ge=0, le=10_000_000, description="places at once; beyond them people wait"
    )
    ideology_effect: float = lever_field(
        0.004,
        unit="per week",
        plausible=(0.001, 0.01),
        bounds=(0.0, 0.05),
        source="assumption (as agencies.exit_work_effect)",
        doc="weekly reduction of ideology, times ideology and "
        "(1 - trust_weight + trust_weight x trust)",
    )
    trust_weight: float = lever_field(
        0.5,
        unit="share",
        plausible=(0.0, 1.0),
        source="assumption",
        doc="share of the ideology effect that rests on trust in practitioners",
    )
    trust_effect: float = lever_field(
        1.3,
        unit="multiplier",
        plausible=(1.0, 2.0),
        bounds=(1.0, 3.0),
        source="assumption (intensive, tailored work: responsivity, Andrews & Bonta 2010)",
        doc="multiplier on weekly trust growth",
    )
    hope_effect: float = lever_field(
        0.002,
        unit="per week",
        plausible=(0.0, 0.006),
        bounds=(0.0, 0.05),
        source="assumption (identity, self-esteem, purpose: CONTEST 2018 p. 40)",
        doc="weekly hope gain, times (1 - hope)",
    )
    ties_effect: float = lever_field(
        0.003,
        unit="per week",
        plausible=(0.0, 0.006),
        bounds=(0.0, 0.05),
        source="assumption (mentoring: as the mentors lever's ties_effect)",
        doc="weekly reduction of group ties, times group ties",
    )
    practical_support: float = lever_field(
        1.3,
        unit="multiplier",
        plausible=(1.0, 2.0),
        bounds=(1.0, 5.0),
        source="assumption (practical support is one of the DDP's components, CONTEST 2018; "
        "effect only through housing and work found, EVIDENCE 4: Visher et al. 2005)",
        doc="multiplier on the weekly chances of finding housing and work after release",
    )
    treatment_share: float = lever_field(
        0.5,
        unit="share of the treatment's effect",
        plausible=(0.0, 1.0),
        source="assumption (psychological support, as mental_health_transition's share)",
        doc="share of the mental health treatment's effect for released people with mental "
        "health needs (capped, with a place at the service, at a treated person's)",
    )

    def eligible(self, m: ReintegrationModel) -> np.ndarray:
        return _supervised(m) & extremist(m)

    def apply(self, m: ReintegrationModel, served: np.ndarray) -> None:
        p = m.people
        w = self.trust_weight
        effect = self.ideology_effect * (1.0 - w + w * p.trust) * p.ideology
        m.mod.add("ideology_change", served, -effect)
        m.mod.multiply("trust_growth", served, self.trust_effect)
        m.mod.add("hope_change", served, self.hope_effect * (1.0 - p.hope))
        m.mod.add("ties_change", served, -self.ties_effect * p.group_ties)
        outside = served & p.in_community()
        m.mod.multiply("housing_chance", outside & ~p.housed, self.practical_support)
        m.mod.multiply("work_chance", outside & ~p.working, self.practical_support)
        m.mod.add("treatment", outside & (p.mental_health > 0), self.treatment_share)


@register
class MentalHealthTransition(Intervention):
    """Mental health transition support for people with a mental health need (psychosis or
    depression), from transition planning until ``follow_up_weeks`` after release: a link
    worker keeps them in contact with services through the gate. Those released without a
    place at the mental health service get a share ``treatment_share`` of the treatment's
    effect on the reoffending hazard (``agencies.treatment_effect`` on
    ``offending.hr_mental_health``); the closer supervision also brings breaches to light, so
    the recall hazard on licence is multiplied by ``recall_ratio``."""

    key: ClassVar[str] = "mental_health_transition"
    typical_cost_per_case_week: ClassVar[float] = 120.0
    typical_cost_per_case: ClassVar[float] = 0.0
    label: ClassVar[str] = "Mental health transition support"
    section: ClassVar[str] = "Mental health; Transition management"
    evidence: ClassVar[str] = (
        "EVIDENCE 4: Hopkin et al. 2018 (more contact with services, mixed effect on "
        "reoffending, closer supervision can raise recalls); Chang et al. 2015 "
        "(offending.hr_mental_health); sizes assumption"
    )
    mechanism: ClassVar[str] = (
        "mental health treatment (the mental health term of the reoffending hazard, as for a "
        "place at the service) and recalls (breaches brought to light)"
    )
    writes: ClassVar[tuple[str, ...]] = ("treatment", "recall")

    follow_up_weeks: int = Field(
        26, ge=0, le=520, description="weeks after release that the support continues"
    )
    treatment_share: float = lever_field(
        0.5,
        unit="share of the treatment's effect",
        plausible=(0.0, 1.0),
        source="assumption (EVIDENCE 4: Hopkin et al. 2018, more contact with services, mixed "
        "effect on reoffending)",
        doc="share of the mental health treatment's effect delivered to released people with "
        "needs (capped, with a place at the service, at a treated person's)",
    )
    recall_ratio: float = Field(
        1.3, ge=1.0, le=3.0, description="multiplier on the recall hazard on licence"
    )

    def eligible(self, m: ReintegrationModel) -> np.ndarray:
        return (m.people.mental_health > 0) & returning(m, self.follow_up_weeks)

    def apply(self, m: ReintegrationModel, served: np.ndarray) -> None:
        p = m.people
        outside = served & p.in_community()
        m.mod.add("treatment", outside, self.treatment_share)
        on_licence = outside & ((p.phase == Phase.LICENCE) | (p.phase == Phase.RELEASE_DAY))
        m.mod.multiply("recall", on_licence, self.recall_ratio)
