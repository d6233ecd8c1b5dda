"""Caseloads: practitioners with a finite capacity and a waiting list (delivery, not effect).

A caseload knows who is eligible for an agency's service this week; it discharges those no longer
eligible, keeps the others with the same practitioner (continuity), and fills free places in
waiting order (longest wait first, then person index), so nobody is over capacity and the same
inputs always give the same assignment. All operations are whole-array numpy operations.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Caseload"]


class Caseload:
    """Assignment of people to the practitioners of one agency."""

    def __init__(self, n_people: int, n_practitioners: int, capacity: int) -> None:
        self.capacity = int(capacity)
        self.n_practitioners = int(n_practitioners)
        self.assigned = np.full(n_people, -1, dtype=np.int32)
        self.load = np.zeros(self.n_practitioners, dtype=np.int64)
        self.waiting_since = np.full(n_people, -1, dtype=np.int32)
        self.weeks_in_service = np.zeros(n_people, dtype=np.int32)

    @property
    def total_capacity(self) -> int:
        return self.capacity * self.n_practitioners

    @property
    def served(self) -> np.ndarray:
        """Boolean mask: who has a practitioner now."""
        return self.assigned >= 0

    @property
    def waiting(self) -> np.ndarray:
        """Boolean mask: who is eligible and waiting for a place."""
        return self.waiting_since >= 0

    def discharge(self, mask: np.ndarray) -> None:
        """End the cases of everyone in ``mask`` (e.g. a handover to a new practitioner)."""
        leaving = mask & (self.assigned >= 0)
        if leaving.any():
            self.load -= np.bincount(self.assigned[leaving], minlength=self.n_practitioners)
            self.assigned[leaving] = -1
            self.weeks_in_service[leaving] = 0

    def update(self, eligible: np.ndarray, week: int) -> None:
        """Discharge the no longer eligible, queue the new ones, fill free places in order."""
        self.discharge(~eligible)
        need = eligible & (self.assigned < 0)
        self.waiting_since[need & (self.waiting_since < 0)] = week
        self.waiting_since[~need] = -1
        free = self.capacity - self.load
        n_free = int(free.sum())
        if n_free > 0 and need.any():
            candidates = np.flatnonzero(need)
            order = np.lexsort((candidates, self.waiting_since[candidates]))
            take = candidates[order[:n_free]]
            slots = np.repeat(np.arange(self.n_practitioners), free)[: take.size]
            self.assigned[take] = slots
            self.load += np.bincount(slots, minlength=self.n_practitioners)
            self.waiting_since[take] = -1
        self.weeks_in_service[self.assigned >= 0] += 1
