"""Caseloads: capacity, waiting order, discharge and continuity of the practitioner."""

from __future__ import annotations

import numpy as np
import pytest

from reintegration_sim.model.caseload import Caseload


def mask(n: int, members) -> np.ndarray:
    out = np.zeros(n, bool)
    out[list(members)] = True
    return out


def test_nobody_exceeds_capacity_and_the_rest_wait():
    cl = Caseload(n_people=10, n_practitioners=2, capacity=3)
    assert cl.total_capacity == 6
    cl.update(np.ones(10, bool), week=1)
    assert cl.served.sum() == 6 and cl.waiting.sum() == 4
    assert cl.load.tolist() == [3, 3]
    assert not (cl.served & cl.waiting).any()
    # equal waits: lowest person index first
    assert np.flatnonzero(cl.served).tolist() == [0, 1, 2, 3, 4, 5]
    assert (cl.waiting_since[cl.waiting] == 1).all()


def test_longest_wait_first_then_person_index():
    n = 8
    cl = Caseload(n, n_practitioners=1, capacity=1)
    cl.update(mask(n, [5, 2]), week=1)
    assert cl.served.tolist() == mask(n, [2]).tolist()
    assert cl.waiting_since[5] == 1
    cl.update(mask(n, [5, 2, 0]), week=2)
    assert cl.assigned[2] == 0, "the person served keeps the place"
    assert cl.waiting_since[0] == 2 and cl.waiting_since[5] == 1, "waits are not restarted"
    cl.update(mask(n, [5, 0]), week=3)  # person 2 leaves: one place for two waiting
    assert cl.served.tolist() == mask(n, [5]).tolist(), "longest wait beats lower index"
    assert cl.waiting_since[0] == 2 and cl.waiting_since[5] == -1
    cl.update(mask(n, [0]), week=4)
    assert cl.served.tolist() == mask(n, [0]).tolist()
    assert not cl.waiting.any()


def test_leaving_the_waiting_list_forgets_the_wait():
    n = 4
    cl = Caseload(n, n_practitioners=1, capacity=1)
    cl.update(mask(n, [0, 3]), week=1)
    assert cl.waiting_since[3] == 1
    cl.update(mask(n, [0]), week=2)  # 3 no longer eligible
    assert cl.waiting_since[3] == -1
    cl.update(mask(n, [0, 3]), week=3)  # back: the wait starts again
    assert cl.waiting_since[3] == 3


def test_discharge_frees_the_place_and_resets_service_time():
    n = 5
    cl = Caseload(n, n_practitioners=2, capacity=1)
    cl.update(mask(n, [0, 1, 2]), week=1)
    slot = cl.assigned[1]
    assert cl.load.sum() == 2 and cl.weeks_in_service[1] == 1
    cl.update(mask(n, [0, 1, 2]), week=2)
    assert cl.weeks_in_service[1] == 2
    cl.discharge(mask(n, [1, 2]))  # 2 was not served: nothing to end
    assert cl.assigned[1] == -1 and cl.weeks_in_service[1] == 0
    assert cl.load[slot] == 0 and cl.load.sum() == 1
    assert cl.waiting_since[2] == 1, "discharging someone waiting does not touch the wait"
    cl.update(mask(n, [0, 1, 2]), week=3)
    assert cl.served[2], "the freed place goes to the person waiting longest"
    assert cl.waiting_since[1] == 3, "the discharged person queues again"


def test_discharge_of_nobody_changes_nothing():
    cl = Caseload(3, n_practitioners=1, capacity=2)
    cl.update(np.ones(3, bool), week=1)
    before = (cl.assigned.copy(), cl.load.copy(), cl.weeks_in_service.copy())
    cl.discharge(np.zeros(3, bool))
    after = (cl.assigned, cl.load, cl.weeks_in_service)
    assert all(np.array_equal(a, b) for a, b in zip(before, after, strict=True))


def test_the_same_practitioner_is_kept_while_eligible():
    n = 30
    rng = np.random.default_rng(3)
    cl = Caseload(n, n_practitioners=4, capacity=5)
    stay = mask(n, range(10))
    cl.update(stay, week=1)
    practitioners = cl.assigned[:10].copy()
    assert (practitioners >= 0).all()
    for week in range(2, 30):
        others = rng.random(n) < 0.5
        others[:10] = False
        cl.update(stay | others, week)
        assert np.array_equal(cl.assigned[:10], practitioners), f"week {week}: handed over"
        assert (cl.weeks_in_service[:10] == week).all()


def test_no_practitioners_means_everyone_waits():
    cl = Caseload(6, n_practitioners=0, capacity=10)
    cl.update(np.ones(6, bool), week=1)
    cl.update(np.ones(6, bool), week=2)
    assert not cl.served.any() and cl.waiting.all()
    assert (cl.waiting_since == 1).all()
    assert cl.total_capacity == 0 and cl.load.size == 0


@pytest.mark.parametrize("seed", range(6))
def test_random_weeks_keep_every_rule(seed):
    """Property test against the rules themselves, over random eligibility and discharges."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(20, 120))
    cl = Caseload(n, n_practitioners=int(rng.integers(1, 6)), capacity=int(rng.integers(1, 8)))
    twin = Caseload(n, cl.n_practitioners, cl.capacity)
    eligible = rng.random(n) < 0.5
    for week in range(1, 60):
        eligible = np.where(rng.random(n) < 0.15, ~eligible, eligible)
        if rng.random() < 0.2:
            handover = rng.random(n) < 0.1
            cl.discharge(handover)
            twin.discharge(handover)
        before_assigned = cl.assigned.copy()
        before_waiting = cl.waiting_since.copy()
        cl.update(eligible, week)
        twin.update(eligible.copy(), week)

        # deterministic: same inputs, same assignment
        assert np.array_equal(cl.assigned, twin.assigned)
        # capacity, and load is the count of those assigned
        counted = np.bincount(cl.assigned[cl.served], minlength=cl.n_practitioners)
        assert np.array_equal(cl.load, counted)
        assert (cl.load <= cl.capacity).all()
        # served and waiting are exactly the eligible, split
        assert not (cl.served & ~eligible).any()
        assert np.array_equal(cl.waiting, eligible & ~cl.served)
        # work-conserving: nobody waits while a place is free
        if cl.waiting.any():
            assert cl.load.sum() == cl.total_capacity
        # continuity: whoever was served and is still eligible keeps the practitioner
        kept = (before_assigned >= 0) & eligible
        assert np.array_equal(cl.assigned[kept], before_assigned[kept])
        # a wait, once started, keeps its start week
        still = (before_waiting >= 0) & cl.waiting
        assert np.array_equal(cl.waiting_since[still], before_waiting[still])
        # order: nobody newly served waited less (or as long with a higher index) than
        # anybody still waiting
        new = (before_assigned < 0) & cl.served
        if new.any() and cl.waiting.any():
            start = np.where(before_waiting >= 0, before_waiting, week)
            new_key = np.stack([start[new], np.flatnonzero(new)], axis=1)
            wait_key = np.stack([start[cl.waiting], np.flatnonzero(cl.waiting)], axis=1)
            worst_new = max(map(tuple, new_key))
            best_waiting = min(map(tuple, wait_key))
            assert worst_new < best_waiting, (
                f"week {week}: {worst_new} served before {best_waiting}"
            )
