"""Result folders: the tables of a run plus everything needed to re-create it.

A result folder holds

* ``metadata.json``: package and library versions, the SHA-256 of the lock file the environment
  was installed from (:func:`lock_info`), git commit of the code, the scenario text
  actually run (load it with :func:`scenario_from_metadata`), root seed and per-replication
  seeds, the command line, start and end times, replications and workers;
* ``timeseries.parquet``: weekly indicators, tidy (scenario, replication, week, cohort,
  indicator, value);
* ``people.parquet``: one row per person and replication;
* ``summary.csv``: Kaplan-Meier cumulative incidence of each event outcome
  (:func:`reintegration_sim.analysis.survival.survival_table`);
* ``survival.png``, ``composition.png``, ``indicators.png`` (:mod:`reintegration_sim.outputs.plotting`).

A comparison folder (``reintegration-sim compare``) holds ``metadata.json`` with every
scenario's text and the common seed (:func:`make_comparison_metadata`), ``comparison.parquet``
and ``comparison.csv`` (:func:`reintegration_sim.analysis.comparison.comparison_table`),
``replications.parquet`` (what each replication measured), the ``timeseries.parquet`` and
``people.parquet`` of all scenarios, the plots ``forest.png``, ``survival.png`` and
``indicators.png``, the benefit-cost figures ``benefit_cost.csv`` and ``acceptability.csv``
(:mod:`reintegration_sim.analysis.economics`) with ``cost_effect.png`` and ``acceptability.png``,
and ``report.md`` and ``report.html`` (:mod:`reintegration_sim.outputs.report`).
Read it back with :func:`read_comparison`.

Everything is written into a hidden temporary sibling folder that is renamed into place only
when complete (:class:`ResultFolder`), so an interrupted or failed run never leaves a partial
result folder behind.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import json
import os
import platform
import re
import secrets
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import pandas as pd

from ..analysis.stopping import check_stop, remove_on_forced_exit
from ..scenario import Scenario

__all__ = [
    "LIBRARIES",
    "LOCK",
    "PACKAGE",
    "Comparison",
    "Result",
    "ResultFolder",
    "ResultsError",
    "check_out_dir",
    "default_out_dir",
    "git_info",
    "library_versions",
    "lock_info",
    "make_comparison_metadata",
    "make_metadata",
    "read_comparison",
    "read_result",
    "remove_stale_staging",
    "shown_path",
    "scenario_from_metadata",
    "scenario_text",
    "write_benefit_cost",
    "write_comparison_tables",
    "write_metadata",
    "write_tables",
]

PACKAGE = "reintegration-sim"
#: libraries whose versions every result folder records (names as pip knows them); SALib, dask
#: and distributed for sweeps, which run through them
LIBRARIES = (
    "mesa",
    "numpy",
    "scipy",
    "pandas",
    "networkx",
    "pydantic",
    "lifelines",
    "matplotlib",
    "pyarrow",
    "tqdm",
    "salib",
    "dask",
    "distributed",
)
#: the lock file at the root of a source checkout that ``make`` installs the environment from
LOCK = "requirements.lock"
METADATA = "metadata.json"
TIMESERIES = "timeseries.parquet"
PEOPLE = "people.parquet"
SUMMARY = "summary.csv"
COMPARISON = "comparison.parquet"
COMPARISON_CSV = "comparison.csv"
LEVELS = "replications.parquet"
BENEFIT_COST_CSV = "benefit_cost.csv"
ACCEPTABILITY_CSV = "acceptability.csv"


class ResultsError(ValueError):
    """A result folder that cannot be written or read; the message is meant for the user."""


# ---------------------------------------------------------------------- where


def default_out_dir(scenario_name: str, now: dt.datetime | None = None) -> Path:
    """``results/<YYYYmmdd-HHMMSS>-<scenario name>``, relative to the current directory."""
    now = now or dt.datetime.now()
    return Path("results") / f"{now:%Y%m%d-%H%M%S}-{scenario_name}"


#: the longest folder name accepted: the staging folder's name adds up to 30 characters to it
#: and most file systems allow 255 bytes a name
MAX_NAME_BYTES = 225
#: a staging folder that no living process owns, or of an older version and older than this, is
#: removed by the next run into the same parent
STALE_AFTER_SECONDS = 24 * 3600
_STAGING = re.compile(r"^\.(?P<name>.+)\.(?:(?P<pid>[0-9]+)-)?[0-9a-f]{8}\.partial$")


def shown_path(path: str | Path, limit: int = 100) -> str:
    """A path for a message: as given, or shortened in the middle if longer than ``limit``."""
    text = str(path)
    if len(text) <= limit:
        return text
    return f"{text[: limit - 30]}...{text[-20:]} ({len(text)} characters)"


def _refuse(path: Path, why: str) -> ResultsError:
    return ResultsError(f"--out {shown_path(path)}: {why}")


def check_out_dir(path: str | Path) -> Path:
    """Refuse a destination that cannot become a result folder, before any work: the current
    folder (or one above it), one that exists and is not an empty folder, a name too long for
    the file system, a place that cannot be written (tried, not guessed: a folder is created
    there and removed). Every refusal is a :class:`ResultsError` with one line saying why."""
    path = Path(path)
    absolute = Path(os.path.abspath(path))
    cwd = Path(os.path.abspath(os.getcwd()))
    if absolute == cwd or absolute in cwd.parents:
        raise _refuse(path, "is the current folder (or holds it); name a new folder instead")
    for part in absolute.parts[1:]:
        if len(part.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES:
            raise _refuse(
                path,
                f"a folder name is {len(part)} characters long; at most {MAX_NAME_BYTES} bytes",
            )
    try:
        if path.exists() or path.is_symlink():
            if not path.is_dir():
                raise _refuse(path, "exists and is not a folder")
            if any(path.iterdir()):
                raise _refuse(path, "exists and is not empty; choose another --out")
        parent = _existing_ancestor(absolute.parent)
        if not parent.is_dir():
            raise _refuse(path, f"cannot be created ({shown_path(parent)} is not a folder)")
        probe = parent / f".{secrets.token_hex(6)}.probe.partial"
        probe.mkdir()
        probe.rmdir()
    except OSError as err:
        raise _refuse(path, f"cannot be created ({os_error_text(err)})") from None
    return path


def os_error_text(err: OSError) -> str:
    """An OS error in a few words, without the (possibly very long) file name."""
    import errno

    if err.errno == errno.ENOSPC:
        return "no space left on the device"
    if err.errno == errno.EDQUOT:
        return "disk quota exceeded"
    return err.strerror or type(err).__name__


def _existing_ancestor(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, not ours
        return True
    return True


def remove_stale_staging(parent: Path) -> list[Path]:
    """Remove staging folders in ``parent`` that no run will finish: their process has ended
    (a run killed by SIGKILL or a power cut), or, for names without a process number, older
    than :data:`STALE_AFTER_SECONDS`. Returns what was removed."""
    removed: list[Path] = []
    try:
        entries = list(parent.iterdir())
    except OSError:
        return removed
    now = dt.datetime.now().timestamp()
    for entry in entries:
        match = _STAGING.match(entry.name)
        if match is None or not entry.is_dir() or entry.is_symlink():
            continue
        pid = match.group("pid")
        if pid is not None:
            stale = int(pid) != os.getpid() and not _pid_alive(int(pid))
        else:
            try:
                stale = now - entry.stat().st_mtime > STALE_AFTER_SECONDS
            except OSError:
                continue
        if stale:
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


class ResultFolder:
    """Stage a result folder and move it into place only if everything was written.

    Use as a context manager; write into :attr:`path` (the staging folder,
    ``.<name>.<pid>-<random>.partial`` beside the destination). On a clean exit the staging
    folder is renamed to the destination; on any exception (KeyboardInterrupt included) it is
    removed and the destination is left as it was. Staging folders left by runs that were killed
    are removed on entry (:func:`remove_stale_staging`). An OS error (a full disk, a folder
    that became unwritable) is raised as :class:`ResultsError` saying what to do.
    """

    def __init__(self, destination: str | Path) -> None:
        self.destination = check_out_dir(destination)
        self.path: Path | None = None

    def __enter__(self) -> ResultFolder:
        parent = self.destination.absolute().parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
            remove_stale_staging(parent)
            for _ in range(100):
                token = f"{os.getpid()}-{secrets.token_hex(4)}"
                staging = parent / f".{self.destination.name}.{token}.partial"
                try:
                    staging.mkdir()  # not tempfile.mkdtemp: that ignores the umask (mode 0700)
                except FileExistsError:
                    continue
                self.path = staging
                remove_on_forced_exit(staging)
                return self
        except OSError as err:
            raise self._error(err) from None
        raise ResultsError(f"{parent}: cannot create a staging folder")

    def _error(self, err: OSError) -> ResultsError:
        import errno

        where = shown_path(self.destination)
        if err.errno in (errno.ENOSPC, errno.EDQUOT):
            parent = _existing_ancestor(self.destination.absolute().parent)
            try:
                free = shutil.disk_usage(parent).free / 1e6
                left = f" ({free:.0f} MB free there now)"
            except OSError:
                left = ""
            return ResultsError(
                f"--out {where}: {os_error_text(err)} while writing the results; nothing was "
                f"kept. Free space on the disk holding {shown_path(parent)}{left}, or choose an "
                "--out on another disk, and run again"
            )
        return ResultsError(f"--out {where}: cannot write the results ({os_error_text(err)})")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self.path is not None
        try:
            if exc_type is not None:
                shutil.rmtree(self.path, ignore_errors=True)
                if isinstance(exc, OSError):
                    raise self._error(exc) from None
                return
            try:
                check_stop()  # a stop asked for while writing: nothing is moved into place
                check_out_dir(self.destination)  # nobody filled it in the meantime
                if self.destination.is_dir():
                    self.destination.rmdir()  # empty: make room (a rename onto it fails on Windows)
                self.path.rename(self.destination)
            except OSError as err:
                shutil.rmtree(self.path, ignore_errors=True)
                raise self._error(err) from None
            except BaseException:
                shutil.rmtree(self.path, ignore_errors=True)
                raise
        finally:
            remove_on_forced_exit(self.path, keep=False)


# ---------------------------------------------------------------------- metadata


def library_versions() -> dict[str, str | None]:
    """Installed versions of Python and of the libraries a result depends on."""
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in (PACKAGE, *LIBRARIES):
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def lock_info(root: Path | None = None) -> dict[str, str | None]:
    """``lock_sha256``, the SHA-256 of the lock file, and ``lock_note``, what it is a hash of.

    ``make`` installs the environment from :data:`LOCK` at the root of the source checkout
    (beside ``pyproject.toml``), then this package without dependencies, so the hash names
    every pinned version and file at once. An installed wheel ships no lock: then
    ``lock_sha256`` is None and the note says why (the versions still record what was
    installed). Nor does the hash prove the environment was installed from the lock: a
    ``pip install -e .`` beside it resolves afresh, which the versions would show.

    Args:
        root: the folder to look in (default: the checkout holding this package, if any).
    """
    if root is None:
        root = Path(__file__).resolve().parents[3]  # src/reintegration_sim/outputs/results.py
    lock = root / LOCK
    if not (root / "pyproject.toml").is_file():
        return {
            "lock_sha256": None,
            "lock_note": (
                f"installed package, not a source checkout: no {LOCK} to hash; the versions "
                "record what was installed"
            ),
        }
    if not lock.is_file():
        return {"lock_sha256": None, "lock_note": f"no {LOCK} in the source checkout {root}"}
    return {
        "lock_sha256": hashlib.sha256(lock.read_bytes()).hexdigest(),
        "lock_note": f"SHA-256 of {lock}, which make installs the environment from",
    }


def git_info(where: Path | None = None) -> dict[str, Any] | None:
    """Commit and dirty flag of the git checkout holding this package (or ``where``), or None
    outside git. Dirty means a tracked file differs from the commit: files the checkout does
    not track (a user's own scenario folder, as docs/adapting.md makes one) do not count, and
    the scenarios a run used are recorded in full anyway."""
    here = where if where is not None else Path(__file__).resolve().parent

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args],
            cwd=here,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()

    try:
        commit = git("rev-parse", "HEAD")
        dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": commit, "dirty": dirty}


def scenario_text(scenario: Scenario) -> str:
    """TOML text that loads to exactly ``scenario``: its file text if unchanged, else rendered.

    A scenario changed after loading (``--seed``, a shorter horizon) no longer matches its file,
    so the rendering of what was actually run is stored instead.
    """
    text = scenario.source_text
    try:
        if Scenario.model_validate(tomllib.loads(text)).model_dump() == scenario.model_dump():
            return text
    except (tomllib.TOMLDecodeError, ValueError):
        pass
    return scenario.to_toml()


def scenario_from_metadata(metadata: dict[str, Any]) -> Scenario:
    """The scenario a result folder was made with."""
    from ..scenario import ScenarioError

    try:
        return Scenario.model_validate(tomllib.loads(metadata["scenario_text"]))
    except (KeyError, tomllib.TOMLDecodeError, ValueError) as exc:
        raise ScenarioError(f"metadata holds no valid scenario text ({exc})") from None


def now_iso() -> str:
    """The local time now, to the second, as ISO 8601 with its offset (metadata times)."""
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def make_metadata(
    scenario: Scenario,
    *,
    replications: int,
    workers: int,
    started: str,
    command: list[str] | None = None,
    seeds: list[dict[str, Any]] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The ``metadata.json`` content of a run (``finished`` is filled in when it is written).

    Args:
        scenario: the scenario as run (seed and horizon overrides applied).
        replications, workers: as run.
        started: ISO-8601 start time.
        command: the command line (default ``sys.argv``).
        seeds: per-replication seeds (:func:`reintegration_sim.analysis.experiment.replication_seeds`).
        extra: further entries (e.g. wall times).
    """
    from ..analysis.experiment import process_spawn_keys, replication_seeds

    pop = scenario.parameters.population
    versions = library_versions()
    meta: dict[str, Any] = {
        "package": PACKAGE,
        "version": versions[PACKAGE],
        "versions": versions,
        **lock_info(),
        "platform": platform.platform(),
        "git": git_info(),
        "command": list(sys.argv if command is None else command),
        "started": started,
        "finished": None,
        "scenario_name": scenario.name,
        "scenario_path": scenario.source_path,
        "scenario_text": scenario_text(scenario),
        "horizon_weeks": scenario.horizon_weeks,
        "people_per_replication": pop.n_extremist + pop.n_comparison,
        "replications": replications,
        "workers": workers,
        "root_seed": scenario.seed,
        "seed_derivation": (
            "process NAME of replication R derives from numpy.random.SeedSequence(root_seed, "
            "spawn_key=(R, process_spawn_keys[NAME])): the building processes (population, "
            "network, placement) and the interventions' streams draw from it with PCG64; each "
            "weekly process gives person i in week W, draw D (0 or 1) the number "
            "Philox4x32-10(counter=(i // 2, W, D, 0), key=generate_state(2, uint32)) as two "
            "53-bit uniforms (words 0-1 for even i, 2-3 for odd i); Mesa's generator is seeded "
            "with SeedSequence(root_seed, spawn_key=(R,)).generate_state(1)[0] (mesa_seed)"
        ),
        "process_spawn_keys": process_spawn_keys(),
        "seeds": seeds if seeds is not None else replication_seeds(scenario, replications),
        "parameters": scenario.parameters.flat(),
    }
    meta.update(extra or {})
    return meta


def write_metadata(folder: Path, metadata: dict[str, Any]) -> Path:
    """Write ``metadata.json``, stamping ``finished`` now."""
    metadata = {**metadata, "finished": now_iso()}
    path = folder / METADATA
    path.write_text(json.dumps(metadata, indent=2, default=str) + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------------- tables


def write_tables(
    folder: Path, timeseries: pd.DataFrame, people: pd.DataFrame, summary: pd.DataFrame
) -> list[Path]:
    """Write the parquet tables and the CSV summary into ``folder``."""
    paths = [folder / TIMESERIES, folder / PEOPLE, folder / SUMMARY]
    timeseries.to_parquet(paths[0], engine="pyarrow", index=False)
    people.to_parquet(paths[1], engine="pyarrow", index=False)
    summary.to_csv(paths[2], index=False, float_format="%.6g")
    return paths


@dataclass(frozen=True)
class Result:
    """A result folder read back."""

    path: Path
    metadata: dict[str, Any]
    timeseries: pd.DataFrame
    people: pd.DataFrame
    summary: pd.DataFrame

    @property
    def scenario(self) -> Scenario:
        return scenario_from_metadata(self.metadata)


def read_result(path: str | Path) -> Result:
    """Read a result folder written by ``reintegration-sim run``."""
    path = Path(path)
    if not (path / METADATA).is_file():
        raise ResultsError(f"{path}: not a result folder (no {METADATA})")
    return Result(
        path=path,
        metadata=json.loads((path / METADATA).read_text(encoding="utf-8")),
        timeseries=pd.read_parquet(path / TIMESERIES),
        people=pd.read_parquet(path / PEOPLE),
        summary=pd.read_csv(path / SUMMARY),
    )


# ---------------------------------------------------------------------- comparisons


def make_comparison_metadata(
    loaded: list[Scenario],
    run_as: list[Scenario],
    *,
    seed_source: str,
    replications: int,
    workers: int,
    started: str,
    command: list[str] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The ``metadata.json`` of a comparison: as :func:`make_metadata` for the base, with the
    single-scenario entries replaced by ``scenarios`` (one entry per scenario, base first:
    name, file, description, the seed its file gave and the seed it ran with, the text as run
    and the file text, parameters and interventions) and a statement of the common seed.

    Args:
        loaded: the scenarios as read from their files.
        run_as: the same scenarios with the common seed.
        seed_source: where the common seed came from (``"--seed"`` or ``"base scenario"``).
    """
    base = run_as[0]
    meta = make_metadata(
        base,
        replications=replications,
        workers=workers,
        started=started,
        command=command,
    )
    for key in ("scenario_name", "scenario_path", "scenario_text", "parameters"):
        meta.pop(key, None)
    overridden = {
        before.name: before.seed
        for before, after in zip(loaded, run_as, strict=True)
        if before.seed != after.seed
    }
    meta.update(
        {
            "kind": "comparison",
            "base": base.name,
            "scenario_names": [s.name for s in run_as],
            "seed_source": seed_source,
            "common_random_numbers": (
                f"every scenario ran with root seed {base.seed} (from the {seed_source}) and "
                f"replications 0 to {replications - 1}, so replication R of each scenario starts "
                "from the same people and random streams; "
                + (
                    "each scenario's own seed was overridden: "
                    + ", ".join(f"{name} {seed}" for name, seed in overridden.items())
                    if overridden
                    else "no scenario's own seed had to be overridden"
                )
            ),
            "seeds_overridden": overridden,
            "scenarios": [
                {
                    "name": after.name,
                    "path": before.source_path,
                    "description": after.description,
                    "file_seed": before.seed,
                    "seed": after.seed,
                    "scenario_text": scenario_text(after),
                    "file_text": before.source_text,
                    "parameters": after.parameters.flat(),
                    "interventions": after.intervention_settings(),
                }
                for before, after in zip(loaded, run_as, strict=True)
            ],
        }
    )
    meta.update(extra or {})
    return meta


def write_comparison_tables(
    folder: Path,
    comparison: pd.DataFrame,
    levels: pd.DataFrame,
    timeseries: pd.DataFrame,
    people: pd.DataFrame,
) -> list[Path]:
    """Write ``comparison.parquet``, ``comparison.csv``, ``replications.parquet``,
    ``timeseries.parquet`` and ``people.parquet`` into ``folder``."""
    paths = [folder / name for name in (COMPARISON, COMPARISON_CSV, LEVELS, TIMESERIES, PEOPLE)]
    comparison.to_parquet(paths[0], engine="pyarrow", index=False)
    comparison.to_csv(paths[1], index=False, float_format="%.6g")
    levels.to_parquet(paths[2], engine="pyarrow", index=False)
    timeseries.to_parquet(paths[3], engine="pyarrow", index=False)
    people.to_parquet(paths[4], engine="pyarrow", index=False)
    return paths


#: the files a comparison over assumption draws adds
DRAWS, ASSUMPTIONS, DRIVERS_CSV = "draws.parquet", "assumptions.parquet", "drivers.csv"
VALUE_OF_INFORMATION_CSV = "value_of_information.csv"
VALUE_OF_INFORMATION_PNG = "value_of_information.png"


def write_draw_tables(
    folder: Path,
    draws: pd.DataFrame,
    assumptions: pd.DataFrame,
    drivers: pd.DataFrame | None,
    value_of_information: pd.DataFrame | None = None,
) -> list[Path]:
    """Write ``draws.parquet`` (what every run of every draw measured), ``assumptions.parquet``
    (the drawn values, one row per draw), ``drivers.csv`` (which assumptions explain each
    main difference) and ``value_of_information.csv`` with its bar plot into ``folder``."""
    paths = [folder / DRAWS, folder / ASSUMPTIONS]
    draws.to_parquet(paths[0], engine="pyarrow", index=False)
    assumptions.to_parquet(paths[1], engine="pyarrow", index=False)
    if drivers is not None:
        paths.append(folder / DRIVERS_CSV)
        drivers.to_csv(paths[-1], index=False, float_format="%.4g")
    if value_of_information is not None:
        from .plotting import plain_text, value_of_information_figure

        paths.append(folder / VALUE_OF_INFORMATION_CSV)
        value_of_information.to_csv(paths[-1], index=False, float_format="%.6g")
        figure = value_of_information_figure(value_of_information)
        paths.append(folder / VALUE_OF_INFORMATION_PNG)
        plain_text(figure.savefig)(paths[-1], dpi=120)
    return paths


def write_benefit_cost(
    folder: Path, table: pd.DataFrame, acceptability: pd.DataFrame
) -> tuple[Path, Path]:
    """Write ``benefit_cost.csv`` (the benefit-cost figures of each scenario against the base)
    and ``acceptability.csv`` (the cost-effectiveness acceptability curve) into ``folder``."""
    paths = folder / BENEFIT_COST_CSV, folder / ACCEPTABILITY_CSV
    table.to_csv(paths[0], index=False, float_format="%.6g")
    acceptability.to_csv(paths[1], index=False, float_format="%.6g")
    return paths


@dataclass(frozen=True)
class Comparison:
    """A comparison folder read back."""

    path: Path
    metadata: dict[str, Any]
    comparison: pd.DataFrame
    levels: pd.DataFrame
    timeseries: pd.DataFrame
    people: pd.DataFrame

    @property
    def scenarios(self) -> list[Scenario]:
        """The scenarios as run (common seed), base first."""
        return [
            scenario_from_metadata({"scenario_text": entry["scenario_text"]})
            for entry in self.metadata["scenarios"]
        ]


def read_comparison(path: str | Path) -> Comparison:
    """Read a folder written by ``reintegration-sim compare``."""
    path = Path(path)
    if not (path / METADATA).is_file() or not (path / COMPARISON).is_file():
        raise ResultsError(f"{path}: not a comparison folder (no {METADATA} or {COMPARISON})")
    return Comparison(
        path=path,
        metadata=json.loads((path / METADATA).read_text(encoding="utf-8")),
        comparison=pd.read_parquet(path / COMPARISON),
        levels=pd.read_parquet(path / LEVELS),
        timeseries=pd.read_parquet(path / TIMESERIES),
        people=pd.read_parquet(path / PEOPLE),
    )
