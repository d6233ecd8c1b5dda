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
        self._end(mask & (self.assigned >= 0))

    def _end(self, leaving: np.ndarray) -> None:
        """End the cases in ``leaving`` (all of them served): free the places."""
        if leaving.any():
            self.load -= np.bincount(self.assigned[leaving], minlength=self.n_practitioners)
            self.assigned[leaving] = -1
            self.weeks_in_service[leaving] = 0

    def update(self, eligible: np.ndarray, week: int) -> None:
        """Discharge the no longer eligible, queue the new ones, fill free places in order."""
        assigned, waiting_since = self.assigned, self.waiting_since
        served = assigned >= 0
        self._end(served & ~eligible)
        served &= eligible
        need = eligible & ~served
        np.putmask(waiting_since, need & (waiting_since < 0), week)
        np.putmask(waiting_since, ~need, -1)
        free = self.capacity - self.load
        n_free = int(free.sum())
        if n_free > 0:
            candidates = np.flatnonzero(need)
            if candidates.size:
                # longest wait first, then person index: candidates are in index order, so a
                # stable sort on the week alone gives that order (as lexsort would); weeks fit
                # in int16, which numpy sorts stably by radix sort
                key = waiting_since[candidates]
                if week < np.iinfo(np.int16).max:
                    key = key.astype(np.int16)
                order = np.argsort(key, kind="stable")
                take = candidates[order[:n_free]]
                slots = np.repeat(np.arange(self.n_practitioners), free)[: take.size]
                assigned[take] = slots
                self.load += np.bincount(slots, minlength=self.n_practitioners)
                waiting_since[take] = -1
                served[take] = True
        self.weeks_in_service += served
