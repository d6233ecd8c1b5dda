"""The Mesa model: people in custody for violent extremist (and, for comparison, ordinary
violent) offences, their families, communities, recruiters and agencies, week by week."""

from __future__ import annotations

import math
from collections import Counter

import mesa
import networkx as nx
import numpy as np

from ..interventions import Delivery
from ..scenario import Scenario
from . import kernels, submodels
from .agents import (
    Agency,
    AgencyKind,
    Community,
    CommunityOrganisation,
    FamilyMember,
    Person,
    Practitioner,
    Recruiter,
)
from .caseload import Caseload, Caseloads
from .modifiers import Modifiers
from .network import (
    Background,
    adjacency,
    assign_communities,
    assign_wings,
    build_graph,
    peer_edges,
)
from .outcomes import Recorder
from .population import make_communities, make_people, snapshot_start
from .randomness import Streams

__all__ = ["ReintegrationModel"]

#: practitioners per 1,000 people and caseload, by agency: parameter names in ``agencies``
_STAFFING = {
    AgencyKind.PRISON: ("prison_key_workers_per_1000", "prison_caseload"),
    AgencyKind.PROBATION: ("probation_officers_per_1000", "probation_caseload"),
    AgencyKind.EXIT: ("exit_workers_per_1000", "exit_caseload"),
    AgencyKind.POLICE: ("police_officers_per_1000", "police_caseload"),
    AgencyKind.EMPLOYMENT: ("employment_workers_per_1000", "employment_caseload"),
    AgencyKind.HOUSING: ("housing_workers_per_1000", "housing_caseload"),
    AgencyKind.MENTAL_HEALTH: ("mental_health_workers_per_1000", "mental_health_caseload"),
    AgencyKind.RELIGIOUS: ("religious_counsellors_per_1000", "religious_caseload"),
}

# the caseload table's rows, and the kernels' agency codes, follow AgencyKind order
assert tuple(_STAFFING) == tuple(AgencyKind), "_STAFFING must list the agencies in AgencyKind order"

#: agencies that serve only the extremist cohort (``submodels.update_caseloads``): staffed per
#: 1,000 people of that cohort
_EXTREMIST_ONLY = frozenset({AgencyKind.EXIT, AgencyKind.POLICE, AgencyKind.RELIGIOUS})


def _per_1000(rate: float, n_people: int) -> int:
    # 1000: the rate's unit (per 1,000 people); 1e-9 keeps a whole number from rounding up
    # through floating-point error (numerical, not a parameter)
    return int(math.ceil(rate * n_people / 1000.0 - 1e-9))


def _ngo_slots(n_staff: int, share: float) -> np.ndarray:
    """Which practitioner slots are NGO workers: ``share`` of them, spread evenly over the slots
    (slot s is one where floor((s + 1) x share) passes a whole number)."""
    edges = np.floor(np.arange(n_staff + 1) * share + 1e-9)
    return np.diff(edges) > 0


class ReintegrationModel(mesa.Model):
    """One replication of a scenario.

    Args:
        scenario: the validated scenario (parameters, horizon, seed).
        replication: index of this replication; with the scenario seed it fixes every random
            stream (:class:`~reintegration_sim.model.randomness.Streams`).
        build_graph: build the networkx graph of all agents (``self.graph``). Its ties are
            always used through ``self.adjacency``; set False only where nothing reads the graph.
        indicators: record the weekly indicators (``recorder.frame``). False records only what
            the people table needs (``people_table``), for runs that read nothing else (the
            runs of a sweep); the run itself is the same.

    Attributes:
        spec: the scenario (Mesa's own ``scenario`` attribute is left to Mesa).
        people: per-person state arrays (:class:`~reintegration_sim.model.population.People`).
        communities: per-community state arrays.
        caseloads: one :class:`~reintegration_sim.model.caseload.Caseload` per agency.
        persons, families, agencies: the Mesa agents, by person index or agency kind. The
            Person and FamilyMember agents (two per person) are made the first time something
            reads ``persons`` or ``families`` (the graph, the dashboard, a story), not before:
            the weekly rules never read them, and a run without them is the same run
            (``n_agents`` counts them either way).
        recorder: weekly indicators (:mod:`reintegration_sim.model.outcomes`).
    """

    def __init__(
        self,
        scenario: Scenario,
        replication: int = 0,
        build_graph: bool = True,
        indicators: bool = True,
    ):
        kernels.check_compiler()  # a clear error now if numba cannot compile here
        self.streams = Streams(scenario.seed, replication)
        super().__init__(rng=self.streams.mesa_seed())
        self.spec = scenario
        self.replication = replication
        self.params = scenario.parameters
        self.horizon = scenario.horizon_weeks
        self.week = 0
        self.tally: Counter[str] = Counter()
        self.last_hazard = np.zeros(0)
        self.last_recall_hazard = np.zeros(0)
        #: this week's maturation curves of everyone's age, by ratio (submodels._maturation_of_everyone)
        self.maturation: dict[float, np.ndarray] = {}

        rng = self.streams["population"]
        net_rng = self.streams["network"]
        self.people = people = make_people(self.params, rng)
        n = people.n
        com = self.params.community
        people.community = assign_communities(n, com.n_communities, net_rng, com.size_concentration)
        self.communities = make_communities(self.params, net_rng)
        self.communities.capacity += com.organisation_capacity * com.organisations_per_community
        np.clip(self.communities.capacity, 0.0, 1.0, out=self.communities.capacity)
        people.wing, people.separated, self.n_wings, background = assign_wings(
            people.cohort, people.ideology, people.cell_order, self.params, people.female
        )
        self.wing_background = Background.of(background, self.params)
        #: prisoners on each wing: the followed people placed there (or the admissions that
        #: replace them) and the background prisoners
        self.wing_population = (
            np.bincount(people.wing, minlength=self.n_wings) + self.wing_background.count
        )
        snapshot_start(people)

        self._create_agents(self.streams["placement"])
        src, dst = peer_edges(people.community, self.params.community.peer_degree, net_rng)
        self.peer_ties = (src, dst)
        self.adjacency = adjacency(src, dst, n)
        self.graph = self._build_graph() if build_graph else None

        self.mod = Modifiers(n)
        self.deliveries = [Delivery(self, iv) for iv in scenario.active_interventions()]

        self.recorder = Recorder(self, indicators)
        self.recorder.record(self)

    # ------------------------------------------------------------------ set-up
    def _create_agents(self, rng: np.random.Generator) -> None:
        params, people = self.params, self.people
        n = people.n
        self._persons: list[Person] | None = None  # made on first reading (see persons)
        self._families: list[FamilyMember] = []
        self.community_agents = [Community(self, c) for c in range(params.community.n_communities)]
        self.organisations = [
            CommunityOrganisation(self, community, ("faith", "grassroots")[j % 2])
            for community in self.community_agents
            for j in range(params.community.organisations_per_community)
        ]

        # recruiters in prison sit on the wings holding the most committed prisoners
        rec = params.recruiters
        # per 1000 prisoners: the followed people and the background prisoners around them
        n_prison = _per_1000(rec.in_prison_per_1000, n + int(self.wing_background.count.sum()))
        bg = self.wing_background
        weight = np.bincount(
            people.wing, weights=people.ideology**rec.prison_wing_focus, minlength=self.n_wings
        ).astype(float) + bg.count * bg.focus_moment(rec.prison_wing_focus)
        wings = (
            rng.choice(self.n_wings, size=n_prison, p=weight / weight.sum())
            if n_prison and weight.sum() > 0
            else np.zeros(0, np.int64)
        )
        self.prison_recruiters = np.bincount(wings, minlength=self.n_wings).astype(float)
        n_comm = _per_1000(rec.community_per_1000, n)
        k = params.community.n_communities
        communities = rng.integers(0, k, size=n_comm)
        self.community_recruiters = np.bincount(communities, minlength=k).astype(float)
        #: the pool's starting size, toward which it refills (recruiters.replenishment)
        self.community_recruiters_start = self.community_recruiters.copy()
        self.recruiters = [Recruiter(self, "prison", wing=int(w)) for w in wings] + [
            Recruiter(self, "community", community=int(c)) for c in communities
        ]

        self.agencies: dict[AgencyKind, Agency] = {}
        staffing = params.agencies.staffing_level
        sizes: list[tuple[int, int]] = []
        for kind, (rate_name, caseload_name) in _STAFFING.items():
            agency = Agency(self, kind)
            # agencies that serve the extremist cohort only are staffed for its size, so that
            # the cohort mix does not change each person's share of their capacity
            served = params.population.n_extremist if kind in _EXTREMIST_ONLY else n
            n_staff = _per_1000(getattr(params.agencies, rate_name) * staffing, served)
            capacity = getattr(params.agencies, caseload_name)
            ngo = _ngo_slots(
                n_staff, params.agencies.exit_ngo_share if kind is AgencyKind.EXIT else 0.0
            )
            agency.practitioners = [
                Practitioner(self, agency, slot, capacity, ngo=bool(ngo[slot]))
                for slot in range(n_staff)
            ]
            if kind is AgencyKind.EXIT:
                #: per exit-worker slot: True where the worker is employed by an NGO
                self.exit_ngo = ngo
            self.agencies[kind] = agency
            sizes.append((n_staff, capacity))
        #: every agency's caseload, as the rows of one table in AgencyKind order (updated in one
        #: pass by submodels.update_caseloads); ``caseloads[kind]`` is the agency's row
        self.caseload_table = Caseloads(n, *zip(*sizes, strict=True))
        self.caseloads: dict[AgencyKind, Caseload] = dict(
            zip(_STAFFING, self.caseload_table.caseload, strict=True)
        )

    @property
    def persons(self) -> list[Person]:
        """The Person agents, by person index; made (with their FamilyMember agents) on the
        first reading. Their state lives in ``people``, so when they are made does not matter
        to any result, only to their Mesa ``unique_id``."""
        if self._persons is None:
            self._persons = [Person(self, i) for i in range(self.people.n)]
            self._families = [FamilyMember(self, person) for person in self._persons]
        return self._persons

    @property
    def families(self) -> list[FamilyMember]:
        """The FamilyMember agents (one per person, index as ``persons``); see ``persons``."""
        _ = self.persons
        return self._families

    @property
    def n_agents(self) -> int:
        """The agents the model represents: ``len(self.agents)`` once ``persons`` has been
        read, and before that the same count with the Person and FamilyMember agents not yet
        made (two per person). Benchmarks count agent-steps with it."""
        return len(self.agents) + (2 * self.people.n if self._persons is None else 0)

    def _build_graph(self) -> nx.Graph:
        """All agents as nodes of one networkx graph; ties as edges with a ``kind``."""
        ids = np.array([a.unique_id for a in self.persons], dtype=np.int64)
        family_ids = np.array([f.unique_id for f in self.families], dtype=np.int64)
        community_ids = np.array([c.unique_id for c in self.community_agents], dtype=np.int64)
        src, dst = self.peer_ties
        edges = {
            "peer": (ids[src], ids[dst]),
            "family": (ids[: family_ids.size], family_ids),
            "community": (ids, community_ids[self.people.community]),
            "organisation": (
                np.array([o.community.unique_id for o in self.organisations], dtype=np.int64),
                np.array([o.unique_id for o in self.organisations], dtype=np.int64),
            ),
            "recruiter": (
                np.array(
                    [community_ids[r.community] for r in self.recruiters if r.community >= 0],
                    dtype=np.int64,
                ),
                np.array([r.unique_id for r in self.recruiters if r.community >= 0], np.int64),
            ),
            "staff": (
                np.array(
                    [a.unique_id for a in self.agencies.values() for _ in a.practitioners],
                    dtype=np.int64,
                ),
                np.array(
                    [p.unique_id for a in self.agencies.values() for p in a.practitioners],
                    dtype=np.int64,
                ),
            ),
        }
        graph = build_graph(edges)
        graph.add_nodes_from(a.unique_id for a in self.agents)
        return graph

    def caseload_edges(self) -> list[tuple[int, int]]:
        """Current person-practitioner ties (they change weekly, so they are not in ``graph``)."""
        edges = []
        for kind, caseload in self.caseloads.items():
            practitioners = self.agencies[kind].practitioners
            for i in np.flatnonzero(caseload.assigned >= 0):
                edges.append(
                    (self.persons[i].unique_id, practitioners[caseload.assigned[i]].unique_id)
                )
        return edges

    # ------------------------------------------------------------------ dynamics
    def step(self) -> None:
        """Advance one week. The order of operations (ODD: process overview and scheduling):

        1. Phases advance: the release week ends in licence; licences expire; transition
           planning starts ``planning_lead_weeks`` before release.
        2. Everyone ages a week; some die (mortality doubles every eight years).
        3. In custody, wing-mates pull each other's ideology toward the wing mean, contact with
           differing views moderates it (less in an overcrowded prison).
        4. Incidents perceived as unfair (more in an unfair or overcrowded regime) break trust
           and feed grievance.
        5. Recruiters on a wing approach prisoners; the hopeless, isolated and distrustful are
           most open to them.
        6. Agencies update their caseloads: discharge the no longer eligible, fill free places
           from the waiting list; nobody exceeds capacity. Then each intervention of the
           scenario fills its places from the eligible people offered it and writes its
           effects into the week's modifiers, which the rules below read (rules 3-5 read
           them a week later, as written the week before).
        7. Release day for those due: the practitioner continues (carrying trust and the
           resettlement plan) or hands over (trust lost); family, a practitioner, nobody, or
           recruiters meet the person at the gate; licence and electronic monitoring begin.
        8. Stigma: conviction stigma fades in the community; community prejudice and
           monitoring add to it.
        9. Material support: housing and work or education are found (aided or not, against
           stigma, helped by community capacity) and lost.
        10. Family ties grow after release, fade in custody, break in conflicts; security
            monitoring erodes, exit work builds the family's trust in agencies.
        11. Recruiters in the community (a pool depleted by disruption and refilling, and
            re-engaged releasees who recruit in turn) approach released people, the vulnerable
            most often, and some are approached online; unmet needs, rejection, weak family ties
            and low trust in practitioners make them succeed.
        12. Trust is held with the key practitioner and partly lost when a new one takes over;
            practitioners' contact builds it (NGO exit workers faster than state ones); on
            separation wings some refuse purposeful activity until a trusted practitioner brings
            them back; exit work and religious counsel lower the ideology of those taking part;
            trust gives hope.
        13. Ideology and group ties drift: ties pull belief up, rejection pulls it up, bonds pull
            it down; ties loosen with anchors and follow released network contacts (sparse
            network influence); boredom wears hope down.
        14. Proven reoffences and terrorism offences happen; the convicted return to custody;
            press coverage of terrorism offences raises community prejudice.
        15. Re-engagement is documented (state exit workers pass on what they learn); breaches and documented re-engagement on licence bring
            recall; security services act on some documented re-engagement after a delay,
            cutting ties to the group and removing recruiters, at a cost in trust (disruption).
        16. Milestones reached for the first time give hope.
        17. Indicators are recorded.

        Within each rule everyone is updated at once (synchronous update), so the result does
        not depend on any agent order.
        """
        self.week += 1
        m = self
        self.streams.draw_week(self.week, self.people.n)  # the week's bulk draws
        submodels.advance_phases(m)
        submodels.age_and_die(m)
        submodels.influence_in_custody(m)
        submodels.unfair_incidents(m)
        submodels.recruit_in_prison(m)
        submodels.update_caseloads(m)
        self.mod.reset()
        for delivery in self.deliveries:
            delivery.update(m)
        submodels.release_day(m)
        submodels.update_stigma(m)
        submodels.material_support(m)
        submodels.family_dynamics(m)
        submodels.recruit_in_community(m)
        submodels.practitioner_work(m)
        submodels.drift_ideology_and_ties(m)
        convicted = submodels.offend_and_reconvict(m)
        documented = submodels.detect_and_recall(m, convicted)
        submodels.disrupt(m, documented)
        submodels.reach_milestones(m)
        self.recorder.record(self)
        if self.week >= self.horizon:
            self.running = False
            for delivery in self.deliveries:
                delivery.intervention.finalize(self)

    def run(self) -> ReintegrationModel:
        """Run to the scenario's horizon."""
        while self.running:
            self.step()
        return self
