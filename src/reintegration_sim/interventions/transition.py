"""Levers of transition management: the release day and the handover [RAN 2018, Transition
management]."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np
from pydantic import Field

from .base import Intervention, cohort_mask, due_for_release, register

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
