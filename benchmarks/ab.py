"""Two versions of the model side by side on a noisy machine; prints ONE JSON line.

Run with ``.venv/bin/python benchmarks/ab.py --base <other tree>/src`` (docs/performance.md).
Not part of the test suite. A change that leaves every number as it was (the regression baseline
unchanged) steps through the same weeks in both versions, so the two can be compared week by
week. Each round runs the base and then the new version, each in a fresh process: the scaled
baseline of ``benchmarks/run.py`` (about ``--agents`` Mesa agents, ``build_graph=False``) is
stepped to week ``--from-week``, then ``--weeks`` weeks are timed one by one (the two versions
take turns going first). A week's time is the fastest of its ``--rounds`` runs (other processes
only ever add time), and the result is the sum over the timed weeks for each version and their
ratio (above 1: the new version is faster), with the ratio of each round's totals beside it as
a measure of the noise. ``same_state`` says whether the two versions ended in the same state (a
digest of every person's state): a change meant to move no number must give true.
The base tree must be another checkout of this project (``git worktree add /tmp/base <commit>``)
whose compiled kernels are cached or compile on the first round.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def step_times(agents: int, from_week: int, weeks: int) -> dict:
    """Seconds of each of ``weeks`` steps after ``from_week`` untimed ones, in this process, and
    a digest of the people's state at the end."""
    from run import _timed_steps, scaled_scenario  # benchmarks/run.py, next to this script

    from reintegration_sim.model import ReintegrationModel

    model = ReintegrationModel(scaled_scenario(agents), replication=0, build_graph=False)
    for _ in range(from_week):
        model.step()
    _, times = _timed_steps(model, weeks)
    digest = hashlib.sha256()
    for name, values in sorted(vars(model.people).items()):
        if hasattr(values, "tobytes"):
            digest.update(name.encode() + values.tobytes())
    return {"times": times, "state": digest.hexdigest()}


def _run(src: Path, args: argparse.Namespace) -> dict:
    command = [sys.executable, __file__, "--worker", "--agents", str(args.agents)]
    command += ["--from-week", str(args.from_week), "--weeks", str(args.weeks)]
    env = {**os.environ, "PYTHONPATH": str(src)}
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"ab.py: the run with {src} failed:\n{done.stderr}")
    return json.loads(done.stdout)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, help="the other version's src directory")
    parser.add_argument("--new", type=Path, default=ROOT / "src", help="default: this tree's")
    parser.add_argument("--agents", type=int, default=100_000, help="Mesa agents (about)")
    parser.add_argument("--from-week", type=int, default=10, help="weeks stepped untimed")
    parser.add_argument("--weeks", type=int, default=30, help="weeks timed")
    parser.add_argument("--rounds", type=int, default=6, help="runs of each version")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(step_times(args.agents, args.from_week, args.weeks)))
        return
    if args.base is None or not (args.base / "reintegration_sim").is_dir():
        parser.error("--base must be the src directory of another checkout of this project")
    trees = {"base": args.base, "new": args.new}
    runs: dict[str, list[list[float]]] = {"base": [], "new": []}
    states: dict[str, set[str]] = {"base": set(), "new": set()}
    for r in range(args.rounds):
        for version in ("base", "new") if r % 2 == 0 else ("new", "base"):
            result = _run(trees[version], args)
            runs[version].append(result["times"])
            states[version].add(result["state"])
    fastest = {k: [min(week) for week in zip(*v, strict=True)] for k, v in runs.items()}
    total = {k: sum(v) for k, v in fastest.items()}
    per_round = [sum(b) / sum(n) for b, n in zip(runs["base"], runs["new"], strict=True)]
    print(
        json.dumps(
            {
                "agents": args.agents,
                "from_week": args.from_week,
                "weeks": args.weeks,
                "rounds": args.rounds,
                "base_ms_per_week": round(total["base"] / args.weeks * 1e3, 3),
                "new_ms_per_week": round(total["new"] / args.weeks * 1e3, 3),
                "speedup": round(total["base"] / total["new"], 3),
                "speedup_by_round": [round(x, 3) for x in per_round],
                "same_state": states["base"] == states["new"] and len(states["new"]) == 1,
                "load_average_1m_at_end": round(os.getloadavg()[0], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
