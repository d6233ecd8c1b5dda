"""The intervention base class, its delivery and the registry: policy levers as small classes with one lifecycle, found by their scenario key.

What a programme does is kept apart from who gets it, when and with what capacity (Starsim's
product/delivery split):

* an :class:`Intervention` subclass says **who is eligible** (:meth:`~Intervention.eligible`) and
  **what being served does** (:meth:`~Intervention.apply`, writing into the week's
  :class:`~reintegration_sim.model.modifiers.Modifiers` or, rarely, into state), with its paper section
  and the evidence that sets its size;
* the common fields say **how it is delivered**: ``start_week``/``end_week``, ``coverage`` (share
  of eligible people offered it; who is offered is fixed per person by the intervention's own
  random stream), ``capacity`` (places at once; beyond it people wait, longest wait first),
  and costs per case-week and per case.

A scenario file switches one on with a table named by its key::

    [interventions.gate_pickup]
    by = "exit_worker"
    coverage = 0.8

An unknown key or field is an error that lists the known ones. Register a new intervention with
:func:`register`; it then appears in scenario validation, the docs and the dashboard.

Every lever says which mechanism of the model it acts through (``mechanism``) and which
modifiers and state it writes (``writes``). The reoffending hazards themselves (the modifiers
``hazard`` and ``terror_hazard``) are written only by a lever that says why no mechanism of the
model carries its effect (``direct_hazard``); :func:`register` refuses any other, and a test
checks the modifiers each lever actually touches against ``writes``. Numbers of a lever are
declared with :func:`lever_field` (unit, plausible range, source), as register parameters are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..model.agents import Cohort, Phase
from ..model.caseload import Caseload
from ..model.modifiers import NEUTRAL
from ..parameters import param

if TYPE_CHECKING:
    from ..model.simulation import ReintegrationModel

__all__ = [
    "DIRECT_HAZARD",
    "REGISTRY",
    "Delivery",
    "Intervention",
    "cohort_mask",
    "due_for_release",
    "extremist",
    "lever_field",
    "lever_state",
    "register",
    "released_within",
    "returning",
]

REGISTRY: dict[str, type[Intervention]] = {}
#: the modifiers that multiply the reoffending hazards directly, bypassing every mechanism
DIRECT_HAZARD: frozenset[str] = frozenset({"hazard", "terror_hazard"})


def register(cls: type[Intervention]) -> type[Intervention]:
    """Class decorator: make an intervention available under ``cls.key`` in scenario files.

    Refuses a lever without a ``mechanism``, one that declares a modifier that does not exist,
    and one that writes ``hazard`` or ``terror_hazard`` without saying why (``direct_hazard``).
    """
    if cls.key in REGISTRY:
        raise ValueError(f"intervention key {cls.key!r} registered twice")
    if not getattr(cls, "mechanism", ""):
        raise ValueError(f"intervention {cls.key!r} does not say which mechanism it acts through")
    modifiers = {w for w in cls.writes if "." not in w}
    unknown = sorted(modifiers - set(NEUTRAL))
    if unknown:
        raise ValueError(f"intervention {cls.key!r} writes unknown modifiers {unknown}")
    if modifiers & DIRECT_HAZARD and not cls.direct_hazard:
        raise ValueError(
            f"intervention {cls.key!r} writes {sorted(modifiers & DIRECT_HAZARD)} without saying "
            "why no mechanism of the model carries its effect (direct_hazard)"
        )
    REGISTRY[cls.key] = cls
    return cls


def lever_field(
    default: Any,
    *,
    unit: str,
    plausible: tuple[float, float],
    source: str,
    doc: str,
    bounds: tuple[float, float] | None = None,
) -> Any:
    """A lever's number, declared as a register parameter is
    (:func:`~reintegration_sim.parameters.param`): ``unit``, ``plausible`` range (what a
    sensitivity analysis sweeps), ``source`` (an EVIDENCE entry, a section of the paper, or
    "assumption"), and hard ``bounds`` a scenario may set (default: the plausible range)."""
    return param(default, unit=unit, plausible=plausible, source=source, doc=doc, bounds=bounds)


class Intervention(BaseModel):
    """Base class. Subclasses set the class variables and implement ``eligible`` and ``apply``."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    key: ClassVar[str]
    label: ClassVar[str]
    #: section(s) of Baaken, Korn & Walkenhorst (2018) the lever comes from
    section: ClassVar[str]
    #: what sets the size of its effect: an EVIDENCE.md entry or "assumption"
    evidence: ClassVar[str]
    #: costs (EUR) used when a scenario does not set them: rough orders of magnitude
    #: (assumption), so that comparisons never treat a programme as free
    typical_cost_per_case_week: ClassVar[float] = 0.0
    typical_cost_per_case: ClassVar[float] = 0.0
    #: True where ``coverage`` is the share of communities covered (the lever then chooses them
    #: itself), so people are not also drawn one by one
    covers_communities: ClassVar[bool] = False
    #: which mechanism of the model the lever acts through: the states it moves and what they
    #: move in turn (docs/levers.md prints it)
    mechanism: ClassVar[str] = ""
    #: the modifiers (:mod:`~reintegration_sim.model.modifiers`) it writes, and any state it
    #: changes itself as ``people.NAME`` or ``communities.NAME``
    writes: ClassVar[tuple[str, ...]] = ()
    #: why the lever multiplies the reoffending hazards directly (``hazard``,
    #: ``terror_hazard``): the evidence is about reoffending itself and no mechanism of the model
    #: carries it. Empty: it may not write them
    direct_hazard: ClassVar[str] = ""

    start_week: int = Field(0, ge=0, le=5200, description="first week it runs")
    end_week: int | None = Field(
        None, ge=0, le=5200, description="last week it runs (none: to the end)"
    )
    coverage: float = Field(1.0, ge=0.0, le=1.0, description="share of eligible people offered it")
    capacity: int | None = Field(
        None, ge=0, le=10_000_000, description="places at once; beyond them people wait"
    )
    cost_per_case_week: float | None = Field(
        None,
        ge=0.0,
        le=1e6,
        description="cost (EUR) of each week a person is served (none: the lever's typical cost)",
    )
    cost_per_case: float | None = Field(
        None,
        ge=0.0,
        le=1e7,
        description="cost (EUR) of each new case (none: the lever's typical cost)",
    )

    @model_validator(mode="after")
    def _window_is_ordered(self) -> Intervention:
        if self.end_week is not None and self.end_week < self.start_week:
            raise ValueError(f"end_week ({self.end_week}) is before start_week ({self.start_week})")
        return self

    def unit_costs(self) -> tuple[float, float]:
        """(EUR per case-week, EUR per new case): the scenario's, else the lever's typical.
        Levers whose typical cost depends on their settings override this."""
        return self.unit_costs_default()

    def unit_costs_default(self) -> tuple[float, float]:
        """The scenario's costs, else the class's typical costs."""
        week = self.cost_per_case_week
        case = self.cost_per_case
        return (
            self.typical_cost_per_case_week if week is None else week,
            self.typical_cost_per_case if case is None else case,
        )

    def eligible(self, m: ReintegrationModel) -> np.ndarray:
        """Boolean mask: who could receive it this week."""
        raise NotImplementedError

    def apply(self, m: ReintegrationModel, served: np.ndarray) -> None:
        """Act for the people served this week (write modifiers or state)."""
        raise NotImplementedError

    def initialize(self, m: ReintegrationModel) -> None:
        """Once, when the model is built (after the population exists)."""

    def finalize(self, m: ReintegrationModel) -> None:
        """Once, after the last week."""


class Delivery:
    """Runtime delivery of one intervention in one model: offer, caseload, window, costs."""

    def __init__(self, m: ReintegrationModel, intervention: Intervention) -> None:
        self.intervention = intervention
        n = m.people.n
        if intervention.covers_communities:
            self.offered = np.ones(n, bool)
        else:
            u = m.streams.extra(f"intervention:{intervention.key}").random(n)
            self.offered = u < intervention.coverage
        places = n if intervention.capacity is None else intervention.capacity
        self.caseload = Caseload(n, 1, places)
        self.cost = 0.0
        self.cases = 0
        intervention.initialize(m)

    def active(self, week: int) -> bool:
        iv = self.intervention
        return iv.start_week <= week and (iv.end_week is None or week <= iv.end_week)

    def update(self, m: ReintegrationModel) -> None:
        """Fill places from the eligible people offered it, let it act, count its cost."""
        iv = self.intervention
        eligible = (
            self.offered & iv.eligible(m) if self.active(m.week) else np.zeros_like(self.offered)
        )
        self.caseload.update(eligible, m.week)
        served = self.caseload.served
        new_cases = int((self.caseload.weeks_in_service == 1).sum())
        n_served = int(served.sum())
        self.cases += new_cases
        per_week, per_case = iv.unit_costs()
        self.cost += n_served * per_week + new_cases * per_case
        if n_served:
            iv.apply(m, served)


def lever_state(m: ReintegrationModel, key: str) -> dict[str, Any]:
    """Per-model working state of one lever (interventions are frozen settings shared by many
    runs, so what a lever remembers during a run lives on the model, keyed by the lever)."""
    return m.__dict__.setdefault("lever_state", {}).setdefault(key, {})


def extremist(m: ReintegrationModel) -> np.ndarray:
    return m.people.cohort == Cohort.EXTREMIST


def cohort_mask(m: ReintegrationModel, cohort: str) -> np.ndarray:
    """Who belongs to ``cohort`` ("all", "extremist" or "comparison")."""
    if cohort == "all":
        return np.ones(m.people.n, bool)
    ext = extremist(m)
    return ext if cohort == "extremist" else ~ext


def released_within(m: ReintegrationModel, weeks: float) -> np.ndarray:
    """People out of custody whose last release was less than ``weeks`` weeks ago."""
    p = m.people
    return p.in_community() & (m.week - p.last_release_week < weeks)


def returning(m: ReintegrationModel, weeks_after_release: float) -> np.ndarray:
    """People in transition planning or released less than ``weeks_after_release`` weeks ago."""
    return (m.people.phase == Phase.TRANSITION) | released_within(m, weeks_after_release)


def due_for_release(m: ReintegrationModel) -> np.ndarray:
    p = m.people
    return p.in_custody() & (p.release_week <= m.week) & (p.release_week >= 0)
