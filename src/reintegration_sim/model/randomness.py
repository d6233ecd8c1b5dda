"""Named random streams, so that paired runs differ only where a policy acts.

Every stochastic process of the model draws from its own ``numpy.random.Generator``, derived
statelessly from the scenario's root seed, the replication index and the process name::

    SeedSequence(root_seed, spawn_key=(replication, crc32(process_name)))

Person-level processes draw one uniform number per person per week, for *every* person, whether
or not that person is eligible this week. Person ``i`` in week ``t`` therefore meets the same
number in a baseline run and in a policy run with the same seed; a lever that changes who is
eligible, or how likely an event is, changes outcomes only for the people it acts on (common
random numbers, as in Starsim). Nothing here depends on the number of worker processes.
"""

from __future__ import annotations

import zlib

import numpy as np

__all__ = ["PROCESSES", "Streams", "process_spawn_key", "replication_seed"]

#: Every named stochastic process. Adding one does not change the others' numbers.
PROCESSES: tuple[str, ...] = (
    "population",  # starting attributes
    "network",  # communities and ties between people
    "placement",  # where recruiters are active (kept apart from the network)
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


def process_spawn_key(name: str) -> int:
    """The spawn-key element that names a process (stable across versions and machines)."""
    return zlib.crc32(name.encode())


def replication_seed(root_seed: int, replication: int) -> np.random.SeedSequence:
    """The seed sequence of one replication, independent of any other call."""
    return np.random.SeedSequence(root_seed, spawn_key=(replication,))


class Streams:
    """One generator per named process for one replication."""

    def __init__(self, root_seed: int, replication: int = 0) -> None:
        self.root_seed = int(root_seed)
        self.replication = int(replication)
        self._generators = {name: self._generator(name) for name in PROCESSES}

    def _generator(self, name: str) -> np.random.Generator:
        """Process ``name``'s generator: ``SeedSequence(root, spawn_key=(rep, crc32(name)))``."""
        key = (self.replication, process_spawn_key(name))
        seq = np.random.SeedSequence(self.root_seed, spawn_key=key)
        return np.random.Generator(np.random.PCG64(seq))

    def __getitem__(self, name: str) -> np.random.Generator:
        try:
            return self._generators[name]
        except KeyError:
            raise KeyError(f"unknown random process {name!r}; known: {PROCESSES}") from None

    def extra(self, name: str) -> np.random.Generator:
        """A generator for a process named at run time (an intervention's own stream), derived
        the same stateless way, so adding an intervention leaves every other stream alone."""
        if name not in self._generators:
            self._generators[name] = self._generator(name)
        return self._generators[name]

    def uniform(self, name: str, n: int) -> np.ndarray:
        """One U(0, 1) draw per person from process ``name`` (call once per week per process)."""
        return self._generators[name].random(n)

    def mesa_seed(self) -> int:
        """A seed for Mesa's own ``Model(rng=...)`` generator (used only for agent-set shuffles)."""
        return int(replication_seed(self.root_seed, self.replication).generate_state(1)[0])
