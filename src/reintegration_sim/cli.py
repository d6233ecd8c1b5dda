"""The command line: a thin layer over :mod:`~reintegration_sim.experiment` and
:mod:`~reintegration_sim.results`.

::

    reintegration-sim run SCENARIO.toml [--replications N] [--seed S] [--out DIR] [--workers K]
    reintegration-sim params [--markdown]

Bad input (a scenario file that does not validate, an unknown option, a value out of range, an
unusable ``--out``) prints one line ``reintegration-sim: error: ...`` on stderr and exits with
status 2 before anything is written. An interrupted run exits with status 130 and leaves no
result folder.
"""

from __future__ import annotations

import argparse
import datetime as dt
import signal
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import pandas as pd

PROG = "reintegration-sim"
DEFAULT_REPLICATIONS = 10
#: follow-up years shown in the printed summary (summary.csv has more)
SUMMARY_YEARS = (1, 3, 5)

__all__ = ["PROG", "UsageError", "build_parser", "format_summary", "main"]


class UsageError(Exception):
    """A command line that cannot be used; the message is meant for the user."""


class _Parser(argparse.ArgumentParser):
    """An argparse parser that raises instead of printing usage and exiting."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 (got {value})")
    return value


def _seed(text: str) -> int:
    from .scenario import MAX_SEED

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"must be between 0 and {MAX_SEED} (got {value})")
    return value


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("reintegration-sim")
    except PackageNotFoundError:
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Agent-based simulation of release and reintegration after violent "
        "extremist offences, for comparing policies on synthetic populations.",
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    run = commands.add_parser(
        "run",
        help="run replications of a scenario and write a result folder",
        description="Run replications of a scenario; write tables, plots and metadata to a "
        "result folder and print a survival summary.",
        allow_abbrev=False,
    )
    run.add_argument("scenario", metavar="SCENARIO.toml", help="scenario file")
    run.add_argument(
        "--replications",
        "-n",
        type=_count,
        default=DEFAULT_REPLICATIONS,
        metavar="N",
        help=f"number of replications (default {DEFAULT_REPLICATIONS})",
    )
    run.add_argument(
        "--seed", type=_seed, metavar="S", help="root seed (default: the scenario's own)"
    )
    run.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="result folder; must not exist or be empty "
        "(default results/<YYYYmmdd-HHMMSS>-<scenario>)",
    )
    run.add_argument(
        "--workers",
        "-j",
        type=_count,
        default=1,
        metavar="K",
        help="worker processes (default 1); results do not depend on it",
    )
    run.set_defaults(handler=_run)

    params = commands.add_parser(
        "params",
        help="print the parameter register",
        description="Print the parameter register (defaults, units, plausible ranges, sources).",
        allow_abbrev=False,
    )
    params.add_argument(
        "--markdown", action="store_true", help="the full register as Markdown (docs/parameters.md)"
    )
    params.set_defaults(handler=_params)
    return parser


def _fail(message: Any) -> int:
    text = " ".join(str(message).split())
    print(f"{PROG}: error: {text}", file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``reintegration-sim`` and ``python -m reintegration_sim``."""
    from .results import ResultsError
    from .scenario import ScenarioError

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except UsageError as err:
        return _fail(err)
    except SystemExit as done:  # --help, --version
        return done.code if isinstance(done.code, int) else 0
    command = [PROG, *argv] if argv is not None else list(sys.argv)
    try:
        return args.handler(args, command)
    except (ScenarioError, ResultsError, UsageError) as err:
        return _fail(err)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted; no result folder written", file=sys.stderr)
        return 130


# ---------------------------------------------------------------------- params


def _params(args: argparse.Namespace, command: list[str]) -> int:
    from .parameters import iter_register, register_markdown

    if args.markdown:
        sys.stdout.write(register_markdown())
        return 0
    rows = []
    for info in iter_register():
        if len(info.plausible) == 2 and not isinstance(info.plausible[0], str):
            plausible = f"{info.plausible[0]:g} to {info.plausible[1]:g}"
        else:
            plausible = " / ".join(str(v) for v in info.plausible)
        default = f"{info.default:g}" if isinstance(info.default, float) else str(info.default)
        rows.append((info.key, default, info.unit, plausible))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    header = ("parameter", "default", "unit", "plausible range")
    widths = [max(w, len(h)) for w, h in zip(widths, header, strict=False)]
    for row in (header, *rows):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)), row[3])
    print(f"\n{len(rows)} parameters; `{PROG} params --markdown` adds sources and meanings.")
    return 0


# ---------------------------------------------------------------------- run


def _unique_default(path: Path) -> Path:
    """The default folder, with ``-2``, ``-3``... added if a run in the same second took it."""
    candidate, k = path, 1
    while candidate.exists():
        k += 1
        candidate = path.with_name(f"{path.name}-{k}")
    return candidate


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C, so the staging folder is cleaned up (main thread only)."""

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run(args: argparse.Namespace, command: list[str]) -> int:
    from .experiment import SURVIVAL_YEARS, replication_seeds, run_scenario, survival_table
    from .plotting import write_plots
    from .results import (
        ResultFolder,
        default_out_dir,
        make_metadata,
        write_metadata,
        write_tables,
    )
    from .scenario import load_scenario

    scenario = load_scenario(args.scenario)
    if args.seed is not None:
        scenario = scenario.with_seed(args.seed)
    out = args.out if args.out is not None else _unique_default(default_out_dir(scenario.name))
    folder = ResultFolder(out)  # refuses an unusable --out before anything runs

    started = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    clock = time.perf_counter()
    wall: dict[int, float] = {}
    with _sigterm_as_interrupt(), folder:
        assert folder.path is not None
        timeseries, people = run_scenario(
            scenario,
            args.replications,
            workers=args.workers,
            progress=True,
            on_result=lambda r: wall.__setitem__(r.replication, round(r.wall_seconds, 3)),
        )
        summary = survival_table(people, years=SURVIVAL_YEARS)
        write_tables(folder.path, timeseries, people, summary)
        write_plots(folder.path, timeseries, people)
        seconds = time.perf_counter() - clock
        metadata = make_metadata(
            scenario,
            replications=args.replications,
            workers=args.workers,
            started=started,
            command=command,
            seeds=replication_seeds(scenario, args.replications),
            extra={
                "wall_seconds": round(seconds, 3),
                "replication_wall_seconds": [wall[r] for r in sorted(wall)],
            },
        )
        write_metadata(folder.path, metadata)

    print(
        format_summary(
            summary,
            scenario_name=scenario.name,
            replications=args.replications,
            people=metadata["people_per_replication"],
            horizon_weeks=scenario.horizon_weeks,
            seed=scenario.seed,
            workers=args.workers,
            seconds=seconds,
        )
    )
    print(f"\nResults: {out}")
    return 0


def _percent(row: pd.Series) -> str:
    if pd.isna(row["cum_incidence"]):
        return "n/a"
    return (
        f"{100 * row['cum_incidence']:.1f} "
        f"({100 * row['ci_lower']:.1f}-{100 * row['ci_upper']:.1f})"
    )


def format_summary(
    summary: pd.DataFrame,
    *,
    scenario_name: str,
    replications: int,
    people: int,
    horizon_weeks: int,
    seed: int,
    workers: int,
    seconds: float,
    years: Sequence[int] = SUMMARY_YEARS,
) -> str:
    """The table printed after a run: per cohort, people released and, per event outcome,
    Kaplan-Meier cumulative incidence (%) with 95 % interval at the given follow-up years."""
    lines = [
        f"{scenario_name}: {replications} replication{'s' * (replications != 1)} of "
        f"{people:,} people, {horizon_weeks} weeks, seed {seed}, "
        f"{workers} worker{'s' * (workers != 1)}, {seconds:.1f} s",
        "",
        "Cumulative incidence from first release, % (95% CI), Kaplan-Meier pooled over "
        "replications; n/a = nobody followed up that long",
    ]
    shown = summary[summary["years"].isin(years)]
    label_width = max([len("outcome"), *(len(str(v)) for v in shown["label"])])
    cells = {key: _percent(row) for key, row in _rows_by(shown)}
    cell_width = max([len("5 years"), *(len(c) for c in cells.values())])
    for cohort, block in shown.groupby("cohort", sort=False):
        n_released = int(block["n_released"].iloc[0])
        lines += ["", f"{cohort}: {n_released:,} released"]
        head = "  " + "outcome".ljust(label_width)
        head += "".join("  " + f"{y} year{'s' * (y != 1)}".ljust(cell_width) for y in years)
        lines.append(head.rstrip())
        for outcome, rows in block.groupby("outcome", sort=False):
            line = "  " + str(rows["label"].iloc[0]).ljust(label_width)
            for y in years:
                line += "  " + cells.get((str(cohort), str(outcome), y), "n/a").ljust(cell_width)
            lines.append(line.rstrip())
    return "\n".join(lines)


def _rows_by(table: pd.DataFrame) -> Iterator[tuple[tuple[str, str, Any], pd.Series]]:
    for _, row in table.iterrows():
        yield (str(row["cohort"]), str(row["outcome"]), row["years"]), row
