"""The network view: the ego networks of a fixed sample of people, laid out once per run.

A population of thousands is unreadable as one hairball, so the view shows a sample of people
(40 by default) with their ties: family, a few peers, their home community and the recruiters
active there, and the practitioners whose caseload they are on this week. The layout is
computed once, with a seeded ``networkx.spring_layout``, when the run is created; practitioners
sit on an outer ring, one sector per agency. Each step only recolours the people (fill: phase;
outline: reconvicted, recalled or actively engaged), fades the family marker as ties weaken,
marks people held on a prison wing with recruiters, and redraws the practitioner ties, which
change week by week. :class:`NetworkView` keeps one matplotlib figure per run and updates its
artists in place, so a redraw is only a rasterisation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba, to_rgba_array
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..model.agents import AgencyKind, Phase
from .render import Frames

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ..model.simulation import ReintegrationModel
    from .run import WorkshopRun

__all__ = [
    "PHASE_COLOURS",
    "EgoNetwork",
    "NetworkView",
    "build_ego_network",
    "person_colours",
    "practitioner_ring",
    "same_network",
]

PHASE_COLOURS = {
    Phase.CUSTODY: "#5c6b7a",
    Phase.TRANSITION: "#90caf9",
    Phase.RELEASE_DAY: "#fdd835",
    Phase.LICENCE: "#66bb6a",
    Phase.AFTER_LICENCE: "#1b5e20",
    Phase.DEAD: "#e0e0e0",
}
PHASE_LABELS = {
    Phase.CUSTODY: "in custody",
    Phase.TRANSITION: "transition planning",
    Phase.RELEASE_DAY: "release week",
    Phase.LICENCE: "released, on licence",
    Phase.AFTER_LICENCE: "released, licence over",
    Phase.DEAD: "died",
}
#: outline colours of a person's state (the first that applies)
STATE_COLOURS = {
    "reconvicted since release": "#d50000",
    "recalled (in custody)": "#ff6d00",
    "actively engaged with a group": "#6a1b9a",
}
FAMILY_COLOUR = "#f06292"
COMMUNITY_COLOUR = "#bcaaa4"
RECRUITER_COLOUR = "#b71c1c"
PRACTITIONER_COLOUR = "#00897b"
AGENCY_SHORT = {
    AgencyKind.PRISON: "prison",
    AgencyKind.PROBATION: "probation",
    AgencyKind.EXIT: "exit NGO",
    AgencyKind.POLICE: "police",
    AgencyKind.EMPLOYMENT: "employment",
    AgencyKind.HOUSING: "housing",
    AgencyKind.MENTAL_HEALTH: "mental health",
    AgencyKind.RELIGIOUS: "religious",
}
_RING = 1.3  # radius of the practitioners' ring (the spring layout fills about [-1, 1])
_PHASE_RGBA = np.array([to_rgba(PHASE_COLOURS[ph]) for ph in Phase])
_NO_OUTLINE = (0.0, 0.0, 0.0, 0.0)


@dataclass
class EgoNetwork:
    """What the view shows of one model and where (positions fixed for the run).

    Attributes:
        egos: the sampled people.
        peers: people tied to an ego and shown with them (smaller).
        person_xy: positions of ``egos`` then ``peers``.
        family_xy: position of each ego's family.
        communities: the communities shown; ``community_xy`` their positions.
        recruiter_xy: positions of the community recruiters active in those communities.
        practitioner_xy: by agency, one position per practitioner (the outer ring).
        static_edges: segments by kind (peer, family, community, recruiter) that never move.
    """

    egos: np.ndarray
    peers: np.ndarray
    person_xy: np.ndarray
    family_xy: np.ndarray
    communities: np.ndarray
    community_xy: np.ndarray
    recruiter_xy: np.ndarray
    practitioner_xy: dict[AgencyKind, np.ndarray]
    static_edges: dict[str, np.ndarray]

    @property
    def people(self) -> np.ndarray:
        """Everyone drawn as a person: egos then peers."""
        return np.concatenate([self.egos, self.peers])


def build_ego_network(
    model: ReintegrationModel, egos: np.ndarray, seed: int, peers_per_ego: int = 2
) -> EgoNetwork:
    """Choose what to show around ``egos`` and lay it out (once; seeded, so the same settings
    always give the same picture)."""
    rng = np.random.default_rng([seed, 7])
    egos = np.asarray(egos, dtype=np.int64)
    ego_set = set(egos.tolist())
    peers: list[int] = []
    peer_edges: list[tuple[int, int]] = []
    adjacency = model.adjacency
    for i in egos.tolist():
        row = adjacency.indices[adjacency.indptr[i] : adjacency.indptr[i + 1]].tolist()
        peer_edges += [(i, j) for j in row if j in ego_set and j > i]
        others = np.array([j for j in row if j not in ego_set], dtype=np.int64)
        if others.size:
            pick = rng.choice(others, size=min(peers_per_ego, others.size), replace=False)
            for j in sorted(pick.tolist()):
                if j not in peers:
                    peers.append(j)
                peer_edges.append((i, j))
    peer_array = np.array(sorted(peers), dtype=np.int64)

    p = model.people
    shown = np.concatenate([egos, peer_array])
    communities = np.unique(p.community[shown])
    recruiters = [
        r for r in model.recruiters if r.setting == "community" and r.community in communities
    ]

    graph: nx.Graph[tuple[str, int]] = nx.Graph()
    graph.add_nodes_from(("p", int(i)) for i in shown)
    graph.add_edges_from((("p", i), ("p", j)) for i, j in peer_edges)
    graph.add_edges_from((("p", int(i)), ("f", int(i))) for i in egos)
    graph.add_edges_from((("p", int(i)), ("c", int(p.community[i]))) for i in shown)
    graph.add_edges_from((("r", k), ("c", r.community)) for k, r in enumerate(recruiters))
    # a longer spring than networkx's default spreads each community's cluster out
    spread = 2.0 / np.sqrt(max(graph.number_of_nodes(), 1))
    layout = nx.spring_layout(graph, k=spread, seed=int(seed) % (2**32), iterations=80)

    def xy(nodes: list[tuple]) -> np.ndarray:
        return np.array([layout[node] for node in nodes], dtype=float).reshape(-1, 2)

    person_xy = xy([("p", int(i)) for i in shown])
    family_xy = xy([("f", int(i)) for i in egos])
    community_xy = xy([("c", int(c)) for c in communities])
    recruiter_xy = xy([("r", k) for k in range(len(recruiters))])
    where = {int(i): person_xy[j] for j, i in enumerate(shown)}
    community_at = {int(c): community_xy[j] for j, c in enumerate(communities)}
    static = {
        "peer": np.array([(where[i], where[j]) for i, j in peer_edges]).reshape(-1, 2, 2),
        "family": np.stack([person_xy[: egos.size], family_xy], axis=1).reshape(-1, 2, 2),
        "community": np.array(
            [(where[int(i)], community_at[int(p.community[i])]) for i in shown]
        ).reshape(-1, 2, 2),
        "recruiter": np.array(
            [(recruiter_xy[k], community_at[r.community]) for k, r in enumerate(recruiters)]
        ).reshape(-1, 2, 2),
    }
    return EgoNetwork(
        egos=egos,
        peers=peer_array,
        person_xy=person_xy,
        family_xy=family_xy,
        communities=communities,
        community_xy=community_xy,
        recruiter_xy=recruiter_xy,
        practitioner_xy=practitioner_ring(model),
        static_edges=static,
    )


def practitioner_ring(model: ReintegrationModel) -> dict[AgencyKind, np.ndarray]:
    """Positions of every practitioner on the outer ring, one sector per agency."""
    ring: dict[AgencyKind, np.ndarray] = {}
    kinds = list(model.agencies)
    sector = 2 * np.pi / len(kinds)
    for s, kind in enumerate(kinds):
        n_staff = len(model.agencies[kind].practitioners)
        angles = s * sector + sector * (0.1 + 0.8 * (np.arange(n_staff) + 0.5) / max(n_staff, 1))
        ring[kind] = _RING * np.column_stack([np.cos(angles), np.sin(angles)])
    return ring


def same_network(a: ReintegrationModel, b: ReintegrationModel) -> bool:
    """Whether two runs have the same people in the same communities, with the same ties and
    community recruiters (then one layout serves both)."""

    def recruiters(m: ReintegrationModel) -> list[int]:
        return [r.community for r in m.recruiters if r.setting == "community"]

    return (
        a.people.n == b.people.n
        and np.array_equal(a.people.community, b.people.community)
        and all(np.array_equal(x, y) for x, y in zip(a.peer_ties, b.peer_ties, strict=True))
        and recruiters(a) == recruiters(b)
    )


def person_colours(model: ReintegrationModel, people: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fill (phase) and outline (state; transparent when none applies) of each person, RGBA."""
    p = model.people
    fill = _PHASE_RGBA[p.phase[people]]
    outline = np.tile(np.array(_NO_OUTLINE), (people.size, 1))
    engaged = p.group_ties[people] > model.params.behaviour.engaged_threshold
    recalled = p.on_recall[people]
    reconvicted = p.reoffence_week[people] >= 0
    # later assignments win: reconvicted over recalled over engaged
    for mask, key in (
        (engaged, "actively engaged with a group"),
        (recalled, "recalled (in custody)"),
        (reconvicted, "reconvicted since release"),
    ):
        outline[mask] = to_rgba(STATE_COLOURS[key])
    return fill, outline


def _legend_handles() -> list[Line2D]:
    def marker(label: str, shape: str, face: str, edge: str = "none", size: float = 7) -> Line2D:
        return Line2D(
            [],
            [],
            linestyle="none",
            marker=shape,
            markersize=size,
            markerfacecolor=face,
            markeredgecolor=edge,
            markeredgewidth=2 if edge != "none" else 0,
            label=label,
        )

    handles = [marker(f"person: {PHASE_LABELS[ph]}", "o", c) for ph, c in PHASE_COLOURS.items()]
    handles += [marker(f"outline: {label}", "o", "white", c) for label, c in STATE_COLOURS.items()]
    handles += [
        marker("family (fades as ties weaken)", "D", FAMILY_COLOUR, size=5),
        marker("community", "s", COMMUNITY_COLOUR, "#6d4c41"),
        marker("recruiter (small ▲: on their wing)", "^", RECRUITER_COLOUR),
        marker("practitioner (this week's cases)", "P", PRACTITIONER_COLOUR),
    ]
    return handles


class _Panel:
    """The artists of one run's half of the figure."""

    def __init__(self, ax: Axes, net: EgoNetwork, frames: Frames) -> None:
        self.net = net
        self.ax = ax
        ax.set_axis_off()
        ax.set_xlim(-_RING - 0.65, _RING + 0.45)
        ax.set_ylim(-_RING - 0.12, _RING + 0.12)
        ax.set_aspect("equal")
        # the title holds the scenario's title (user text): drawn as typed, never as TeX
        self.title = frames.add(ax.set_title("", fontsize=11, parse_math=False))
        styles = {
            "community": ("#d7ccc8", 0.6, "solid"),
            "peer": ("#9e9e9e", 0.8, "solid"),
            "family": (FAMILY_COLOUR, 1.2, "solid"),
            "recruiter": (RECRUITER_COLOUR, 0.9, "dashed"),
        }
        for kind, (colour, width, style) in styles.items():
            segments = net.static_edges[kind]
            if len(segments):
                # matplotlib's stubs take segments and colours as sequences, not the arrays
                # matplotlib takes as well (the ignores in this class)
                ax.add_collection(
                    LineCollection(
                        segments,  # type: ignore[arg-type]
                        colors=colour,
                        linewidths=width,
                        linestyles=style,
                        zorder=1,
                    )
                )
        self.ties = LineCollection(
            [], colors=PRACTITIONER_COLOUR, linewidths=0.5, alpha=0.45, zorder=1
        )
        frames.add(ax.add_collection(self.ties))
        self.staff = frames.add(
            ax.scatter([], [], s=26, marker="P", c=PRACTITIONER_COLOUR, zorder=3)
        )
        for kind, xy in net.practitioner_xy.items():
            if len(xy):
                x, y = xy[len(xy) // 2] * 1.07
                ax.text(
                    x, y, AGENCY_SHORT[kind], fontsize=7.5, color="#00695c", va="center",
                    ha="left" if x > 0.2 else ("right" if x < -0.2 else "center"),
                )  # fmt: skip
        ax.scatter(
            net.community_xy[:, 0], net.community_xy[:, 1], s=110, marker="s",
            c=COMMUNITY_COLOUR, edgecolors="#6d4c41", linewidths=0.6, zorder=2,
        )  # fmt: skip
        if len(net.recruiter_xy):
            ax.scatter(
                net.recruiter_xy[:, 0], net.recruiter_xy[:, 1], s=40, marker="^",
                c=RECRUITER_COLOUR, zorder=3,
            )  # fmt: skip
        self.family = frames.add(
            ax.scatter(net.family_xy[:, 0], net.family_xy[:, 1], s=24, marker="D", c=FAMILY_COLOUR)
        )
        n_people = net.egos.size + net.peers.size
        sizes = np.where(np.arange(n_people) < net.egos.size, 70.0, 22.0)
        self.people = frames.add(
            ax.scatter(net.person_xy[:, 0], net.person_xy[:, 1], s=sizes, c="w", linewidths=2.0)
        )
        self.wing_recruiters = frames.add(ax.scatter([], [], s=14, marker="^", c=RECRUITER_COLOUR))

    def update(self, model: ReintegrationModel, title: str) -> None:
        net, p = self.net, model.people
        self.title.set_text(title)
        fill, outline = person_colours(model, net.people)
        self.people.set_facecolor(fill)  # type: ignore[arg-type]
        self.people.set_edgecolor(outline)  # type: ignore[arg-type]
        family = to_rgba_array([FAMILY_COLOUR] * net.egos.size)
        family[:, 3] = 0.2 + 0.8 * np.clip(p.family_ties[net.egos], 0.0, 1.0)
        self.family.set_facecolor(family)  # type: ignore[arg-type]
        on_wing = p.in_custody()[net.egos] & (model.prison_recruiters[p.wing[net.egos]] > 0)
        self.wing_recruiters.set_offsets(net.person_xy[: net.egos.size][on_wing] + [0.05, 0.06])
        segments, staff = [], []
        ego_xy = net.person_xy[: net.egos.size]
        for kind, xy in net.practitioner_xy.items():
            slots = model.caseloads[kind].assigned[net.egos]
            served = slots >= 0
            if served.any():
                segments.append(np.stack([ego_xy[served], xy[slots[served]]], axis=1))
                staff.append(xy[np.unique(slots[served])])
        self.ties.set_segments(np.concatenate(segments) if segments else [])  # type: ignore[arg-type]
        self.staff.set_offsets(np.concatenate(staff) if staff else np.zeros((0, 2)))


class NetworkView:
    """One run's network (``which``: ``"base"`` or ``"policy"``); the two views of a run share
    the layout, so the same people stand in the same places. One figure, updated in place."""

    def __init__(self, run: WorkshopRun, which: str, legend: bool = True) -> None:
        if which not in ("base", "policy"):
            raise ValueError(f"which must be 'base' or 'policy', got {which!r}")
        self.which = which
        self.legend = legend
        if legend:
            self.figure = Figure(figsize=(7.2, 4.3), dpi=100)
            self.figure.subplots_adjust(left=0.0, right=0.64, top=0.93, bottom=0.0)
        else:  # the presentation page: a square picture, the key in the page's own large text
            self.figure = Figure(figsize=(6.0, 5.6), dpi=100)
            self.figure.subplots_adjust(left=0.0, right=1.0, top=0.93, bottom=0.0)
        self.frames = Frames(self.figure)
        net = run.base_net if which == "base" else run.policy_net
        self.panel = _Panel(self.figure.add_subplot(), net, self.frames)
        if not legend:
            self.panel.title.set_fontsize(18)
        if legend:
            self.figure.legend(
                handles=_legend_handles(), loc="center right", ncol=1, fontsize=7.5,
                frameon=False, handletextpad=0.3, borderaxespad=0.2,
            )  # fmt: skip

    def update(self, run: WorkshopRun) -> None:
        """Show the current week."""
        if not self.legend:  # the presentation page names the runs A and B
            model = run.base if self.which == "base" else run.policy
            self.panel.update(model, f"{'A' if self.which == 'base' else 'B'}, week {run.week}")
        elif self.which == "base":
            self.panel.update(run.base, f"Base: {run.base_scenario.label}, week {run.week}")
        else:
            self.panel.update(run.policy, f"Policy: {run.policy_name}, week {run.week}")

    def png(self) -> bytes:
        """The figure as PNG bytes."""
        return self.frames.png()
