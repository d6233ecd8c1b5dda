"""ABC benchmark: prints ONE JSON line with ABC particles (model simulations) per minute of
``calibrate --method abc`` (see docs/uncertainty.md, "Bayesian calibration").

Run with ``.venv/bin/python benchmarks/abc.py [--workers K] [--quick]``. Not part of the test
suite. Measured: an ABC-SMC of the three calibrated offending hazards against EVIDENCE.md
section 1 on the baseline with 500 + 500 people over 520 weeks (the settings of
``make posterior``), 20 particles and 2 generations, on 1 process (single-core sampler) and
on ``--workers`` processes (multicore sampler); ``simulations_per_minute`` counts every
simulation (accepted or not, the calibration sample included), ``cpu_seconds_per_simulation``
the CPU time of the whole process tree per simulation. ``--quick`` uses 100 + 100 people over
160 weeks (a smoke test of the script, not a measurement).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import time

from reintegration_sim.analysis.abc import abc_calibrate
from reintegration_sim.scenario import load_scenario

KEYS = [
    "offending.base_hazard_comparison",
    "offending.base_hazard_extremist",
    "offending.terror_hazard",
]


def cpu_seconds() -> float:
    """CPU time of this process and its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(people: int, weeks: int, workers: int, population: int) -> dict:
    scenario = load_scenario("baseline").with_overrides(
        {"population.n_extremist": people, "population.n_comparison": people}
    )
    scenario = scenario.with_horizon(weeks)
    cpu, clock = cpu_seconds(), time.perf_counter()
    result = abc_calibrate(
        scenario, KEYS, population=population, generations=2, workers=workers, checks=0
    )
    wall = time.perf_counter() - clock
    used = cpu_seconds() - cpu
    return {
        "workers": workers,
        "people_per_cohort": people,
        "weeks": weeks,
        "population": population,
        "generations": 2,
        "simulations": result.simulations,
        "wall_seconds": round(wall, 1),
        "simulations_per_minute": round(60.0 * result.simulations / wall, 1),
        "cpu_seconds_per_simulation": round(used / result.simulations, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    people, weeks, population = (100, 160, 8) if args.quick else (500, 520, 20)
    runs = [measure(people, weeks, 1, population)]
    if args.workers > 1:
        runs.append(measure(people, weeks, args.workers, population))
    print(
        json.dumps(
            {
                "benchmark": "abc",
                "cpus": os.cpu_count(),
                "load_average_1min": round(os.getloadavg()[0], 2),
                "python": platform.python_version(),
                "runs": runs,
            }
        )
    )


if __name__ == "__main__":
    main()
