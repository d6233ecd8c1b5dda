"""The dashboard's model: a base and a policy replication stepped together.

:class:`WorkshopRun` is the Mesa model that ``SolaraViz`` drives (Step, Play, Reset, the model
parameters). It holds two :class:`~reintegration_sim.model.ReintegrationModel` runs that share
the seed and the replication index (common random numbers: the same synthetic people, the same
chance events wherever the policy does not change them), a story tracker for each, and the
sample of people the network view shows. It only steps the two models and reads them.

Beside the highlighted pair it steps :data:`BAND_PAIRS` more paired replications (the same
seed, replications ``replication + 1 ...``) without stories or networks: the faint band behind
the curves and the paired differences the verdict rule of :mod:`.verdict` reads.

Stepping and drawing never interleave: :meth:`WorkshopRun.step` holds :attr:`WorkshopRun.lock`
for a whole week of every run, and the page reads the runs under the same lock, up to
:attr:`WorkshopRun.week`, which changes only when every run has finished the week (a Play
thread stepping while a panel drew used to give curves of 5 weeks against 6).

Settings arrive as keyword arguments from the controls (see :mod:`.levers`): a text field gives
the seed as a string; a value that cannot be used is not applied, and :attr:`WorkshopRun.messages`
says why, for the page to show.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import mesa
import numpy as np

from ..model.agents import Cohort
from ..model.simulation import ReintegrationModel
from ..scenario import Scenario, ScenarioError, load_scenario, shipped_scenario_dir
from .levers import (
    LEVER_BY_KEY,
    NO_PRESET,
    apply_preset,
    format_value,
    lever_value,
    parse_seed,
    policy_scenario,
)
from .netview import build_ego_network, practitioner_ring, same_network
from .story import StoryTracker

__all__ = ["BAND_PAIRS", "SCENARIO_ENV", "WorkshopRun", "default_person", "find_presets"]

#: environment variable naming the dashboard's base scenario file (``serve --scenario``)
SCENARIO_ENV = "REINTEGRATION_SIM_DASHBOARD_SCENARIO"
#: the environment variable holding ``serve --set`` values (JSON ``{key: value}``)
OVERRIDES_ENV = "REINTEGRATION_SIM_DASHBOARD_SET"
#: the environment variable naming a folder of the trainer's own walkthroughs (``serve
#: --walkthroughs``)
WALKTHROUGHS_ENV = "REINTEGRATION_SIM_DASHBOARD_WALKTHROUGHS"
#: the preset the others are written against ("otherwise as the baseline")
BASELINE_NAME = "baseline"
_REGISTER_DEFAULTS = Scenario(name="register-defaults", description="the parameter register")


def find_presets(directory: str | Path) -> tuple[dict[str, Scenario], list[str]]:
    """Every scenario file ``*.toml`` in ``directory``, by scenario name, in file-name order.

    Returns the presets and one message per file that does not load (those are left out).
    """
    presets: dict[str, Scenario] = {}
    problems: list[str] = []
    for path in sorted(Path(directory).glob("*.toml")):
        try:
            scenario = load_scenario(path)
        except ScenarioError as err:
            problems.append(str(err))
            continue
        presets[scenario.name] = scenario
    return presets, problems


#: paired replications stepped beside the highlighted pair (so 1 + 5 = 6 pairs in all): enough
#: for the verdict rule of :mod:`.verdict` (all six paired differences on one side has a chance
#: of 2/64 = 3 % when the policy changes nothing), and cheap: a week of one run of 2,000 people
#: takes about 5 ms, so the band adds about 50 ms a week (measured, docs/dashboard.md)
BAND_PAIRS = 5

#: weeks the base run is previewed to choose the opening story (see :func:`default_person`)
PREVIEW_WEEKS = 52


def default_person(
    model: ReintegrationModel, sample: np.ndarray, preview: ReintegrationModel | None = None
) -> int:
    """The person whose story the page opens with: from the network's sample, someone of the
    extremist cohort (else anyone) released soonest, at least four weeks in, so that a few
    steps show their release. ``preview`` (the same run, stepped ahead) lets the choice pass
    over people whose synthetic story ends in death within its weeks."""
    p = model.people
    candidates = sample if sample.size else np.arange(p.n)
    due = p.release_week[candidates]
    wanted = (due >= 4) & (p.cohort[candidates] == Cohort.EXTREMIST)
    pool = candidates[wanted] if wanted.any() else candidates
    if preview is not None:
        alive = pool[preview.people.death_week[pool] < 0]
        pool = alive if alive.size else pool
    return int(pool[np.argmin(p.release_week[pool])])


def _sample_people(model: ReintegrationModel, size: int, seed: int) -> np.ndarray:
    """A fixed sample for the network view: people of both cohorts released within the first
    two years where there are enough of them (so the room sees releases early)."""
    p = model.people
    # a generator of its own: the model's random streams are never touched
    rng = np.random.default_rng([seed, 20181106, 40])
    soon = np.flatnonzero(p.release_week <= 104)
    pool = soon if soon.size >= size else np.arange(p.n)
    extremist = pool[p.cohort[pool] == Cohort.EXTREMIST]
    comparison = pool[p.cohort[pool] != Cohort.EXTREMIST]
    k_ext = min(extremist.size, max(size - comparison.size, (size * 3) // 5))
    chosen = np.concatenate(
        [
            rng.choice(extremist, size=k_ext, replace=False),
            rng.choice(comparison, size=min(comparison.size, size - k_ext), replace=False),
        ]
    )
    return np.sort(chosen.astype(np.int64))


class WorkshopRun(mesa.Model):
    """A base and a policy replication with the same seed and replication index, stepped
    together one week at a time.

    Args:
        base: the base scenario (default: ``scenarios/baseline.toml`` of the repository).
        presets: the scenarios the preset picker offers, by name.
        preset: the preset whose changes (from the baseline preset) the policy applies to the
            base (:data:`~.levers.NO_PRESET`: none).
        seed: the root seed of both runs, as typed (a string) or a number; empty: the base's.
        replication: the replication index of both runs.
        sample_size: how many people the network view shows.
        band_pairs: paired replications stepped beside the highlighted pair (the band and the
            verdict rule); 0: none.
        override_preset: every lever's value counts, also where it equals the base's (so a
            lever at the base's value undoes the preset's change); else only levers moved away
            from the base's value change the policy.
        **levers: control values by lever key (``"release.continuity"``,
            ``"intervention.gate_pickup"``...); a value equal to the base's is no change.

    Attributes:
        base, policy: the two :class:`~reintegration_sim.model.ReintegrationModel` runs.
        base_story, policy_story: a :class:`~.story.StoryTracker` for each.
        pairs: every paired replication ``(base, policy)``, the highlighted pair first.
        lock: held while the runs step; hold it to read them (see the module's docstring).
        sample: the people the network view shows (indices).
        person: the person whose story the page opens with.
        preset_changes: what the preset changes in the base, in words.
        moved: ``{lever: (value in the preset or base, value set)}`` for the levers set.
        messages: what could not be applied, in words for the page.
        notes: how a preset was applied, where the user should know (in words).
        week: the current week of both runs.
    """

    def __init__(
        self,
        *,
        base: Scenario | None = None,
        presets: Mapping[str, Scenario] | None = None,
        preset: str = NO_PRESET,
        seed: str | int | None = None,
        replication: int = 0,
        sample_size: int = 40,
        band_pairs: int = BAND_PAIRS,
        override_preset: bool = False,
        **levers: Any,
    ) -> None:
        # Mesa's Reset passes a mesa Scenario as ``scenario``: this model has its own
        levers.pop("scenario", None)
        unknown = sorted(set(levers) - set(LEVER_BY_KEY))
        if unknown:
            raise TypeError(f"unknown dashboard lever(s): {', '.join(unknown)}")
        if base is None:
            base = load_scenario(default_scenario_path())
        self.messages: list[str] = []
        self.notes: list[str] = []
        self.base_scenario = base
        self.presets = dict(presets or {})
        self.seed_value = self._seed(seed, base.seed)
        self.replication = int(replication)
        super().__init__(rng=self.seed_value)
        self.uid = uuid.uuid4().hex

        start = base
        self.preset_changes: list[str] = []
        self.preset = preset if preset in self.presets else NO_PRESET
        if preset != NO_PRESET and preset not in self.presets:
            self.messages.append(f"Unknown preset {preset!r}: the policy starts from the base.")
        if self.preset != NO_PRESET:
            # a preset is a policy package written against the baseline: its changes from the
            # baseline are applied to the base (whatever the base is)
            reference = self.presets.get(BASELINE_NAME, _REGISTER_DEFAULTS)
            try:
                start, self.preset_changes, notes = apply_preset(
                    base, self.presets[self.preset], reference
                )
                self.notes += [f"Note: {note}." for note in notes]
            except ScenarioError as err:
                self.messages.append(
                    f"Preset {self.preset} could not be applied to the base ({err}); the policy "
                    "starts from the base."
                )
                start, self.preset = base, NO_PRESET
        try:
            policy, self.moved = policy_scenario(base, start, levers, bool(override_preset))
            undone = [
                f"{LEVER_BY_KEY[key].title} ({format_value(before)} back to {format_value(after)})"
                for key, (before, after) in self.moved.items()
                if after == lever_value(base, key)
            ]
            if undone:
                self.notes.append(
                    "Note: sliders override the preset; undone: " + "; ".join(undone) + "."
                )
        except ScenarioError as err:
            self.messages.append(f"The levers could not be applied ({err}); policy = {start.name}.")
            policy, self.moved = start, {}
        base = base.with_seed(self.seed_value)
        policy = policy.with_seed(self.seed_value).with_horizon(base.horizon_weeks)
        self.base_spec, self.policy_spec = base, policy

        self.base = ReintegrationModel(base, replication=self.replication)
        self.policy = ReintegrationModel(policy, replication=self.replication)
        self.base_story = StoryTracker(self.base)
        self.policy_story = StoryTracker(self.policy)
        # the band: more paired replications of the same two scenarios, nothing drawn from them
        self.pairs: list[tuple[ReintegrationModel, ReintegrationModel]] = [(self.base, self.policy)]
        for k in range(1, int(band_pairs) + 1):
            self.pairs.append(
                (
                    ReintegrationModel(base, replication=self.replication + k, build_graph=False),
                    ReintegrationModel(policy, replication=self.replication + k, build_graph=False),
                )
            )
        self.lock = threading.RLock()
        self.sample = _sample_people(self.base, sample_size, self.seed_value + self.replication)
        # a year of the base run ahead of time, only to open with a story that lasts
        preview = ReintegrationModel(base, replication=self.replication, build_graph=False)
        for _ in range(min(PREVIEW_WEEKS, base.horizon_weeks)):
            preview.step()
        self.person = default_person(self.base, self.sample, preview)
        # the network view's layout: computed once per run, shared when both runs have the
        # same people and ties (the practitioners' ring follows each run's staffing)
        layout_seed = self.seed_value + self.replication
        self.base_net = build_ego_network(self.base, self.sample, layout_seed)
        if same_network(self.base, self.policy):
            self.policy_net = replace(self.base_net, practitioner_xy=practitioner_ring(self.policy))
        else:
            egos = self.sample[self.sample < self.policy.people.n]
            self.policy_net = build_ego_network(self.policy, egos, layout_seed)
        self.week = 0
        self.horizon = base.horizon_weeks

    def _seed(self, text: str | int | None, fallback: int) -> int:
        if text is None or (isinstance(text, str) and not text.strip()):
            return fallback
        try:
            return parse_seed(text)
        except ValueError as err:
            self.messages.append(f"Seed not used: {err}. Both runs keep seed {fallback}.")
            return fallback

    @property
    def policy_name(self) -> str:
        """What the policy is, in a few words."""
        name = self.preset if self.preset != NO_PRESET else self.base_scenario.name
        return f"{name} + {len(self.moved)} lever(s)" if self.moved else name

    def step(self) -> None:
        """One week of every run (the highlighted pair and the band); the trackers read what
        changed. Holds :attr:`lock` throughout; :attr:`week` moves when every run has moved."""
        with self.lock:
            for model, story in ((self.base, self.base_story), (self.policy, self.policy_story)):
                if model.running:
                    model.step()
                    story.update(model)
            for pair in self.pairs[1:]:
                for model in pair:
                    if model.running:
                        model.step()
            self.week = self.base.week
            self.running = self.base.running or self.policy.running

    def jump_to(self, week: int) -> int:
        """Step every run on to ``week`` (at most the horizon; a week already passed is left as
        it is: start again with Reset to go back). Returns the week reached."""
        target = min(int(week), self.horizon)
        while self.week < target and self.running:
            self.step()
        return self.week


def default_scenario_path() -> Path:
    """The shipped baseline scenario."""
    return scenarios_dir() / "baseline.toml"


def scenarios_dir() -> Path:
    """The scenarios shipped with the package (the presets)."""
    return shipped_scenario_dir()
