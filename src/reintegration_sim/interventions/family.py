"""Levers for families and friends [RAN 2018, Social support]."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np
from pydantic import Field

from .base import Intervention, lever_field, register

if TYPE_CHECKING:
    from ..model.simulation import ReintegrationModel


@register
class FamilySupport(Intervention):
    """Support for families at the three levels of the paper: 1 information (the family
    understands the process and trusts agencies more: ``information_effect``), 2 keeping a
    positive relationship (family ties grow faster after release and conflicts are rarer:
    ``growth_ratio``, ``conflict_ratio``; in custody, help to keep in contact through visits,
    calls and family days lets ties grow there at the share ``custody_contact`` of the growth
    after release instead of only fading), 3 psychological help (conflicts under stress much
    rarer: ``psychological_conflict_ratio`` on top). Each level includes the ones below it.
    Families with ties above ``min_family_ties`` are eligible. Family ties act on reoffending
    (``offending.hr_family``), on breaches of licence and recalls
    (``offending.recall_family_reduction``), on hope (the family-contact milestone), on ties to
    the group and on who meets the person at the gate."""

    key: ClassVar[str] = "family_support"
    typical_cost_per_case_week: ClassVar[float] = 40.0
    typical_cost_per_case: ClassVar[float] = 0.0
    label: ClassVar[str] = "Family support"
    section: ClassVar[str] = "Social support"
    evidence: ClassVar[str] = (
        "assumption; contact in custody checked against Duwe & Clark 2013 (visited prisoners "
        "about 13 % lower risk of a new felony conviction and 25 % lower risk of revocation for "
        "a technical violation), not sized to it"
    )
    mechanism: ClassVar[str] = (
        "family ties (the family term of the reoffending hazard, fewer breaches and recalls, "
        "the family-contact milestone, looser group ties, a family at the gate, less openness "
        "to recruiters) and the family's trust in agencies (ties grow faster, more "
        "re-engagement documented)"
    )
    writes: ClassVar[tuple[str, ...]] = (
        "family_trust_change",
        "family_growth",
        "family_conflict",
        "custody_family_contact",
    )

    level: Literal[1, 2, 3] = Field(2, description="1 information, 2 relationship, 3 psychological")
    min_family_ties: float = Field(
        0.05, ge=0.0, le=1.0, description="family ties above which a family is eligible"
    )
    information_effect: float = Field(
        0.01,
        ge=0.0,
        le=0.05,
        description="weekly gain of the family's trust in agencies, times (1 - trust)",
    )
    growth_ratio: float = Field(
        1.5, ge=1.0, le=3.0, description="level 2 on: multiplier on weekly family-ties growth"
    )
    conflict_ratio: float = Field(
        0.75, ge=0.0, le=1.0, description="level 2 on: multiplier on the chance of a conflict"
    )
    psychological_conflict_ratio: float = Field(
        0.5, ge=0.0, le=1.0, description="level 3: further multiplier on the chance of a conflict"
    )
    custody_contact: float = lever_field(
        0.5,
        unit="share of the weekly growth of family ties after release",
        plausible=(0.2, 1.0),
        bounds=(0.0, 1.0),
        source="assumption (visits, calls and family days in custody; 39 % of prisoners are "
        "never visited, Duwe & Clark 2013, EVIDENCE 2)",
        doc="level 2 on, in custody: family ties grow at this share of their growth after "
        "release (without it they only fade)",
    )

    def unit_costs(self) -> tuple[float, float]:
        """The typical weekly cost grows with the level: EUR 10 for information, 40 with
        relationship work, 100 with psychological help (assumption)."""
        if self.cost_per_case_week is None:
            return {1: 10.0, 2: 40.0, 3: 100.0}[self.level], self.unit_costs_default()[1]
        return self.unit_costs_default()

    def eligible(self, m: ReintegrationModel) -> np.ndarray:
        p = m.people
        return p.alive() & (p.family_ties > self.min_family_ties)

    def apply(self, m: ReintegrationModel, served: np.ndarray) -> None:
        p = m.people
        m.mod.add("family_trust_change", served, self.information_effect * (1.0 - p.family_trust))
        if self.level >= 2:
            m.mod.multiply("family_growth", served, self.growth_ratio)
            m.mod.multiply("family_conflict", served, self.conflict_ratio)
            m.mod.add("custody_family_contact", served & p.in_custody(), self.custody_contact)
        if self.level >= 3:
            m.mod.multiply("family_conflict", served, self.psychological_conflict_ratio)
