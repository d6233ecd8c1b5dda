"""One outcome vocabulary: every measure the model reports, defined once, and one key for
each measure of a cohort at a follow-up.

A :class:`Measure` says what a quantity is (kind, key, label, unit, direction). Comparison
tables (one row per scenario, cohort, measure and follow-up), sweep and
:func:`~reintegration_sim.analysis.sensitivity.evaluate` outcomes, calibration targets and plot labels
all read these definitions. An :class:`OutcomeKey` names one measure of one cohort as text:

``COHORT.EVENT.T``
    an event outcome (``any_reoffence``, ``terror_reoffence``, ``reengagement``, ``recall``)
    ``T`` after first release: ``<number>y`` (years of 52 weeks) or ``<number>w`` (weeks);
    e.g. ``extremist.terror_reoffence.5y``, per 100 releases (Kaplan-Meier);
``COHORT.state.KEY``
    an end-of-run state (:data:`END_STATES`), e.g. ``extremist.state.disengaged``;
``COHORT.STATE.T``
    a state ``T`` (1, 3 or 5 ``y``) after each person's first release (:data:`FOLLOW_UP_STATES`:
    disengaged, deradicalised, engaged, housed, working, family_ties), e.g.
    ``extremist.engaged.3y``: the end of the run mixes people released 1 and 10 years earlier;
``COHORT.count.KEY``
    a count: ``released``, ``reoffences`` (and, in comparisons of ``all``, custody place-weeks,
    practitioner-years and mean waiting lists);
``all.cost.KEY``
    a cost over the run (comparisons only), e.g. ``all.cost.cost_total``.

``COHORT`` is ``extremist``, ``comparison`` or ``all``. :func:`parse_outcome` reads a key (with a
clear message for a bad one) and :meth:`OutcomeKey.text` writes it; the comparison table's
``key`` column holds the same text.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ..model.agents import AgencyKind
from ..model.outcomes import EVENT_OUTCOMES, FOLLOW_UP_YEARS, INDICATOR_BY_KEY, OUTCOME_BY_KEY
from ..model.population import WEEKS_PER_YEAR

__all__ = [
    "END_STATES",
    "FOLLOW_UP_STATES",
    "OUTCOME_COHORTS",
    "EndState",
    "Measure",
    "MeasureError",
    "OutcomeKey",
    "all_measures",
    "measure",
    "outcome_key",
    "parse_outcome",
]

#: cohorts an outcome key may name
OUTCOME_COHORTS = ("all", "extremist", "comparison")
_TIME = re.compile(r"^(\d+(?:\.\d+)?)([yw])$")


class MeasureError(ValueError):
    """An outcome key that cannot be read; the message is meant for the user."""


@dataclass(frozen=True)
class Measure:
    """One quantity of a comparison: what it is called and how it is counted.

    Attributes:
        kind: ``event`` (Kaplan-Meier incidence from release), ``state`` (end of the run),
            ``cost`` (EUR over the run) or ``count``.
        key: the outcome or indicator key.
        label: plain-words name.
        unit: unit of ``level`` and ``difference`` in the comparison table.
        direction: ``lower is better``, ``higher is better`` or ``neutral``.
        per_100: counted per 100 people (a detectable size in people per 100 applies).
    """

    kind: str
    key: str
    label: str
    unit: str
    direction: str
    per_100: bool = False


@dataclass(frozen=True)
class EndState:
    """An end-of-run state from a people-table column, among the released people who are
    ``among`` (``alive`` or in the ``community``) at the end, as the weekly indicator of the
    same key counts them."""

    key: str
    column: str
    among: str
    scale: float
    unit: str


PER_100_RELEASES = "per 100 releases"
PER_100_RELEASED = "per 100 released people"
INDEX_100 = "mean, 0-100 scale"

#: end-of-run states of a comparison (people-table end columns, released people only)
END_STATES: tuple[EndState, ...] = (
    EndState("disengaged", "disengaged_end", "alive", 100.0, PER_100_RELEASED),
    EndState("deradicalised", "deradicalised_end", "alive", 100.0, PER_100_RELEASED),
    EndState("engaged", "engaged_end", "alive", 100.0, PER_100_RELEASED),
    EndState("milestones", "milestones_end", "alive", 1.0, "mean count per person"),
    EndState("housed", "housed_end", "community", 100.0, PER_100_RELEASED),
    EndState("working", "working_end", "community", 100.0, PER_100_RELEASED),
    EndState("family_ties", "family_ties_end", "community", 100.0, INDEX_100),
    EndState("trust", "trust_end", "alive", 100.0, INDEX_100),
    EndState("hope", "hope_end", "alive", 100.0, INDEX_100),
    EndState("stigma", "stigma_end", "community", 100.0, INDEX_100),
)

_COST_LABELS = {
    "cost_custody": "Custody cost",
    "cost_staff": "Agency staff cost",
    "cost_interventions": "Intervention cost",
    "cost_total": "Total cost",
}
_MEASURES: dict[tuple[str, str], Measure] = {
    **{
        ("event", o.key): Measure("event", o.key, o.label, PER_100_RELEASES, o.direction, True)
        for o in EVENT_OUTCOMES
    },
    **{
        ("state", s.key): Measure(
            "state",
            s.key,
            INDICATOR_BY_KEY[s.key].label.replace(" (released people)", ""),
            s.unit,
            INDICATOR_BY_KEY[s.key].direction,
            s.unit == PER_100_RELEASED,
        )
        for s in END_STATES
    },
    **{
        ("cost", key): Measure("cost", key, label, "EUR", "lower is better")
        for key, label in _COST_LABELS.items()
    },
    ("cost", "cost_per_100_releases"): Measure(
        "cost", "cost_per_100_releases", "Cost per 100 releases", "EUR", "lower is better"
    ),
    ("cost", "cost_per_reoffence_prevented"): Measure(
        "cost",
        "cost_per_reoffence_prevented",
        "Extra cost per reoffence prevented",
        "EUR per reoffence",
        "lower is better",
    ),
    ("count", "released"): Measure("count", "released", "People released", "persons", "neutral"),
    ("count", "reoffences"): Measure(
        "count", "reoffences", "Proven reoffences (all, whole run)", "offences", "lower is better"
    ),
    ("count", "custody_weeks"): Measure(
        "count", "custody_weeks", "Custody place-weeks", "person-weeks", "neutral"
    ),
    ("count", "practitioner_years"): Measure(
        "count", "practitioner_years", "Practitioner-years", "practitioner-years", "neutral"
    ),
    **{
        ("count", f"waiting_{kind.value}"): Measure(
            "count",
            f"waiting_{kind.value}",
            f"Mean waiting list: {kind.value.replace('_', ' ')}",
            "persons, mean over the weeks",
            "lower is better",
        )
        for kind in AgencyKind
    },
}


def measure(kind: str, key: str) -> Measure:
    """The :class:`Measure` of a comparison-table row."""
    return _MEASURES[kind, key]


def all_measures() -> list[Measure]:
    """Every measure, events first (the order of the comparison table)."""
    return list(_MEASURES.values())


STATE_KEYS = {state.key: state for state in END_STATES}
#: states also measured 1, 3 and 5 years after each person's first release
#: (:data:`~reintegration_sim.model.outcomes.FOLLOW_UP_YEARS`), among those released that long
#: ago who are alive (or out of custody, as at the end); their columns are ``<key>_<years>y``
FOLLOW_UP_STATES = tuple(
    state
    for state in END_STATES
    if state.key in ("disengaged", "deradicalised", "engaged", "housed", "working", "family_ties")
)
FOLLOW_UP_STATE_KEYS = {state.key: state for state in FOLLOW_UP_STATES}
#: counts an outcome key may name outside a comparison (per replication, from the people table)
PEOPLE_COUNTS = ("released", "reoffences")


@dataclass(frozen=True)
class OutcomeKey:
    """One measure of one cohort, at a follow-up for events (``weeks``; None otherwise)."""

    cohort: str
    kind: str  # "event", "state", "count" or "cost"
    key: str  # the event, state, count or cost key
    weeks: float | None = None

    @property
    def measure(self) -> Measure:
        return _MEASURES[self.kind, self.key]

    @property
    def years(self) -> float | None:
        return None if self.weeks is None else self.weeks / WEEKS_PER_YEAR

    def text(self) -> str:
        """The key as text, e.g. ``extremist.terror_reoffence.3y``, ``extremist.engaged.3y``
        (a state 3 years after release) or ``extremist.state.engaged`` (at the end of the run)."""
        if self.weeks is not None:
            years = self.weeks / WEEKS_PER_YEAR
            when = f"{years:g}y" if years == round(years, 6) else f"{self.weeks:g}w"
            return f"{self.cohort}.{self.key}.{when}"
        return f"{self.cohort}.{self.kind}.{self.key}"

    def label(self) -> str:
        """Plain words for plots and tables, e.g. ``Terrorism reoffence, extremist, 3 y``."""
        when = "" if self.years is None else f", {self.years:g} y"
        return f"{self.measure.label}, {self.cohort}{when}"


def outcome_key(cohort: str, kind: str, key: str, years: float | None = None) -> str:
    """The text key of a comparison-table row (``years`` for events and states at a follow-up;
    None or NaN otherwise)."""
    timed = years is not None and not math.isnan(years) and kind in ("event", "state")
    weeks = float(years) * WEEKS_PER_YEAR if timed and years is not None else None
    return OutcomeKey(cohort, kind, key, weeks).text()


def parse_outcome(text: str, comparison: bool = False) -> OutcomeKey:
    """Read an outcome key; a bad one raises :class:`MeasureError` saying what is allowed.
    Costs and the counts of :data:`_MEASURES` beyond ``released`` and ``reoffences`` exist
    only in comparisons (``comparison=True``)."""
    parts = text.split(".")
    if len(parts) != 3 or parts[0] not in OUTCOME_COHORTS:
        raise MeasureError(
            f"unknown outcome '{text}'; outcomes look like 'extremist.terror_reoffence.5y', "
            "'comparison.any_reoffence.26w', 'extremist.state.disengaged' or "
            f"'all.count.reoffences'; cohorts: {', '.join(OUTCOME_COHORTS)}"
        )
    cohort, kind, what = parts
    if kind == "state":
        if what not in STATE_KEYS:
            raise MeasureError(
                f"unknown state '{what}' in outcome '{text}'; states: {', '.join(STATE_KEYS)}"
            )
        return OutcomeKey(cohort, "state", what)
    if kind in ("count", "cost"):
        allowed = [k for (kd, k) in _MEASURES if kd == kind]
        if not comparison:
            allowed = [k for k in allowed if k in PEOPLE_COUNTS]
        if what not in allowed:
            raise MeasureError(
                f"unknown {kind} '{what}' in outcome '{text}'; {kind}s: "
                + (", ".join(allowed) or "none outside a comparison")
            )
        return OutcomeKey(cohort, kind, what)
    if kind in FOLLOW_UP_STATE_KEYS:
        match = _TIME.match(what)
        years = float(match.group(1)) if match is not None and match.group(2) == "y" else None
        if years not in FOLLOW_UP_YEARS:
            shown = ", ".join(f"{y}y" for y in FOLLOW_UP_YEARS)
            raise MeasureError(
                f"outcome '{text}': a state after release is recorded at {shown} only"
            )
        assert years is not None
        return OutcomeKey(cohort, "state", kind, years * WEEKS_PER_YEAR)
    if kind in OUTCOME_BY_KEY:
        match = _TIME.match(what)
        if match is None:
            raise MeasureError(
                f"outcome '{text}': follow-up must look like '5y' (years) or '26w' (weeks)"
            )
        number, unit = float(match.group(1)), match.group(2)
        return OutcomeKey(cohort, "event", kind, number * WEEKS_PER_YEAR if unit == "y" else number)
    raise MeasureError(
        f"unknown event '{kind}' in outcome '{text}'; events: {', '.join(OUTCOME_BY_KEY)}; "
        f"states after release: {', '.join(FOLLOW_UP_STATE_KEYS)}; or 'state', 'count'"
    )
