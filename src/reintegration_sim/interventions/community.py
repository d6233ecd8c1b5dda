"""Levers that work with the receiving communities: community work against prejudice and for
capacity, and a media strategy for press attention [RAN 2018, Stigmatisation; Trust; Capacity
building].

For these levers ``coverage`` is the **share of communities covered**. Each community is drawn
once per replication from the lever's own stream (``intervention:KEY:communities``), so the
covered communities are the same in paired runs and no other stream moves. The people counted as
cases (for capacity and costs) are all those returning to a covered community (there is no
second, person-level draw: ``covers_communities``); with coverage 0 nobody is served, ``apply``
never runs and no community array changes, so the baseline is reproduced exactly.

Community-level state (``model.communities``) changes only in ``apply``, that is only in weeks
when the lever is active and serves someone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np
from pydantic import Field

from .base import Intervention, cohort_mask, lever_state, register, returning

if TYPE_CHECKING:
    from ..model.simulation import ReintegrationModel

__all__ = ["CommunityWork", "MediaStrategy", "covered_communities"]

#: weekly push of prejudice toward 1 at full privilege backlash: the unit of the lever's
#: ``privilege_backlash`` (structure, not a parameter: that field, 0-1, sizes the push)
_BACKLASH = 0.002


def covered_communities(m: ReintegrationModel, key: str, coverage: float) -> np.ndarray:
    """Boolean mask over communities: those a community lever covers in this replication, drawn
    once from the lever's own stream and kept in its state."""
    state = lever_state(m, key)
    if "communities" not in state:
        k = m.communities.prejudice.size
        u = m.streams.extra(f"intervention:{key}:communities").random(k)
        state["communities"] = u < coverage
    return state["communities"]


@register
class CommunityWork(Intervention):
    """Work with the receiving communities (meetings, mediation, capacity building with local
    organisations). While it runs (in the weeks it serves someone), prejudice in each covered
    community relaxes toward a lower level (the community's usual level reduced by
    ``prejudice_reduction``), and the community's capacity to receive returners and its trust in
    institutions and exit workers grow. Lower prejudice means less stigma met; capacity and trust
    raise the chances of housing and work (landlords and employers cooperate). When support looks
    like privilege (``privilege_backlash``) prejudice is pushed up a little every week. Once the
    lever ends, prejudice drifts back to its usual level; capacity and trust built stay. Cases
    are people returning to a covered community (in transition or within
    ``weeks_after_release`` of release)."""

    key: ClassVar[str] = "community_work"
    covers_communities: ClassVar[bool] = True
    typical_cost_per_case_week: ClassVar[float] = 10.0
    typical_cost_per_case: ClassVar[float] = 0.0
    label: ClassVar[str] = "Community work: prejudice, capacity, trust"
    section: ClassVar[str] = "Stigmatisation; Trust; Capacity building"
    evidence: ClassVar[str] = "assumption (no effect sizes for community work with returners)"
    mechanism: ClassVar[str] = (
        "community prejudice (stigma met: housing and work harder to find, rejection feeding "
        "belief, openness to recruiters) and the community's capacity and trust (landlords and "
        "employers cooperate: housing and work found)"
    )
    writes: ClassVar[tuple[str, ...]] = (
        "communities.prejudice",
        "communities.capacity",
        "communities.trust",
    )

    prejudice_reduction: float = Field(
        0.3,
        ge=0.0,
        le=1.0,
        description="share by which the prejudice level it works toward is lower",
    )
    prejudice_rate: float = Field(
        0.02, ge=0.0, le=0.2, description="weekly share of the gap to that level closed"
    )
    capacity_gain: float = Field(
        0.003, ge=0.0, le=0.05, description="weekly growth of community capacity toward 1"
    )
    trust_gain: float = Field(
        0.003, ge=0.0, le=0.05, description="weekly growth of community trust toward 1"
    )
    privilege_backlash: float = Field(
        0.25,
        ge=0.0,
        le=1.0,
        description="how far the support is seen as privilege (1: weekly prejudice push of 0.002)",
    )
    weeks_after_release: int = Field(
        104, ge=1, le=1040, description="weeks after release a returner counts as a case"
    )

    def initialize(self, m: ReintegrationModel) -> None:
        covered_communities(m, self.key, self.coverage)

    def eligible(self, m: ReintegrationModel) -> np.ndarray:
        covered = covered_communities(m, self.key, self.coverage)
        return returning(m, self.weeks_after_release) & covered[m.people.community]

    def apply(self, m: ReintegrationModel, served: np.ndarray) -> None:
        work_with_communities(m, covered_communities(m, self.key, self.coverage), self)


def work_with_communities(m: ReintegrationModel, covered: np.ndarray, iv: CommunityWork) -> None:
    """One week of community work in the ``covered`` communities (acts on
    ``model.communities`` in place)."""
    c = m.communities
    target = c.prejudice_baseline * (1.0 - iv.prejudice_reduction)
    x = c.prejudice[covered]
    x += iv.prejudice_rate * (target[covered] - x)
    x += iv.privilege_backlash * _BACKLASH * (1.0 - x)
    c.prejudice[covered] = np.clip(x, 0.0, 1.0)
    c.capacity[covered] += iv.capacity_gain * (1.0 - c.capacity[covered])
    c.trust[covered] += iv.trust_gain * (1.0 - c.trust[covered])


@register
class MediaStrategy(Intervention):
    """A media strategy for releases: communities are prepared for press attention (local
    briefings, contacts with journalists) and released people for their public notoriety.
    In a covered community, press coverage of a terrorism offence (there or elsewhere) adds only
    ``press_factor`` of the prejudice it otherwise adds. People prepared for the attention meet a
    little less stigma (``stigma_relief``) while served. Cases are people of the chosen cohort
    returning to a covered community (in transition or within ``weeks_after_release`` of release);
    the community effect runs in the weeks the lever serves someone."""

    key: ClassVar[str] = "media_strategy"
    covers_communities: ClassVar[bool] = True
    typical_cost_per_case_week: ClassVar[float] = 5.0
    typical_cost_per_case: ClassVar[float] = 0.0
    label: ClassVar[str] = "Media strategy for releases"
    section: ClassVar[str] = "Stigmatisation"
    evidence: ClassVar[str] = "assumption (no data on media strategies)"
    mechanism: ClassVar[str] = (
        "community prejudice after press coverage of terrorism offences, and the stigma met by "
        "people prepared for publicity"
    )
    writes: ClassVar[tuple[str, ...]] = ("press_prejudice", "stigma")

    press_factor: float = Field(
        0.5, ge=0.0, le=1.0, description="share of the press-driven prejudice that still arises"
    )
    stigma_relief: float = Field(
        0.02, ge=0.0, le=0.2, description="stigma met taken off for people prepared for publicity"
    )
    cohort: Literal["extremist", "all"] = Field("extremist", description="whose releases it covers")
    weeks_after_release: int = Field(
        52, ge=1, le=1040, description="weeks after release a returner counts as a case"
    )

    def initialize(self, m: ReintegrationModel) -> None:
        covered_communities(m, self.key, self.coverage)

    def eligible(self, m: ReintegrationModel) -> np.ndarray:
        covered = covered_communities(m, self.key, self.coverage)
        mask = returning(m, self.weeks_after_release) & covered[m.people.community]
        return mask & cohort_mask(m, self.cohort)

    def apply(self, m: ReintegrationModel, served: np.ndarray) -> None:
        covered = covered_communities(m, self.key, self.coverage)
        residents = covered[m.people.community]
        m.mod.multiply("press_prejudice", residents, self.press_factor)
        if self.stigma_relief:
            m.mod.add("stigma", served & m.people.in_community(), -self.stigma_relief)
