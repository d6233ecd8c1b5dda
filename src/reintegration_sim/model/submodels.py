"""The weekly rules (ODD: submodels), one short verb-named function each.

Each function acts on all people at once through the model's arrays. Updates are synchronous
within a rule (everyone reads the state as it was before the rule); rules run in the order listed
in :meth:`ReintegrationModel.step`. Person-level randomness comes from the model's named streams,
one full-length draw per process per week (see :mod:`reintegration_sim.model.randomness`).

Paper sections are cited as RAN 2018 [Section] (Baaken, Korn & Walkenhorst 2018).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .agents import AgencyKind, Cohort, Gate, Milestone, Phase
from .population import NO_EVENT, WEEKS_PER_YEAR

if TYPE_CHECKING:
    from ..parameters import Behaviour, Offending
    from .simulation import ReintegrationModel

#: number of set bits in a milestone bit set (4 milestones -> 16 values)
_POPCOUNT = np.array([bin(i).count("1") for i in range(1 << len(Milestone))], np.int8)
#: contact intensity with an exit worker: the unit of contact (structure, not a parameter:
#: ``behaviour.trust_growth`` is the growth at this contact, and the other agencies' contact
#: weights, ``agencies.contact_*``, are relative to it)
_EXIT_CONTACT = 1.0


def _pick(value: float | np.ndarray, index: np.ndarray) -> float | np.ndarray:
    """A modifier for a subset of people: scalars (neutral, untouched) pass through."""
    return value if np.isscalar(value) else value[index]


def _per_community(m: ReintegrationModel, value: float | np.ndarray) -> float | np.ndarray:
    """A per-person modifier read as a factor per home community (writers set it alike for all
    residents): scalars (neutral, untouched) pass through; communities nobody lives in get 1."""
    if np.isscalar(value):
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


def _by_cohort(m: ReintegrationModel, extremist: float, comparison: float) -> np.ndarray:
    return np.where(m.people.cohort == Cohort.EXTREMIST, extremist, comparison)


def _reflection(m: ReintegrationModel) -> float:
    """Room to reflect in custody: 1 at design capacity (overcrowding 1), falling with
    overcrowding at the rate ``prison.crowding_reflection_loss``."""
    pr = m.params.prison
    return 1.0 / (1.0 + pr.crowding_reflection_loss * max(0.0, pr.overcrowding - 1.0))


def advance_phases(m: ReintegrationModel) -> None:
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


def age_and_die(m: ReintegrationModel) -> None:
    """Everyone ages a week; mortality doubles every ``offending.mortality_doubling_years``
    of age (30: the age at which ``offending.mortality_30`` is given)."""
    p, off = m.people, m.params.offending
    alive = p.alive()
    p.age[alive] += 1.0 / WEEKS_PER_YEAR
    hazard = off.mortality_30 * np.exp2((p.age - 30.0) / off.mortality_doubling_years)
    dies = alive & (m.streams.uniform("death", p.n) < hazard)
    p.phase[dies] = Phase.DEAD
    p.death_week[dies] = m.week


def influence_in_custody(m: ReintegrationModel) -> None:
    """Wing-mates pull ideology toward the wing mean; contact with differing views moderates it,
    less so in an overcrowded prison [RAN 2018, Prisons and prison regime]."""
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
    x += pr.peer_influence * (wing_mean - x)
    x -= pr.differing_views * _reflection(m) * moderate_share * x
    p.ideology[inside] = np.clip(x, 0.0, 1.0)


def unfair_incidents(m: ReintegrationModel) -> None:
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


def _recruit(
    m: ReintegrationModel, approached: np.ndarray, vulnerability: np.ndarray, u_success: np.ndarray
) -> None:
    rec = m.params.recruiters
    success = approached & (
        u_success < rec.approach_success * vulnerability * m.mod.recruit_success
    )
    p = m.people
    p.last_approach_week[approached] = m.week
    p.group_ties[success] += rec.success_ties_gain * (1.0 - p.group_ties[success])
    p.ideology[success] += (
        rec.success_ideology_share * rec.success_ties_gain * (1.0 - p.ideology[success])
    )
    m.tally["recruiter_approaches"] += int(approached.sum())
    m.tally["recruiter_successes"] += int(success.sum())


def recruit_in_prison(m: ReintegrationModel, u_success: np.ndarray) -> None:
    """Recruiters on a wing approach its prisoners; the hopeless, isolated and distrustful are
    the most open to them [RAN 2018, Prisons and prison regime]."""
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
    _recruit(m, approached, vulnerability, u_success)


def update_caseloads(m: ReintegrationModel) -> None:
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
        m.caseloads[kind].update(mask, week)


def release_day(m: ReintegrationModel) -> None:
    """Release: the handover (same practitioner or a new one), who waits at the gate, and
    release conditions [RAN 2018, Transition management; Release conditions]."""
    p, rel, rec, week = m.people, m.params.release, m.params.recruiters, m.week
    due = p.in_custody() & (p.release_week <= week)
    # draws are made for everyone every week, whatever the number due (common random numbers)
    u_continuity = m.streams.uniform("continuity", p.n)
    u_gate = m.streams["gate"].random((2, p.n))
    u_gate_success = m.streams.uniform("gate_success", p.n)
    u_conditions = m.streams.uniform("conditions", p.n)
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
    presence = rec.gate_presence * np.where(met, rec.gate_presence_accompanied, 1.0)
    recruiters_there = due & (u_gate[1] < presence * p.group_ties)
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


def update_stigma(m: ReintegrationModel) -> None:
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


def _chance(
    m: ReintegrationModel,
    supported: np.ndarray,
    aided: float,
    unaided: float,
    modifier: float | np.ndarray = 1.0,
) -> np.ndarray:
    """Weekly chance of securing housing or work: agency support, stigma (a record roughly halves
    the chances, Pager 2003), the receiving community's capacity and its trust in institutions
    and exit workers, which makes landlords and employers cooperate (assumption)."""
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


def material_support(m: ReintegrationModel) -> None:
    """Housing and work or education are found (with an agency's help, planned before release
    where the person has a worker) and lost [RAN 2018, Material support]."""
    p, ag = m.people, m.params.agencies
    community = p.in_community()
    transition = p.phase == Phase.TRANSITION
    housing = m.caseloads[AgencyKind.HOUSING].served
    employment = m.caseloads[AgencyKind.EMPLOYMENT].served
    # a release plan (modifier planned_search) lets people search in transition unaided
    planned = m.mod.planned_search > 0

    u = m.streams.uniform("housing", p.n)
    searching = (community | (transition & (housing | planned))) & ~p.housed
    found = searching & (
        u < _chance(m, housing, ag.housing_success, ag.housing_self, m.mod.housing_chance)
    )
    lost = community & p.housed & (u > 1.0 - ag.housing_loss)
    p.housed[found] = True
    p.housed[lost] = False

    u = m.streams.uniform("work", p.n)
    searching = (
        (community | (transition & (employment | planned)))
        & ~p.working
        & (p.age < ag.work_age_limit)
    )
    found = searching & (
        u < _chance(m, employment, ag.work_success, ag.work_self, m.mod.work_chance)
    )
    lost = community & p.working & (u > 1.0 - ag.job_loss)
    p.working[found] = True
    p.working[lost] = False


def family_dynamics(m: ReintegrationModel) -> None:
    """Family ties grow with contact after release and fade with distance in custody; stress
    brings conflict; security monitoring erodes the family's trust in agencies while exit
    work builds it [RAN 2018, Social support]."""
    p, beh, ag = m.people, m.params.behaviour, m.params.agencies
    community = p.in_community()
    inside = p.in_custody()
    w = beh.family_growth_trust_weight
    growth = (
        beh.family_support_growth
        * (1.0 - w + w * p.family_trust)
        * (1.0 - p.family_ties)
        * m.mod.family_growth
    )
    np.add(p.family_ties, growth, out=p.family_ties, where=community)
    np.subtract(
        p.family_ties,
        beh.custody_family_drift * beh.family_support_growth * p.family_ties,
        out=p.family_ties,
        where=inside,
    )
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


def recruit_in_community(m: ReintegrationModel, u_success: np.ndarray) -> None:
    """Recruiters approach released people with some sympathy; where agencies leave housing and
    work unmet and the community rejects them, the group's offer of belonging and material help
    succeeds more often [RAN 2018, Stigmatisation; Material support]."""
    p, rec = m.people, m.params.recruiters
    targets = p.in_community() & (
        (p.cohort == Cohort.EXTREMIST) | (p.ideology > rec.community_target_ideology)
    )
    count = np.bincount(p.community[targets], minlength=m.communities.capacity.size)
    rate = m.community_recruiters * rec.approaches_per_week / np.maximum(count, 1)
    approached = targets & (m.streams.uniform("recruit_community", p.n) < rate[p.community])
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
    _recruit(m, approached, vulnerability, u_success)


def practitioner_work(m: ReintegrationModel) -> None:
    """Trust grows over months of contact with practitioners (specialised staff on separation
    wings and electronic monitoring add contact) and fades without it; exit work and vetted
    religious counsel lower ideology, more so with trust and room to reflect; trust gives hope
    [RAN 2018, Goals; Trust; Theological support; Release conditions]."""
    p, beh, ag = m.people, m.params.behaviour, m.params.agencies
    served = {kind: m.caseloads[kind].served for kind in AgencyKind}
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
    p.trust += beh.trust_growth * contact * (1.0 - p.trust) * m.mod.trust_growth
    p.trust -= beh.trust_decay * (contact == 0) * p.trust
    room = np.where(p.in_custody(), _reflection(m), 1.0)
    p.ideology -= ag.exit_work_effect * p.trust * room * served[AgencyKind.EXIT] * p.ideology
    p.ideology -= ag.religious_effect * served[AgencyKind.RELIGIOUS] * p.ideology
    p.hope += beh.hope_from_trust * p.trust * (contact > 0) * (1.0 - p.hope)
    for name, values in (
        ("ideology_change", p.ideology),
        ("ties_change", p.group_ties),
        ("hope_change", p.hope),
    ):
        if name in m.mod.touched:
            values += getattr(m.mod, name)
            np.clip(values, 0.0, 1.0, out=values)


def drift_ideology_and_ties(m: ReintegrationModel) -> None:
    """Belief and behaviour drift apart: group ties pull belief up, feeling rejected pulls it up,
    bonds (family, work, hope) pull it down; ties loosen with work, housing and family and
    follow released network contacts; boredom wears hope down [RAN 2018, Goals;
    Stigmatisation]."""
    p, beh = m.people, m.params.behaviour
    community = p.in_community()
    alive = p.alive()
    # bonds and anchors: unweighted means of three indices (structure); the drift and decay
    # parameters that multiply them set their strength
    bonds = (p.family_ties + p.working + p.hope) / 3.0
    x = p.ideology
    x += beh.ideology_drift_group * p.group_ties * (1.0 - x)
    sympathy = _sympathy(x, beh)
    x += beh.ideology_drift_rejection * p.stigma * community * sympathy * (1.0 - x)
    x -= beh.ideology_drift_bonds * bonds * x
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


def _age_ratio(age: np.ndarray, off: Offending) -> np.ndarray:
    """Hazard ratio by age: ``hr_young`` under ``young_age``, falling linearly to 1 at
    ``neutral_age`` and to ``hr_old`` at ``old_age`` (all ``offending.*``)."""
    young, neutral, hr_young, hr_old = off.young_age, off.neutral_age, off.hr_young, off.hr_old
    middle = 1.0 + (hr_young - 1.0) * (neutral - age) / (neutral - young)
    older = np.maximum(hr_old, 1.0 - (1.0 - hr_old) * (age - neutral) / (off.old_age - neutral))
    return np.where(age < young, hr_young, np.where(age < neutral, middle, older))


def offending_hazards(m: ReintegrationModel) -> tuple[np.ndarray, np.ndarray]:
    """Weekly probabilities of a proven reoffence and of a terrorism offence for everyone in the
    community (0 for others). Proportional hazards on personal propensity and the current risk
    and protective factors; nothing in it depends on time since release, so the falling
    hazard of a cohort comes from who is still at risk and from ties built over time."""
    p, off, ag = m.people, m.params.offending, m.params.agencies
    log = np.log
    i = np.flatnonzero(p.in_community())  # the hazards are 0 for everyone else
    contact = (
        m.caseloads[AgencyKind.EXIT].served[i]
        | m.caseloads[AgencyKind.PROBATION].served[i]
        | m.caseloads[AgencyKind.RELIGIOUS].served[i]
    )
    treated = m.caseloads[AgencyKind.MENTAL_HEALTH].served[i]
    needs = p.mental_health[i] > 0
    log_hr = (
        p.prior_record[i] * log(off.hr_prior_record)
        + log(_age_ratio(p.age[i], off))
        + ~p.housed[i] * log(off.hr_no_housing)
        + ~p.working[i] * log(off.hr_no_work)
        + p.family_ties[i] * log(off.hr_family)
        + p.hope[i] * log(off.hr_hope)
        + needs * log(off.hr_mental_health) * np.where(treated, 1.0 - ag.treatment_effect, 1.0)
        + p.group_ties[i] * log(off.hr_group_ties)
        + (p.phase[i] == Phase.LICENCE) * log(off.hr_supervision)
        + p.trust[i] * contact * log(off.hr_trust)
    )
    base = _by_cohort(m, off.base_hazard_extremist, off.base_hazard_comparison)[i]
    hazard = base * p.frailty[i] * np.exp(log_hr) * _pick(m.mod.hazard, i)
    terror = (
        off.terror_hazard
        * p.ideology[i]
        * p.group_ties[i]
        * off.terror_hr_hope ** p.hope[i]
        * _pick(m.mod.terror_hazard, i)
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
    terror = m.streams.uniform("terror", p.n) < p_terror
    offence = terror | (m.streams.uniform("reoffend", p.n) < p_any)
    u_convict, e_sentence = m.streams["sentence"].random((2, p.n))
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

    c, com = m.communities, m.params.community
    coverage = np.bincount(p.community[terror & convicted], minlength=c.prejudice.size)
    # a media strategy prepares communities for press attention (modifier press_prejudice)
    press = com.press_coverage * _per_community(m, m.mod.press_prejudice)
    spread = coverage + com.press_spillover * (coverage.sum() - coverage)
    c.prejudice += press * spread * (1.0 - c.prejudice)
    c.prejudice += com.prejudice_relaxation * (c.prejudice_baseline - c.prejudice)
    np.clip(c.prejudice, 0.0, 1.0, out=c.prejudice)
    return convicted


def _return_to_custody(m: ReintegrationModel, mask: np.ndarray, weeks: np.ndarray | int) -> None:
    p = m.people
    p.phase[mask] = Phase.CUSTODY
    p.monitored[mask] = False
    p.release_week[mask] = (m.week + np.broadcast_to(weeks, mask.shape))[mask]


def detect_and_recall(m: ReintegrationModel, convicted: np.ndarray) -> np.ndarray:
    """Security services document active re-engagement (better with monitoring and the family's
    trust); breaches of licence, and documented re-engagement on licence, bring recall
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
    w = ag.detection_family_trust_weight
    p_detect = (
        ag.police_detection
        * np.where(monitored_by_police, 1.0, ag.unmonitored_detection)
        * (1.0 - w + w * p.family_trust)
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
        * m.mod.recall
    )
    recalled = on_licence & ((m.streams.uniform("recall", p.n) < hazard) | documented)
    p.recall_week[recalled & (p.recall_week == NO_EVENT)] = week
    p.n_recalls[recalled] += 1
    _return_to_custody(m, recalled, m.params.release.recall_stay_weeks)
    p.on_recall[recalled] = True
    return documented


def disrupt(m: ReintegrationModel, documented: np.ndarray) -> None:
    """Security services act on documented re-engagement: with a chance and after a delay they
    intervene (arrest, disrupting contact with the group), which cuts the person's ties to the
    group and so their capacity to offend with it, at a cost in the family's and the person's
    trust [RAN 2018, Multi-agency cooperation; Social support; Trust]."""
    p, ag, week = m.people, m.params.agencies, m.week
    acted_on = m.streams.uniform("disrupt", p.n) < ag.disruption_probability
    new = documented & acted_on & (p.disruption_due == NO_EVENT)
    p.disruption_due[new] = week + ag.disruption_delay_weeks
    due = (p.disruption_due == week) & p.alive()
    p.group_ties[due] *= 1.0 - ag.disruption_ties_loss
    p.family_trust[due] *= 1.0 - ag.disruption_family_trust_loss
    p.trust[due] *= 1.0 - ag.disruption_trust_loss
    p.disruption_due[due] = NO_EVENT
    m.tally["disruptions"] += int(np.count_nonzero(due))


def reach_milestones(m: ReintegrationModel) -> None:
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
