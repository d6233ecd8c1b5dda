"""The regression baseline: the key outputs of a fixed set of scenarios and seeds must equal
``tests/baseline.json``. An intended change is accepted with ``make baseline`` and committed on
its own with the reason (see ``tests/regression.py``)."""

from __future__ import annotations

import copy

import regression


def test_outputs_equal_the_stored_baseline():
    moved = regression.differences(regression.load_stored(), regression.compute())
    assert not moved, (
        f"{len(moved)} output(s) moved from tests/baseline.json; if intended, run "
        "`make baseline` and commit it on its own with the reason:\n" + "\n".join(moved[:60])
    )


def test_a_moved_output_is_reported_readably():
    stored = regression.load_stored()
    current = copy.deepcopy(stored)
    name = regression.SCENARIOS[0]
    key = "extremist.event.terror_reoffence@3y"
    current["scenarios"][name]["outputs"][key] = stored["scenarios"][name]["outputs"][key] * 1.5
    lines = regression.differences(stored, current)
    assert len(lines) == 1
    assert lines[0].startswith(f"{name}: {key}: ") and "(+50.00 %)" in lines[0]


def test_a_change_outside_the_summary_is_caught_by_the_digest():
    stored = regression.load_stored()
    current = copy.deepcopy(stored)
    current["scenarios"]["baseline"]["digests"]["people"] = "0" * 64
    assert regression.differences(stored, current) == [
        "baseline: the people table changed, although no summarised output did"
    ]


def test_a_scenario_missing_from_the_stored_file_is_reported():
    stored = regression.load_stored()
    current = copy.deepcopy(stored)
    current["scenarios"]["new_one"] = stored["scenarios"]["baseline"]
    assert "new_one: not in the stored baseline" in regression.differences(stored, current)
