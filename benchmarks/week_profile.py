"""Where the time of a 10-year baseline replication goes: cProfile, printed as text.

Run with ``.venv/bin/python benchmarks/week_profile.py [--top N]`` (docs/performance.md, "Compiled
rules"). Not part of the test suite. One warm-up replication first (it loads or compiles the
numba kernels), then one profiled: ``ReintegrationModel(baseline, replication=0,
build_graph=False).run()``, ``people_table`` and ``recorder.frame``. Prints the total number of
function calls and the top functions by their own time.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats

from run import baseline_scenario  # benchmarks/run.py, next to this script

from reintegration_sim.model import ReintegrationModel
from reintegration_sim.model.outcomes import people_table


def replication() -> None:
    scenario = baseline_scenario()
    model = ReintegrationModel(scenario, replication=0, build_graph=False).run()
    people_table(model)
    model.recorder.frame(scenario.name, 0)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=25, help="functions listed")
    args = parser.parse_args(argv)
    replication()  # warm-up: kernels loaded from numba's cache (or compiled)
    profiler = cProfile.Profile()
    profiler.enable()
    replication()
    profiler.disable()
    pstats.Stats(profiler).strip_dirs().sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
