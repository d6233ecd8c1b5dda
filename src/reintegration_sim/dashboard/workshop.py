"""The presentation page: what ``reintegration-sim serve`` shows a room by default.

Made to be projected (readable at 1400 x 900 from the back of a room): the two runs named in
plain words ("A: <base title>", "B: <policy title>"); a big Play/Pause, Step, plain speed steps
and a jump to a chosen week; tabs named for what they hold:

* **Outcomes**: one focus chart at a time (the others a click away), A and B with a faint band
  of every paired replication, and B − A with the verdict rule of :mod:`.verdict`;
* **One person's story**: the same synthetic person under A and under B, large, with what
  happened in one run only marked;
* **Guided session**: walkthroughs (:mod:`.walkthrough`), each step a question the room answers
  before the runs are shown (predict, then reveal);
* **Network** and **About A and B** (the policy, every lever, how to use the page).

Mesa's developer controls (SolaraViz: the levers, the seed, the render interval, threads) are
behind the "Advanced controls" switch: :func:`~.app.Dashboard` on the same runs.

Play steps the runs in a thread of the session (:func:`solara.use_thread`); each redraw reads
the runs under :attr:`~.run.WorkshopRun.lock`, so a chart never mixes two weeks.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import solara
import solara.lab

from ..outputs.text import escape_markdown
from ..scenario import Scenario
from .app import (
    ETHICS_NOTE,
    Dashboard,
    GuidePanel,
    Markdown,
    PolicyPanel,
    load_config,
    state_summary,
)
from .netview import NetworkView
from .plots import PANELS, VERDICT_COLOURS, FocusView, Panel, difference
from .presets import grouped_presets, one_line
from .run import WALKTHROUGHS_ENV, WorkshopRun
from .story import StoryEvent
from .verdict import TOO_EARLY
from .walkthrough import GUESSES, Walkthrough, find_walkthroughs, guess_matches
from .walkthrough import shipped_walkthrough_dir as _shipped

__all__ = ["SPEEDS", "WorkshopPage", "verdict_sentence"]

#: the speed steps of Play: (label, weeks per tick)
SPEEDS: tuple[tuple[str, int], ...] = (
    ("Slow: 1 week at a time", 1),
    ("Fast: 4 weeks", 4),
    ("Very fast: a quarter (13 weeks)", 13),
)
#: seconds between two ticks of Play (each tick steps the runs, then redraws)
TICK_SECONDS = 0.3
PANEL_BY_KEY = {panel.key: panel for panel in PANELS}
#: the network pictures' key, in the page's large text (the colours of :mod:`.netview`)
NETWORK_KEY = (
    "**40 sampled people** (large dots) with their ties, the same people in the same places "
    "under A and B. **Fill**: grey in custody, light blue transition planning, yellow release "
    "week, green on licence, dark green licence over. **Outline**: red reconvicted since "
    "release, orange recalled, purple actively engaged with a group. **Pink diamond**: family "
    "(fades as ties weaken); **grey-brown square**: home community; **red triangle**: a recruiter; "
    "**teal cross**: a practitioner with this person on this week's caseload (outer ring, one "
    "sector per agency)."
)

_CSS = """
.rs-md { font-size: 18px; }
.rs-md p { margin-bottom: 6px; }
.rs-md strong, .rs-md b { font-weight: 700; }
.v-btn { text-transform: none !important; letter-spacing: normal !important; }
.v-btn-toggle .v-btn { font-size: 17px !important; height: 44px !important; }
.rs-big .v-btn { font-size: 20px !important; height: 52px !important; min-width: 64px; }
.rs-big .v-btn.rs-play { min-width: 170px; }
.rs-week { font-size: 28px; font-weight: 700; }
.rs-ab { font-size: 22px; line-height: 1.35; }
.rs-ab b { font-weight: 700; }
.rs-verdict { font-size: 20px; line-height: 1.35; }
.rs-verdict { font-weight: 700; display: block; }
.rs-verdict-detail { font-size: 18px; display: block; color: #37474f; }
.rs-question { font-size: 26px; font-weight: 600; line-height: 1.35; }
.rs-story-big { font-size: 20px; line-height: 1.45; }
.rs-story-big li { margin-bottom: 6px; }
.rs-story-big .rs-only { background: #fff3cd; border-left: 6px solid #ef6c00; padding-left: 6px; }
.rs-tabs .v-tab { font-size: 18px !important; text-transform: none !important; }
.rs-preset-line { font-size: 17px; color: #424242; }
.rs-hidden { font-size: 24px; padding: 60px 20px; text-align: center; background: #f5f5f5; }
"""


@dataclass(frozen=True)
class Guided:
    """Where a session is in its walkthrough, kept by the page (a tab forgets its own state
    when another tab is opened): the walkthrough, the step (-1: not begun), the room's guess."""

    chosen: solara.Reactive[str]
    index: solara.Reactive[int]
    guess: solara.Reactive[str]


def _run_for(run: WorkshopRun, preset: str) -> WorkshopRun:
    """A fresh pair of runs at week 0: the same base, presets, seed and replication as ``run``,
    ``preset`` as B (levers set on Mesa's page are not carried over)."""
    return WorkshopRun(
        base=run.base_scenario,
        presets=run.presets,
        preset=preset,
        seed=run.seed_value,
        replication=run.replication,
    )


def policy_title(run: WorkshopRun) -> str:
    """B's title: the preset's title (the base's when no preset), with the levers moved."""
    if run.preset in run.presets:
        title = run.presets[run.preset].label
    else:
        title = f"{run.base_scenario.label} (no preset)"
    return f"{title} + {len(run.moved)} lever(s) moved" if run.moved else title


def verdict_sentence(run: WorkshopRun, panel: Panel) -> tuple[str, str, str]:
    """The verdict under the focus chart: a headline, the reason with the rule (plain text:
    no user text in either), and the verdict's word. Read under the run's lock."""
    diff = difference(run, panel)
    if diff.number() == "n/a":
        return f"Week {run.week}: nobody released yet, so no {panel.short} to compare.", "", ""
    judged = diff.judged
    word = diff.verdict
    shown = {"better": "B better", "worse": "B worse", "higher": "B higher", "lower": "B lower"}
    headline = (
        f"Week {run.week}, {panel.short}, B − A: {diff.number()} {panel.unit}. "
        f"Verdict: {shown.get(word, TOO_EARLY)}."
    )
    detail = (
        f"{judged.reason()[:1].upper()}{judged.reason()[1:]} (chance only: every pair has the "
        "same assumptions). The rule: better or worse only when every paired replication is on "
        "the same side and the interval of their mean excludes zero; the number is the "
        "highlighted pair's."
    )
    return headline, detail, word


# ---------------------------------------------------------------------- components


@solara.component
def ControlBar(
    run: solara.Reactive[WorkshopRun],
    tick: solara.Reactive[int],
    playing: solara.Reactive[bool],
    on_reset: Callable[[], None],
) -> None:
    """Week, Play/Pause, Step, speed steps, a jump to a chosen week, Start again."""
    speed = solara.use_reactive(SPEEDS[0][0])
    target = solara.use_reactive(52)
    weeks = dict(SPEEDS)[speed.value]
    model = run.value
    tick.get()  # redrawn after every step (the week shown, Play's state)

    def play_loop() -> None:
        while playing.value:
            time.sleep(TICK_SECONDS)
            if not playing.value:
                return
            current = run.value
            with current.lock:
                for _ in range(weeks):
                    if not current.running:
                        break
                    current.step()
            tick.set(tick.value + 1)
            if not current.running:
                playing.set(False)
                return

    solara.use_thread(play_loop, dependencies=[playing.value, weeks, model.uid])

    def step() -> None:
        model.step()
        tick.set(tick.value + 1)

    def jump() -> None:
        week = int(target.value or 0)
        if week < model.week:  # going back: the same runs again from week 0
            run.set(_run_for(model, model.preset))
            run.value.jump_to(week)
        else:
            model.jump_to(week)
        tick.set(tick.value + 1)

    with solara.Row(gap="14px", style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Text(f"Week {model.week} of {model.horizon}", classes=["rs-week"])
        with solara.Row(gap="8px", classes=["rs-big"], style={"align-items": "center"}):
            solara.Button(
                "❚❚ Pause" if playing.value else "▶ Play",
                on_click=lambda: playing.set(not playing.value),
                color="primary",
                classes=["rs-play"],
                disabled=not model.running,
            )
            solara.Button(
                "Step", on_click=step, outlined=True, disabled=playing.value or not model.running
            )
        solara.ToggleButtonsSingle(value=speed, values=[label for label, _ in SPEEDS])
        with solara.Row(gap="6px", style={"align-items": "center"}):
            solara.InputInt(  # read on every key, so a click on Jump right after typing counts
                "Jump to week", value=target, continuous_update=True, style={"max-width": "130px"}
            )
            solara.Button("Jump", on_click=jump, outlined=True, disabled=playing.value)
        solara.Button("Start again", on_click=on_reset, text=True, disabled=playing.value)


@solara.component
def PresetChooser(run: WorkshopRun, on_choose: Callable[[str], None]) -> None:
    """B's policy by title, grouped (named practices, country presets, single levers,
    reference points), each with one line of its description."""
    with solara.Column(gap="4px"):
        for group, members in grouped_presets(run.presets):
            Markdown(f"#### {escape_markdown(group)}")
            for scenario in members:
                with solara.Row(gap="10px", style={"align-items": "baseline"}):
                    solara.Button(
                        scenario.label,
                        on_click=lambda name=scenario.name: on_choose(name),
                        text=True,
                        color="primary",
                        style={"font-size": "17px", "text-transform": "none"},
                    )
                    solara.Text(one_line(scenario), classes=["rs-preset-line"])


@solara.component
def FocusPanel(
    run: WorkshopRun, tick: int, focus: solara.Reactive[str], hidden: bool = False
) -> None:
    """One chart at a time, large; the others a click away; the verdict under it."""
    solara.ToggleButtonsSingle(
        value=focus.value,
        values=[],  # the buttons below: each chart's short name, its key as the value
        on_value=focus.set,
        children=[solara.Button(panel.short, value=panel.key) for panel in PANELS],
    )
    panel = PANEL_BY_KEY[focus.value]
    if hidden:
        solara.Text(
            "Hidden until the room has made its guess (Guided session).", classes=["rs-hidden"]
        )
    else:
        FocusChart(run, tick, panel)


@solara.component
def FocusChart(run: WorkshopRun, tick: int, panel: Panel) -> None:
    """The focus chart of ``panel`` and the verdict under it."""
    view = solara.use_memo(lambda: FocusView(run, panel), [run.uid, panel.key])
    with run.lock:  # one consistent week of every run
        view.update(run)
        png = view.png()
        headline, detail, word = verdict_sentence(run, panel)
    colour = VERDICT_COLOURS.get(word, "#212121")
    solara.Text(headline, classes=["rs-verdict"], style={"color": colour})
    if detail:
        solara.Text(detail, classes=["rs-verdict-detail"])
    solara.Image(png, width="100%")


def _only_marks(events: list[StoryEvent], other: list[StoryEvent]) -> list[bool]:
    keys = {(e.week, e.text) for e in other}
    return [(e.week, e.text) not in keys for e in events]


def story_html(run: WorkshopRun, person: int) -> tuple[str, str, int | None]:
    """One person's story under A and under B as Markdown lists (newest first; what happened
    in one run only marked ◆ and highlighted), and the first week they differ."""
    a_events = _events(run.base_story, person)
    b_events = _events(run.policy_story, person)
    a_only, b_only = _only_marks(a_events, b_events), _only_marks(b_events, a_events)
    weeks = [e.week for e, only in zip(a_events, a_only, strict=True) if only] + [
        e.week for e, only in zip(b_events, b_only, strict=True) if only
    ]
    first = min(weeks) if weeks else None

    def lines(events: list[StoryEvent], only: list[bool]) -> str:
        out = []
        for event, mark in reversed(list(zip(events, only, strict=True))):
            text = escape_markdown(event.text)
            if mark:
                out.append(f'<li class="rs-only"><b>Week {event.week} ◆</b> {text}</li>')
            else:
                out.append(f"<li><b>Week {event.week}</b> {text}</li>")
        return "<ul>" + "".join(out) + "</ul>"

    return lines(a_events, a_only), lines(b_events, b_only), first


def _events(tracker, person: int) -> list[StoryEvent]:
    try:
        return tracker.events(person)
    except (IndexError, KeyError):
        return []


@solara.component
def StoryTab(run: WorkshopRun, tick: int, chosen: solara.Reactive[int | None]) -> None:
    """The same synthetic person under A and B, large, divergences marked (``chosen``: the
    person picked, kept by the page; None: the run's opening person)."""
    person = chosen.value if chosen.value is not None else run.person
    person = person if 0 <= person < run.base.people.n else run.person

    def next_released() -> None:
        from .app import released_people

        released = released_people(run.base)
        later = released[released > person]
        if released.size:
            chosen.set(int(later[0] if later.size else released[0]))

    with run.lock:
        a_html, b_html, first = story_html(run, person)
        now_a, now_b = state_summary(run.base, person), state_summary(run.policy, person)
    with solara.Row(gap="12px", style={"align-items": "center"}):
        solara.InputInt("Person number", value=person, on_value=lambda i: chosen.set(int(i)))
        solara.Button("Next released person", on_click=next_released, outlined=True)
    diverge = (
        f"A and B first differ in week {first} for this person."
        if first is not None
        else "So far the same under A and B."
    )
    Markdown(
        f"**Synthetic person {person}** (simulated, never a real person). {diverge} "
        "◆ and a coloured bar: happened in this run only. Newest first."
    )
    with solara.Columns([1, 1]):
        for title, now, body in (("A", now_a, a_html), ("B", now_b, b_html)):
            with solara.Column(gap="2px"):
                Markdown(f"### {title}: now {escape_markdown(now)}")
                solara.HTML(tag="div", unsafe_innerHTML=body, classes=["rs-story-big"])


@solara.component
def NetworkTab(run: WorkshopRun, tick: int) -> None:
    """The sampled people and their ties under A and under B."""
    views = solara.use_memo(
        lambda: {which: NetworkView(run, which, legend=False) for which in ("base", "policy")},
        [run.uid],
    )
    with solara.Columns([1, 1]):
        for view in views.values():
            with run.lock:
                view.update(run)
                png = view.png()
            with solara.Column(gap="0px"):
                solara.Image(png, width="100%")
    Markdown(NETWORK_KEY)


@solara.component
def GuidedTab(
    run: solara.Reactive[WorkshopRun],
    tick: solara.Reactive[int],
    walkthroughs: Mapping[str, Walkthrough],
    problems: tuple[str, ...],
    focus: solara.Reactive[str],
    hidden: solara.Reactive[bool],
    guided: Guided,
) -> None:
    """A walkthrough step by step: the question, the room's guess, then Reveal."""
    names = list(walkthroughs)
    chosen, index, guess = guided.chosen, guided.index, guided.guess
    if chosen.value not in walkthroughs and names:
        chosen.set(names[0])
    for problem in problems:
        solara.Warning(label=f"Walkthrough left out: {problem}", dense=True)
    if not names:
        Markdown("No walkthroughs found.")
        return
    walkthrough = walkthroughs[chosen.value]

    def start(i: int) -> None:
        step = walkthrough.steps[i]
        index.set(i)
        guess.set("")
        hidden.set(True)
        focus.set(step.indicator)
        run.set(_run_for(run.value, step.policy))

    def reveal() -> None:
        step = walkthrough.steps[index.value]
        run.value.jump_to(step.week)
        hidden.set(False)
        tick.set(tick.value + 1)

    titles = {walkthroughs[n].title: n for n in names}

    def pick(title: str) -> None:
        chosen.set(titles[title])
        index.set(-1)
        hidden.set(False)

    with solara.Row(gap="12px", style={"align-items": "center"}):
        solara.Select(
            "Walkthrough",
            value=walkthrough.title,
            values=list(titles),
            on_value=pick,
            style={"min-width": "420px"},
        )
    if index.value < 0:
        Markdown(escape_markdown(walkthrough.description))
        solara.Button("Begin", on_click=lambda: start(0), color="primary", classes=["rs-big"])
        return
    step = walkthrough.steps[index.value]
    panel = PANEL_BY_KEY[step.indicator]
    n = len(walkthrough.steps)
    Markdown(
        f"**Step {index.value + 1} of {n}: {escape_markdown(step.title)}** (B: "
        f"{escape_markdown(policy_title(run.value))}; about {panel.short} at week {step.week})"
    )
    Markdown(escape_markdown(step.question), classes=["rs-question"])
    if hidden.value:
        Markdown("**The room's guess** (choose one, then Reveal):")
        with solara.Row(gap="10px", classes=["rs-big"]):
            for option in GUESSES:  # nothing chosen until the room chooses
                solara.Button(
                    option,
                    on_click=lambda option=option: guess.set(option),
                    color="primary" if guess.value == option else None,
                    outlined=guess.value != option,
                )
        solara.Button(
            "Reveal",
            on_click=reveal,
            color="primary",
            disabled=not guess.value,
            classes=["rs-big"],
        )
        return
    with run.value.lock:
        diff = difference(run.value, panel)
    judged = diff.judged
    with solara.Row(gap="16px", style={"align-items": "center"}):
        if guess.value:
            Markdown(
                f"**The room guessed: {guess.value}.** "
                + guess_matches(guess.value, judged.word, judged.mean),
                classes=["rs-ab"],
            )
        if index.value + 1 < n:
            solara.Button("Next step", on_click=lambda: start(index.value + 1), color="primary")
        else:
            Markdown("**End of the walkthrough.**")
    if step.after:
        Markdown(escape_markdown(step.after))
    FocusPanel(run.value, tick.value, focus)


def _walkthrough_dirs() -> list[Path]:
    dirs = [_shipped()]
    own = os.environ.get(WALKTHROUGHS_ENV)
    if own:
        dirs.append(Path(own))
    return dirs


@solara.component
def WorkshopPage(
    base: Scenario | None = None,
    presets: Mapping[str, Scenario] | None = None,
    model: solara.Reactive[WorkshopRun] | None = None,
) -> None:
    """The presentation page for one browser session (its own runs, nothing shared).

    Args:
        base, presets: as :func:`~.app.Dashboard` (default :func:`~.app.load_config`).
        model: a reactive :class:`~.run.WorkshopRun` (tests read it); default: its own.
    """

    def configure() -> tuple[WorkshopRun, tuple[str, ...]]:
        if model is not None:
            return model.value, ()
        default_base, default_presets, problems = load_config()
        return (
            WorkshopRun(
                base=base or default_base,
                presets=dict(presets) if presets is not None else default_presets,
            ),
            problems,
        )

    initial, problems = solara.use_memo(configure, [])
    run: solara.Reactive[WorkshopRun] = solara.use_reactive(model if model is not None else initial)
    tick = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    advanced = solara.use_reactive(False)
    focus = solara.use_reactive(PANELS[0].key)
    hidden = solara.use_reactive(False)
    tab = solara.use_reactive(0)
    choosing = solara.use_reactive(False)
    person: solara.Reactive[int | None] = solara.use_reactive(None)
    guided = Guided(solara.use_reactive(""), solara.use_reactive(-1), solara.use_reactive(""))
    walkthroughs, walk_problems = solara.use_memo(
        lambda: find_walkthroughs(
            _walkthrough_dirs(),
            run.value.presets,
            [panel.key for panel in PANELS],
            run.value.horizon,
        ),
        [],
    )
    current = run.value

    def reset() -> None:
        playing.set(False)
        run.set(_run_for(run.value, run.value.preset))

    def choose(name: str) -> None:
        playing.set(False)
        hidden.set(False)
        choosing.set(False)
        run.set(_run_for(run.value, name))

    solara.Style(_CSS)
    with solara.Column(gap="8px", style={"padding": "0 12px"}):
        with solara.Row(style={"align-items": "center", "justify-content": "space-between"}):
            solara.Text(
                "Synthetic people only: a comparison of policies for populations, never a "
                "risk score for a real person.",
                style={"font-size": "15px", "color": "#37474f"},
            )
            solara.Switch(label="Advanced controls (Mesa)", value=advanced)
        for problem in problems:
            solara.Warning(label=f"Preset left out: {problem}", dense=True)
        if advanced.value:
            solara.Info(label=ETHICS_NOTE.replace("**", ""), dense=True)
            Dashboard(model=run)
            return
        with solara.Row(gap="16px", style={"align-items": "center"}):
            Markdown(
                f"A: **{escape_markdown(current.base_scenario.label)}** &nbsp;·&nbsp; "
                f"B: **{escape_markdown(policy_title(current))}**",
                classes=["rs-ab"],
            )
            solara.Button(
                "Hide the list" if choosing.value else "Choose B…",
                on_click=lambda: choosing.set(not choosing.value),
                outlined=True,
            )
            if current.preset in current.presets:
                solara.Text(one_line(current.presets[current.preset]), classes=["rs-preset-line"])
        if choosing.value:
            PresetChooser(current, choose)
        for message in current.messages:
            solara.Error(label=message, dense=True)
        ControlBar(run, tick, playing, reset)
        with solara.Column(classes=["rs-tabs"]), solara.lab.Tabs(value=tab, lazy=True):
            with solara.lab.Tab("Outcomes"):
                FocusPanel(current, tick.value, focus, hidden.value)
            with solara.lab.Tab("One person's story"):
                StoryTab(current, tick.value, person)
            with solara.lab.Tab("Guided session"):
                GuidedTab(run, tick, walkthroughs, tuple(walk_problems), focus, hidden, guided)
            with solara.lab.Tab("Network"):
                NetworkTab(current, tick.value)
            with solara.lab.Tab("About A and B"):
                PolicyPanel(current)
                GuidePanel(current)
