"""The workshop dashboard page: Mesa's ``SolaraViz`` around a :class:`~.run.WorkshopRun`.

``SolaraViz`` gives the shell: Step, Play and Reset, and the model parameters in the sidebar
(the preset picker, the seed, the replication and one control per lever, generated from the
parameter register and the lever registry, see :mod:`.levers`); Reset starts both runs again
with what the controls say. The page adds the components, each a function of the model:

* the network view (:mod:`.netview`),
* the live plots with "policy − base" (:mod:`.plots`),
* one person's story under the base and under the policy (:mod:`.story`),
* what the policy is and what every lever means (:mod:`.levers`),

and, above them, the ethics note and anything that could not be applied (such as a seed that
is not a number). Every browser session gets its own models: :func:`Dashboard` creates them
with ``solara.use_memo``/``solara.use_reactive``; nothing is created at module level.

``reintegration-sim serve`` runs :func:`Page`: the presentation page of :mod:`.workshop`, which
shows :func:`Dashboard` on the same runs behind its "Advanced controls" switch. The base
scenario comes from the environment variable :data:`SCENARIO_ENV` (set by ``serve
--scenario``), the presets from ``scenarios/``.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import markdown
import numpy as np
import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from ..model.agents import Phase
from ..outputs.text import escape_markdown
from ..scenario import Scenario, load_scenario
from .levers import LEVER_BY_KEY, LEVERS, NO_PRESET, format_value, lever_value, model_params
from .netview import PHASE_LABELS, NetworkView
from .plots import OutcomeView, differences
from .run import (
    OVERRIDES_ENV,
    SCENARIO_ENV,
    WorkshopRun,
    default_scenario_path,
    find_presets,
    scenarios_dir,
)
from .story import StoryEvent, StoryTracker

if TYPE_CHECKING:
    from reacton.core import UserContext

__all__ = ["ETHICS_NOTE", "SCENARIO_ENV", "Dashboard", "Markdown", "Page", "load_config"]

#: the ethics note at the top of the page (same meaning as the README's)
ETHICS_NOTE = (
    "**Synthetic people only.** Everyone on this page is simulated: the model runs on "
    "synthetic populations. It compares policies for populations; it is never a risk score "
    "for a real person and must not be used as one. A story below follows one synthetic person "
    "to show how a policy can play out, not to assess anybody. Risk tools used carelessly "
    "stigmatise the people they rate (Baaken, Korn & Walkenhorst 2018)."
)
_CAUTION = (
    "One replication of each: a small difference can be chance. For differences with "
    "intervals, run `reintegration-sim compare` with replications."
)
_CSS = """
.rs-panel { height: 380px; overflow-y: auto; overflow-x: hidden; padding: 4px 8px; }
/* Mesa's sliders: the label (title, unit, plausible range) on its own line, the value shown */
.v-input__slider .v-input__slot { flex-wrap: wrap; }
.v-input__slider .v-input__slot > .v-label {
  flex: 1 1 100%; max-width: 100%; white-space: normal; margin: 0 0 36px 0; font-size: 13px;
  height: auto; line-height: 1.25;
}
.v-input__slider .v-slider { flex: 1 1 100%; }
.v-slider__thumb-label-container { display: block !important; }
.rs-panel p, .rs-panel li { font-size: 13px; margin-bottom: 2px; }
.rs-story li { margin-bottom: 3px; }
.rs-levers table { font-size: 12px; }
"""


@functools.cache
def load_config(scenario_path: str | None = None) -> tuple[Scenario, dict[str, Scenario], tuple]:
    """The base scenario (``scenario_path``, else :data:`SCENARIO_ENV`, else the baseline) and
    the presets of ``scenarios/`` (frozen scenarios, shared read-only by every session), with a
    message for each preset file that did not load."""
    path = scenario_path or os.environ.get(SCENARIO_ENV) or str(default_scenario_path())
    base = load_scenario(path)
    overrides = json.loads(os.environ.get(OVERRIDES_ENV) or "{}")
    if overrides:
        base = base.with_overrides(overrides)
    presets, problems = find_presets(scenarios_dir())
    # the country presets describe a country, not a policy: they are bases (serve --scenario
    # france), so the policy presets leave them out
    presets = {name: s for name, s in presets.items() if s.country is None}
    return base, presets, tuple(problems)


# ---------------------------------------------------------------------- components


@solara.component
def EthicsNote() -> None:
    """The ethics note, always visible above the dashboard."""
    solara.Info(label=ETHICS_NOTE.replace("**", ""), icon=True, dense=True)


@solara.component
def Messages(model: WorkshopRun) -> None:
    """What the controls asked for but could not be applied (a seed that is not a number...),
    and notes on how a preset was applied."""
    for message in model.messages:
        solara.Error(label=message, icon=True, dense=True)
    for note in model.notes:
        solara.Warning(label=note, icon=True, dense=True)


#: the session's step counter, which the panels follow (see :func:`StatusLine`)
_Tick: UserContext[solara.Reactive[int] | None] = solara.create_context(None)


def _follow_steps() -> None:
    """Re-render the calling panel after each step: through the session's tick, so that all
    panels redraw in one render pass, or, outside :func:`Dashboard`, Mesa's update counter."""
    tick = solara.use_context(_Tick)
    if tick is None:
        update_counter.get()
    else:
        tick.get()


def markdown_parser() -> markdown.Markdown:
    """The parser of every Markdown block on the page (with tables). User text goes in through
    :func:`~reintegration_sim.outputs.text.escape_markdown` (no HTML, no Markdown marks), so it
    shows exactly as typed."""
    return markdown.Markdown(extensions=["tables"])


def markdown_html(text: str) -> str:
    """``text`` (Markdown) as HTML."""
    return markdown_parser().convert(text)


@solara.component
def Markdown(text: str, style: Any = None, classes: list[str] | None = None) -> None:
    """Markdown shown as HTML set as the element's content (``v-html``), which Vue never reads
    as a template: ``{{ 7*7 }}`` stays as typed. Not ``solara.Markdown``: it is a Vue template
    (``{{ }}`` evaluated) and loads KaTeX and Mermaid through the server's CDN proxy, which
    reached out to the internet."""
    css = ";".join(f"{k}: {v}" for k, v in style.items()) if isinstance(style, dict) else style
    solara.HTML(
        tag="div",
        unsafe_innerHTML=markdown_html(text),
        style=css or None,
        classes=["rs-md", *(classes or [])],
    )


@solara.component
def StatusLine(model: WorkshopRun) -> None:
    """Week, seed, replication, base and policy; updated after each step.

    It alone follows Mesa's update counter and passes each step on to the panels through the
    session's tick: a reactive value read by several components costs one render pass of the
    whole page per reader, a tick set from an effect one pass for all of them."""
    update_counter.get()
    tick = solara.use_context(_Tick)

    def pass_on() -> None:
        if tick is not None:
            tick.set(update_counter.value)

    solara.use_effect(pass_on, [update_counter.value])
    Markdown(
        f"**Week {model.week} of {model.horizon}** · seed {model.seed_value} · replication "
        f"{model.replication} · base: **{escape_markdown(model.base_scenario.label)}** · policy: "
        f"**{escape_markdown(model.policy_name)}**. {_CAUTION} Set the controls in the sidebar, then press "
        "**Reset** to start both runs again with them; **Step** or ▶ to move on. Page 1 "
        "explains the policy, every lever and how to use the dashboard."
    )


def _network_panel(model: WorkshopRun, which: str) -> None:
    _follow_steps()
    view = solara.use_memo(lambda: NetworkView(model, which), [model.uid])
    png = solara.use_memo(lambda: _frame(view, model), [model.uid, model.week])
    with solara.Column(classes=["rs-panel"], gap="0px"):
        Markdown(f"#### Network under the {which}")
        solara.Image(png, width="100%")


@solara.component
def BaseNetworkPanel(model: WorkshopRun) -> None:
    """The sampled people and their ties in the base run."""
    _network_panel(model, "base")


@solara.component
def PolicyNetworkPanel(model: WorkshopRun) -> None:
    """The same people and ties in the policy run."""
    _network_panel(model, "policy")


def difference_sentence(model: WorkshopRun) -> str:
    """E.g. "Week 40, policy − base: reoffending −0.8 per 100 released (better); ..." """
    parts = []
    for diff in differences(model):
        unit = diff.panel.unit if diff.number() != "n/a" else "(nobody released yet)"
        parts.append(f"{diff.panel.short} {diff.number()} {unit}{diff.verdict_note}")
    return f"**Week {model.week}, policy − base:** " + "; ".join(parts) + "."


@solara.component
def OutcomesPanel(model: WorkshopRun) -> None:
    """The live plots, with policy − base at the current week."""
    _follow_steps()
    view = solara.use_memo(lambda: OutcomeView(model), [model.uid])
    png = solara.use_memo(lambda: _frame(view, model), [model.uid, model.week])
    with solara.Column(classes=["rs-panel"], gap="0px"):
        Markdown("#### Outcomes: base and policy, side by side")
        solara.Image(png, width="100%")
        Markdown(difference_sentence(model), style={"font-size": "12.5px"})


def _frame(view: NetworkView | OutcomeView, model: WorkshopRun) -> bytes:
    view.update(model)
    return view.png()


def _level(value: float) -> str:
    return "low" if value < 0.33 else ("medium" if value < 0.66 else "high")


def state_summary(model: Any, person: int) -> str:
    """Where a synthetic person stands now, in words (no scores)."""
    p = model.people
    phase = Phase(int(p.phase[person]))
    if phase == Phase.DEAD:
        return "died"
    parts = [PHASE_LABELS[phase]]
    if phase >= Phase.RELEASE_DAY:
        parts.append("housed" if p.housed[person] else "no home")
        parts.append("in work or education" if p.working[person] else "no work")
    parts += [
        f"family ties {_level(p.family_ties[person])}",
        f"trust in practitioners {_level(p.trust[person])}",
        f"hope {_level(p.hope[person])}",
    ]
    return ", ".join(parts)


def _story_markdown(events: list[StoryEvent], others: set[tuple[int, str]]) -> str:
    """The events as a Markdown list, newest first (the live end of the story on top)."""
    lines = []
    for event in reversed(events):
        mark = "" if (event.week, event.text) in others else " ◆"
        lines.append(f"- **Week {event.week}**{mark} {event.text}")
    return "\n".join(lines)


def released_people(model: Any) -> np.ndarray:
    """Indices of the people released at least once so far."""
    return np.flatnonzero(model.people.first_release_week >= 0)


@solara.component
def StoryPanel(model: WorkshopRun) -> None:
    """One synthetic person's timeline under the base and under the policy."""
    _follow_steps()
    chosen: solara.Reactive[int | None] = solara.use_reactive(None)
    problem = solara.use_reactive("")
    n = model.base.people.n
    person = chosen.value if chosen.value is not None and chosen.value < n else model.person

    def choose(value: int | None) -> None:
        if value is None or not 0 <= value < n:
            problem.set(f"Choose a person from 0 to {n - 1}.")
            return
        problem.set("")
        chosen.set(int(value))

    def next_released() -> None:
        released = released_people(model.base)
        if not released.size:
            problem.set("Nobody has been released yet: step on a few weeks.")
            return
        later = released[released > person]
        choose(int(later[0] if later.size else released[0]))

    with solara.Column(classes=["rs-panel", "rs-story"], gap="2px"):
        Markdown("#### One person's story (synthetic)")
        with solara.Row(gap="8px", style={"align-items": "center"}):
            solara.InputInt(
                "Person number", value=person, on_value=choose, style={"max-width": "150px"}
            )
            solara.Button("Next released person", on_click=next_released, outlined=True)
        if problem.value:
            solara.Error(label=problem.value, dense=True)
        stories = [_events(model.base_story, person), _events(model.policy_story, person)]
        keys = [{(e.week, e.text) for e in events} for events in stories]
        Markdown("Newest first; ◆ only in this run, not in the other.", style={"font-size": "12px"})
        with solara.Columns([1, 1]):
            for title, run_model, events, other in (
                ("Base", model.base, stories[0], keys[1]),
                ("Policy", model.policy, stories[1], keys[0]),
            ):
                with solara.Column(gap="0px"):
                    Markdown(
                        f"**{title}** — now: {state_summary(run_model, person)}\n\n"
                        + _story_markdown(events, other)
                    )


def _events(tracker: StoryTracker, person: int) -> list[StoryEvent]:
    try:
        return tracker.events(person)
    except (IndexError, KeyError):
        return []


@solara.component
def PolicyPanel(model: WorkshopRun) -> None:
    """What the policy is (preset and levers set) and what every lever means."""
    preset = model.presets.get(model.preset) if model.preset != NO_PRESET else None
    base = model.base_scenario
    with solara.Column(classes=["rs-panel", "rs-levers"], gap="2px"):
        Markdown("#### The policy and the levers")
        Markdown(f"**Base: {escape_markdown(base.label)}.** {escape_markdown(base.description)}")
        if preset is not None:
            changes = "; ".join(model.preset_changes) or "nothing"
            Markdown(
                f"**Policy: the base with preset {escape_markdown(preset.label)}** (what it "
                f"changes from the baseline: {changes}). {escape_markdown(preset.description)}"
            )
        else:
            Markdown("**Policy: the base** with the levers below.")
        if model.moved:
            rows = [
                f"| {LEVER_BY_KEY[key].title} | {format_value(before)} | {format_value(after)} |"
                for key, (before, after) in model.moved.items()
            ]
            Markdown(
                "**Levers set on top of it**\n\n| lever | before | now |\n|---|---|---|\n"
                + "\n".join(rows)
            )
        rows = []
        for lever in LEVERS:
            base_value = lever_value(model.base_spec, lever.key)
            policy_value = lever_value(model.policy_spec, lever.key)
            changed = "**" if base_value != policy_value else ""
            plausible = (
                " / ".join(lever.plausible)
                if lever.categorical
                else f"{lever.plausible[0]:g}–{lever.plausible[1]:g}"
            )
            rows.append(
                f"| {lever.title} | {lever.lay} | {lever.unit} | {plausible} | "
                f"{lever.explanation} | "
                f"{lever.section} | {format_value(base_value)} | {changed}{format_value(policy_value)}{changed} |"
            )
        Markdown(
            "**Every lever** (from the parameter register and the lever registry; paper "
            "sections of Baaken, Korn & Walkenhorst 2018)\n\n"
            "| lever | in plain words | unit | plausible | in the model | paper section | base "
            "| policy |\n|---|---|---|---|---|---|---|---|\n" + "\n".join(rows)
        )


GUIDE = """#### How to use it in a workshop

1. Pick a **policy preset** in the sidebar (one per file in `scenarios/`: every lever and every
   named practice of the paper) or move the **levers**; levers add to the preset.
2. Press **Reset**: both runs start again at week 0 with the same seed and replication, so they
   have the same synthetic people and the same chance events wherever the policy changes
   nothing. Everyone in the room who uses the same settings sees the same run.
3. **Step** moves both runs on one week; **▶** plays (the play interval sets the speed).
4. **Outcomes**: dashed grey is the base, blue the policy; Δ is policy minus base (events per
   100 people released so far). One run of each: to show how much chance alone moves the
   curves, change the replication and Reset.
5. **One person's story**: the same synthetic person under the base and under the policy;
   ◆ marks what happened in only one of the two. *Next released person* jumps to someone who
   has been released.
6. **Network**: 40 sampled people (large dots) with their family, community, a few peers and
   this week's practitioners. Fill: where they are on the pathway; outline: reconvicted,
   recalled or actively engaged with a group.

Nothing here is a prediction for a real person; the page works without internet.
"""


@solara.component
def GuidePanel(model: WorkshopRun) -> None:
    """How a trainer uses the dashboard."""
    with solara.Column(classes=["rs-panel"], gap="0px"):
        Markdown(GUIDE)


#: the components SolaraViz shows: outcomes, story and the two networks on its first page (a
#: 2 x 2 grid), the policy and the levers explained on the second
COMPONENTS = [
    (OutcomesPanel, 0),
    (StoryPanel, 0),
    (BaseNetworkPanel, 0),
    (PolicyNetworkPanel, 0),
    (PolicyPanel, 1),
    (GuidePanel, 1),
]


@solara.component
def Dashboard(
    base: Scenario | None = None,
    presets: Mapping[str, Scenario] | None = None,
    model: solara.Reactive | None = None,
) -> None:
    """The whole dashboard for one browser session.

    Args:
        base: the base scenario (default: :func:`load_config`).
        presets: the preset scenarios by name (default: :func:`load_config`).
        model: a reactive variable holding a :class:`~.run.WorkshopRun` (tests pass one to
            read the model); by default the dashboard creates its own.
    """

    def configure() -> tuple[Scenario, dict[str, Scenario], tuple]:
        if model is not None:  # Reset rebuilds the model with the same base and presets
            return model.value.base_scenario, model.value.presets, ()
        if base is not None:
            return base, dict(presets or {}), ()
        default_base, default_presets, problems = load_config()
        return default_base, dict(presets) if presets is not None else default_presets, problems

    base_scenario, preset_scenarios, problems = solara.use_memo(configure, [])
    # this session's models: created once per session, never shared (nothing at module level)
    initial = solara.use_memo(
        lambda: (
            model.value
            if model is not None
            else WorkshopRun(base=base_scenario, presets=preset_scenarios)
        ),
        [],
    )
    run = solara.use_reactive(model if model is not None else initial)
    params = solara.use_memo(lambda: model_params(base_scenario, preset_scenarios), [])
    solara.provide_context(_Tick, solara.use_reactive(0))

    solara.Style(_CSS)
    with solara.Column(gap="6px", style={"padding": "0 8px"}):
        EthicsNote()
        for problem in problems:
            solara.Warning(label=f"Preset left out: {problem}", dense=True)
        Messages(run.value)
        StatusLine(run.value)
        SolaraViz(
            run,
            components=COMPONENTS,
            model_params=params,
            name="reintegration-sim: workshop dashboard",
            play_interval=250,
        )


@solara.component
def Page() -> None:
    """The page ``reintegration-sim serve`` shows: the presentation page
    (:func:`~.workshop.WorkshopPage`), with this module's :func:`Dashboard` (Mesa's controls)
    behind its "Advanced controls" switch."""
    from .workshop import WorkshopPage

    solara.Title("reintegration-sim: workshop dashboard")
    WorkshopPage()
