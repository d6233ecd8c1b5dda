"""The Python API: ``import reintegration_sim as rs`` and a few lines run, compare and save."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import reintegration_sim as rs
from reintegration_sim.outputs.results import ResultsError
from reintegration_sim.outputs.text import NOISE_ONLY, escape_markdown

SMALL = {"population.n_extremist": 120, "population.n_comparison": 120, "horizon_weeks": 156}
DERAD = "interventions.deradicalisation_programme"


@pytest.fixture(scope="module")
def small():
    return rs.load("baseline").with_overrides(SMALL)


@pytest.fixture(scope="module")
def comparison(small):
    policy = small.with_overrides(
        {f"{DERAD}.coverage": 1.0, "name": "derad", "title": "Deradicalisation <for all>"}
    )
    return rs.compare([small, policy], replications=2)


def test_the_package_lists_its_api():
    for name in rs.__all__:
        assert getattr(rs, name) is not None
    assert "baseline" in rs.scenarios()
    assert rs.describe("offending.terror_hazard").unit
    with pytest.raises(AttributeError):
        rs.no_such_thing  # noqa: B018


def test_run_returns_tables_a_summary_a_figure_and_saves(small, tmp_path):
    result = rs.run(small, replications=2)
    assert set(result.people["replication"]) == {0, 1}
    assert len(result.people) == 2 * 240
    summary = result.summary()
    assert set(summary["cohort"]) == {"extremist", "comparison"}
    assert summary["cum_incidence"].dropna().between(0, 1).all()
    assert summary["cum_incidence"].notna().any()
    assert "Today's practice: 2 replications of 240 people" in str(result)
    assert result.plot().axes
    folder = result.save(tmp_path / "run")
    assert (folder / "people.parquet").exists() and (folder / "metadata.json").exists()
    saved = pd.read_parquet(folder / "people.parquet")
    pd.testing.assert_frame_equal(saved, result.people, check_categorical=False)
    with pytest.raises(ResultsError):
        result.save(folder)  # refuses to write over a result


def test_run_is_the_same_as_the_command_line_run(small, tmp_path):
    from reintegration_sim.analysis.experiment import run_scenario

    timeseries, people = run_scenario(small, 2, progress=False)
    result = rs.run(small, replications=2, workers=2)
    pd.testing.assert_frame_equal(result.people, people)
    pd.testing.assert_frame_equal(result.timeseries, timeseries)


def test_compare_pairs_scenarios_and_says_what_intervals_cover(comparison):
    text = str(comparison)
    assert "Deradicalisation <for all> vs Today's practice" in text
    assert NOISE_ONLY in text
    event = comparison.table[
        (comparison.table["scenario"] == "derad")
        & (comparison.table["cohort"] == "comparison")
        & (comparison.table["kind"] == "event")
    ]
    # the programme is for the extremist cohort: the comparison cohort is identical
    assert (event["difference"].fillna(0) == 0).all()
    assert comparison.plot().axes


def test_the_report_uses_the_title_and_the_page_escapes_it(comparison, tmp_path):
    assert "**Deradicalisation &lt;for all&gt;**" in comparison.report()
    folder = comparison.save(tmp_path / "cmp")
    page = (folder / "report.html").read_text()
    assert "<for all>" not in page and "&lt;for all&gt;" in page
    metadata = json.loads((folder / "metadata.json").read_text())
    assert [s["name"] for s in metadata["scenarios"]] == ["baseline", "derad"]


def test_compare_refuses_two_scenarios_with_one_name(small):
    with pytest.raises(rs.ScenarioError, match="distinct name"):
        rs.compare([small, small.with_overrides({f"{DERAD}.coverage": 0.5})], replications=2)


def test_markdown_escaping_takes_user_text_literally():
    assert escape_markdown("a *b* <i>[x](y)") == "a \\*b\\* &lt;i&gt;\\[x\\]\\(y\\)"
    assert escape_markdown("it's {{ 7*7 }}") == "it's \\{\\{ 7\\*7 \\}\\}"
