"""One replication: the Mesa model and everything it is made of.

* :mod:`.simulation`: :class:`ReintegrationModel`, the weekly schedule;
* :mod:`.agents`, :mod:`.population`, :mod:`.network`: who is simulated and how they are tied;
* :mod:`.submodels`: one rule per verb (the weekly rules);
* :mod:`.caseload`, :mod:`.modifiers`: agencies' places, and what levers change this week;
* :mod:`.randomness`: named random streams (common random numbers);
* :mod:`.outcomes`: what is observed each week and at the end.

Nothing here imports the analysis, outputs, workflows, command line or dashboard (an
import-linter contract in ``pyproject.toml``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .simulation import ReintegrationModel

__all__ = ["ReintegrationModel"]


def __getattr__(name: str) -> Any:
    # imported on first use: the levers import this package's agents while the model imports
    # the levers, so the package itself must not import the model eagerly
    if name == "ReintegrationModel":
        from .simulation import ReintegrationModel

        return ReintegrationModel
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
