"""Live plots and the side-by-side difference: weekly indicators of the base and the policy
run, read from each model's :class:`~reintegration_sim.model.outcomes.Recorder`.

Event counts are shown per 100 people released so far, as the reports show them; labels,
units and which direction is better come from :data:`~reintegration_sim.model.outcomes.INDICATORS`.
:func:`differences` gives "B − A" at the current week for the page's text, with the verdict of
:mod:`.verdict` over every paired replication; :class:`FocusView` draws one indicator large (the
presentation page), :class:`OutcomeView` all of them small (the advanced page). Every curve is
read up to the run's :attr:`~.run.WorkshopRun.week`, under its lock (one consistent snapshot).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import numpy as np
from matplotlib.figure import Figure

from ..model.agents import AgencyKind
from ..model.outcomes import INDICATOR_BY_KEY
from ..model.population import WEEKS_PER_YEAR
from .render import Frames
from .verdict import Verdict, judge

if TYPE_CHECKING:
    from ..model.simulation import ReintegrationModel
    from .run import WorkshopRun

__all__ = [
    "PANELS",
    "Difference",
    "FocusView",
    "OutcomeView",
    "Panel",
    "differences",
    "paired_series",
    "series",
]

BASE_COLOUR = "#757575"
POLICY_COLOUR = "#1565c0"
BETTER_COLOUR = "#2e7d32"
WORSE_COLOUR = "#c62828"
NEUTRAL_COLOUR = "#424242"
#: the colour of a verdict's words (anything else, "too early to tell" included, is neutral)
VERDICT_COLOURS = {"better": BETTER_COLOUR, "worse": WORSE_COLOUR}


Values = Callable[["ReintegrationModel", int], np.ndarray]


def _column(model: ReintegrationModel, key: str, week: int) -> np.ndarray:
    """Weeks 0 to ``week`` of one recorded indicator, all cohorts."""
    recorder = model.recorder
    j = recorder.columns.index((key, "all"))
    return recorder.values[: week + 1, j]


def _per_100_released(key: str) -> Values:
    def values(model: ReintegrationModel, week: int) -> np.ndarray:
        released = _column(model, "ever_released", week)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(released > 0, 100.0 * _column(model, key, week) / released, np.nan)

    return values


def _total(prefix: str) -> Values:
    def values(model: ReintegrationModel, week: int) -> np.ndarray:
        # an array, never sum's start 0: AgencyKind has members
        return cast(
            np.ndarray,
            sum(_column(model, f"{prefix}_{kind.value}", week) for kind in AgencyKind),
        )

    return values


def _plain(key: str) -> Values:
    def values(model: ReintegrationModel, week: int) -> np.ndarray:
        return _column(model, key, week)

    return values


@dataclass(frozen=True)
class Panel:
    """One plotted indicator: its label and unit, which way is better, how to read it."""

    key: str
    short: str
    label: str
    unit: str
    direction: str
    values: Values
    digits: int


def _panel(
    key: str,
    short: str,
    unit: str | None = None,
    digits: int = 2,
    values: Values | None = None,
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
    """The A (base) and B (policy) curves of ``panel`` from week 0 to the run's week."""
    return panel.values(run.base, run.week), panel.values(run.policy, run.week)


def paired_series(run: WorkshopRun, panel: Panel) -> tuple[np.ndarray, np.ndarray]:
    """The A and B curves of ``panel`` in every paired replication (rows; the highlighted pair
    first), from week 0 to the run's week."""
    a = np.array([panel.values(base, run.week) for base, _ in run.pairs])
    b = np.array([panel.values(policy, run.week) for _, policy in run.pairs])
    return a, b


@dataclass(frozen=True)
class Difference:
    """B (policy) minus A (base) at the current week, for one panel: in the highlighted pair
    (``base``, ``policy``) and in every paired replication (``paired``, the verdict's input)."""

    panel: Panel
    base: float
    policy: float
    paired: tuple[float, ...] = ()

    @property
    def value(self) -> float:
        return self.policy - self.base

    @property
    def judged(self) -> Verdict:
        """The verdict rule (:func:`~.verdict.judge`) on the paired differences."""
        return judge(np.array(self.paired, dtype=float), self.panel.direction)

    @property
    def verdict(self) -> str:
        """``"better"``, ``"worse"``, ``"higher"``, ``"lower"``, ``"too early to tell"``, or
        ``""`` before anyone is released."""
        if not math.isfinite(self.value):
            return ""
        return self.judged.word

    @property
    def verdict_note(self) -> str:
        """`` (better)``, `` (too early to tell)``... after a number, or nothing."""
        return f" ({self.verdict})" if self.verdict else ""

    def number(self) -> str:
        """The difference with its sign, e.g. ``"−0.8"`` (``"n/a"`` before anyone is released)."""
        if not math.isfinite(self.value):
            return "n/a"
        return f"{self.value:+.{self.panel.digits}f}".replace("-", "−")

    def text(self) -> str:
        """E.g. ``"B − A: −0.8 per 100 released"``."""
        if not math.isfinite(self.value):
            return "B − A: not yet (nobody released)"
        return f"B − A: {self.number()} {self.panel.unit}"


def difference(run: WorkshopRun, panel: Panel) -> Difference:
    """B − A of ``panel`` at the run's week, with every paired replication."""
    a, b = paired_series(run, panel)
    return Difference(
        panel, float(a[0, -1]), float(b[0, -1]), tuple((b[:, -1] - a[:, -1]).tolist())
    )


def differences(run: WorkshopRun) -> list[Difference]:
    """B − A at the current week for every panel."""
    return [difference(run, panel) for panel in PANELS]


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
            ["A (base)", "B (policy)"],
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
            diff = difference(run, panel)
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
            note = self.notes[j]
            note.set_text(f"Δ {diff.number()}{diff.verdict_note}")
            note.set_color(VERDICT_COLOURS.get(diff.verdict, NEUTRAL_COLOUR))

    def png(self) -> bytes:
        """The figure as PNG bytes."""
        return self.frames.png()


#: the focus chart's text sizes in points; at its 100 dpi a point is 100/72 px of the image, shown
#: at about 0.9 of its size in a 1400 px wide window: the smallest, 17 pt, is about 21 px there
#: (the browser test measures it and requires at least 18 px)
FOCUS_FONT = {"title": 24.0, "label": 19.0, "tick": 17.0, "legend": 19.0}
#: the focus chart's size in inches at 100 dpi (1400 x 480 px: with the controls and the
#: verdict above it, the whole chart fits a 1400 x 900 window)
FOCUS_SIZE = (14.0, 4.8)


class FocusView:
    """One indicator, large enough to read from the back of a room: above, A (grey, dashed)
    and B (blue) of the highlighted pair, each over a faint band spanning every paired
    replication; below, B − A in each paired replication (faint) and in the highlighted pair.

    Args:
        run: the runs.
        panel: the indicator shown (one of :data:`PANELS`).
    """

    def __init__(self, run: WorkshopRun, panel: Panel) -> None:
        self.panel = panel
        self.horizon = run.horizon
        self.figure = Figure(figsize=FOCUS_SIZE, dpi=100)
        self.frames = Frames(self.figure)
        top, bottom = self.figure.subplots(
            2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 2], "hspace": 0.12}
        )
        self.figure.subplots_adjust(left=0.08, right=0.985, top=0.87, bottom=0.16)
        self.top, self.bottom = top, bottom
        size = FOCUS_FONT
        self.figure.suptitle(
            f"{panel.label} ({panel.unit})", fontsize=size["title"], x=0.01, ha="left"
        )
        for ax in (top, bottom):
            ax.tick_params(labelsize=size["tick"])
            ax.grid(alpha=0.3)
        top.set_ylabel("A and B", fontsize=size["label"])
        bottom.set_ylabel("B − A", fontsize=size["label"])
        bottom.set_xlabel("week", fontsize=size["label"])
        bottom.axhline(0.0, color="black", lw=1.0)
        (self.line_a,) = top.plot([], [], color=BASE_COLOUR, lw=3.0, ls="--", label="A (base)")
        (self.line_b,) = top.plot([], [], color=POLICY_COLOUR, lw=3.5, label="B (policy)")
        (self.line_d,) = bottom.plot([], [], color=POLICY_COLOUR, lw=3.0)
        self.faint: list = []
        top.legend(loc="upper left", fontsize=size["legend"], frameon=False, ncol=2)

    def update(self, run: WorkshopRun) -> None:
        """Show weeks 0 to now (call under the run's lock)."""
        for artist in self.faint:
            artist.remove()
        self.faint = []
        weeks = np.arange(run.week + 1)
        a, b = paired_series(run, self.panel)
        d = b - a
        self.line_a.set_data(weeks, a[0])
        self.line_b.set_data(weeks, b[0])
        self.line_d.set_data(weeks, d[0])
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN weeks: nobody released
            for values, colour in ((a, BASE_COLOUR), (b, POLICY_COLOUR)):
                lowest, highest = np.nanmin(values, axis=0), np.nanmax(values, axis=0)
                self.faint.append(
                    self.top.fill_between(weeks, lowest, highest, color=colour, alpha=0.15, lw=0)
                )
        for row in d[1:]:
            self.faint.extend(self.bottom.plot(weeks, row, color=POLICY_COLOUR, lw=1.2, alpha=0.3))
        right = min(max(WEEKS_PER_YEAR, math.ceil((run.week + 1) / 26) * 26), self.horizon)
        self.bottom.set_xlim(0, right)
        for ax, values in ((self.top, np.concatenate([a, b])), (self.bottom, d)):
            finite = values[np.isfinite(values)]
            low = min(0.0, float(finite.min())) if finite.size else 0.0
            high = max(0.0, float(finite.max())) if finite.size else 1.0
            pad = 0.08 * (high - low) or 1.0
            ax.set_ylim(low - (pad if low < 0 else 0.0), high + pad)
        self.frames.invalidate()

    def png(self) -> bytes:
        """The figure as PNG bytes."""
        return self.frames.png()
