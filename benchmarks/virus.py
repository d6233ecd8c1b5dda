"""Mesa's bundled virus example on a seeded graph: the reference for agent-step throughput.

:class:`SeededVirusOnNetwork` is ``mesa.examples.basic.virus_on_network.model.VirusOnNetwork``
with its agents (``VirusAgent``, ``State``), its step (``self.agents.shuffle_do("step")``) and
its data collector, unchanged. Only the graph differs: the example calls
``nx.erdos_renyi_graph(n, p)`` without a seed (quadratic in ``n`` and not reproducible); here it is
``nx.fast_gnp_random_graph(n, avg_node_degree / (n - 1), seed=graph_seed)``, and the
``Network`` is built with ``layout=None`` so that no spring layout is computed (nothing is drawn).
"""

from __future__ import annotations

import mesa
import networkx as nx
from mesa import Model
from mesa.discrete_space import CellCollection, Network
from mesa.examples.basic.virus_on_network.agents import State, VirusAgent
from mesa.examples.basic.virus_on_network.model import (
    VirusOnNetwork,
    number_infected,
    number_resistant,
    number_susceptible,
)

__all__ = ["SeededVirusOnNetwork", "State"]


class SeededVirusOnNetwork(VirusOnNetwork):
    """The example model; ``__init__`` repeats the example's line for line except the graph."""

    def __init__(
        self,
        num_nodes: int = 10,
        avg_node_degree: float = 3,
        initial_outbreak_size: int = 1,
        virus_spread_chance: float = 0.4,
        virus_check_frequency: float = 0.4,
        recovery_chance: float = 0.3,
        gain_resistance_chance: float = 0.5,
        rng: int | None = None,
        graph_seed: int = 0,
    ) -> None:
        Model.__init__(self, rng=rng)  # what VirusOnNetwork.__init__ calls via super()
        # the only change: a seeded, linear-time G(n, p) graph and no layout
        prob = avg_node_degree / (num_nodes - 1)
        graph = nx.fast_gnp_random_graph(n=num_nodes, p=prob, seed=graph_seed)
        self.grid = Network(graph, capacity=1, random=self.random, layout=None)

        self.initial_outbreak_size = (
            initial_outbreak_size if initial_outbreak_size <= num_nodes else num_nodes
        )

        self.datacollector = mesa.DataCollector(
            {
                "Infected": number_infected,
                "Susceptible": number_susceptible,
                "Resistant": number_resistant,
                "R over S": self.resistant_susceptible_ratio,
            }
        )

        VirusAgent.create_agents(
            self,
            num_nodes,
            State.SUSCEPTIBLE,
            virus_spread_chance,
            virus_check_frequency,
            recovery_chance,
            gain_resistance_chance,
            list(self.grid.all_cells),
        )

        infected_nodes = CellCollection(
            self.random.sample(list(self.grid.all_cells), self.initial_outbreak_size),
            random=self.random,
        )
        for a in infected_nodes.agents:
            a.state = State.INFECTED

        self.running = True
        self.datacollector.collect(self)

    # step() and resistant_susceptible_ratio() are inherited from VirusOnNetwork unchanged
