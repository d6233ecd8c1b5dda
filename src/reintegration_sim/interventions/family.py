"""Levers for families and friends, and gender-specific pathways for women [RAN 2018, Social
support; Key takeaways]."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np
from pydantic import Field

from .base import Intervention, cohort_mask, lever_field, register, returning

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


@register
class WomenCentredSupport(Intervention):
    """Gender-specific pathways for women, as the paper's key takeaways ask (programmes tailored
    to women's needs): a women-only, trauma-informed service with one key worker, such as the
    women's centres of England and Wales, from transition planning to ``weeks_after_release``
    after release. Relationships with children and family are kept up and rebuilt (family ties
    grow ``family_growth_ratio`` times as fast, conflicts under stress are ``conflict_ratio`` as
    likely), the key worker builds trust faster (``trust_effect``), work on self-esteem gives
    hope (``hope_effect`` x (1 - hope) a week) and the accommodation pathway multiplies the
    weekly chance of finding housing by ``housing_ratio``. It acts only through these mechanisms
    of the model (family ties, trust, hope, housing), never on a hazard directly: its effect on
    reoffending is what they carry. Only women are eligible; where people cannot influence each
    other, men are left exactly as they were."""

    key: ClassVar[str] = "women_centred_support"
    typical_cost_per_case_week: ClassVar[float] = 60.0
    typical_cost_per_case: ClassVar[float] = 0.0
    label: ClassVar[str] = "Gender-specific pathways for women (women's centres)"
    section: ClassVar[str] = "Key takeaways (gender); Social support; Goals; Material support"
    evidence: ClassVar[str] = (
        "acts through mechanisms (family ties, trust, hope, housing), not on a hazard; each "
        "effect size is an assumption, and what they carry is checked (not fitted) against the "
        "Justice Data Lab's findings for women's centres (MoJ 2015: 1-9 percentage points less "
        "one-year proven reoffending across England; MoJ 2024, Brighton Women's Centre: 25 % "
        "against 28 %, not significant); HMI Probation's evidence base on women: relationships "
        "are central to their desistance, women's centres engage those who attend"
    )
    mechanism: ClassVar[str] = (
        "family ties (faster growth, fewer conflicts), trust in the key worker, hope and "
        "housing, for women only; never a hazard directly"
    )
    writes: ClassVar[tuple[str, ...]] = (
        "family_growth",
        "family_conflict",
        "trust_growth",
        "hope_change",
        "housing_chance",
    )

    cohort: Literal["all", "extremist", "comparison"] = Field(
        "all", description="whose women are eligible"
    )
    weeks_after_release: int = Field(
        52, ge=0, le=520, description="weeks after release that women stay on the caseload"
    )
    family_growth_ratio: float = Field(
        1.5, ge=1.0, le=3.0, description="multiplier on the weekly growth of family ties"
    )
    conflict_ratio: float = Field(
        0.75, ge=0.0, le=1.0, description="multiplier on the chance of a family conflict"
    )
    trust_effect: float = Field(
        1.2, ge=1.0, le=2.0, description="multiplier on weekly trust growth with practitioners"
    )
    hope_effect: float = Field(0.002, ge=0.0, le=0.01, description="weekly hope gain x (1 - hope)")
    housing_ratio: float = Field(
        1.3, ge=1.0, le=3.0, description="multiplier on the weekly chance of finding housing"
    )

    def eligible(self, m: ReintegrationModel) -> np.ndarray:
        p = m.people
        return p.female & returning(m, self.weeks_after_release) & cohort_mask(m, self.cohort)

    def apply(self, m: ReintegrationModel, served: np.ndarray) -> None:
        p = m.people
        m.mod.multiply("family_growth", served, self.family_growth_ratio)
        m.mod.multiply("family_conflict", served, self.conflict_ratio)
        m.mod.multiply("trust_growth", served, self.trust_effect)
        m.mod.add("hope_change", served, self.hope_effect * (1.0 - p.hope))
        m.mod.multiply("housing_chance", served, self.housing_ratio)
