"""Guided sessions: walkthroughs a trainer follows with a room, written as data files.

A walkthrough is a TOML file (the shipped ones are in ``dashboard/walkthroughs/``; a trainer's
own in the folder given to ``serve --walkthroughs``)::

    title = "Recruiters at the gate"
    description = "Why the release day matters, in three steps (about 15 minutes)."

    [[steps]]
    title = "Someone we trust at the gate"
    policy = "gate_pickup_exit_worker"      # the preset run as B (A is the served base)
    question = "What happens to re-engagement when an exit worker meets people at the gate?"
    indicator = "reengagement"               # the chart the question is about
    week = 104                               # both runs jump to this week on Reveal
    after = "Optional: what to point out once the runs are shown."

Each step is shown as its question; the room commits to a guess (B lower, about the same, B
higher) before the runs are shown ("predict, then reveal"); Reveal jumps both runs to the
step's week and shows the charts, the verdict (:mod:`.verdict`) and the room's guess beside it.

:func:`load_walkthrough` checks a file completely before it is used: unknown or missing keys,
a preset or chart that does not exist (with "did you mean"), a week beyond the horizon; each
problem is named with the file and the key, in one line (:class:`WalkthroughError`).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..scenario import read_toml

__all__ = [
    "GUESSES",
    "Step",
    "Walkthrough",
    "WalkthroughError",
    "find_walkthroughs",
    "guess_matches",
    "load_walkthrough",
    "shipped_walkthrough_dir",
]

#: what the room can guess, in order: B below A, no clear difference, B above A
GUESSES = ("B lower", "about the same", "B higher")


class WalkthroughError(ValueError):
    """A walkthrough file that cannot be used; the message names the file and the key."""


class Step(BaseModel):
    """One step of a walkthrough: a policy (B) against the base (A) and a question."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    title: str = Field(min_length=1, max_length=120, description="the step's heading")
    policy: str = Field(min_length=1, description="the preset run as B (a scenario name)")
    question: str = Field(min_length=1, max_length=300, description="what the room predicts")
    indicator: str = Field(min_length=1, description="the chart the question is about")
    week: int = Field(ge=1, le=5200, description="both runs jump to this week on Reveal")
    after: str = Field("", max_length=600, description="what to point out once revealed")


class Walkthrough(BaseModel):
    """A guided session: a title, a line for the picker and its steps."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    title: str = Field(min_length=1, max_length=120)
    description: str = Field(min_length=1, max_length=400)
    steps: tuple[Step, ...] = Field(min_length=1, max_length=20)


def _message(where: str, err: ValidationError) -> str:
    messages = []
    for e in err.errors():
        loc = tuple(e["loc"])
        key = ".".join(str(p) for p in loc)
        if e["type"] == "extra_forbidden":
            model = Step if "steps" in loc[:1] and len(loc) > 2 else Walkthrough
            allowed = ", ".join(model.model_fields)
            messages.append(f"unknown key '{key}'; allowed here: {allowed}")
        elif e["type"] == "missing":
            messages.append(f"missing key '{key}'")
        else:
            messages.append(f"key '{key}': {e['msg']} (got {e.get('input')!r})")
    return f"{where}: " + "; ".join(messages)


def _did_you_mean(value: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, list(known), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def load_walkthrough(
    path: str | Path,
    presets: Mapping[str, Any],
    indicators: Iterable[str],
    horizon: int,
) -> Walkthrough:
    """Read and check a walkthrough file against the presets offered, the charts shown
    (``indicators``: their keys) and the base's horizon in weeks.

    Raises:
        WalkthroughError: one line naming the file, the key and what is allowed.
    """
    path = Path(path)
    data, _ = read_toml(path, WalkthroughError)
    steps = data.get("steps")
    if isinstance(steps, list):  # TOML arrays of tables arrive as lists; the model keeps tuples
        data = {**data, "steps": tuple(steps)}
    try:
        walkthrough = Walkthrough.model_validate(data)
    except ValidationError as err:
        raise WalkthroughError(_message(str(path), err)) from None
    known = list(indicators)
    problems = []
    for i, step in enumerate(walkthrough.steps):
        if step.policy not in presets:
            problems.append(
                f"key 'steps.{i}.policy': no preset '{step.policy}'"
                + _did_you_mean(step.policy, presets)
            )
        if step.indicator not in known:
            problems.append(
                f"key 'steps.{i}.indicator': no chart '{step.indicator}'; allowed: "
                + ", ".join(known)
            )
        if step.week > horizon:
            problems.append(
                f"key 'steps.{i}.week': {step.week} is beyond the horizon ({horizon} weeks)"
            )
    if problems:
        raise WalkthroughError(f"{path}: " + "; ".join(problems))
    return walkthrough


def shipped_walkthrough_dir() -> Path:
    """The walkthroughs shipped with the package."""
    return Path(str(resources.files("reintegration_sim.dashboard") / "walkthroughs"))


def find_walkthroughs(
    directories: Iterable[str | Path],
    presets: Mapping[str, Any],
    indicators: Iterable[str],
    horizon: int,
) -> tuple[dict[str, Walkthrough], list[str]]:
    """Every ``*.toml`` walkthrough in ``directories`` by file stem, in the order of their
    titles (a later folder's file replaces an earlier one of the same name), and one message
    per file that does not load."""
    known = list(indicators)
    found: dict[str, Walkthrough] = {}
    problems: list[str] = []
    for directory in directories:
        for path in sorted(Path(directory).glob("*.toml")):
            try:
                found[path.stem] = load_walkthrough(path, presets, known, horizon)
            except WalkthroughError as err:
                problems.append(str(err))
    return dict(sorted(found.items(), key=lambda item: item[1].title.lower())), problems


def guess_matches(guess: str, word: str, mean: float) -> str:
    """The room's guess against what the runs show, in words: ``word`` is the verdict
    (:mod:`.verdict`), ``mean`` the mean paired difference B − A."""
    if word == "too early to tell":
        if guess == "about the same":
            return "The runs cannot tell B from A yet: the room's guess stands for now."
        return "The runs cannot tell B from A yet: no clear sign of what the room guessed."
    shown = "B higher" if mean > 0 else "B lower"
    if guess == shown:
        return f"As the room guessed: {shown}, in every paired replication."
    return f"Not what the room guessed ({guess}): {shown}, in every paired replication."
