"""The command line: a thin layer over :mod:`~reintegration_sim.experiment`,
:mod:`~reintegration_sim.comparison`, :mod:`~reintegration_sim.sweep`,
:mod:`~reintegration_sim.calibration` and :mod:`~reintegration_sim.results`.

::

    reintegration-sim run SCENARIO.toml [--replications N] [--seed S] [--out DIR] [--workers K]
    reintegration-sim compare BASE.toml OTHER.toml [MORE.toml ...] [--replications N] [--seed S]
        [--out DIR] [--workers K] [--years Y] [--detect D]
    reintegration-sim params [--markdown]
    reintegration-sim sweep SPEC.toml [--out DIR] [--workers K | --scheduler ADDRESS] [--resume]
    reintegration-sim calibrate SCENARIO.toml --fit GROUP.NAME[,GROUP.NAME...] [--replications N]
        [--workers K] [--max-evaluations M] [--out DIR] [--write]
    reintegration-sim serve [--scenario FILE] [--host HOST] [--port PORT]

Bad input (a scenario file that does not validate, an unknown option, a value out of range, an
unusable ``--out``; for ``compare`` also fewer than two scenarios, two with one name, or
scenarios that cannot be paired) prints one line ``reintegration-sim: error: ...`` on stderr
and exits with status 2 before anything is written. An interrupted run exits with status 130 and leaves no
result folder.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import pandas as pd

from ._version import __version__

PROG = "reintegration-sim"
DEFAULT_REPLICATIONS = 10
#: default follow-up (years after release) of the comparison's summary, forest plot and report
DEFAULT_COMPARE_YEARS = 3
#: default smaller difference (per 100 releases) whose replications needed are reported
DEFAULT_DETECT = 1.0
#: follow-up years shown in the printed summary (summary.csv has more)
SUMMARY_YEARS = (1, 3, 5)

__all__ = [
    "PROG",
    "UsageError",
    "build_parser",
    "format_comparison_summary",
    "format_summary",
    "main",
]


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


def _at_least_two(text: str) -> int:
    value = _count(text)
    if value < 2:
        raise argparse.ArgumentTypeError(f"must be at least 2 for paired intervals (got {value})")
    return value


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number (got {text})")
    return value


def _years(text: str) -> float:
    from .survival import SURVIVAL_YEARS

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of years, got {text!r}") from None
    if value not in SURVIVAL_YEARS:
        allowed = ", ".join(str(y) for y in SURVIVAL_YEARS)
        raise argparse.ArgumentTypeError(f"must be one of {allowed} (got {text})")
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


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Agent-based simulation of release and reintegration after violent "
        "extremist offences, for comparing policies on synthetic populations.",
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
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

    compare = commands.add_parser(
        "compare",
        help="compare scenarios with a base on common random numbers; write a report",
        description="Run a base scenario and one or more others on the same seeds (common "
        "random numbers); write paired differences with intervals, costs, plots and a report "
        "(report.md, report.html) to a result folder and print the main differences.",
        allow_abbrev=False,
    )
    compare.add_argument(
        "scenarios",
        nargs="+",
        metavar="SCENARIO.toml",
        help="BASE.toml OTHER.toml [MORE.toml ...]: the base first",
    )
    compare.add_argument(
        "--replications",
        "-n",
        type=_at_least_two,
        default=DEFAULT_REPLICATIONS,
        metavar="N",
        help=f"replications per scenario, at least 2 (default {DEFAULT_REPLICATIONS})",
    )
    compare.add_argument(
        "--seed",
        type=_seed,
        metavar="S",
        help="common root seed of every scenario (default: the base scenario's)",
    )
    compare.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="result folder; must not exist or be empty "
        "(default results/<YYYYmmdd-HHMMSS>-compare-<base>-vs-<others>)",
    )
    compare.add_argument(
        "--workers",
        "-j",
        type=_count,
        default=1,
        metavar="K",
        help="worker processes (default 1); results do not depend on it",
    )
    compare.add_argument(
        "--years",
        type=_years,
        default=float(DEFAULT_COMPARE_YEARS),
        metavar="Y",
        help="follow-up in years after release of the summary, forest plot and report: "
        f"1, 2, 3 or 5 (default {DEFAULT_COMPARE_YEARS}; shorter if the horizon is)",
    )
    compare.add_argument(
        "--detect",
        type=_positive,
        default=DEFAULT_DETECT,
        metavar="D",
        help="also report the replications needed to detect a difference of D per 100 "
        f"releases (default {DEFAULT_DETECT:g})",
    )
    compare.set_defaults(handler=_compare)

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

    sweep = commands.add_parser(
        "sweep",
        help="run a sensitivity sweep (Sobol or Morris) described by a spec file",
        description="Run a global sensitivity analysis over register parameters: runs stream "
        "to DIR/runs/ as they finish (resumable with --resume); at the end runs.parquet, "
        "indices.parquet, indices.png, metadata.json and a COMPLETE marker.",
        allow_abbrev=False,
    )
    sweep.add_argument("spec", metavar="SPEC.toml", help="sweep spec file")
    sweep.add_argument(
        "--out", type=Path, metavar="DIR", help="sweep folder (default results/<time>-sweep-<name>)"
    )
    where = sweep.add_mutually_exclusive_group()
    where.add_argument(
        "--workers", "-j", type=_count, default=1, metavar="K", help="worker processes (default 1)"
    )
    where.add_argument(
        "--scheduler", metavar="ADDRESS", help="Dask scheduler address, e.g. tcp://host:8786"
    )
    sweep.add_argument(
        "--resume", action="store_true", help="finish an interrupted sweep in --out DIR"
    )
    sweep.add_argument(
        "--chunk",
        type=_count,
        default=200,
        metavar="N",
        help="write finished runs to DIR/runs/ every N runs (default 200); a killed sweep "
        "loses at most the runs not yet written",
    )
    sweep.set_defaults(handler=_sweep)
    _add_calibrate(commands)
    _add_serve(commands)
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


# ---------------------------------------------------------------------- sweep


def _sweep(args: argparse.Namespace, command: list[str]) -> int:
    from .results import default_out_dir
    from .sweep import SweepError, prepare, run_sweep

    try:
        if args.resume and args.out is None:
            raise SweepError("--resume needs --out DIR (the folder of the interrupted sweep)")
        out = args.out
        if out is None:
            out = _unique_default(default_out_dir(f"sweep-{Path(args.spec).stem}"))
        plan = prepare(args.spec)
        for key in plan.excluded:
            print(f"{PROG}: note: categorical parameter '{key}' is not varied", file=sys.stderr)
        with _sigterm_as_interrupt():
            summary = run_sweep(
                args.spec,
                out,
                workers=args.workers,
                scheduler=args.scheduler,
                resume=args.resume,
                chunk=args.chunk,
                command=command,
                plan=plan,
            )
    except SweepError as err:
        return _fail(err)
    except KeyboardInterrupt:
        print(
            f"{PROG}: interrupted; finished runs are kept; finish with "
            f"`{PROG} sweep {args.spec} --out {out} --resume`",
            file=sys.stderr,
        )
        return 130
    print(f"Sweep {plan.name}: {summary['runs']} runs ({summary['ran']} run now), complete.")
    print(f"Results: {out}")
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
    from .experiment import run_scenario
    from .plotting import write_plots
    from .results import (
        ResultFolder,
        default_out_dir,
        make_metadata,
        now_iso,
        write_metadata,
        write_tables,
    )
    from .scenario import load_scenario
    from .survival import survival_table

    scenario = load_scenario(args.scenario)
    if args.seed is not None:
        scenario = scenario.with_seed(args.seed)
    out = args.out if args.out is not None else _unique_default(default_out_dir(scenario.name))
    folder = ResultFolder(out)  # refuses an unusable --out before anything runs

    started = now_iso()
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
        summary = survival_table(people)
        write_tables(folder.path, timeseries, people, summary)
        write_plots(folder.path, timeseries, people)
        seconds = time.perf_counter() - clock
        metadata = make_metadata(
            scenario,
            replications=args.replications,
            workers=args.workers,
            started=started,
            command=command,
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


# ---------------------------------------------------------------------- compare


def _compare_out_dir(names: Sequence[str]) -> Path:
    from .results import default_out_dir

    label = f"compare-{names[0]}-vs-" + "-".join(names[1:])
    if len(label) > 100:
        label = f"compare-{names[0]}-vs-{names[1]}-and-{len(names) - 2}-more"[:100]
    return _unique_default(default_out_dir(label))


def _compare(args: argparse.Namespace, command: list[str]) -> int:
    from .comparison import (
        comparable_scenarios,
        comparison_table,
        main_follow_up,
        replication_levels,
        run_comparison,
    )
    from .plotting import FOREST_PNG, INDICATORS_PNG, SURVIVAL_PNG, write_comparison_plots
    from .report import REPORT_HTML, REPORT_MD, write_report
    from .results import (
        ResultFolder,
        make_comparison_metadata,
        now_iso,
        write_comparison_tables,
        write_metadata,
    )
    from .scenario import load_scenario

    loaded = [load_scenario(path) for path in args.scenarios]
    scenarios, seed = comparable_scenarios(loaded, args.seed)
    names = [s.name for s in scenarios]
    out = args.out if args.out is not None else _compare_out_dir(names)
    folder = ResultFolder(out)  # refuses an unusable --out before anything runs

    started = now_iso()
    clock = time.perf_counter()
    with _sigterm_as_interrupt(), folder:
        assert folder.path is not None
        timeseries, people = run_comparison(
            scenarios, args.replications, workers=args.workers, progress=True
        )
        levels = replication_levels(people, timeseries)
        table = comparison_table(levels, names[0], detectable=args.detect)
        years = main_follow_up(table, args.years)
        write_comparison_tables(folder.path, table, levels, timeseries, people)
        write_comparison_plots(folder.path, table, timeseries, people, years=years)
        seconds = time.perf_counter() - clock
        metadata = make_comparison_metadata(
            loaded,
            scenarios,
            seed_source="--seed" if args.seed is not None else "base scenario",
            replications=args.replications,
            workers=args.workers,
            started=started,
            command=command,
            extra={
                "wall_seconds": round(seconds, 3),
                "follow_up_years": years,
                "requested_follow_up_years": args.years,
                "detectable_difference": args.detect,
            },
        )
        write_report(
            folder.path,
            table,
            scenarios,
            metadata,
            years=years,
            figures={"forest": FOREST_PNG, "survival": SURVIVAL_PNG, "indicators": INDICATORS_PNG},
            destination=out,
        )
        write_metadata(folder.path, metadata)

    print(
        format_comparison_summary(
            table,
            years=years,
            replications=args.replications,
            people=metadata["people_per_replication"],
            horizon_weeks=scenarios[0].horizon_weeks,
            seed=seed,
            seed_source=metadata["seed_source"],
            workers=args.workers,
            seconds=seconds,
            requested_years=args.years,
        )
    )
    print(f"\nReport: {out / REPORT_HTML} (and {REPORT_MD}); all figures: {out / 'comparison.csv'}")
    return 0


def _signed(x: float, digits: int = 1) -> str:
    if pd.isna(x):
        return "n/a"
    if x != 0 and abs(x) < 0.95 * 10 ** (1 - digits):
        digits += 1  # -0.04, not -0.0
    return f"{x:+.{digits}f}"


def _diff_cell(row: pd.Series, scale: float = 1.0, digits: int = 1) -> str:
    if pd.isna(row["difference"]):
        return "n/a"
    if row["difference"] == 0 and row["sd"] == 0:
        return "0 (identical in every replication)"
    cell = f"{_signed(scale * row['difference'], digits)}"
    if pd.notna(row["lower"]):
        lo, hi = _signed(scale * row["lower"], digits), _signed(scale * row["upper"], digits)
        cell += f" ({lo} to {hi})"
    return cell + (" *" if row["excludes_zero"] else "")


def format_comparison_summary(
    table: pd.DataFrame,
    *,
    years: float,
    replications: int,
    people: int,
    horizon_weeks: int,
    seed: int,
    seed_source: str,
    workers: int,
    seconds: float,
    requested_years: float | None = None,
) -> str:
    """The table printed after a comparison: per other scenario, the event outcomes ``years``
    after release per 100 releases (base, scenario, paired difference with 95 % interval) and
    the total cost, with the cost per reoffence prevented."""
    names = list(dict.fromkeys(table["scenario"].astype(str)))
    base = names[0]
    lines = [
        f"compare: {base} (base) vs {', '.join(names[1:])}",
        f"{replications} replications of {people:,} people, {horizon_weeks} weeks, common seed "
        f"{seed} (from the {seed_source}), {workers} worker{'s' * (workers != 1)}, "
        f"{seconds:.1f} s",
    ]
    if requested_years is not None and requested_years != years:
        lines.append(
            f"(follow-up {requested_years:g} years is beyond the horizon; showing {years:g})"
        )
    lines += [
        "",
        f"Per 100 releases, {years:g} year{'s' * (years != 1)} after release (Kaplan-Meier, mean "
        "over replications); difference = scenario - base, 95% interval; * = interval excludes 0",
    ]
    events = table[(table["kind"] == "event") & (table["years"] == years)]
    label_width = max([len("outcome"), *(len(str(v)) for v in events["label"])])
    for name in names[1:]:
        lines += ["", f"{name} vs {base}:"]
        head = f"  {'cohort':<10}  {'outcome':<{label_width}}  {'base':>10}  {'scenario':>10}"
        lines.append(head + "  difference (95% interval)")
        for _, row in events[events["scenario"] == name].iterrows():
            ref = events[
                (events["scenario"] == base)
                & (events["cohort"] == row["cohort"])
                & (events["outcome"] == row["outcome"])
            ]
            ref_level = ref["level"].iloc[0] if len(ref) else float("nan")
            lines.append(
                f"  {row['cohort']:<10}  {row['label']:<{label_width}}  "
                f"{_level(ref_level):>10}  {_level(row['level']):>10}  {_diff_cell(row)}"
            )
        lines += _cost_lines(table, base, name, label_width)
    return "\n".join(lines)


def _level(x: float) -> str:
    return "n/a" if pd.isna(x) else f"{x:.1f}"


def _cost_lines(table: pd.DataFrame, base: str, name: str, width: int) -> list[str]:
    def pick(scenario: str, outcome: str) -> pd.Series | None:
        rows = table[
            (table["scenario"] == scenario)
            & (table["cohort"] == "all")
            & (table["outcome"] == outcome)
        ]
        return rows.iloc[0] if len(rows) else None

    total, ref = pick(name, "cost_total"), pick(base, "cost_total")
    if total is None or ref is None:
        return []
    label = "total cost, EUR million"
    lines = [
        f"  {'all':<10}  {label:<{width}}  {ref['level'] / 1e6:>10.1f}  "
        f"{total['level'] / 1e6:>10.1f}  {_diff_cell(total, 1e-6)}"
    ]
    ratio = pick(name, "cost_per_reoffence_prevented")
    if ratio is not None:
        level = ratio["level"]
        if pd.isna(level):
            value = "not defined"
        elif level < 0:
            value = f"none: saves EUR {-level:,.0f} per reoffence prevented"
        else:
            value = f"EUR {level:,.0f}"
        lines.append(f"  extra cost per reoffence prevented: {value} ({ratio['note']})")
    return lines


# ---------------------------------------------------------------------- calibrate


def _add_calibrate(commands: Any) -> None:
    from .calibration import DEFAULT_MAX_EVALUATIONS, DEFAULT_REPLICATIONS

    calibrate = commands.add_parser(
        "calibrate",
        help="fit parameters to the calibration targets (EVIDENCE.md section 1)",
        description="Fit register parameters of a scenario to the calibration targets by "
        "Nelder-Mead on common random numbers; write calibration.md, calibration.csv, "
        "evaluations.csv and metadata.json to a result folder; with --write also record the "
        "fitted values in the scenario file.",
        allow_abbrev=False,
    )
    calibrate.add_argument("scenario", metavar="SCENARIO.toml", help="scenario file")
    calibrate.add_argument(
        "--fit",
        required=True,
        metavar="GROUP.NAME[,GROUP.NAME...]",
        help="numeric register parameters to fit, comma-separated",
    )
    calibrate.add_argument(
        "--replications",
        "-n",
        type=_count,
        default=DEFAULT_REPLICATIONS,
        metavar="N",
        help=f"replications per evaluation, the same in each (default {DEFAULT_REPLICATIONS})",
    )
    calibrate.add_argument(
        "--workers", "-j", type=_count, default=1, metavar="K", help="worker processes (default 1)"
    )
    calibrate.add_argument(
        "--max-evaluations",
        type=_count,
        default=DEFAULT_MAX_EVALUATIONS,
        metavar="M",
        help=f"stop after M simulated evaluations (default {DEFAULT_MAX_EVALUATIONS})",
    )
    calibrate.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="result folder (default results/<YYYYmmdd-HHMMSS>-calibrate-<scenario>)",
    )
    calibrate.add_argument(
        "--write",
        action="store_true",
        help="record the fitted values (with a dated comment) in the scenario file",
    )
    calibrate.set_defaults(handler=_calibrate)


def _calibrate(args: argparse.Namespace, command: list[str]) -> int:
    import shlex

    from .calibration import (
        CalibrationError,
        calibrate,
        resolve_parameters,
        write_calibration,
        write_fitted_values,
    )
    from .results import ResultFolder, default_out_dir, make_metadata, now_iso, write_metadata
    from .scenario import load_scenario

    command_text = shlex.join([PROG, *command[1:]])
    try:
        scenario = load_scenario(args.scenario)
        keys = [k.strip() for k in args.fit.split(",") if k.strip()]
        resolve_parameters(scenario, keys)  # bad keys fail before anything is written
        out = args.out
        if out is None:
            out = _unique_default(default_out_dir(f"calibrate-{scenario.name}"))
        folder = ResultFolder(out)
        started = now_iso()
        clock = time.perf_counter()
        with _sigterm_as_interrupt(), folder:
            assert folder.path is not None
            result = calibrate(
                scenario,
                keys,
                replications=args.replications,
                workers=args.workers,
                max_evaluations=args.max_evaluations,
            )
            write_calibration(folder.path, result, command_text)
            metadata = make_metadata(
                scenario,
                replications=args.replications,
                workers=args.workers,
                started=started,
                command=command,
                extra={
                    "calibration": {
                        "fitted": result.fitted,
                        "start": {p.key: p.start for p in result.parameters},
                        "objective_start": result.objective_start,
                        "objective_fitted": result.objective_fitted,
                        "evaluations": len(result.evaluations),
                        "max_evaluations": args.max_evaluations,
                        "fitted_targets": [t.key for t in result.fitted_targets],
                        "message": result.message,
                    },
                    "wall_seconds": round(time.perf_counter() - clock, 3),
                },
            )
            write_metadata(folder.path, metadata)
        if args.write:
            write_fitted_values(args.scenario, result.fitted, command_text)
    except CalibrationError as err:
        return _fail(err)
    print(
        f"Calibration of {scenario.name}: {len(result.evaluations)} evaluations "
        f"({result.message}); objective {result.objective_start:.3f} -> "
        f"{result.objective_fitted:.3f}"
    )
    for p in result.parameters:
        print(f"  {p.key}: {p.start:g} -> {result.fitted[p.key]:g}")
    for r in result.table.itertuples():
        value = "n/a (horizon too short)" if pd.isna(r.simulated) else f"{r.simulated:.1f} %"
        mark = "in range" if r.in_range else ("" if pd.isna(r.simulated) else "OUT of range")
        print(f"  {r.target}: {value} (target {r.target_value:g}, {r.low:g}-{r.high:g}) {mark}")
    if args.write:
        print(f"Wrote fitted values to {args.scenario}")
        print(
            "Note: other scenario files start from the parameter register's defaults, not from "
            "this file; to carry the fit over to them, make the same values the defaults in "
            "src/reintegration_sim/parameters.py and run `make docs`."
        )
    print(f"\nResults: {out}")
    return 0


# ---------------------------------------------------------------------- serve


def _add_serve(commands: Any) -> None:
    serve = commands.add_parser(
        "serve",
        help="start the workshop dashboard in the browser (Mesa SolaraViz)",
        description="Start the workshop dashboard: a base and a policy run side by side, live "
        "plots, the network, one person's story. Works without internet. Stop with Ctrl-C.",
        allow_abbrev=False,
    )
    serve.add_argument(
        "--scenario",
        metavar="FILE",
        help="base scenario file (default scenarios/baseline.toml)",
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine)"
    )
    serve.add_argument(
        "--port", type=_port, default=8765, metavar="PORT", help="port (default 8765)"
    )
    serve.set_defaults(handler=_serve)


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be between 1 and 65535 (got {value})")
    return value


def _serve(args: argparse.Namespace, command: list[str]) -> int:
    from .dashboard.server import ServeError, serve

    try:
        return serve(args.scenario, host=args.host, port=args.port)
    except ServeError as err:
        return _fail(err)
