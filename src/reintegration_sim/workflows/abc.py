"""The Bayesian calibration workflow (``reintegration-sim calibrate --method abc``,
``rs.calibrate(..., method="abc")``): ABC-SMC (:mod:`~reintegration_sim.analysis.abc`) and its
result folder."""

from __future__ import annotations

import shlex
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from ..analysis.abc import AbcResult, abc_calibrate
from ..analysis.calibration import Target, resolve_targets
from ..outputs.results import now_iso
from ..scenario import Scenario

__all__ = ["AbcRun", "as_run", "run_abc", "save_folder"]


def run_abc(
    scenario: Scenario,
    fit: Sequence[str],
    *,
    targets: Sequence[Target] | str | Path | None,
    population: int,
    generations: int,
    replications: int,
    workers: int,
    scheduler: str | None,
    checks: int,
    progress: bool,
) -> AbcRun:
    """ABC-SMC of ``fit`` in ``scenario`` (see :func:`~reintegration_sim.analysis.abc.abc_calibrate`);
    ``targets`` a list, a targets file, or None for the shipped ones (EVIDENCE.md section 1)."""
    chosen, where = resolve_targets(targets)
    started, clock = now_iso(), time.perf_counter()
    result = abc_calibrate(
        scenario,
        list(fit),
        targets=chosen,
        population=population,
        generations=generations,
        replications=replications,
        workers=workers,
        scheduler=scheduler,
        checks=checks,
        progress=progress,
    )
    result.targets_from = where
    return as_run(AbcRun, result, started, clock)


def as_run[R](cls: type[R], result: Any, started: str, clock: float) -> R:
    """``result`` as the workflow's result class ``cls`` (a subclass of its dataclass), with the
    start time and the wall time since ``clock`` (:func:`time.perf_counter`)."""
    values = {f.name: getattr(result, f.name) for f in fields(result)}
    values.update(started=started, seconds=time.perf_counter() - clock)
    return cls(**values)


def save_folder(
    folder: str | Path,
    command: Sequence[str] | None,
    write: Callable[[Path, str], Any],
    metadata: Callable[[Sequence[str] | None], dict[str, Any]],
) -> Path:
    """Write a result folder: ``write(staging folder, command text)``, then ``metadata.json``;
    the folder appears only once everything is written."""
    from ..outputs.results import ResultFolder, write_metadata

    out = Path(folder)
    text = shlex.join(list(command)) if command else "reintegration_sim.calibrate (Python)"
    with ResultFolder(out) as staged:
        assert staged.path is not None
        write(staged.path, text)
        write_metadata(staged.path, metadata(command))
    return out


@dataclass
class AbcRun(AbcResult):
    """A Bayesian calibration (:class:`~reintegration_sim.analysis.abc.AbcResult`: posterior,
    parameter table, predictive check, diagnostics) that prints and saves itself."""

    def metadata(self, command: Sequence[str] | None = None) -> dict[str, Any]:
        """The ``metadata.json`` of this calibration."""
        from ..outputs.results import make_metadata

        return make_metadata(
            self.scenario,
            replications=self.replications,
            workers=self.workers,
            started=self.started,
            command=list(command) if command is not None else None,
            extra={
                "calibration": {
                    "method": "abc",
                    **self.posterior_metadata(),
                    "max_generations": self.max_generations,
                    "scheduler": self.scheduler,
                    "simulations": self.simulations,
                    "checks": int(len(self.check_draws)),
                    "targets_all": [t.key for t in self.targets],
                    "targets_from": self.targets_from,
                    "abc_seconds": round(self.abc_seconds, 3),
                    "particles_per_minute": round(self.particles_per_minute(), 2),
                },
                "wall_seconds": round(self.seconds, 3),
            },
        )

    def save(self, folder: str | Path, command: Sequence[str] | None = None) -> Path:
        """Write the result folder (``abc.md``, ``posterior.parquet``, tables, plots, pyabc's
        ``abc.db``, metadata); it appears only once everything is written."""
        from ..analysis.abc import write_abc
        from ..outputs.abc_plots import write_abc_plots

        def write(path: Path, text: str) -> None:
            write_abc(path, self, text)
            write_abc_plots(path, self.priors, self.particles, self.check, self.check_draws)

        return save_folder(folder, command, write, self.metadata)
