"""States at fixed times since each person's release (1, 3, 5 years), not only at the end of
the run, where people released one and ten years earlier are mixed."""

from __future__ import annotations

import numpy as np
import pytest

from reintegration_sim.analysis.comparison import replication_levels
from reintegration_sim.analysis.measures import MeasureError, parse_outcome
from reintegration_sim.analysis.sensitivity import outcome_values
from reintegration_sim.model import ReintegrationModel
from reintegration_sim.model.outcomes import FOLLOW_UP_FIELDS, FOLLOW_UP_YEARS, people_table
from reintegration_sim.model.population import WEEKS_PER_YEAR


@pytest.fixture(scope="module")
def stepped(sim):
    """One replication stepped by hand, with each person's state copied on the week one year
    after their first release."""
    scenario = sim.scenario(150, 150, weeks=3 * WEEKS_PER_YEAR + 20)
    model = ReintegrationModel(scenario, replication=0, build_graph=False)
    seen = {name: np.full(model.people.n, np.nan) for name in ("housed", "group_ties", "alive")}
    while model.running:
        model.step()
        p = model.people
        now = (p.first_release_week >= 0) & (p.first_release_week + WEEKS_PER_YEAR == model.week)
        seen["housed"][now] = p.housed[now]
        seen["group_ties"][now] = p.group_ties[now]
        seen["alive"][now] = p.alive()[now]
    return model, people_table(model), seen


def test_the_people_table_holds_each_state_one_year_after_release(stepped):
    model, people, seen = stepped
    for name in FOLLOW_UP_FIELDS:
        for years in FOLLOW_UP_YEARS:
            assert f"{name}_{years}y" in people
    reached = ~np.isnan(seen["housed"])
    assert reached.sum() > 50  # enough people were released a year before the horizon
    np.testing.assert_array_equal(people["housed_1y"].to_numpy()[reached], seen["housed"][reached])
    np.testing.assert_array_equal(
        people["group_ties_1y"].to_numpy()[reached], seen["group_ties"][reached]
    )
    np.testing.assert_array_equal(people["alive_1y"].to_numpy()[reached], seen["alive"][reached])
    # nobody is recorded before they reach it; nobody reaches 5 years in a 3-year run
    assert people["housed_1y"].isna().to_numpy()[~reached].all()
    assert people["housed_5y"].isna().all()


def test_a_state_after_release_is_a_measure_with_its_own_key(stepped):
    _, people, _ = stepped
    key = parse_outcome("extremist.disengaged.1y")
    assert (key.kind, key.key, key.years, key.text()) == (
        "state",
        "disengaged",
        1.0,
        "extremist.disengaged.1y",
    )
    values = outcome_values(people, ["extremist.disengaged.1y", "extremist.disengaged.5y"])
    extremist = people[people["cohort"].astype(str) == "extremist"]
    among = extremist[extremist["alive_1y"] == 1.0]
    assert values["extremist.disengaged.1y"] == pytest.approx(100.0 * among["disengaged_1y"].mean())
    assert np.isnan(values["extremist.disengaged.5y"])  # not reached within the horizon
    with pytest.raises(MeasureError, match="1y, 3y, 5y"):
        parse_outcome("extremist.disengaged.2y")


def test_comparison_levels_hold_states_at_each_follow_up_and_at_the_end(stepped):
    _, people, _ = stepped
    levels = replication_levels(people)
    states = levels[(levels["kind"] == "state") & (levels["outcome"] == "disengaged")]
    extremist = states[states["cohort"] == "extremist"]
    assert sorted(extremist["years"].dropna()) == [1.0, 3.0, 5.0]
    assert extremist["years"].isna().sum() == 1  # the end of the run
    at_one = extremist[extremist["years"] == 1.0]["value"].iloc[0]
    at_end = extremist[extremist["years"].isna()]["value"].iloc[0]
    assert 0.0 <= at_one <= 100.0 and 0.0 <= at_end <= 100.0
