"""Live plots and the side-by-side difference: weekly indicators of the base and the policy
run, read from each model's :class:`~reintegration_sim.model.outcomes.Recorder`.

Event counts are shown per 100 people released so far, as the reports show them; labels,
units and which direction is better come from :data:`~reintegration_sim.model.outcomes.INDICATORS`.
:func:`differences` gives "policy − base" at the current week for the page's text;
:class:`OutcomeView` draws the curves (one matplotlib figure per run, updated in place).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import numpy as np
from matplotlib.figure import Figure

from ..model.agents import AgencyKind
from ..model.outcomes import INDICATOR_BY_KEY
from ..model.population import WEEKS_PER_YEAR
from .render import Frames

if TYPE_CHECKING:
    from ..model.simulation import ReintegrationModel
    from .run import WorkshopRun

__all__ = ["PANELS", "Difference", "OutcomeView", "Panel", "differences", "series"]

BASE_COLOUR = "#757575"
POLICY_COLOUR = "#1565c0"
BETTER_COLOUR = "#2e7d32"
WORSE_COLOUR = "#c62828"
NEUTRAL_COLOUR = "#424242"


def _column(model: ReintegrationModel, key: str) -> np.ndarray:
    """Weeks 0 to now of one recorded indicator, all cohorts."""
    recorder = model.recorder
    j = recorder.columns.index((key, "all"))
    return recorder.values[: model.week + 1, j]


def _per_100_released(key: str) -> Callable[[ReintegrationModel], np.ndarray]:
    def values(model: ReintegrationModel) -> np.ndarray:
        released = _column(model, "ever_released")
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(released > 0, 100.0 * _column(model, key) / released, np.nan)

    return values


def _total(prefix: str) -> Callable[[ReintegrationModel], np.ndarray]:
    def values(model: ReintegrationModel) -> np.ndarray:
        # an array, never sum's start 0: AgencyKind has members
        return cast(
            np.ndarray, sum(_column(model, f"{prefix}_{kind.value}") for kind in AgencyKind)
        )

    return values


def _plain(key: str) -> Callable[[ReintegrationModel], np.ndarray]:
    def values(model: ReintegrationModel) -> np.ndarray:
        return _column(model, key)

    return values


@dataclass(frozen=True)
class Panel:
    """One plotted indicator: its label and unit, which way is better, how to read it."""

    key: str
    short: str
    label: str
    unit: str
    direction: str
    values: Callable[[ReintegrationModel], np.ndarray]
    digits: int


def _panel(
    key: str,
    short: str,
    unit: str | None = None,
    digits: int = 2,
    values: Callable[[ReintegrationModel], np.ndarray] | None = None,
) -> Panel:
    indicator = INDICATOR_BY_KEY[key]
    return Panel(
        key=key,
        short=short,
        label=indicator.label,
        unit=unit or indicator.unit,
        direction=indicator.direction,
        values=values or _plain(key),
        digits=digits,
    )


#: the live plots: reoffending, re-engagement, milestones, stigma and caseloads
PANELS: tuple[Panel, ...] = (
    _panel(
        "any_reoffence", "reoffending", "per 100 released", 1, _per_100_released("any_reoffence")
    ),
    _panel(
        "reengagement", "re-engagement", "per 100 released", 1, _per_100_released("reengagement")
    ),
    _panel("milestones", "milestones", digits=2),
    _panel("stigma", "stigma", digits=3),
    Panel(
        key="caseload",
        short="caseloads",
        label="Cases on practitioners' caseloads",
        unit="cases, all agencies",
        direction=INDICATOR_BY_KEY["caseload_exit"].direction,
        values=_total("caseload"),
        digits=0,
    ),
    Panel(
        key="waiting",
        short="waiting lists",
        label="Cases on waiting lists",
        unit="cases, all agencies",
        direction=INDICATOR_BY_KEY["waiting_exit"].direction,
        values=_total("waiting"),
        digits=0,
    ),
)


def series(run: WorkshopRun, panel: Panel) -> tuple[np.ndarray, np.ndarray]:
    """The base and policy curves of ``panel`` from week 0 to now."""
    return panel.values(run.base), panel.values(run.policy)


@dataclass(frozen=True)
class Difference:
    """Policy minus base at the current week, for one panel."""

    panel: Panel
    base: float
    policy: float

    @property
    def value(self) -> float:
        return self.policy - self.base

    @property
    def verdict(self) -> str:
        """``"better"``, ``"worse"``, ``"no difference"`` or ``""`` (no better direction)."""
        if not math.isfinite(self.value):
            return ""
        if round(self.value, self.panel.digits) == 0:
            return "no difference"
        if self.panel.direction == "neutral":
            return ""
        lower = self.panel.direction == "lower is better"
        return "better" if (self.value < 0) == lower else "worse"

    @property
    def verdict_note(self) -> str:
        """`` (better)``, `` (worse)``... after a number, or nothing."""
        return f" ({self.verdict})" if self.verdict else ""

    def number(self) -> str:
        """The difference with its sign, e.g. ``"−0.8"`` (``"n/a"`` before anyone is released)."""
        if not math.isfinite(self.value):
            return "n/a"
        return f"{self.value:+.{self.panel.digits}f}".replace("-", "−")

    def text(self) -> str:
        """E.g. ``"policy − base: −0.8 per 100 released"``."""
        if not math.isfinite(self.value):
            return "policy − base: not yet (nobody released)"
        return f"policy − base: {self.number()} {self.panel.unit}"


def differences(run: WorkshopRun) -> list[Difference]:
    """Policy minus base at the current week for every panel."""
    out = []
    for panel in PANELS:
        base, policy = series(run, panel)
        out.append(Difference(panel, float(base[-1]), float(policy[-1])))
    return out


def _nice_ceiling(x: float) -> float:
    """The smallest 1, 1.5, 2, 3, 5 or 7 times a power of ten at least ``x``."""
    if not x > 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(x))
    for factor in (1.0, 1.5, 2.0, 3.0, 5.0, 7.0, 10.0):
        if factor * power >= x:
            return factor * power
    return 10.0 * power


def _axis_top(high: float, current: float) -> float:
    """The top of a plot's y axis: kept while the data stay between a third of it and it, else
    a nice value with room to grow, so that the axes (and with them the whole figure, see
    :class:`~.render.Frames`) change every few weeks rather than every other week."""
    if not high > 0:
        return current if current > 0 else 1.0
    if current / 3.0 <= high <= current:
        return current
    return _nice_ceiling(high * 1.5)


class OutcomeView:
    """The live plots, base and policy on the same axes, with the difference in each."""

    def __init__(self, run: WorkshopRun) -> None:
        self.figure = Figure(figsize=(7.0, 4.6), dpi=100)
        self.figure.subplots_adjust(
            left=0.07, right=0.99, top=0.86, bottom=0.1, wspace=0.32, hspace=0.62
        )
        self.frames = Frames(self.figure)
        self.horizon = run.horizon
        axes = self.figure.subplots(2, 3).ravel()
        self.axes = axes
        self.lines = []
        self.notes = []
        for ax, panel in zip(axes, PANELS, strict=True):
            ax.set_title(f"{panel.label}\n({panel.unit})", fontsize=8)
            ax.tick_params(labelsize=7)
            ax.grid(alpha=0.3)
            base = self.frames.add(ax.plot([], [], color=BASE_COLOUR, lw=1.4, ls="--")[0])
            policy = self.frames.add(ax.plot([], [], color=POLICY_COLOUR, lw=1.8)[0])
            self.lines.append((base, policy))
            self.notes.append(
                self.frames.add(
                    ax.text(0.03, 0.96, "", transform=ax.transAxes, va="top", fontsize=7.5)
                )
            )
        for ax in axes[3:]:
            ax.set_xlabel("week", fontsize=8)
        self.figure.legend(
            [self.lines[0][0], self.lines[0][1]],
            ["base", "policy"],
            loc="upper right",
            ncol=2,
            fontsize=8,
            frameon=False,
        )
        self.heading = self.frames.add(
            self.figure.text(0.01, 0.985, "", fontsize=10, va="top", ha="left", weight="bold")
        )
        self._limits: list[tuple[float, float, float]] = [(0.0, 0.0, 0.0)] * len(PANELS)

    def update(self, run: WorkshopRun) -> None:
        """Show weeks 0 to now of both runs."""
        weeks = np.arange(run.week + 1)
        right = min(max(WEEKS_PER_YEAR, math.ceil((run.week + 1) / 26) * 26), self.horizon)
        self.heading.set_text(f"Week {run.week}")
        for j, (ax, panel) in enumerate(zip(self.axes, PANELS, strict=True)):
            base, policy = series(run, panel)
            self.lines[j][0].set_data(weeks, base)
            self.lines[j][1].set_data(weeks, policy)
            both = np.concatenate([base, policy])
            finite = both[np.isfinite(both)]
            high = float(finite.max()) if finite.size else 0.0
            low = min(0.0, float(finite.min())) if finite.size else 0.0
            top = _axis_top(high, self._limits[j][2])
            if (right, low, top) != self._limits[j]:
                ax.set_xlim(0, right)
                ax.set_ylim(low, top)
                self._limits[j] = (right, low, top)
                self.frames.invalidate()
            diff = Difference(panel, float(base[-1]), float(policy[-1]))
            note = self.notes[j]
            note.set_text(f"Δ {diff.number()}{diff.verdict_note}")
            note.set_color(
                {"better": BETTER_COLOUR, "worse": WORSE_COLOUR}.get(diff.verdict, NEUTRAL_COLOUR)
            )

    def png(self) -> bytes:
        """The figure as PNG bytes."""
        return self.frames.png()
