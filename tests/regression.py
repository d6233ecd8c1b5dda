"""The regression baseline: key outputs of a fixed set of scenarios and seeds, stored in
``tests/baseline.json`` (after Covasim's and Starsim's ``test_baselines.py``).

``tests/test_baseline.py`` recomputes them and fails with a readable diff when any moves.
To accept an intended change::

    make baseline        # = python tests/regression.py --update

and commit ``tests/baseline.json`` on its own, with a message that says what moved and why.

What is stored, per scenario (each run on the same small population and seed, so the
scenarios are paired on common random numbers):

* ``outputs``: the mean over :data:`REPLICATIONS` replications of every comparison measure
  (:func:`reintegration_sim.analysis.comparison.replication_levels`: event incidence per 100 releases at
  1, 2, 3 and 5 years, end states, counts and costs), plus mean end ideology and group ties per
  cohort, rounded to :data:`DIGITS` significant digits so that the file diffs readably;
* ``digests``: SHA-256 of the whole people and timeseries tables, so that a change to any
  number the summary does not show (one person, one week) still fails.

Population size, horizon and replications are structure of this check, not model parameters:
they are chosen so that the whole check runs in a few seconds.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from reintegration_sim.analysis.comparison import replication_levels
from reintegration_sim.analysis.experiment import run_scenario
from reintegration_sim.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parent.parent
BASELINE_FILE = Path(__file__).resolve().parent / "baseline.json"

#: scenario files checked: the baseline, the three named practices of `make demo`, and levers
#: that act through different mechanisms (regime, mentors, family, housing, detection)
SCENARIOS: tuple[str, ...] = (
    "baseline",
    "rotterdam_case_conferences",
    "german_hybrid_model",
    "uk_contest_3",
    "regime_separation",
    "former_extremist_mentors",
    "family_support_level_3",
    "material_support",
    "risk_assessment_security",
)
#: people per cohort, horizon and replications of the check (structure: chosen for speed)
N_PER_COHORT = 150
HORIZON_WEEKS = 520
REPLICATIONS = 2
SEED = 20181106
#: significant digits stored (summary values are means of doubles; digests catch the rest)
DIGITS = 10
#: relative tolerance of the comparison (only last-digit rounding of the stored values)
RTOL = 1e-9


def scenario(name: str) -> Scenario:
    """A scenario of the check: the shipped file, on the check's population, horizon, seed."""
    loaded = load_scenario(ROOT / "scenarios" / f"{name}.toml")
    small = {"population": {"n_extremist": N_PER_COHORT, "n_comparison": N_PER_COHORT}}
    return loaded.with_parameters(small).with_horizon(HORIZON_WEEKS).with_seed(SEED)


def _round(value: float) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    if value == 0:
        return 0.0
    return float(f"{value:.{DIGITS}g}")


def _digest(table: pd.DataFrame) -> str:
    hashed = pd.util.hash_pandas_object(table, index=False).to_numpy()
    columns = ",".join(f"{c}:{table[c].dtype}" for c in table.columns)
    return hashlib.sha256(columns.encode() + hashed.tobytes()).hexdigest()


def outputs_of(name: str) -> dict[str, Any]:
    """The stored record of one scenario."""
    timeseries, people = run_scenario(scenario(name), REPLICATIONS, progress=False)
    levels = replication_levels(people, timeseries)
    outputs: dict[str, float | None] = {}
    grouped = levels.groupby(["cohort", "kind", "outcome", "years"], dropna=False, sort=False)
    for (cohort, kind, outcome, years), group in grouped:
        when = "" if pd.isna(years) else f"@{years:g}y"
        outputs[f"{cohort}.{kind}.{outcome}{when}"] = _round(float(group["value"].mean()))
    for cohort, group in people.groupby(people["cohort"].astype(str), sort=True):
        for column in ("ideology_end", "group_ties_end"):
            outputs[f"{cohort}.mean.{column}"] = _round(float(group[column].mean()))
    return {
        "outputs": dict(sorted(outputs.items())),
        "digests": {"people": _digest(people), "timeseries": _digest(timeseries)},
    }


def compute() -> dict[str, Any]:
    """Every scenario's record, with the settings of the check."""
    return {
        "settings": {
            "n_per_cohort": N_PER_COHORT,
            "horizon_weeks": HORIZON_WEEKS,
            "replications": REPLICATIONS,
            "seed": SEED,
        },
        "scenarios": {name: outputs_of(name) for name in SCENARIOS},
    }


def _same(old: float | None, new: float | None) -> bool:
    if old is None or new is None:
        return old is new
    return math.isclose(old, new, rel_tol=RTOL, abs_tol=1e-12)


def differences(stored: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """What moved, one readable line each (empty when nothing did)."""
    lines: list[str] = []
    if stored.get("settings") != current["settings"]:
        lines.append(f"settings: {stored.get('settings')} -> {current['settings']}")
    old_scenarios = stored.get("scenarios", {})
    for name, record in current["scenarios"].items():
        old = old_scenarios.get(name)
        if old is None:
            lines.append(f"{name}: not in the stored baseline")
            continue
        moved = 0
        for key, value in record["outputs"].items():
            before = old["outputs"].get(key, "absent")
            if before == "absent" or not _same(before, value):
                moved += 1
                change = _relative(before, value)
                lines.append(f"{name}: {key}: {before} -> {value}{change}")
        for key in sorted(set(old["outputs"]) - set(record["outputs"])):
            lines.append(f"{name}: {key}: no longer computed")
        for table, digest in record["digests"].items():
            if old["digests"].get(table) != digest and not moved:
                lines.append(
                    f"{name}: the {table} table changed, although no summarised output did"
                )
    for name in sorted(set(old_scenarios) - set(current["scenarios"])):
        lines.append(f"{name}: stored but no longer checked")
    return lines


def _relative(before: Any, after: float | None) -> str:
    if isinstance(before, int | float) and after is not None and before:
        return f" ({100.0 * (after - before) / abs(before):+.2f} %)"
    return ""


def load_stored() -> dict[str, Any]:
    return json.loads(BASELINE_FILE.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--update", action="store_true", help="write tests/baseline.json from the current code"
    )
    args = parser.parse_args(argv)
    current = compute()
    if args.update:
        previous = load_stored() if BASELINE_FILE.exists() else {"scenarios": {}}
        moved = differences(previous, current)
        text = json.dumps(current, indent=1, sort_keys=False, allow_nan=False) + "\n"
        BASELINE_FILE.write_text(text, encoding="utf-8")
        print(f"wrote {BASELINE_FILE.relative_to(ROOT)}: {len(moved)} change(s)")
        for line in moved[:200]:
            print("  " + line)
        return 0
    moved = differences(load_stored(), current)
    for line in moved:
        print(line)
    print("regression baseline: " + (f"{len(moved)} change(s)" if moved else "unchanged"))
    return 1 if moved else 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    sys.exit(main())
