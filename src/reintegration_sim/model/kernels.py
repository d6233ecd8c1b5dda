"""Compiled loops over people for the weekly rules, the caseloads and the indicators (numba).

The rules in :mod:`reintegration_sim.model.submodels` stay the readable entry points, one per
rule in ODD order; where a rule's arithmetic runs here, it calls one kernel of the same name
or a few in turn, around bulk numpy calls (who recruiters approach, then whether they
succeed; who offends, then the sentences of the convicted). Each kernel is a loop over people
with the rule's cases spelled out; a rule's kernel computes exactly what the whole-array numpy
version computed (the indicators' means differ in the last digits, below):

* **the same numbers.** Every person's update uses the same operations in the same order as the
  numpy expression it replaces (``a * b * c`` is ``(a * b) * c``; a boolean in arithmetic is
  1.0 or 0.0), and numba compiles without ``fastmath``, so no operation is reordered or fused.
  Fusing the whole-array steps of a rule into one loop does not change a result, because each
  step reads only the person's own state, or state that earlier loops of the same kernel have
  finished (the peer ties). Exponentials, logarithms and powers are **not** computed here:
  numpy computes them in bulk (with SIMD code of its own, whose last bit can differ from the C
  library's), and the kernels receive the results;
* **the same random numbers.** Each process's numbers come from the counter-based generator
  :func:`philox_uniforms` below, a pure function of (process, week, draw, person). Most are
  made for everyone by :class:`~reintegration_sim.model.randomness.Streams` (for small
  populations all of a week's at once, at the start of the step) and the rule's Python
  function passes them in; the draws a rule reads for few people (those released this week,
  approached, convicted, documented, on licence: ``randomness.ON_DEMAND``) are passed as a key
  and made in the kernel, person by person, for those it reaches (:func:`uniform_at`). Either
  way person ``i`` meets the same number;
* **sums in person order.** Where an indicator is a mean, :func:`record_people` adds the values
  person by person (numpy's ``sum`` adds pairwise; the two differ in the last digits only).

Modifiers (:mod:`~reintegration_sim.model.modifiers`) are a neutral scalar or one value per
person; a kernel receives each as a scalar and an array (empty while nobody wrote to it) and
reads it with :func:`at`.

Compilation: the first call of each kernel compiles it (about 10-20 s for all of them on the
2-core benchmark machine, docs/performance.md) and caches the machine code beside this file
(``cache=True``, in ``__pycache__``), so later processes load it in well under a second. Where
numba cannot compile on a platform, :func:`check_compiler` raises an error that says why.
"""

from __future__ import annotations

import platform

import numpy as np
from numpy.typing import ArrayLike

try:
    from numba import njit
except ImportError as error:  # pragma: no cover - numba is a dependency
    raise ImportError(
        "reintegration-sim runs its weekly rules as compiled loops and needs numba (a "
        f"dependency: `make` installs it from requirements.lock); importing it failed on "
        f"{platform.system()} {platform.machine()}, Python {platform.python_version()}, numpy "
        f"{np.__version__}: {error}. numba publishes wheels for x86_64 and arm64 on Linux, "
        "macOS and Windows; each numba release supports a range of numpy versions."
    ) from error

__all__ = [
    "EMPTY",
    "check_compiler",
    "given",
    "modifier",
    "philox_uniforms",
    "uniform_at",
    "uniforms_at",
]

#: the array half of a modifier nobody wrote to (see :func:`modifier`)
EMPTY = np.zeros(0)

# phase codes (agents.Phase; kernels take plain integers)
_CUSTODY, _TRANSITION, _RELEASE_DAY, _LICENCE, _AFTER_LICENCE, _DEAD = 0, 1, 2, 3, 4, 5
_EXTREMIST = 0  # agents.Cohort.EXTREMIST
_NO_EVENT = -1  # population.NO_EVENT
_GATE_NOBODY, _GATE_FAMILY, _GATE_PRACTITIONER, _GATE_RECRUITER = 0, 1, 2, 3  # agents.Gate

_checked = False


def check_compiler() -> None:
    """Compile (or load from the cache) a tiny kernel once per process; if numba cannot
    compile here, raise an error that names the platform and numba's reason."""
    global _checked
    if _checked:
        return
    try:
        _probe(np.ones(2))
    except Exception as error:  # numba raises several types; all mean "cannot compile here"
        import numba

        raise RuntimeError(
            "numba cannot compile the model's weekly rules on this platform "
            f"({platform.system()} {platform.machine()}, Python {platform.python_version()}, "
            f"numba {numba.__version__}, numpy {np.__version__}): {type(error).__name__}: "
            f"{error}. numba needs LLVM support for this processor and a numpy version its "
            "release supports (see requirements.lock)."
        ) from error
    _checked = True


@njit(cache=True)
def _probe(x):
    return x.sum()


def modifier(value: float | np.ndarray) -> tuple[float, np.ndarray]:
    """A modifier as the kernels take it: (scalar, EMPTY) while neutral, (1.0, array) once an
    intervention wrote one value per person (the scalar is then unused)."""
    if isinstance(value, np.ndarray):
        return 1.0, value
    return float(value), EMPTY


@njit(cache=True, inline="always")
def at(values, scalar, i):
    """Person ``i``'s value of a modifier passed as (scalar, values): see :func:`modifier`."""
    return values[i] if values.size else scalar


@njit(cache=True, inline="always")
def _in_custody(phase):
    return phase <= _TRANSITION


@njit(cache=True, inline="always")
def _in_community(phase):
    return phase >= _RELEASE_DAY and phase <= _AFTER_LICENCE


@njit(cache=True, inline="always")
def _clip01(x):
    # np.clip(x, 0.0, 1.0) for numbers (not NaN): max first, then min
    return min(max(x, 0.0), 1.0)


# ------------------------------------------------------------------------------ random numbers
# Philox4x32-10 (Salmon, Moraes, Dror and Shaw 2011, "Parallel random numbers: as easy as 1, 2,
# 3"): its two multipliers and two key increments are the published constants of the algorithm
_PHILOX_M0 = np.uint64(0xD2511F53)
_PHILOX_M1 = np.uint64(0xCD9E8D57)
_PHILOX_W0 = np.uint32(0x9E3779B9)
_PHILOX_W1 = np.uint32(0xBB67AE85)
_LOW32 = np.uint64(0xFFFFFFFF)
_SHIFT32 = np.uint64(32)
_SHIFT11 = np.uint64(11)
_TWO_TO_MINUS_53 = 1.0 / 9007199254740992.0  # a 53-bit integer to [0, 1), as numpy's random()


@njit(cache=True, inline="always")
def _philox4x32(c0, c1, c2, c3, k0, k1):
    """Philox4x32 with 10 rounds: the four 32-bit words of counter (c0..c3) under key (k0, k1).
    A bijection of the counter for each key, indistinguishable from random (it passes
    TestU01's BigCrush with every counter and key pattern its authors tried)."""
    for _ in range(10):
        p0 = np.uint64(c0) * _PHILOX_M0
        p1 = np.uint64(c2) * _PHILOX_M1
        c0, c1, c2, c3 = (
            np.uint32(p1 >> _SHIFT32) ^ c1 ^ k0,
            np.uint32(p1 & _LOW32),
            np.uint32(p0 >> _SHIFT32) ^ c3 ^ k1,
            np.uint32(p0 & _LOW32),
        )
        k0 = np.uint32(k0 + _PHILOX_W0)
        k1 = np.uint32(k1 + _PHILOX_W1)
    return c0, c1, c2, c3


@njit(cache=True, inline="always")
def _unit(high, low):
    """Two 32-bit words as a number in [0, 1): their top 53 bits, as numpy's ``random()``."""
    return ((np.uint64(high) << _SHIFT32 | np.uint64(low)) >> _SHIFT11) * _TWO_TO_MINUS_53


@njit(cache=True, inline="always")
def uniform_at(draw, i):
    """Person ``i``'s number of one process's draw in one week, as a kernel reads it. ``draw``
    is ``(values, k0, k1, week, row)``: where ``values`` is not empty, ``values[i]`` (numbers
    given, as the hand-built tests give them: :func:`given`); otherwise the number is made
    here, only for the people the rule reaches, and is :func:`philox_uniforms`'s ``out[i]``
    (the same counter, key and conversion: :meth:`Streams.on_demand
    <reintegration_sim.model.randomness.Streams.on_demand>`). A whole block is evaluated for
    one person's half of it, so this pays only where a rule reaches few people (those released
    this week, those approached, those documented)."""
    values = draw[0]
    if values.size:
        return values[i]
    a, b, c, d = _philox4x32(np.uint32(i >> 1), draw[3], draw[4], np.uint32(0), draw[1], draw[2])
    if i & 1:
        return _unit(c, d)
    return _unit(a, b)


def given(values: ArrayLike) -> tuple[np.ndarray, np.uint32, np.uint32, np.uint32, np.uint32]:
    """A draw of chosen numbers (``values[i]`` for person ``i``), for :func:`uniform_at`."""
    zero = np.uint32(0)
    return np.ascontiguousarray(values, np.float64), zero, zero, zero, zero


@njit(cache=True)
def philox_uniforms(k0, k1, week, row, out):
    """``out[i]``: person ``i``'s U(0, 1) number of week ``week`` for one process (key
    ``k0, k1``) and draw ``row`` (a process that needs two numbers a week uses rows 0 and 1).
    Counter ``(i // 2, week, row, 0)``: one evaluation gives 128 bits, two 53-bit numbers, for
    persons ``2j`` and ``2j + 1``. A pure function of its arguments: nobody's number depends on
    anyone else's, on the number of people or on how often it was asked for."""
    n = out.size
    w = np.uint32(week)
    r = np.uint32(row)
    zero = np.uint32(0)
    for j in range((n + 1) // 2):
        a, b, c, d = _philox4x32(np.uint32(j), w, r, zero, k0, k1)
        out[2 * j] = _unit(a, b)
        if 2 * j + 1 < n:
            out[2 * j + 1] = _unit(c, d)


@njit(cache=True)
def philox_week(keys, rows, week, out):
    """Several processes' numbers of one week in one call: line ``k`` of ``out`` is
    :func:`philox_uniforms` of key ``keys[k]`` and draw ``rows[k]``."""
    for line in range(keys.shape[0]):
        philox_uniforms(keys[line, 0], keys[line, 1], week, rows[line], out[line])


# ------------------------------------------------------------------------------ caseloads
@njit(cache=True)
def _fill(assigned, waiting_since, load, capacity, n_need, candidates, week):
    """Fill free places from the waiting list in waiting order (longest wait first, then
    person index; a stable counting sort on the week), practitioner by practitioner. Returns
    how many people were placed."""
    n_staff = load.size
    n_free = 0
    for s in range(n_staff):
        n_free += capacity - load[s]
    if n_free <= 0 or n_need == 0:
        return 0
    # slots in order: each practitioner's free places, practitioner 0 first
    n_take = min(n_free, n_need)
    slots = np.empty(n_take, np.int64)
    k = 0
    for s in range(n_staff):
        for _ in range(capacity - load[s]):
            if k < n_take:
                slots[k] = s
                k += 1
    # position of each candidate in the stable order by waiting week
    counts = np.zeros(week + 2, np.int64)
    for c in range(n_need):
        counts[waiting_since[candidates[c]] + 1] += 1
    for w in range(1, week + 2):
        counts[w] += counts[w - 1]  # counts[w]: candidates waiting since before week w
    for c in range(n_need):
        i = candidates[c]
        position = counts[waiting_since[i]]
        counts[waiting_since[i]] += 1
        if position < n_take:
            slot = slots[position]
            assigned[i] = slot
            load[slot] += 1
            waiting_since[i] = -1
    return n_take


@njit(cache=True)
def caseload_update(assigned, waiting_since, weeks_in_service, load, capacity, eligible, week):
    """One caseload's week (:meth:`Caseload.update`): discharge the no longer eligible, queue
    the new ones, fill free places in waiting order; everyone served counts a week."""
    n = assigned.size
    candidates = np.empty(n, np.int64)
    n_need = 0
    for i in range(n):
        if assigned[i] >= 0 and not eligible[i]:
            load[assigned[i]] -= 1
            assigned[i] = -1
            weeks_in_service[i] = 0
        if eligible[i] and assigned[i] < 0:
            if waiting_since[i] < 0:
                waiting_since[i] = week
            candidates[n_need] = i
            n_need += 1
        else:
            waiting_since[i] = -1
    _fill(assigned, waiting_since, load, capacity, n_need, candidates, week)
    for i in range(n):
        if assigned[i] >= 0:
            weeks_in_service[i] += 1


@njit(cache=True, inline="always")
def _bit(flag, k):
    return np.uint8(1 << k) if flag else np.uint8(0)


@njit(cache=True)
def update_caseloads(
    assigned,
    waiting_since,
    weeks_in_service,
    load,
    capacity,
    n_staff,
    week,
    phase,
    cohort,
    last_release_week,
    housed,
    working,
    age,
    mental_health,
    ideology,
    group_ties,
    support_weeks,
    work_age_limit,
    deradicalised_threshold,
    police_ties_threshold,
):
    """All agencies' caseloads (rows in AgencyKind order) in one pass over people: who is
    eligible, discharges, the waiting lists and a week for everyone still served; then each
    agency fills its free places, and those it places count their first week. The same result
    as :func:`caseload_update` applied to each row in turn (nobody moves between rows), with the
    rows' loops fused into one pass over people."""
    n_kinds, n = assigned.shape
    candidates = np.empty((n_kinds, n), np.int64)  # each agency's waiting list, by index
    n_need = np.zeros(n_kinds, np.int64)
    for i in range(n):
        ph = phase[i]
        ext = cohort[i] == _EXTREMIST
        inside = ph <= _TRANSITION
        community = ph >= _RELEASE_DAY and ph <= _AFTER_LICENCE
        transition = ph == _TRANSITION
        alive = ph != _DEAD
        from_transition = transition or community
        recently = community and week - last_release_week[i] < support_weeks
        # who each agency serves, one bit per agency (AgencyKind order)
        bits = (
            _bit(inside, 0)  # prison key workers: everyone in custody
            | _bit(transition or _RELEASE_DAY <= ph <= _LICENCE, 1)  # probation
            | _bit(ext and (inside or recently), 2)  # exit work
            # police: released extremists with ties to the group, or on licence
            | _bit(
                community and ext and (group_ties[i] > police_ties_threshold or ph == _LICENCE), 3
            )
            | _bit(from_transition and not working[i] and age[i] < work_age_limit, 4)  # employment
            | _bit(from_transition and not housed[i], 5)  # housing
            | _bit(alive and mental_health[i] > 0, 6)  # mental health
            | _bit(alive and ext and ideology[i] > deradicalised_threshold, 7)  # religious
        )
        for k in range(n_kinds):
            is_eligible = (bits >> k) & 1  # bit k: agency k serves person i
            slot = assigned[k, i]
            if slot >= 0:
                if is_eligible:
                    weeks_in_service[k, i] += 1
                else:
                    load[k, slot] -= 1
                    assigned[k, i] = -1
                    weeks_in_service[k, i] = 0
                waiting_since[k, i] = -1
            elif is_eligible:
                if waiting_since[k, i] < 0:
                    waiting_since[k, i] = week
                candidates[k, n_need[k]] = i
                n_need[k] += 1
            else:
                waiting_since[k, i] = -1
    # then each agency fills its free places in waiting order
    for k in range(n_kinds):
        row_assigned, row_waiting = assigned[k], waiting_since[k]
        row_load, waiting = load[k, : n_staff[k]], candidates[k]
        if _fill(row_assigned, row_waiting, row_load, capacity[k], n_need[k], waiting, week):
            for c in range(n_need[k]):
                if row_assigned[waiting[c]] >= 0:  # placed this week: its first week served
                    weeks_in_service[k, waiting[c]] += 1


# ------------------------------------------------------------------------------ rules
@njit(cache=True)
def advance_phases(phase, licence_end, release_week, monitored, week, planning_lead_weeks):
    """Release day ends in licence; licences expire; planning starts before release."""
    for i in range(phase.size):
        if phase[i] == _RELEASE_DAY:
            phase[i] = _LICENCE
        if phase[i] == _LICENCE and week >= licence_end[i]:
            phase[i] = _AFTER_LICENCE
        if phase[i] != _LICENCE:
            monitored[i] = False
        if phase[i] == _CUSTODY and release_week[i] - week <= planning_lead_weeks:
            phase[i] = _TRANSITION


@njit(cache=True)
def age_a_week(phase, age, week_in_years):
    """Everyone alive ages a week."""
    for i in range(phase.size):
        if phase[i] != _DEAD:
            age[i] += week_in_years


@njit(cache=True)
def die(phase, death_week, hazard, u_death, week):
    """The alive die with this week's hazard (computed by numpy: it needs exp2)."""
    for i in range(phase.size):
        if phase[i] != _DEAD and u_death[i] < hazard[i]:
            phase[i] = _DEAD
            death_week[i] = week


@njit(cache=True)
def unfair_incidents(
    phase, trust, u_unfair, rate_inside, rate_outside, mod_unfair, mod_unfair_v, trust_loss, hit
):
    """Who meets an incident perceived as unfair (``hit``), and the trust it breaks; returns
    how many (their grievance is added by the caller: it needs a power)."""
    n_hit = 0
    for i in range(phase.size):
        rate = rate_inside if _in_custody(phase[i]) else rate_outside
        if phase[i] != _DEAD and u_unfair[i] < rate * at(mod_unfair_v, mod_unfair, i):
            trust[i] *= 1.0 - trust_loss
            hit[n_hit] = i
            n_hit += 1
    return n_hit


@njit(cache=True, inline="always")
def _recruit_one(
    i,
    u_success,
    vulnerability,
    openness,
    approach_success,
    mod_success,
    mod_success_v,
    week,
    last_approach_week,
    group_ties,
    ideology,
    ties_gain,
    ideology_gain,
):
    """An approach to person i, whose age makes them ``openness`` open to it; True if it
    succeeds."""
    last_approach_week[i] = week
    chance = approach_success * vulnerability * openness * at(mod_success_v, mod_success, i)
    if uniform_at(u_success, i) < chance:
        group_ties[i] += ties_gain * (1.0 - group_ties[i])
        ideology[i] += ideology_gain * (1.0 - ideology[i])
        return True
    return False


@njit(cache=True)
def recruit_in_prison_approaches(phase, wing, rate_by_wing, u_approach, approached):
    """Whom recruiters on the wings approach this week: fills ``approached`` with their
    indices, in person order, and returns how many."""
    k = 0
    for i in range(phase.size):
        if _in_custody(phase[i]) and u_approach[i] < rate_by_wing[wing[i]]:
            approached[k] = i
            k += 1
    return k


@njit(cache=True)
def recruit_in_prison(
    approached,
    openness,
    u_success,
    hope,
    family_ties,
    trust,
    family_protection,
    trust_protection,
    mod_prison,
    mod_prison_v,
    approach_success,
    mod_success,
    mod_success_v,
    week,
    last_approach_week,
    group_ties,
    ideology,
    group_link,
    ties_gain,
    ideology_gain,
):
    """The approaches in prison (``approached``, with ``openness`` their age's openness):
    returns the successes."""
    successes = 0
    for k in range(approached.size):
        i = approached[k]
        vulnerability = (
            (1.0 - hope[i])
            * (1.0 - family_protection * family_ties[i])
            * (1.0 - trust_protection * trust[i])
        )
        vulnerability = vulnerability * at(mod_prison_v, mod_prison, i)
        if _recruit_one(
            i,
            u_success,
            vulnerability,
            openness[k],
            approach_success,
            mod_success,
            mod_success_v,
            week,
            last_approach_week,
            group_ties,
            ideology,
            ties_gain,
            ideology_gain,
        ):
            successes += 1
            group_link[i] = True
    return successes


@njit(cache=True)
def recruit_in_community_targets(
    phase,
    cohort,
    group_ties,
    ideology,
    group_link,
    recruiting,
    housed,
    working,
    stigma,
    family_ties,
    trust,
    community,
    u_convert,
    engaged_threshold,
    conversion,
    target_ideology,
    need_met,
    stigma_weight,
    family_protection,
    trust_protection,
    n_communities,
    targets,
    vulnerability,
):
    """Engaged releasees start (or stop) recruiting; who recruiters target and how
    vulnerable each is. Returns (releasees starting to recruit, recruiting releasees per
    community)."""
    starting = 0
    recruiting_by_community = np.zeros(n_communities, np.int64)
    unmet = (1.0 - need_met) / 2.0
    for i in range(phase.size):
        in_community = _in_community(phase[i])
        engaged = in_community and group_ties[i] > engaged_threshold
        if not engaged:
            recruiting[i] = False
        elif not recruiting[i] and u_convert[i] < conversion:
            recruiting[i] = True
            starting += 1
        if recruiting[i]:
            recruiting_by_community[community[i]] += 1
        targets[i] = (
            in_community
            and not recruiting[i]
            and (cohort[i] == _EXTREMIST or ideology[i] > target_ideology or group_link[i])
        )
        material_need = need_met + unmet * (0.0 if housed[i] else 1.0)
        material_need = material_need + unmet * (0.0 if working[i] else 1.0)
        vulnerability[i] = (
            material_need
            * (1.0 - stigma_weight + stigma_weight * stigma[i])
            * (1.0 - family_protection * family_ties[i])
            * (1.0 - trust_protection * trust[i])
        )
    return starting, recruiting_by_community


@njit(cache=True)
def recruit_in_community_approach(
    targets,
    weight_power,
    community,
    active,
    approaches_per_week,
    n_communities,
    u_approach,
    u_online,
    online_approach,
    approached,
    by_recruiter,
):
    """Recruiters share their approaches among targets by vulnerability (to the targeting
    power, ``weight_power``); online approaches reach the others. Fills ``approached`` with
    the indices of those approached, in person order, and ``by_recruiter`` with whether a
    recruiter (not an online one) did; returns how many."""
    n = targets.size
    total = np.zeros(n_communities)
    for i in range(n):  # np.bincount(community, weights=where(targets, power, 0))
        total[community[i]] += weight_power[i] if targets[i] else 0.0
    k = 0
    for i in range(n):
        if not targets[i]:
            continue
        weight = weight_power[i]
        share = weight / total[community[i]] if weight > 0 else 0.0
        rate = active[community[i]] * approaches_per_week * share
        if u_approach[i] < rate:
            approached[k] = i
            by_recruiter[k] = True
            k += 1
        elif u_online[i] < online_approach:
            approached[k] = i
            by_recruiter[k] = False
            k += 1
    return k


@njit(cache=True)
def recruit_in_community_success(
    approached,
    by_recruiter,
    vulnerability,
    openness,
    u_success,
    u_online_success,
    online_success_share,
    approach_success,
    mod_success,
    mod_success_v,
    week,
    last_approach_week,
    group_ties,
    ideology,
    ties_gain,
    ideology_gain,
):
    """The approaches in the community (``approached``, with ``openness`` their age's
    openness); an online approach succeeds ``online_success_share`` as often. Returns
    (successes of recruiters, successes online)."""
    successes = online_successes = 0
    for k in range(approached.size):
        i = approached[k]
        recruiter = by_recruiter[k]
        won = _recruit_one(
            i,
            u_success if recruiter else u_online_success,
            vulnerability[i] if recruiter else online_success_share * vulnerability[i],
            openness[k],
            approach_success,
            mod_success,
            mod_success_v,
            week,
            last_approach_week,
            group_ties,
            ideology,
            ties_gain,
            ideology_gain,
        )
        if recruiter:
            successes += won
        else:
            online_successes += won
    return successes, online_successes


@njit(cache=True)
def update_stigma(
    phase,
    community,
    stigma_conviction,
    stigma,
    monitored,
    prejudice,
    fade,
    prejudice_weight,
    monitoring_stigma,
    mod_stigma,
    mod_stigma_v,
):
    """Conviction stigma fades in the community; prejudice and monitoring add to it."""
    for i in range(phase.size):
        if _in_community(phase[i]):
            stigma_conviction[i] *= 1.0 - fade
        s = stigma_conviction[i] + prejudice_weight * prejudice[community[i]]
        s = s + monitoring_stigma * (1.0 if monitored[i] else 0.0)
        s = s + at(mod_stigma_v, mod_stigma, i)
        stigma[i] = _clip01(s)


@njit(cache=True)
def family_dynamics(
    phase,
    family_ties,
    family_trust,
    housed,
    working,
    group_ties,
    police_served,
    exit_served,
    u_family,
    support_growth,
    growth_trust_weight,
    custody_drift,
    conflict_rate,
    conflict_loss,
    police_trust_cost,
    exit_family_trust,
    mod_growth,
    mod_growth_v,
    contact_touched,
    mod_contact,
    mod_contact_v,
    mod_conflict,
    mod_conflict_v,
    trust_change_touched,
    mod_trust_change,
    mod_trust_change_v,
):
    """Family ties grow after release, fade in custody (or grow with contact there), break in
    conflicts; police monitoring costs the family's trust, exit work builds it."""
    w = growth_trust_weight
    drift = custody_drift * support_growth
    for i in range(phase.size):
        community = _in_community(phase[i])
        inside = _in_custody(phase[i])
        ties = family_ties[i]
        growth = support_growth * (1.0 - w + w * family_trust[i]) * (1.0 - ties)
        if community:
            ties = ties + growth * at(mod_growth_v, mod_growth, i)
        if inside:
            ties = ties - drift * ties
            if contact_touched:
                ties = ties + growth * at(mod_contact_v, mod_contact, i)
        ties = _clip01(ties)
        stress = (0.0 if housed[i] else 1.0) + (0.0 if working[i] else 1.0) + group_ties[i]
        if community and u_family[i] < conflict_rate * stress * at(mod_conflict_v, mod_conflict, i):
            ties *= 1.0 - conflict_loss
        family_ties[i] = ties
        trust = family_trust[i]
        if police_served[i]:
            trust -= police_trust_cost * trust
        if trust_change_touched:
            trust = _clip01(trust + at(mod_trust_change_v, mod_trust_change, i))
        if exit_served[i]:
            trust += exit_family_trust * (1.0 - trust)
        family_trust[i] = trust


@njit(cache=True)
def drift_ideology(phase, ideology, group_ties, openness, drift_group):
    """Group ties pull belief up (the first step of drift_ideology_and_ties; the caller then
    computes the sympathy, which needs a power)."""
    for i in range(phase.size):
        x = ideology[i]
        ideology[i] = x + drift_group * openness[i] * group_ties[i] * (1.0 - x)


@njit(cache=True)
def drift_ideology_and_ties(
    phase,
    ideology,
    group_ties,
    family_ties,
    working,
    housed,
    hope,
    trust,
    stigma,
    openness,
    sympathy,
    exit_assigned,
    mental_health_assigned,
    religious_assigned,
    indptr,
    indices,
    data,
    drift_rejection,
    drift_bonds,
    ties_decay,
    custody_ties_decay,
    peer_ties_pull,
    boredom,
    mod_boredom,
    mod_boredom_v,
):
    """Rejection pulls belief up, bonds pull it down; ties loosen with anchors and follow the
    released peers (the sparse product over the ties, summed in the order scipy sums); boredom
    wears hope down. ``sympathy``: read for those in the community only. Active: working in the
    community, or with a place (``*_assigned`` at least 0) at exit work, mental health or
    religious counsel."""
    n = phase.size
    custody_decay = ties_decay * custody_ties_decay
    for i in range(n):
        community = _in_community(phase[i])
        bonds = (family_ties[i] + (1.0 if working[i] else 0.0) + hope[i]) / 3.0
        x = ideology[i]
        x = x + (
            drift_rejection
            * openness[i]
            * stigma[i]
            * (1.0 if community else 0.0)
            * sympathy[i]
            * (1.0 - x)
        )
        x = x - drift_bonds * openness[i] * bonds * x
        ideology[i] = _clip01(x)
        if community:
            anchors = (
                (1.0 if housed[i] else 0.0) + (1.0 if working[i] else 0.0) + family_ties[i]
            ) / 3.0
            decay = ties_decay * anchors
        else:
            decay = custody_decay
        alive = 1.0 if phase[i] != _DEAD else 0.0
        group_ties[i] -= decay * group_ties[i] * alive
    # the pull of released peers reads everyone's loosened ties: a second loop
    pulled = np.empty(n)
    for i in range(n):
        pulled[i] = group_ties[i]
        if not _in_community(phase[i]):
            continue
        neighbours = 0.0
        neighbour_ties = 0.0
        for jj in range(indptr[i], indptr[i + 1]):
            j = indices[jj]
            outside = 1.0 if _in_community(phase[j]) else 0.0
            neighbours += data[jj] * outside
            neighbour_ties += data[jj] * (group_ties[j] * outside)
        if neighbours > 0:
            target = neighbour_ties / neighbours
            pulled[i] = group_ties[i] + peer_ties_pull * (target - group_ties[i])
    for i in range(n):
        group_ties[i] = _clip01(pulled[i])
        community = _in_community(phase[i])
        active = (working[i] and community) or (
            exit_assigned[i] >= 0 or mental_health_assigned[i] >= 0 or religious_assigned[i] >= 0
        )
        idle = 1.0 if (not active and phase[i] != _DEAD) else 0.0
        h = hope[i] - boredom * idle * hope[i] * at(mod_boredom_v, mod_boredom, i)
        hope[i] = _clip01(h)
        trust[i] = _clip01(trust[i])


@njit(cache=True)
def detect_and_recall(
    phase,
    convicted,
    group_ties,
    family_trust,
    family_ties,
    trust,
    monitored,
    housed,
    police_served,
    exit_slot,
    exit_ngo,
    u_detect,
    u_recall,
    week,
    engaged_threshold,
    police_detection,
    unmonitored_detection,
    family_trust_weight,
    ngo_information_sharing,
    exit_information_detection,
    recall_hazard,
    recall_monitored,
    recall_trust_reduction,
    recall_no_housing,
    recall_family_reduction,
    recall_stay_weeks,
    mod_detection,
    mod_detection_v,
    mod_recall,
    mod_recall_v,
    engaged_week,
    reengagement_week,
    terror_week,
    recall_week,
    n_recalls,
    release_week,
    on_recall,
    documented,
    breach_hazard,
):
    """Re-engagement is documented; breaches and documented re-engagement on licence bring
    recall (``documented`` is written for everyone, ``breach_hazard`` too: the week's hazard of
    a recall for a breach on licence, 0 for those not on licence)."""
    w = family_trust_weight
    for i in range(phase.size):
        community = _in_community(phase[i]) and not convicted[i]
        engaged = community and group_ties[i] > engaged_threshold
        if engaged and engaged_week[i] == _NO_EVENT:
            engaged_week[i] = week
        slot = exit_slot[i]
        if slot < 0:
            sharing = 0.0
        elif exit_ngo.size and exit_ngo[slot]:
            sharing = ngo_information_sharing
        else:
            sharing = 1.0  # a state exit worker passes on all of it
        p_detect = (
            police_detection
            * (1.0 if police_served[i] else unmonitored_detection)
            * (1.0 - w + w * family_trust[i])
            * (1.0 + exit_information_detection * sharing)
            * at(mod_detection_v, mod_detection, i)
        )
        documented[i] = engaged and uniform_at(u_detect, i) < p_detect
        if documented[i] and reengagement_week[i] == _NO_EVENT and terror_week[i] == _NO_EVENT:
            reengagement_week[i] = week
        on_licence = community and (phase[i] == _LICENCE or phase[i] == _RELEASE_DAY)
        breach_hazard[i] = 0.0
        if not on_licence:
            continue
        hazard = (
            recall_hazard
            * (1.0 + group_ties[i])
            * (recall_monitored if monitored[i] else 1.0)
            * (1.0 - recall_trust_reduction * trust[i])
            * (1.0 if housed[i] else recall_no_housing)
            * (1.0 - recall_family_reduction * family_ties[i])
            * at(mod_recall_v, mod_recall, i)
        )
        breach_hazard[i] = hazard
        if documented[i] or uniform_at(u_recall, i) < hazard:
            if recall_week[i] == _NO_EVENT:
                recall_week[i] = week
            n_recalls[i] += 1
            phase[i] = _CUSTODY
            monitored[i] = False
            release_week[i] = week + recall_stay_weeks
            on_recall[i] = True


@njit(cache=True)
def disrupt(
    phase,
    documented,
    community,
    u_disrupt,
    week,
    probability,
    delay_weeks,
    ties_loss,
    family_trust_loss,
    trust_loss,
    removal,
    disruption_due,
    group_ties,
    family_trust,
    trust,
    recruiting,
    group_link,
    pool,
):
    """Security services act on documented re-engagement after a delay; returns how many
    were disrupted this week."""
    removed = np.zeros(pool.size, np.int64)
    n_due = 0
    for i in range(phase.size):
        if (
            documented[i]
            and disruption_due[i] == _NO_EVENT
            and uniform_at(u_disrupt, i) < probability
        ):
            disruption_due[i] = week + delay_weeks
        if disruption_due[i] == week and phase[i] != _DEAD:
            group_ties[i] *= 1.0 - ties_loss
            family_trust[i] *= 1.0 - family_trust_loss
            trust[i] *= 1.0 - trust_loss
            disruption_due[i] = _NO_EVENT
            removed[community[i]] += 1
            recruiting[i] = False
            group_link[i] = False
            n_due += 1
    for c in range(pool.size):
        pool[c] = max(pool[c] - removal * removed[c], 0.0)
    return n_due


@njit(cache=True)
def reach_milestones(
    phase,
    family_ties,
    working,
    housed,
    weeks_in_service,
    therapy_rows,
    milestones,
    hope,
    popcount,
    family_contact_threshold,
    therapy_milestone_weeks,
    hope_per_milestone,
    mod_hope,
    mod_hope_v,
):
    """Milestones reached for the first time give hope (``therapy_rows``: the rows of
    ``weeks_in_service`` whose length makes the therapy milestone; bits as agents.Milestone)."""
    for i in range(phase.size):
        if phase[i] == _DEAD:
            reached = 0
        else:
            community = _in_community(phase[i])
            therapy = False
            for k in therapy_rows:
                therapy |= weeks_in_service[k, i] >= therapy_milestone_weeks
            reached = (
                (1 if family_ties[i] > family_contact_threshold else 0)
                | (2 if therapy else 0)
                | (4 if working[i] and community else 0)
                | (8 if housed[i] and community else 0)
            )
        new = reached & ~milestones[i]
        gained = hope_per_milestone * popcount[new] * (1.0 - hope[i])
        hope[i] = _clip01(hope[i] + gained * at(mod_hope_v, mod_hope, i))
        milestones[i] |= reached


# ------------------------------------------------------------------------------ indicators
@njit(cache=True, inline="always")
def _count(counts, g1, f, flag):
    """Count a person with ``flag`` in their cohort's group (g1; group 0, everyone, is the
    sum of the cohorts' counts, made at the end)."""
    counts[g1, f] += flag


#: the per-cohort indicators a record kernel returns, in Recorder._GROUP_KEYS order
N_GROUP_VALUES = 23


@njit(cache=True)
def record_people(
    group_of,
    n_groups,
    phase,
    first_release_week,
    reoffence_week,
    terror_week,
    reengagement_week,
    recall_week,
    housed,
    working,
    family_ties,
    trust,
    hope,
    stigma,
    milestones,
    milestone_count,
    ideology,
    group_ties,
    separated,
    deradicalised_threshold,
    disengaged_threshold,
    engaged_threshold,
    week,
    custody_weeks,
    follow_up,
    follow_up_weeks,
    at_release,
    out,
    indicators,
):
    """The week's per-cohort indicators in one pass over people (``out[g]``: group 0 is
    everyone, group 1 + c the people of cohort code ``group_of[i] == c``; values in
    Recorder._GROUP_KEYS order), the custody counts of the costs, the weeks in custody, and the
    snapshots at release and after it. Means are sums in person order over a cohort's members,
    everyone's the cohorts' sums added (numpy's ``sum`` adds pairwise: the two differ in the
    last digits). With ``indicators`` False only the weeks in custody, the custody counts and
    the snapshots are made (``out`` is left alone). Returns (in custody, in custody
    on a separation wing)."""
    n = phase.size
    counts = np.zeros((n_groups, 18), np.int64)
    # running sums of the means' values, per group, added in person order; and the members
    sums = np.zeros((n_groups, 6))
    n_alive = np.zeros(n_groups, np.int64)
    n_community = np.zeros(n_groups, np.int64)
    milestones_alive = np.zeros(n_groups, np.int64)
    in_custody = separated_custody = 0
    for i in range(n):
        ph = phase[i]
        inside = ph <= _TRANSITION
        community = ph >= _RELEASE_DAY and ph <= _AFTER_LICENCE
        alive = ph != _DEAD
        if inside:
            in_custody += 1
            if separated[i]:
                separated_custody += 1
            if week > 0:
                custody_weeks[i] += 1
        first = first_release_week[i]
        if first >= 0:  # the state at, and some years after, the first release
            if first == week:
                at_release[0, i] = housed[i]
                at_release[1, i] = working[i]
            for y in range(follow_up_weeks.size):
                if first + follow_up_weeks[y] == week:
                    row = follow_up[y]
                    row[0, i] = alive
                    row[1, i] = community
                    row[2, i] = ideology[i]
                    row[3, i] = group_ties[i]
                    row[4, i] = ideology[i] < deradicalised_threshold
                    row[5, i] = group_ties[i] < disengaged_threshold
                    row[6, i] = group_ties[i] > engaged_threshold
                    row[7, i] = housed[i]
                    row[8, i] = working[i]
                    row[9, i] = family_ties[i]
        if not indicators:
            continue
        g1 = 1 + group_of[i]  # the person's cohort; group 0 is everyone
        _count(counts, g1, 0, inside)
        _count(counts, g1, 1, ph == _TRANSITION)
        _count(counts, g1, 2, ph == _RELEASE_DAY)
        _count(counts, g1, 3, ph == _LICENCE)
        _count(counts, g1, 4, ph == _AFTER_LICENCE)
        _count(counts, g1, 5, ph == _DEAD)
        _count(counts, g1, 6, first_release_week[i] >= 0)
        _count(counts, g1, 7, reoffence_week[i] >= 0)
        _count(counts, g1, 8, terror_week[i] >= 0)
        _count(counts, g1, 9, reengagement_week[i] >= 0)
        _count(counts, g1, 10, recall_week[i] >= 0)
        _count(counts, g1, 11, community and housed[i])
        _count(counts, g1, 12, community and working[i])
        _count(counts, g1, 13, alive and ideology[i] < deradicalised_threshold)
        _count(counts, g1, 14, alive and group_ties[i] < disengaged_threshold)
        _count(counts, g1, 15, alive and group_ties[i] > engaged_threshold)
        if community:
            n_community[g1] += 1
            sums[g1, 0] += family_ties[i]
            sums[g1, 3] += stigma[i]
        if alive:
            n_alive[g1] += 1
            sums[g1, 1] += trust[i]
            sums[g1, 2] += hope[i]
            sums[g1, 4] += ideology[i]
            sums[g1, 5] += group_ties[i]
            milestones_alive[g1] += milestone_count[milestones[i]]
    if not indicators:
        return in_custody, separated_custody
    for g in range(1, n_groups):  # everyone: the cohorts' counts and sums added
        for f in range(16):
            counts[0, f] += counts[g, f]
        for f in range(6):
            sums[0, f] += sums[g, f]
        n_alive[0] += n_alive[g]
        n_community[0] += n_community[g]
        milestones_alive[0] += milestones_alive[g]
    nan = np.nan
    for g in range(n_groups):
        for f in range(11):
            out[g, f] = counts[g, f]
        nc = n_community[g]
        na = n_alive[g]
        out[g, 11] = counts[g, 11] / nc if nc else nan
        out[g, 12] = counts[g, 12] / nc if nc else nan
        out[g, 13] = sums[g, 0] / nc if nc else nan
        out[g, 14] = sums[g, 1] / na if na else nan
        out[g, 15] = sums[g, 2] / na if na else nan
        out[g, 16] = sums[g, 3] / nc if nc else nan
        out[g, 17] = milestones_alive[g] / na if na else nan
        out[g, 18] = sums[g, 4] / na if na else nan
        out[g, 19] = sums[g, 5] / na if na else nan
        out[g, 20] = counts[g, 13] / na if na else nan
        out[g, 21] = counts[g, 14] / na if na else nan
        out[g, 22] = counts[g, 15] / na if na else nan
    return in_custody, separated_custody


@njit(cache=True)
def count_waiting(waiting_since, out):
    """``out[k]``: how many people are on agency ``k``'s waiting list (``waiting_since`` of
    row ``k`` at least 0)."""
    for k in range(waiting_since.shape[0]):
        row = waiting_since[k]
        total = 0
        for i in range(row.size):
            total += row[i] >= 0
        out[k] = total


# ------------------------------------------------------------------------------ more rules
@njit(cache=True)
def influence_in_custody(
    phase,
    wing,
    ideology,
    ideology_start,
    inside,
    openness,
    background_count,
    background_mean,
    background_moderate,
    wing_population,
    deradicalised_threshold,
    peer_influence,
    differing_views_room,
):
    """Wing-mates pull ideology toward the wing mean, moderate views lower it. ``inside``:
    the indices of those in custody, in order; ``openness``: their maturation factor (a power,
    computed in numpy); the wing sums are numpy's ``bincount`` (added in person order)."""
    n_wings = wing_population.size
    total = np.zeros(n_wings)
    moderate = np.zeros(n_wings)
    for i in range(phase.size):
        # new admissions hold the views of those who have left the wing (their starting views)
        view = ideology[i] if _in_custody(phase[i]) else ideology_start[i]
        total[wing[i]] += view
        moderate[wing[i]] += 1.0 if view < deradicalised_threshold else 0.0
    for w in range(n_wings):
        safe = max(wing_population[w], 1)
        total[w] = (total[w] + background_count[w] * background_mean) / safe
        moderate[w] = (moderate[w] + background_count[w] * background_moderate) / safe
    for k in range(inside.size):
        i = inside[k]
        x = ideology[i]
        x = x + peer_influence * openness[k] * (total[wing[i]] - x)
        x = x - differing_views_room * openness[k] * moderate[wing[i]] * x
        ideology[i] = _clip01(x)


@njit(cache=True, inline="always")
def _found_or_lost(has, may_search, in_community, u, chance, loss):
    """This week's housing (or work): found by a search (one who may search and has none)
    with the week's chance, lost in the community at the weekly rate ``loss``; one draw
    ``u`` decides both, as they never apply to the same person."""
    if may_search and not has and u < chance:
        return True
    if in_community and has and u > 1.0 - loss:
        return False
    return has


@njit(cache=True)
def material_support(
    phase,
    community,
    continuity_week,
    housed,
    working,
    age,
    stigma,
    housing_served,
    employment_served,
    capacity,
    trust,
    u_housing,
    u_work,
    week,
    plan_weeks,
    record_penalty,
    capacity_floor,
    cooperation_base,
    trust_cooperation,
    housing_success,
    housing_self,
    housing_loss,
    work_success,
    work_self,
    job_loss,
    work_age_limit,
    mod_planned,
    mod_planned_v,
    mod_housing,
    mod_housing_v,
    mod_work,
    mod_work_v,
):
    """Housing and work are found (aided by an agency or a continuing practitioner's plan) and
    lost. ``cooperation_base``: ``1 - 0.5 * trust_cooperation`` (computed by the caller)."""
    for i in range(phase.size):
        in_community = _in_community(phase[i])
        transition = phase[i] == _TRANSITION
        plan = (
            in_community
            and continuity_week[i] != _NO_EVENT
            and week - continuity_week[i] < plan_weeks
        )
        planned = at(mod_planned_v, mod_planned, i) > 0
        c = community[i]
        penalty = 1.0 - record_penalty * stigma[i]
        place = capacity_floor + capacity[c]
        cooperation = cooperation_base + trust_cooperation * trust[c]
        # the chance: aided or unaided x the record's penalty x the community's capacity x
        # its cooperation x the lever's modifier, multiplied in that order
        helped = housing_served[i] or plan
        housed[i] = _found_or_lost(
            housed[i],
            in_community or (transition and (helped or planned)),
            in_community,
            u_housing[i],
            (housing_success if helped else housing_self)
            * penalty
            * place
            * cooperation
            * at(mod_housing_v, mod_housing, i),
            housing_loss,
        )
        helped = employment_served[i] or plan
        working[i] = _found_or_lost(
            working[i],
            (in_community or (transition and (helped or planned))) and age[i] < work_age_limit,
            in_community,
            u_work[i],
            (work_success if helped else work_self)
            * penalty
            * place
            * cooperation
            * at(mod_work_v, mod_work, i),
            job_loss,
        )


@njit(cache=True)
def practitioner_work(
    phase,
    separated,
    monitored,
    refusing,
    key_worker,
    last_release_week,
    trust,
    ideology,
    group_ties,
    hope,
    assigned,
    weeks_in_service,
    key_rows,
    prison_row,
    exit_row,
    probation_row,
    religious_row,
    exit_ngo,
    u_refusal,
    week,
    discontinuity_loss,
    refusal_onset,
    refusal_overcome,
    contact_prison,
    specialised_staff,
    exit_contact,
    contact_probation,
    monitoring_contact,
    contact_religious,
    contact_cap,
    trust_growth,
    state_trust_growth,
    trust_decay,
    reflection,
    exit_work_effect,
    religious_effect,
    hope_from_trust,
    mod_trust_growth,
    mod_trust_growth_v,
    ideology_touched,
    mod_ideology,
    mod_ideology_v,
    ties_touched,
    mod_ties,
    mod_ties_v,
    hope_touched,
    mod_hope,
    mod_hope_v,
):
    """The key practitioner changes (a trust loss outside the release weeks); on separation
    wings refusal starts and stops (``u_refusal`` empty where nobody is separated: no draw);
    trust grows with contact and fades without; exit work and counsel lower ideology for those
    taking part; trust gives hope; levers' changes apply. ``key_rows``: the caseload rows in
    the order of :data:`submodels._KEY_WORKER_ORDER` (the last served wins). Returns the
    practitioner changes and the refusals started."""
    changes = 0
    starts = 0
    any_separated = u_refusal.size > 0
    for i in range(phase.size):
        # the key practitioner
        key = _NO_EVENT
        new_case = False
        for code in range(key_rows.size):
            row = key_rows[code]
            if assigned[row, i] >= 0:
                key = code
                new_case = weeks_in_service[row, i] == 1
        t = trust[i]
        if key != _NO_EVENT:
            if (
                key_worker[i] != _NO_EVENT
                and (key != key_worker[i] or new_case)
                and week - last_release_week[i] > 1
            ):
                t *= 1.0 - discontinuity_loss
                changes += 1
            key_worker[i] = key
        prison = assigned[prison_row, i] >= 0
        exit_slot = assigned[exit_row, i]
        exit_served = exit_slot >= 0
        probation = assigned[probation_row, i] >= 0
        religious = assigned[religious_row, i] >= 0
        # refusal on separation wings, read with the trust after a change of practitioner
        if any_separated:
            held = _in_custody(phase[i]) and separated[i]
            start = held and not refusing[i] and u_refusal[i] < refusal_onset * (1.0 - t)
            stop = (
                refusing[i]
                and (prison or exit_served or religious)
                and u_refusal[i] < refusal_overcome * t
            )
            refusing[i] = (refusing[i] or start) and not stop and held
            if start:
                starts += 1
        taking_part = not refusing[i]
        contact = (
            contact_prison * (1.0 if prison else 0.0) * (specialised_staff if separated[i] else 1.0)
            + exit_contact * (1.0 if exit_served else 0.0)
            + contact_probation
            * (1.0 if probation else 0.0)
            * (monitoring_contact if monitored[i] else 1.0)
            + contact_religious * (1.0 if religious else 0.0)
        )
        contact = min(contact, contact_cap)
        # the exit worker's employer sets how fast the relationship builds
        state = exit_served and (exit_ngo.size == 0 or not exit_ngo[exit_slot])
        provider = state_trust_growth if state else 1.0
        growth = trust_growth * contact * (1.0 - t) * at(mod_trust_growth_v, mod_trust_growth, i)
        t = t + growth * provider
        t = t - trust_decay * (1.0 if contact == 0 else 0.0) * t
        trust[i] = t
        room = reflection if _in_custody(phase[i]) else 1.0
        exit_work = 1.0 if exit_served and taking_part else 0.0
        x = ideology[i]
        x = x - exit_work_effect * t * room * exit_work * x
        x = x - religious_effect * (1.0 if religious and taking_part else 0.0) * x
        h = hope[i]
        h = h + hope_from_trust * t * (1.0 if contact > 0 else 0.0) * (1.0 - h)
        # programmes and activities change nothing for those refusing them
        if ideology_touched:
            if taking_part:
                x = x + at(mod_ideology_v, mod_ideology, i)
            x = _clip01(x)
        if ties_touched:
            group_ties[i] = _clip01(group_ties[i] + at(mod_ties_v, mod_ties, i))
        if hope_touched:
            if taking_part:
                h = h + at(mod_hope_v, mod_hope, i)
            h = _clip01(h)
        ideology[i] = x
        hope[i] = h
    return changes, starts


@njit(cache=True)
def release_day(
    phase,
    cohort,
    release_week,
    first_release_week,
    last_release_week,
    continuity_week,
    trust,
    family_ties,
    group_ties,
    group_link,
    gate,
    last_approach_week,
    licence_end,
    on_recall,
    monitored,
    assigned,
    weeks_in_service,
    load,
    prison_row,
    exit_row,
    probation_row,
    u_continuity,
    u_family,
    u_presence,
    u_gate_success,
    u_conditions,
    week,
    continuity,
    discontinuity_loss,
    family_pickup,
    presence_accompanied,
    gate_presence,
    prison_link,
    success_met,
    success_unmet,
    ties_gain,
    licence_weeks_extremist,
    licence_weeks_comparison,
    electronic_monitoring,
    mod_handover,
    mod_handover_v,
    mod_practitioner,
    mod_practitioner_v,
    mod_family,
    mod_family_v,
    mod_recruit,
    mod_recruit_v,
):
    """Those due leave custody: the handover (the same practitioner carries on, or the exit
    case ends and trust is lost with the practitioner), who meets them at the gate, whether
    recruiters wait there and win them over, the licence and its conditions. Returns the
    counts (released, unaccompanied, recruiters present, present where nobody met them,
    pick-ups)."""
    released = unaccompanied = present = present_unmet = pickups = 0
    for i in range(phase.size):
        if not (_in_custody(phase[i]) and release_week[i] <= week):
            continue
        released += 1
        if first_release_week[i] == _NO_EVENT:
            first_release_week[i] = week
        last_release_week[i] = week
        phase[i] = _RELEASE_DAY
        release_week[i] = _NO_EVENT
        # the handover: a practitioner who continues carries the relationship and the plan
        continues = uniform_at(u_continuity, i) < continuity
        had_practitioner = (
            assigned[prison_row, i] >= 0
            or assigned[exit_row, i] >= 0
            or assigned[probation_row, i] >= 0
        )
        if had_practitioner:
            if continues:
                continuity_week[i] = week
            else:
                trust[i] *= 1.0 - discontinuity_loss * at(mod_handover_v, mod_handover, i)
        slot = assigned[exit_row, i]
        if not continues and slot >= 0:  # the exit case ends at a handover
            load[exit_row, slot] -= 1
            assigned[exit_row, i] = -1
            weeks_in_service[exit_row, i] = 0
        practitioner = (
            continues and (assigned[exit_row, i] >= 0 or assigned[probation_row, i] >= 0)
        ) or at(mod_practitioner_v, mod_practitioner, i) > 0
        family = (
            uniform_at(u_family, i) < family_pickup * family_ties[i]
            or at(mod_family_v, mod_family, i) > 0
        )
        met = practitioner or family
        if practitioner:
            gate[i] = _GATE_PRACTITIONER
        elif family:
            gate[i] = _GATE_FAMILY
        else:
            gate[i] = _GATE_NOBODY
            unaccompanied += 1
        # recruiters choose whom to wait for: mostly those nobody meets, and those they won
        # over inside, whose contact in the group comes to meet them
        presence = (presence_accompanied if met else 1.0) * max(
            gate_presence * group_ties[i], prison_link * (1.0 if group_link[i] else 0.0)
        )
        if uniform_at(u_presence, i) < presence:
            last_approach_week[i] = week
            present += 1
            if not met:
                present_unmet += 1
            chance = (success_met if met else success_unmet) * at(mod_recruit_v, mod_recruit, i)
            if uniform_at(u_gate_success, i) < chance:
                group_ties[i] += ties_gain * (1.0 - group_ties[i])
                gate[i] = _GATE_RECRUITER
                pickups += 1
        extremist = cohort[i] == _EXTREMIST
        if not on_recall[i]:  # after a recall, the same licence resumes
            if extremist:
                licence_end[i] = week + licence_weeks_extremist
            else:
                licence_end[i] = week + licence_weeks_comparison
        on_recall[i] = False
        monitored[i] = extremist and uniform_at(u_conditions, i) < electronic_monitoring
    return released, unaccompanied, present, present_unmet, pickups


@njit(cache=True)
def age_ratio(age, index, young, neutral, hr_young, hr_old, old_age):
    """:func:`~reintegration_sim.model.submodels._age_ratio` of ``age[index]``, element by
    element with the same operations."""
    out = np.empty(index.size)
    for k in range(index.size):
        a = age[index[k]]
        if a < young:
            out[k] = hr_young
        elif a < neutral:
            out[k] = 1.0 + (hr_young - 1.0) * (neutral - a) / (neutral - young)
        else:
            out[k] = max(hr_old, 1.0 - (1.0 - hr_old) * (a - neutral) / (old_age - neutral))
    return out


@njit(cache=True)
def offending_log_hazard_ratio(
    index,
    phase,
    prior_record,
    log_age_ratio,
    female,
    housed,
    working,
    family_ties,
    hope,
    mental_health,
    group_ties,
    trust,
    exit_assigned,
    probation_assigned,
    religious_assigned,
    mental_health_assigned,
    log_prior,
    log_female,
    log_no_housing,
    log_no_work,
    log_family,
    log_hope,
    log_mental_health,
    treatment_effect,
    log_group_ties,
    log_supervision,
    log_trust,
    mod_treatment,
    mod_treatment_v,
):
    """The log hazard ratio of a proven reoffence for the people ``index`` (those in the
    community), its terms added in the order the ODD lists them; the logarithms of the hazard
    ratios and of the age ratio come from numpy. Contact with a practitioner who can hold
    trust: a place (``*_assigned`` at least 0) with exit work, probation or religious counsel.
    A place at the mental health service, or a lever's share of its effect (modifier
    ``treatment``, capped at 1), lowers the ratio of a disorder."""
    out = np.empty(index.size)
    for k in range(index.size):
        i = index[k]
        contact = exit_assigned[i] >= 0 or probation_assigned[i] >= 0 or religious_assigned[i] >= 0
        treated = min(
            1.0,
            (1.0 if mental_health_assigned[i] >= 0 else 0.0)
            + at(mod_treatment_v, mod_treatment, i),
        )
        out[k] = (
            (1.0 if prior_record[i] else 0.0) * log_prior
            + log_age_ratio[k]
            + (1.0 if female[i] else 0.0) * log_female
            + (0.0 if housed[i] else 1.0) * log_no_housing
            + (0.0 if working[i] else 1.0) * log_no_work
            + family_ties[i] * log_family
            + hope[i] * log_hope
            + (1.0 if mental_health[i] > 0 else 0.0)
            * log_mental_health
            * (1.0 - treatment_effect * treated)
            + group_ties[i] * log_group_ties
            + (1.0 if phase[i] == _LICENCE else 0.0) * log_supervision
            + trust[i] * (1.0 if contact else 0.0) * log_trust
        )
    return out


@njit(cache=True)
def offending_hazards(
    index,
    cohort,
    frailty,
    ideology,
    group_ties,
    hazard_ratio,
    terror_maturation,
    terror_hope,
    base_extremist,
    base_comparison,
    terror_hazard,
    mod_hazard,
    mod_hazard_v,
    mod_terror,
    mod_terror_v,
):
    """The weekly hazards of a proven reoffence and of a terrorism offence for the people
    ``index``: base x frailty x hazard ratio, and the terrorism hazard x the age curve x
    ideology x group ties x the effect of hope (``hazard_ratio``, ``terror_maturation`` and
    ``terror_hope`` computed by numpy), each times its modifier."""
    hazard = np.empty(index.size)
    terror = np.empty(index.size)
    for k in range(index.size):
        i = index[k]
        base = base_extremist if cohort[i] == _EXTREMIST else base_comparison
        hazard[k] = base * frailty[i] * hazard_ratio[k] * at(mod_hazard_v, mod_hazard, i)
        terror[k] = (
            terror_hazard
            * terror_maturation[k]
            * ideology[i]
            * group_ties[i]
            * terror_hope[k]
            * at(mod_terror_v, mod_terror, i)
        )
    return hazard, terror


@njit(cache=True)
def offend(
    p_any, p_terror, u_terror, u_reoffend, u_convict, conviction_probability, convicted, terror
):
    """Offences (terrorism offences among them) and their conviction: fills ``convicted`` and
    ``terror`` (a terrorism offence) for everyone. A chance of 0 (those not in the community)
    is never met, since every number is at least 0."""
    for i in range(p_any.size):
        terror[i] = u_terror[i] < p_terror[i]
        offence = terror[i] or u_reoffend[i] < p_any[i]
        convicted[i] = offence and uniform_at(u_convict, i) < conviction_probability


@njit(cache=True)
def uniforms_at(draw, index):
    """:func:`uniform_at` of the persons ``index`` (in that order)."""
    out = np.empty(index.size)
    for k in range(index.size):
        out[k] = uniform_at(draw, index[k])
    return out


@njit(cache=True)
def reconvict(
    convicted,
    terror,
    cohort,
    community,
    log_survival,
    week,
    terror_resentence_years,
    resentence_years,
    weeks_per_year,
    housing_loss_sentence_weeks,
    stigma_extremist,
    stigma_comparison,
    phase,
    reoffence_week,
    terror_week,
    n_reoffences,
    monitored,
    release_week,
    on_recall,
    stigma_conviction,
    working,
    housed,
    coverage,
):
    """The convicted (``convicted``: their indices; ``log_survival``: theirs, in the same
    order): the first proven reoffence and terrorism offence are dated, they return to custody
    for a new sentence (whole weeks, at least one, from the exponential draw ``-log_survival``
    x the mean sentence) and lose work, and housing after a long one; ``coverage`` counts the
    terrorism convictions in each community (for the press)."""
    for k in range(convicted.size):
        i = convicted[k]
        # only proven (convicted) offences are observed
        if reoffence_week[i] == _NO_EVENT:
            reoffence_week[i] = week
        if terror[i] and terror_week[i] == _NO_EVENT:
            terror_week[i] = week
        n_reoffences[i] += 1
        mean_years = terror_resentence_years if terror[i] else resentence_years
        sentence = max(1.0, np.ceil(-log_survival[k] * mean_years * weeks_per_year))
        phase[i] = _CUSTODY
        monitored[i] = False
        release_week[i] = week + int(sentence)
        on_recall[i] = False
        stigma = stigma_extremist if cohort[i] == _EXTREMIST else stigma_comparison
        stigma_conviction[i] = max(stigma_conviction[i], stigma)
        working[i] = False
        if sentence > housing_loss_sentence_weeks:
            housed[i] = False
        if terror[i]:
            coverage[community[i]] += 1
