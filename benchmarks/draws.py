"""Assumption-draws benchmark: prints ONE JSON line (see docs/performance.md, "Draws").

Run with ``.venv/bin/python benchmarks/draws.py``. Not part of the test suite. Measured:

* ``draws_per_minute``: joint draws of the assumptions per minute of a 4-scenario comparison
  (the baseline and the three named practices of ``make demo``), one run per scenario in each
  draw (``draw_replications`` 1), through :func:`reintegration_sim.analysis.uncertainty.run_draws`,
  with 1 and with 2 local worker processes, at the demo's population (1,000 + 1,000 people,
  520 weeks) and at a small one (200 + 200, 260 weeks);
* ``minutes_for_1000_draws``: the 1,000-draw time those rates imply on this machine.

Draws are the unit of work handed to a worker (all scenarios of one draw run in one task), so a
Dask cluster of W single-threaded workers runs about W draws at once; the rate grows with W until
the scheduler's overhead (milliseconds a task) matters, far below one draw's seconds.

``--quick`` measures only the small size with 2 draws (a smoke test, not a measurement).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

from reintegration_sim import load
from reintegration_sim.analysis.experiment import process_pool
from reintegration_sim.analysis.uncertainty import plan_draws, run_draws

NAMES = ["baseline", "rotterdam_case_conferences", "german_hybrid_model", "uk_contest_3"]
SIZES = {"demo": (1000, 520), "small": (200, 260)}


def measure(people: int, weeks: int, n_draws: int, workers: int) -> dict[str, float]:
    overrides = {
        "population.n_extremist": people,
        "population.n_comparison": people,
        "horizon_weeks": weeks,
    }
    scenarios = [load(name).with_overrides(overrides) for name in NAMES]
    seed = scenarios[0].seed
    scenarios = [s.with_seed(seed) for s in scenarios]
    plan = plan_draws(scenarios, n_draws, None, 1)
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        if workers == 1:
            run_draws(plan, scenarios, Path(folder))
        else:
            with process_pool(workers) as pool:
                run_draws(plan, scenarios, Path(folder), pool)
        seconds = time.perf_counter() - start
    rate = 60.0 * n_draws / seconds
    return {
        "draws": n_draws,
        "workers": workers,
        "seconds": round(seconds, 2),
        "draws_per_minute": round(rate, 2),
        "minutes_for_1000_draws": round(1000 / rate, 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small size, 2 draws (smoke test)")
    args = parser.parse_args(argv)
    results: dict[str, list[dict[str, float]]] = {}
    sizes = {"small": SIZES["small"]} if args.quick else SIZES
    for label, (people, weeks) in sizes.items():
        n_draws = 2 if args.quick else (4 if label == "demo" else 8)
        results[label] = [
            measure(people, weeks, n_draws, workers) for workers in ((1,) if args.quick else (1, 2))
        ]
    print(
        json.dumps(
            {
                "benchmark": "draws",
                "scenarios": NAMES,
                "sizes": {k: {"people_per_cohort": v[0], "weeks": v[1]} for k, v in sizes.items()},
                "results": results,
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
            }
        )
    )


if __name__ == "__main__":
    main()
