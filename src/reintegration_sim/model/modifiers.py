"""Per-person modifiers through which interventions reach the weekly rules.

Interventions never rewrite a rule. Each week the model resets the modifiers to neutral; every
active intervention then writes into them for the people it serves (multiplying a chance,
adding to a change), and the rules in :mod:`reintegration_sim.model.submodels` read them. A modifier
nobody wrote stays a neutral scalar (1.0 or 0.0), which numpy broadcasts at no cost, so a
scenario without interventions, or with an intervention at zero coverage, computes exactly what
the baseline computes.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Modifiers", "NEUTRAL"]

#: a modifier: a neutral scalar, or one value per person once an intervention wrote to it
type Value = float | np.ndarray


class Modifiers:
    """The week's modifiers: scalars until an intervention writes to one, then arrays.

    Each annotated class attribute is one modifier at its neutral value, with what reads it.
    """

    trust_growth: Value = 1.0  # x weekly trust growth with practitioners (practitioner_work)
    ideology_change: Value = 0.0  # + weekly change of ideology (practitioner_work)
    ties_change: Value = 0.0  # + weekly change of group ties (practitioner_work)
    hope_change: Value = 0.0  # + weekly change of hope (practitioner_work)
    stigma: Value = 0.0  # + stigma met (update_stigma)
    unfairness: Value = 1.0  # x chance of an unfair incident (unfair_incidents)
    housing_chance: Value = 1.0  # x weekly chance of finding housing (material_support)
    work_chance: Value = 1.0  # x weekly chance of finding work or education (material_support)
    family_growth: Value = 1.0  # x weekly growth of family ties (family_dynamics)
    family_conflict: Value = 1.0  # x chance of a family conflict (family_dynamics)
    family_trust_change: Value = 0.0  # + weekly change of the family's trust in agencies
    # + contact with the family in custody (visits, calls), as a share of the weekly growth of
    # family ties after release; without it ties only fade in custody (family_dynamics)
    custody_family_contact: Value = 0.0
    recruit_success: Value = 1.0  # x chance a recruiter's approach or gate pick-up succeeds
    gate_practitioner: Value = 0.0  # 1 = a practitioner meets the person at the gate (release_day)
    gate_family: Value = 0.0  # 1 = the family is helped to meet them at the gate (release_day)
    handover_loss: Value = 1.0  # x share of trust lost at a change of practitioner (release_day)
    # + share of the mental health treatment's effect received outside the mental health
    # service (capped at a treated person's; offending_hazards)
    treatment: Value = 0.0
    # x weekly hazards of a proven reoffence and of a terrorism offence (offending_hazards):
    # the direct channel, open only to levers that say why no mechanism carries their effect
    # (Intervention.direct_hazard); no lever writes them at present
    hazard: Value = 1.0
    terror_hazard: Value = 1.0
    detection: Value = 1.0  # x chance that re-engagement is documented (detect_and_recall)
    recall: Value = 1.0  # x weekly hazard of recall (detect_and_recall)
    milestone_hope: Value = 1.0  # x hope from a milestone reached (reach_milestones)
    boredom: Value = 1.0  # x weekly loss of hope to boredom (drift_ideology_and_ties)
    prison_recruit_success: Value = 1.0  # x recruiters' success in prison (recruit_in_prison)
    # > 0: a release plan lets the person search for housing and work while still in
    # transition, even without an agency worker (material_support)
    planned_search: Value = 0.0
    # x prejudice that press coverage of terrorism offences adds to the person's home community;
    # written alike for all its residents (offend_and_reconvict)
    press_prejudice: Value = 1.0

    def __init__(self, n_people: int) -> None:
        self.n = n_people
        self.touched: set[str] = set()  # until written to, a modifier is its class's neutral value

    def reset(self) -> None:
        """Every modifier back to neutral (only those written to this week have moved)."""
        for name in self.touched:
            setattr(self, name, NEUTRAL[name])
        self.touched = set()

    def _array(self, name: str) -> np.ndarray:
        if name not in NEUTRAL:
            raise KeyError(f"unknown modifier {name!r}; known: {sorted(NEUTRAL)}")
        if name not in self.touched:
            setattr(self, name, np.full(self.n, NEUTRAL[name]))
            self.touched.add(name)
        return getattr(self, name)

    def multiply(self, name: str, mask: np.ndarray, factor: float | np.ndarray) -> None:
        """Multiply modifier ``name`` by ``factor`` for the people in ``mask``."""
        values = self._array(name)
        values[mask] *= factor if np.isscalar(factor) else np.asarray(factor)[mask]

    def add(self, name: str, mask: np.ndarray, amount: float | np.ndarray) -> None:
        """Add ``amount`` to modifier ``name`` for the people in ``mask``."""
        values = self._array(name)
        values[mask] += amount if np.isscalar(amount) else np.asarray(amount)[mask]


#: every modifier and its neutral value (the class attributes of :class:`Modifiers`)
NEUTRAL: dict[str, float] = {name: getattr(Modifiers, name) for name in Modifiers.__annotations__}
