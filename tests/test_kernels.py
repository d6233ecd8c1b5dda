"""The compiled kernels (model/kernels.py) against the numpy rules they replaced.

Each weekly rule that now runs as a numba kernel is checked two ways:

* against the previous whole-array numpy implementation, kept below as the reference
  (``reference_<rule>``, verbatim but for the names): on real model states of several scenarios
  (levers writing modifiers as arrays included), the rule applied by the reference and by the
  kernel, from the same state and the same random stream positions, must leave every state array,
  every stream and every tally bit-identical;
* on small hand-built cases whose update is worked out by hand (below the reference).

The indicators (``Recorder.record``) are checked against their definitions in
tests/test_outcomes.py, the caseload kernel by the hand-built cases of tests/test_caseload.py.
"""

from __future__ import annotations

import copy
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from reintegration_sim.model import ReintegrationModel, kernels, submodels
from reintegration_sim.model.agents import AgencyKind, Cohort, Milestone, Phase
from reintegration_sim.model.population import NO_EVENT, WEEKS_PER_YEAR
from reintegration_sim.model.submodels import (
    _POPCOUNT,
    _maturation,
    _return_to_custody,
    _state_exit_worker,
    _sympathy,
)
from reintegration_sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent


# ------------------------------------------------------------------ the numpy reference
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
    dies = alive & (m.streams.uniform("death", p.n) < hazard)
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
    hit = p.alive() & (m.streams.uniform("unfairness", p.n) < rate * m.mod.unfairness)
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


def reference_recruit_in_prison(m: ReintegrationModel, u_success: np.ndarray) -> None:
    """Recruiters on a wing approach its prisoners; the hopeless, isolated and distrustful are
    the most open to them; those won over keep a contact with an active group outside [RAN
    2018, Prisons and prison regime]."""
    p, rec = m.people, m.params.recruiters
    inside = p.in_custody()
    # recruiters' approaches are shared among everyone on the wing (steady state)
    rate = m.prison_recruiters * rec.approaches_per_week / np.maximum(m.wing_population, 1)
    approached = inside & (m.streams.uniform("recruit_prison", p.n) < rate[p.wing])
    vulnerability = (
        (1.0 - p.hope)
        * (1.0 - rec.family_protection * p.family_ties)
        * (1.0 - rec.trust_protection * p.trust)
    )
    # levers acting on recruitment inside only (staff training, mentors); neutral 1.0
    vulnerability = vulnerability * m.mod.prison_recruit_success
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
        m.streams.uniform("family", p.n) < beh.family_conflict * stress * m.mod.family_conflict
    )
    p.family_ties[conflict] *= 1.0 - beh.conflict_ties_loss
    police = m.caseloads[AgencyKind.POLICE].served
    exit_work = m.caseloads[AgencyKind.EXIT].served
    p.family_trust[police] -= ag.police_family_trust_cost * p.family_trust[police]
    if "family_trust_change" in m.mod.touched:
        p.family_trust += m.mod.family_trust_change
        np.clip(p.family_trust, 0.0, 1.0, out=p.family_trust)
    p.family_trust[exit_work] += ag.exit_family_trust * (1.0 - p.family_trust[exit_work])


def reference_recruit_in_community(m: ReintegrationModel, u_success: np.ndarray) -> None:
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
    u_convert = m.streams.uniform("recruit_convert", p.n)
    u_online = m.streams["recruit_online"].random((2, p.n))
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
    approached = targets & (m.streams.uniform("recruit_community", p.n) < rate)
    _reference_recruit(m, approached, vulnerability, u_success)
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
    documented = engaged & (m.streams.uniform("detect", p.n) < p_detect)
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
    recalled = on_licence & ((m.streams.uniform("recall", p.n) < hazard) | documented)
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
    acted_on = m.streams.uniform("disrupt", p.n) < ag.disruption_probability
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


# ------------------------------------------------------------------ kernel against reference
def _snapshot(m: ReintegrationModel) -> dict:
    """Everything a rule may change: the people, the caseloads, the communities and recruiter
    pools, the tallies and the position of every random stream."""
    state = {f"people.{k}": v.copy() for k, v in m.people.arrays().items()}
    table = m.caseload_table
    for name in ("assigned", "waiting_since", "weeks_in_service", "load"):
        state[f"caseloads.{name}"] = getattr(table, name).copy()
    for name in ("prejudice", "trust", "capacity"):
        state[f"communities.{name}"] = getattr(m.communities, name).copy()
    state["community_recruiters"] = m.community_recruiters.copy()
    state["tally"] = Counter(m.tally)
    state["streams"] = {
        name: copy.deepcopy(g.bit_generator.state) for name, g in m.streams._generators.items()
    }
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
    for name, g in m.streams._generators.items():
        g.bit_generator.state = copy.deepcopy(state["streams"][name])


def _differences(a: dict, b: dict) -> list[str]:
    out = []
    for key in a:
        if key == "streams":
            if a[key] != b[key]:
                out.append("random streams")
        elif key == "tally":
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
    u_success = rng.random(n)
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
    ):
        yield name, globals()[f"reference_{name}"], getattr(submodels, name), ()
    yield (
        "recruit_in_prison",
        reference_recruit_in_prison,
        submodels.recruit_in_prison,
        (u_success,),
    )
    yield (
        "recruit_in_community",
        reference_recruit_in_community,
        submodels.recruit_in_community,
        (u_success,),
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
def test_pairwise_sum_is_numpys_sum():
    rng = np.random.default_rng(3)
    for n in (*range(0, 140), 255, 256, 257, 1000, 4099, 100_003):
        x = rng.random(n) * rng.choice([1.0, 1e-9, 1e9], n)
        every = np.arange(n)
        some = np.flatnonzero(rng.random(n) < 0.6)
        assert kernels.pairwise_sum(x, every) == x.sum()
        assert kernels.pairwise_sum(x, some) == x[some].sum()


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
        np.array([0.1, 0.9, 0.1]),
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
