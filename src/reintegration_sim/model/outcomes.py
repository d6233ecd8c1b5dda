"""Observation: every outcome and indicator defined once (label, unit, direction).

Tables, summaries and plots all read these definitions. Two kinds:

* **event outcomes** (:data:`EVENT_OUTCOMES`): the week of a person's first event after their
  first release; analysed as time from release with Kaplan-Meier curves, censored at death or
  at the horizon;
* **weekly indicators** (:data:`INDICATORS`): the state of the population each week, for all
  people and per cohort, plus agency caseloads and costs; written to ``timeseries.parquet``.

Costs (:data:`COST_INDICATORS`) are observed, never simulated: each week the custody places in
use cost ``costs.custody_place_week`` each (a place on a separation wing
``costs.separation_place_week`` more), every practitioner employed costs a 52nd of their
agency's yearly cost (``costs.<kind>_year``, :data:`STAFF_COST_PARAMETER`), and interventions add
what their delivery counted (:class:`~reintegration_sim.interventions.Delivery`). Week 0 is the
state at the start and costs nothing; the cost of a run is the sum over weeks 1 to the horizon.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from . import kernels
from .agents import AgencyKind, Cohort, Gate, Milestone, Phase
from .population import WEEKS_PER_YEAR

if TYPE_CHECKING:
    from .simulation import ReintegrationModel

__all__ = [
    "COST_INDICATORS",
    "FOLLOW_UP_FIELDS",
    "FOLLOW_UP_YEARS",
    "RELEASE_FIELDS",
    "EVENT_OUTCOMES",
    "INDICATORS",
    "COHORTS",
    "STAFF_COST_PARAMETER",
    "EventOutcome",
    "Indicator",
    "Recorder",
    "people_table",
]

Direction = Literal["lower is better", "higher is better", "neutral"]
#: years after each person's first release at which their state is recorded (the people
#: table's ``<field>_<years>y`` columns)
FOLLOW_UP_YEARS: tuple[int, ...] = (1, 3, 5)
#: what is recorded then: whether alive and out of custody, and the states that the end-of-run
#: outcomes report
FOLLOW_UP_FIELDS: tuple[str, ...] = (
    "alive",
    "community",
    "ideology",
    "group_ties",
    "deradicalised",
    "disengaged",
    "engaged",
    "housed",
    "working",
    "family_ties",
)
#: what is recorded in the week of each person's first release (the people table's
#: ``<field>_release`` columns), the states that studies of released prisoners measure at release
RELEASE_FIELDS: tuple[str, ...] = ("housed", "working")
COHORTS = ("all", "extremist", "comparison")


@dataclass(frozen=True)
class EventOutcome:
    key: str
    label: str
    column: str  # week column in people.parquet
    direction: Direction
    definition: str
    unit: str = "share of released people"


EVENT_OUTCOMES: tuple[EventOutcome, ...] = (
    EventOutcome(
        "any_reoffence",
        "Any proven reoffence",
        "reoffence_week",
        "lower is better",
        "first proven reoffence (any offence, terrorism included) after release",
    ),
    EventOutcome(
        "terror_reoffence",
        "Terrorism reoffence",
        "terror_week",
        "lower is better",
        "first terrorism offence after release",
    ),
    EventOutcome(
        "true_reengagement",
        "Re-engagement (true, detected or not)",
        "engaged_week",
        "lower is better",
        "first week after release in which the person is actively engaged with an extremist "
        "group (group ties above behaviour.engaged_threshold), whether or not any agency "
        "knows; the model sees what agencies cannot",
    ),
    EventOutcome(
        "reengagement",
        "Re-engagement detected by agencies",
        "reengagement_week",
        "neutral",
        "active re-engagement with an extremist group documented by the security services, "
        "before any terrorism conviction; better detection raises it while true re-engagement "
        "stays the same or falls, so it is not labelled better or worse (compare 'Re-engagement "
        "(true, detected or not)')",
    ),
    EventOutcome(
        "recall",
        "Recall",
        "recall_week",
        "neutral",
        "first recall to custody for a breach of licence conditions; closer supervision finds "
        "more breaches, so more recalls are not labelled better or worse",
    ),
)


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    unit: str
    direction: Direction
    per_cohort: bool = True


INDICATORS: tuple[Indicator, ...] = (
    Indicator("in_custody", "In custody", "persons", "neutral"),
    Indicator("in_transition", "In transition planning", "persons", "neutral"),
    Indicator("released_this_week", "Released this week", "persons", "neutral"),
    Indicator("on_licence", "On licence", "persons", "neutral"),
    Indicator("after_licence", "Released, licence over", "persons", "neutral"),
    Indicator("dead", "Died", "persons", "neutral"),
    Indicator("ever_released", "Released at least once", "persons", "neutral"),
    Indicator("any_reoffence", "Reoffended since release", "persons", "lower is better"),
    Indicator(
        "terror_reoffence", "Terrorism reoffence since release", "persons", "lower is better"
    ),
    # documented re-engagement and recall also rise when detection improves: no better direction
    Indicator("reengagement", "Re-engagement documented", "persons", "neutral"),
    Indicator("recall", "Recalled at least once", "persons", "neutral"),
    Indicator("housed", "Housed (released people)", "share", "higher is better"),
    Indicator("working", "In work or education (released people)", "share", "higher is better"),
    Indicator("family_ties", "Family ties (released people)", "index 0-1", "higher is better"),
    Indicator("trust", "Trust in practitioners", "index 0-1", "higher is better"),
    Indicator("hope", "Hope", "index 0-1", "higher is better"),
    Indicator("stigma", "Stigma met (released people)", "index 0-1", "lower is better"),
    Indicator("milestones", "Milestones reached", "count per person", "higher is better"),
    Indicator("ideology", "Ideological commitment", "index 0-1", "lower is better"),
    Indicator("group_ties", "Ties to an extremist group", "index 0-1", "lower is better"),
    Indicator("deradicalised", "Deradicalised (belief)", "share", "higher is better"),
    Indicator("disengaged", "Disengaged (behaviour)", "share", "higher is better"),
    Indicator("engaged", "Actively engaged with a group", "share", "lower is better"),
    Indicator("community_prejudice", "Community prejudice", "index 0-1", "lower is better", False),
    Indicator(
        "recruiter_successes", "Recruiter successes", "count, cumulative", "lower is better", False
    ),
    Indicator(
        "gate_pickups", "Gate pick-ups by recruiters", "count, cumulative", "lower is better", False
    ),
    *(
        Indicator(f"caseload_{k.value}", f"Caseload: {k.value}", "persons", "neutral", False)
        for k in AgencyKind
    ),
    *(
        Indicator(
            f"waiting_{k.value}", f"Waiting list: {k.value}", "persons", "lower is better", False
        )
        for k in AgencyKind
    ),
    *(
        Indicator(f"capacity_{k.value}", f"Capacity: {k.value}", "persons", "neutral", False)
        for k in AgencyKind
    ),
    Indicator("practitioners", "Practitioners employed", "persons", "neutral", False),
    Indicator("cost_custody", "Custody cost", "EUR / week", "lower is better", False),
    Indicator("cost_staff", "Agency staff cost", "EUR / week", "lower is better", False),
    Indicator("cost_interventions", "Intervention cost", "EUR / week", "lower is better", False),
    Indicator("cost_total", "Total cost", "EUR / week", "lower is better", False),
    Indicator("cost_cumulative", "Total cost since the start", "EUR", "lower is better", False),
)

#: the cost indicators, in the order :class:`Recorder` fills them
COST_INDICATORS: tuple[str, ...] = (
    "cost_custody",
    "cost_staff",
    "cost_interventions",
    "cost_total",
    "cost_cumulative",
)
#: the yearly cost of a practitioner of each agency: a parameter name in ``costs``
STAFF_COST_PARAMETER: dict[AgencyKind, str] = {
    AgencyKind.PRISON: "prison_key_worker_year",
    AgencyKind.PROBATION: "probation_officer_year",
    AgencyKind.EXIT: "exit_worker_year",
    AgencyKind.POLICE: "police_officer_year",
    AgencyKind.EMPLOYMENT: "employment_worker_year",
    AgencyKind.HOUSING: "housing_worker_year",
    AgencyKind.MENTAL_HEALTH: "mental_health_worker_year",
    AgencyKind.RELIGIOUS: "religious_counsellor_year",
}

INDICATOR_BY_KEY = {i.key: i for i in INDICATORS}
OUTCOME_BY_KEY = {o.key: o for o in EVENT_OUTCOMES}


def _mean(values: np.ndarray, mask: np.ndarray) -> float:
    n = int(mask.sum())
    return float(values[mask].sum() / n) if n else float("nan")


def _cohort_values(m: ReintegrationModel, mask: np.ndarray) -> dict[str, float]:
    """Per-cohort indicators over the people in ``mask``."""
    p, beh = m.people, m.params.behaviour
    alive = mask & p.alive()
    community = mask & p.in_community()
    released = mask & (p.first_release_week >= 0)
    return {
        "in_custody": float((mask & p.in_custody()).sum()),
        "in_transition": float((mask & (p.phase == Phase.TRANSITION)).sum()),
        "released_this_week": float((mask & (p.phase == Phase.RELEASE_DAY)).sum()),
        "on_licence": float((mask & (p.phase == Phase.LICENCE)).sum()),
        "after_licence": float((mask & (p.phase == Phase.AFTER_LICENCE)).sum()),
        "dead": float((mask & (p.phase == Phase.DEAD)).sum()),
        "ever_released": float(released.sum()),
        "any_reoffence": float((mask & (p.reoffence_week >= 0)).sum()),
        "terror_reoffence": float((mask & (p.terror_week >= 0)).sum()),
        "reengagement": float((mask & (p.reengagement_week >= 0)).sum()),
        "recall": float((mask & (p.recall_week >= 0)).sum()),
        "housed": _mean(p.housed, community),
        "working": _mean(p.working, community),
        "family_ties": _mean(p.family_ties, community),
        "trust": _mean(p.trust, alive),
        "hope": _mean(p.hope, alive),
        "stigma": _mean(p.stigma, community),
        "milestones": _mean(_MILESTONE_COUNT[p.milestones], alive),
        "ideology": _mean(p.ideology, alive),
        "group_ties": _mean(p.group_ties, alive),
        "deradicalised": _mean(p.ideology < beh.deradicalised_threshold, alive),
        "disengaged": _mean(p.group_ties < beh.disengaged_threshold, alive),
        "engaged": _mean(p.group_ties > beh.engaged_threshold, alive),
    }


_MILESTONE_COUNT = np.array([bin(i).count("1") for i in range(1 << len(Milestone))], np.int8)


class Recorder:
    """Collects the weekly indicators into one array; ``frame()`` makes the tidy table.

    ``record`` gives the values that :func:`_cohort_values` defines, computed in one compiled
    pass over people (:func:`~reintegration_sim.model.kernels.record_people`): each person's
    conditions (alive, in the community, each phase...) are evaluated once and counted for
    everyone and for their cohort; a mean adds exactly the elements that ``values[mask]``
    holds, in person order (a cohort's sum, then everyone's as the cohorts' sums added), so
    counts equal :func:`_cohort_values` exactly and means to rounding (numpy adds pairwise;
    tests/test_outcomes.py allows a relative 1e-12).
    """

    def __init__(self, model: ReintegrationModel, indicators: bool = True) -> None:
        #: False: only what the people table needs is recorded (weeks in custody, the states
        #: at and after release); the weekly indicators stay NaN (``frame`` has no values)
        self.indicators = indicators
        self.columns: list[tuple[str, str]] = [
            (ind.key, cohort)
            for ind in INDICATORS
            for cohort in (COHORTS if ind.per_cohort else ("all",))
        ]
        self._index = {col: j for j, col in enumerate(self.columns)}
        self.values = np.full((model.horizon + 1, len(self.columns)), np.nan)
        if tuple(i.key for i in INDICATORS if i.per_cohort) != self._GROUP_KEYS:
            raise RuntimeError("Recorder._GROUP_KEYS is out of step with INDICATORS")
        p = model.people
        self._group_columns = {
            cohort: np.array([self._index[key, cohort] for key in self._GROUP_KEYS], np.intp)
            for cohort in COHORTS
        }
        self._caseload_columns = {
            kind: tuple(
                self._index[f"{what}_{kind.value}", "all"]
                for what in ("caseload", "waiting", "capacity")
            )
            for kind in AgencyKind
        }
        self._caseload_columns_by_row: np.ndarray | None = None  # made at the first record
        self._waiting = np.zeros(0, np.int64)
        self._cost_columns = np.array([self._index[key, "all"] for key in COST_INDICATORS], np.intp)
        #: weeks each person has spent in custody since the start (weeks 1 to now)
        self.custody_weeks = np.zeros(p.n, np.int32)
        # the snapshots below as one array each (the kernel writes them), read through dicts
        self._follow_up = np.full((len(FOLLOW_UP_YEARS), len(FOLLOW_UP_FIELDS), p.n), np.nan)
        self._follow_up_weeks = np.array(FOLLOW_UP_YEARS, np.int64) * WEEKS_PER_YEAR
        self._at_release = np.full((len(RELEASE_FIELDS), p.n), np.nan)
        #: each person's state ``years`` after their first release, by ``(years, field)``
        #: (NaN for those not yet released that long; see :data:`FOLLOW_UP_FIELDS`)
        self.follow_up = {
            (years, name): self._follow_up[y, f]
            for y, years in enumerate(FOLLOW_UP_YEARS)
            for f, name in enumerate(FOLLOW_UP_FIELDS)
        }
        #: each person's housing and work at the end of the week of their first release (NaN
        #: for those never released): the people table's ``housed_release``, ``working_release``
        self.at_release = {name: self._at_release[k] for k, name in enumerate(RELEASE_FIELDS)}
        self._group_values_out = np.empty((len(COHORTS), kernels.N_GROUP_VALUES))
        self._cohort_codes = np.array([Cohort[c.upper()] for c in COHORTS[1:]], np.int8)
        if not np.array_equal(self._cohort_codes, np.arange(len(COHORTS) - 1)):
            raise RuntimeError("COHORTS after 'all' must follow the Cohort codes")
        self._cumulative_cost = 0.0
        self._intervention_cost = 0.0  # what the deliveries had counted at the last record

    #: the per-cohort indicators, in the order :func:`kernels.record_people` returns them
    _GROUP_KEYS = (
        "in_custody",
        "in_transition",
        "released_this_week",
        "on_licence",
        "after_licence",
        "dead",
        "ever_released",
        "any_reoffence",
        "terror_reoffence",
        "reengagement",
        "recall",
        "housed",
        "working",
        "family_ties",
        "trust",
        "hope",
        "stigma",
        "milestones",
        "ideology",
        "group_ties",
        "deradicalised",
        "disengaged",
        "engaged",
    )

    def record(self, m: ReintegrationModel) -> None:
        """This week's row: the per-cohort indicators and the snapshots of people at and after
        release in one compiled pass over people (:func:`kernels.record_people`, values as
        :func:`_cohort_values` defines them, means to rounding), then the caseloads and costs."""
        row = self.values[m.week]
        p, beh = m.people, m.params.behaviour
        out = self._group_values_out
        in_custody, separated = kernels.record_people(
            p.cohort,
            len(COHORTS),
            p.phase,
            p.first_release_week,
            p.reoffence_week,
            p.terror_week,
            p.reengagement_week,
            p.recall_week,
            p.housed,
            p.working,
            p.family_ties,
            p.trust,
            p.hope,
            p.stigma,
            p.milestones,
            _MILESTONE_COUNT,
            p.ideology,
            p.group_ties,
            p.separated,
            beh.deradicalised_threshold,
            beh.disengaged_threshold,
            beh.engaged_threshold,
            m.week,
            self.custody_weeks,
            self._follow_up,
            self._follow_up_weeks,
            self._at_release,
            out,
            self.indicators,
        )
        if not self.indicators:
            self._record_costs(m, row, in_custody, separated)
            return
        for g, cohort in enumerate(COHORTS):
            row[self._group_columns[cohort]] = out[g]
        row[self._index["community_prejudice", "all"]] = float(m.communities.prejudice.mean())
        row[self._index["recruiter_successes", "all"]] = m.tally["recruiter_successes"]
        row[self._index["gate_pickups", "all"]] = m.tally["gate_pickups"]
        table = m.caseload_table
        # the caseload, waiting and capacity columns of the table's rows (m.caseloads' order)
        columns = self._caseload_columns_by_row
        if columns is None:
            columns = np.array([self._caseload_columns[kind] for kind in m.caseloads]).T
            self._caseload_columns_by_row = columns
            self._waiting = np.zeros(len(m.caseloads), np.int64)
        waiting = self._waiting
        kernels.count_waiting(table.waiting_since, waiting)
        row[columns[0]] = table.load.sum(axis=1)
        row[columns[1]] = waiting
        row[columns[2]] = table.capacity * table.n_practitioners
        self._record_costs(m, row, in_custody, separated)

    def _record_costs(
        self, m: ReintegrationModel, row: np.ndarray, in_custody: int, separated: int
    ) -> None:
        """This week's costs (see the module docstring); week 0 costs nothing. ``in_custody``:
        the people in custody, ``separated``: those of them on a separation wing."""
        costs = m.params.costs
        row[self._index["practitioners", "all"]] = float(
            sum(caseload.n_practitioners for caseload in m.caseloads.values())
        )
        spent = sum(delivery.cost for delivery in getattr(m, "deliveries", ()))
        if m.week == 0:
            custody = staff = interventions = 0.0
        else:
            custody = (
                float(in_custody) * costs.custody_place_week
                + float(separated) * costs.separation_place_week
            )
            staff = (
                sum(
                    caseload.n_practitioners * getattr(costs, STAFF_COST_PARAMETER[kind])
                    for kind, caseload in m.caseloads.items()
                )
                / WEEKS_PER_YEAR
            )
            interventions = spent - self._intervention_cost
        self._intervention_cost = spent
        total = custody + staff + interventions
        self._cumulative_cost += total
        row[self._cost_columns] = (custody, staff, interventions, total, self._cumulative_cost)

    def frame(self, scenario: str, replication: int) -> pd.DataFrame:
        """Tidy table: scenario, replication, week, cohort, indicator, value."""
        weeks, k = self.values.shape

        def repeated(labels: list[str]) -> pd.Categorical:
            # as pd.Categorical(labels * weeks): sorted categories, built from codes
            categories = sorted(set(labels))
            codes = np.array([categories.index(x) for x in labels], np.int64)
            return pd.Categorical.from_codes(np.tile(codes, weeks), categories)

        return pd.DataFrame(
            {
                "scenario": pd.Categorical.from_codes(np.zeros(weeks * k, np.int8), [scenario]),
                "replication": np.full(weeks * k, replication, np.int32),
                "week": np.repeat(np.arange(weeks, dtype=np.int32), k),
                "cohort": repeated([c for _, c in self.columns]),
                "indicator": repeated([i for i, _ in self.columns]),
                "value": self.values.reshape(-1),
            }
        )


def people_table(m: ReintegrationModel) -> pd.DataFrame:
    """One row per person: attributes at the start, the week of each event, the end state.

    ``weeks_to_<outcome>`` is the time from first release to the event; ``followup_weeks`` the
    time from first release to death or the horizon (censoring time); ``housed_release`` and
    ``working_release`` the housing and work at the end of the week of first release (empty for
    those never released); ``custody_weeks`` the
    weeks spent in custody in weeks 1 to the end (times ``costs.custody_place_week``: the
    person's share of the custody cost).
    """
    p, beh = m.people, m.params.behaviour
    released = p.first_release_week >= 0
    end = np.where(p.death_week >= 0, p.death_week, m.week)
    table = {
        "scenario": pd.Categorical([m.spec.name] * p.n),
        "replication": np.full(p.n, m.replication, np.int32),
        "person": np.arange(p.n, dtype=np.int32),
        "cohort": pd.Categorical.from_codes(p.cohort, [c.name.lower() for c in Cohort]),
        "female": p.female,
        "prior_record": p.prior_record,
        "mental_health": pd.Categorical.from_codes(
            p.mental_health, ["none", "depression", "psychosis"]
        ),
        "community": p.community,
        **p.start,
        "first_release_week": p.first_release_week,
        "gate": pd.Categorical.from_codes(
            np.maximum(p.gate, 0) + (p.gate >= 0),
            ["not released"] + [g.name.lower() for g in Gate if g >= 0],
        ),
    }
    for outcome in EVENT_OUTCOMES:
        week = getattr(p, outcome.column)
        table[outcome.column] = week
        table[f"weeks_to_{outcome.key}"] = np.where(
            released & (week >= 0), week - p.first_release_week, -1
        ).astype(np.int32)
    table.update(
        {
            "death_week": p.death_week,
            "followup_weeks": np.where(released, end - p.first_release_week, -1).astype(np.int32),
            "n_reoffences": p.n_reoffences,
            "n_recalls": p.n_recalls,
            "phase_end": pd.Categorical.from_codes(p.phase, [ph.name.lower() for ph in Phase]),
            "ideology_end": p.ideology,
            "group_ties_end": p.group_ties,
            "deradicalised_end": p.ideology < beh.deradicalised_threshold,
            "disengaged_end": p.group_ties < beh.disengaged_threshold,
            "engaged_end": p.group_ties > beh.engaged_threshold,
            "family_ties_end": p.family_ties,
            "trust_end": p.trust,
            "hope_end": p.hope,
            "stigma_end": p.stigma,
            "housed_end": p.housed,
            "working_end": p.working,
            "milestones_end": _MILESTONE_COUNT[p.milestones],
            "custody_weeks": m.recorder.custody_weeks.copy(),
        }
    )
    for name, values in m.recorder.at_release.items():
        table[f"{name}_release"] = values.copy()
    for (years, name), values in m.recorder.follow_up.items():
        table[f"{name}_{years}y"] = values.copy()
    return pd.DataFrame(table)
