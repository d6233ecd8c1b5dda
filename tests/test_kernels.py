"""The compiled kernels (model/kernels.py) against the numpy rules they replaced.

Each weekly rule that now runs as a numba kernel is checked two ways:

* against the previous whole-array numpy implementation, kept below as the reference
  (``reference_<rule>``, verbatim but for the names): on real model states of several scenarios
  (levers writing modifiers as arrays included), the rule applied by the reference and by the
  kernel, from the same state and the same week's random numbers, must leave every state array
  and every tally bit-identical;
* on small hand-built cases whose update is worked out by hand (below the reference).

The indicators (``Recorder.record``) are checked against their definitions in
tests/test_outcomes.py, the caseload kernel by the hand-built cases of tests/test_caseload.py.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from reintegration_sim.model import ReintegrationModel, kernels, submodels
from reintegration_sim.model.agents import AgencyKind, Cohort, Gate, Milestone, Phase
from reintegration_sim.model.population import NO_EVENT, WEEKS_PER_YEAR
from reintegration_sim.model.submodels import (
    _EXIT_CONTACT,
    _KEY_WORKER_ORDER,
    _POPCOUNT,
    _age_ratio,
    _by_cohort,
    _maturation,
    _pick,
    _reflection,
    _sympathy,
)
from reintegration_sim.parameters import Parameters
from reintegration_sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent


# ------------------------------------------------------------------ the numpy reference
def _return_to_custody(m: ReintegrationModel, mask: np.ndarray, weeks: np.ndarray | int) -> None:
    p = m.people
    p.phase[mask] = Phase.CUSTODY
    p.monitored[mask] = False
    p.release_week[mask] = (m.week + np.broadcast_to(weeks, mask.shape))[mask]


def _reference_caseload_update(cl, eligible: np.ndarray, week: int) -> None:
    """Caseload.update as it was in numpy."""
    assigned, waiting_since = cl.assigned, cl.waiting_since
    served = assigned >= 0
    leaving = served & ~eligible
    if leaving.any():
        cl.load -= np.bincount(assigned[leaving], minlength=cl.n_practitioners)
        assigned[leaving] = -1
        cl.weeks_in_service[leaving] = 0
    served &= eligible
    need = eligible & ~served
    np.putmask(waiting_since, need & (waiting_since < 0), week)
    np.putmask(waiting_since, ~need, -1)
    free = cl.capacity - cl.load
    n_free = int(free.sum())
    if n_free > 0:
        candidates = np.flatnonzero(need)
        if candidates.size:
            order = np.argsort(waiting_since[candidates], kind="stable")
            take = candidates[order[:n_free]]
            slots = np.repeat(np.arange(cl.n_practitioners), free)[: take.size]
            assigned[take] = slots
            cl.load += np.bincount(slots, minlength=cl.n_practitioners)
            waiting_since[take] = -1
            served[take] = True
    cl.weeks_in_service += served


def reference_advance_phases(m: ReintegrationModel) -> None:
    """Release day ends; licences expire; transition planning starts before release."""
    p, week = m.people, m.week
    after_gate = p.phase == Phase.RELEASE_DAY
    p.phase[after_gate] = Phase.LICENCE
    expired = (p.phase == Phase.LICENCE) & (week >= p.licence_end)
    p.phase[expired] = Phase.AFTER_LICENCE
    p.monitored[p.phase != Phase.LICENCE] = False
    planning = (p.phase == Phase.CUSTODY) & (
        p.release_week - week <= m.params.release.planning_lead_weeks
    )
    p.phase[planning] = Phase.TRANSITION


def reference_age_and_die(m: ReintegrationModel) -> None:
    """Everyone ages a week; mortality doubles every ``offending.mortality_doubling_years``
    of age (30: the age at which ``offending.mortality_30`` is given)."""
    p, off = m.people, m.params.offending
    alive = p.alive()
    p.age[alive] += 1.0 / WEEKS_PER_YEAR
    hazard = off.mortality_30 * np.exp2((p.age - 30.0) / off.mortality_doubling_years)
    dies = alive & (m.streams.uniform("death", m.week, p.n) < hazard)
    p.phase[dies] = Phase.DEAD
    p.death_week[dies] = m.week


def reference_unfair_incidents(m: ReintegrationModel) -> None:
    """Incidents perceived as unfair break trust and feed grievance [RAN 2018, Trust; Prisons]."""
    p, beh = m.people, m.params.behaviour
    inside = p.in_custody()
    crowding = max(0.0, m.params.prison.overcrowding - 1.0)
    rate = np.where(
        inside,
        beh.unfairness_rate * (1.0 - m.params.prison.fairness) * (1.0 + crowding),
        beh.unfairness_rate * (1.0 - beh.community_fairness),
    )
    hit = p.alive() & (m.streams.uniform("unfairness", m.week, p.n) < rate * m.mod.unfairness)
    p.trust[hit] *= 1.0 - beh.unfairness_trust_loss
    x = p.ideology[hit]
    p.ideology[hit] = x + beh.grievance * _sympathy(x, beh) * (1.0 - x)


def _reference_recruit(
    m: ReintegrationModel, approached: np.ndarray, vulnerability: np.ndarray, u_success: np.ndarray
) -> np.ndarray:
    """An approach succeeds with ``recruiters.approach_success`` x vulnerability x the openness
    of the person's age (``recruiters.age_vulnerability_ratio``); success adds ties and belief.
    Returns who was won over."""
    rec = m.params.recruiters
    p = m.people
    openness = _maturation(p.age, rec.age_vulnerability_ratio)  # the young are most open
    success = approached & (
        u_success < rec.approach_success * vulnerability * openness * m.mod.recruit_success
    )
    p.last_approach_week[approached] = m.week
    p.group_ties[success] += rec.success_ties_gain * (1.0 - p.group_ties[success])
    p.ideology[success] += (
        rec.success_ideology_share * rec.success_ties_gain * (1.0 - p.ideology[success])
    )
    m.tally["recruiter_approaches"] += int(approached.sum())
    m.tally["recruiter_successes"] += int(success.sum())
    return success


def reference_recruit_in_prison(m: ReintegrationModel) -> None:
    """Recruiters on a wing approach its prisoners; the hopeless, isolated and distrustful are
    the most open to them; those won over keep a contact with an active group outside [RAN
    2018, Prisons and prison regime]."""
    p, rec = m.people, m.params.recruiters
    inside = p.in_custody()
    # recruiters' approaches are shared among everyone on the wing (steady state)
    rate = m.prison_recruiters * rec.approaches_per_week / np.maximum(m.wing_population, 1)
    approached = inside & (m.streams.uniform("recruit_prison", m.week, p.n) < rate[p.wing])
    vulnerability = (
        (1.0 - p.hope)
        * (1.0 - rec.family_protection * p.family_ties)
        * (1.0 - rec.trust_protection * p.trust)
    )
    # levers acting on recruitment inside only (staff training, mentors); neutral 1.0
    vulnerability = vulnerability * m.mod.prison_recruit_success
    u_success = m.streams.uniform("recruit_success", m.week, p.n, row=0)
    won = _reference_recruit(m, approached, vulnerability, u_success)
    p.group_link |= won


def reference_update_caseloads(m: ReintegrationModel) -> None:
    """Each agency discharges those no longer eligible and fills free places from its waiting
    list; nobody exceeds capacity [RAN 2018, Staff training; EVIDENCE 3]."""
    p, ag, week = m.people, m.params.agencies, m.week
    inside = p.in_custody()
    community = p.in_community()
    transition = p.phase == Phase.TRANSITION
    ext = p.cohort == Cohort.EXTREMIST
    support_weeks = ag.exit_support_years * WEEKS_PER_YEAR
    recently_released = community & (week - p.last_release_week < support_weeks)
    eligible = {
        AgencyKind.PRISON: inside,
        AgencyKind.EXIT: ext & (inside | recently_released),
        AgencyKind.PROBATION: transition
        | (p.phase == Phase.RELEASE_DAY)
        | (p.phase == Phase.LICENCE),
        AgencyKind.HOUSING: (transition | community) & ~p.housed,
        AgencyKind.EMPLOYMENT: (transition | community) & ~p.working & (p.age < ag.work_age_limit),
        AgencyKind.MENTAL_HEALTH: p.alive() & (p.mental_health > 0),
        AgencyKind.RELIGIOUS: p.alive()
        & ext
        & (p.ideology > m.params.behaviour.deradicalised_threshold),
        AgencyKind.POLICE: community
        & ext
        & ((p.group_ties > ag.police_ties_threshold) | (p.phase == Phase.LICENCE)),
    }
    for kind, mask in eligible.items():
        _reference_caseload_update(m.caseloads[kind], mask, week)


def reference_update_stigma(m: ReintegrationModel) -> None:
    """Conviction stigma fades in the community; community prejudice and monitoring add to the
    stigma a person meets [RAN 2018, Stigmatisation; Release conditions]."""
    p, beh = m.people, m.params.behaviour
    community = p.in_community()
    p.stigma_conviction[community] *= 1.0 - beh.stigma_fade
    p.stigma[:] = np.clip(
        p.stigma_conviction
        + beh.prejudice_weight * m.communities.prejudice[p.community]
        + m.params.release.monitoring_stigma * p.monitored
        + m.mod.stigma,
        0.0,
        1.0,
    )


def reference_family_dynamics(m: ReintegrationModel) -> None:
    """Family ties grow with contact after release and fade with distance in custody; stress
    brings conflict; security monitoring erodes the family's trust in agencies while exit
    work builds it [RAN 2018, Social support]."""
    p, beh, ag = m.people, m.params.behaviour, m.params.agencies
    community = p.in_community()
    inside = p.in_custody()
    w = beh.family_growth_trust_weight
    growth = beh.family_support_growth * (1.0 - w + w * p.family_trust) * (1.0 - p.family_ties)
    np.add(p.family_ties, growth * m.mod.family_growth, out=p.family_ties, where=community)
    np.subtract(
        p.family_ties,
        beh.custody_family_drift * beh.family_support_growth * p.family_ties,
        out=p.family_ties,
        where=inside,
    )
    if "custody_family_contact" in m.mod.touched:
        # contact in custody (visits, calls) lets ties grow there too, at a share of the growth
        # after release (levers: modifier custody_family_contact)
        visits = growth * m.mod.custody_family_contact
        np.add(p.family_ties, visits, out=p.family_ties, where=inside)
    # a large growth rate times a lever's multiplier can overshoot 1 (and a large drift 0)
    np.clip(p.family_ties, 0.0, 1.0, out=p.family_ties)
    # stress: an unweighted count of stressors (structure); behaviour.family_conflict sizes it
    stress = (~p.housed).astype(float) + (~p.working) + p.group_ties
    conflict = community & (
        m.streams.uniform("family", m.week, p.n)
        < beh.family_conflict * stress * m.mod.family_conflict
    )
    p.family_ties[conflict] *= 1.0 - beh.conflict_ties_loss
    police = m.caseloads[AgencyKind.POLICE].served
    exit_work = m.caseloads[AgencyKind.EXIT].served
    p.family_trust[police] -= ag.police_family_trust_cost * p.family_trust[police]
    if "family_trust_change" in m.mod.touched:
        p.family_trust += m.mod.family_trust_change
        np.clip(p.family_trust, 0.0, 1.0, out=p.family_trust)
    p.family_trust[exit_work] += ag.exit_family_trust * (1.0 - p.family_trust[exit_work])


def reference_recruit_in_community(m: ReintegrationModel) -> None:
    """Recruiters in the community (a pool from outside, depleted by disruption and refilling,
    and released people who re-engaged and recruit in turn) choose whom to approach: released
    people with some sympathy, the more vulnerable the more often; where agencies leave housing
    and work unmet, the community rejects them and neither family nor practitioners hold them,
    the group's offer succeeds more often. Online approaches need no recruiter nearby [RAN
    2018, Stigmatisation; Material support; Transition management]."""
    p, rec, beh = m.people, m.params.recruiters, m.params.behaviour
    k = m.communities.capacity.size
    community = p.in_community()
    engaged = community & (p.group_ties > beh.engaged_threshold)
    u_convert = m.streams.uniform("recruit_convert", m.week, p.n)
    u_online = m.streams.uniforms("recruit_online", m.week, 2, p.n)
    p.recruiting &= engaged
    starting = engaged & ~p.recruiting & (u_convert < rec.conversion)
    p.recruiting |= starting
    m.tally["releasees_recruiting"] += int(np.count_nonzero(starting))
    pool = m.community_recruiters
    pool += rec.replenishment * (m.community_recruiters_start - pool)
    active = pool + np.bincount(p.community[p.recruiting], minlength=k)

    targets = (
        community
        & ~p.recruiting
        & (
            (p.cohort == Cohort.EXTREMIST)
            | (p.ideology > rec.community_target_ideology)
            | p.group_link
        )
    )
    met = rec.need_met_vulnerability
    unmet = (1.0 - met) / 2.0  # no housing and no work each add half of the rest (structure)
    material_need = met + unmet * ~p.housed + unmet * ~p.working
    s = rec.stigma_vulnerability
    vulnerability = (
        material_need
        * (1.0 - s + s * p.stigma)
        * (1.0 - rec.family_protection * p.family_ties)
        * (1.0 - rec.trust_protection * p.trust)
    )
    # each target's share of the community's approaches: vulnerability to the targeting power
    weight = np.where(targets, vulnerability**rec.targeting, 0.0)
    total = np.bincount(p.community, weights=weight, minlength=k)
    share = np.divide(weight, total[p.community], out=np.zeros(p.n), where=weight > 0)
    rate = active[p.community] * rec.approaches_per_week * share
    approached = targets & (m.streams.uniform("recruit_community", m.week, p.n) < rate)
    _reference_recruit(
        m, approached, vulnerability, m.streams.uniform("recruit_success", m.week, p.n, row=1)
    )
    online = targets & ~approached & (u_online[0] < rec.online_approach)
    m.tally["online_approaches"] += int(np.count_nonzero(online))
    _reference_recruit(m, online, rec.online_success_share * vulnerability, u_online[1])


def reference_drift_ideology_and_ties(m: ReintegrationModel) -> None:
    """Belief and behaviour drift apart: group ties pull belief up, feeling rejected pulls it up,
    bonds (family, work, hope) pull it down, all faster in the young
    (``behaviour.openness_age_ratio``); ties loosen with work, housing and family and follow
    released network contacts; boredom wears hope down [RAN 2018, Goals; Stigmatisation]."""
    p, beh = m.people, m.params.behaviour
    community = p.in_community()
    alive = p.alive()
    # bonds and anchors: unweighted means of three indices (structure); the drift and decay
    # parameters that multiply them set their strength
    bonds = (p.family_ties + p.working + p.hope) / 3.0
    openness = _maturation(p.age, beh.openness_age_ratio)  # belief changes most in the young
    x = p.ideology
    x += beh.ideology_drift_group * openness * p.group_ties * (1.0 - x)
    sympathy = _sympathy(x, beh)
    x += beh.ideology_drift_rejection * openness * p.stigma * community * sympathy * (1.0 - x)
    x -= beh.ideology_drift_bonds * openness * bonds * x
    np.clip(x, 0.0, 1.0, out=x)

    anchors = (p.housed.astype(float) + p.working + p.family_ties) / 3.0
    decay = np.where(community, beh.ties_decay * anchors, beh.ties_decay * beh.custody_ties_decay)
    p.group_ties -= decay * p.group_ties * alive
    outside = community.astype(float)
    # one pass over the ties for both sums (same order of addition as two products)
    both = m.adjacency @ np.column_stack((outside, p.group_ties * outside))
    neighbours, neighbour_ties = both[:, 0], both[:, 1]
    has = community & (neighbours > 0)
    target = neighbour_ties[has] / neighbours[has]
    p.group_ties[has] += beh.peer_ties_pull * (target - p.group_ties[has])
    np.clip(p.group_ties, 0.0, 1.0, out=p.group_ties)

    served = m.caseloads
    active = (
        (p.working & community)
        | served[AgencyKind.EXIT].served
        | served[AgencyKind.MENTAL_HEALTH].served
        | served[AgencyKind.RELIGIOUS].served
    )
    # levers that fill the day (education, work, sport in custody) scale boredom; neutral 1.0
    p.hope -= beh.boredom * (~active & alive) * p.hope * m.mod.boredom
    np.clip(p.hope, 0.0, 1.0, out=p.hope)
    np.clip(p.trust, 0.0, 1.0, out=p.trust)


def reference_detect_and_recall(m: ReintegrationModel, convicted: np.ndarray) -> np.ndarray:
    """Security services document active re-engagement (better with monitoring, the family's
    trust and what exit workers share); breaches of licence, and documented re-engagement on licence, bring recall
    [RAN 2018, Release conditions; Multi-agency cooperation; Social support]."""
    p, ag, off, beh, week = (
        m.people,
        m.params.agencies,
        m.params.offending,
        m.params.behaviour,
        m.week,
    )
    community = p.in_community() & ~convicted
    monitored_by_police = m.caseloads[AgencyKind.POLICE].served
    engaged = community & (p.group_ties > beh.engaged_threshold)
    p.engaged_week[engaged & (p.engaged_week == NO_EVENT)] = week
    w = ag.detection_family_trust_weight
    # what the exit worker passes on: all of it from a state worker, a share from an NGO one
    exit_worker = m.caseloads[AgencyKind.EXIT].served
    sharing = np.where(
        exit_worker,
        np.where(_state_exit_worker(m), 1.0, ag.ngo_information_sharing),
        0.0,
    )
    p_detect = (
        ag.police_detection
        * np.where(monitored_by_police, 1.0, ag.unmonitored_detection)
        * (1.0 - w + w * p.family_trust)
        * (1.0 + ag.exit_information_detection * sharing)
        * m.mod.detection
    )
    documented = engaged & (m.streams.uniform("detect", m.week, p.n) < p_detect)
    first = documented & (p.reengagement_week == NO_EVENT) & (p.terror_week == NO_EVENT)
    p.reengagement_week[first] = week

    on_licence = community & ((p.phase == Phase.LICENCE) | (p.phase == Phase.RELEASE_DAY))
    hazard = (
        off.recall_hazard
        * (1.0 + p.group_ties)
        * np.where(p.monitored, off.recall_monitored, 1.0)
        * (1.0 - off.recall_trust_reduction * p.trust)
        * np.where(p.housed, 1.0, off.recall_no_housing)
        * (1.0 - off.recall_family_reduction * p.family_ties)
        * m.mod.recall
    )
    recalled = on_licence & ((m.streams.uniform("recall", m.week, p.n) < hazard) | documented)
    p.recall_week[recalled & (p.recall_week == NO_EVENT)] = week
    p.n_recalls[recalled] += 1
    _return_to_custody(m, recalled, m.params.release.recall_stay_weeks)
    p.on_recall[recalled] = True
    return documented


def reference_disrupt(m: ReintegrationModel, documented: np.ndarray) -> None:
    """Security services act on documented re-engagement: with a chance and after a delay they
    intervene (arrest, disrupting contact with the group), which cuts the person's ties to the
    group and so their capacity to offend with it, stops them recruiting and removes recruiters
    from their community, at a cost in the family's and the person's trust [RAN 2018,
    Multi-agency cooperation; Social support; Trust]."""
    p, ag, week = m.people, m.params.agencies, m.week
    acted_on = m.streams.uniform("disrupt", m.week, p.n) < ag.disruption_probability
    new = documented & acted_on & (p.disruption_due == NO_EVENT)
    p.disruption_due[new] = week + ag.disruption_delay_weeks
    due = (p.disruption_due == week) & p.alive()
    p.group_ties[due] *= 1.0 - ag.disruption_ties_loss
    p.family_trust[due] *= 1.0 - ag.disruption_family_trust_loss
    p.trust[due] *= 1.0 - ag.disruption_trust_loss
    p.disruption_due[due] = NO_EVENT
    # acting on one person exposes their contacts: the community's pool of recruiters shrinks
    pool = m.community_recruiters
    pool -= m.params.recruiters.disruption_removal * np.bincount(
        p.community[due], minlength=pool.size
    )
    np.maximum(pool, 0.0, out=pool)
    p.recruiting[due] = False
    p.group_link[due] = False
    m.tally["disruptions"] += int(np.count_nonzero(due))


def reference_reach_milestones(m: ReintegrationModel) -> None:
    """Small goals reached for the first time give hope [RAN 2018, Goals]."""
    p, beh = m.people, m.params.behaviour
    community = p.in_community()
    therapy = np.zeros(p.n, bool)
    for kind in (AgencyKind.MENTAL_HEALTH, AgencyKind.EXIT, AgencyKind.RELIGIOUS):
        therapy |= m.caseloads[kind].weeks_in_service >= beh.therapy_milestone_weeks
    reached = (
        ((p.family_ties > beh.family_contact_threshold) << Milestone.FAMILY_CONTACT)
        | (therapy << Milestone.THERAPY)
        | ((p.working & community) << Milestone.WORK_OR_EDUCATION)
        | ((p.housed & community) << Milestone.HOUSING)
    ).astype(np.int16) * p.alive()
    new = reached & ~p.milestones
    n_new = _POPCOUNT[new]
    p.hope += beh.hope_per_milestone * n_new * (1.0 - p.hope) * m.mod.milestone_hope
    np.clip(p.hope, 0.0, 1.0, out=p.hope)
    p.milestones |= reached


def reference_influence_in_custody(m: ReintegrationModel) -> None:
    """influence_in_custody as it was in numpy."""
    p, pr, beh = m.people, m.params.prison, m.params.behaviour
    inside = p.in_custody()
    wing = p.wing[inside]
    # a wing's views: the followed people on it, new admissions like those who have left it
    # (their starting views; admissions replace releases, so the wing stays at steady state),
    # and its background prisoners
    views = np.where(inside, p.ideology, p.start["ideology_start"])
    bg = m.wing_background
    count = m.wing_population
    total = np.bincount(p.wing, weights=views, minlength=m.n_wings) + bg.count * bg.mean
    moderate = (
        np.bincount(p.wing, weights=views < beh.deradicalised_threshold, minlength=m.n_wings)
        + bg.count * bg.moderate_share
    )
    safe = np.maximum(count, 1)
    wing_mean = (total / safe)[wing]
    moderate_share = (moderate / safe)[wing]
    x = p.ideology[inside]
    openness = _maturation(p.age[inside], beh.openness_age_ratio)  # the young change most
    x += pr.peer_influence * openness * (wing_mean - x)
    x -= pr.differing_views * _reflection(m) * openness * moderate_share * x
    p.ideology[inside] = np.clip(x, 0.0, 1.0)


def reference_release_day(m: ReintegrationModel) -> None:
    """release_day as it was in numpy."""
    p, rel, rec, week = m.people, m.params.release, m.params.recruiters, m.week
    due = p.in_custody() & (p.release_week <= week)
    # draws are made for everyone every week, whatever the number due (common random numbers)
    u_continuity = m.streams.uniform("continuity", m.week, p.n)
    u_gate = m.streams.uniforms("gate", m.week, 2, p.n)
    u_gate_success = m.streams.uniform("gate_success", m.week, p.n)
    u_conditions = m.streams.uniform("conditions", m.week, p.n)
    if not due.any():
        return
    p.first_release_week[due & (p.first_release_week == NO_EVENT)] = week
    p.last_release_week[due] = week
    p.phase[due] = Phase.RELEASE_DAY
    p.release_week[due] = NO_EVENT

    continues = u_continuity < rel.continuity
    handover = due & ~continues
    had_practitioner = (
        m.caseloads[AgencyKind.PRISON].served
        | m.caseloads[AgencyKind.EXIT].served
        | m.caseloads[AgencyKind.PROBATION].served
    )
    lose = handover & had_practitioner
    p.trust[lose] *= 1.0 - rel.discontinuity_trust_loss * _pick(m.mod.handover_loss, lose)
    # the practitioner who continues carries the relationship and the resettlement plan
    p.continuity_week[due & continues & had_practitioner] = week
    m.caseloads[AgencyKind.EXIT].discharge(handover)
    practitioner = continues & (
        m.caseloads[AgencyKind.EXIT].served | m.caseloads[AgencyKind.PROBATION].served
    ) | (m.mod.gate_practitioner > 0)
    family = (u_gate[0] < rel.family_pickup * p.family_ties) | (m.mod.gate_family > 0)
    met = practitioner | family
    p.gate[due] = np.where(
        practitioner, Gate.PRACTITIONER, np.where(family, Gate.FAMILY, Gate.NOBODY)
    )[due]
    # recruiters choose whom to wait for: mostly those nobody meets
    # ... and for those they won over inside, whose contact in the group comes to meet them
    presence = np.where(met, rec.gate_presence_accompanied, 1.0) * np.maximum(
        rec.gate_presence * p.group_ties, rec.prison_link * p.group_link
    )
    recruiters_there = due & (u_gate[1] < presence)
    p.last_approach_week[recruiters_there] = week
    success = recruiters_there & (
        u_gate_success
        < np.where(met, rec.gate_success_met, rec.gate_success_unmet) * m.mod.recruit_success
    )
    p.group_ties[success] += rec.gate_ties_gain * (1.0 - p.group_ties[success])
    p.gate[success] = Gate.RECRUITER
    m.tally["gate_recruiters_present"] += int(recruiters_there.sum())
    m.tally["gate_recruiters_present_unaccompanied"] += int((recruiters_there & ~met).sum())
    m.tally["released_unaccompanied"] += int((due & ~met).sum())
    m.tally["released"] += int(due.sum())
    m.tally["gate_pickups"] += int(success.sum())

    licence_weeks = np.round(
        _by_cohort(m, rel.licence_years_extremist, rel.licence_years_comparison) * WEEKS_PER_YEAR
    ).astype(np.int32)
    new_licence = due & ~p.on_recall  # after a recall, the same licence resumes
    p.licence_end[new_licence] = week + licence_weeks[new_licence]
    p.on_recall[due] = False
    ext = p.cohort == Cohort.EXTREMIST
    p.monitored[due] = (ext & (u_conditions < rel.electronic_monitoring))[due]


def reference_offending_hazards(m: ReintegrationModel) -> tuple[np.ndarray, np.ndarray]:
    """offending_hazards as it was in numpy."""
    p, off, ag = m.people, m.params.offending, m.params.agencies
    log = np.log
    i = np.flatnonzero(p.in_community())  # the hazards are 0 for everyone else
    contact = (
        m.caseloads[AgencyKind.EXIT].served[i]
        | m.caseloads[AgencyKind.PROBATION].served[i]
        | m.caseloads[AgencyKind.RELIGIOUS].served[i]
    )
    # a place at the mental health service, or a share of its effect brought by a lever
    treated = np.minimum(
        1.0, m.caseloads[AgencyKind.MENTAL_HEALTH].served[i] + _pick(m.mod.treatment, i)
    )
    needs = p.mental_health[i] > 0
    log_hr = (
        p.prior_record[i] * log(off.hr_prior_record)
        + log(_age_ratio(p.age[i], off))
        + p.female[i] * log(off.hr_female)
        + ~p.housed[i] * log(off.hr_no_housing)
        + ~p.working[i] * log(off.hr_no_work)
        + p.family_ties[i] * log(off.hr_family)
        + p.hope[i] * log(off.hr_hope)
        + needs * log(off.hr_mental_health) * (1.0 - ag.treatment_effect * treated)
        + p.group_ties[i] * log(off.hr_group_ties)
        + (p.phase[i] == Phase.LICENCE) * log(off.hr_supervision)
        + p.trust[i] * contact * log(off.hr_trust)
    )
    base = _by_cohort(m, off.base_hazard_extremist, off.base_hazard_comparison)[i]
    hazard = base * p.frailty[i] * np.exp(log_hr) * _pick(m.mod.hazard, i)
    terror = (
        off.terror_hazard
        * _maturation(p.age[i], off.terror_age_ratio)
        * p.ideology[i]
        * p.group_ties[i]
        * off.terror_hr_hope ** p.hope[i]
        * _pick(m.mod.terror_hazard, i)
    )
    p_any, p_terror = np.zeros(p.n), np.zeros(p.n)
    p_any[i] = -np.expm1(-hazard)
    p_terror[i] = -np.expm1(-terror)
    return p_any, p_terror


def reference_offend_and_reconvict(m: ReintegrationModel) -> np.ndarray:
    """offend_and_reconvict as it was in numpy."""
    p, off, beh, week = m.people, m.params.offending, m.params.behaviour, m.week
    p_any, p_terror = reference_offending_hazards(m)
    m.last_hazard = p_any
    terror = m.streams.uniform("terror", m.week, p.n) < p_terror
    offence = terror | (m.streams.uniform("reoffend", m.week, p.n) < p_any)
    u_convict, e_sentence = m.streams.uniforms("sentence", m.week, 2, p.n)
    convicted = offence & (u_convict < off.conviction_probability)

    # only proven (convicted) offences are observed
    p.reoffence_week[convicted & (p.reoffence_week == NO_EVENT)] = week
    p.terror_week[convicted & terror & (p.terror_week == NO_EVENT)] = week
    p.n_reoffences[convicted] += 1

    mean_years = np.where(terror, off.terror_resentence_years, off.resentence_years)
    # whole weeks, at least one (the time step: structure)
    sentence = np.maximum(1, np.ceil(-np.log1p(-e_sentence) * mean_years * WEEKS_PER_YEAR))
    _return_to_custody(m, convicted, sentence.astype(np.int32))
    p.on_recall[convicted] = False
    conviction_stigma = _by_cohort(
        m, beh.stigma_conviction_extremist, beh.stigma_conviction_comparison
    )
    p.stigma_conviction[convicted] = np.maximum(
        p.stigma_conviction[convicted], conviction_stigma[convicted]
    )
    p.working[convicted] = False
    p.housed[convicted & (sentence > off.housing_loss_sentence_weeks)] = False

    coverage = np.bincount(p.community[terror & convicted], minlength=m.communities.prejudice.size)
    submodels._press(m, coverage)
    return convicted


def _reference_chance(
    m: ReintegrationModel,
    supported: np.ndarray,
    aided: float,
    unaided: float,
    modifier: float | np.ndarray = 1.0,
) -> np.ndarray:
    """submodels._chance (of material_support) as it was in numpy."""
    p, com = m.people, m.params.community
    c = m.communities
    capacity = c.capacity[p.community]
    # centred on trust 0.5, where the factor is 1 (structure); trust_cooperation sets its spread
    cooperation = 1.0 - 0.5 * com.trust_cooperation + com.trust_cooperation * c.trust[p.community]
    base = np.where(supported, aided, unaided)
    return (
        base
        * (1.0 - m.params.agencies.record_penalty * p.stigma)
        * (com.capacity_floor + capacity)
        * cooperation
        * modifier
    )


def reference_material_support(m: ReintegrationModel) -> None:
    """material_support as it was in numpy."""
    p, ag = m.people, m.params.agencies
    community = p.in_community()
    transition = p.phase == Phase.TRANSITION
    # a practitioner who continued from inside carries the plan: their help counts as aid
    plan = (
        community
        & (p.continuity_week != NO_EVENT)
        & (m.week - p.continuity_week < m.params.release.continuity_plan_weeks)
    )
    housing = m.caseloads[AgencyKind.HOUSING].served | plan
    employment = m.caseloads[AgencyKind.EMPLOYMENT].served | plan
    # a release plan (modifier planned_search) lets people search in transition unaided
    planned = m.mod.planned_search > 0

    u = m.streams.uniform("housing", m.week, p.n)
    searching = (community | (transition & (housing | planned))) & ~p.housed
    found = searching & (
        u < _reference_chance(m, housing, ag.housing_success, ag.housing_self, m.mod.housing_chance)
    )
    lost = community & p.housed & (u > 1.0 - ag.housing_loss)
    p.housed[found] = True
    p.housed[lost] = False

    u = m.streams.uniform("work", m.week, p.n)
    searching = (
        (community | (transition & (employment | planned)))
        & ~p.working
        & (p.age < ag.work_age_limit)
    )
    found = searching & (
        u < _reference_chance(m, employment, ag.work_success, ag.work_self, m.mod.work_chance)
    )
    lost = community & p.working & (u > 1.0 - ag.job_loss)
    p.working[found] = True
    p.working[lost] = False


def reference_practitioner_work(m: ReintegrationModel) -> None:
    """practitioner_work as it was in numpy."""
    p, beh, ag = m.people, m.params.behaviour, m.params.agencies
    _reference_change_key_worker(m)
    served = {kind: m.caseloads[kind].served for kind in AgencyKind}
    _reference_refuse_activity(m, served)
    taking_part = ~p.refusing
    contact = (
        ag.contact_prison
        * served[AgencyKind.PRISON]
        * np.where(p.separated, m.params.prison.specialised_staff, 1.0)
        + _EXIT_CONTACT * served[AgencyKind.EXIT]
        + ag.contact_probation
        * served[AgencyKind.PROBATION]
        * np.where(p.monitored, m.params.release.monitoring_contact, 1.0)
        + ag.contact_religious * served[AgencyKind.RELIGIOUS]
    )
    contact = np.minimum(contact, ag.contact_cap)
    # the exit worker is the key practitioner of whoever has one: what kind of employer they
    # have sets how fast the relationship builds
    provider = np.where(_state_exit_worker(m), ag.state_exit_trust_growth, 1.0)
    p.trust += beh.trust_growth * contact * (1.0 - p.trust) * m.mod.trust_growth * provider
    p.trust -= beh.trust_decay * (contact == 0) * p.trust
    room = np.where(p.in_custody(), _reflection(m), 1.0)
    exit_work = served[AgencyKind.EXIT] & taking_part
    p.ideology -= ag.exit_work_effect * p.trust * room * exit_work * p.ideology
    p.ideology -= ag.religious_effect * (served[AgencyKind.RELIGIOUS] & taking_part) * p.ideology
    p.hope += beh.hope_from_trust * p.trust * (contact > 0) * (1.0 - p.hope)
    for name, values, refused in (
        ("ideology_change", p.ideology, True),
        ("ties_change", p.group_ties, False),
        ("hope_change", p.hope, True),
    ):
        if name in m.mod.touched:
            # programmes and activities change nothing for those refusing them
            np.add(values, getattr(m.mod, name), out=values, where=taking_part if refused else True)
            np.clip(values, 0.0, 1.0, out=values)


def _reference_refuse_activity(m: ReintegrationModel, served: dict[AgencyKind, np.ndarray]) -> None:
    """submodels._refuse_activity (of practitioner_work) as it was in numpy."""
    p, prison = m.people, m.params.prison
    if not p.separated.any():
        return
    u = m.streams.uniform("refusal", m.week, p.n)
    held = p.in_custody() & p.separated
    contact = served[AgencyKind.PRISON] | served[AgencyKind.EXIT] | served[AgencyKind.RELIGIOUS]
    start = held & ~p.refusing & (u < prison.refusal_onset * (1.0 - p.trust))
    stop = p.refusing & contact & (u < prison.refusal_overcome * p.trust)
    p.refusing = (p.refusing | start) & ~stop & held
    m.tally["refusal_starts"] += int(np.count_nonzero(start))


def _reference_change_key_worker(m: ReintegrationModel) -> None:
    """submodels._change_key_worker (of practitioner_work) as it was in numpy."""
    p = m.people
    key = np.full(p.n, NO_EVENT, np.int32)
    new_case = np.zeros(p.n, bool)
    for code, kind in enumerate(_KEY_WORKER_ORDER):
        caseload = m.caseloads[kind]
        served = caseload.assigned >= 0
        key[served] = code
        np.copyto(new_case, caseload.weeks_in_service == 1, where=served)
    has = key != NO_EVENT
    changed = (
        has
        & (p.key_worker != NO_EVENT)
        & ((key != p.key_worker) | new_case)
        & (m.week - p.last_release_week > 1)
    )
    p.trust[changed] *= 1.0 - m.params.release.discontinuity_trust_loss
    p.key_worker[has] = key[has]
    m.tally["practitioner_changes"] += int(np.count_nonzero(changed))


def _state_exit_worker(m: ReintegrationModel) -> np.ndarray:
    """Who has an exit worker employed by the state (not an NGO), as numpy computed it."""
    slot = m.caseloads[AgencyKind.EXIT].assigned
    return (slot >= 0) & ~m.exit_ngo[np.maximum(slot, 0)] if m.exit_ngo.size else slot >= 0


# ------------------------------------------------------------------ kernel against reference
def _snapshot(m: ReintegrationModel) -> dict:
    """Everything a rule may change: the people, the caseloads, the communities and recruiter
    pools and the tallies (the weekly random numbers are a function of the week: nothing to
    keep)."""
    state = {f"people.{k}": v.copy() for k, v in m.people.arrays().items()}
    table = m.caseload_table
    for name in ("assigned", "waiting_since", "weeks_in_service", "load"):
        state[f"caseloads.{name}"] = getattr(table, name).copy()
    for name in ("prejudice", "trust", "capacity"):
        state[f"communities.{name}"] = getattr(m.communities, name).copy()
    state["community_recruiters"] = m.community_recruiters.copy()
    state["tally"] = Counter(m.tally)
    return state


def _restore(m: ReintegrationModel, state: dict) -> None:
    """Put a snapshot back in place (arrays overwritten, so that views stay valid)."""
    for key, value in state.items():
        if key.startswith("people."):
            np.copyto(getattr(m.people, key.split(".", 1)[1]), value)
        elif key.startswith("caseloads."):
            np.copyto(getattr(m.caseload_table, key.split(".", 1)[1]), value)
        elif key.startswith("communities."):
            np.copyto(getattr(m.communities, key.split(".", 1)[1]), value)
    np.copyto(m.community_recruiters, state["community_recruiters"])
    m.tally = Counter(state["tally"])


def _differences(a: dict, b: dict) -> list[str]:
    out = []
    for key in a:
        if key == "tally":
            if +a[key] != +b[key]:
                out.append(f"tally {a[key]} != {b[key]}")
        elif not np.array_equal(a[key], b[key], equal_nan=True):
            out.append(key)
        elif a[key].dtype.kind == "f" and not np.array_equal(
            np.signbit(a[key]), np.signbit(b[key])
        ):
            out.append(f"{key} (sign of zero)")
    return out


def _rules(m: ReintegrationModel, rng: np.random.Generator):
    """(name, reference call, kernel call): arguments made once, shared by both."""
    n = m.people.n
    convicted = rng.random(n) < 0.05
    # documented re-engagement among the engaged, and some with a disruption due this week
    documented = rng.random(n) < 0.3
    for name in (
        "advance_phases",
        "age_and_die",
        "unfair_incidents",
        "update_caseloads",
        "update_stigma",
        "family_dynamics",
        "drift_ideology_and_ties",
        "reach_milestones",
        "influence_in_custody",
        "material_support",
        "practitioner_work",
        "release_day",
        "offend_and_reconvict",
    ):
        yield name, globals()[f"reference_{name}"], getattr(submodels, name), ()
    # the recruiters' success: the model's own numbers, made in bulk by the references and
    # person by person (Streams.on_demand) by the kernels
    yield "recruit_in_prison", reference_recruit_in_prison, submodels.recruit_in_prison, ()
    yield (
        "recruit_in_community",
        reference_recruit_in_community,
        submodels.recruit_in_community,
        (),
    )
    yield (
        "detect_and_recall",
        reference_detect_and_recall,
        submodels.detect_and_recall,
        (convicted,),
    )
    yield "disrupt", reference_disrupt, submodels.disrupt, (documented,)


def _check_rules(m: ReintegrationModel, rng: np.random.Generator) -> None:
    due = m.people.disruption_due
    due[(due == NO_EVENT) & (rng.random(m.people.n) < 0.02)] = m.week  # some disruptions due
    for name, reference, kernel, args in _rules(m, rng):
        before = _snapshot(m)
        expected = reference(m, *args)
        after_reference = _snapshot(m)
        _restore(m, before)
        got = kernel(m, *args)
        after_kernel = _snapshot(m)
        moved = _differences(after_reference, after_kernel)
        assert not moved, f"{name}, week {m.week}: the kernel differs from numpy in {moved}"
        if expected is not None:
            assert np.array_equal(expected, got), f"{name}: different return value"
        _restore(m, before)


#: scenarios whose levers write the modifiers these rules read (as arrays), and the baseline
QUICK = ("baseline", "family_support_level_3", "uk_contest_3")
SLOW = (
    "former_extremist_mentors",
    "prison_education",
    "fair_regime",
    "electronic_monitoring",
    "risk_assessment_security",
    "media_strategy",
    "german_hybrid_model",
    "regime_separation",
    "material_support",
    "gate_pickup_family",
)


def _scenario(name: str):
    small = {"population": {"n_extremist": 120, "n_comparison": 120}}
    return load_scenario(ROOT / "scenarios" / f"{name}.toml").with_parameters(small)


def _run_checks(name: str, weeks: int = 312, every: int = 13) -> None:
    m = ReintegrationModel(_scenario(name), replication=1, build_graph=False)
    rng = np.random.default_rng(7)
    _check_rules(m, rng)  # week 0: everyone in custody
    for week in range(1, weeks + 1):
        m.step()
        if week % every == 0:
            _check_rules(m, rng)


@pytest.mark.parametrize("name", QUICK)
def test_kernels_equal_the_numpy_rules(name):
    _run_checks(name)


@pytest.mark.slow
@pytest.mark.parametrize("name", SLOW)
def test_kernels_equal_the_numpy_rules_under_more_levers(name):
    _run_checks(name, weeks=520, every=7)


# ------------------------------------------------------------------ hand-built cases
def _few(n: int):
    """Arrays for a hand-built population of n people (what a kernel reads)."""
    return {
        "phase": np.zeros(n, np.int8),
        "licence_end": np.full(n, 100, np.int32),
        "release_week": np.full(n, NO_EVENT, np.int32),
        "monitored": np.ones(n, bool),
    }


def test_advance_phases_by_hand():
    # a person at each phase: gate -> licence; licence ending; custody due for planning soon,
    # custody not due yet; the dead stay dead
    a = _few(5)
    a["phase"][:] = [Phase.RELEASE_DAY, Phase.LICENCE, Phase.CUSTODY, Phase.CUSTODY, Phase.DEAD]
    a["licence_end"][:] = [200, 10, 0, 0, 0]
    a["release_week"][:] = [-1, -1, 14, 15, -1]
    kernels.advance_phases(a["phase"], a["licence_end"], a["release_week"], a["monitored"], 10, 4)
    assert a["phase"].tolist() == [
        Phase.LICENCE,
        Phase.AFTER_LICENCE,
        Phase.TRANSITION,
        Phase.CUSTODY,
        Phase.DEAD,
    ]
    assert a["monitored"].tolist() == [True, False, False, False, False]


def test_update_caseloads_by_hand():
    # two agencies of the eight with places, 4 people: person 0 in custody, 1 and 2 in
    # transition (still in custody: prison key workers serve all three) without housing
    # (housing: one place; 2 has waited longer), 3 dead
    n, kinds = 4, len(AgencyKind)
    staff = np.array([1, 0, 0, 0, 0, 1, 0, 0])
    capacity = np.array([5, 1, 1, 1, 1, 1, 1, 1])
    assigned = np.full((kinds, n), -1, np.int32)
    waiting = np.full((kinds, n), -1, np.int32)
    waiting[5, 2] = 3
    weeks = np.zeros((kinds, n), np.int32)
    load = np.zeros((kinds, 1), np.int64)
    phase = np.array([Phase.CUSTODY, Phase.TRANSITION, Phase.TRANSITION, Phase.DEAD], np.int8)
    cohort = np.full(n, Cohort.COMPARISON, np.int8)
    kernels.update_caseloads(
        assigned,
        waiting,
        weeks,
        load,
        capacity,
        staff,
        7,
        phase,
        cohort,
        np.full(n, -1, np.int32),
        np.zeros(n, bool),  # nobody housed
        np.ones(n, bool),  # everyone working
        np.full(n, 30.0),
        np.zeros(n, np.int8),
        np.zeros(n),
        np.zeros(n),
        104.0,
        65.0,
        0.3,
        0.5,
    )
    prison, probation, housing = 0, 1, 5
    assert assigned[prison].tolist() == [0, 0, 0, -1]
    # probation serves transition, but has no staff: both wait from this week
    assert waiting[probation].tolist() == [-1, 7, 7, -1]
    # housing: the longer wait (person 2, since week 3) gets the one place; 1 waits from now
    assert assigned[housing].tolist() == [-1, -1, 0, -1]
    assert waiting[housing].tolist() == [-1, 7, -1, -1]
    assert load[:, 0].tolist() == [3, 0, 0, 0, 0, 1, 0, 0]
    assert weeks[prison].tolist() == [1, 1, 1, 0] and weeks[housing].tolist() == [0, 0, 1, 0]


def test_reach_milestones_by_hand():
    # person 0: family contact and housing in the community, both new (2 milestones);
    # person 1: work already reached, nothing new; person 2: dead, nothing
    phase = np.array([Phase.LICENCE, Phase.AFTER_LICENCE, Phase.DEAD], np.int8)
    milestones = np.array([0, 1 << Milestone.WORK_OR_EDUCATION, 0], np.int16)
    hope = np.array([0.5, 0.5, 0.5])
    kernels.reach_milestones(
        phase,
        np.array([0.9, 0.1, 0.9]),
        np.array([False, True, True]),
        np.array([True, False, True]),
        np.zeros((8, 3), np.int32),
        np.array([6, 2, 7]),
        milestones,
        hope,
        _POPCOUNT,
        0.5,  # family contact threshold
        26,
        0.1,  # hope per milestone
        *kernels.modifier(1.0),
    )
    assert milestones.tolist() == [
        (1 << Milestone.FAMILY_CONTACT) | (1 << Milestone.HOUSING),
        1 << Milestone.WORK_OR_EDUCATION,
        0,
    ]
    assert hope.tolist() == [0.5 + 0.1 * 2 * 0.5, 0.5, 0.5]


def test_disrupt_by_hand():
    # person 0 documented and acted on (delay 0: disrupted now); person 1 documented but not
    # acted on; person 2 due from an earlier week; each loses the stated shares
    n = 3
    ties = np.full(n, 0.8)
    family_trust = np.full(n, 0.5)
    trust = np.full(n, 0.4)
    due = np.array([NO_EVENT, NO_EVENT, 9], np.int32)
    recruiting = np.ones(n, bool)
    link = np.ones(n, bool)
    pool = np.array([1.0, 0.2])
    n_due = kernels.disrupt(
        np.full(n, Phase.LICENCE, np.int8),
        np.array([True, True, False]),
        np.array([0, 0, 1], np.int32),
        kernels.given([0.1, 0.9, 0.1]),
        9,
        0.5,
        0,
        0.5,
        0.25,
        0.5,
        0.5,
        due,
        ties,
        family_trust,
        trust,
        recruiting,
        link,
        pool,
    )
    assert n_due == 2
    assert ties.tolist() == [0.4, 0.8, 0.4]
    assert family_trust.tolist() == [0.375, 0.5, 0.375]
    assert trust.tolist() == [0.2, 0.4, 0.2]
    assert due.tolist() == [NO_EVENT, NO_EVENT, NO_EVENT]
    assert recruiting.tolist() == [False, True, False] and link.tolist() == [False, True, False]
    assert pool.tolist() == [0.5, 0.0]  # 1 - 0.5 x 1; 0.2 - 0.5 x 1, floored at 0


def _practitioner_work_by_hand(**change):
    """practitioner_work on 4 people with trust 0.5 and only the parts a case needs switched
    on; returns (trust, ideology, refusing, key_worker, the kernel's counts)."""
    n = 4
    rows = np.array([1, 0, 2], np.int64)  # probation, prison, exit (the key worker order)
    a = {
        "phase": np.full(n, Phase.CUSTODY, np.int8),
        "separated": np.zeros(n, bool),
        "monitored": np.zeros(n, bool),
        "refusing": np.zeros(n, bool),
        "key_worker": np.full(n, NO_EVENT, np.int32),
        "last_release_week": np.full(n, NO_EVENT, np.int32),
        "trust": np.full(n, 0.5),
        "ideology": np.full(n, 0.8),
        "group_ties": np.full(n, 0.5),
        "hope": np.full(n, 0.5),
        "assigned": np.full((4, n), -1, np.int32),
        "weeks_in_service": np.zeros((4, n), np.int32),
        "key_rows": rows,
        "prison_row": 0,
        "exit_row": 2,
        "probation_row": 1,
        "religious_row": 3,
        "exit_ngo": np.zeros(0, bool),
        "u_refusal": np.zeros(0),
        "week": 100,
        "discontinuity_loss": 0.2,
        "refusal_onset": 0.5,
        "refusal_overcome": 0.5,
        "contact_prison": 0.0,
        "specialised_staff": 1.0,
        "exit_contact": 1.0,
        "contact_probation": 0.0,
        "monitoring_contact": 1.0,
        "contact_religious": 0.0,
        "contact_cap": 1.0,
        "trust_growth": 0.0,
        "state_trust_growth": 1.0,
        "trust_decay": 0.0,
        "reflection": 1.0,
        "exit_work_effect": 0.5,
        "religious_effect": 0.0,
        "hope_from_trust": 0.0,
    }
    a.update(change)
    modifiers = (1.0, kernels.EMPTY, False, 0.0, kernels.EMPTY) + (False, 0.0, kernels.EMPTY) * 2
    counts = kernels.practitioner_work(*a.values(), *modifiers)
    return a, counts


def test_practitioner_work_by_hand():
    # person 0: the exit worker takes over from the prison key worker (code 1 -> 2): trust
    # loses a fifth; person 1: the same exit worker as last week; person 2: a new exit case
    # within a week of release (the gate decided the handover); person 3: nobody serves them
    assigned = np.full((4, 4), -1, np.int32)
    assigned[2, :3] = 0
    weeks = np.zeros((4, 4), np.int32)
    weeks[2, :3] = [3, 5, 1]
    a, counts = _practitioner_work_by_hand(
        assigned=assigned,
        weeks_in_service=weeks,
        key_worker=np.array([1, 2, 2, 1], np.int32),
        last_release_week=np.array([NO_EVENT, NO_EVENT, 99, NO_EVENT], np.int32),
    )
    assert counts == (1, 0)
    assert a["trust"].tolist() == [0.4, 0.5, 0.5, 0.5]
    assert a["key_worker"].tolist() == [2, 2, 2, 1]  # nobody serving: the last one is kept
    # exit work lowers ideology by effect x trust x room x ideology: 0.8 - 0.5 x 0.4 x 0.8
    assert a["ideology"][:3].tolist() == pytest.approx([0.8 - 0.5 * 0.4 * 0.8, 0.6, 0.6])
    assert a["ideology"][3] == 0.8


def test_refusal_by_hand():
    # all four separated in custody with an exit worker; trust 0.5, so refusal starts below a
    # draw of 0.25 and a refuser comes back below 0.25: person 0 starts refusing, person 1
    # does not; person 2 refuses and stays refusing, person 3 refuses and comes back. Those
    # refusing get no exit work (ideology unchanged); person 3 takes part again this week
    assigned = np.full((4, 4), -1, np.int32)
    assigned[2] = 0
    a, counts = _practitioner_work_by_hand(
        assigned=assigned,
        key_worker=np.full(4, 2, np.int32),
        separated=np.ones(4, bool),
        refusing=np.array([False, False, True, True]),
        u_refusal=np.array([0.1, 0.3, 0.3, 0.1]),
    )
    assert counts == (0, 1)
    assert a["refusing"].tolist() == [True, False, True, False]
    assert a["ideology"].tolist() == pytest.approx([0.8, 0.6, 0.8, 0.6])


def test_release_day_by_hand():
    # four due this week (week 50), all with a prison key worker and an exit worker; the
    # practitioner continues for persons 0 and 1 (continuity draw below 0.5), not for 2 and 3,
    # whose exit cases end and who lose a fifth of their trust; person 1 is back from a recall
    # (the licence resumes); the family meets person 2 (draw below 0.5 x ties 1), nobody
    # meets person 3, for whom recruiters wait and succeed
    n = 4
    assigned = np.full((4, n), -1, np.int32)
    assigned[0] = 0
    assigned[2] = [0, 0, 1, 1]
    weeks = np.where(assigned >= 0, 10, 0).astype(np.int32)
    load = np.array([[4, 0], [0, 0], [2, 2], [0, 0]], np.int64)
    phase = np.full(n, Phase.TRANSITION, np.int8)
    gate = np.full(n, Gate.NOT_RELEASED, np.int8)
    trust = np.full(n, 0.5)
    ties = np.full(n, 0.5)
    licence_end = np.array([0, 70, 0, 0], np.int32)
    on_recall = np.array([False, True, False, False])
    monitored = np.zeros(n, bool)
    continuity_week = np.full(n, NO_EVENT, np.int32)
    counts = kernels.release_day(
        phase,
        np.array([Cohort.EXTREMIST, Cohort.EXTREMIST, Cohort.COMPARISON, Cohort.EXTREMIST]),
        np.full(n, 50, np.int32),
        np.full(n, NO_EVENT, np.int32),
        np.full(n, NO_EVENT, np.int32),
        continuity_week,
        trust,
        np.ones(n),
        ties,
        np.zeros(n, bool),
        gate,
        np.full(n, NO_EVENT, np.int32),
        licence_end,
        on_recall,
        monitored,
        assigned,
        weeks,
        load,
        0,
        2,
        1,
        kernels.given([0.1, 0.1, 0.9, 0.9]),  # continuity
        kernels.given([0.9, 0.9, 0.1, 0.9]),  # family at the gate
        kernels.given([0.9, 0.9, 0.9, 0.1]),  # recruiters present (presence 0.5 x ties 0.5 ...)
        kernels.given([0.9, 0.9, 0.9, 0.1]),  # their success
        kernels.given([0.1, 0.9, 0.1, 0.1]),  # electronic monitoring
        50,
        0.5,
        0.2,
        0.5,
        0.5,
        0.5,
        0.0,
        0.1,
        0.3,
        0.5,
        104,
        52,
        0.5,
        1.0,
        kernels.EMPTY,
        0.0,
        kernels.EMPTY,
        0.0,
        kernels.EMPTY,
        1.0,
        kernels.EMPTY,
    )
    assert counts == (4, 1, 1, 1, 1)  # released, unmet, recruiters there, there unmet, pick-ups
    assert phase.tolist() == [Phase.RELEASE_DAY] * n
    assert continuity_week.tolist() == [50, 50, NO_EVENT, NO_EVENT]
    assert trust.tolist() == [0.5, 0.5, 0.4, 0.4]
    assert assigned[2].tolist() == [0, 0, -1, -1] and weeks[2].tolist() == [10, 10, 0, 0]
    assert load[2].tolist() == [2, 0]  # the two ended exit cases freed their places
    assert gate.tolist() == [Gate.PRACTITIONER, Gate.PRACTITIONER, Gate.FAMILY, Gate.RECRUITER]
    assert ties[3] == 0.5 + 0.5 * 0.5 and ties[:3].tolist() == [0.5] * 3
    assert licence_end.tolist() == [154, 70, 102, 154]
    assert on_recall.tolist() == [False] * n
    assert monitored.tolist() == [True, False, False, True]  # extremists drawing below 0.5


def test_offend_and_reconvict_by_hand():
    # person 0: a terrorism offence, convicted; person 1: another offence, convicted, already
    # dated before; person 2: an offence not proven; person 3: no offence. Sentences from the
    # exponential draw: -log survival x mean years x 52, rounded up
    n = 4
    phase = np.full(n, Phase.LICENCE, np.int8)
    reoffence_week = np.array([NO_EVENT, 30, NO_EVENT, NO_EVENT], np.int32)
    terror_week = np.full(n, NO_EVENT, np.int32)
    release_week = np.full(n, NO_EVENT, np.int32)
    stigma = np.array([0.1, 0.9, 0.1, 0.1])
    working, housed, monitored = np.ones(n, bool), np.ones(n, bool), np.ones(n, bool)
    convicted, terror = np.empty(n, bool), np.empty(n, bool)
    coverage = np.zeros(2, np.int64)
    kernels.offend(
        np.array([0.0, 0.5, 0.5, 0.0]),  # chance of an offence
        np.array([0.5, 0.0, 0.0, 0.0]),  # chance of a terrorism offence
        np.array([0.1, 0.9, 0.9, 0.9]),
        np.array([0.9, 0.1, 0.1, 0.9]),
        kernels.given([0.1, 0.1, 0.9, 0.1]),  # conviction below 0.5
        0.5,
        convicted,
        terror,
    )
    assert terror.tolist() == [True, False, False, False]
    index = np.flatnonzero(convicted)
    kernels.reconvict(
        index,
        terror,
        np.array([Cohort.EXTREMIST, Cohort.COMPARISON, Cohort.EXTREMIST, Cohort.EXTREMIST]),
        np.array([1, 0, 0, 0], np.int32),
        np.log(np.array([0.5, 0.9])),  # the convicted's survival draws, in their order
        60,
        4.0,
        0.5,
        WEEKS_PER_YEAR,
        26,
        0.6,
        0.3,
        phase,
        reoffence_week,
        terror_week,
        np.zeros(n, np.int16),
        monitored,
        release_week,
        np.ones(n, bool),
        stigma,
        working,
        housed,
        coverage,
    )
    assert convicted.tolist() == [True, True, False, False]
    assert reoffence_week.tolist() == [60, 30, NO_EVENT, NO_EVENT]
    assert terror_week.tolist() == [60, NO_EVENT, NO_EVENT, NO_EVENT]
    # 0.693 x 4 x 52 = 144.2 -> 145 weeks; 0.105 x 0.5 x 52 = 2.7 -> 3 weeks
    assert release_week.tolist() == [60 + 145, 60 + 3, NO_EVENT, NO_EVENT]
    assert phase.tolist() == [Phase.CUSTODY, Phase.CUSTODY, Phase.LICENCE, Phase.LICENCE]
    assert stigma.tolist() == [0.6, 0.9, 0.1, 0.1]  # the conviction's stigma, if higher
    assert working.tolist() == [False, False, True, True]
    assert housed.tolist() == [False, True, True, True]  # only the long sentence loses housing
    assert monitored.tolist() == [False, False, True, True]
    assert coverage.tolist() == [0, 1]  # one terrorism conviction, in community 1


def test_age_ratio_is_the_numpy_definition():
    """The compiled age ratio equals submodels._age_ratio number for number, at the bends of
    the curve (young, neutral and old ages), between and beyond them, for a subset of people."""
    off = Parameters().offending
    rng = np.random.default_rng(5)
    bends = [off.young_age, off.neutral_age, off.old_age]
    age = np.concatenate([rng.uniform(14.0, 90.0, 2_000), bends, np.nextafter(bends, 0.0)])
    index = np.flatnonzero(rng.random(age.size) < 0.6)
    index = np.concatenate([index, np.arange(age.size - 6, age.size)])
    expected = _age_ratio(age[index], off)
    got = kernels.age_ratio(
        age, index, off.young_age, off.neutral_age, off.hr_young, off.hr_old, off.old_age
    )
    assert np.array_equal(got, expected)
    assert got[age[index] < off.young_age].tolist() == [off.hr_young] * int(
        (age[index] < off.young_age).sum()
    )


def test_log_hazard_ratios_are_made_once_per_set_of_parameters():
    off = Parameters().offending
    logs = submodels._log_hazard_ratios(off)
    assert logs.no_work == np.log(off.hr_no_work) and logs.trust == np.log(off.hr_trust)
    assert submodels._log_hazard_ratios(off) is logs  # the same parameters: not made again
    other = Parameters().override({"offending": {"hr_no_work": 2.0}}).offending
    assert submodels._log_hazard_ratios(other).no_work == np.log(2.0)
    assert submodels._log_hazard_ratios(off) is logs


def test_kernel_codes_are_the_enums():
    # the kernels take phases, cohorts and gates as plain integers
    assert [kernels._CUSTODY, kernels._TRANSITION, kernels._RELEASE_DAY] == [
        Phase.CUSTODY,
        Phase.TRANSITION,
        Phase.RELEASE_DAY,
    ]
    assert [kernels._LICENCE, kernels._AFTER_LICENCE, kernels._DEAD] == [
        Phase.LICENCE,
        Phase.AFTER_LICENCE,
        Phase.DEAD,
    ]
    assert kernels._EXTREMIST == Cohort.EXTREMIST and kernels._NO_EVENT == NO_EVENT
    assert [
        kernels._GATE_NOBODY,
        kernels._GATE_FAMILY,
        kernels._GATE_PRACTITIONER,
        kernels._GATE_RECRUITER,
    ] == [Gate.NOBODY, Gate.FAMILY, Gate.PRACTITIONER, Gate.RECRUITER]


def test_a_run_without_indicators_has_the_same_people_table():
    """Sweeps skip the weekly indicators (``indicators=False``): the run and its people table
    stay the same, to the bit."""
    import pandas as pd

    from reintegration_sim.model.outcomes import people_table

    scenario = _scenario("uk_contest_3").with_horizon(260)
    full = ReintegrationModel(scenario, replication=2, build_graph=False).run()
    lean = ReintegrationModel(scenario, replication=2, build_graph=False, indicators=False).run()
    pd.testing.assert_frame_equal(people_table(full), people_table(lean), check_exact=True)
    assert np.isnan(lean.recorder.values[1:, lean.recorder._group_columns["all"]]).all()


def test_a_platform_numba_cannot_compile_on_gets_a_clear_error(monkeypatch):
    def fails(_x):
        raise OSError("no LLVM target for this processor")

    monkeypatch.setattr(kernels, "_checked", False)
    monkeypatch.setattr(kernels, "_probe", fails)
    with pytest.raises(RuntimeError, match="numba cannot compile") as raised:
        kernels.check_compiler()
    assert "no LLVM target for this processor" in str(raised.value)
    assert isinstance(raised.value.__cause__, OSError)
