"""Pure functions that build the social network; each takes an explicit random generator.

People are tied to others in their home community (a configuration close to a random graph
within each community), to their family, to their community, and, through caseloads, to
practitioners. Influence between people uses a scipy sparse adjacency matrix built from the same
edge list that the networkx graph is built from.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy import special, stats

from ..parameters import Parameters, Prison
from .agents import Cohort

__all__ = [
    "Background",
    "adjacency",
    "assign_communities",
    "assign_wings",
    "build_graph",
    "peer_edges",
]


def assign_communities(
    n: int, n_communities: int, rng: np.random.Generator, size_concentration: float
) -> np.ndarray:
    """Home community of each person (communities differ in size: their shares of the
    population are a Dirichlet draw with concentration ``community.size_concentration``)."""
    weights = rng.dirichlet(np.full(n_communities, size_concentration))
    return rng.choice(n_communities, size=n, p=weights).astype(np.int32)


def peer_edges(
    community: np.ndarray, mean_degree: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Undirected ties between people of the same community, mean degree ``mean_degree``.

    Returns unique pairs ``(i, j)`` with ``i < j``.
    """
    n = community.size
    m = int(round(n * mean_degree / 2))  # each tie has two ends (structure)
    if n < 2 or m == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    order = np.argsort(community, kind="stable")
    counts = np.bincount(community, minlength=int(community.max()) + 1)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    i = rng.integers(0, n, size=m)
    c = community[i]
    j = order[starts[c] + np.floor(rng.random(m) * counts[c]).astype(np.int64)]
    keep = i != j
    a, b = np.minimum(i[keep], j[keep]), np.maximum(i[keep], j[keep])
    # the distinct pairs in increasing order, as np.unique gives them, by one sort and a mask
    # (np.unique's extra passes cost seconds at a million people)
    pairs = np.sort(a.astype(np.int64) * n + b)
    if pairs.size:
        pairs = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))]
    return pairs // n, pairs % n


def adjacency(src: np.ndarray, dst: np.ndarray, n: int) -> sp.csr_array:
    """Symmetric 0/1 adjacency matrix of the person-to-person ties."""
    data = np.ones(src.size * 2)
    rows = np.concatenate([src, dst])
    cols = np.concatenate([dst, src])
    return sp.csr_array((data, (rows, cols)), shape=(n, n))


def assign_wings(
    cohort: np.ndarray,
    ideology: np.ndarray,
    cell_order: np.ndarray,
    params: Parameters,
    female: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, int, np.ndarray]:
    """Static wing of each person, whether it is a separation wing, and the background
    prisoners of each wing.

    * dispersal: everyone spread at random over ordinary wings;
    * separation: the whole extremist cohort on separation wings;
    * mixed: the most committed ``mixed_separation_share`` of the extremist cohort on separation
      wings, the rest dispersed.

    Women (``female``) are held apart from men, on wings of their own of each kind: structure,
    not a parameter (European Prison Rules 18.8(b); Prison Rules 1999 rule 12 in England and
    Wales), so the few women of the extremist cohort meet only women, among whom terrorism
    convicts are the same ``prison.terrorism_share``.

    Wings hold ``wing_size * overcrowding`` people. Ordinary wings hold, besides the followed
    people spread over them at random, background ordinary prisoners (not simulated one by one)
    so that the dispersed extremists are ``prison.terrorism_share`` of all prisoners there;
    separation wings hold followed extremists only. Returns (wing, separated, number of wings,
    background prisoners per wing).
    """
    prison = params.prison
    ext = np.flatnonzero(cohort == Cohort.EXTREMIST)
    separated = np.zeros(cohort.size, bool)
    if prison.regime == "separation":
        separated[ext] = True
    elif prison.regime == "mixed" and ext.size:
        k = int(round(prison.mixed_separation_share * ext.size))
        most_committed = ext[np.argsort(-ideology[ext], kind="stable")[:k]]
        separated[most_committed] = True
    wing = np.zeros(cohort.size, np.int32)
    sexes = [np.ones(cohort.size, bool)] if female is None else [~female, female]
    backgrounds: list[float] = []
    for held_together in sexes:
        background = _fill_wings(
            wing, cohort, cell_order, separated, held_together, prison, first=len(backgrounds)
        )
        backgrounds.extend(background)
    return wing, separated, len(backgrounds), np.asarray(backgrounds, float)


def _fill_wings(
    wing: np.ndarray,
    cohort: np.ndarray,
    cell_order: np.ndarray,
    separated: np.ndarray,
    held_together: np.ndarray,
    prison: Prison,
    first: int,
) -> list[float]:
    """Place the people ``held_together`` on wings numbered from ``first`` (separation wings,
    then ordinary ones), writing ``wing``; returns the background prisoners of each new wing."""
    per_wing = max(1, int(round(prison.wing_size * prison.overcrowding)))
    sep = np.flatnonzero(separated & held_together)
    rest = np.flatnonzero(~separated & held_together)
    n_sep = math.ceil(sep.size / per_wing)
    # the ordinary wings' whole population: the dispersed extremists at terrorism_share of it,
    # and never fewer than the followed people there
    dispersed_ext = int(np.count_nonzero(cohort[rest] == Cohort.EXTREMIST))
    ordinary = max(rest.size, math.ceil(dispersed_ext / prison.terrorism_share))
    n_rest = math.ceil(ordinary / per_wing) if rest.size else 0
    # fill wings in a fixed random order (cell_order), so composition is random but reproducible;
    # the followed people of ordinary wings are spread evenly over them
    wing[sep[np.argsort(cell_order[sep], kind="stable")]] = first + np.arange(sep.size) // per_wing
    if rest.size:
        slots = (np.arange(rest.size) * n_rest) // rest.size
        wing[rest[np.argsort(cell_order[rest], kind="stable")]] = first + n_sep + slots
    followed = np.bincount(wing[held_together], minlength=first + n_sep + n_rest)[first:]
    background = np.zeros(n_sep + n_rest)
    background[n_sep:] = np.maximum(0, per_wing - followed[n_sep:])
    return background.tolist()


@dataclass(frozen=True)
class Background:
    """The background ordinary prisoners of each wing, described by their number and the beta
    distribution of their ideology (mean ``prison.background_ideology_mean``, concentration
    ``population.ideology_concentration``). Admissions replace releases, so they stay at
    steady state: their number and views do not change over the run."""

    count: np.ndarray
    mean: float
    #: share of them below the deradicalised threshold (holding moderating views)
    moderate_share: float
    a: float
    b: float

    @classmethod
    def of(cls, count: np.ndarray, params: Parameters) -> Background:
        from .population import beta_shape

        a, b = beta_shape(
            params.prison.background_ideology_mean, params.population.ideology_concentration
        )
        moderate = float(stats.beta.cdf(params.behaviour.deradicalised_threshold, a, b))
        return cls(count, a / (a + b), moderate, a, b)

    def focus_moment(self, power: float) -> float:
        """E[x ** power] of their ideology (how much recruiters seek out their wing)."""
        return float(special.beta(self.a + power, self.b) / special.beta(self.a, self.b))


def build_graph(edges: dict[str, tuple[np.ndarray, np.ndarray]]) -> nx.Graph:
    """A networkx graph of agent ids from named edge lists ``{kind: (ids_a, ids_b)}``.

    Each edge carries its ``kind`` (peer, family, community, organisation, recruiter, staff...).
    """
    graph: nx.Graph[int] = nx.Graph()
    for kind, (a, b) in edges.items():
        graph.add_edges_from(zip(a.tolist(), b.tolist(), strict=True), kind=kind)
    return graph
