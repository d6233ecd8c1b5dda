"""Pure functions that build the social network; each takes an explicit random generator.

People are tied to others in their home community (a configuration close to a random graph
within each community), to their family, to their community, and, through caseloads, to
practitioners. Influence between people uses a scipy sparse adjacency matrix built from the same
edge list that the networkx graph is built from.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import scipy.sparse as sp

from ..parameters import Parameters
from .agents import Cohort

__all__ = ["assign_communities", "assign_wings", "peer_edges", "adjacency", "build_graph"]


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
    pairs = np.unique(a.astype(np.int64) * n + b)
    return pairs // n, pairs % n


def adjacency(src: np.ndarray, dst: np.ndarray, n: int) -> sp.csr_array:
    """Symmetric 0/1 adjacency matrix of the person-to-person ties."""
    data = np.ones(src.size * 2)
    rows = np.concatenate([src, dst])
    cols = np.concatenate([dst, src])
    return sp.csr_array((data, (rows, cols)), shape=(n, n))


def assign_wings(
    cohort: np.ndarray, ideology: np.ndarray, cell_order: np.ndarray, params: Parameters
) -> tuple[np.ndarray, np.ndarray, int]:
    """Static wing of each person and whether it is a separation wing.

    * dispersal: everyone spread at random over ordinary wings;
    * separation: the whole extremist cohort on separation wings;
    * mixed: the most committed ``mixed_separation_share`` of the extremist cohort on separation
      wings, the rest dispersed.

    Wings hold ``wing_size * overcrowding`` people. Returns (wing, separated, number of wings).
    """
    prison = params.prison
    per_wing = max(1, int(round(prison.wing_size * prison.overcrowding)))
    ext = np.flatnonzero(cohort == Cohort.EXTREMIST)
    separated = np.zeros(cohort.size, bool)
    if prison.regime == "separation":
        separated[ext] = True
    elif prison.regime == "mixed" and ext.size:
        k = int(round(prison.mixed_separation_share * ext.size))
        most_committed = ext[np.argsort(-ideology[ext], kind="stable")[:k]]
        separated[most_committed] = True
    wing = np.zeros(cohort.size, np.int32)
    sep = np.flatnonzero(separated)
    rest = np.flatnonzero(~separated)
    n_sep = math.ceil(sep.size / per_wing)
    n_rest = math.ceil(rest.size / per_wing)
    # fill wings in a fixed random order (cell_order), so composition is random but reproducible
    wing[sep[np.argsort(cell_order[sep], kind="stable")]] = np.arange(sep.size) // per_wing
    wing[rest[np.argsort(cell_order[rest], kind="stable")]] = n_sep + (
        np.arange(rest.size) // per_wing
    )
    return wing, separated, n_sep + n_rest


def build_graph(edges: dict[str, tuple[np.ndarray, np.ndarray]]) -> nx.Graph:
    """A networkx graph of agent ids from named edge lists ``{kind: (ids_a, ids_b)}``.

    Each edge carries its ``kind`` (peer, family, community, organisation, recruiter, staff...).
    """
    graph: nx.Graph[int] = nx.Graph()
    for kind, (a, b) in edges.items():
        graph.add_edges_from(zip(a.tolist(), b.tolist(), strict=True), kind=kind)
    return graph
