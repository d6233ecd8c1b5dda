"""Performance benchmark: prints ONE JSON line (see docs/performance.md).

Run with ``make bench`` or ``.venv/bin/python benchmarks/run.py``. Not part of the test suite.

Measured:

* ``baseline_replication_s``: one baseline replication in this process (model construction with
  ``build_graph=False``, ``run()`` to the horizon, ``people_table`` and ``recorder.frame``),
  median of 5 after one untimed replication that loads the compiled kernels
  (``baseline_first_replication_s``);
* ``agent_steps_per_s``: agents (``model.n_agents``: the Mesa agents, with every person's Person
  and FamilyMember agent counted whether or not it has been made) x weeks stepped / seconds of
  stepping (after a few warm-up weeks; construction excluded), for models of about 10k, 100k and
  1M agents (``build_graph=False``); construction time and RSS are reported too;
* ``virus_example_agent_steps_per_s``: the same figure for Mesa's bundled virus example
  (``benchmarks/virus.py``: the example's agents, step and data collector on a seeded graph);
* ``sobol_20000_runs_projected_min`` and ``draws_1000_x4_scenarios_projected_min``: the wall
  time, on 2 local worker processes, that a 20,000-run Sobol sweep of the 10-year baseline and
  a 1,000-draw comparison of the 4 scenarios of ``make demo`` would take at the rates measured
  here (16 sweep runs; 4 draws, as ``benchmarks/draws.py`` times them).

Each size runs in a fresh process (so that its peak RSS is its own), three times; the run with
the median throughput is reported, with all three rates, and ``fastest_agent_steps_per_s``: the
same figure from each step's fastest time over the three runs (every run steps through the same
seeded states, and other processes only ever add time), with ``speedup_vs_virus_fastest_steps``
the ratio of those figures, the steadier of the two ratios on a busy machine.

``--quick`` runs smaller sizes with fewer steps (a smoke test of the script, not a measurement).
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.toml"

#: agents key -> (warm-up weeks, measured weeks) for the reintegration model
MODEL_SIZES = {10_000: (10, 30), 100_000: (10, 30), 1_000_000: (5, 10)}
#: agents key -> measured steps for the virus example
VIRUS_SIZES = {10_000: 20, 100_000: 8}
QUICK_MODEL_SIZES = {2_000: (2, 5), 10_000: (2, 5)}
#: the same later in the run, when most people have been released (more of them in the community)
LATE_SIZES = {100_000: (200, 30)}
QUICK_LATE_SIZES = {10_000: (20, 5)}
QUICK_VIRUS_SIZES = {2_000: 5, 10_000: 3}
VIRUS_GRAPH_SEED = 20181106
VIRUS_MESA_SEED = 42


def _rss_now_bytes() -> int:
    """Resident set size now (Linux /proc; falls back to the peak)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return _rss_peak_bytes()


def _rss_peak_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # kB on Linux


def agents_of(model) -> int:
    """The agents the model represents (``model.n_agents``): every Mesa agent, and the Person
    and FamilyMember agents of every person whether or not their Mesa objects have been made
    (they are made only where something reads them). Older trees, which made them all, have
    no ``n_agents``: there it is ``len(model.agents)``, the same count."""
    return int(getattr(model, "n_agents", None) or len(model.agents))


def _mib(n_bytes: float) -> float:
    return round(n_bytes / 2**20, 1)


def baseline_scenario():
    from reintegration_sim.scenario import Scenario, load_scenario

    if BASELINE.exists():
        return load_scenario(BASELINE)
    return Scenario(name="baseline", description="default parameters (the baseline)")


def _with_people(scenario, n_people: int):
    """The scenario with ``n_people`` people split evenly between the cohorts."""
    n_ext = n_people // 2
    return scenario.with_parameters(
        {"population": {"n_extremist": n_ext, "n_comparison": n_people - n_ext}}
    )


def _agents_per_person(scenario) -> tuple[float, float]:
    """Mesa agents per person and fixed agents, from two small models: persons, families,
    recruiters and practitioners scale with people; communities, organisations and agencies do
    not."""
    from reintegration_sim.model import ReintegrationModel

    sizes = (2_000, 4_000)
    agents = [
        agents_of(ReintegrationModel(_with_people(scenario, n), build_graph=False)) for n in sizes
    ]
    per_person = (agents[1] - agents[0]) / (sizes[1] - sizes[0])
    return per_person, agents[0] - per_person * sizes[0]


def scaled_scenario(n_agents: int):
    """The baseline scenario with people split evenly between the cohorts so that the model has
    about ``n_agents`` Mesa agents."""
    scenario = baseline_scenario()
    per_person, fixed = _agents_per_person(scenario)
    return _with_people(scenario, max(2, round((n_agents - fixed) / per_person)))


# ---------------------------------------------------------------------------- measurements
def measure_baseline(repeats: int = 5) -> dict:
    """One replication of the baseline, untimed first (it loads the compiled kernels from
    numba's cache, or compiles them: reported as ``baseline_first_replication_s``), then
    ``repeats`` timed ones; the median is the figure a sweep or a comparison sees."""
    from reintegration_sim.model import ReintegrationModel
    from reintegration_sim.model.outcomes import people_table

    scenario = baseline_scenario()

    def one() -> tuple[float, ReintegrationModel]:
        t0 = time.perf_counter()
        model = ReintegrationModel(scenario, replication=0, build_graph=False).run()
        people_table(model)
        model.recorder.frame(scenario.name, 0)
        return time.perf_counter() - t0, model

    first, model = one()
    times = [one()[0] for _ in range(repeats)]
    return {
        "baseline_replication_s": round(statistics.median(times), 3),
        "baseline_replication_runs_s": [round(t, 3) for t in times],
        "baseline_first_replication_s": round(first, 3),
        "baseline_weeks": scenario.horizon_weeks,
        "baseline_agents": agents_of(model),
    }


def measure_model(n_agents: int, warmup: int, steps: int) -> dict:
    """One scaled model in this process: construction, warm-up, timed steps, peak RSS."""
    from reintegration_sim.model import ReintegrationModel

    scenario = scaled_scenario(n_agents)
    gc.collect()
    rss_start = _rss_now_bytes()
    t0 = time.perf_counter()
    model = ReintegrationModel(scenario, replication=0, build_graph=False)
    construct_s = time.perf_counter() - t0
    rss_built = _rss_now_bytes()
    for _ in range(warmup):
        model.step()
    step_s, times = _timed_steps(model, steps)
    agents = agents_of(model)
    peak = _rss_peak_bytes()
    return {
        "agents": agents,
        "mesa_agents_made": len(model.agents),
        "people": model.people.n,
        "construct_s": round(construct_s, 3),
        "warmup_weeks": warmup,
        "steps": steps,
        "step_s": round(step_s, 3),
        "agent_steps_per_s": agents * steps / step_s,
        "step_times_s": times,
        "released_by_end": int((model.people.first_release_week >= 0).sum()),
        "rss_before_mib": _mib(rss_start),
        "rss_after_construct_mib": _mib(rss_built),
        "peak_rss_mib": _mib(peak),
        "model_bytes_per_agent": round((rss_built - rss_start) / agents),
        "peak_bytes_per_agent": round((peak - rss_start) / agents),
    }


def _timed_steps(model, steps: int) -> tuple[float, list[float]]:
    """Step ``model`` ``steps`` times: the total seconds and each step's."""
    times = []
    t0 = time.perf_counter()
    for _ in range(steps):
        start = time.perf_counter()
        model.step()
        times.append(time.perf_counter() - start)
    return time.perf_counter() - t0, times


def measure_virus(n_agents: int, steps: int) -> dict:
    """Mesa's virus example (seeded graph, mean degree 8) in this process."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from virus import SeededVirusOnNetwork, State

    gc.collect()
    rss_start = _rss_now_bytes()
    t0 = time.perf_counter()
    model = SeededVirusOnNetwork(
        num_nodes=n_agents, avg_node_degree=8, rng=VIRUS_MESA_SEED, graph_seed=VIRUS_GRAPH_SEED
    )
    construct_s = time.perf_counter() - t0
    rss_built = _rss_now_bytes()
    step_s, times = _timed_steps(model, steps)
    agents = len(model.agents)
    peak = _rss_peak_bytes()
    states = [a.state for a in model.agents]
    return {
        "agents": agents,
        "construct_s": round(construct_s, 3),
        "steps": steps,
        "step_s": round(step_s, 3),
        "agent_steps_per_s": agents * steps / step_s,
        "step_times_s": times,
        "infected_at_end": states.count(State.INFECTED),
        "resistant_at_end": states.count(State.RESISTANT),
        "rss_before_mib": _mib(rss_start),
        "peak_rss_mib": _mib(peak),
        "model_bytes_per_agent": round((rss_built - rss_start) / agents),
        "peak_bytes_per_agent": round((peak - rss_start) / agents),
    }


def _sweep_run(replication: int) -> dict[str, float]:
    """One run of a sweep of the 10-year baseline: what ``reintegration-sim sweep`` runs for
    a design point (build, run, people table, outcome values)."""
    from reintegration_sim.analysis.sensitivity import evaluate

    return evaluate(baseline_scenario(), replication)


def measure_projections(workers: int = 2, runs: int = 16, draws: int = 4) -> dict:
    """Projected wall time on ``workers`` local worker processes of a 20,000-run Sobol sweep
    of the 10-year baseline (``runs`` runs timed after one warm-up run per worker) and of a
    1,000-draw comparison of the 4 scenarios of ``make demo`` (``benchmarks/draws.py`` at the
    demo's size, ``draws`` draws of one run per scenario)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from draws import SIZES
    from draws import measure as measure_draws

    from reintegration_sim.analysis.experiment import process_pool

    with process_pool(workers) as pool:
        list(pool.map(_sweep_run, range(workers)))  # start the workers, load the kernels
        t0 = time.perf_counter()
        list(pool.map(_sweep_run, range(runs)))
        sweep_s = time.perf_counter() - t0
    people, weeks = SIZES["demo"]
    d = measure_draws(people, weeks, draws, workers)
    return {
        "projection_workers": workers,
        "sweep_runs_timed": runs,
        "sweep_runs_per_s": _round(runs / sweep_s),
        "sobol_20000_runs_projected_min": round(20_000 * sweep_s / runs / 60, 1),
        "draws_timed": draws,
        "draws_per_minute": d["draws_per_minute"],
        "draws_1000_x4_scenarios_projected_min": d["minutes_for_1000_draws"],
    }


def _in_subprocess(*args: str) -> dict:
    """Run one measurement in a fresh interpreter (own peak RSS) and return its JSON."""
    out = subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True, cwd=ROOT
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _median_of(repeats: int, *args: str) -> dict:
    """The run with the median throughput of ``repeats`` fresh-process runs (all rates kept),
    and the throughput of the fastest steps: both models step through the same states in every
    run (seeded), so each step's fastest time over the runs is that step's time with the least
    interference from other processes (``fastest_agent_steps_per_s``)."""
    runs = sorted(
        (_in_subprocess(*args) for _ in range(repeats)), key=lambda r: r["agent_steps_per_s"]
    )
    median = dict(runs[len(runs) // 2])
    median["runs_agent_steps_per_s"] = [_round(r["agent_steps_per_s"]) for r in runs]
    fastest = sum(min(step) for step in zip(*(r["step_times_s"] for r in runs), strict=True))
    median["fastest_agent_steps_per_s"] = median["agents"] * median["steps"] / fastest
    del median["step_times_s"]
    return median


def _versions() -> dict:
    import mesa
    import networkx
    import scipy

    return {
        "python": platform.python_version(),
        "mesa": mesa.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "networkx": networkx.__version__,
        "cpu_count": os.cpu_count(),
        "machine": platform.machine(),
    }


def _round(x: float) -> float:
    return float(f"{x:.4g}") if math.isfinite(x) else x


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke test)")
    parser.add_argument("--worker", choices=["model", "virus"], help=argparse.SUPPRESS)
    parser.add_argument("--agents", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--warmup", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--steps", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker == "model":
        print(json.dumps(measure_model(args.agents, args.warmup, args.steps)))
        return
    if args.worker == "virus":
        print(json.dumps(measure_virus(args.agents, args.steps)))
        return

    load_at_start = os.getloadavg()[0]  # other processes compete for the cores if this is high
    model_sizes = QUICK_MODEL_SIZES if args.quick else MODEL_SIZES
    late_sizes = QUICK_LATE_SIZES if args.quick else LATE_SIZES
    virus_sizes = QUICK_VIRUS_SIZES if args.quick else VIRUS_SIZES
    result: dict = measure_baseline(1 if args.quick else 5)
    result.update(measure_projections(runs=4, draws=1) if args.quick else measure_projections())

    repeats = 1 if args.quick else 3

    def model_runs(sizes: dict[int, tuple[int, int]]) -> dict[str, dict]:
        return {
            str(n): _median_of(
                repeats,
                "--worker",
                "model",
                "--agents",
                str(n),
                "--warmup",
                str(w),
                "--steps",
                str(s),
            )
            for n, (w, s) in sizes.items()
        }

    models, late = model_runs(model_sizes), model_runs(late_sizes)
    viruses = {
        str(n): _median_of(repeats, "--worker", "virus", "--agents", str(n), "--steps", str(s))
        for n, s in virus_sizes.items()
    }
    result["agent_steps_per_s"] = {k: _round(v["agent_steps_per_s"]) for k, v in models.items()}
    result["agent_steps_per_s_late"] = {
        k: {
            "from_week": v["warmup_weeks"],
            "weeks": v["steps"],
            "rate": _round(v["agent_steps_per_s"]),
        }
        for k, v in late.items()
    }
    result["virus_example_agent_steps_per_s"] = {
        k: _round(v["agent_steps_per_s"]) for k, v in viruses.items()
    }
    result["speedup_vs_virus"] = {
        k: _round(models[k]["agent_steps_per_s"] / viruses[k]["agent_steps_per_s"])
        for k in viruses
        if k in models
    }
    result["speedup_vs_virus_fastest_steps"] = {
        k: _round(models[k]["fastest_agent_steps_per_s"] / viruses[k]["fastest_agent_steps_per_s"])
        for k in viruses
        if k in models
    }
    for detail in (*models.values(), *late.values(), *viruses.values()):
        detail["agent_steps_per_s"] = _round(detail["agent_steps_per_s"])
        detail["fastest_agent_steps_per_s"] = _round(detail["fastest_agent_steps_per_s"])
    result["model_detail"] = models
    result["model_late_detail"] = late
    result["virus_detail"] = viruses
    result["build_graph"] = False
    result.update(_versions())
    result["load_average_1m_at_start"] = round(load_at_start, 2)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
