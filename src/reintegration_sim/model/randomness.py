"""Named random streams, so that paired runs differ only where a policy acts.

Every stochastic process of the model has its own randomness, derived statelessly from the
scenario's root seed, the replication index and the process name::

    SeedSequence(root_seed, spawn_key=(replication, crc32(process_name)))

The three processes that build the model (:data:`BUILD_PROCESSES`: starting attributes, the
network, where recruiters work) draw from a ``numpy.random.Generator`` (PCG64) seeded with it.

The weekly processes (:data:`WEEKLY_PROCESSES`) give each person one U(0, 1) number a week (two
where a process needs two), for *every* person, whether or not that person is eligible this
week. The number is a pure function of (root seed, replication, process, week, row, person):
Philox4x32-10, a counter-based generator (Salmon et al. 2011; the generator of Random123, JAX
and cuRAND), keyed by two words of the seed sequence above, of the counter (person // 2, week,
row, 0) (:func:`reintegration_sim.model.kernels.philox_uniforms`). Person ``i`` in week ``t``
therefore meets the same number in a baseline run and in a policy run with the same seed,
whoever else is in the model and whatever happened before; a lever that changes who is
eligible, or how likely an event is, changes outcomes only for the people it acts on (common
random numbers, as in Starsim). Nothing here depends on the number of worker processes.
(Until 2026-12 the weekly numbers came from one PCG64 generator per process, drawn in order;
the counter-based numbers are the same in law and about twice as fast to make, and the
regression baseline moved once for the change.)
"""

from __future__ import annotations

import zlib

import numpy as np

from . import kernels

__all__ = [
    "BUILD_PROCESSES",
    "ON_DEMAND",
    "DRAW_WEEK_BYTES",
    "PROCESSES",
    "TWO_A_WEEK",
    "draws_a_week",
    "WEEKLY_PROCESSES",
    "Streams",
    "process_spawn_key",
    "replication_seed",
]

#: The processes that build the model (numpy generators).
BUILD_PROCESSES: tuple[str, ...] = (
    "population",  # starting attributes
    "network",  # communities and ties between people
    "placement",  # where recruiters are active (kept apart from the network)
)
#: The processes that give everyone a number every week (counter-based). Adding one does not
#: change the others' numbers.
WEEKLY_PROCESSES: tuple[str, ...] = (
    "unfairness",  # incidents perceived as unfair
    "recruit_prison",  # recruiter approaches in prison
    "recruit_success",  # whether an approach succeeds
    "recruit_community",  # recruiter approaches after release
    "recruit_online",  # online approaches after release, and their success
    "recruit_convert",  # whether an engaged releasee starts recruiting
    "gate",  # who waits at the gate
    "gate_success",  # whether a gate pick-up succeeds
    "conditions",  # release conditions (electronic monitoring)
    "continuity",  # whether the practitioner from inside continues outside
    "housing",  # finding and losing housing
    "work",  # finding and losing work or education
    "family",  # family conflict
    "reoffend",  # any proven reoffence
    "terror",  # terrorism offence
    "detect",  # documentation of re-engagement
    "disrupt",  # whether security services act on documented re-engagement
    "recall",  # breach of licence conditions
    "death",  # mortality
    "sentence",  # lengths of new sentences
    "refusal",  # refusing purposeful activity on separation wings, and coming back
)
#: The weekly processes that need two numbers a person a week (the others need one).
TWO_A_WEEK: frozenset[str] = frozenset({"recruit_success", "gate", "recruit_online", "sentence"})


def draws_a_week(name: str) -> int:
    """How many numbers weekly process ``name`` gives a person a week (its rows 0, 1, ...)."""
    return 2 if name in TWO_A_WEEK else 1


#: The draws (process, row) that the kernels make person by person when a rule reaches
#: someone (:meth:`Streams.on_demand`, :func:`~reintegration_sim.model.kernels.uniform_at`)
#: rather than for everyone in one pass: those a rule reads for few people (released this week,
#: approached by a recruiter, convicted, documented, on licence). Structure: a choice of speed
#: that changes no number (each number is a pure function of its counter). A person's number
#: then costs a whole Philox block instead of half of one, so a draw read for more than about
#: half of everyone (community rules: 56 % of a baseline run's person-weeks) stays in bulk.
ON_DEMAND: frozenset[tuple[str, int]] = frozenset(
    {
        ("gate", 0),  # release day: family at the gate
        ("gate", 1),  # release day: recruiters there
        ("continuity", 0),  # release day
        ("gate_success", 0),  # release day, where recruiters wait
        ("conditions", 0),  # release day
        ("recruit_success", 0),  # those approached in prison
        ("recruit_success", 1),  # those approached in the community
        ("recruit_online", 1),  # success of those approached online
        ("sentence", 0),  # conviction of those who offended
        ("sentence", 1),  # the length of a new sentence
        ("detect", 0),  # the engaged
        ("recall", 0),  # those on licence
        ("disrupt", 0),  # the documented
    }
)
#: Up to this size (bytes) a week's numbers are made in one call (:meth:`Streams.draw_week`);
#: above it, one process at a time. Structure: a choice of speed (the size of a core's level-2
#: cache on the benchmark machine) that changes no number.
DRAW_WEEK_BYTES = 1 << 20
#: Every named stochastic process.
PROCESSES: tuple[str, ...] = BUILD_PROCESSES + WEEKLY_PROCESSES


def process_spawn_key(name: str) -> int:
    """The spawn-key element that names a process (stable across versions and machines)."""
    return zlib.crc32(name.encode())


def replication_seed(root_seed: int, replication: int) -> np.random.SeedSequence:
    """The seed sequence of one replication, independent of any other call."""
    return np.random.SeedSequence(root_seed, spawn_key=(replication,))


class Streams:
    """The randomness of one replication: a generator per building process, a key per weekly
    process."""

    def __init__(self, root_seed: int, replication: int = 0) -> None:
        self.root_seed = int(root_seed)
        self.replication = int(replication)
        self._generators = {
            name: np.random.Generator(np.random.PCG64(self._sequence(name)))
            for name in BUILD_PROCESSES
        }
        self._keys = {
            name: tuple(np.uint32(k) for k in self._sequence(name).generate_state(2, np.uint32))
            for name in WEEKLY_PROCESSES
        }
        # the week drawn in one call by draw_week: its numbers, and the line of each bulk draw
        self._week: tuple[int, int] | None = None  # (week, people)
        lines = [
            (name, row)
            for name in WEEKLY_PROCESSES
            for row in range(draws_a_week(name))
            if (name, row) not in ON_DEMAND
        ]
        self._line = {draw: k for k, draw in enumerate(lines)}
        self._line_keys = np.array([self._keys[name] for name, _ in lines], np.uint32)
        self._line_rows = np.array([row for _, row in lines], np.int64)
        self._drawn = np.empty((0, 0))

    def _sequence(self, name: str) -> np.random.SeedSequence:
        """``SeedSequence(root, spawn_key=(replication, crc32(name)))``."""
        key = (self.replication, process_spawn_key(name))
        return np.random.SeedSequence(self.root_seed, spawn_key=key)

    def __getitem__(self, name: str) -> np.random.Generator:
        """The generator of a building process."""
        try:
            return self._generators[name]
        except KeyError:
            hint = " (a weekly process: use Streams.uniform)" if name in self._keys else ""
            raise KeyError(
                f"unknown random process {name!r}{hint}; building processes: {BUILD_PROCESSES}"
            ) from None

    def extra(self, name: str) -> np.random.Generator:
        """A generator for a process named at run time (an intervention's own stream), derived
        the same stateless way, so adding an intervention leaves every other stream alone."""
        if name not in self._generators:
            self._generators[name] = np.random.Generator(np.random.PCG64(self._sequence(name)))
        return self._generators[name]

    def draw_week(self, week: int, n: int) -> None:
        """Make the week's bulk draws (all but :data:`ON_DEMAND`) for ``n`` people at once (one
        compiled call instead of one per process) when they fit in :data:`DRAW_WEEK_BYTES`;
        :meth:`uniform` and :meth:`uniforms` then return them, read-only (a new array each
        week, so numbers kept from one week stay that week's). Larger populations draw each
        process when it is asked for, so that its numbers are still in the processor's cache
        when its rule reads them. The numbers are the same either way."""
        if self._line_rows.size * n * 8 > DRAW_WEEK_BYTES:
            self._week = None
            return
        drawn = np.empty((self._line_rows.size, n))
        kernels.philox_week(self._line_keys, self._line_rows, week, drawn)
        drawn.flags.writeable = False
        self._drawn = drawn
        self._week = (week, n)

    def _key(self, name: str, row: int = 0) -> tuple[np.uint32, ...]:
        try:
            key = self._keys[name]
        except KeyError:
            raise KeyError(
                f"unknown weekly random process {name!r}; known: {WEEKLY_PROCESSES}"
            ) from None
        rows = draws_a_week(name)
        if not 0 <= row < rows:
            raise ValueError(f"weekly process {name!r} has draws 0 to {rows - 1}, not {row}")
        return key

    def uniform(self, name: str, week: int, n: int, row: int = 0) -> np.ndarray:
        """Persons ``0..n-1``'s U(0, 1) numbers of weekly process ``name``'s draw ``row`` in
        ``week`` (a process that needs two numbers a week has rows 0 and 1)."""
        k0, k1 = self._key(name, row)
        if self._week == (week, n):
            line = self._line.get((name, row))
            if line is not None:  # drawn already (draw_week)
                return self._drawn[line]
        out = np.empty(n)
        kernels.philox_uniforms(k0, k1, week, row, out)
        return out

    def uniforms(self, name: str, week: int, rows: int, n: int) -> np.ndarray:
        """``rows`` numbers per person (shape ``(rows, n)``) of weekly process ``name`` in
        ``week``: row ``r`` is the process's draw ``r`` (the same whatever ``rows`` is)."""
        out = np.empty((rows, n))
        for row in range(rows):
            out[row] = self.uniform(name, week, n, row)
        return out

    def on_demand(
        self, name: str, week: int, row: int = 0
    ) -> tuple[np.ndarray, np.uint32, np.uint32, np.uint32, np.uint32]:
        """Weekly process ``name``'s draw ``row`` in ``week`` as a kernel reads it person by
        person (:func:`~reintegration_sim.model.kernels.uniform_at`): the numbers are made
        only for the people the rule reaches, and are those :meth:`uniform` gives."""
        k0, k1 = self._key(name, row)
        return kernels.EMPTY, k0, k1, np.uint32(week), np.uint32(row)

    def mesa_seed(self) -> int:
        """A seed for Mesa's own ``Model(rng=...)`` generator (used only for agent-set shuffles)."""
        return int(replication_seed(self.root_seed, self.replication).generate_state(1)[0])
