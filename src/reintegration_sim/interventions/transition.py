"""Levers of transition management: the release day, the handover and conditional early
release [RAN 2018, Transition management; Multi-agency cooperation; Release conditions]."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np
from pydantic import Field

from ..model.agents import Phase
from ..model.population import NO_EVENT
from .base import (
    Intervention,
    cohort_mask,
    due_for_release,
    lever_field,
    lever_state,
    register,
)

if TYPE_CHECKING:
    from ..model.simulation import ReintegrationModel


@register
class GatePickup(Intervention):
    """Somebody the person trusts meets them at the gate on release day, so that recruiters
    waiting there find them accompanied. ``by`` says who: an exit worker or probation officer
    (counts as a practitioner at the gate and keeps the relationship across the gate: the trust
    lost at a handover is multiplied by ``handover_ratio``) or family (helped to come, a family
    pick-up)."""

    key: ClassVar[str] = "gate_pickup"
    typical_cost_per_case_week: ClassVar[float] = 0.0
    typical_cost_per_case: ClassVar[float] = 250.0
    label: ClassVar[str] = "Gate pick-up"
    section: ClassVar[str] = "Transition management"
    evidence: ClassVar[str] = "assumption (no data on gate recruitment)"
    mechanism: ClassVar[str] = (
        "who meets the person at the gate (recruiters waiting there succeed less often: ties to "
        "the group) and, with a practitioner, trust kept across the gate"
    )
    writes: ClassVar[tuple[str, ...]] = ("gate_practitioner", "gate_family", "handover_loss")

    by: Literal["exit_worker", "probation", "family"] = Field(
        "exit_worker", description="who meets the person at the gate"
    )
    cohort: Literal["extremist", "all"] = Field("extremist", description="who is eligible")
    handover_ratio: float = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description="multiplier on the trust lost at a handover when a practitioner meets the "
        "person (not with by = family)",
    )

    def eligible(self, m: ReintegrationModel) -> np.ndarray:
        return due_for_release(m) & cohort_mask(m, self.cohort)

    def apply(self, m: ReintegrationModel, served: np.ndarray) -> None:
        if self.by == "family":
            m.mod.add("gate_family", served, 1.0)
        else:
            m.mod.add("gate_practitioner", served, 1.0)
            m.mod.multiply("handover_loss", served, self.handover_ratio)


@register
class ConditionalEarlyRelease(Intervention):
    """Conditional early release on a plan, as in Austria: family, experts, NGOs and probation
    plan the release together (housing, work, free time) and the plan goes to a judge, who
    decides whether the person can be released early on conditions. Once per stay, in the first
    week the person has a plan, the judge hears the case: with ``plan`` = "transition" a plan
    exists for everyone in transition planning, with "meeting" only for people served by
    multi-agency meetings (the ``case_conference`` lever: the social network meeting). With
    probability ``grant_probability`` the judge brings the scheduled release forward by the
    share ``remitted_share`` of the sentence still to serve (to next week at the earliest).
    The person then leaves on licence as at any release (licence, conditions, recalls:
    ``release_day``), so the licence covers the time remitted. People in custody on a recall
    are not heard (their licence resumes), nor is anyone without a plan. Early release acts
    only through time: fewer weeks in custody (and their cost), a shorter run-up in which the
    plan's housing and work are sought, and earlier weeks in the community."""

    key: ClassVar[str] = "conditional_early_release"
    typical_cost_per_case_week: ClassVar[float] = 0.0
    typical_cost_per_case: ClassVar[float] = 200.0
    label: ClassVar[str] = "Conditional early release on a plan (Austria)"
    section: ClassVar[str] = (
        "Multi-agency cooperation (Austrian social network meetings); Release conditions"
    )
    evidence: ClassVar[str] = (
        "RAN 2018 [Multi-agency cooperation]: the plan of the social network meeting goes to a "
        "judge who decides on conditional release; no figure on how early or how often: the "
        "share remitted and the chance of a grant are assumptions"
    )
    mechanism: ClassVar[str] = (
        "time in custody: the scheduled release is brought forward (fewer custody weeks and "
        "their cost, less time to find housing and work before the gate, more time in the "
        "community on licence)"
    )
    writes: ClassVar[tuple[str, ...]] = ("people.release_week",)

    plan: Literal["transition", "meeting"] = Field(
        "transition",
        description="who has a plan: everyone in transition planning, or only people served by "
        "multi-agency meetings (case_conference; without that lever nobody)",
    )
    remitted_share: float = lever_field(
        0.5,
        unit="share of the sentence still to serve",
        plausible=(0.25, 1.0),
        bounds=(0.0, 1.0),
        source="assumption (no figure in EVIDENCE.md or the paper; the hearing comes when the "
        "plan is made, release.planning_lead_weeks before the scheduled release, so the share "
        "is of that time)",
        doc="share of the remaining sentence by which the judge brings the release forward",
    )
    grant_probability: float = lever_field(
        0.7,
        unit="probability",
        plausible=(0.3, 1.0),
        bounds=(0.0, 1.0),
        source="assumption (no figure on how often judges grant release on a network plan)",
        doc="chance that the judge grants conditional release to a person with a plan",
    )
    cohort: Literal["extremist", "all"] = Field("all", description="whose cases are heard")

    def _state(self, m: ReintegrationModel) -> dict[str, np.ndarray]:
        state = lever_state(m, self.key)
        if "heard_week" not in state:
            n = m.people.n
            state["heard_week"] = np.full(n, NO_EVENT, np.int32)  # last hearing (-1: none)
            state["remitted_weeks"] = np.zeros(n, np.int32)  # weeks remitted, over all stays
            # one draw per person from the lever's own stream: the judge's decision
            state["u"] = m.streams.extra(f"intervention:{self.key}:grant").random(n)
        return state

    def _has_plan(self, m: ReintegrationModel) -> np.ndarray:
        if self.plan == "transition":
            return m.people.phase == Phase.TRANSITION
        # the meetings' places this week: their lever acts before this one (registry order:
        # cooperation levers before transition levers)
        for delivery in m.deliveries:
            if delivery.intervention.key == "case_conference":
                return delivery.caseload.served.copy()
        return np.zeros(m.people.n, bool)

    def eligible(self, m: ReintegrationModel) -> np.ndarray:
        p = m.people
        not_heard = self._state(m)["heard_week"] <= p.last_release_week  # not in this stay
        waiting = p.in_custody() & ~p.on_recall & (p.release_week > m.week)
        return waiting & not_heard & self._has_plan(m) & cohort_mask(m, self.cohort)

    def apply(self, m: ReintegrationModel, served: np.ndarray) -> None:
        p = m.people
        state = self._state(m)
        state["heard_week"][served] = m.week
        granted = served & (state["u"] < self.grant_probability)
        remaining = p.release_week - m.week
        earlier = np.minimum(np.floor(self.remitted_share * remaining), remaining - 1)
        earlier = earlier.astype(np.int32)
        p.release_week[granted] -= earlier[granted]
        state["remitted_weeks"][granted] += earlier[granted]
