"""Bayesian calibration (``calibrate --method abc``): the priors as pyabc sees them, the
posterior file and its refusals, drawing from it by weight, the targets file, and ABC recovering
parameters from targets the model itself generated."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from reintegration_sim import cli
from reintegration_sim.analysis import abc
from reintegration_sim.analysis.abc import (
    Posterior,
    PosteriorError,
    abc_calibrate,
    load_posterior,
    load_targets,
    prior_pdf,
    register_hash,
    simulate_targets,
    write_posterior,
)
from reintegration_sim.analysis.calibration import CalibrationError, Target
from reintegration_sim.priors import Prior, prior_of
from reintegration_sim.scenario import Scenario

KEY = "offending.base_hazard_comparison"
SHIPPED_KEYS = [
    "offending.base_hazard_comparison",
    "offending.base_hazard_extremist",
    "offending.terror_hazard",
]
#: a tiny scenario whose one-year reoffending of the comparison cohort the ABC tests fit
TINY = (
    Scenario(name="tinyabc", description="x")
    .with_parameters({"population": {"n_extremist": 10, "n_comparison": 200}})
    .with_horizon(104)
)


# ---------------------------------------------------------------------- priors


@pytest.mark.parametrize(
    "prior",
    [
        Prior("a", "beta-PERT", 0.004, 0.009, 0.03, "x"),
        Prior("b", "triangular", 0.2, 0.5, 0.6, "x"),
        Prior("c", "log-normal", 1e-12, 0.8, float("inf"), "x", spread=0.3),
        Prior("d", "log-normal", 0.5, 0.8, 1.0, "x", spread=0.3),
    ],
)
def test_prior_density_is_that_of_its_quantile_function(prior: Prior) -> None:
    """The density pyabc weighs particles with integrates to 1 and has the mean of the draws
    ``Prior.ppf`` gives (the distribution comparisons draw from)."""
    u = (np.arange(200_000) + 0.5) / 200_000
    draws = prior.ppf(u)
    grid = np.linspace(draws.min(), draws.max(), 200_001)
    density = prior_pdf(prior, grid)
    assert np.trapezoid(density, grid) == pytest.approx(1.0, abs=2e-3)
    assert np.trapezoid(grid * density, grid) == pytest.approx(draws.mean(), rel=2e-3)
    assert prior_pdf(prior, prior.low - 1.0) == 0.0


def test_abc_keys_refuse_whole_numbers_and_unknown_keys() -> None:
    with pytest.raises(CalibrationError, match="whole numbers"):
        abc.resolve_abc_keys(TINY, ["population.n_extremist"])
    with pytest.raises(CalibrationError, match="unknown parameter"):
        abc.resolve_abc_keys(TINY, ["offending.no_such_hazard"])
    assert list(abc.resolve_abc_keys(TINY, [KEY])) == [KEY]


# ---------------------------------------------------------------------- the posterior


def _posterior(scenario: str = "baseline", register: str | None = None) -> Posterior:
    values = np.array([[0.01, 0.1], [0.02, 0.2], [0.03, 0.3], [0.04, 0.4]])
    weights = np.array([0.1, 0.2, 0.3, 0.4])
    meta = {
        "format": abc.POSTERIOR_FORMAT,
        "scenario": scenario,
        "register_hash": register or register_hash(),
        "keys": [KEY, "offending.terror_hazard"],
    }
    return Posterior([KEY, "offending.terror_hazard"], values, weights, meta)


def test_sampling_by_weight_reproduces_weighted_means_and_keeps_particles_whole() -> None:
    posterior = _posterior()
    expected = posterior.mean()
    assert expected[KEY] == pytest.approx(0.03)
    # a stratified (quasi-random) design and independent uniforms both reproduce the means
    for u in (
        (np.arange(1000) + 0.5) / 1000,
        np.random.default_rng(3).uniform(size=20_000),
    ):
        drawn = posterior.sample(u)
        for key, mean in expected.items():
            assert drawn[key].mean() == pytest.approx(mean, rel=0.01)
        # jointly: each draw is one particle, its two values together
        assert np.allclose(drawn["offending.terror_hazard"], 10 * drawn[KEY])
    shares = pd.Series(posterior.sample((np.arange(1000) + 0.5) / 1000)[KEY]).value_counts(
        normalize=True
    )
    assert shares.sort_index().to_numpy() == pytest.approx([0.1, 0.2, 0.3, 0.4])
    with pytest.raises(PosteriorError, match=r"\[0, 1\)"):
        posterior.sample(np.array([1.0]))


def test_posterior_file_round_trip_and_refusals(tmp_path: Path) -> None:
    path = write_posterior(tmp_path / "posterior.parquet", _posterior())
    back = load_posterior(path, "baseline")
    assert back.keys == [KEY, "offending.terror_hazard"]
    assert back.mean() == pytest.approx(_posterior().mean())
    assert load_posterior(path, Scenario(name="baseline", description="x")).metadata["scenario"]

    with pytest.raises(PosteriorError, match="made for scenario 'baseline', not 'uk_contest_3'"):
        load_posterior(path, "uk_contest_3")
    other = write_posterior(tmp_path / "other.parquet", _posterior(register="0123456789abcdef"))
    with pytest.raises(PosteriorError, match="another parameter register"):
        load_posterior(other, "baseline")
    plain = tmp_path / "plain.parquet"
    pd.DataFrame({"x": [1.0]}).to_parquet(plain)
    with pytest.raises(PosteriorError, match="not a posterior"):
        load_posterior(plain, "baseline")
    with pytest.raises(PosteriorError, match="no such posterior"):
        load_posterior(tmp_path / "missing.parquet", "baseline")


def test_register_hash_moves_with_a_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """A posterior is tied to the register: changing one default changes the hash (and so
    refuses old posteriors); the cost groups, which do not change a simulation, are left out."""
    import dataclasses

    from reintegration_sim.keys import all_keys

    keys = dict(all_keys())
    before = register_hash()
    changed = dict(keys)
    changed["offending.recall_hazard"] = dataclasses.replace(
        keys["offending.recall_hazard"], default=0.0099
    )
    monkeypatch.setattr(abc, "all_keys", lambda: changed)
    assert register_hash() != before
    costs = dict(keys)
    name = next(k for k in keys if k.startswith("costs."))
    costs[name] = dataclasses.replace(keys[name], default=12345.0)
    monkeypatch.setattr(abc, "all_keys", lambda: costs)
    assert register_hash() == before


def test_shipped_baseline_posterior_matches_this_register() -> None:
    """The baseline's posterior ships with the package and fits the register as it is (else
    regenerate it with `make posterior`)."""
    posterior = load_posterior("baseline", "baseline")
    assert posterior.keys == SHIPPED_KEYS
    assert posterior.weights.sum() == pytest.approx(1.0)
    for j, key in enumerate(posterior.keys):
        prior = prior_of(key, on_request=True)
        assert prior is not None
        assert np.all(
            (posterior.values[:, j] >= prior.low) & (posterior.values[:, j] <= prior.high)
        )
    with pytest.raises(PosteriorError, match="not 'german_hybrid_model'"):
        load_posterior("baseline", "german_hybrid_model")


# ---------------------------------------------------------------------- targets file

GOOD = """
[[target]]
label = "one year"
cohort = "comparison"
outcome = "any_reoffence"
years = 1
value = 40.0
low = 34.0
high = 46.0
source = "MoJ proven reoffending statistics"
definition = "proven reoffending within 12 months"
"""


def test_targets_file_is_read() -> None:
    path = Path(__file__).parent / "data" / "targets.toml"
    targets = load_targets(path)
    assert [t.key for t in targets] == [
        "comparison.any_reoffence.1y",
        "comparison.any_reoffence.3y",
    ]
    assert targets[0].half_width == pytest.approx(6.0)


@pytest.mark.parametrize(
    "text, message",
    [
        ("[[target]\nlabel = 1", "not valid TOML"),
        ("title = 'x'", "unknown table or key 'title'"),
        ("", "no [[target]] tables"),
        (GOOD.replace("years = 1", ""), "target 1 (one year): missing key 'years'"),
        (GOOD.replace('cohort = "comparison"', 'cohort = "women"'), "'cohort' must be one of"),
        (GOOD.replace('"any_reoffence"', '"reoffending"'), "'outcome' must be one of"),
        (GOOD.replace("value = 40.0", 'value = "forty"'), "'value' must be a number"),
        (GOOD.replace("low = 34.0", "low = 50.0"), "need 0 <= low <= value <= high <= 100"),
        (GOOD + "weight = 2\n", "unknown key 'weight'"),
        (GOOD + "defintion = 'x'\n", "unknown key 'defintion'; did you mean 'definition'?"),
        (GOOD.replace('source = "MoJ', 'sauce = "MoJ'), "did you mean 'source'?"),
        (GOOD.replace("definition = ", "# "), "missing key 'definition'"),
        (GOOD.replace('"any_reoffence"', '"any_reofence"'), "did you mean 'any_reoffence'?"),
        (GOOD + GOOD, "target 2 (one year): a second target for comparison.any_reoffence.1y"),
    ],
)
def test_malformed_targets_file_exits_2_with_one_line_and_nothing_written(
    text: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "targets.toml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    code = cli.main(
        ["calibrate", "baseline", "--method", "abc", "--fit", KEY, "--targets", str(path),
         "--out", str(out)]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and str(path) in err and message in err
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["targets.toml"]


def test_abc_only_options_are_refused_with_optimise(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    code = cli.main(
        ["calibrate", "baseline", "--fit", KEY, "--scheduler", "x:1", "--out", str(out)]
    )
    assert code == 2 and "--method abc only" in capsys.readouterr().err and not out.exists()


# ---------------------------------------------------------------------- the command end to end


def test_calibrate_abc_writes_a_posterior_that_compare_can_draw_from(tmp_path: Path) -> None:
    path = tmp_path / "tiny.toml"
    path.write_text(TINY.to_toml(), encoding="utf-8")
    out = tmp_path / "out"
    code = cli.main(
        ["calibrate", str(path), "--method", "abc", "--fit", KEY, "--population", "8",
         "--generations", "2", "--checks", "3", "--out", str(out)]
    )  # fmt: skip
    assert code == 0
    names = {p.name for p in out.iterdir()}
    assert {"posterior.parquet", "abc.db", "abc.md", "predictive_check.png", "posterior.png"} <= (
        names
    )
    posterior = load_posterior(out / "posterior.parquet", "tinyabc")
    assert posterior.keys == [KEY] and len(posterior) == 8
    diagnostics = pd.read_csv(out / "diagnostics.csv")
    assert list(diagnostics["t"]) == [0, 1]
    assert diagnostics["epsilon"].is_monotonic_decreasing
    assert ((diagnostics["acceptance_rate"] > 0) & (diagnostics["acceptance_rate"] <= 1)).all()
    check = pd.read_csv(out / "predictive_check.csv")
    assert list(check["key"]) == ["comparison.any_reoffence.1y"] and (check["draws"] == 3).all()
    shrinkage = pd.read_csv(out / "parameters.csv")["shrinkage"].iloc[0]
    assert shrinkage < 1
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["calibration"]["method"] == "abc"
    assert meta["calibration"]["register_hash"] == register_hash()


# ---------------------------------------------------------------------- recovery


def _synthetic_target(truth: float, seed: int) -> Target:
    """The comparison cohort's one-year reoffending simulated at ``truth`` (the data), with a
    range of +-5 points (about one and a half times the chance variation at this size)."""
    value = simulate_targets(TINY, {KEY: truth}, seed, 1, [_TARGET_SHAPE])[
        "comparison.any_reoffence.1y"
    ]
    return Target("synthetic", "comparison", "any_reoffence", 1, value, value - 5, value + 5, "x")


_TARGET_SHAPE = Target("shape", "comparison", "any_reoffence", 1, 40.0, 30.0, 50.0, "x")


def _recovery(quantiles: np.ndarray, population: int, generations: int) -> pd.DataFrame:
    """For each truth (the prior's quantile ``u``): data simulated at the truth, an ABC-SMC on
    them, and whether the posterior's central 90 % interval covers the truth."""
    prior = prior_of(KEY, on_request=True)
    assert prior is not None
    rows = []
    for i, u in enumerate(quantiles):
        truth = float(prior.ppf(np.array([u]))[0])
        target = _synthetic_target(truth, seed=10_000 + i)
        result = abc_calibrate(
            TINY.with_seed(i + 1),
            [KEY],
            targets=[target],
            population=population,
            generations=generations,
            checks=0,
        )
        row = result.parameters.iloc[0]
        rows.append(
            {
                "truth": truth,
                "low": row["posterior_low"],
                "high": row["posterior_high"],
                "covered": row["posterior_low"] <= truth <= row["posterior_high"],
                "shrinkage": row["shrinkage"],
            }
        )
    return pd.DataFrame(rows)


def test_abc_recovers_known_parameters_quick() -> None:
    """Three truths across the prior: the 90 % posterior intervals cover at least two of them
    and are much narrower than the prior (the targets inform the parameter)."""
    table = _recovery(np.array([0.2, 0.5, 0.8]), population=20, generations=2)
    assert table["covered"].sum() >= 2, table
    assert table["shrinkage"].mean() > 0.4, table


@pytest.mark.slow
def test_abc_recovery_coverage_is_about_nominal() -> None:
    """Twenty truths spread over the prior: the 90 % posterior interval covers the truth about
    90 % of the time (at least 15 of 20: below that has probability about 1 % if the coverage
    is 90 %), and the posterior is informative."""
    table = _recovery((np.arange(20) + 0.5) / 20, population=20, generations=2)
    assert table["covered"].sum() >= 15, table
    assert table["shrinkage"].mean() > 0.5, table
