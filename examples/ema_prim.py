"""Scenario discovery with the EMA Workbench: under which assumptions does re-engagement stay high?

The model's recruiter parameters have no published figures (they are "assumption" in the
parameter register). This example treats them as *uncertainties*, two policy settings as
*levers*, runs the model over both with the EMA Workbench, and uses PRIM (the Patient Rule
Induction Method) to find the region of the uncertainties where documented re-engagement in
the first two years after release is highest, whatever the policy.

It drives the plain function :func:`reintegration_sim.analysis.sensitivity.evaluate`, which runs one
replication with register parameters set by their dotted keys and returns the outcomes. EMA 3
wants Python identifiers as names, so a dot in a key becomes a double underscore on EMA's
side (``recruiters.gate_presence`` is ``recruiters__gate_presence``). Every experiment runs
the same replications (common random numbers), so differences between experiments come from
the parameters, not from noise.

Needs the EMA Workbench, which running the model does not; `make test` installs it with the
``test`` extra (otherwise ``.venv/bin/pip install ema_workbench``)::

    .venv/bin/python examples/ema_prim.py            # 64 scenarios x 4 policies x 3 replications
    .venv/bin/python examples/ema_prim.py --quick    # a smaller run (about half a minute)

Synthetic populations only: this finds regions of the model's assumptions, never anything
about a real person.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from ema_workbench import RealParameter, ReplicatorModel, ScalarOutcome, perform_experiments
from ema_workbench.analysis import prim

from reintegration_sim.analysis.sensitivity import evaluate
from reintegration_sim.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parent.parent
#: outcome keys of reintegration-sim (see reintegration_sim.analysis.sensitivity)
OUTCOME_KEYS = ["extremist.reengagement.2y", "extremist.terror_reoffence.2y"]


def ema_name(key: str) -> str:
    """EMA's name for a dotted register or outcome key."""
    return key.replace(".", "__")


def register_key(name: str) -> str:
    """The register key of an EMA name."""
    return name.replace("__", ".")


OUTCOMES = [ema_name(key) for key in OUTCOME_KEYS]
#: assumptions without published figures, over their plausible ranges in the register
UNCERTAINTIES = [
    RealParameter(ema_name("recruiters.gate_presence"), 0.0, 0.5),
    RealParameter(ema_name("recruiters.gate_success_unmet"), 0.2, 0.9),
    RealParameter(ema_name("recruiters.community_per_1000"), 0.0, 20.0),
    RealParameter(ema_name("recruiters.approach_success"), 0.02, 0.3),
]
#: what a ministry could change
LEVERS = [
    RealParameter(ema_name("release.continuity"), 0.0, 1.0),
    RealParameter(ema_name("release.family_pickup"), 0.3, 0.9),
]


def base_scenario(quick: bool) -> Scenario:
    """The calibrated baseline, smaller and shorter in quick mode."""
    scenario = load_scenario(ROOT / "scenarios" / "baseline.toml").with_horizon(
        156 if quick else 260
    )
    if quick:
        scenario = scenario.with_parameters(
            {"population": {"n_extremist": 300, "n_comparison": 50}}
        )
    return scenario


def build_model(scenario: Scenario, replications: int) -> ReplicatorModel:
    """An EMA model around :func:`evaluate`: the same replications for every experiment."""

    def run(replication: int, **kwargs: float) -> dict[str, float]:
        parameters = {register_key(name): value for name, value in kwargs.items()}
        result = evaluate(scenario, replication, outcomes=OUTCOME_KEYS, **parameters)
        return {ema_name(key): value for key, value in result.items()}

    model = ReplicatorModel("reintegration", function=run)
    model.replications = [{"replication": r} for r in range(replications)]
    model.uncertainties = UNCERTAINTIES
    model.levers = LEVERS
    model.outcomes = [ScalarOutcome(key, function=np.mean) for key in OUTCOMES]
    return model


def discover(
    experiments: pd.DataFrame, outcomes: dict[str, np.ndarray], quantile: float = 0.75
) -> prim.PrimBox | None:
    """PRIM on the uncertainties: where is re-engagement within two years in the top quarter?"""
    x = experiments[[u.name for u in UNCERTAINTIES]]
    y = outcomes[OUTCOMES[0]] >= np.quantile(outcomes[OUTCOMES[0]], quantile)
    return prim.Prim(x, y).find_box()


def main(argv: list[str] | None = None) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller run")
    args = parser.parse_args(argv)
    scenarios, policies, replications = (16, 2, 2) if args.quick else (64, 4, 3)
    model = build_model(base_scenario(args.quick), replications)
    experiments, outcomes = perform_experiments(
        model,
        scenarios=scenarios,
        policies=policies,
        uncertainty_sampling_kwargs={"rng": 20181106},  # seeded Latin hypercube designs
        lever_sampling_kwargs={"rng": 20181107},
    )
    print(f"{len(experiments)} experiments, each the mean of {replications} replications")
    summary = pd.DataFrame(outcomes).describe().loc[["mean", "min", "max"]]
    print(summary.round(2).to_string())
    box = discover(experiments, outcomes)
    if box is None:
        print("PRIM found no box")
    else:
        print("PRIM box (limits on the uncertainties where re-engagement is in the top quarter):")
        # the last box of the peeling trajectory: the densest, covering fewest cases
        print(box.box_lims[-1].round(3).to_string())
        stats = box.peeling_trajectory.iloc[-1]
        print(
            f"coverage {stats['coverage']:.2f} (share of the top-quarter cases inside the box), "
            f"density {stats['density']:.2f} (share of the box that is top quarter)"
        )
    return experiments, outcomes


if __name__ == "__main__":
    main()
