"""Levers that work in custody: programmes, regime-level practice [RAN 2018, Prisons and
prison regime; Transition management; Goals]."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np
from pydantic import Field

from ..agents import Phase
from .base import Intervention, extremist, register

if TYPE_CHECKING:
    from ..model import ReintegrationModel


@register
class DeradicalisationProgramme(Intervention):
    """A deradicalisation and desistance programme in custody (and, with ``outside``, continued
    after release): structured sessions that question the ideology and build trust, working
    best with trust and room to reflect. Adheres to risk-need-responsivity."""

    key: ClassVar[str] = "deradicalisation_programme"
    label: ClassVar[str] = "Deradicalisation and desistance programme"
    section: ClassVar[str] = "Transition management; Goals"
    evidence: ClassVar[str] = (
        "EVIDENCE 4: Andrews & Bonta 2010 (RNR-adherent r about 0.15); Lipsey et al. 2007 "
        "(cognitive-behavioural programmes about 25 % fewer reoffences)"
    )

    ideology_effect: float = Field(
        0.004, ge=0.0, le=0.05, description="weekly ideology reduction at full trust"
    )
    trust_effect: float = Field(
        1.3, ge=1.0, le=3.0, description="multiplier on weekly trust growth"
    )
    hazard_ratio: float = Field(
        0.9, ge=0.5, le=1.0, description="hazard ratio of reoffending while served after release"
    )
    outside: bool = Field(True, description="continues after release while on licence")

    def eligible(self, m: ReintegrationModel) -> np.ndarray:
        p = m.people
        where = p.in_custody() | ((p.phase == Phase.LICENCE) if self.outside else False)
        return where & extremist(m) & p.alive()

    def apply(self, m: ReintegrationModel, served: np.ndarray) -> None:
        p = m.people
        m.mod.add("ideology_change", served, -self.ideology_effect * p.trust * p.ideology)
        m.mod.multiply("trust_growth", served, self.trust_effect)
        m.mod.multiply("hazard", served & p.in_community(), self.hazard_ratio)
