"""Levers of material support and release conditions [RAN 2018, Material support; Mental
health; Release conditions]."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np
from pydantic import Field

from ..model.agents import AgencyKind, Phase
from .base import Intervention, cohort_mask, register, returning

if TYPE_CHECKING:
    from ..model.simulation import ReintegrationModel

__all__ = ["MaterialSupport", "ReleaseConditions"]

#: weekly contacts with the supervising officer on an ordinary licence: the unit that
#: ``contacts_per_week`` is measured against (structure, not a parameter: the baseline's contact
#: on licence is ``agencies.contact_probation``, and the lever's effect is sized by
#: ``contacts_per_week`` and ``contact_exponent``)
_USUAL_CONTACTS = 1.0


@register
class MaterialSupport(Intervention):
    """Material support planned before release and delivered after it: help with housing, with
    work, with education or training, and access to health care. In transition a release plan
    lets the person look for housing and work before the gate (even without an agency worker);
    from transition to ``weeks_after_release`` after release the weekly chance of finding housing
    or work is multiplied. The effect goes only through housing or work actually found (a job
    programme is not a job; Visher et al. 2005). Health care gives released people with
    psychosis or depression the mental health treatment's effect (as a place at the service
    does: the modifier ``treatment``). Needs met
    also make recruiters' offers of belonging and help less attractive (the model's
    vulnerability term), so recruitment falls without a separate effect here."""

    key: ClassVar[str] = "material_support"
    typical_cost_per_case_week: ClassVar[float] = 150.0
    typical_cost_per_case: ClassVar[float] = 0.0
    label: ClassVar[str] = "Material support: housing, work, education, health care"
    section: ClassVar[str] = "Material support; Mental health; Transition management"
    evidence: ClassVar[str] = (
        "assumption for housing and work chances (EVIDENCE 4: Visher et al. 2005, employment "
        "programmes alone no reduction, so effects run only through work found); education "
        "EVIDENCE 4: Davis et al. 2013 (43 % lower odds, through work or education found); "
        "health care EVIDENCE 4: Chang et al. 2015 (HR 1.6-2.0) with the register's treatment "
        "effect (Hopkin et al. 2018, mixed)"
    )
    mechanism: ClassVar[str] = (
        "housing and work or education found (the housing and work terms of the reoffending "
        "hazard, fewer recalls without housing, looser group ties, milestones, less need to make "
        "recruiters' offers attractive) and mental health treatment (the mental health term of "
        "the reoffending hazard, as for a place at the service)"
    )
    writes: ClassVar[tuple[str, ...]] = (
        "housing_chance",
        "work_chance",
        "planned_search",
        "treatment",
    )

    housing: bool = Field(True, description="help to find housing")
    work: bool = Field(True, description="help to find work")
    education: bool = Field(True, description="education or training places")
    health_care: bool = Field(True, description="access to mental health care for those with needs")
    housing_ratio: float = Field(
        2.0, ge=1.0, le=5.0, description="multiplier on the weekly chance of finding housing"
    )
    work_ratio: float = Field(
        1.3, ge=1.0, le=5.0, description="multiplier on the weekly chance of finding work"
    )
    education_ratio: float = Field(
        1.2, ge=1.0, le=5.0, description="further multiplier on that chance from education"
    )
    cohort: Literal["extremist", "all"] = Field("all", description="who is eligible")
    weeks_after_release: int = Field(
        52, ge=1, le=1040, description="weeks after release that support continues"
    )

    def _needs(self, m: ReintegrationModel) -> np.ndarray:
        p = m.people
        needs = np.zeros(p.n, bool)
        if self.housing:
            needs |= ~p.housed
        if self.work or self.education:
            needs |= ~p.working & (p.age < m.params.agencies.work_age_limit)
        if self.health_care:
            needs |= p.mental_health > 0
        return needs

    def eligible(self, m: ReintegrationModel) -> np.ndarray:
        mask = returning(m, self.weeks_after_release) & self._needs(m)
        return mask & cohort_mask(m, self.cohort)

    def apply(self, m: ReintegrationModel, served: np.ndarray) -> None:
        p = m.people
        if self.housing:
            m.mod.multiply("housing_chance", served & ~p.housed, self.housing_ratio)
        if self.work or self.education:
            ratio = (self.work_ratio if self.work else 1.0) * (
                self.education_ratio if self.education else 1.0
            )
            m.mod.multiply("work_chance", served & ~p.working, ratio)
        if self.housing or self.work or self.education:
            m.mod.add("planned_search", served & (p.phase == Phase.TRANSITION), 1.0)
        if self.health_care:
            m.mod.add("treatment", served & p.in_community() & (p.mental_health > 0), 1.0)


@register
class ReleaseConditions(Intervention):
    """Stricter release conditions for people on licence: electronic monitoring (an ankle
    monitor), house arrest, and more frequent contact with the supervising officer. Monitoring
    and house arrest add stigma; every condition is also a chance of a breach, so recalls rise;
    monitoring, house arrest and contacts give more occasions to notice re-engagement
    (detection) and, where an exit worker works with the person, to continue that work (faster
    trust growth). Monitoring brings the baseline's monitoring stigma and recalls, its extra
    contact (``release.monitoring_contact``) builds trust where an exit worker works with the
    person, and it multiplies detection by ``monitoring_detection`` (location data). More
    contacts multiply detection, recall and (with an exit worker) trust growth by
    (``contacts_per_week`` / 1) ^ ``contact_exponent``; house arrest (``house_arrest_*``) adds
    stigma, detection, recalls and (with an exit worker) trust growth and makes work harder to
    find. Nothing here acts on offending directly: supervision alone (monitoring and contacts
    with the supervising officer) does not lower reoffending (Koehler et al. 2013); what it
    does to offending comes from recalls, stigma, work and, with exit work, trust. People
    already monitored under the baseline release rules get nothing more from ``monitoring``."""

    key: ClassVar[str] = "release_conditions"
    typical_cost_per_case_week: ClassVar[float] = 90.0
    typical_cost_per_case: ClassVar[float] = 0.0
    label: ClassVar[str] = "Release conditions: monitoring, house arrest, contacts"
    section: ClassVar[str] = "Release conditions"
    evidence: ClassVar[str] = (
        "EVIDENCE 4: Koehler et al. 2013 (deterrence or supervision alone no benefit, OR 0.85), "
        "a pattern the lever is checked against, not sized to (tests/test_levers_patterns.py); "
        "Di Tella & Schargrodsky 2013 (monitoring no more criminogenic than prison); Hopkin et "
        "al. 2018 (closer supervision raises recalls); stigma, contact and recall sizes: the "
        "register's release parameters and assumption"
    )
    mechanism: ClassVar[str] = (
        "stigma (harder to find housing and work, rejection feeding belief), recalls (time back "
        "in custody), detection of re-engagement (recall, disruption) and, only where an exit "
        "worker works with the person, trust (the trust term of the reoffending hazard, fewer "
        "recalls)"
    )
    writes: ClassVar[tuple[str, ...]] = (
        "stigma",
        "trust_growth",
        "recall",
        "detection",
        "work_chance",
    )

    monitoring: bool = Field(True, description="electronic monitoring (ankle monitor)")
    house_arrest: bool = Field(False, description="house arrest outside set hours")
    contacts_per_week: float = Field(
        2.0, ge=0.25, le=7.0, description="contacts with the supervising officer a week (usual: 1)"
    )
    house_arrest_stigma: float = Field(
        0.1, ge=0.0, le=0.5, description="stigma added by house arrest (on top of monitoring)"
    )
    cohort: Literal["extremist", "all"] = Field("extremist", description="who is eligible")
    contact_exponent: float = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description="trust growth, detection and recall grow with (contacts per week) to this "
        "power (0.5: square root, diminishing returns)",
    )
    monitoring_detection: float = Field(
        1.5, ge=1.0, le=3.0, description="multiplier on detection from monitoring (location data)"
    )
    house_arrest_trust: float = Field(
        1.25, ge=1.0, le=3.0, description="multiplier on trust growth from house arrest"
    )
    house_arrest_detection: float = Field(
        1.25, ge=1.0, le=3.0, description="multiplier on detection from house arrest"
    )
    house_arrest_recall: float = Field(
        1.5, ge=1.0, le=3.0, description="multiplier on the recall hazard from house arrest"
    )
    house_arrest_work: float = Field(
        0.7,
        ge=0.0,
        le=1.0,
        description="multiplier on the chance of finding work under house arrest",
    )

    def eligible(self, m: ReintegrationModel) -> np.ndarray:
        p = m.people
        mask = (p.phase == Phase.LICENCE) | (p.phase == Phase.RELEASE_DAY)
        return mask & cohort_mask(m, self.cohort)

    def apply(self, m: ReintegrationModel, served: np.ndarray) -> None:
        p, rel = m.people, m.params.release
        contacts = (self.contacts_per_week / _USUAL_CONTACTS) ** self.contact_exponent
        trust = contacts
        detection = contacts
        recall = contacts
        stigma = 0.0
        # the extra occasions build a working relationship only where somebody does exit work
        # with the person; contacts with the supervising officer alone are supervision
        with_exit_work = served & m.caseloads[AgencyKind.EXIT].served
        if self.monitoring:
            # the same stigma and recall hazard as baseline monitoring (update_stigma,
            # detect_and_recall); its extra contact builds trust only with exit work (as the
            # contacts below); location data help detection
            newly = served & ~p.monitored
            m.mod.add("stigma", newly, rel.monitoring_stigma)
            m.mod.multiply("trust_growth", newly & with_exit_work, rel.monitoring_contact)
            m.mod.multiply("recall", newly, m.params.offending.recall_monitored)
            detection *= self.monitoring_detection
        if self.house_arrest:
            stigma += self.house_arrest_stigma
            trust *= self.house_arrest_trust
            detection *= self.house_arrest_detection
            recall *= self.house_arrest_recall
            m.mod.multiply("work_chance", served, self.house_arrest_work)
        if stigma:
            m.mod.add("stigma", served, stigma)
        m.mod.multiply("trust_growth", with_exit_work, trust)
        m.mod.multiply("detection", served, detection)
        m.mod.multiply("recall", served, recall)
