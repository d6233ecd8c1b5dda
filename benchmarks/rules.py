"""Where the time of a week goes: each weekly rule timed on its own; prints ONE JSON line.

Run with ``.venv/bin/python benchmarks/rules.py`` (docs/performance.md, "Where the time goes").
Not part of the test suite. The scaled baseline of ``benchmarks/run.py`` (about 100k Mesa agents,
``build_graph=False``) is stepped to week ``--from-week`` (200), then ``--weeks`` (30) weeks are
stepped with every rule that ``ReintegrationModel.step`` calls from ``submodels`` wrapped in a
timer, as are ``Recorder.record`` and ``Caseload.update`` (the latter also counted inside
``update_caseloads``). The result: milliseconds per week for each, and the total per week.
Timing wrappers add a little to every call; the total is measured with them in place.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict

from run import agents_of, scaled_scenario  # benchmarks/run.py, next to this script

from reintegration_sim.model import ReintegrationModel, submodels
from reintegration_sim.model.caseload import Caseload
from reintegration_sim.model.outcomes import Recorder

#: the rules ReintegrationModel.step calls, by name in submodels
RULES = (
    "advance_phases",
    "age_and_die",
    "influence_in_custody",
    "unfair_incidents",
    "recruit_in_prison",
    "update_caseloads",
    "release_day",
    "update_stigma",
    "material_support",
    "family_dynamics",
    "recruit_in_community",
    "practitioner_work",
    "drift_ideology_and_ties",
    "offend_and_reconvict",
    "detect_and_recall",
    "reach_milestones",
)


def _timed(function, name: str, totals: dict[str, float]):
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            totals[name] += time.perf_counter() - start

    return wrapper


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=100_000, help="Mesa agents (about)")
    parser.add_argument("--from-week", type=int, default=200, help="weeks stepped untimed")
    parser.add_argument("--weeks", type=int, default=30, help="weeks timed")
    args = parser.parse_args(argv)

    model = ReintegrationModel(scaled_scenario(args.agents), build_graph=False)
    for _ in range(args.from_week):
        model.step()
    totals: dict[str, float] = defaultdict(float)
    for name in RULES:
        setattr(submodels, name, _timed(getattr(submodels, name), name, totals))
    Recorder.record = _timed(Recorder.record, "Recorder.record", totals)
    Caseload.update = _timed(Caseload.update, "Caseload.update", totals)
    start = time.perf_counter()
    for _ in range(args.weeks):
        model.step()
    total = time.perf_counter() - start
    per_week = {name: round(1000 * s / args.weeks, 2) for name, s in totals.items()}
    print(
        json.dumps(
            {
                "agents": agents_of(model),
                "people": int(model.people.n),
                "weeks": f"{args.from_week}-{args.from_week + args.weeks}",
                "ms_per_week_total": round(1000 * total / args.weeks, 2),
                "ms_per_week": dict(sorted(per_week.items(), key=lambda kv: -kv[1])),
            }
        )
    )


if __name__ == "__main__":
    main()
