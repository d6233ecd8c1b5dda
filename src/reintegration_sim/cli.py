"""The command line: arguments and printing only, over :mod:`~reintegration_sim.workflows`
(run, compare), :mod:`~reintegration_sim.workflows.sweep` and :mod:`~reintegration_sim.analysis.calibration`.

::

    reintegration-sim                       (bare: the commands and where to start)
    reintegration-sim scenarios [NAME ...] [--copy DIR]
    reintegration-sim run SCENARIO [--replications N] [--seed S] [--set KEY=VALUE ...]
        [--out DIR] [--workers K] [--allow-large]
    reintegration-sim compare BASE OTHER [MORE ...] [--replications N] [--seed S]
        [--set KEY=VALUE ...] [--out DIR] [--workers K] [--years Y] [--detect D]
        [--releases-per-year PRESET_OR_NUMBER[,...]]
    reintegration-sim levers [KEY] [--markdown]
    reintegration-sim params [GROUP | GROUP.NAME] [--markdown | --brief]
    reintegration-sim targets [FILE] [--toml]
    reintegration-sim calibrate SCENARIO --fit KEY[,KEY...] [--method optimise|abc]
        [--targets FILE] [--replications N] [--workers K] [--set KEY=VALUE ...] [--out DIR]
        optimise (default): [--max-evaluations M] [--write]
        abc: [--population P] [--generations G] [--checks C] [--scheduler ADDRESS]
    reintegration-sim sweep SPEC.toml [--out DIR] [--workers K | --scheduler ADDRESS] [--resume]
        [--set KEY=VALUE ...]
    reintegration-sim serve [--scenario SCENARIO] [--set KEY=VALUE ...] [--host HOST] [--port PORT]
                            [--walkthroughs DIR]

Each command's ``--help`` ends with examples (:data:`EXAMPLES`). A mistyped command, option,
choice, key, lever, group or scenario name is refused with the nearest valid one ("did you mean
'gate_pickup'?", :func:`~reintegration_sim.keys.did_you_mean`).

``SCENARIO`` is a file or a shipped scenario's name; ``KEY`` is ``GROUP.NAME`` or
``interventions.LEVER.FIELD`` (:mod:`~reintegration_sim.keys`).

Bad input (a scenario file that does not validate, an unknown option, a value out of range, an
unusable ``--out``; for ``compare`` also fewer than two scenarios, two with one name, or
scenarios that cannot be paired) prints one line ``reintegration-sim: error: ...`` on stderr
and exits with status 2 before anything is written; so does work estimated to need more memory than
the machine has (or a sweep of more than 100,000 runs) unless ``--allow-large``. An interrupted
run (SIGTERM, Ctrl-C) exits with status 130 and leaves no result folder (docs/reliability.md).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import textwrap
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from ._version import __version__

if TYPE_CHECKING:
    from .scenario import Scenario

PROG = "reintegration-sim"

__all__ = [
    "PROG",
    "UsageError",
    "build_parser",
    "main",
]


class UsageError(Exception):
    """A command line that cannot be used; the message is meant for the user."""


class _Parser(argparse.ArgumentParser):
    """An argparse parser that raises instead of printing usage and exiting, and names the
    nearest valid command, option or choice when one is mistyped."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        choices = action.choices
        if choices is not None and value not in choices:
            from .keys import did_you_mean

            names = [str(c) for c in choices]
            what = "command" if isinstance(action, argparse._SubParsersAction) else "choice"
            hint = did_you_mean(str(value), names)
            raise argparse.ArgumentError(
                action,
                f"invalid {what}: {value!r}; {hint + ' ' if hint else ''}"
                f"choose from {', '.join(names)}",
            )
        super()._check_value(action, value)

    def parse_args(self, args: Any = None, namespace: Any = None) -> Any:
        parsed, extra = self.parse_known_args(args, namespace)
        if extra:
            self.error(self._unrecognized(parsed, extra))
        return parsed

    def _unrecognized(self, parsed: argparse.Namespace, extra: list[str]) -> str:
        """``unrecognized arguments: ...``, with the nearest option of the command for a
        mistyped one."""
        from .keys import did_you_mean

        parser: argparse.ArgumentParser = self
        command = getattr(parsed, "command", None)
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction) and command in action.choices:
                parser = action.choices[command]
        options = [o for a in parser._actions for o in a.option_strings if o.startswith("--")]
        hints = []
        for word in extra:
            if word.startswith("-"):
                hint = did_you_mean(word.split("=", 1)[0], options)
                if hint:
                    hints.append(f"{word.split('=', 1)[0]}: {hint}")
        message = f"unrecognized arguments: {' '.join(extra)}"
        if hints:
            message += " (" + "; ".join(hints) + ")"
        elif command is not None:
            message += f" (`{PROG} {command} --help` lists the options)"
        return message


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Help as argparse writes it, but the description and the examples (the epilog) are kept as
    written: each command's help ends with examples that can be copied."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, width=min(100, shutil.get_terminal_size((100, 24)).columns))


def _text(text: str) -> str:
    """A description wrapped for the help screen (the raw formatter keeps it as given)."""
    import textwrap

    return textwrap.fill(" ".join(text.split()), 88)


def _examples(*lines: str) -> str:
    """The epilog of a command's help: examples, one command line each with what it does."""
    return "examples:\n" + "\n".join(f"  {line}" for line in lines)


def _names(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise argparse.ArgumentTypeError("expected KEY_OR_GROUP[,KEY_OR_GROUP...]")
    return names


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
    from .analysis.survival import SURVIVAL_YEARS

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of years, got {text!r}") from None
    if value not in SURVIVAL_YEARS:
        allowed = ", ".join(str(y) for y in SURVIVAL_YEARS)
        raise argparse.ArgumentTypeError(f"must be one of {allowed} (got {text})")
    return value


def _releases_per_year(text: str) -> dict[str, float]:
    from .analysis.economics import parse_releases_per_year

    try:
        return parse_releases_per_year(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err).removeprefix("--releases-per-year: ")) from None


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
    from .workflows import (
        DEFAULT_COMPARE_YEARS,
        DEFAULT_DETECT,
        DEFAULT_DRAW_REPLICATIONS,
        DEFAULT_REPLICATIONS,
    )
    from .workflows.sweep import DEFAULT_CHUNK

    parser = _Parser(
        prog=PROG,
        description="Agent-based simulation of release and reintegration after violent "
        "extremist offences, for comparing policies on synthetic populations.",
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    scenarios = commands.add_parser(
        "scenarios",
        help="list the shipped scenarios, show some, or copy them into a folder to edit",
        description="List the scenarios shipped with the package (name and title); name some "
        "to show their titles and descriptions; with --copy DIR, copy the named ones (all if "
        "none is named) into DIR, refusing to overwrite a file. A copy runs as it is; or write "
        'your own file with base = "NAME" and only what differs.',
        allow_abbrev=False,
    )
    scenarios.add_argument(
        "names", nargs="*", metavar="NAME", help="scenarios to show (or, with --copy, to copy)"
    )
    scenarios.add_argument("--copy", type=Path, metavar="DIR", help="copy them into DIR")
    scenarios.set_defaults(handler=_scenarios)

    run = commands.add_parser(
        "run",
        help="run replications of a scenario and write a result folder",
        description="Run replications of a scenario; write tables, plots and metadata to a "
        "result folder and print a survival summary.",
        allow_abbrev=False,
    )
    run.add_argument(
        "scenario", metavar="SCENARIO", help="scenario file, or a shipped scenario's name"
    )
    _add_set(run)
    _add_allow_large(run)
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
        "(report.html, report.md and a one-page brief.pdf) to a result folder and print the main "
        "differences.",
        allow_abbrev=False,
    )
    compare.add_argument(
        "scenarios",
        nargs="+",
        metavar="SCENARIO",
        help="BASE OTHER [MORE ...]: scenario files or shipped names, the base first",
    )
    _add_set(compare, "every scenario")
    _add_allow_large(compare)
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
    compare.add_argument(
        "--assumption-draws",
        type=_count,
        metavar="N",
        help="also draw the assumptions N times jointly (quasi-random) and report each "
        "difference over assumptions and chance: median, 90%% range, chance the policy helps "
        "(docs/uncertainty.md)",
    )
    compare.add_argument(
        "--vary",
        type=_names,
        metavar="KEY_OR_GROUP,...",
        help="with --assumption-draws: what to draw (keys, register groups such as recruiters, "
        "levers such as interventions.mentors, or 'levers'); default every shared assumption",
    )
    compare.add_argument(
        "--draw-replications",
        type=_count,
        default=DEFAULT_DRAW_REPLICATIONS,
        metavar="R",
        help="with --assumption-draws: runs per scenario in each draw, on common random numbers "
        f"(default {DEFAULT_DRAW_REPLICATIONS}; 2 or more also separate chance from the "
        "assumptions)",
    )
    compare.add_argument(
        "--posterior",
        metavar="FILE",
        help="with --assumption-draws: draw the calibrated parameters jointly from this "
        "posterior (calibrate --method abc), or 'baseline' for the shipped one",
    )
    compare.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="with --assumption-draws: run the draws on this Dask scheduler instead of --workers",
    )
    compare.add_argument(
        "--releases-per-year",
        type=_releases_per_year,
        default=None,
        metavar="R[,R...]",
        help="terrorist prisoners released a year behind the terrorism offences and "
        "reoffences prevented a year in benefit_cost.csv: positive numbers, presets "
        "(uk 40, france 50, belgium 27; EVIDENCE 2) or a country preset's name "
        "(england_wales: its [country] figure); default: the base scenario's country "
        "(the country presets england_wales, france, belgium, netherlands, germany and files "
        "inheriting from them carry theirs), else all three presets",
    )
    compare.set_defaults(handler=_compare)

    levers = commands.add_parser(
        "levers",
        help="list the policy levers: fields, defaults, meaning, evidence, typical cost",
        description="List every policy lever a scenario can switch on (the interventions, "
        "then the levers that are register parameters), or the one named: what it does, the "
        "paper section, the mechanism it acts through, the size of its effect, its typical "
        "cost, and each field with its default, meaning, plausible range, prior and source. "
        "The same content as docs/levers.md.",
        allow_abbrev=False,
    )
    levers.add_argument(
        "key",
        nargs="?",
        metavar="KEY",
        help="one lever: an intervention (gate_pickup) or a parameter lever (prison.regime)",
    )
    levers.add_argument(
        "--markdown", action="store_true", help="every lever as Markdown (docs/levers.md)"
    )
    levers.set_defaults(handler=_levers)

    params = commands.add_parser(
        "params",
        help="list the parameters: defaults, units, meaning, ranges, priors, sources",
        description="List the parameter register, or one group or parameter of it: each "
        "parameter's default and unit, meaning, plausible range, prior (what --assumption-draws "
        "draws) and source. The same content as docs/parameters.md.",
        allow_abbrev=False,
    )
    params.add_argument(
        "group",
        nargs="?",
        metavar="GROUP",
        help="one group (offending) or one parameter (offending.terror_hazard)",
    )
    form = params.add_mutually_exclusive_group()
    form.add_argument(
        "--markdown", action="store_true", help="as Markdown (the register: docs/parameters.md)"
    )
    form.add_argument(
        "--brief",
        action="store_true",
        help="one line per parameter: key, default, unit, plausible range",
    )
    params.set_defaults(handler=_params)

    targets = commands.add_parser(
        "targets",
        help="list the calibration targets, or check a targets file of your own",
        description="List the calibration targets shipped with the package (EVIDENCE.md "
        "section 1) or those of FILE, each with its value, range, source and definition; a "
        "FILE is checked as calibrate --targets checks it. With --toml, print the file itself: "
        "the shipped one is the form to copy for your country's targets.",
        allow_abbrev=False,
    )
    targets.add_argument(
        "file", nargs="?", type=Path, metavar="FILE", help="a targets file (default: shipped)"
    )
    targets.add_argument(
        "--toml", action="store_true", help="print the file's text (to copy and edit)"
    )
    targets.set_defaults(handler=_targets)

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
        default=DEFAULT_CHUNK,
        metavar="N",
        help=f"write finished runs to DIR/runs/ every N runs (default {DEFAULT_CHUNK}); a killed sweep "
        "loses at most the runs not yet written",
    )
    _add_set(sweep, "the base scenario (after the spec's [overrides])")
    _add_allow_large(sweep)
    sweep.set_defaults(handler=_sweep)
    _add_calibrate(commands)
    _add_serve(commands)
    parser.formatter_class = _HelpFormatter
    parser.description = _text(parser.description or "")
    parser.epilog = _examples(*EXAMPLES[""])
    for name, command in commands.choices.items():
        command.formatter_class = _HelpFormatter
        command.description = _text(command.description or "")
        command.epilog = _examples(*EXAMPLES[name])
    return parser


#: the examples that end each command's help (and the overview's, under ""); each line is a
#: command that runs from a fresh clone (tests/test_adapting.py parses every one)
EXAMPLES: dict[str, tuple[str, ...]] = {
    "": (
        f"{PROG} scenarios                          # the shipped scenarios",
        f"{PROG} compare baseline uk_contest_3      # a policy against today's practice",
        f"{PROG} levers gate_pickup                 # what a lever does and costs",
        f"{PROG} COMMAND --help                     # a command's options and examples",
    ),
    "scenarios": (
        f"{PROG} scenarios",
        f"{PROG} scenarios france                  # its title and description",
        f"{PROG} scenarios baseline france --copy my_country",
    ),
    "run": (
        f"{PROG} run baseline --replications 4 --workers 2",
        f"{PROG} run france --set population.n_extremist=500 --set population.n_comparison=500",
    ),
    "compare": (
        f"{PROG} compare baseline rotterdam_case_conferences uk_contest_3 --replications 4",
        f"{PROG} compare baseline german_hybrid_model --assumption-draws 8 --workers 2",
        f"{PROG} compare baseline uk_contest_3 --releases-per-year france,60",
    ),
    "levers": (
        f"{PROG} levers",
        f"{PROG} levers gate_pickup",
        f"{PROG} levers prison.regime",
    ),
    "params": (
        f"{PROG} params offending",
        f"{PROG} params offending.terror_hazard",
        f"{PROG} params --brief",
    ),
    "targets": (
        f"{PROG} targets",
        f"{PROG} targets --toml > my_country_targets.toml",
        f"{PROG} targets my_country_targets.toml",
    ),
    "calibrate": (
        f"{PROG} calibrate baseline --fit offending.terror_hazard --replications 2",
        f"{PROG} calibrate france --fit offending.terror_hazard --targets my_country_targets.toml",
        f"{PROG} calibrate baseline --method abc --fit offending.terror_hazard --workers 2",
    ),
    "sweep": (f"{PROG} sweep sweeps/small.toml --workers 2",),
    "serve": (
        f"{PROG} serve",
        f"{PROG} serve --scenario france",
    ),
}


def overview() -> str:
    """What bare ``reintegration-sim`` prints: the commands, each with its one line, and where
    to start."""
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {a.dest: a.help or "" for a in commands._choices_actions}
    width = max(len(name) for name in helps)
    lines = [
        _text(f"{PROG} {__version__}: {parser.description or ''}"),
        "",
        f"usage: {PROG} COMMAND [options]",
        "",
        "commands:",
        *(f"  {name.ljust(width)}  {text}" for name, text in helps.items()),
        "",
        parser.epilog or "",
        "",
        "Adapting the model to a country, from copying the baseline to a brief: docs/adapting.md.",
    ]
    return "\n".join(lines) + "\n"


def _add_set(command: argparse.ArgumentParser, what: str = "the scenario") -> None:
    command.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help=f"set a value of {what}: GROUP.NAME (a register parameter), "
        "interventions.LEVER.FIELD (a lever's field; switches the lever on), horizon_weeks, "
        "seed or title; repeatable. E.g. --set offending.terror_hazard=0.002",
    )


#: the longest error line printed (a 10,000-character value in a file is not echoed in full)
MAX_MESSAGE = 500


def _add_allow_large(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--allow-large",
        action="store_true",
        help="run even if the estimated memory is more than this machine has available (or a "
        "sweep plans more than 100,000 runs); by default such work is refused before it starts",
    )


def _cap_workers(args: argparse.Namespace) -> None:
    """More workers than processors only compete: use as many as there are, with a note."""
    from .analysis.experiment import usable_workers

    workers = getattr(args, "workers", 1)
    usable = usable_workers(workers)
    if usable < workers:
        print(
            f"{PROG}: note: --workers {workers} is more than the {usable} processor(s) this "
            f"process may use; using {usable} (results do not depend on it)",
            file=sys.stderr,
        )
        args.workers = usable


def _check_size(
    args: argparse.Namespace,
    scenario: Scenario,
    replications: int,
    scenarios: int = 1,
    note: bool = True,
) -> None:
    """Refuse (before anything runs) work whose estimated memory is more than 80 % of what this
    machine has available, unless --allow-large; a note with the estimate for long work."""
    from .analysis.experiment import available_memory, estimated_memory, estimated_seconds

    _cap_workers(args)
    need = estimated_memory(scenario, replications, args.workers, scenarios)
    available = available_memory()
    if available is not None and need > 0.8 * available and not args.allow_large:
        raise UsageError(
            f"this needs about {need / 1e9:.1f} GB of memory and {available / 1e9:.1f} GB is "
            "available: use a smaller population, fewer replications or fewer --workers, or pass "
            "--allow-large to run anyway"
        )
    seconds = scenarios * estimated_seconds(scenario, replications, args.workers)
    if note and seconds > 600:
        print(
            f"{PROG}: note: {scenarios * replications} replication(s) of "
            f"{scenario.parameters.population.n_extremist + scenario.parameters.population.n_comparison:,}"
            f" people: about {seconds / 60:.0f} minutes and {need / 1e9:.1f} GB of memory",
            file=sys.stderr,
        )


def _fail(message: Any) -> int:
    words = [_short(word) for word in str(message).split()]
    text = " ".join(words)
    if len(text) > MAX_MESSAGE:
        text = text[: MAX_MESSAGE - 40] + f"... ({len(text)} characters in all)"
    print(f"{PROG}: error: {text}", file=sys.stderr)
    return 2


def entry() -> NoReturn:
    """The ``reintegration-sim`` command: :func:`main`, then the process ends at once with its
    status. Python's own shutdown is skipped (everything is written and closed by then, and
    worker processes end with their parent): during it the default SIGTERM handler is back, so a
    stop signal arriving then ended the process with -15 instead of the command's status."""
    code = main()
    status = code if isinstance(code, int) else 1
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(status)


def _short(word: str, limit: int = 120) -> str:
    return word if len(word) <= limit else f"{word[:60]}...{word[-30:]} ({len(word)} characters)"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``reintegration-sim`` and ``python -m reintegration_sim``.

    From its first line to its last, SIGTERM and Ctrl-C only set a flag that the work checks at
    safe points (:mod:`~reintegration_sim.analysis.stopping`), so an interrupted command ends
    with status 130 and leaves no staging folder, whatever moment the signal came at (the
    dashboard's server keeps its own handling)."""
    from .analysis.stopping import check_stop, stop_on_signals

    with ExitStack() as stopping:
        stopping.enter_context(stop_on_signals(message=_FORCED))
        try:
            if not (sys.argv[1:] if argv is None else list(argv)):
                sys.stdout.write(overview())  # bare: the commands and where to start
                return 0
            parser = build_parser()
            try:
                args = parser.parse_args(argv)
            except UsageError as err:
                return _fail(err)
            except SystemExit as done:  # --help, --version
                return done.code if isinstance(done.code, int) else 0
            check_stop()
            if args.command == "serve":
                stopping.close()
        except KeyboardInterrupt:
            print(f"{PROG}: interrupted", file=sys.stderr)
            return 130
        command = [PROG, *argv] if argv is not None else list(sys.argv)
        return _handle(args, command)
    raise AssertionError("unreachable")  # ExitStack does not swallow exceptions


def _handle(args: argparse.Namespace, command: list[str]) -> int:
    from concurrent.futures.process import BrokenProcessPool

    from .keys import KeyError_
    from .outputs.results import ResultsError
    from .scenario import ScenarioError

    try:
        return args.handler(args, command)
    except (ScenarioError, ResultsError, UsageError, KeyError_) as err:
        return _fail(err)
    except OSError as err:  # not in a result folder's writing (that says more): one line
        from .outputs.results import os_error_text, shown_path

        where = f" ({shown_path(err.filename)})" if err.filename else ""
        return _fail(f"{os_error_text(err)}{where}")
    except BrokenProcessPool:
        return _fail(
            "a worker process ended unexpectedly (out of memory, or killed); nothing was "
            "written: run again with fewer --workers or a smaller population"
        )
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted; no result folder written", file=sys.stderr)
        return 130


_FORCED = "interrupted, and the command did not stop in time: ended; no result folder written\n"


# ---------------------------------------------------------------------- params


def _params(args: argparse.Namespace, command: list[str]) -> int:
    from .outputs.catalogue import parameters_text
    from .parameters import iter_register, register_markdown

    text = parameters_text(args.group)  # an unknown group fails here, whatever the form
    if args.markdown:
        group = args.group.removeprefix("parameters.").split(".")[0] if args.group else None
        sys.stdout.write(register_markdown(group))
        return 0
    if not args.brief:
        sys.stdout.write(text)
        return 0
    rows = []
    for info in iter_register():
        if args.group is not None and args.group.removeprefix("parameters.") not in (
            info.group,
            info.key,
        ):
            continue
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
    print(f"\n{len(rows)} parameters; `{PROG} params GROUP` adds meanings, priors and sources.")
    return 0


def _levers(args: argparse.Namespace, command: list[str]) -> int:
    from .outputs.catalogue import levers_markdown, levers_text

    text = levers_text(args.key)  # an unknown key fails here, whatever the form
    if args.markdown:
        if args.key is not None:
            raise UsageError("levers --markdown prints every lever (docs/levers.md): name none")
        text = levers_markdown()
    sys.stdout.write(text)
    return 0


def _targets(args: argparse.Namespace, command: list[str]) -> int:
    from .analysis.calibration import (
        SHIPPED_TARGETS,
        CalibrationError,
        load_targets,
        shipped_targets_path,
    )
    from .outputs.catalogue import targets_text

    path = args.file if args.file is not None else shipped_targets_path()
    try:
        targets = load_targets(path)
    except CalibrationError as err:
        return _fail(err)
    if args.toml:
        sys.stdout.write(path.read_text(encoding="utf-8-sig"))
        return 0
    where = SHIPPED_TARGETS if args.file is None else str(args.file)
    sys.stdout.write(targets_text(targets, where))
    return 0


# ---------------------------------------------------------------------- sweep


def _sweep(args: argparse.Namespace, command: list[str]) -> int:
    from .keys import parse_assignment
    from .outputs.results import default_out_dir
    from .workflows.sweep import MAX_RUNS, SweepError, prepare, run_sweep

    try:
        if args.resume and args.out is None:
            raise SweepError("--resume needs --out DIR (the folder of the interrupted sweep)")
        out = args.out
        if out is None:
            out = _unique_default(default_out_dir(f"sweep-{Path(args.spec).stem}"))
        plan = prepare(
            args.spec,
            dict(parse_assignment(a) for a in args.set),
            max_runs=None if args.allow_large else MAX_RUNS,
        )
        if args.scheduler is None:  # memory: one replication in each worker at a time
            _check_size(args, plan.scenario, 1, min(args.workers, plan.n_runs), note=False)
        _sweep_note(plan, args.workers if args.scheduler is None else None)
        for key in plan.excluded:
            print(f"{PROG}: note: categorical parameter '{key}' is not varied", file=sys.stderr)
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
    except OSError as err:
        from .outputs.results import os_error_text, shown_path

        return _fail(
            f"--out {shown_path(out)}: {os_error_text(err)} while writing the sweep; the finished "
            f"runs written so far are kept: free space (or fix the folder), then finish with "
            f"`{PROG} sweep {args.spec} --out {shown_path(out)} --resume`"
        )
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


def _sweep_note(plan: Any, workers: int | None) -> None:
    from .analysis.experiment import estimated_seconds

    runs = plan.n_runs * plan.spec.replications_per_point
    seconds = estimated_seconds(plan.scenario, runs, workers or 1)
    if seconds > 600:
        where = f"on {workers} worker(s)" if workers else "on one worker (a cluster divides it)"
        print(
            f"{PROG}: note: sweep {plan.name}: {runs:,} runs, about {seconds / 3600:.1f} hours "
            f"{where}; interrupted, it resumes with --resume",
            file=sys.stderr,
        )


# ---------------------------------------------------------------------- scenarios


def _scenarios(args: argparse.Namespace, command: list[str]) -> int:
    import shutil

    from .scenario import (
        ScenarioError,
        load_scenario,
        resolve_scenario,
        shipped_scenario_dir,
        shipped_scenarios,
    )

    shipped, folder = shipped_scenarios(), shipped_scenario_dir()
    if args.copy is None and args.names:
        for path in [resolve_scenario(n) for n in args.names]:  # all resolved before printing
            scenario = load_scenario(path)
            print(f"{scenario.name}: {scenario.title or scenario.name}  ({path})")
            print(textwrap.fill(" ".join(scenario.description.split()), 96) + "\n")
        return 0
    if args.copy is None:
        width = max(len(name) for name in shipped)
        for name, path in shipped.items():
            scenario = load_scenario(path)
            print(f"{name.ljust(width)}  {scenario.title or _first_line(scenario.description)}")
        print(f"\n{len(shipped)} scenarios in {folder}")
        return 0
    chosen = [resolve_scenario(n) for n in args.names] if args.names else list(shipped.values())
    for path in chosen:
        if path.parent != folder:
            raise ScenarioError(f"{path}: not a shipped scenario")
    targets = [args.copy / path.name for path in chosen]
    taken = [str(t) for t in targets if t.exists()]
    if taken:
        raise UsageError(f"--copy: will not overwrite {', '.join(taken)}")
    if args.copy.exists() and not args.copy.is_dir():
        raise UsageError(f"--copy {args.copy}: exists and is not a folder")
    args.copy.mkdir(parents=True, exist_ok=True)
    for path, target in zip(chosen, targets, strict=True):
        shutil.copyfile(path, target)
    print(f"copied {len(targets)} scenario file(s) into {args.copy}")
    return 0


def _first_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= 90 else line[:87] + "..."


# ---------------------------------------------------------------------- run


def _unique_default(path: Path) -> Path:
    """The default folder, with ``-2``, ``-3``... added if a run in the same second took it."""
    candidate, k = path, 1
    while candidate.exists():
        k += 1
        candidate = path.with_name(f"{path.name}-{k}")
    return candidate


def _loaded(ref: str, args: argparse.Namespace) -> Scenario:
    """A scenario by path or shipped name, with ``--set`` applied; warns (one line each) about
    values outside their plausible range."""
    from .keys import implausible, parse_assignment
    from .scenario import load_scenario

    scenario = load_scenario(ref)
    assignments = getattr(args, "set", None) or []
    if assignments:
        scenario = scenario.with_overrides(dict(parse_assignment(a) for a in assignments))
    for line in implausible(scenario):
        print(f"{PROG}: warning: {scenario.source_path or scenario.name}: {line}", file=sys.stderr)
    return scenario


def _run(args: argparse.Namespace, command: list[str]) -> int:
    from .outputs.results import check_out_dir, default_out_dir
    from .workflows import run

    scenario = _loaded(args.scenario, args)
    if args.seed is not None:
        scenario = scenario.with_seed(args.seed)
    out = args.out if args.out is not None else _unique_default(default_out_dir(scenario.name))
    check_out_dir(out)  # refuses an unusable --out before anything runs
    _check_size(args, scenario, args.replications)
    result = run(scenario, args.replications, workers=args.workers, progress=True)
    result.save(out, command)
    print(result.text())
    print(f"\nResults: {out}")
    return 0


# ---------------------------------------------------------------------- compare


def _people(scenario: Scenario) -> int:
    pop = scenario.parameters.population
    return pop.n_extremist + pop.n_comparison


def _compare_out_dir(names: Sequence[str]) -> Path:
    from .outputs.results import default_out_dir

    label = f"compare-{names[0]}-vs-" + "-".join(names[1:])
    if len(label) > 100:
        label = f"compare-{names[0]}-vs-{names[1]}-and-{len(names) - 2}-more"[:100]
    return _unique_default(default_out_dir(label))


def _compare(args: argparse.Namespace, command: list[str]) -> int:
    from .outputs.brief import BRIEF_PDF
    from .outputs.report import REPORT_HTML, REPORT_MD
    from .outputs.results import check_out_dir
    from .priors import PriorError, resolve_vary
    from .workflows import compare, prepare_comparison

    loaded = [_loaded(ref, args) for ref in args.scenarios]
    _, run_as, _ = prepare_comparison(loaded, args.seed)  # refuses unpaired scenarios first
    _country_notes(run_as, args.releases_per_year is None)
    if args.vary is not None and args.assumption_draws is None:
        return _fail("--vary needs --assumption-draws N")
    if args.posterior is not None and args.assumption_draws is None:
        return _fail("--posterior needs --assumption-draws N")
    if args.posterior is not None:
        from .analysis.abc import PosteriorError, load_posterior

        try:  # refused before anything runs
            load_posterior(args.posterior, run_as[0])
        except PosteriorError as err:
            return _fail(err)
    if args.assumption_draws is not None:
        try:  # names checked before anything runs
            resolve_vary(args.vary, [iv.key for s in run_as for iv in s.active_interventions()])
        except PriorError as err:
            return _fail(err)
    names = [s.name for s in run_as]
    out = args.out if args.out is not None else _compare_out_dir(names)
    check_out_dir(out)  # refuses an unusable --out before anything runs
    draw_runs = (args.assumption_draws or 0) * args.draw_replications
    _check_size(args, max(run_as, key=_people), args.replications + draw_runs, len(run_as))
    result = compare(
        loaded,
        args.replications,
        workers=args.workers,
        seed=args.seed,
        years=args.years,
        detect=args.detect,
        progress=True,
        assumption_draws=args.assumption_draws,
        vary=args.vary,
        draw_replications=args.draw_replications,
        scheduler=args.scheduler,
        posterior=args.posterior,
        releases_per_year=args.releases_per_year,
    )
    if args.seed is not None:
        result.seed_source = "--seed"
    result.save(out, command)
    print(result.text())
    print(
        f"\nReport: {out / REPORT_HTML} (and {REPORT_MD}; one page: {BRIEF_PDF}); "
        f"all figures: {out / 'comparison.csv'}"
    )
    return 0


def _country_notes(scenarios: Sequence[Scenario], by_country: bool) -> None:
    """A warning for each scenario whose country differs from the base's: it does not build on
    the base (a policy file for a country says ``base = "france"``), so its differences mix the
    policy with the country's settings."""
    from .scenario import shipped_scenario_dir

    base = scenarios[0]
    if base.country is None:
        return
    shipped = base.source_path is None or Path(base.source_path).parent == shipped_scenario_dir()
    ref = base.name if shipped else base.source_path
    for other in scenarios[1:]:
        if other.country != base.country:
            theirs = "no country" if other.country is None else f"country {other.country.name}"
            print(
                f"{PROG}: warning: {other.source_path or other.name}: {theirs}, unlike the base "
                f"({base.country.name}): it does not build on the base, so its differences "
                "include whatever else the two files set differently; write it with "
                f'base = "{ref}" (docs/adapting.md)',
                file=sys.stderr,
            )
    if by_country:
        print(
            f"{PROG}: note: figures a year at {base.country.releases_per_year:g} terrorist "
            f"prisoners released a year in {base.country.name} (the base's [country])",
            file=sys.stderr,
        )


# ---------------------------------------------------------------------- calibrate


def _add_calibrate(commands: Any) -> None:
    from .analysis import abc
    from .analysis.calibration import DEFAULT_MAX_EVALUATIONS, DEFAULT_REPLICATIONS

    calibrate = commands.add_parser(
        "calibrate",
        help="fit parameters to the calibration targets (shipped, or your own file): one "
        "point or a posterior",
        description="Calibrate register parameters of a scenario to the calibration targets: "
        "the shipped ones (EVIDENCE.md section 1; `reintegration-sim targets` lists them) or "
        "those of --targets FILE. "
        "--method optimise (the default): Nelder-Mead on common random numbers, one fitted "
        "point; writes calibration.md, calibration.csv, evaluations.csv and metadata.json; with "
        "--write also records the fitted values in the scenario file. --method abc: Bayesian "
        "calibration by ABC-SMC (pyabc) from the register's priors; writes posterior.parquet "
        "(weighted particles, for compare --posterior), abc.md, parameters.csv (prior, "
        "posterior, shrinkage), predictive_check.csv/.png, posterior.png, diagnostics.csv "
        "(tolerance, acceptance rate, effective sample size per generation), abc.db and "
        "metadata.json.",
        allow_abbrev=False,
    )
    calibrate.add_argument(
        "scenario", metavar="SCENARIO", help="scenario file, or a shipped scenario's name"
    )
    calibrate.add_argument(
        "--fit",
        required=True,
        metavar="KEY[,KEY...]",
        help="numeric keys to fit, comma-separated: register parameters (GROUP.NAME) or lever "
        "fields (interventions.LEVER.FIELD)",
    )
    calibrate.add_argument(
        "--method",
        choices=("optimise", "abc"),
        default="optimise",
        help="optimise: Nelder-Mead, one point (default); abc: ABC-SMC, a posterior",
    )
    calibrate.add_argument(
        "--replications",
        "-n",
        type=_count,
        default=None,
        metavar="N",
        help=f"replications per evaluation, the same in each (optimise, default "
        f"{DEFAULT_REPLICATIONS}); pooled in each particle's simulation, seeded afresh (abc, "
        f"default {abc.DEFAULT_REPLICATIONS})",
    )
    calibrate.add_argument(
        "--workers",
        "-j",
        type=_count,
        default=1,
        metavar="K",
        help="worker processes (default 1; with abc, 1 gives a reproducible posterior)",
    )
    calibrate.add_argument(
        "--max-evaluations",
        type=_count,
        default=DEFAULT_MAX_EVALUATIONS,
        metavar="M",
        help=f"optimise: stop after M simulated evaluations (default {DEFAULT_MAX_EVALUATIONS})",
    )
    calibrate.add_argument(
        "--targets",
        type=Path,
        metavar="FILE",
        help="a TOML file of targets for your country instead of the shipped ones (EVIDENCE.md "
        "section 1): [[target]] tables with label, cohort, outcome, years, value, low, high, "
        f"source and definition; `{PROG} targets --toml` prints the shipped file to copy, "
        f"`{PROG} targets FILE` checks yours",
    )
    calibrate.add_argument(
        "--population",
        type=_count,
        default=abc.DEFAULT_POPULATION,
        metavar="P",
        help=f"abc: particles per generation (default {abc.DEFAULT_POPULATION})",
    )
    calibrate.add_argument(
        "--generations",
        type=_count,
        default=abc.DEFAULT_GENERATIONS,
        metavar="G",
        help=f"abc: generations of ABC-SMC (default {abc.DEFAULT_GENERATIONS})",
    )
    calibrate.add_argument(
        "--checks",
        type=_count,
        default=abc.DEFAULT_CHECKS,
        metavar="C",
        help=f"abc: simulations from posterior draws for the predictive check (default "
        f"{abc.DEFAULT_CHECKS})",
    )
    calibrate.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="abc: run on this Dask scheduler (pyabc's DaskDistributedSampler) instead of "
        "--workers",
    )
    _add_set(calibrate)
    calibrate.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="result folder (default results/<YYYYmmdd-HHMMSS>-calibrate-<scenario>)",
    )
    calibrate.add_argument(
        "--write",
        action="store_true",
        help="optimise: record the fitted values (with a dated comment) in the scenario file",
    )
    _add_allow_large(calibrate)
    calibrate.set_defaults(handler=_calibrate)


def _calibrate(args: argparse.Namespace, command: list[str]) -> int:
    import shlex

    from .analysis.abc import load_targets, resolve_abc_keys
    from .analysis.calibration import CalibrationError, resolve_parameters, write_fitted_values
    from .outputs.results import check_out_dir, default_out_dir
    from .workflows import CalibrationRun, calibrate

    command_text = shlex.join([PROG, *command[1:]])
    abc = args.method == "abc"
    try:
        if not abc:
            if args.scheduler is not None:
                raise CalibrationError("--scheduler is used with --method abc only")
        elif args.write:
            raise CalibrationError(
                "--write records one fitted point: use it with --method optimise"
            )
        scenario = _loaded(args.scenario, args)
        keys = [k.strip() for k in args.fit.split(",") if k.strip()]
        # bad keys and a bad targets file fail before anything is written
        if args.targets is not None:
            load_targets(args.targets)  # read again by the workflow, which names it in reports
        if abc:
            resolve_abc_keys(scenario, keys)
        else:
            resolve_parameters(scenario, keys)
        _check_size(args, scenario, args.replications or 1)  # abc runs its own count
        out = args.out
        if out is None:
            out = _unique_default(default_out_dir(f"calibrate-{scenario.name}"))
        check_out_dir(out)
        result = calibrate(
            scenario,
            keys,
            method=args.method,
            replications=args.replications,
            workers=args.workers,
            max_evaluations=args.max_evaluations,
            targets=args.targets,
            population=args.population,
            generations=args.generations,
            scheduler=args.scheduler,
            checks=args.checks,
            progress=True,
        )
        result.save(out, [PROG, *command[1:]])
        if args.write and isinstance(result, CalibrationRun):
            write_fitted_values(scenario.source_path or args.scenario, result.fitted, command_text)
    except CalibrationError as err:
        return _fail(err)
    print(result.text())
    if args.write:
        print(f"Wrote fitted values to {scenario.source_path or args.scenario}")
        print(
            "Note: files that inherit from this one (base = ...) carry the fit; other scenario "
            "files start from the parameter register's defaults, not from this file (to carry "
            "the fit over to them, make the same values the defaults in "
            "src/reintegration_sim/parameters.py and run `make docs`)."
        )
    if abc:
        print(f"\nPosterior: {out / 'posterior.parquet'} (use with compare --posterior)")
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
        help="base scenario: a file or a shipped scenario's name (default baseline)",
    )
    _add_set(serve, "the base scenario")
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine)"
    )
    serve.add_argument(
        "--port", type=_port, default=8765, metavar="PORT", help="port (default 8765)"
    )
    serve.add_argument(
        "--walkthroughs",
        metavar="DIR",
        help="a folder of your own walkthrough files (*.toml), offered beside the shipped ones",
    )
    serve.set_defaults(handler=_serve)


def _loopback(host: str) -> bool:
    """Whether ``host`` is this machine only (127.0.0.0/8, ::1 or localhost)."""
    import ipaddress

    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


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
    from .keys import parse_assignment

    if not _loopback(args.host):
        print(
            f"{PROG}: warning: --host {args.host} lets other machines reach the dashboard, "
            "which has no login: anyone on the network can use it. Leave out --host (this "
            "machine only) unless the room needs it.",
            file=sys.stderr,
        )
    try:
        overrides = dict(parse_assignment(a) for a in args.set)
        return serve(
            args.scenario,
            host=args.host,
            port=args.port,
            overrides=overrides,
            walkthroughs=args.walkthroughs,
        )
    except ServeError as err:
        return _fail(err)
