"""reintegration-sim: an agent-based simulation of release and reintegration after violent
extremist offences, for comparing policies on synthetic populations (never to score a person).

The Python API::

    import reintegration_sim as rs

    base = rs.load("baseline")                       # a shipped scenario, or a file's path
    small = base.with_overrides({"population.n_extremist": 300, "population.n_comparison": 300})
    result = rs.run(small, replications=8)           # .people, .timeseries, .summary(), .plot()
    result.save("results/small")

    policy = small.with_overrides({"interventions.deradicalisation_programme.coverage": 0.8})
    comparison = rs.compare([small, policy], replications=8)
    print(comparison)                                # paired differences; what intervals cover
    comparison.save("results/derad")                 # tables, plots, report.md, report.html

Keys (``GROUP.NAME``, ``interventions.LEVER.FIELD``) are described by :func:`describe` and
listed by :func:`all_keys`; :func:`scenarios` lists the shipped scenarios. The names are imported
on first use, so ``import reintegration_sim`` stays quick.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from .keys import KeyInfo
    from .keys import describe as describe
    from .model.simulation import ReintegrationModel as ReintegrationModel
    from .scenario import Scenario as Scenario
    from .scenario import ScenarioError as ScenarioError
    from .scenario import load_scenario as load
    from .workflows import ComparisonResult as ComparisonResult
    from .workflows import RunResult as RunResult
    from .workflows import calibrate as calibrate
    from .workflows import compare as compare
    from .workflows import run as run
    from .workflows import sweep as sweep

__all__ = [
    "ComparisonResult",
    "ReintegrationModel",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "__version__",
    "all_keys",
    "calibrate",
    "compare",
    "describe",
    "load",
    "run",
    "scenarios",
    "sweep",
]

#: where each public name lives: (module, attribute)
_LAZY: dict[str, tuple[str, str]] = {
    "ComparisonResult": ("workflows", "ComparisonResult"),
    "ReintegrationModel": ("model", "ReintegrationModel"),
    "RunResult": ("workflows", "RunResult"),
    "Scenario": ("scenario", "Scenario"),
    "ScenarioError": ("scenario", "ScenarioError"),
    "calibrate": ("workflows", "calibrate"),
    "compare": ("workflows", "compare"),
    "describe": ("keys", "describe"),
    "load": ("scenario", "load_scenario"),
    "run": ("workflows", "run"),
    "sweep": ("workflows", "sweep"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module, attribute = _LAZY[name]
        return getattr(importlib.import_module(f"{__name__}.{module}"), attribute)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def all_keys() -> dict[str, KeyInfo]:
    """Every key a scenario can set: register parameters, lever fields, scenario settings."""
    from .keys import all_keys as every_key

    return dict(every_key())


def scenarios() -> list[str]:
    """The names of the scenarios shipped with the package."""
    from .scenario import shipped_scenarios

    return list(shipped_scenarios())
