"""Caseloads: practitioners with a finite capacity and a waiting list (delivery, not effect).

A caseload knows who is eligible for an agency's service this week; it discharges those no longer
eligible, keeps the others with the same practitioner (continuity), and fills free places in
waiting order (longest wait first, then person index), so nobody is over capacity and the same
inputs always give the same assignment. A week's update is one compiled loop over people
(:func:`~reintegration_sim.model.kernels.caseload_update`); the model's agencies keep their
caseloads as the rows of one :class:`Caseloads` table, updated together in one pass
(:func:`~reintegration_sim.model.kernels.update_caseloads`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import kernels

__all__ = ["Caseload", "Caseloads"]


class Caseload:
    """Assignment of people to the practitioners of one agency."""

    def __init__(
        self,
        n_people: int,
        n_practitioners: int,
        capacity: int,
        table: Caseloads | None = None,
        row: int = 0,
    ) -> None:
        self.capacity = int(capacity)
        self.n_practitioners = int(n_practitioners)
        if table is None:
            self.assigned = np.full(n_people, -1, dtype=np.int32)
            self.load = np.zeros(self.n_practitioners, dtype=np.int64)
            self.waiting_since = np.full(n_people, -1, dtype=np.int32)
            self.weeks_in_service = np.zeros(n_people, dtype=np.int32)
        else:  # one row of a table of caseloads (views: the table and the caseload agree)
            self.assigned = table.assigned[row]
            self.load = table.load[row, : self.n_practitioners]
            self.waiting_since = table.waiting_since[row]
            self.weeks_in_service = table.weeks_in_service[row]

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
        kernels.caseload_update(
            self.assigned,
            self.waiting_since,
            self.weeks_in_service,
            self.load,
            self.capacity,
            np.ascontiguousarray(eligible, dtype=np.bool_),
            int(week),
        )


class Caseloads:
    """The caseloads of several agencies as one table: row k holds agency k's assignment,
    waiting list and weeks in service for every person, so that one pass over people updates
    them all; ``caseload[k]`` is row k as a :class:`Caseload` (views of the table)."""

    def __init__(
        self, n_people: int, n_practitioners: Sequence[int], capacity: Sequence[int]
    ) -> None:
        k = len(n_practitioners)
        self.n_practitioners = np.asarray(n_practitioners, dtype=np.int64)
        self.capacity = np.asarray(capacity, dtype=np.int64)
        self.assigned = np.full((k, n_people), -1, dtype=np.int32)
        self.load = np.zeros((k, max(1, int(self.n_practitioners.max(initial=0)))), np.int64)
        self.waiting_since = np.full((k, n_people), -1, dtype=np.int32)
        self.weeks_in_service = np.zeros((k, n_people), dtype=np.int32)
        self.caseload = [
            Caseload(n_people, int(self.n_practitioners[r]), int(self.capacity[r]), self, r)
            for r in range(k)
        ]
