"""Sweep benchmark: prints ONE JSON line (see docs/performance.md, "Sweeps").

Run with ``.venv/bin/python benchmarks/sweep.py``. Not part of the test suite. Measured:

* ``throughput``: runs per second of ``reintegration-sim sweep`` (the whole command: design,
  runs, part files, ``runs.parquet``, indices, plot) with 1 local worker, 2 local worker
  processes, and a Dask ``LocalCluster`` of 2 single-threaded worker processes (started before
  the clock starts, reached through ``--scheduler``), for two run sizes:

  - ``small``: the model of ``sweeps/small.toml`` (200 + 200 people, 156 weeks), a Sobol design
    of 4 parameters with N = 16 (160 runs);
  - ``tiny``: 25 + 25 people over 26 weeks, a Sobol design of 4 parameters with N = 64
    (640 runs), where the cost of handing runs out dominates;

* ``memory``: the peak resident memory of the whole process tree (the command and its worker
  processes, summed, sampled every 0.2 s with psutil) of a tiny-run Sobol sweep of 20,480 runs
  (N = 2048, 4 parameters) on 2 local workers, with the peak over each quarter of the runs and
  during the final assembly, and the same for a 2,560-run sweep (N = 256) to show how memory
  grows with the number of runs.

``--quick`` runs only the tiny throughput with 1 worker and a 640-run memory check (a smoke test
of the script, not a measurement).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
PARAMETERS = [
    "offending.terror_hazard",
    "offending.base_hazard_comparison",
    "behaviour.trust_growth",
    "recruiters.gate_presence",
]
OUTCOMES = [
    "extremist.any_reoffence.1y",
    "comparison.any_reoffence.1y",
    "extremist.state.disengaged",
]
SIZES = {"small": (200, 156, 16), "tiny": (25, 26, 64)}


def write_spec(folder: Path, people: int, weeks: int, samples: int) -> Path:
    """A Sobol spec over PARAMETERS on the baseline with ``people`` per cohort."""
    lines = [
        'name = "bench"',
        f'base = "{ROOT / "scenarios" / "baseline.toml"}"',
        'method = "sobol"',
        f"samples = {samples}",
        "seed = 11",
        f"horizon_weeks = {weeks}",
        f"outcomes = {json.dumps(OUTCOMES)}",
        f"parameters = {json.dumps(PARAMETERS)}",
        "",
        "[overrides.population]",
        f"n_extremist = {people}",
        f"n_comparison = {people}",
    ]
    path = folder / f"spec-{people}-{weeks}-{samples}.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def n_runs(samples: int) -> int:
    return samples * (2 * len(PARAMETERS) + 2)


class TreeMemory:
    """Samples the summed RSS of a process and its descendants in a background thread."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self.root = psutil.Process(pid)
        self.interval = interval
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            total = 0
            try:
                for proc in [self.root, *self.root.children(recursive=True)]:
                    with contextlib.suppress(psutil.Error):
                        total += proc.memory_info().rss
            except psutil.Error:
                break
            self.samples.append((time.monotonic(), total))
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def sweep_command(spec: Path, out: Path, *options: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "reintegration_sim",
        "sweep",
        str(spec),
        "--out",
        str(out),
        *options,
    ]


def timed_sweep(spec: Path, out: Path, *options: str) -> float:
    start = time.perf_counter()
    subprocess.run(sweep_command(spec, out, *options), check=True, capture_output=True)
    return time.perf_counter() - start


def throughput(tmp: Path, size: str, modes: list[str]) -> dict:
    people, weeks, samples = SIZES[size]
    spec = write_spec(tmp, people, weeks, samples)
    runs = n_runs(samples)
    result: dict = {"runs": runs, "people": 2 * people, "weeks": weeks}
    for mode in modes:
        out = tmp / f"{size}-{mode}"
        if mode == "dask_local_cluster_2":
            from dask.distributed import LocalCluster

            with LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster:
                seconds = timed_sweep(spec, out, "--scheduler", cluster.scheduler_address)
        else:
            seconds = timed_sweep(spec, out, "--workers", mode.split("_")[-1])
        result[mode] = {"seconds": round(seconds, 2), "runs_per_s": round(runs / seconds, 2)}
    return result


def memory(tmp: Path, samples: int) -> dict:
    """Peak RSS of the process tree of a tiny-run sweep of ``n_runs(samples)`` runs."""
    spec = write_spec(tmp, 25, 26, samples)
    out = tmp / f"memory-{samples}"
    runs = n_runs(samples)
    start = time.monotonic()
    proc = subprocess.Popen(
        sweep_command(spec, out, "--workers", "2"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    marks: list[tuple[float, int]] = []  # (time, runs on disk) every second
    with TreeMemory(proc.pid) as monitor:
        while proc.poll() is None:
            marks.append((time.monotonic(), len(list((out / "runs").glob("part-*.parquet")))))
            time.sleep(1.0)
    assert proc.returncode == 0, f"sweep failed ({proc.returncode})"
    seconds = time.monotonic() - start
    # parts hold 200 runs each (the default chunk); the last part is written before assembly
    parts_total = -(-runs // 200)
    quarters: list[float] = []
    for q in range(1, 5):
        begin = [t for t, w in marks if w >= (q - 1) * parts_total / 4][0]
        later = [t for t, w in marks if w >= q * parts_total / 4]
        end = later[0] if later else marks[-1][0]
        peak = max((m for t, m in monitor.samples if begin <= t <= end), default=0)
        quarters.append(round(peak / 2**20, 1))
    done_at = [t for t, w in marks if w >= parts_total]
    assembly = [m for t, m in monitor.samples if done_at and t >= done_at[0]]
    return {
        "runs": runs,
        "seconds": round(seconds, 1),
        "runs_per_s": round(runs / seconds, 1),
        "peak_rss_mib": round(max(m for _, m in monitor.samples) / 2**20, 1),
        "peak_rss_mib_by_quarter": quarters,
        "peak_rss_mib_after_last_part": round(max(assembly) / 2**20, 1) if assembly else None,
        "runs_parquet_kib": round((out / "runs.parquet").stat().st_size / 1024, 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke test of the script")
    args = parser.parse_args(argv)
    modes = ["local_workers_1", "local_workers_2", "dask_local_cluster_2"]
    started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="sweep-bench-") as name:
        tmp = Path(name)
        if args.quick:
            result = {
                "throughput": {"tiny": throughput(tmp, "tiny", modes[:1])},
                "memory": {"640": memory(tmp, 64)},
            }
        else:
            result = {
                "throughput": {size: throughput(tmp, size, modes) for size in SIZES},
                "memory": {str(n_runs(s)): memory(tmp, s) for s in (256, 2048)},
            }
    result.update(
        {
            "started": started,
            "load_average_1min_at_start": load,
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
        }
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
