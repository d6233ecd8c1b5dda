"""Comparing scenarios: paired statistics on hand-made numbers, costs that add up, and
``reintegration-sim compare`` end to end (files, common random numbers, workers, bad input)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from reintegration_sim import cli
from reintegration_sim.analysis.comparison import (
    COMPARISON_COLUMNS,
    END_STATES,
    comparable_scenarios,
    comparison_table,
    paired_difference,
    replications_needed,
)
from reintegration_sim.analysis.economics import BENEFIT_COST_COLUMNS
from reintegration_sim.analysis.survival import SURVIVAL_YEARS, cumulative_incidence, survival_table
from reintegration_sim.model import ReintegrationModel
from reintegration_sim.model.outcomes import EVENT_OUTCOMES, STAFF_COST_PARAMETER
from reintegration_sim.model.population import WEEKS_PER_YEAR
from reintegration_sim.outputs.plotting import survival_panels
from reintegration_sim.outputs.results import read_comparison, scenario_from_metadata
from reintegration_sim.scenario import Scenario, ScenarioError

TINY = (
    Scenario(name="base", description="Today's practice, on a small population.")
    .with_parameters({"population": {"n_extremist": 150, "n_comparison": 150}})
    .with_horizon(156)
)
#: t(0.975, df) from tables
T975 = {2: 4.302652729749464, 3: 3.182446305284263}
FILES = {
    "metadata.json",
    "comparison.parquet",
    "comparison.csv",
    "replications.parquet",
    "timeseries.parquet",
    "people.parquet",
    "forest.png",
    "indicators.png",
    "report.md",
    "report.html",
    "brief.pdf",
    "benefit_cost.csv",
    "acceptability.csv",
    "cost_effect.png",
    "acceptability.png",
}


def _renamed(scenario: Scenario, **changes) -> Scenario:
    """A copy with another name, description or seed."""
    data = scenario.model_dump(exclude={"parameters", "interventions"})
    data.update(
        parameters=scenario.overrides(), interventions=scenario.intervention_settings(), **changes
    )
    return Scenario.model_validate(data)


def _write(folder: Path, scenario: Scenario, name: str, description: str, seed: int) -> Path:
    path = folder / f"{name}.toml"
    renamed = _renamed(scenario, name=name, description=description, seed=seed)
    path.write_text(renamed.to_toml(), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("scenarios")
    staff = TINY.with_parameters({"agencies": {"staffing_level": 2.0}})
    family = TINY.with_interventions({"family_support": {"level": 3, "cost_per_case_week": 10.0}})
    return {
        "base": _write(folder, TINY, "base", "Today's practice, on a small population.", 5),
        "staff": _write(folder, staff, "staff", "Twice the staff in every agency.", 6),
        "family": _write(folder, family, "family", "Family support at level 3.", 7),
        "same": _write(folder, TINY, "same", "The base again under another name.", 8),
    }


@pytest.fixture(scope="module")
def compared(files, tmp_path_factory, sim) -> tuple[Path, str]:
    """base vs staff vs family: 3 replications, 1 worker, common seed 11."""
    out = tmp_path_factory.mktemp("runs") / "serial"
    argv = [str(files[k]) for k in ("base", "staff", "family")]
    rc, stdout = sim.cli(["compare", *argv, "-n", "3", "--seed", "11", "--out", str(out)])
    assert rc == 0
    return out, stdout


# ---------------------------------------------------------------------- paired statistics


def test_paired_difference_by_hand() -> None:
    base, other = [1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 3.0, 7.0]  # differences 1, 2, 0, 3
    diff = paired_difference(base, other)
    sd = np.sqrt(5.0 / 3.0)  # deviations -0.5, 0.5, -1.5, 1.5
    half = T975[3] * sd / 2.0
    assert diff.n == 4
    assert diff.mean == pytest.approx(1.5)
    assert diff.sd == pytest.approx(sd)
    assert diff.lower == pytest.approx(1.5 - half)  # -0.554
    assert diff.upper == pytest.approx(1.5 + half)  # 3.554
    assert not diff.excludes_zero
    assert paired_difference([0.0, 0.0, 0.0], [1.0, 1.2, 0.8]).excludes_zero
    assert paired_difference([1.0, 1.2, 0.8], [0.0, 0.0, 0.0]).excludes_zero


def test_paired_difference_edge_cases() -> None:
    same = paired_difference([3.0, 5.0, 8.0], [3.0, 5.0, 8.0])
    assert (same.mean, same.sd, same.lower, same.upper) == (0.0, 0.0, 0.0, 0.0)
    assert not same.excludes_zero
    dropped = paired_difference([1.0, np.nan, 2.0, 4.0], [2.0, 5.0, np.nan, 6.0])
    assert dropped.n == 2 and dropped.mean == pytest.approx(1.5)
    one = paired_difference([1.0], [3.0])
    assert one.n == 1 and one.mean == 2.0 and np.isnan(one.lower) and not one.excludes_zero
    assert paired_difference([np.nan], [1.0]).n == 0
    with pytest.raises(ValueError, match="shape"):
        paired_difference([1.0, 2.0], [1.0])


def test_replications_needed_by_hand() -> None:
    # ((1.96 + 0.84) sd / |d|)^2: sd 2, d 1 -> 31.4 -> 32; sd 1, d 1 -> 7.85 -> 8
    assert replications_needed(2.0, 1.0, exact=False) == 32
    assert replications_needed(2.0, -1.0, exact=False) == 32
    assert replications_needed(1.0, 1.0, exact=False) == 8
    assert replications_needed(0.5, 1.0, exact=False) == 2  # at least 2
    # with t quantiles: n = 34 is the first with (t.975 + t.80) * 2 / sqrt(n) <= 1
    # (n = 33: (2.0369 + 0.8530) * 2 / 5.745 = 1.006; n = 34: (2.0345 + 0.8526) * 2 / 5.831 = 0.990)
    assert replications_needed(2.0, 1.0) == 34
    assert replications_needed(0.0, 1.0) == 2
    assert replications_needed(1.0, 0.0) == float("inf")
    assert np.isnan(replications_needed(float("nan"), 1.0))
    # for many replications the t correction fades
    assert abs(replications_needed(10.0, 0.1) - replications_needed(10.0, 0.1, exact=False)) <= 3


def test_cumulative_incidence_by_hand() -> None:
    durations = np.array([1, 2, 2, 3, 5])
    event = np.array([True, True, False, True, False])
    # S: 1 -> 0.8 at 1 (5 at risk) -> 0.6 at 2 (4 at risk) -> 0.3 at 3 (2 at risk)
    got = cumulative_incidence(durations, event, [0, 1, 2, 4, 5, 6])
    np.testing.assert_allclose(got[:5], [0.0, 0.2, 0.4, 0.7, 0.7])
    assert np.isnan(got[5])  # nobody followed up 6 weeks
    assert np.isnan(cumulative_incidence(np.array([]), np.array([], bool), [1])).all()


def test_comparison_table_by_hand() -> None:
    rows = []
    values = {
        ("event", "any_reoffence", 1.0): ([10.0, 12.0, 14.0], [9.0, 10.0, 14.0]),
        ("cost", "cost_total", np.nan): ([100.0, 100.0, 100.0], [130.0, 131.0, 129.0]),
        ("count", "reoffences", np.nan): ([10.0, 11.0, 12.0], [8.0, 9.0, 10.0]),
    }
    for (kind, outcome, years), (base, other) in values.items():
        cohort = "extremist" if kind == "event" else "all"
        for name, series in (("b", base), ("o", other)):
            for r, value in enumerate(series):
                rows.append((name, r, cohort, kind, outcome, years, value))
    levels = pd.DataFrame(
        rows, columns=["scenario", "replication", "cohort", "kind", "outcome", "years", "value"]
    )
    table = comparison_table(levels, "b", detectable=0.5)
    assert list(table.columns) == COMPARISON_COLUMNS
    assert list(table["scenario"].drop_duplicates()) == ["b", "o"]
    row = table[(table["scenario"] == "o") & (table["outcome"] == "any_reoffence")].iloc[0]
    # differences -1, -2, 0: mean -1, sd 1, half-width t(.975, 2) / sqrt(3)
    half = T975[2] / np.sqrt(3.0)
    assert row["level"] == pytest.approx(11.0)
    assert row["difference"] == pytest.approx(-1.0)
    assert row["sd"] == pytest.approx(1.0)
    assert (row["lower"], row["upper"]) == (pytest.approx(-1 - half), pytest.approx(-1 + half))
    assert not row["excludes_zero"]
    assert row["replications_needed"] == replications_needed(1.0, -1.0)
    assert row["replications_for_detectable"] == replications_needed(1.0, 0.5)
    base_row = table[(table["scenario"] == "b") & (table["outcome"] == "any_reoffence")].iloc[0]
    assert base_row["level"] == pytest.approx(12.0) and np.isnan(base_row["difference"])
    # 30 EUR more for 2 reoffences fewer: 15 EUR per reoffence prevented
    ratio = table[(table["scenario"] == "o") & (table["outcome"] == "cost_per_reoffence_prevented")]
    assert ratio["level"].iloc[0] == pytest.approx(15.0)
    # the other way round nothing is prevented: NaN with a note
    flipped = comparison_table(levels, "o")
    ratio = flipped[
        (flipped["scenario"] == "b") & (flipped["outcome"] == "cost_per_reoffence_prevented")
    ]
    assert np.isnan(ratio["level"].iloc[0]) and "no reoffences prevented" in ratio["note"].iloc[0]


def test_comparable_scenarios() -> None:
    other = _renamed(TINY.with_parameters({"agencies": {"staffing_level": 2.0}}), name="other")
    other = other.with_seed(99)
    paired, seed = comparable_scenarios([TINY, other])
    assert seed == TINY.seed and {s.seed for s in paired} == {TINY.seed}
    paired, seed = comparable_scenarios([TINY, other], seed=3)
    assert seed == 3 and {s.seed for s in paired} == {3}
    with pytest.raises(ScenarioError, match="at least two"):
        comparable_scenarios([TINY])
    with pytest.raises(ScenarioError, match="named 'base'"):
        comparable_scenarios([TINY, TINY])
    with pytest.raises(ScenarioError, match="horizon"):
        comparable_scenarios([TINY, other.with_horizon(100)])
    with pytest.raises(ScenarioError, match="n_extremist"):
        comparable_scenarios([TINY, other.with_parameters({"population": {"n_extremist": 100}})])


# ---------------------------------------------------------------------- costs


def test_costs_add_up() -> None:
    scenario = TINY.with_horizon(60).with_interventions(
        {"family_support": {"cost_per_case_week": 10.0, "cost_per_case": 50.0}}
    )
    model = ReintegrationModel(scenario, build_graph=False).run()
    rec, costs = model.recorder, scenario.parameters.costs

    def series(key: str) -> np.ndarray:
        return rec.values[:, rec._index[key, "all"]]

    weeks = slice(1, None)  # week 0 is the start and costs nothing
    assert series("cost_total")[0] == 0.0
    custody_weeks = series("in_custody")[weeks].sum()
    assert series("cost_custody").sum() == pytest.approx(custody_weeks * costs.custody_place_week)
    assert model_people_custody_weeks(model) == custody_weeks
    staff_per_week = (
        sum(
            c.n_practitioners * getattr(costs, STAFF_COST_PARAMETER[k])
            for k, c in model.caseloads.items()
        )
        / WEEKS_PER_YEAR
    )
    np.testing.assert_allclose(series("cost_staff")[weeks], staff_per_week)
    (delivery,) = model.deliveries
    assert delivery.cost > 0
    assert series("cost_interventions").sum() == pytest.approx(delivery.cost)
    np.testing.assert_allclose(
        series("cost_total"),
        series("cost_custody") + series("cost_staff") + series("cost_interventions"),
    )
    np.testing.assert_allclose(series("cost_cumulative"), np.cumsum(series("cost_total")))


def model_people_custody_weeks(model: ReintegrationModel) -> float:
    from reintegration_sim.model.outcomes import people_table

    return float(people_table(model)["custody_weeks"].sum())


# ---------------------------------------------------------------------- the command


def test_compare_writes_every_file(compared) -> None:
    out, stdout = compared
    table = pd.read_parquet(out / "comparison.parquet")
    # survival curves only where a policy differs from the base beyond chance, at the
    # follow-up the comparison reports (shorter than the 3 years asked for if the horizon is)
    years = json.loads((out / "metadata.json").read_text())["follow_up_years"]
    differs = bool(survival_panels(table, years))
    assert {p.name for p in out.iterdir()} == FILES | ({"survival.png"} if differs else set())
    assert not any(p.name.startswith(".") for p in out.parent.iterdir())  # no staging left
    csv = pd.read_csv(out / "comparison.csv")
    assert len(csv) == len(table) and list(table.columns) == COMPARISON_COLUMNS
    assert list(table["scenario"].drop_duplicates()) == ["base", "staff", "family"]
    for cohort in ("extremist", "comparison"):
        events = table[(table["kind"] == "event") & (table["cohort"] == cohort)]
        assert set(events["outcome"]) == {o.key for o in EVENT_OUTCOMES}
        assert set(events["years"]) == set(map(float, SURVIVAL_YEARS))
        states = table[(table["kind"] == "state") & (table["cohort"] == cohort)]
        assert set(states["outcome"]) == {s.key for s in END_STATES}
    costs = set(table.loc[table["kind"] == "cost", "outcome"])
    assert {"cost_total", "cost_per_100_releases", "cost_per_reoffence_prevented"} <= costs
    # staffing costs more; the family programme's cost shows as intervention cost
    costs = table[table["kind"] == "cost"].set_index(["scenario", "outcome"])["difference"]
    assert costs["staff", "cost_staff"] > 0
    assert costs["family", "cost_interventions"] > 0
    assert costs["family", "cost_staff"] == 0
    # the printed summary and where the report is
    assert "staff vs base" in stdout and "family vs base" in stdout
    assert f"Report: {out / 'report.html'}" in stdout and "brief.pdf" in stdout
    assert "Any proven reoffence" in stdout and "extra cost per reoffence prevented" in stdout
    assert "net present value per participant" in stdout and "chance only" in stdout


def test_compare_writes_the_benefit_cost_figures(compared) -> None:
    out, _ = compared
    figures = pd.read_csv(out / "benefit_cost.csv")
    assert list(figures.columns) == BENEFIT_COST_COLUMNS
    assert list(figures["scenario"].drop_duplicates()) == ["staff", "family"]
    assert (figures["base"] == "base").all()
    assert figures["covers"].str.startswith("chance only").all()
    assert (figures["n_draws"] <= 3).all()
    npv = figures[figures["measure"] == "net_present_value"]
    assert set(npv["scale"]) == {"per 100 releases", "per participant"}
    assert npv["prob_net_benefit_positive"].between(0, 1).all()
    per_year = figures[figures["measure"] == "terror_prevented_per_year"]
    assert set(per_year["releases_per_year"]) == {40.0, 50.0, 27.0}
    # twice the staff costs the same extra in every run: discounted, it is less than undiscounted
    table = pd.read_parquet(out / "comparison.parquet")
    extra = table[(table["scenario"] == "staff") & (table["outcome"] == "cost_staff")]
    released = table[
        (table["scenario"] == "base")
        & (table["cohort"] == "all")
        & (table["outcome"] == "released")
    ]
    undiscounted = 100.0 * extra["difference"].iloc[0] / released["level"].iloc[0]
    programme = figures[
        (figures["scenario"] == "staff")
        & (figures["measure"] == "programme_cost")
        & (figures["scale"] == "per 100 releases")
    ]
    assert 0.5 * undiscounted < programme["median"].iloc[0] < undiscounted
    curve = pd.read_csv(out / "acceptability.csv")
    assert set(curve["scenario"]) == {"base", "staff", "family"}
    np.testing.assert_allclose(curve.groupby("wtp")["probability"].sum(), 1.0)


def test_levels_agree_with_the_survival_table(compared) -> None:
    out, _ = compared
    people = pd.read_parquet(out / "people.parquet")
    levels = pd.read_parquet(out / "replications.parquet")
    chosen = people[(people["scenario"].astype(str) == "staff") & (people["replication"] == 1)]
    expected = survival_table(chosen)
    got = levels[
        (levels["scenario"] == "staff") & (levels["replication"] == 1) & (levels["kind"] == "event")
    ]
    merged = expected.merge(got, on=["cohort", "outcome", "years"])
    assert len(merged) == len(expected)
    np.testing.assert_allclose(100 * merged["cum_incidence"], merged["value"], atol=1e-9)


def test_compare_metadata(compared, files) -> None:
    out, _ = compared
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["kind"] == "comparison" and meta["base"] == "base"
    assert meta["scenario_names"] == ["base", "staff", "family"]
    assert meta["root_seed"] == 11 and meta["seed_source"] == "--seed"
    assert meta["seeds_overridden"] == {"base": 5, "staff": 6, "family": 7}
    assert "root seed 11" in meta["common_random_numbers"]
    assert meta["command"][:2] == ["reintegration-sim", "compare"]
    assert meta["replications"] == 3 and [s["replication"] for s in meta["seeds"]] == [0, 1, 2]
    for entry, key in zip(meta["scenarios"], ("base", "staff", "family"), strict=True):
        assert entry["path"] == str(files[key])
        assert entry["file_text"] == files[key].read_text()
        ran = scenario_from_metadata({"scenario_text": entry["scenario_text"]})
        assert ran.name == key and ran.seed == 11
    for key in ("versions", "git", "started", "finished", "wall_seconds"):
        assert key in meta
    back = read_comparison(out)
    assert [s.name for s in back.scenarios] == ["base", "staff", "family"]
    pd.testing.assert_frame_equal(back.comparison, pd.read_parquet(out / "comparison.parquet"))


def test_report(compared) -> None:
    """The brief first (title from the scenarios, what the ranges cover, the league table),
    then the appendix with the method, the scenario texts and every figure."""
    out, _ = compared
    md = (out / "report.md").read_text()
    page = (out / "report.html").read_text()
    # the files' names have no titles: their names in words
    assert md.startswith("# Staff or Family instead of Base\n")
    brief, appendix = md.split("\n## Appendix\n")
    for text in (
        "Ranges cover chance only",
        "The people are synthetic",
        "Under **Base**, of every 1,000 people released after an extremist offence",
        "| Policy | Terrorism reoffences per 1,000 released |",
        "Sorted by the change in terrorism reoffences",
        "Recalls can rise under a good policy",
    ):
        assert text in brief, text
    for text in (
        "Twice the staff in every agency.",
        "Family support at level 3.",
        "per 100 people released",
        "distinguishable from chance",
        "Runs per scenario needed",
        "Extra cost per proven reoffence prevented",
        "Synthetic populations only",
        "never a risk score",
        "docs/ODD.md",
        "### Limits and ethics",
        "### Staff: every figure",
        "Kaplan-Meier",
        "Net present value per participant",
        "benefits exceed costs in",
        "People per arm to detect the change in terrorism offences",
    ):
        assert text in appendix, text
    images = ["forest.png", "indicators.png", "cost_effect.png", "acceptability.png"]
    images += ["survival.png"] if (out / "survival.png").exists() else []
    for image in images:
        assert f"]({image})" in md
    assert page.count("data:image/png;base64,") == len(images)
    assert '<table class="league">' in page and "Twice the staff in every agency." in page
    assert page.count("<details>") >= 6 and 'id="appendix"' in page
    assert "**" not in page  # every inline mark rendered


def test_a_scenario_against_itself_differs_by_exactly_zero(files, tmp_path, sim) -> None:
    out = tmp_path / "same"
    argv = ["compare", str(files["base"]), str(files["same"]), "-n", "3", "--out", str(out)]
    rc, _ = sim.cli(argv)
    assert rc == 0
    table = pd.read_parquet(out / "comparison.parquet")
    same = table[(table["scenario"] == "same") & table["difference"].notna()]
    assert len(same) > 40
    assert (same["difference"] == 0).all()
    assert (same["lower"] == 0).all() and (same["upper"] == 0).all()
    assert not same["excludes_zero"].any()
    levels = pd.read_parquet(out / "replications.parquet")
    a = levels[levels["scenario"] == "base"].drop(columns="scenario").reset_index(drop=True)
    b = levels[levels["scenario"] == "same"].drop(columns="scenario").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
    ratio = table[
        (table["scenario"] == "same") & (table["outcome"] == "cost_per_reoffence_prevented")
    ]
    assert np.isnan(ratio["level"].iloc[0])
    figures = pd.read_csv(out / "benefit_cost.csv")
    npv = figures[
        (figures["measure"] == "net_present_value") & (figures["scale"] == "per participant")
    ].iloc[0]
    assert npv["median"] == 0 and npv["low"] == 0 and npv["high"] == 0
    assert npv["prob_net_benefit_positive"] == 0  # no benefit is not a positive one
    size = figures[figures["measure"] == "evaluation_size_terror"]["median"]
    assert size.iloc[0] == np.inf


def test_workers_give_identical_tables(compared, files, tmp_path, sim) -> None:
    out, _ = compared
    parallel = tmp_path / "parallel"
    argv = [str(files[k]) for k in ("base", "staff", "family")]
    rc, stdout = sim.cli(
        ["compare", *argv, "-n", "3", "--seed", "11", "--out", str(parallel), "-j", "2"]
    )
    assert rc == 0 and "2 workers" in stdout
    for name in ("comparison.csv", "replications.parquet", "people.parquet"):
        assert _sha(parallel / name) == _sha(out / name), name
    pd.testing.assert_frame_equal(
        pd.read_parquet(parallel / "comparison.parquet"),
        pd.read_parquet(out / "comparison.parquet"),
    )


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------------- bad input


def _bad(files: dict[str, Path], tmp_path: Path, case: str) -> list[str]:
    base, staff = str(files["base"]), str(files["staff"])
    if case == "missing other":
        return [base, str(tmp_path / "nope.toml")]
    if case == "invalid other":
        bad = tmp_path / "bad.toml"
        bad.write_text('name = "bad"\ndescription = "x"\n[parameters.agencies]\nstaffing = 2\n')
        return [base, str(bad)]
    if case == "duplicate names":
        return [base, base]
    if case == "one scenario":
        return [base]
    if case == "other horizon":
        other = tmp_path / "short.toml"
        other.write_text(
            files["staff"].read_text().replace("horizon_weeks = 156", "horizon_weeks = 100")
        )
        return [base, str(other)]
    if case == "one replication":
        return [base, staff, "-n", "1"]
    if case == "bad years":
        return [base, staff, "--years", "4"]
    if case == "bad detect":
        return [base, staff, "--detect", "0"]
    if case == "bad releases":
        return [base, staff, "--releases-per-year", "uk,0"]
    raise AssertionError(case)


BAD = {
    "missing other": "not found",
    "invalid other": "staffing",
    "duplicate names": "named 'base'",
    "one scenario": "at least two",
    "other horizon": "horizon_weeks",
    "one replication": "--replications",
    "bad years": "--years",
    "bad detect": "--detect",
    "bad releases": "--releases-per-year",
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_exits_2_and_writes_nothing(case, files, tmp_path, capsys) -> None:
    argv = _bad(files, tmp_path, case)
    before = sorted(tmp_path.iterdir())
    rc = cli.main(["compare", *argv, "--out", str(tmp_path / "out")])
    captured = capsys.readouterr()
    assert rc == 2
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("reintegration-sim: error: ")
    assert BAD[case] in lines[0]
    assert sorted(tmp_path.iterdir()) == before  # no folder


def test_the_model_does_not_import_readers() -> None:
    code = (
        "import sys, reintegration_sim.model, reintegration_sim.analysis.experiment, "
        "reintegration_sim.analysis.comparison, reintegration_sim.analysis.survival; "
        "bad = [m for m in ('reintegration_sim.outputs.report', 'reintegration_sim.outputs.plotting', "
        "'matplotlib') if m in sys.modules]; print(bad); sys.exit(bool(bad))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_scenarios_with_different_people_are_refused():
    """Pairing needs the same people: a different population attribute (not only its size) is
    refused, while a policy lever may differ."""
    from reintegration_sim.analysis.comparison import comparable_scenarios
    from reintegration_sim.scenario import Scenario, ScenarioError

    base = Scenario(name="base", description="x")
    other = Scenario(name="other", description="y").with_parameters(
        {"population": {"psychosis": 0.05}}
    )
    with pytest.raises(ScenarioError, match="population.psychosis"):
        comparable_scenarios([base, other])
    policy = Scenario(name="policy", description="z").with_parameters(
        {"agencies": {"staffing_level": 1.5}}
    )
    scenarios, seed = comparable_scenarios([base, policy])
    assert [s.seed for s in scenarios] == [seed, seed]
