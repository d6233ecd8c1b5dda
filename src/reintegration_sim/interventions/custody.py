"""Levers that work in custody: programmes, education, work, sport and religious counsel
[RAN 2018, Prisons and prison regime; Transition management; Goals; Theological support]."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np
from pydantic import Field

from ..model.agents import Phase
from ..model.population import WEEKS_PER_YEAR
from .base import (
    Intervention,
    cohort_mask,
    due_for_release,
    extremist,
    lever_field,
    lever_state,
    register,
    released_within,
)

if TYPE_CHECKING:
    from ..model.simulation import ReintegrationModel


@register
class DeradicalisationProgramme(Intervention):
    """A deradicalisation and desistance programme in custody (and, with ``outside``, continued
    after release): structured sessions that question the ideology, build trust, work on goals
    and on a life apart from the group. Each week the ideology falls by ``ideology_effect``
    times trust times ideology (it works through the relationship), trust grows
    ``trust_effect`` times as fast, hope rises by ``hope_effect`` times (1 - hope) and ties to
    the group loosen by ``ties_effect`` times group ties. Its effect on offending comes only
    from these states (no hazard ratio of its own)."""

    key: ClassVar[str] = "deradicalisation_programme"
    typical_cost_per_case_week: ClassVar[float] = 150.0
    typical_cost_per_case: ClassVar[float] = 0.0
    label: ClassVar[str] = "Deradicalisation and desistance programme"
    section: ClassVar[str] = "Transition management; Goals"
    evidence: ClassVar[str] = (
        "EVIDENCE 4: Andrews & Bonta 2010 (RNR-adherent programmes r about 0.15 in practice); "
        "Lipsey et al. 2007 (cognitive-behavioural programmes about 25 % fewer reoffences): "
        "bounds on what the weekly effects together may do; the weekly effects themselves are "
        "assumptions"
    )
    mechanism: ClassVar[str] = (
        "belief (ideology, through trust: the terrorism hazard and re-engagement), trust in "
        "practitioners (the trust term of the reoffending hazard, fewer recalls), hope (the hope "
        "terms of both hazards, bonds against ideology, less openness to recruiters) and ties to "
        "the group (the group-ties terms of both hazards, recalls, detection)"
    )
    writes: ClassVar[tuple[str, ...]] = (
        "ideology_change",
        "trust_growth",
        "hope_change",
        "ties_change",
    )

    ideology_effect: float = lever_field(
        0.004,
        unit="per week at full trust",
        plausible=(0.001, 0.01),
        bounds=(0.0, 0.05),
        source="assumption (as agencies.exit_work_effect: no outcome data on extremism-"
        "specific programmes)",
        doc="weekly ideology reduction at full trust, times ideology",
    )
    trust_effect: float = lever_field(
        1.3,
        unit="multiplier",
        plausible=(1.0, 2.0),
        bounds=(1.0, 3.0),
        source="assumption (responsivity: a programme built on the relationship, Andrews & "
        "Bonta 2010, EVIDENCE 4)",
        doc="multiplier on weekly trust growth",
    )
    hope_effect: float = lever_field(
        0.002,
        unit="per week",
        plausible=(0.0, 0.006),
        bounds=(0.0, 0.05),
        source="assumption (goals and motivation; sized so that the programme's whole effect "
        "stays within EVIDENCE 4: Lipsey et al. 2007, about 25 % fewer reoffences)",
        doc="weekly hope gain, times (1 - hope)",
    )
    ties_effect: float = lever_field(
        0.001,
        unit="per week",
        plausible=(0.0, 0.004),
        bounds=(0.0, 0.05),
        source="assumption (disengagement work, a third of the mentors' ties_effect; with the "
        "other effects about 14 % fewer reoffences of the extremist cohort within 3 years, "
        "inside EVIDENCE 4: Lipsey et al. 2007)",
        doc="weekly reduction of group ties, times group ties",
    )
    outside: bool = Field(True, description="continues after release while on licence")

    def eligible(self, m: ReintegrationModel) -> np.ndarray:
        p = m.people
        where = p.in_custody() | ((p.phase == Phase.LICENCE) if self.outside else False)
        return where & extremist(m)

    def apply(self, m: ReintegrationModel, served: np.ndarray) -> None:
        p = m.people
        m.mod.add("ideology_change", served, -self.ideology_effect * p.trust * p.ideology)
        m.mod.multiply("trust_growth", served, self.trust_effect)
        m.mod.add("hope_change", served, self.hope_effect * (1.0 - p.hope))
        m.mod.add("ties_change", served, -self.ties_effect * p.group_ties)


# ---------------------------------------------------------------------------------------------
# Programmes and regime in custody: education, work, sport, religious counsel
# ---------------------------------------------------------------------------------------------

Cohorts = Literal["all", "extremist", "comparison"]


def _arranged(m: ReintegrationModel, stream: str, chance: float, who: np.ndarray) -> None:
    """Work or education arranged for release: ``who`` get it with probability ``chance``
    (one draw per person, made once per run from the lever's own stream, so a person's number
    does not depend on the weeks the lever happened to serve anyone)."""
    state = lever_state(m, stream)
    if "u" not in state:
        state["u"] = m.streams.extra(stream).random(m.people.n)
    m.people.working[who & (state["u"] < chance)] = True


@register
class Education(Intervention):
    """Correctional education in custody: courses toward a school or vocational qualification.
    While in class, hope grows a little each week and boredom wears it down less, and in
    transition planning an employment adviser finds a place in work or education for release
    more easily. After ``course_weeks`` in class (counted over all stays) the course is
    completed: hope rises once, as when a milestone is reached. Completers stay in class until
    release. On the release day a completer without work arranged leaves, with probability
    ``arranged_share``, with a place in further education or work (the 'work or education'
    state: the work term of the reoffending hazard, looser group ties, the work milestone).
    Completers stay with the programme for ``after_release_years`` after release (continued
    learning, a qualification to build on): hope grows by ``after_release_hope`` a week and
    boredom wears it down less. Places (``capacity``) are held by those in class and by
    completers followed after release. A completer returned to custody keeps the
    qualification. Its effect on offending comes only through work or education and hope
    (no hazard ratio of its own)."""

    key: ClassVar[str] = "education"
    typical_cost_per_case_week: ClassVar[float] = 100.0
    typical_cost_per_case: ClassVar[float] = 0.0
    label: ClassVar[str] = "Correctional education in custody"
    section: ClassVar[str] = "Prisons and prison regime; Goals; Material support"
    evidence: ClassVar[str] = (
        "EVIDENCE 4: Davis et al. 2013 (RAND RR-266): correctional education, 43 % lower odds "
        "of recidivism (from studies that cannot rule out selection: an upper bound) and 13 % "
        "higher odds of employment after release; the model carries the effect through work or "
        "education and hope, which give about 0.9 times the odds of reoffending within a "
        "year of release (docs/ODD.md section 8.5); each weekly effect is an assumption"
    )
    mechanism: ClassVar[str] = (
        "work or education at and after release (the work term of the reoffending hazard, "
        "looser group ties, the work milestone) and hope (in class, at completion and after "
        "release: the hope terms of both hazards, bonds against ideology)"
    )
    writes: ClassVar[tuple[str, ...]] = ("hope_change", "boredom", "work_chance", "people.working")

    cohort: Cohorts = Field("all", description="who is eligible: all, extremist or comparison")
    course_weeks: int = lever_field(
        26,
        unit="weeks",
        plausible=(12, 104),
        bounds=(1, 520),
        source="assumption (a course of about half a year)",
        doc="weeks in class to complete the course (over all stays)",
    )
    hope_effect: float = lever_field(
        0.001,
        unit="per week",
        plausible=(0.0, 0.005),
        bounds=(0.0, 0.05),
        source="assumption",
        doc="weekly hope gain while in class, times (1 - hope)",
    )
    boredom_relief: float = lever_field(
        0.5,
        unit="share",
        plausible=(0.2, 0.8),
        bounds=(0.0, 1.0),
        source="assumption",
        doc="share of the weekly boredom loss of hope removed (in class, and for completers "
        "followed after release)",
    )
    transition_work_chance: float = lever_field(
        1.5,
        unit="multiplier",
        plausible=(1.0, 2.0),
        bounds=(1.0, 5.0),
        source="assumption; with arranged_share it sets the employment effect, which Davis et "
        "al. 2013 put at about 1.13 times the odds of employment after release",
        doc="multiplier on the weekly chance of finding work or education for release while in "
        "class in transition planning (with an employment adviser)",
    )
    arranged_share: float = lever_field(
        0.2,
        unit="probability",
        plausible=(0.05, 0.3),
        bounds=(0.0, 1.0),
        source="assumption (see transition_work_chance)",
        doc="chance that a completer without work arranged leaves with a place in education or "
        "work on the release day",
    )
    after_release_hope: float = lever_field(
        0.002,
        unit="per week",
        plausible=(0.0, 0.005),
        bounds=(0.0, 0.05),
        source="assumption (continued learning and a qualification to build on)",
        doc="weekly hope gain of completers followed after release, times (1 - hope)",
    )
    after_release_years: float = lever_field(
        2.0,
        unit="years",
        plausible=(0.5, 3.0),
        bounds=(0.0, 10.0),
        source="assumption",
        doc="how long completers are followed after release",
    )

    def _state(self, m: ReintegrationModel) -> dict[str, np.ndarray]:
        state = lever_state(m, self.key)
        if "weeks" not in state:
            state["weeks"] = np.zeros(m.people.n, np.int32)  # weeks in class, over all stays
            state["completed"] = np.zeros(m.people.n, bool)
        return state

    def eligible(self, m: ReintegrationModel) -> np.ndarray:
        p = m.people
        followed = self._state(m)["completed"] & released_within(
            m, self.after_release_years * WEEKS_PER_YEAR
        )
        return (p.in_custody() | followed) & cohort_mask(m, self.cohort)

    def apply(self, m: ReintegrationModel, served: np.ndarray) -> None:
        p = m.people
        state = self._state(m)
        weeks, completed = state["weeks"], state["completed"]
        in_class = served & p.in_custody()
        weeks[in_class] += 1
        done_now = in_class & ~completed & (weeks >= self.course_weeks)
        completed |= done_now
        milestone = m.params.behaviour.hope_per_milestone * done_now
        m.mod.add("hope_change", in_class, (self.hope_effect + milestone) * (1.0 - p.hope))
        m.mod.multiply("boredom", in_class, 1.0 - self.boredom_relief)
        m.mod.multiply(
            "work_chance", in_class & (p.phase == Phase.TRANSITION), self.transition_work_chance
        )
        leaving = in_class & completed & due_for_release(m) & ~p.working
        _arranged(m, "intervention:education:arranged", self.arranged_share, leaving)
        outside = served & p.in_community()
        m.mod.add("hope_change", outside, self.after_release_hope * (1.0 - p.hope))
        m.mod.multiply("boredom", outside, 1.0 - self.boredom_relief)


@register
class PrisonWork(Intervention):
    """Work in custody (workshops, kitchens, cleaning, outside work parties): a working day
    instead of idle hours, so boredom wears hope down much less and hope grows a little; on the
    release day a worker without work arranged leaves, with probability ``job_at_release``,
    with a job arranged through the prison's work partners."""

    key: ClassVar[str] = "prison_work"
    typical_cost_per_case_week: ClassVar[float] = 40.0
    typical_cost_per_case: ClassVar[float] = 0.0
    label: ClassVar[str] = "Work in custody"
    section: ClassVar[str] = "Prisons and prison regime; Goals; Material support"
    evidence: ClassVar[str] = (
        "assumption; kept small after EVIDENCE 4: Visher et al. 2005 (employment programmes "
        "alone show no significant reduction: a job programme is not a job)"
    )
    mechanism: ClassVar[str] = (
        "hope (less boredom, a little growth: the hope terms of both hazards) and work arranged "
        "for release (the work term of the reoffending hazard, looser group ties)"
    )
    writes: ClassVar[tuple[str, ...]] = ("boredom", "hope_change", "people.working")

    cohort: Cohorts = Field("all", description="who is eligible: all, extremist or comparison")
    boredom_relief: float = Field(
        0.7, ge=0.0, le=1.0, description="share of the weekly boredom loss of hope removed"
    )
    hope_effect: float = Field(
        0.001, ge=0.0, le=0.05, description="weekly hope gain while working, times (1 - hope)"
    )
    job_at_release: float = Field(
        0.15,
        ge=0.0,
        le=1.0,
        description="chance that a worker without work arranged leaves with a job on the "
        "release day",
    )

    def eligible(self, m: ReintegrationModel) -> np.ndarray:
        return m.people.in_custody() & cohort_mask(m, self.cohort)

    def apply(self, m: ReintegrationModel, served: np.ndarray) -> None:
        p = m.people
        m.mod.multiply("boredom", served, 1.0 - self.boredom_relief)
        m.mod.add("hope_change", served, self.hope_effect * (1.0 - p.hope))
        leaving = served & due_for_release(m) & ~p.working
        _arranged(m, "intervention:prison_work:job", self.job_at_release, leaving)


@register
class Sport(Intervention):
    """Sport and physical activity in custody: anger at the start of a sentence is worked off,
    so fewer incidents are perceived as unfair (multiplier ``unfairness_ratio`` on their
    chance), hope grows a little and boredom wears it down less."""

    key: ClassVar[str] = "sport"
    typical_cost_per_case_week: ClassVar[float] = 20.0
    typical_cost_per_case: ClassVar[float] = 0.0
    label: ClassVar[str] = "Sport and physical activity in custody"
    section: ClassVar[str] = "Prisons and prison regime; Goals"
    evidence: ClassVar[str] = "assumption"
    mechanism: ClassVar[str] = (
        "fewer incidents perceived as unfair (trust kept, less grievance feeding belief) and hope"
    )
    writes: ClassVar[tuple[str, ...]] = ("unfairness", "hope_change", "boredom")

    cohort: Cohorts = Field("all", description="who is eligible: all, extremist or comparison")
    unfairness_ratio: float = Field(
        0.85, ge=0.0, le=1.0, description="multiplier on the chance of an unfair incident"
    )
    hope_effect: float = Field(
        0.001, ge=0.0, le=0.05, description="weekly hope gain, times (1 - hope)"
    )
    boredom_relief: float = Field(
        0.3, ge=0.0, le=1.0, description="share of the weekly boredom loss of hope removed"
    )

    def eligible(self, m: ReintegrationModel) -> np.ndarray:
        return m.people.in_custody() & cohort_mask(m, self.cohort)

    def apply(self, m: ReintegrationModel, served: np.ndarray) -> None:
        p = m.people
        m.mod.multiply("unfairness", served, self.unfairness_ratio)
        m.mod.add("hope_change", served, self.hope_effect * (1.0 - p.hope))
        m.mod.multiply("boredom", served, 1.0 - self.boredom_relief)


@register
class ReligiousSupport(Intervention):
    """Vetted religious counsel as a programme of its own, with its own places, in parallel to
    exit work (not part of it): for people of the extremist cohort who still hold the belief
    (ideology above ``behaviour.deradicalised_threshold``), from custody through the transition
    and for ``after_release_years`` after release. Critical engagement with the abuse of
    religion lowers ideology a little each week; counsel fosters hope, and support offered to
    the family raises its trust in agencies. Adds to the register's religious counsellors
    (``agencies.religious_*``), which keep working as before."""

    key: ClassVar[str] = "religious_support"
    typical_cost_per_case_week: ClassVar[float] = 80.0
    typical_cost_per_case: ClassVar[float] = 0.0
    label: ClassVar[str] = "Vetted religious counsel programme"
    section: ClassVar[str] = "Theological support; Social support"
    evidence: ClassVar[str] = (
        "assumption (as agencies.religious_effect; no outcome data on religious counsel)"
    )
    mechanism: ClassVar[str] = (
        "belief (ideology: the terrorism hazard, re-engagement), hope and the family's trust in "
        "agencies (family ties grow faster, more re-engagement documented)"
    )
    writes: ClassVar[tuple[str, ...]] = ("ideology_change", "hope_change", "family_trust_change")

    ideology_effect: float = Field(
        0.003, ge=0.0, le=0.05, description="weekly reduction of ideology, times ideology"
    )
    hope_effect: float = Field(
        0.001, ge=0.0, le=0.05, description="weekly hope gain, times (1 - hope)"
    )
    family_trust_effect: float = Field(
        0.002,
        ge=0.0,
        le=0.05,
        description="weekly gain of the family's trust in agencies, times (1 - trust)",
    )
    after_release_years: float = Field(
        1.0, ge=0.0, le=10.0, description="how long counsel continues after release"
    )

    def eligible(self, m: ReintegrationModel) -> np.ndarray:
        p = m.people
        after = released_within(m, self.after_release_years * WEEKS_PER_YEAR)
        believing = p.ideology > m.params.behaviour.deradicalised_threshold
        return (p.in_custody() | after) & extremist(m) & believing

    def apply(self, m: ReintegrationModel, served: np.ndarray) -> None:
        p = m.people
        m.mod.add("ideology_change", served, -self.ideology_effect * p.ideology)
        m.mod.add("hope_change", served, self.hope_effect * (1.0 - p.hope))
        m.mod.add("family_trust_change", served, self.family_trust_effect * (1.0 - p.family_trust))
