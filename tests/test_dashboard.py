"""The workshop dashboard without a browser: controls generated from the registers, the pair of
runs, the story tracker, the network layout, and the page rendered with ``solara.render``
(Step, Reset, a lever, the seed field, the ethics note, two independent sessions)."""

from __future__ import annotations

import html
import json
import re
import socket
from pathlib import Path

import ipyvuetify as v
import ipywidgets
import numpy as np
import pytest
import solara

from reintegration_sim.cli import main
from reintegration_sim.dashboard.app import ETHICS_NOTE, Dashboard, Page, load_config
from reintegration_sim.dashboard.levers import (
    INTERVENTION_PREFIX,
    LAY,
    LEVER_BY_KEY,
    LEVERS,
    MAIN_PARAMETERS,
    NO_PRESET,
    OVERRIDE,
    lever_value,
    model_params,
    parse_seed,
    policy_scenario,
)
from reintegration_sim.dashboard.netview import NetworkView
from reintegration_sim.dashboard.plots import PANELS, Difference, differences
from reintegration_sim.dashboard.run import WorkshopRun, find_presets
from reintegration_sim.dashboard.story import StoryTracker
from reintegration_sim.interventions import REGISTRY
from reintegration_sim.model import ReintegrationModel
from reintegration_sim.model.agents import Gate, Phase
from reintegration_sim.parameters import iter_register
from reintegration_sim.scenario import MAX_SEED, ScenarioError, load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


@pytest.fixture(scope="module")
def small(config):
    """A small base (300 people, one year) and the presets, for fast runs."""
    base, presets = config
    small_base = base.with_parameters(
        {"population": {"n_extremist": 150, "n_comparison": 150}}
    ).with_horizon(52)
    return small_base, presets


# ---------------------------------------------------------------------- page helpers


def page_text(root: ipywidgets.Widget) -> str:
    """Everything a user can read on the rendered page: texts, labels, values, Markdown."""
    seen: set[int] = set()
    out: list[str] = []

    def walk(node) -> None:
        if isinstance(node, str):
            out.append(node)
            return
        if not isinstance(node, ipywidgets.Widget) or id(node) in seen:
            return
        seen.add(id(node))
        for name in ("label", "v_model", "description"):
            value = getattr(node, name, None)
            if isinstance(value, str):
                out.append(value)
        for name in ("template", "unsafe_innerHTML"):
            markup = getattr(node, name, None)
            if isinstance(markup, str):
                out.append(html.unescape(re.sub(r"<[^>]+>", " ", markup)))
        for name in ("children", "items"):
            value = getattr(node, name, None)
            if isinstance(value, dict):
                value = list(value.values())
            if isinstance(value, list | tuple):
                for child in value:
                    walk(child)

    walk(root)
    return " ".join(" ".join(out).split())


def images(root: ipywidgets.Widget) -> list[bytes]:
    """The bytes of every image on the page (the plots and the networks)."""
    found: list[bytes] = []
    seen: set[int] = set()

    def walk(node) -> None:
        if not isinstance(node, ipywidgets.Widget) or id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, ipywidgets.Image):
            found.append(bytes(node.value))
        for name in ("children", "items"):
            value = getattr(node, name, None)
            if isinstance(value, dict):
                value = list(value.values())
            if isinstance(value, list | tuple):
                for child in value:
                    walk(child)

    walk(root)
    return found


def render(model: solara.Reactive | None = None, page: bool = False):
    """Render the dashboard as the server does (inside an AppLayout)."""
    element = Page() if page else Dashboard(model=model)
    return solara.render(solara.AppLayout(children=[element]), handle_error=False)


def click(rc, label: str) -> None:
    rc.find(v.Btn, children=[label]).widget.click()


# ---------------------------------------------------------------------- controls


def test_preset_picker_lists_every_scenario_file(config) -> None:
    """Every scenario file but the country presets, which are bases (serve --scenario france)."""
    base, presets = config
    files = [p for p in sorted(SCENARIOS.glob("*.toml")) if load_scenario(p).country is None]
    assert len(files) < len(list(SCENARIOS.glob("*.toml")))
    assert list(presets) == [load_scenario(path).name for path in files]
    picker = model_params(base, presets)["preset"]
    assert picker["type"] == "Select"
    assert picker["values"] == [NO_PRESET, *(load_scenario(path).name for path in files)]


def test_lever_controls_come_from_the_registers(config) -> None:
    base, presets = config
    register = {info.key: info for info in iter_register()}
    params = model_params(base, presets)
    parameter_levers = [lever for lever in LEVERS if not lever.is_intervention]
    assert [lever.key for lever in parameter_levers] == list(MAIN_PARAMETERS)
    for lever in parameter_levers:
        info = register[lever.key]
        assert (lever.unit, lever.plausible, lever.explanation, lever.source) == (
            info.unit,
            info.plausible,
            info.doc,
            info.source,
        )
        assert lever.section, f"{lever.key} has no paper section"
        control = params[lever.key]
        assert control["value"] == lever_value(base, lever.key)
        assert control["label"].startswith(MAIN_PARAMETERS[lever.key])
        if lever.categorical:
            assert control["type"] == "Select" and control["values"] == list(info.plausible)
        else:
            assert control["type"] in ("SliderFloat", "SliderInt")
            assert lever.unit in control["label"]
            assert (control["min"], control["max"]) == info.plausible
            assert f"{info.plausible[0]:g}–{info.plausible[1]:g}" in control["label"]
    interventions = {lever.key.removeprefix(INTERVENTION_PREFIX): lever for lever in LEVERS} | {}
    for key, cls in REGISTRY.items():
        lever = interventions[key]
        assert lever.title == cls.label and lever.section == cls.section
        assert params[INTERVENTION_PREFIX + key]["value"] == 0.0  # off in the baseline


def test_parse_seed_accepts_whole_numbers_only() -> None:
    assert parse_seed(" 123 ") == 123
    assert parse_seed("0") == 0
    assert parse_seed(42) == 42
    for bad in ("12abc", "1.5", "", "seed", "-1", str(MAX_SEED + 1), True):
        with pytest.raises(ValueError, match="seed"):
            parse_seed(bad)


def test_policy_applies_only_the_levers_moved(config) -> None:
    base, presets = config
    preset = presets["uk_contest_3"]
    values = {
        "release.continuity": 0.8,
        "prison.regime": "dispersal",  # the base's value: no change, the preset's "mixed" stays
        "intervention.gate_pickup": 0.5,
        "intervention.ddp": 0.0,  # the base's value: the preset's DDP stays on
    }
    policy, moved = policy_scenario(base, preset, values)
    assert policy.parameters.release.continuity == 0.8
    assert policy.parameters.prison.regime == "mixed"
    assert policy.interventions.gate_pickup.coverage == 0.5
    assert policy.interventions.ddp.capacity == 230
    assert moved == {"release.continuity": (0.3, 0.8), "intervention.gate_pickup": (0.0, 0.5)}
    with pytest.raises(ScenarioError):
        policy_scenario(base, base, {"release.continuity": 7.0})


def test_override_undoes_parts_of_a_preset(config) -> None:
    """With the override box ticked every slider counts: CONTEST 3.0 without the DDP is the
    preset with the sliders of its other changes set to the preset's values, as the sidebar
    sends them (every control), and the DDP slider left at 0."""
    base, presets = config
    preset = presets["uk_contest_3"]
    params = model_params(base, presets)
    values = {lever.key: params[lever.key]["value"] for lever in LEVERS}
    values.update(
        {
            "prison.regime": "mixed",
            "intervention.case_conference": 1.0,
            "intervention.risk_assessment": 1.0,
        }
    )
    policy, moved = policy_scenario(base, preset, values, override=True)
    assert policy.interventions.ddp is None
    assert moved == {"intervention.ddp": (1.0, 0.0)}
    assert policy.parameters.prison == preset.parameters.prison  # mixed, share 0.1 kept
    assert policy.interventions.case_conference == preset.interventions.case_conference
    assert policy.interventions.risk_assessment == preset.interventions.risk_assessment
    # without the override the same sliders leave the preset whole
    policy, moved = policy_scenario(base, preset, values)
    assert policy.interventions.ddp == preset.interventions.ddp
    # with it, a slider left at the base's value undoes that change of the preset too
    values["prison.regime"] = "dispersal"
    policy, moved = policy_scenario(base, preset, values, override=True)
    assert policy.parameters.prison.regime == "dispersal"
    assert moved["prison.regime"] == ("mixed", "dispersal")
    run = WorkshopRun(
        base=base.with_parameters({"population": {"n_extremist": 100, "n_comparison": 50}}),
        presets=presets,
        preset="uk_contest_3",
        override_preset=True,
        **values,
    )
    assert run.policy_spec.interventions.ddp is None
    assert run.policy_spec.parameters.prison.regime == "dispersal"
    assert any("undone" in note and "mixed back to dispersal" in note for note in run.notes)
    assert params[OVERRIDE]["type"] == "Checkbox" and params[OVERRIDE]["value"] is False


# ---------------------------------------------------------------------- the pair of runs


def test_base_and_policy_share_seed_replication_and_people(small) -> None:
    base, presets = small
    run = WorkshopRun(base=base, presets=presets, preset="baseline", seed="77", replication=2)
    assert run.base.spec.seed == run.policy.spec.seed == 77 == run.seed_value
    assert run.base.replication == run.policy.replication == 2
    assert run.policy.spec.horizon_weeks == run.base.spec.horizon_weeks == 52
    for _ in range(20):
        run.step()
    assert run.week == run.base.week == run.policy.week == 20
    # the same policy as the base: every curve and difference is identical
    np.testing.assert_array_equal(run.base.recorder.values, run.policy.recorder.values)
    assert all(d.value == 0 or np.isnan(d.value) for d in differences(run))


def test_the_dashboard_only_reads_the_model(small) -> None:
    """A run stepped by the dashboard (trackers, network view, plots) is identical to the same
    replication run alone."""
    base, presets = small
    run = WorkshopRun(base=base, presets=presets, preset="case_conferences")
    view = NetworkView(run, "policy")
    alone = ReintegrationModel(run.policy_spec, replication=0)
    for _ in range(30):
        run.step()
        view.update(run)
        alone.step()
    np.testing.assert_array_equal(run.policy.recorder.values, alone.recorder.values)
    for name, values in alone.people.arrays().items():
        np.testing.assert_array_equal(getattr(run.policy.people, name), values, err_msg=name)


def test_a_preset_changes_the_base_not_its_people(small) -> None:
    """A preset is applied to the base as its changes from the baseline; the policy keeps the
    base's population and horizon, so the two runs stay paired."""
    base, presets = small
    run = WorkshopRun(base=base, presets=presets, preset="uk_contest_3")
    policy = run.policy_spec
    assert policy.parameters.population == base.parameters.population
    assert policy.horizon_weeks == base.horizon_weeks
    assert policy.parameters.prison.regime == "mixed"
    assert policy.interventions.ddp.capacity == 230
    assert run.policy.people.n == run.base.people.n == 300
    assert "prison.regime = mixed" in run.preset_changes
    np.testing.assert_array_equal(run.base.people.age, run.policy.people.age)
    assert WorkshopRun(base=base, presets=presets, preset="baseline").preset_changes == []


def test_bad_seed_is_not_used_and_says_why(small) -> None:
    base, presets = small
    run = WorkshopRun(base=base, presets=presets, seed="12abc")
    assert run.seed_value == base.seed
    assert len(run.messages) == 1 and "12abc" in run.messages[0]
    assert WorkshopRun(base=base, presets=presets, seed="  ").messages == []


def test_difference_text_and_verdict_follow_the_rule() -> None:
    """One pair never carries a verdict; six paired replications all on one side do."""
    panel = PANELS[0]  # reoffending: lower is better
    alone = Difference(panel, base=12.3, policy=11.5, paired=(-0.8,))
    assert alone.text() == "B − A: −0.8 per 100 released"
    assert alone.verdict == "too early to tell"
    agreed = Difference(panel, 12.3, 11.5, paired=(-0.8, -0.5, -1.1, -0.7, -0.9, -0.6))
    assert agreed.verdict == "better"
    assert Difference(panel, 12.3, 13.1, paired=(0.8, 0.5, 1.1, 0.7, 0.9, 0.6)).verdict == "worse"
    mixed = Difference(panel, 12.3, 11.5, paired=(-0.8, -0.5, -1.1, 0.7, -0.9, -0.6))
    assert mixed.verdict == "too early to tell"
    assert "not yet" in Difference(panel, base=np.nan, policy=np.nan).text()


def test_network_layout_is_computed_once(small) -> None:
    base, presets = small
    run = WorkshopRun(base=base, presets=presets, preset="staffing_up")
    before = run.base_net.person_xy.copy(), run.base_net.family_xy.copy()
    view = NetworkView(run, "policy")
    first = view.png()
    for _ in range(10):
        run.step()
        view.update(run)
    assert view.png() != first
    np.testing.assert_array_equal(run.base_net.person_xy, before[0])
    np.testing.assert_array_equal(run.base_net.family_xy, before[1])
    # same people, same places in both runs; the practitioners' ring follows the staffing
    assert run.policy_net.person_xy is run.base_net.person_xy
    assert sum(len(x) for x in run.policy_net.practitioner_xy.values()) > sum(
        len(x) for x in run.base_net.practitioner_xy.values()
    )
    again = WorkshopRun(base=base, presets=presets, preset="staffing_up")
    np.testing.assert_array_equal(again.base_net.person_xy, before[0])  # seeded


# ---------------------------------------------------------------------- story


def test_story_tracker_tells_a_released_persons_pathway(config) -> None:
    base, _ = config
    scenario = base.with_parameters(
        {"population": {"n_extremist": 200, "n_comparison": 200}}
    ).with_horizon(104)
    model = ReintegrationModel(scenario)
    tracker = StoryTracker(model)
    while model.running:
        model.step()
        tracker.update(model)
    p = model.people
    released = np.flatnonzero(p.first_release_week >= 0)
    assert released.size > 50
    for i in released[:40].tolist():
        events = tracker.events(i)
        weeks = [e.week for e in events]
        assert weeks == sorted(weeks)
        assert events[0].kind == "start" and f"person {i}" in events[0].text
        releases = [e for e in events if e.kind == "release"]
        assert releases and releases[0].week == p.first_release_week[i]
        assert releases[-1].week == p.last_release_week[i]
        gate = [e for e in events if e.kind == "gate"][-1]
        assert gate.week == p.last_release_week[i]
        expected = {
            Gate.NOBODY: "Nobody",
            Gate.FAMILY: "Family",
            Gate.PRACTITIONER: "practitioner",
            Gate.RECRUITER: "Recruiters",
        }[Gate(int(p.gate[i]))]
        assert expected in gate.text
        if p.reoffence_week[i] >= 0:
            assert any(e.kind == "reoffence" and e.week == p.reoffence_week[i] for e in events)
        else:
            assert not any(e.kind == "reoffence" for e in events)
        if p.recall_week[i] >= 0:
            assert any(e.kind == "recall" and e.week == p.recall_week[i] for e in events)
        housed_now = p.housed[i]
        housing = [e for e in events if e.kind == "housing"]
        if housing:
            assert ("Found" in housing[-1].text) == bool(housed_now)
        if p.phase[i] == Phase.DEAD:
            assert events[-1].kind == "death" or any(e.kind == "death" for e in events)
    kinds = {e.kind for i in released.tolist() for e in tracker.events(i)}
    assert {"release", "gate", "practitioner", "milestone", "transition"} <= kinds
    with pytest.raises(IndexError):
        tracker.events(p.n)


def test_story_tells_every_approach_by_recruiters_and_whether_it_worked(config) -> None:
    """Each week the model marks a recruiter's approach (wing, gate or community), the story
    has exactly one approach event for the person, saying whether it drew them closer; a
    failed approach is told as turned away, with ties to the group not jumping."""
    base, _ = config
    scenario = base.with_parameters(
        {
            "population": {"n_extremist": 150, "n_comparison": 50},
            "recruiters": {
                "community_per_1000": 20,
                "in_prison_per_1000": 20,
                "gate_presence": 0.5,
            },
        }
    ).with_horizon(80)
    model = ReintegrationModel(scenario)
    tracker = StoryTracker(model)
    expected: dict[int, list[int]] = {}
    while model.running:
        model.step()
        tracker.update(model)
        p = model.people
        for i in np.flatnonzero(p.last_approach_week == model.week).tolist():
            expected.setdefault(i, []).append(model.week)
    assert sum(map(len, expected.values())) > 50
    told = {"closer": 0, "away": 0, "gate": 0}
    for i, weeks in expected.items():
        events = tracker.events(i)
        for week in weeks:
            here = [e for e in events if e.week == week]
            approaches = [e for e in here if e.kind == "recruiter" and "approached" in e.text]
            gate = [e for e in here if e.kind == "gate"]
            if gate:  # released that week: the gate tells it
                assert "Recruiters" in gate[0].text
                told["gate"] += 1
            else:
                assert len(approaches) == 1, (i, week, here)
                told["closer" if "closer" in approaches[0].text else "away"] += 1
    assert min(told.values()) > 0, told


def test_story_tracker_follows_chosen_people(small) -> None:
    base, _ = small
    model = ReintegrationModel(base)
    tracker = StoryTracker(model, people=[3, 5])
    model.step()
    tracker.update(model)
    assert tracker.events(3)[0].kind == "start"
    with pytest.raises(KeyError):
        tracker.events(4)


# ---------------------------------------------------------------------- the page


def test_page_shows_ethics_note_controls_and_panels(small) -> None:
    base, presets = small
    model = solara.reactive(WorkshopRun(base=base, presets=presets))
    box, rc = render(model)
    text = page_text(box)
    assert ETHICS_NOTE.replace("**", "") in text
    assert "never a risk score for a real person" in text
    for expected in (
        "Week 0 of 52",
        "Outcomes: base and policy",
        "One person's story",
        "Network under the base",
        "Network under the policy",
        "Policy preset",
        "Seed",
        LEVER_BY_KEY["release.continuity"].label(),
        LEVER_BY_KEY["intervention.gate_pickup"].label(),
    ):
        assert expected in text, expected
    assert len(images(box)) == 3  # the outcome plots and two networks
    rc.close()


def test_step_moves_both_runs_and_redraws(small) -> None:
    base, presets = small
    model = solara.reactive(WorkshopRun(base=base, presets=presets, preset="more_exit_workers"))
    box, rc = render(model)
    before = images(box)
    for _ in range(3):
        click(rc, "Step")
    run = model.value
    assert run.week == run.base.week == run.policy.week == 3
    text = page_text(box)
    assert "Week 3 of 52" in text
    assert "Week 3, policy − base:" in text
    after = images(box)
    assert len(after) == 3 and all(a != b for a, b in zip(after, before, strict=True))
    assert run.base_story.week == run.policy_story.week == 3  # the stories followed the steps
    rc.close()


def test_changing_a_lever_and_reset_changes_the_policy_only(small) -> None:
    base, presets = small
    model = solara.reactive(WorkshopRun(base=base, presets=presets))
    box, rc = render(model)
    click(rc, "Step")
    label = LEVER_BY_KEY["release.continuity"].label()
    assert label.startswith("Same practitioner inside and outside: ")
    assert "(share, 0–1) · RAN 2018: Transition management" in label
    slider = rc.find(v.Slider, label=label).widget
    slider.v_model = 0.8
    picker = rc.find(v.Select, label="Policy preset (the levers below add to it)").widget
    picker.v_model = "gate_pickup_exit_worker"
    click(rc, "Reset")
    run = model.value
    assert run.week == 0
    assert run.policy.params.release.continuity == 0.8
    assert run.base.params.release.continuity == 0.3
    assert run.policy.spec.interventions.gate_pickup is not None
    assert run.base.spec.interventions.gate_pickup is None
    assert run.moved == {"release.continuity": (0.3, 0.8)}
    assert "policy: gate_pickup_exit_worker + 1 lever(s)" in page_text(box)
    rc.close()


def test_override_box_on_the_page_takes_a_preset_apart(small) -> None:
    """Tick the override box with the gate pick-up preset and leave its slider at 0: after
    Reset the policy has no gate pick-up and the page says what was undone."""
    base, presets = small
    model = solara.reactive(WorkshopRun(base=base, presets=presets))
    box, rc = render(model)
    picker = rc.find(v.Select, label="Policy preset (the levers below add to it)").widget
    picker.v_model = "gate_pickup_exit_worker"
    rc.find(v.Checkbox, label=model_params(base, presets)[OVERRIDE]["label"]).widget.v_model = True
    click(rc, "Reset")
    run = model.value
    assert run.policy.spec.interventions.gate_pickup is None
    assert run.moved == {"intervention.gate_pickup": (1.0, 0.0)}
    assert "sliders override the preset; undone: Gate pick-up (1 back to 0)" in page_text(box)
    rc.close()


def test_seed_typed_as_text_is_converted(small) -> None:
    base, presets = small
    model = solara.reactive(WorkshopRun(base=base, presets=presets))
    box, rc = render(model)
    field = rc.find(v.TextField, label="Seed (a whole number; both runs share it)").widget
    field.v_model = "123"
    field.fire_event("focusout", None)
    click(rc, "Reset")
    assert model.value.seed_value == 123
    assert model.value.base.spec.seed == model.value.policy.spec.seed == 123
    assert "seed 123" in page_text(box)
    rc.close()


def test_bad_seed_shows_a_message_on_the_page(small) -> None:
    base, presets = small
    model = solara.reactive(WorkshopRun(base=base, presets=presets))
    box, rc = render(model)
    field = rc.find(v.TextField, label="Seed (a whole number; both runs share it)").widget
    field.v_model = "twelve"
    field.fire_event("focusout", None)
    click(rc, "Reset")
    text = page_text(box)
    assert "Seed not used: the seed must be a whole number" in text and "'twelve'" in text
    assert model.value.seed_value == base.seed
    rc.close()


def test_story_panel_follows_a_person_through_release(small) -> None:
    base, presets = small
    model = solara.reactive(WorkshopRun(base=base, presets=presets))
    box, rc = render(model)
    run = model.value
    person = run.person
    due = int(run.base.people.release_week[person])
    assert f"Synthetic person {person}" in page_text(box)
    for _ in range(due):
        click(rc, "Step")
    text = page_text(box)
    assert f"Week {due} Released" in text or f"Week {due} ◆ Released" in text
    # pick someone else who has been released
    click(rc, "Next released person")
    shown = rc.find(v.TextField, label="Person number").widget.v_model
    chosen = int(shown)
    assert chosen != person and run.base.people.first_release_week[chosen] >= 0
    assert f"Synthetic person {chosen}" in page_text(box)
    rc.close()


def test_two_sessions_have_their_own_models() -> None:
    box_a, rc_a = render(page=True)
    box_b, rc_b = render(page=True)
    click(rc_a, "Step")
    click(rc_a, "Step")
    assert "Week 2 of 520" in page_text(box_a)
    assert "Week 0 of 520" in page_text(box_b)
    rc_a.close()
    rc_b.close()


# ---------------------------------------------------------------------- command line


def test_serve_refuses_a_bad_scenario_file(tmp_path, capsys) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\ndescription = "d"\n[parameters.prison]\nwings = 3\n')
    assert main(["serve", "--scenario", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert err.startswith("reintegration-sim: error:") and "prison.wings" in err
    assert main(["serve", "--scenario", str(tmp_path / "missing.toml")]) == 2
    assert "file not found" in capsys.readouterr().err


def test_serve_refuses_a_port_in_use(capsys) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err
    assert main(["serve", "--port", "99999"]) == 2


def test_find_presets_reports_broken_files(tmp_path) -> None:
    (tmp_path / "good.toml").write_text(
        (SCENARIOS / "baseline.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "broken.toml").write_text("name = ")
    presets, problems = find_presets(tmp_path)
    assert list(presets) == ["baseline"]
    assert len(problems) == 1 and "broken.toml" in problems[0]


def test_every_control_has_a_plain_line_without_model_names() -> None:
    """Each control carries one short line in plain words (no parameter names, no jargon
    markers) and names a paper section; LAY has no entry for a lever that does not exist."""
    assert set(LAY) == {lever.key for lever in LEVERS}
    for lever in LEVERS:
        assert lever.lay and len(lever.lay) <= 90, lever.key
        assert "_" not in lever.lay and "``" not in lever.lay, lever.key
        assert lever.section, lever.key
        assert f": {lever.lay} (" in lever.label() and "RAN 2018: " in lever.label()


def test_the_printed_address_can_be_opened() -> None:
    from reintegration_sim.dashboard.server import browse_url

    assert browse_url("127.0.0.1", 8765) == "http://127.0.0.1:8765/"
    assert browse_url("::1", 8765) == "http://[::1]:8765/"
    assert browse_url("0.0.0.0", 9000) == "http://127.0.0.1:9000/"
    assert browse_url("::", 9000) == "http://[::1]:9000/"


def test_serve_refuses_a_bad_set_before_starting(capsys) -> None:
    assert main(["serve", "--set", "population.n_extremis=10", "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert "did you mean 'population.n_extremist'" in err and err.count("\n") == 1


def test_the_page_applies_the_set_values_to_its_base(monkeypatch) -> None:
    """``serve --set`` hands its values to the page through the environment; the page's base
    scenario is the file's with them applied."""
    from reintegration_sim.dashboard.run import OVERRIDES_ENV

    monkeypatch.setenv(OVERRIDES_ENV, json.dumps({"population.n_extremist": 120}))
    base, _, _ = load_config.__wrapped__("baseline")
    assert base.parameters.population.n_extremist == 120


def test_the_network_view_draws_a_scenario_title_as_typed(small) -> None:
    """From a review: the network view's title holds the scenario's title, and a title with two
    dollar signs ('Grants ($\\bad{$ each)') stopped matplotlib drawing it (read as TeX)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    base, presets = small
    titled = base.with_overrides({"title": "Grants ($\\bad{$ each)"})
    run = WorkshopRun(base=titled, presets=presets, preset="case_conferences")
    view = NetworkView(run, "base", legend=True)
    view.update(run)
    FigureCanvasAgg(view.figure).draw()
    assert "Grants ($\\bad{$ each)" in view.panel.title.get_text()
