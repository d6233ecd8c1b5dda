"""Entities and their state variables (ODD: entities, state variables and scales).

The Mesa agents here are identities: they hold who someone is and where they sit in the social
network, and read their changing state from the model's arrays (``model.people``,
``model.communities``, the caseloads). The weekly rules act on those arrays all at once (see
:mod:`reintegration_sim.model.submodels`), so a step over tens of thousands of people is a handful of
numpy operations; reporters, the dashboard and the stories read the agents.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum
from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from .simulation import ReintegrationModel

__all__ = [
    "AgencyKind",
    "Cohort",
    "Community",
    "CommunityOrganisation",
    "Agency",
    "FamilyMember",
    "Gate",
    "Milestone",
    "Person",
    "Phase",
    "Practitioner",
    "Recruiter",
]


class Cohort(IntEnum):
    """Why the person is in custody."""

    EXTREMIST = 0  # violent extremist (terrorism) offence
    COMPARISON = 1  # ordinary violent offence


class Phase(IntEnum):
    """Where a person is on the pathway."""

    CUSTODY = 0
    TRANSITION = 1  # still in custody; transition planning has started
    RELEASE_DAY = 2  # the week of release: the gate
    LICENCE = 3  # released, under supervision
    AFTER_LICENCE = 4  # released, supervision over
    DEAD = 5


IN_CUSTODY = (Phase.CUSTODY, Phase.TRANSITION)
IN_COMMUNITY = (Phase.RELEASE_DAY, Phase.LICENCE, Phase.AFTER_LICENCE)


class Gate(IntEnum):
    """Who met the person at the gate on their last release."""

    NOT_RELEASED = -1
    NOBODY = 0
    FAMILY = 1
    PRACTITIONER = 2
    RECRUITER = 3  # recruiters met the person and the pick-up succeeded


class Milestone(IntEnum):
    """Small goals [RAN 2018, Goals]; stored as bits of ``people.milestones``."""

    FAMILY_CONTACT = 0
    THERAPY = 1  # behaviour.therapy_milestone_weeks of treatment, exit work or religious counsel
    WORK_OR_EDUCATION = 2
    HOUSING = 3


class AgencyKind(StrEnum):
    """Agencies whose practitioners carry caseloads."""

    PRISON = "prison"
    PROBATION = "probation"
    EXIT = "exit"  # NGO exit organisation
    POLICE = "police"  # security services / police
    EMPLOYMENT = "employment"
    HOUSING = "housing"
    MENTAL_HEALTH = "mental_health"
    RELIGIOUS = "religious"  # vetted religious counsel


class Person(mesa.Agent):
    """A person in custody at the start, followed through release and after.

    State lives in ``model.people`` at row ``index``; the properties read it.
    """

    model: ReintegrationModel

    def __init__(self, model: ReintegrationModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    def _get(self, name: str):
        return getattr(self.model.people, name)[self.index]

    @property
    def cohort(self) -> Cohort:
        return Cohort(int(self._get("cohort")))

    @property
    def phase(self) -> Phase:
        return Phase(int(self._get("phase")))

    @property
    def age(self) -> float:
        return float(self._get("age"))

    @property
    def ideology(self) -> float:
        return float(self._get("ideology"))

    @property
    def group_ties(self) -> float:
        return float(self._get("group_ties"))

    @property
    def trust(self) -> float:
        return float(self._get("trust"))

    @property
    def hope(self) -> float:
        return float(self._get("hope"))

    @property
    def stigma(self) -> float:
        return float(self._get("stigma"))

    @property
    def housed(self) -> bool:
        return bool(self._get("housed"))

    @property
    def working(self) -> bool:
        return bool(self._get("working"))

    @property
    def milestones(self) -> set[Milestone]:
        bits = int(self._get("milestones"))
        return {m for m in Milestone if bits >> m & 1}

    def practitioner(self, kind: AgencyKind) -> Practitioner | None:
        """This person's current practitioner at an agency, if any."""
        return self.model.agencies[kind].practitioner_of(self.index)


class FamilyMember(mesa.Agent):
    """The person's family (one agent per person): support, conflict, trust in agencies."""

    model: ReintegrationModel

    def __init__(self, model: ReintegrationModel, person: Person) -> None:
        super().__init__(model)
        self.person = person

    @property
    def ties(self) -> float:
        return float(self.model.people.family_ties[self.person.index])

    @property
    def trust_in_agencies(self) -> float:
        return float(self.model.people.family_trust[self.person.index])


class Community(mesa.Agent):
    """A neighbourhood people return to: prejudice, trust in institutions, capacity."""

    model: ReintegrationModel

    def __init__(self, model: ReintegrationModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def prejudice(self) -> float:
        return float(self.model.communities.prejudice[self.index])

    @property
    def trust(self) -> float:
        return float(self.model.communities.trust[self.index])

    @property
    def capacity(self) -> float:
        return float(self.model.communities.capacity[self.index])


class CommunityOrganisation(mesa.Agent):
    """A faith or grassroots organisation in a community (adds to its capacity)."""

    def __init__(self, model: mesa.Model, community: Community, kind: str) -> None:
        super().__init__(model)
        self.community = community
        self.kind = kind


class Recruiter(mesa.Agent):
    """An extremist recruiter, active in a prison wing or in a community."""

    def __init__(
        self, model: mesa.Model, setting: str, wing: int = -1, community: int = -1
    ) -> None:
        super().__init__(model)
        self.setting = setting  # "prison" or "community"
        self.wing = wing
        self.community = community


class Agency(mesa.Agent):
    """An agency (prison, probation, exit NGO...) with practitioners and a caseload."""

    model: ReintegrationModel

    def __init__(self, model: ReintegrationModel, kind: AgencyKind) -> None:
        super().__init__(model)
        self.kind = kind
        self.practitioners: list[Practitioner] = []

    @property
    def caseload(self):
        return self.model.caseloads[self.kind]

    def practitioner_of(self, person_index: int) -> Practitioner | None:
        slot = int(self.caseload.assigned[person_index])
        return self.practitioners[slot] if slot >= 0 else None


class Practitioner(mesa.Agent):
    """A practitioner of an agency with a finite caseload."""

    def __init__(
        self, model: mesa.Model, agency: Agency, slot: int, capacity: int, ngo: bool = False
    ) -> None:
        super().__init__(model)
        self.agency = agency
        self.slot = slot
        self.capacity = capacity
        self.provider = "NGO" if ngo else "state"

    @property
    def caseload(self) -> int:
        return int(self.agency.caseload.load[self.slot])
