"""Invariants that must hold every week, whatever the parameters.

The checks run after every step of small models: the baseline, edge cases at the hard bounds
of the register, and a deterministic sweep of random parameter sets drawn inside every
parameter's plausible range (a property test without extra dependencies).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from reintegration_sim.model import ReintegrationModel, submodels
from reintegration_sim.model.agents import Cohort, Phase
from reintegration_sim.model.outcomes import INDICATORS, people_table
from reintegration_sim.parameters import iter_register

EVENT_COLUMNS = ("reoffence_week", "terror_week", "reengagement_week", "recall_week")
FIXED = ("cohort", "female", "prior_record", "frailty", "community", "mental_health")
IN_CUSTODY = (Phase.CUSTODY, Phase.TRANSITION)
IN_COMMUNITY = (Phase.RELEASE_DAY, Phase.LICENCE, Phase.AFTER_LICENCE)
#: the people's float arrays that are not shares or indices (every other one must be in [0, 1])
NOT_UNIT = ("frailty", "age")
#: float arrays in [0, 1] that are not states (a random order key)
OTHER_UNIT = ("cell_order",)
#: the recorded indicators that are shares or 0-1 indices (NaN where nobody is counted)
UNIT_INDICATORS = tuple(i.key for i in INDICATORS if i.unit in ("share", "index 0-1"))
#: the communities' arrays in [0, 1]
COMMUNITY_UNIT = ("prejudice", "prejudice_baseline", "trust")


class WeeklyChecker:
    """Checks one model after every step against its own previous week."""

    def __init__(self, model: ReintegrationModel, unit_indices: tuple[str, ...]) -> None:
        self.model = model
        self.unit_indices = unit_indices
        self.n = model.people.n
        self.prev = self._snapshot()
        self.saw_waiting = False

    def _snapshot(self) -> dict[str, np.ndarray]:
        p = self.model.people
        names = (
            *FIXED,
            *EVENT_COLUMNS,
            "phase",
            "death_week",
            "first_release_week",
            "milestones",
            "n_reoffences",
            "n_recalls",
            "age",
        )
        return {name: getattr(p, name).copy() for name in names}

    def check(self) -> None:
        m, p, week, prev = self.model, self.model.people, self.model.week, self.prev
        where = f"week {week}"
        n = self.n

        # nobody appears or vanishes; fixed attributes stay fixed
        for name, values in p.arrays().items():
            assert len(values) == n, f"{where}: people.{name} has {len(values)} rows, not {n}"
        for name in FIXED:
            assert np.array_equal(getattr(p, name), prev[name]), f"{where}: {name} changed"

        # every person in exactly one known phase; dead stay dead
        assert np.isin(p.phase, [int(ph) for ph in Phase]).all(), f"{where}: unknown phase"
        was_dead = prev["phase"] == Phase.DEAD
        assert (p.phase[was_dead] == Phase.DEAD).all(), f"{where}: the dead came back"
        assert np.array_equal(p.death_week[was_dead], prev["death_week"][was_dead])
        newly_dead = (p.phase == Phase.DEAD) & ~was_dead
        assert (p.death_week[newly_dead] == week).all(), f"{where}: death week not recorded"
        assert ((p.death_week >= 0) == (p.phase == Phase.DEAD)).all(), f"{where}: death_week"
        alive = p.phase != Phase.DEAD
        assert np.allclose(p.age[alive] - prev["age"][alive], 1 / 52), f"{where}: ageing"

        # each phase count adds up to the cohort, in the recorded indicators too
        rec = m.recorder
        for cohort in ("extremist", "comparison"):
            size = int((p.cohort == Cohort[cohort.upper()]).sum())
            parts = ("in_custody", "released_this_week", "on_licence", "after_licence", "dead")
            total = sum(rec.values[week, rec._index[key, cohort]] for key in parts)
            assert total == size, f"{where}: {cohort} phases add up to {total}, not {size}"

        # every share and index stays in [0, 1]: the people's (and no float array of theirs
        # escapes the check), the communities' and the recorded indicators'
        floats = {k for k, v in p.arrays().items() if np.asarray(v).dtype.kind == "f"}
        unknown = floats - set(self.unit_indices) - set(NOT_UNIT) - set(OTHER_UNIT)
        assert not unknown, f"float arrays with no range checked: {sorted(unknown)}"
        for name in (*self.unit_indices, *OTHER_UNIT):
            _in_unit_interval(getattr(p, name), f"{where}: {name}")
        for name in COMMUNITY_UNIT:
            _in_unit_interval(getattr(m.communities, name), f"{where}: communities.{name}")
        row = rec.values[week]
        for (key, cohort), column in rec._index.items():
            if key in UNIT_INDICATORS and not np.isnan(row[column]):
                _in_unit_interval(row[column : column + 1], f"{where}: indicator {key} ({cohort})")

        # offending probabilities are probabilities, and zero outside the community
        p_any, p_terror = submodels.offending_hazards(m)
        community = np.isin(p.phase, IN_COMMUNITY)
        for label, prob in (("any", p_any), ("terror", p_terror)):
            assert prob.shape == (n,)
            _in_unit_interval(prob, f"{where}: {label} hazard")
            assert (prob[~community] == 0).all(), f"{where}: {label} hazard outside community"

        # caseloads never exceed capacity; load is the count of those assigned
        for kind, cl in m.caseloads.items():
            assert cl.assigned.shape == (n,)
            assert ((cl.assigned >= -1) & (cl.assigned < cl.n_practitioners)).all(), kind
            counted = np.bincount(cl.assigned[cl.assigned >= 0], minlength=cl.n_practitioners)
            assert np.array_equal(cl.load, counted), f"{where}: {kind} load != assigned count"
            assert (cl.load <= cl.capacity).all(), f"{where}: {kind} over capacity"
            assert not (cl.served & cl.waiting).any(), f"{where}: {kind} served and waiting"
            assert not cl.served[~alive].any(), f"{where}: {kind} serves the dead"
            self.saw_waiting |= bool(cl.waiting.any())

        # release and event times are consistent
        first = p.first_release_week
        released = first >= 0
        assert (first <= week).all()
        set_before = prev["first_release_week"] >= 0
        assert np.array_equal(first[set_before], prev["first_release_week"][set_before])
        assert (p.last_release_week[released] >= first[released]).all()
        assert (p.last_release_week[~released] == -1).all()
        for col in EVENT_COLUMNS:
            w = getattr(p, col)
            happened = w >= 0
            assert released[happened].all(), f"{where}: {col} before any release"
            assert (w[happened] >= first[happened]).all(), f"{where}: {col} before release"
            assert (w[happened] <= week).all(), f"{where}: {col} in the future"
            old = prev[col] >= 0
            assert np.array_equal(w[old], prev[col][old]), f"{where}: {col} was overwritten"
        assert ((p.reoffence_week >= 0) == (p.n_reoffences > 0)).all(), f"{where}: reoffences"
        assert ((p.recall_week >= 0) == (p.n_recalls > 0)).all(), f"{where}: recalls"
        assert (p.n_reoffences >= prev["n_reoffences"]).all()
        assert (p.n_recalls >= prev["n_recalls"]).all()
        terror = p.terror_week >= 0
        assert (p.reoffence_week[terror] >= 0).all(), f"{where}: terrorism not a reoffence"
        assert (p.reoffence_week[terror] <= p.terror_week[terror]).all()

        # phases and schedules agree
        custody = np.isin(p.phase, IN_CUSTODY)
        assert (p.release_week[custody] > week).all(), f"{where}: overdue release"
        assert (p.release_week[community] == -1).all(), f"{where}: released with a schedule"
        assert released[community].all(), f"{where}: in the community but never released"
        assert (p.last_release_week[p.phase == Phase.RELEASE_DAY] == week).all()
        on_licence = p.phase == Phase.LICENCE
        assert (p.licence_end[on_licence] > week).all(), f"{where}: licence should have ended"
        monitored_ok = np.isin(p.phase, (Phase.RELEASE_DAY, Phase.LICENCE)) | (p.death_week == week)
        assert monitored_ok[p.monitored].all(), f"{where}: monitored outside licence"
        assert (p.cohort[p.monitored] == Cohort.EXTREMIST).all(), f"{where}: monitored cohort"
        assert (p.milestones & prev["milestones"] == prev["milestones"]).all(), "milestone lost"

        self.prev = self._snapshot()


def _in_unit_interval(values: np.ndarray, what: str) -> None:
    values = np.asarray(values)
    if values.size == 0:
        return
    assert np.isfinite(values).all(), f"{what} not finite"
    assert values.min() >= 0.0 and values.max() <= 1.0, (
        f"{what} outside [0, 1]: [{values.min()}, {values.max()}]"
    )


def run_checked(scenario, unit_indices, replication: int = 0) -> WeeklyChecker:
    model = ReintegrationModel(scenario, replication=replication, build_graph=False)
    checker = WeeklyChecker(model, unit_indices)
    while model.running:
        model.step()
        checker.check()
    check_people_table(model)
    check_timeseries(model)
    return checker


def check_people_table(model: ReintegrationModel) -> None:
    table = people_table(model)
    assert len(table) == model.people.n
    assert table.person.is_unique
    released = table.first_release_week >= 0
    assert ((table.gate == "not released") == ~released).all()
    assert (table.followup_weeks[~released] == -1).all()
    assert (table.followup_weeks[released] >= 0).all()
    never = table[~released]
    assert never.phase_end.isin(["custody", "transition", "dead"]).all()
    for col in EVENT_COLUMNS:
        assert (never[col] == -1).all(), f"{col} for someone never released"
    for key in ("any_reoffence", "terror_reoffence", "reengagement", "recall"):
        w = table[f"weeks_to_{key}"]
        happened = w >= 0
        assert (w[happened] <= table.followup_weeks[happened]).all(), f"{key} after follow-up"
    dead = table.death_week >= 0
    assert (table.phase_end[dead] == "dead").all()


def check_timeseries(model: ReintegrationModel) -> None:
    rec = model.recorder
    assert np.isfinite(rec.values[:, rec._index["in_custody", "all"]]).all()
    for cohort in ("all", "extremist", "comparison"):
        for key in ("ever_released", "dead", "any_reoffence", "terror_reoffence", "recall"):
            series = rec.values[:, rec._index[key, cohort]]
            assert (np.diff(series) >= 0).all(), f"{key} ({cohort}) decreased"
    for key in ("recruiter_successes", "gate_pickups"):
        series = rec.values[:, rec._index[key, "all"]]
        assert (np.diff(series) >= 0).all(), f"{key} decreased"


# ----------------------------------------------------------------------------- tests


def test_invariants_hold_every_week_in_the_baseline(sim):
    checker = run_checked(sim.scenario(400, 400, weeks=260), sim.unit_indices)
    people = checker.model.people
    # the run is not vacuous: people were released, reoffended, were recalled and died
    assert (people.first_release_week >= 0).mean() > 0.5
    assert (people.reoffence_week >= 0).any() and (people.recall_week >= 0).any()


EDGE_CASES: dict[str, dict[str, dict[str, Any]]] = {
    "no_comparison_cohort": {"population": {"n_comparison": 0}},
    "no_extremist_cohort": {"population": {"n_extremist": 0}},
    "no_staff": {"agencies": {"staffing_level": 0.0}},
    "scarce_staff": {"agencies": {"staffing_level": 0.3}},
    "no_planning_no_licence": {
        "release": {
            "planning_lead_weeks": 0,
            "licence_years_extremist": 0.0,
            "licence_years_comparison": 0.0,
        }
    },
    "certain_offending": {
        "offending": {
            "base_hazard_comparison": 1.0,
            "base_hazard_extremist": 1.0,
            "terror_hazard": 1.0,
        }
    },
    "everything_maxed": {
        "behaviour": {"trust_growth": 1.0, "hope_per_milestone": 1.0, "grievance": 1.0},
        "recruiters": {"approach_success": 1.0, "success_ties_gain": 1.0, "gate_ties_gain": 1.0},
        "release": {"monitoring_stigma": 1.0, "monitoring_contact": 10.0},
        "prison": {"specialised_staff": 5.0, "peer_influence": 1.0},
    },
    "one_community_tiny_wings": {
        "community": {"n_communities": 1},
        "prison": {"wing_size": 2, "regime": "mixed"},
    },
}


@pytest.mark.parametrize("case", sorted(EDGE_CASES))
def test_invariants_hold_at_the_edges(sim, case):
    overrides = EDGE_CASES[case]
    scenario = sim.scenario(120, 120, weeks=104).with_parameters(overrides)
    checker = run_checked(scenario, sim.unit_indices)
    if case == "scarce_staff":
        assert checker.saw_waiting, "with scarce staff some caseload should have a waiting list"
    if case == "no_staff":
        assert all(cl.n_practitioners == 0 for cl in checker.model.caseloads.values())


def test_an_empty_population_runs(sim):
    model = ReintegrationModel(sim.scenario(0, 0, weeks=5), build_graph=False).run()
    assert model.people.n == 0
    assert len(people_table(model)) == 0


def random_plausible_overrides(rng: np.random.Generator) -> dict[str, dict[str, Any]]:
    """One value per parameter, uniform inside its plausible range (sizes kept small)."""
    overrides: dict[str, dict[str, Any]] = {}
    for info in iter_register():
        plausible = info.plausible
        if isinstance(plausible[0], str):
            value: Any = str(rng.choice(plausible))
        elif isinstance(info.default, bool):
            value = bool(rng.random() < 0.5)
        elif isinstance(info.default, int):
            value = int(rng.integers(plausible[0], plausible[1], endpoint=True))
        else:
            value = float(rng.uniform(plausible[0], plausible[1]))
        overrides.setdefault(info.group, {})[info.name] = value
    overrides["population"]["n_extremist"] = int(rng.integers(0, 250))
    overrides["population"]["n_comparison"] = int(rng.integers(0, 250))
    return overrides


@pytest.mark.parametrize("draw", range(16))
def test_invariants_hold_for_random_plausible_parameters(sim, draw):
    rng = np.random.default_rng([20181106, draw])
    overrides = random_plausible_overrides(rng)
    scenario = sim.scenario(weeks=130, seed=draw).with_parameters(overrides)
    run_checked(scenario, sim.unit_indices, replication=draw % 3)


def test_8_family_ties_stay_in_range_with_fast_growth_and_family_support(sim):
    """Issue 15, case 8: with behaviour.family_support_growth at 0.67 or more (inside its
    bounds) and the family-support lever at level 2 (ties grow 1.5 times as fast), ties rose
    above 1; they are clipped where they grow."""
    scenario = sim.scenario(150, 150, weeks=156).with_parameters(
        {"behaviour": {"family_support_growth": 0.9}}
    )
    scenario = scenario.with_overrides(
        {"interventions.family_support.coverage": 1.0, "interventions.family_support.level": 2}
    )
    checker = run_checked(scenario, sim.unit_indices)
    assert checker.model.people.family_ties.max() == 1.0  # reached, not passed
