"""Shared helpers for the test suite: small scenarios, runs, paired (common random numbers)
comparisons and the 95 % interval check used by the mechanism tests.

The helpers are reached through the ``sim`` fixture (``sim.scenario(...)``, ``sim.run(...)``,
``sim.paired(...)``, ``sim.assert_effect(...)``), so test modules never import ``conftest``.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import stats

from reintegration_sim import cli
from reintegration_sim.model import ReintegrationModel
from reintegration_sim.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent

#: the state indices that must stay in [0, 1] (arrays of ``model.people``)
UNIT_INDICES = (
    "ideology",
    "group_ties",
    "trust",
    "hope",
    "stigma",
    "stigma_conviction",
    "family_ties",
    "family_trust",
)


@dataclass
class Run:
    """A finished replication and, if asked for, each person's state ``weeks_after`` their
    first release (NaN for people not yet released that long at the horizon)."""

    model: ReintegrationModel
    after_release: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def people(self):
        return self.model.people

    def indicator(self, key: str, cohort: str = "all") -> np.ndarray:
        """The weekly values of one recorded indicator (index = week)."""
        rec = self.model.recorder
        return rec.values[:, rec._index[key, cohort]]


def make_scenario(
    n_extremist: int = 300,
    n_comparison: int = 300,
    weeks: int = 104,
    seed: int | None = None,
    **groups: dict[str, Any],
) -> Scenario:
    """A small test scenario: baseline defaults, the given population and horizon, and
    parameter overrides passed as ``group={name: value}``."""
    overrides: dict[str, dict[str, Any]] = {
        "population": {"n_extremist": n_extremist, "n_comparison": n_comparison}
    }
    for group, values in groups.items():
        overrides.setdefault(group, {}).update(values)
    scenario = Scenario(name="test", description="test scenario").with_parameters(overrides)
    scenario = scenario.with_horizon(weeks)
    return scenario if seed is None else scenario.with_seed(seed)


def run(
    scenario: Scenario,
    replication: int = 0,
    *,
    track: Iterable[str] = (),
    weeks_after: int = 4,
) -> Run:
    """Run one replication to its horizon; ``track`` names people arrays to snapshot
    ``weeks_after`` weeks after each person's first release."""
    model = ReintegrationModel(scenario, replication=replication, build_graph=False)
    track = tuple(track)
    if not track:
        return Run(model.run())
    snaps = {name: np.full(model.people.n, np.nan) for name in track}
    while model.running:
        model.step()
        p = model.people
        now = (p.first_release_week >= 0) & (p.first_release_week + weeks_after == model.week)
        for name in track:
            snaps[name][now] = getattr(p, name)[now]
    return Run(model, snaps)


def paired(
    base: Scenario,
    policy: Scenario,
    metric: Callable[[Run], float] | dict[str, Callable[[Run], float]],
    n_reps: int,
    **run_kwargs: Any,
) -> np.ndarray | dict[str, np.ndarray]:
    """``metric(policy) - metric(base)`` for replications ``0 .. n_reps-1``; both arms share
    the scenario seed and the replication index (common random numbers). ``metric`` may be a
    dict of named metrics, computed on the same runs; then a dict of arrays is returned."""
    assert base.seed == policy.seed, "paired runs must share the seed"
    metrics = metric if isinstance(metric, dict) else {"_": metric}
    diffs: dict[str, list[float]] = {name: [] for name in metrics}
    for r in range(n_reps):
        a, b = run(base, r, **run_kwargs), run(policy, r, **run_kwargs)
        for name, fn in metrics.items():
            diffs[name].append(fn(b) - fn(a))
    out = {name: np.asarray(values, dtype=float) for name, values in diffs.items()}
    return out if isinstance(metric, dict) else out["_"]


def interval(diffs: np.ndarray) -> tuple[float, float, float]:
    """Mean paired difference and its t-based 95 % interval (mean +- t sd / sqrt(n)), the same
    interval that ``compare`` reports."""
    diffs = np.asarray(diffs, dtype=float)
    mean = float(diffs.mean())
    if diffs.size < 2:
        return mean, -np.inf, np.inf
    t = float(stats.t.ppf(0.975, diffs.size - 1))
    half = t * float(diffs.std(ddof=1)) / np.sqrt(diffs.size)
    return mean, mean - half, mean + half


def assert_effect(diffs: np.ndarray, direction: str, what: str) -> None:
    """The 95 % interval of the mean paired difference excludes zero on the expected side
    (``direction`` is ``"up"`` or ``"down"``: policy minus base)."""
    assert direction in ("up", "down")
    assert np.all(np.isfinite(diffs)), f"{what}: non-finite paired differences {diffs}"
    mean, lo, hi = interval(diffs)
    summary = (
        f"{what}: mean paired difference {mean:+.4g}, 95% interval [{lo:+.4g}, {hi:+.4g}], "
        f"n={diffs.size}, per replication {np.round(diffs, 4).tolist()}"
    )
    print(summary)  # shown with pytest -rP: the margin of every mechanism test
    if direction == "up":
        assert lo > 0, f"expected an increase; {summary}"
    else:
        assert hi < 0, f"expected a decrease; {summary}"


def cli_output(argv: list[str]) -> tuple[int, str]:
    """Exit status and standard output of ``reintegration-sim ARGV``, run in this process."""
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        status = cli.main(argv)
    return status, stdout.getvalue()


def scenario_file(folder: Path, scenario: Scenario, name: str) -> Path:
    """``scenario`` written as ``folder/NAME.toml``."""
    path = folder / f"{name}.toml"
    path.write_text(scenario.to_toml(), encoding="utf-8")
    return path


#: the Debian chromium the browser tests drive (Playwright cannot download browsers here), and
#: its switches: no sandbox as root, no GPU, and none of its own network traffic
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium() -> None:
    """Skip where chromium is missing and cannot be installed; fail where ``make test`` would
    have installed it."""
    if not CHROMIUM.exists():
        if os.geteuid() != 0:
            pytest.skip(
                "no /usr/bin/chromium and not root, so it cannot be installed: install the "
                "Debian package 'chromium' (make test does so when run as root)"
            )
        pytest.fail("/usr/bin/chromium is missing: run `make test` (installs it) first")


def launch_chromium(playwright: Any) -> Any:
    """A headless chromium of ``playwright`` (a started sync_playwright)."""
    require_chromium()
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )


class Sim:
    """Namespace handed to tests by the ``sim`` fixture."""

    scenario = staticmethod(make_scenario)
    run = staticmethod(run)
    paired = staticmethod(paired)
    interval = staticmethod(interval)
    assert_effect = staticmethod(assert_effect)
    cli = staticmethod(cli_output)
    scenario_file = staticmethod(scenario_file)
    require_chromium = staticmethod(require_chromium)
    launch_chromium = staticmethod(launch_chromium)
    unit_indices = UNIT_INDICES


@pytest.fixture(scope="session")
def sim() -> type[Sim]:
    return Sim


@pytest.fixture(scope="module")
def config():
    """The dashboard's base scenario and the presets the served page uses (the dashboard's
    tests)."""
    from reintegration_sim.dashboard.app import load_config

    base, presets, problems = load_config()
    assert problems == ()
    return base, presets
