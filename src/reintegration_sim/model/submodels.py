"""The weekly rules (ODD: submodels), one short verb-named function each.

Each function acts on all people at once through the model's arrays. Updates are synchronous
within a rule (everyone reads the state as it was before the rule); rules run in the order listed
in :meth:`ReintegrationModel.step`. Every rule hands its loop over people to a compiled kernel of
the same name in :mod:`reintegration_sim.model.kernels` (numba), which spells out the rule's cases
person by person and computes exactly what the whole-array numpy version did; the powers and
exponentials stay here, in numpy, computed in bulk. Person-level randomness: one number per
person per weekly process (two for some), a pure function of the seed, the process, the week and
the person (:mod:`reintegration_sim.model.randomness`), asked for here and passed in.

Paper sections are cited as RAN 2018 [Section] (Baaken, Korn & Walkenhorst 2018).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from . import kernels
from .agents import AgencyKind, Cohort, Milestone
from .population import WEEKS_PER_YEAR

if TYPE_CHECKING:
    from ..parameters import Behaviour, Offending
    from .simulation import ReintegrationModel

#: number of set bits in a milestone bit set (4 milestones -> 16 values)
_POPCOUNT = np.array([bin(i).count("1") for i in range(1 << len(Milestone))], np.int8)
#: each agency's row in the model's caseload table (``m.caseload_table``: AgencyKind order)
_ROW = {kind: row for row, kind in enumerate(AgencyKind)}
#: the caseload rows whose weeks in service make the therapy milestone (reach_milestones)
_THERAPY_ROWS = np.array(
    [_ROW[k] for k in (AgencyKind.MENTAL_HEALTH, AgencyKind.EXIT, AgencyKind.RELIGIOUS)], np.int64
)
#: contact intensity with an exit worker: the unit of contact (structure, not a parameter:
#: ``behaviour.trust_growth`` is the growth at this contact, and the other agencies' contact
#: weights, ``agencies.contact_*``, are relative to it)
_EXIT_CONTACT = 1.0


def _pick(value: float | np.ndarray, index: np.ndarray) -> float | np.ndarray:
    """A modifier for a subset of people: scalars (neutral, untouched) pass through."""
    return value[index] if isinstance(value, np.ndarray) else value


def _per_community(m: ReintegrationModel, value: float | np.ndarray) -> float | np.ndarray:
    """A per-person modifier read as a factor per home community (writers set it alike for all
    residents): scalars (neutral, untouched) pass through; communities nobody lives in get 1."""
    if not isinstance(value, np.ndarray):
        return value
    out = np.ones(m.communities.prejudice.size)
    out[m.people.community] = value
    return out


def _sympathy(x: np.ndarray, beh: Behaviour) -> np.ndarray:
    """How far grievance and rejection can feed a belief: they amplify a belief a person already
    leans toward (in full from ideology ``behaviour.sympathy_threshold`` up) and, below it, fall
    off as ``(x / threshold) ** behaviour.sympathy_exponent``. With an exponent above 1 the feed
    vanishes faster than the pull of bonds (proportional to ``x``), so ideology 0 stays 0: they
    do not create a belief from nothing (assumption)."""
    return np.minimum(1.0, (x / beh.sympathy_threshold) ** beh.sympathy_exponent)


def _maturation(age: np.ndarray, ratio_per_decade: float) -> np.ndarray:
    """A continuous maturation curve: ``ratio_per_decade ** ((30 - age) / 10)``, 1 at age 30
    (the reference age that gives the ratio its unit: structure), larger for the younger; a
    ratio of 1 is no effect of age."""
    return np.power(ratio_per_decade, (30.0 - age) / 10.0)


def _maturation_of_everyone(m: ReintegrationModel, ratio_per_decade: float) -> np.ndarray:
    """:func:`_maturation` of everyone's age, made once a week per ratio and kept in
    ``m.maturation`` (the rules only read it): ages change only in :func:`age_and_die`, which
    empties the store. Two rules share the openness of belief (``influence_in_custody`` and
    ``drift_ideology_and_ties``), and a power of everyone's age costs about as much as a whole
    rule at 100k agents; the recruiters' rules make the curve of those approached only."""
    curve = m.maturation.get(ratio_per_decade)
    if curve is None:
        curve = m.maturation[ratio_per_decade] = _maturation(m.people.age, ratio_per_decade)
    return curve


def _by_cohort(m: ReintegrationModel, extremist: float, comparison: float) -> np.ndarray:
    return np.where(m.people.cohort == Cohort.EXTREMIST, extremist, comparison)


def _reflection(m: ReintegrationModel) -> float:
    """Room to reflect in custody: 1 at design capacity (overcrowding 1), falling with
    overcrowding at the rate ``prison.crowding_reflection_loss``."""
    pr = m.params.prison
    return 1.0 / (1.0 + pr.crowding_reflection_loss * max(0.0, pr.overcrowding - 1.0))


def advance_phases(m: ReintegrationModel) -> None:
    """Release day ends; licences expire; transition planning starts before release."""
    p = m.people
    kernels.advance_phases(
        p.phase,
        p.licence_end,
        p.release_week,
        p.monitored,
        m.week,
        m.params.release.planning_lead_weeks,
    )


def age_and_die(m: ReintegrationModel) -> None:
    """Everyone ages a week; mortality doubles every ``offending.mortality_doubling_years``
    of age (30: the age at which ``offending.mortality_30`` is given)."""
    p, off = m.people, m.params.offending
    kernels.age_a_week(p.phase, p.age, 1.0 / WEEKS_PER_YEAR)
    m.maturation.clear()  # the curves of last week's ages
    hazard = off.mortality_30 * np.exp2((p.age - 30.0) / off.mortality_doubling_years)
    kernels.die(p.phase, p.death_week, hazard, m.streams.uniform("death", m.week, p.n), m.week)


def influence_in_custody(m: ReintegrationModel) -> None:
    """Wing-mates pull ideology toward the wing mean; contact with differing views moderates it,
    less so in an overcrowded prison; the young change most (``behaviour.openness_age_ratio``)
    [RAN 2018, Prisons and prison regime]."""
    p, pr, beh = m.people, m.params.prison, m.params.behaviour
    # a wing's views: the followed people on it, new admissions like those who have left it
    # (their starting views; admissions replace releases, so the wing stays at steady state),
    # and its background prisoners
    inside = np.flatnonzero(p.in_custody())
    bg = m.wing_background
    kernels.influence_in_custody(
        p.phase,
        p.wing,
        p.ideology,
        p.start["ideology_start"],
        inside,
        _maturation_of_everyone(m, beh.openness_age_ratio)[inside],  # the young change most
        bg.count,
        bg.mean,
        bg.moderate_share,
        m.wing_population,
        beh.deradicalised_threshold,
        pr.peer_influence,
        pr.differing_views * _reflection(m),
    )


def unfair_incidents(m: ReintegrationModel) -> None:
    """Incidents perceived as unfair break trust and feed grievance [RAN 2018, Trust; Prisons]."""
    p, beh = m.people, m.params.behaviour
    crowding = max(0.0, m.params.prison.overcrowding - 1.0)
    hit = np.empty(p.n, np.int64)
    n_hit = kernels.unfair_incidents(
        p.phase,
        p.trust,
        m.streams.uniform("unfairness", m.week, p.n),
        beh.unfairness_rate * (1.0 - m.params.prison.fairness) * (1.0 + crowding),  # inside
        beh.unfairness_rate * (1.0 - beh.community_fairness),  # in the community
        *kernels.modifier(m.mod.unfairness),
        beh.unfairness_trust_loss,
        hit,
    )
    hit = hit[:n_hit]
    x = p.ideology[hit]
    p.ideology[hit] = x + beh.grievance * _sympathy(x, beh) * (1.0 - x)


def recruit_in_prison(m: ReintegrationModel) -> None:
    """Recruiters on a wing approach its prisoners; the hopeless, isolated and distrustful are
    the most open to them; those won over keep a contact with an active group outside [RAN
    2018, Prisons and prison regime]. An approach succeeds with
    ``recruiters.approach_success`` x vulnerability x the openness of the person's age
    (``recruiters.age_vulnerability_ratio``); success adds ties and belief."""
    p, rec = m.people, m.params.recruiters
    # recruiters' approaches are shared among everyone on the wing (steady state)
    rate = m.prison_recruiters * rec.approaches_per_week / np.maximum(m.wing_population, 1)
    approached = np.empty(p.n, np.int64)
    u_approach = m.streams.uniform("recruit_prison", m.week, p.n)
    approached = approached[
        : kernels.recruit_in_prison_approaches(p.phase, p.wing, rate, u_approach, approached)
    ]
    # the openness of age only for those approached (a power of everyone's age costs about as
    # much as the rule where this ratio differs from the openness of belief)
    successes = kernels.recruit_in_prison(
        approached,
        _maturation(p.age[approached], rec.age_vulnerability_ratio),  # the young are most open
        m.streams.on_demand("recruit_success", m.week, 0),
        p.hope,
        p.family_ties,
        p.trust,
        rec.family_protection,
        rec.trust_protection,
        # levers acting on recruitment inside only (staff training, mentors); neutral 1.0
        *kernels.modifier(m.mod.prison_recruit_success),
        rec.approach_success,
        *kernels.modifier(m.mod.recruit_success),
        m.week,
        p.last_approach_week,
        p.group_ties,
        p.ideology,
        p.group_link,
        rec.success_ties_gain,
        rec.success_ideology_share * rec.success_ties_gain,
    )
    m.tally["recruiter_approaches"] += approached.size
    m.tally["recruiter_successes"] += successes


def update_caseloads(m: ReintegrationModel) -> None:
    """Each agency discharges those no longer eligible and fills free places from its waiting
    list; nobody exceeds capacity [RAN 2018, Staff training; EVIDENCE 3]. Who each agency
    serves: prison key workers everyone in custody; probation from transition planning to the
    end of the licence; exit work the extremist cohort in custody and for
    ``agencies.exit_support_years`` after release; police the released extremists with group
    ties above ``agencies.police_ties_threshold`` or on licence; employment and housing those
    without work (below ``agencies.work_age_limit``) or housing, from transition planning on;
    mental health the alive with a disorder; religious counsel the alive extremists above
    ``behaviour.deradicalised_threshold`` (cases spelled out in ``kernels._eligible``)."""
    p, ag, table = m.people, m.params.agencies, m.caseload_table
    kernels.update_caseloads(
        table.assigned,
        table.waiting_since,
        table.weeks_in_service,
        table.load,
        table.capacity,
        table.n_practitioners,
        m.week,
        p.phase,
        p.cohort,
        p.last_release_week,
        p.housed,
        p.working,
        p.age,
        p.mental_health,
        p.ideology,
        p.group_ties,
        ag.exit_support_years * WEEKS_PER_YEAR,
        ag.work_age_limit,
        m.params.behaviour.deradicalised_threshold,
        ag.police_ties_threshold,
    )


def release_day(m: ReintegrationModel) -> None:
    """Release: the handover (same practitioner or a new one), who waits at the gate, and
    release conditions [RAN 2018, Transition management; Release conditions]."""
    p, rel, rec, mod, week = m.people, m.params.release, m.params.recruiters, m.mod, m.week
    table = m.caseload_table
    released, unaccompanied, present, present_unmet, pickups = kernels.release_day(
        p.phase,
        p.cohort,
        p.release_week,
        p.first_release_week,
        p.last_release_week,
        p.continuity_week,
        p.trust,
        p.family_ties,
        p.group_ties,
        p.group_link,
        p.gate,
        p.last_approach_week,
        p.licence_end,
        p.on_recall,
        p.monitored,
        table.assigned,
        table.weeks_in_service,
        table.load,
        _ROW[AgencyKind.PRISON],
        _ROW[AgencyKind.EXIT],
        _ROW[AgencyKind.PROBATION],
        # each number is person i's in week t whoever else is released (common random
        # numbers); made only for those released (Streams.on_demand)
        m.streams.on_demand("continuity", week),
        m.streams.on_demand("gate", week, 0),
        m.streams.on_demand("gate", week, 1),
        m.streams.on_demand("gate_success", week),
        m.streams.on_demand("conditions", week),
        week,
        rel.continuity,
        rel.discontinuity_trust_loss,
        rel.family_pickup,
        rec.gate_presence_accompanied,
        rec.gate_presence,
        rec.prison_link,
        rec.gate_success_met,
        rec.gate_success_unmet,
        rec.gate_ties_gain,
        _licence_weeks(rel.licence_years_extremist),
        _licence_weeks(rel.licence_years_comparison),
        rel.electronic_monitoring,
        *kernels.modifier(mod.handover_loss),
        *kernels.modifier(mod.gate_practitioner),
        *kernels.modifier(mod.gate_family),
        *kernels.modifier(mod.recruit_success),
    )
    if released:
        m.tally.update(
            gate_recruiters_present=present,
            gate_recruiters_present_unaccompanied=present_unmet,
            released_unaccompanied=unaccompanied,
            released=released,
            gate_pickups=pickups,
        )


def _licence_weeks(years: float) -> int:
    """A licence in whole weeks (the time step: structure)."""
    return int(np.round(years * WEEKS_PER_YEAR))


def update_stigma(m: ReintegrationModel) -> None:
    """Conviction stigma fades in the community; community prejudice and monitoring add to the
    stigma a person meets [RAN 2018, Stigmatisation; Release conditions]."""
    p, beh = m.people, m.params.behaviour
    kernels.update_stigma(
        p.phase,
        p.community,
        p.stigma_conviction,
        p.stigma,
        p.monitored,
        m.communities.prejudice,
        beh.stigma_fade,
        beh.prejudice_weight,
        m.params.release.monitoring_stigma,
        *kernels.modifier(m.mod.stigma),
    )


def material_support(m: ReintegrationModel) -> None:
    """Housing and work or education are found (with an agency's help, planned before release
    where the person has a worker, or carried across the gate by a practitioner who continues)
    and lost [RAN 2018, Material support; Transition management]. The weekly chance of
    securing either: agency support, stigma (a record roughly halves the chances, Pager 2003),
    the receiving community's capacity and its trust in institutions and exit workers, which
    makes landlords and employers cooperate (assumption); cases spelled out in
    ``kernels.material_support``."""
    p, ag, com = m.people, m.params.agencies, m.params.community
    table = m.caseload_table
    kernels.material_support(
        p.phase,
        p.community,
        p.continuity_week,
        p.housed,
        p.working,
        p.age,
        p.stigma,
        table.assigned[_ROW[AgencyKind.HOUSING]] >= 0,
        table.assigned[_ROW[AgencyKind.EMPLOYMENT]] >= 0,
        m.communities.capacity,
        m.communities.trust,
        m.streams.uniform("housing", m.week, p.n),
        m.streams.uniform("work", m.week, p.n),
        m.week,
        # a practitioner who continued from inside carries the plan: their help counts as aid
        m.params.release.continuity_plan_weeks,
        ag.record_penalty,
        com.capacity_floor,
        # cooperation is centred on trust 0.5, where the factor is 1 (structure);
        # trust_cooperation sets its spread
        1.0 - 0.5 * com.trust_cooperation,
        com.trust_cooperation,
        ag.housing_success,
        ag.housing_self,
        ag.housing_loss,
        ag.work_success,
        ag.work_self,
        ag.job_loss,
        ag.work_age_limit,
        # a release plan lets people search in transition unaided
        *kernels.modifier(m.mod.planned_search),
        *kernels.modifier(m.mod.housing_chance),
        *kernels.modifier(m.mod.work_chance),
    )


def family_dynamics(m: ReintegrationModel) -> None:
    """Family ties grow with contact after release and fade with distance in custody; stress
    brings conflict; security monitoring erodes the family's trust in agencies while exit
    work builds it [RAN 2018, Social support]. Contact in custody (visits, calls; modifier
    ``custody_family_contact``) lets ties grow there too, at a share of the growth after
    release. Stress is an unweighted count of stressors (no housing, no work, group ties:
    structure); ``behaviour.family_conflict`` sizes it."""
    p, beh, ag, mod = m.people, m.params.behaviour, m.params.agencies, m.mod
    kernels.family_dynamics(
        p.phase,
        p.family_ties,
        p.family_trust,
        p.housed,
        p.working,
        p.group_ties,
        m.caseload_table.assigned[_ROW[AgencyKind.POLICE]] >= 0,
        m.caseload_table.assigned[_ROW[AgencyKind.EXIT]] >= 0,
        m.streams.uniform("family", m.week, p.n),
        beh.family_support_growth,
        beh.family_growth_trust_weight,
        beh.custody_family_drift,
        beh.family_conflict,
        beh.conflict_ties_loss,
        ag.police_family_trust_cost,
        ag.exit_family_trust,
        *kernels.modifier(mod.family_growth),
        "custody_family_contact" in mod.touched,
        *kernels.modifier(mod.custody_family_contact),
        *kernels.modifier(mod.family_conflict),
        "family_trust_change" in mod.touched,
        *kernels.modifier(mod.family_trust_change),
    )


def recruit_in_community(m: ReintegrationModel) -> None:
    """Recruiters in the community (a pool from outside, depleted by disruption and refilling,
    and released people who re-engaged and recruit in turn) choose whom to approach: released
    people with some sympathy, the more vulnerable the more often; where agencies leave housing
    and work unmet, the community rejects them and neither family nor practitioners hold them,
    the group's offer succeeds more often. Online approaches need no recruiter nearby [RAN
    2018, Stigmatisation; Material support; Transition management]. Each target's share of
    the community's approaches is vulnerability to the targeting power; no housing and no
    work each add half of the vulnerability that met needs leave (structure)."""
    p, rec, beh = m.people, m.params.recruiters, m.params.behaviour
    k = m.communities.capacity.size
    u_convert = m.streams.uniform("recruit_convert", m.week, p.n)
    targets = np.empty(p.n, np.bool_)
    vulnerability = np.empty(p.n)
    starting, recruiting = kernels.recruit_in_community_targets(
        p.phase,
        p.cohort,
        p.group_ties,
        p.ideology,
        p.group_link,
        p.recruiting,
        p.housed,
        p.working,
        p.stigma,
        p.family_ties,
        p.trust,
        p.community,
        u_convert,
        beh.engaged_threshold,
        rec.conversion,
        rec.community_target_ideology,
        rec.need_met_vulnerability,
        rec.stigma_vulnerability,
        rec.family_protection,
        rec.trust_protection,
        k,
        targets,
        vulnerability,
    )
    m.tally["releasees_recruiting"] += starting
    pool = m.community_recruiters
    pool += rec.replenishment * (m.community_recruiters_start - pool)
    active = pool + recruiting
    approached = np.empty(p.n, np.int64)
    by_recruiter = np.empty(p.n, np.bool_)
    n_approached = kernels.recruit_in_community_approach(
        targets,
        vulnerability**rec.targeting,
        p.community,
        active,
        rec.approaches_per_week,
        k,
        m.streams.uniform("recruit_community", m.week, p.n),
        m.streams.uniform("recruit_online", m.week, p.n, row=0),
        rec.online_approach,
        approached,
        by_recruiter,
    )
    approached, by_recruiter = approached[:n_approached], by_recruiter[:n_approached]
    successes, online_successes = kernels.recruit_in_community_success(
        approached,
        by_recruiter,
        vulnerability,
        _maturation(p.age[approached], rec.age_vulnerability_ratio),  # the young are most open
        m.streams.on_demand("recruit_success", m.week, 1),
        m.streams.on_demand("recruit_online", m.week, 1),  # only those approached online
        rec.online_success_share,
        rec.approach_success,
        *kernels.modifier(m.mod.recruit_success),
        m.week,
        p.last_approach_week,
        p.group_ties,
        p.ideology,
        rec.success_ties_gain,
        rec.success_ideology_share * rec.success_ties_gain,
    )
    online = int(np.count_nonzero(~by_recruiter))
    approaches = n_approached - online
    m.tally["recruiter_approaches"] += approaches
    m.tally["recruiter_successes"] += successes
    m.tally["online_approaches"] += online
    m.tally["recruiter_approaches"] += online
    m.tally["recruiter_successes"] += online_successes


def practitioner_work(m: ReintegrationModel) -> None:
    """Trust is held with the key practitioner: part of it is lost when a new one takes over
    (outside the release, where the handover is decided at the gate). It grows over months of
    contact (specialised staff on separation wings and electronic monitoring add contact; NGO
    exit workers build it faster than state ones) and fades without it; exit work and vetted
    religious counsel lower ideology, more so with trust and room to reflect; trust gives hope.
    On separation wings some refuse purposeful activity and programme work, which then change
    nothing, until a practitioner they trust brings them back [RAN 2018, Goals; Trust;
    Providers of exit work; Theological support; Release conditions; Prisons and prison
    regime]."""
    p, beh, ag, mod = m.people, m.params.behaviour, m.params.agencies, m.mod
    # refusal numbers are read only where someone is separated (nobody else can refuse)
    u_refusal = m.streams.uniform("refusal", m.week, p.n) if p.separated.any() else kernels.EMPTY
    changes, starts = kernels.practitioner_work(
        p.phase,
        p.separated,
        p.monitored,
        p.refusing,
        p.key_worker,
        p.last_release_week,
        p.trust,
        p.ideology,
        p.group_ties,
        p.hope,
        m.caseload_table.assigned,
        m.caseload_table.weeks_in_service,
        _KEY_WORKER_ROWS,
        _ROW[AgencyKind.PRISON],
        _ROW[AgencyKind.EXIT],
        _ROW[AgencyKind.PROBATION],
        _ROW[AgencyKind.RELIGIOUS],
        m.exit_ngo,
        u_refusal,
        m.week,
        m.params.release.discontinuity_trust_loss,
        m.params.prison.refusal_onset,
        m.params.prison.refusal_overcome,
        ag.contact_prison,
        m.params.prison.specialised_staff,
        _EXIT_CONTACT,
        ag.contact_probation,
        m.params.release.monitoring_contact,
        ag.contact_religious,
        ag.contact_cap,
        beh.trust_growth,
        ag.state_exit_trust_growth,
        beh.trust_decay,
        _reflection(m),
        ag.exit_work_effect,
        ag.religious_effect,
        beh.hope_from_trust,
        *kernels.modifier(mod.trust_growth),
        "ideology_change" in mod.touched,
        *kernels.modifier(mod.ideology_change),
        "ties_change" in mod.touched,
        *kernels.modifier(mod.ties_change),
        "hope_change" in mod.touched,
        *kernels.modifier(mod.hope_change),
    )
    m.tally["practitioner_changes"] += changes
    if u_refusal.size:
        m.tally["refusal_starts"] += starts


#: the key practitioner, whose relationship holds the person's trust: the exit worker, else the
#: prison key worker, else the probation officer (structure: the order of who works closest);
#: a person's ``key_worker`` is the position in this order
_KEY_WORKER_ORDER = (AgencyKind.PROBATION, AgencyKind.PRISON, AgencyKind.EXIT)  # last wins
_KEY_WORKER_ROWS = np.array([_ROW[kind] for kind in _KEY_WORKER_ORDER], np.int64)


def drift_ideology_and_ties(m: ReintegrationModel) -> None:
    """Belief and behaviour drift apart: group ties pull belief up, feeling rejected pulls it up,
    bonds (family, work, hope) pull it down, all faster in the young
    (``behaviour.openness_age_ratio``); ties loosen with work, housing and family and follow
    released network contacts; boredom wears hope down [RAN 2018, Goals; Stigmatisation].
    Bonds and anchors are unweighted means of three indices (structure); the drift and decay
    parameters that multiply them set their strength. Levers that fill the day (education,
    work, sport in custody) scale boredom (modifier ``boredom``)."""
    p, beh = m.people, m.params.behaviour
    openness = _maturation_of_everyone(
        m, beh.openness_age_ratio
    )  # belief changes most in the young
    kernels.drift_ideology(p.phase, p.ideology, p.group_ties, openness, beh.ideology_drift_group)
    assigned, adjacency = m.caseload_table.assigned, m.adjacency
    # rejection feeds belief in the community only: the sympathy of the others is not read
    community = np.flatnonzero(p.in_community())
    sympathy = np.zeros(p.n)
    sympathy[community] = _sympathy(p.ideology[community], beh)
    kernels.drift_ideology_and_ties(
        p.phase,
        p.ideology,
        p.group_ties,
        p.family_ties,
        p.working,
        p.housed,
        p.hope,
        p.trust,
        p.stigma,
        openness,
        sympathy,
        assigned[_ROW[AgencyKind.EXIT]],
        assigned[_ROW[AgencyKind.MENTAL_HEALTH]],
        assigned[_ROW[AgencyKind.RELIGIOUS]],
        adjacency.indptr,
        adjacency.indices,
        adjacency.data,
        beh.ideology_drift_rejection,
        beh.ideology_drift_bonds,
        beh.ties_decay,
        beh.custody_ties_decay,
        beh.peer_ties_pull,
        beh.boredom,
        *kernels.modifier(m.mod.boredom),
    )


def _age_ratio(age: np.ndarray, off: Offending) -> np.ndarray:
    """Hazard ratio by age: ``hr_young`` under ``young_age``, falling linearly to 1 at
    ``neutral_age`` and to ``hr_old`` at ``old_age`` (all ``offending.*``)."""
    young, neutral, hr_young, hr_old = off.young_age, off.neutral_age, off.hr_young, off.hr_old
    middle = 1.0 + (hr_young - 1.0) * (neutral - age) / (neutral - young)
    older = np.maximum(hr_old, 1.0 - (1.0 - hr_old) * (age - neutral) / (off.old_age - neutral))
    return np.where(age < young, hr_young, np.where(age < neutral, middle, older))


class _LogHazardRatios(NamedTuple):
    """The logarithms of the offending hazard ratios (``offending.hr_*``)."""

    prior_record: float
    female: float
    no_housing: float
    no_work: float
    family: float
    hope: float
    mental_health: float
    group_ties: float
    supervision: float
    trust: float


@functools.lru_cache(maxsize=64)
def _log_hazard_ratios(off: Offending) -> _LogHazardRatios:
    """The logarithms of the offending hazard ratios, made once per set of parameters (frozen,
    so hashable), not every week."""
    return _LogHazardRatios(
        *(float(np.log(getattr(off, f"hr_{name}"))) for name in _LogHazardRatios._fields)
    )


def offending_hazards(m: ReintegrationModel) -> tuple[np.ndarray, np.ndarray]:
    """Weekly probabilities of a proven reoffence and of a terrorism offence for everyone in the
    community (0 for others). Proportional hazards on personal propensity and the current risk
    and protective factors, with age curves in both (maturation) and sex in the first; nothing
    in it depends on time since release, so the falling hazard of a cohort comes from who is
    still at risk and from ties built over time."""
    p, off, ag, mod = m.people, m.params.offending, m.params.agencies, m.mod
    table = m.caseload_table
    i = np.flatnonzero(p.in_community())  # the hazards are 0 for everyone else
    age_ratio = kernels.age_ratio(  # _age_ratio(p.age[i], off), compiled
        p.age, i, off.young_age, off.neutral_age, off.hr_young, off.hr_old, off.old_age
    )
    logs = _log_hazard_ratios(off)
    log_hr = kernels.offending_log_hazard_ratio(
        i,
        p.phase,
        p.prior_record,
        np.log(age_ratio),
        p.female,
        p.housed,
        p.working,
        p.family_ties,
        p.hope,
        p.mental_health,
        p.group_ties,
        p.trust,
        # contact with a practitioner who can hold trust
        table.assigned[_ROW[AgencyKind.EXIT]],
        table.assigned[_ROW[AgencyKind.PROBATION]],
        table.assigned[_ROW[AgencyKind.RELIGIOUS]],
        table.assigned[_ROW[AgencyKind.MENTAL_HEALTH]],
        logs.prior_record,
        logs.female,
        logs.no_housing,
        logs.no_work,
        logs.family,
        logs.hope,
        logs.mental_health,
        ag.treatment_effect,
        logs.group_ties,
        logs.supervision,
        logs.trust,
        # a share of the mental health treatment's effect brought by a lever
        *kernels.modifier(mod.treatment),
    )
    hazard, terror = kernels.offending_hazards(
        i,
        p.cohort,
        p.frailty,
        p.ideology,
        p.group_ties,
        np.exp(log_hr),
        _maturation(p.age[i], off.terror_age_ratio),
        off.terror_hr_hope ** p.hope[i],
        off.base_hazard_extremist,
        off.base_hazard_comparison,
        off.terror_hazard,
        *kernels.modifier(mod.hazard),
        *kernels.modifier(mod.terror_hazard),
    )
    p_any, p_terror = np.zeros(p.n), np.zeros(p.n)
    p_any[i] = -np.expm1(-hazard)
    p_terror[i] = -np.expm1(-terror)
    return p_any, p_terror


def offend_and_reconvict(m: ReintegrationModel) -> np.ndarray:
    """Proven reoffences (terrorism offences among them) send people back to custody with a new
    sentence; press coverage of a terrorism offence raises prejudice [RAN 2018,
    Stigmatisation]. Returns the mask of people convicted this week."""
    p, off, beh, week = m.people, m.params.offending, m.params.behaviour, m.week
    p_any, p_terror = offending_hazards(m)
    m.last_hazard = p_any
    convicted, terror = np.empty(p.n, np.bool_), np.empty(p.n, np.bool_)
    kernels.offend(
        p_any,
        p_terror,
        m.streams.uniform("terror", week, p.n),
        m.streams.uniform("reoffend", week, p.n),
        m.streams.on_demand("sentence", week, 0),  # conviction: only those who offended
        off.conviction_probability,
        convicted,
        terror,
    )
    index = np.flatnonzero(convicted)
    # the sentence: an exponential draw of its mean, only for the convicted
    e_sentence = kernels.uniforms_at(m.streams.on_demand("sentence", week, 1), index)
    coverage = np.zeros(m.communities.prejudice.size, np.int64)
    kernels.reconvict(
        index,
        terror,
        p.cohort,
        p.community,
        np.log1p(-e_sentence),
        week,
        off.terror_resentence_years,
        off.resentence_years,
        WEEKS_PER_YEAR,
        off.housing_loss_sentence_weeks,
        beh.stigma_conviction_extremist,
        beh.stigma_conviction_comparison,
        p.phase,
        p.reoffence_week,
        p.terror_week,
        p.n_reoffences,
        p.monitored,
        p.release_week,
        p.on_recall,
        p.stigma_conviction,
        p.working,
        p.housed,
        coverage,
    )
    _press(m, coverage)
    return convicted


def _press(m: ReintegrationModel, coverage: np.ndarray) -> None:
    """Press coverage of the week's terrorism convictions (``coverage``: how many in each
    community) raises prejudice there and, by ``community.press_spillover``, elsewhere; a
    media strategy prepares communities for it (modifier press_prejudice); prejudice relaxes
    toward its baseline."""
    c, com = m.communities, m.params.community
    press = com.press_coverage * _per_community(m, m.mod.press_prejudice)
    spread = coverage + com.press_spillover * (coverage.sum() - coverage)
    c.prejudice += press * spread * (1.0 - c.prejudice)
    c.prejudice += com.prejudice_relaxation * (c.prejudice_baseline - c.prejudice)
    np.clip(c.prejudice, 0.0, 1.0, out=c.prejudice)


def detect_and_recall(m: ReintegrationModel, convicted: np.ndarray) -> np.ndarray:
    """Security services document active re-engagement (better with monitoring, the family's
    trust and what exit workers share); breaches of licence, and documented re-engagement on licence, bring recall
    [RAN 2018, Release conditions; Multi-agency cooperation; Social support]. A state exit
    worker passes on all they learn, an NGO one ``agencies.ngo_information_sharing`` of it."""
    p, ag, off, beh = m.people, m.params.agencies, m.params.offending, m.params.behaviour
    documented = np.empty(p.n, np.bool_)
    #: the week's recall hazard for a breach (0 off licence), kept for inspection and tests
    m.last_recall_hazard = np.empty(p.n)
    kernels.detect_and_recall(
        p.phase,
        convicted,
        p.group_ties,
        p.family_trust,
        p.family_ties,
        p.trust,
        p.monitored,
        p.housed,
        m.caseloads[AgencyKind.POLICE].assigned >= 0,
        m.caseloads[AgencyKind.EXIT].assigned,
        m.exit_ngo,
        m.streams.on_demand("detect", m.week),  # the engaged
        m.streams.on_demand("recall", m.week),  # those on licence
        m.week,
        beh.engaged_threshold,
        ag.police_detection,
        ag.unmonitored_detection,
        ag.detection_family_trust_weight,
        ag.ngo_information_sharing,
        ag.exit_information_detection,
        off.recall_hazard,
        off.recall_monitored,
        off.recall_trust_reduction,
        off.recall_no_housing,
        off.recall_family_reduction,
        m.params.release.recall_stay_weeks,
        *kernels.modifier(m.mod.detection),
        *kernels.modifier(m.mod.recall),
        p.engaged_week,
        p.reengagement_week,
        p.terror_week,
        p.recall_week,
        p.n_recalls,
        p.release_week,
        p.on_recall,
        documented,
        m.last_recall_hazard,
    )
    return documented


def disrupt(m: ReintegrationModel, documented: np.ndarray) -> None:
    """Security services act on documented re-engagement: with a chance and after a delay they
    intervene (arrest, disrupting contact with the group), which cuts the person's ties to the
    group and so their capacity to offend with it, stops them recruiting and removes recruiters
    from their community, at a cost in the family's and the person's trust [RAN 2018,
    Multi-agency cooperation; Social support; Trust]. Acting on one person exposes their
    contacts: the community's pool of recruiters shrinks."""
    p, ag = m.people, m.params.agencies
    m.tally["disruptions"] += kernels.disrupt(
        p.phase,
        documented,
        p.community,
        m.streams.on_demand("disrupt", m.week),  # the documented
        m.week,
        ag.disruption_probability,
        ag.disruption_delay_weeks,
        ag.disruption_ties_loss,
        ag.disruption_family_trust_loss,
        ag.disruption_trust_loss,
        m.params.recruiters.disruption_removal,
        p.disruption_due,
        p.group_ties,
        p.family_trust,
        p.trust,
        p.recruiting,
        p.group_link,
        m.community_recruiters,
    )


def reach_milestones(m: ReintegrationModel) -> None:
    """Small goals reached for the first time give hope [RAN 2018, Goals]: family contact
    (ties above ``behaviour.family_contact_threshold``), ``behaviour.therapy_milestone_weeks``
    of mental health treatment, exit work or religious counsel, and work and housing in the
    community."""
    p, beh = m.people, m.params.behaviour
    kernels.reach_milestones(
        p.phase,
        p.family_ties,
        p.working,
        p.housed,
        m.caseload_table.weeks_in_service,
        _THERAPY_ROWS,
        p.milestones,
        p.hope,
        _POPCOUNT,
        beh.family_contact_threshold,
        beh.therapy_milestone_weeks,
        beh.hope_per_milestone,
        *kernels.modifier(m.mod.milestone_hope),
    )
