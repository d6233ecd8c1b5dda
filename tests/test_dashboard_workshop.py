"""The presentation page of the workshop dashboard without a browser: the verdict rule, the
band of paired replications, one consistent snapshot while a thread steps, the preset groups,
walkthrough files and their errors, and the page itself (choose B by title, predict, reveal)."""

from __future__ import annotations

import threading

import ipyvuetify as v
import numpy as np
import pytest
import solara
from test_dashboard import click, images, page_text

from reintegration_sim.dashboard.app import PolicyPanel
from reintegration_sim.dashboard.plots import PANELS, FocusView, differences, paired_series
from reintegration_sim.dashboard.presets import (
    COUNTRY,
    NAMED,
    REFERENCE,
    SINGLE,
    grouped_presets,
    one_line,
    preset_group,
)
from reintegration_sim.dashboard.run import WorkshopRun
from reintegration_sim.dashboard.verdict import MIN_PAIRS, TOO_EARLY, judge
from reintegration_sim.dashboard.walkthrough import (
    WalkthroughError,
    find_walkthroughs,
    guess_matches,
    load_walkthrough,
    shipped_walkthrough_dir,
)
from reintegration_sim.dashboard.workshop import WorkshopPage, policy_title
from reintegration_sim.model import ReintegrationModel
from reintegration_sim.scenario import load_scenario

KEYS = [panel.key for panel in PANELS]


@pytest.fixture(scope="module")
def small(config):
    """300 people, four years: fast runs (the shipped walkthroughs reach week 156)."""
    base, presets = config
    return base.with_parameters(
        {"population": {"n_extremist": 150, "n_comparison": 150}}
    ).with_horizon(208), presets


# ---------------------------------------------------------------------- the verdict rule


def test_verdict_needs_every_pair_on_one_side_and_an_interval_off_zero() -> None:
    lower_better = "lower is better"
    assert judge(np.array([-1.0, -0.8, -1.2, -0.9, -1.1, -1.0]), lower_better).word == "better"
    assert judge(np.array([1.0, 0.8, 1.2, 0.9, 1.1, 1.0]), lower_better).word == "worse"
    assert judge(np.array([1.0, 0.8, 1.2, 0.9, 1.1, 1.0]), "higher is better").word == "better"
    assert judge(np.array([1.0, 0.8, 1.2, 0.9, 1.1, 1.0]), "neutral").word == "higher"
    # one pair the other way, or a zero: too early
    assert judge(np.array([-1.0, -0.8, -1.2, 0.1, -1.1, -1.0]), lower_better).word == TOO_EARLY
    assert judge(np.array([-1.0, -0.8, -1.2, 0.0, -1.1, -1.0]), lower_better).word == TOO_EARLY
    # all on one side, but one far-out pair: the interval of the mean reaches zero
    spread = judge(np.array([0.01, 0.01, 0.01, 0.01, 10.0]), lower_better)
    assert spread.same_side == 5 and spread.low < 0 < spread.high and spread.word == TOO_EARLY
    # too few pairs known (NaN: nobody released in that replication)
    few = np.array([-1.0] * (MIN_PAIRS - 1) + [np.nan])
    assert judge(few, lower_better).word == TOO_EARLY
    assert "the rule needs" in judge(few, lower_better).reason()


def test_a_single_pair_after_ten_weeks_is_never_a_verdict(small) -> None:
    """Issue 14: after 10 weeks the page said "(better)" from one pair; with the rule, a policy
    identical to the base has no verdict in any chart, at any week."""
    base, presets = small
    run = WorkshopRun(base=base, presets=presets, preset="baseline")
    for week in (10, 30, 60):
        run.jump_to(week)
        assert {d.verdict for d in differences(run)} <= {TOO_EARLY, ""}


def test_a_budget_cut_is_worse_on_waiting_lists_in_every_pair(small) -> None:
    base, presets = small
    run = WorkshopRun(base=base, presets=presets, preset="understaffed")
    run.jump_to(52)
    waiting = next(d for d in differences(run) if d.panel.key == "waiting")
    assert len(waiting.paired) == len(run.pairs) == 6
    assert all(x > 0 for x in waiting.paired)
    assert waiting.verdict == "worse"


# ---------------------------------------------------------------------- the band


def test_band_pairs_share_the_seed_and_differ_by_replication(small) -> None:
    base, presets = small
    run = WorkshopRun(base=base, presets=presets, preset="staffing_up", replication=3)
    assert [pair[0].replication for pair in run.pairs] == [3, 4, 5, 6, 7, 8]
    run.jump_to(20)
    for a, b in run.pairs:
        assert a.week == b.week == 20
        assert a.spec.seed == b.spec.seed == run.seed_value
        np.testing.assert_array_equal(a.people.age, b.people.age)  # same people in A and B
    alone = ReintegrationModel(run.pairs[2][1].spec, replication=5)
    for _ in range(20):
        alone.step()
    np.testing.assert_array_equal(run.pairs[2][1].recorder.values, alone.recorder.values)
    a, b = paired_series(run, PANELS[4])
    assert a.shape == b.shape == (6, 21)
    assert len({tuple(row) for row in a}) > 1  # the replications differ: a band, not a line


def test_drawing_while_a_thread_plays_reads_one_week(small) -> None:
    """Issue 14: during Play the outcomes panel raised "shape mismatch (5,) and (6,)". A thread
    steps as Play does while the charts are drawn and read; every read is of one week."""
    base, presets = small
    run = WorkshopRun(base=base, presets=presets, preset="more_exit_workers", band_pairs=2)
    views = [FocusView(run, panel) for panel in PANELS[:2]]
    errors: list[BaseException] = []

    def play() -> None:
        try:
            while run.week < 80:
                run.step()
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    thread = threading.Thread(target=play)
    thread.start()
    reads = 0
    while thread.is_alive() or reads < 5:
        with run.lock:
            for view in views:
                view.update(run)
                view.png()
            for panel in PANELS:
                a, b = paired_series(run, panel)
                assert a.shape == b.shape == (3, run.week + 1)
        reads += 1
    thread.join()
    assert errors == [] and reads >= 5


# ---------------------------------------------------------------------- presets


def test_presets_are_grouped_by_kind_and_shown_by_title(config) -> None:
    base, presets = config
    groups = dict(grouped_presets(presets))
    assert {s.name for s in groups[NAMED]} == {
        "austrian_social_network_meetings",
        "copenhagen_coordination_unit",
        "german_hybrid_model",
        "hessen_case_meetings",
        "rotterdam_case_conferences",
        "uk_contest_3",
        "welcome_home_meetings",
    }
    assert {s.name for s in groups[REFERENCE]} == {"baseline", "no_support"}
    assert len(groups[SINGLE]) == len(presets) - 9
    assert COUNTRY not in groups  # country presets are bases (serve --scenario france)
    for members in groups.values():
        titles = [s.label for s in members]
        assert titles == sorted(titles, key=str.lower)
        for scenario in members:
            assert scenario.title, f"{scenario.name} has no title"
            line = one_line(scenario)
            assert line and "[" not in line and len(line) <= 140, scenario.name
            assert not line.lower().startswith(("single lever", "named practice"))
    country = load_scenario("france")
    assert preset_group(country) == COUNTRY
    assert dict(grouped_presets({**presets, "france": country}))[COUNTRY] == [country]


# ---------------------------------------------------------------------- walkthroughs


def test_shipped_walkthroughs_load(config) -> None:
    base, presets = config
    found, problems = find_walkthroughs(
        [shipped_walkthrough_dir()], presets, KEYS, base.horizon_weeks
    )
    assert problems == [] and {"release_day", "named_practices"} <= set(found)
    for walkthrough in found.values():
        for step in walkthrough.steps:
            assert step.question.endswith("?")


GOOD_STEP = (
    '[[steps]]\ntitle = "S"\npolicy = "gate_pickup_exit_worker"\n'
    'question = "Q?"\nindicator = "reengagement"\nweek = 10\n'
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('title = "T"\ndescription = "D"\n' + GOOD_STEP, None),
        (
            'title = "T"\ndescription = "D"\n'
            + GOOD_STEP.replace("gate_pickup_exit_worker", "gate_pickup_exit"),
            "key 'steps.0.policy': no preset 'gate_pickup_exit'; did you mean 'gate_pickup_exit_worker'?",
        ),
        (
            'title = "T"\ndescription = "D"\n'
            + GOOD_STEP.replace('"reengagement"', '"recidivism"'),
            "key 'steps.0.indicator': no chart 'recidivism'; allowed: any_reoffence",
        ),
        (
            'title = "T"\ndescription = "D"\n' + GOOD_STEP.replace("week = 10", "week = 9999"),
            "key 'steps.0.week'",
        ),
        (
            'title = "T"\ndescription = "D"\n' + GOOD_STEP + 'colour = "red"\n',
            "unknown key 'steps.0.colour'; allowed here: title, policy, question",
        ),
        ('title = "T"\n' + GOOD_STEP, "missing key 'description'"),
        ('title = "T"\ndescription = "D"\nsteps = []\n', "key 'steps'"),
        ('title = "T\n', "not valid TOML"),
    ],
)
def test_walkthrough_files_are_checked(tmp_path, config, text, expected) -> None:
    base, presets = config
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    if expected is None:
        walkthrough = load_walkthrough(path, presets, KEYS, 520)
        assert walkthrough.steps[0].policy == "gate_pickup_exit_worker"
        return
    with pytest.raises(WalkthroughError) as caught:
        load_walkthrough(path, presets, KEYS, 520)
    message = str(caught.value)
    assert message.startswith(str(path)) and "\n" not in message
    assert expected in message


def test_guess_is_compared_with_the_verdict() -> None:
    assert guess_matches("B lower", "better", -1.0).startswith("As the room guessed")
    assert guess_matches("B higher", "better", -1.0).startswith("Not what the room guessed")
    assert "cannot tell" in guess_matches("B lower", TOO_EARLY, -0.1)


# ---------------------------------------------------------------------- the page


def render(model):
    return solara.render(solara.AppLayout(children=[WorkshopPage(model=model)]), handle_error=False)


def test_page_names_a_and_b_and_chooses_b_by_title(small) -> None:
    base, presets = small
    model = solara.reactive(WorkshopRun(base=base, presets=presets, band_pairs=2))
    box, rc = render(model)
    text = page_text(box)
    assert "A: Today's practice" in text and "B: Today's practice (no preset)" in text
    for tab in ("Outcomes", "One person's story", "Guided session", "Network", "About A and B"):
        assert tab in text
    assert "Render Interval" not in text and "Use Threads" not in text  # behind Advanced
    click(rc, "Choose B…")
    text = page_text(box)
    assert "Named practices of the paper" in text and "Single levers" in text
    assert one_line(presets["german_hybrid_model"]) in text
    click(rc, "German hybrid model")
    run = model.value
    assert run.preset == "german_hybrid_model" and run.week == 0
    assert policy_title(run) == "German hybrid model"
    assert "B: German hybrid model" in page_text(box)
    before = images(box)
    toggle(rc, "waiting lists")  # another focus chart, one click away
    assert "Week 0, waiting lists, B − A:" in page_text(box)
    click(rc, "Step")
    assert model.value.week == 1 and "Week 1 of 208" in page_text(box)
    assert "Week 1, waiting lists, B − A:" in page_text(box)
    assert images(box)[0] != before[0]
    rc.find(v.Tabs).widget.v_model = 3  # Network: A and B, one key in the page's text
    assert len(images(box)) == 2 and "40 sampled people" in page_text(box)
    rc.find(v.Tabs).widget.v_model = 1  # the story: A and B side by side
    text = page_text(box)
    assert f"Synthetic person {model.value.person}" in text and "A: now" in text
    rc.find(v.Switch, label="Advanced controls (Mesa)").widget.v_model = True
    assert "Render Interval" in page_text(box)
    rc.close()


def toggle(rc, label: str) -> None:
    """Press a button of a toggle group (as the browser does: the group's index changes)."""
    for group in rc.find(v.BtnToggle).widgets:
        labels = [button.children[0] for button in group.children]
        if label in labels:
            group.v_model = labels.index(label)
            return
    raise AssertionError(f"no toggle button {label!r}")


def test_predict_then_reveal(small) -> None:
    base, presets = small
    model = solara.reactive(WorkshopRun(base=base, presets=presets, band_pairs=5))
    box, rc = render(model)
    rc.find(v.Tabs).widget.v_model = 2  # Guided session (tabs render only when open)
    click(rc, "Begin")
    run = model.value
    assert run.preset == "gate_pickup_exit_worker" and run.week == 0
    text = page_text(box)
    assert (
        "Step 1 of 3: Someone at the gate (B: Exit worker at the prison gate; about re-engagement at week 104)"
        in text
    )
    assert "The room's guess" in text and "Week 0, re-engagement" not in text
    rc.find(v.Tabs).widget.v_model = 0  # the Outcomes tab hides the chart too
    assert "Hidden until the room has made its guess" in page_text(box)
    rc.find(v.Tabs).widget.v_model = 2
    assert rc.find(v.Btn, children=["Reveal"]).widget.disabled  # no guess yet
    click(rc, "about the same")
    assert not rc.find(v.Btn, children=["Reveal"]).widget.disabled
    click(rc, "Reveal")
    assert model.value.week == 104
    text = page_text(box)
    assert "Hidden until" not in text
    assert "The room guessed: about the same." in text
    assert "Week 104, re-engagement, B − A:" in text and "Verdict:" in text
    click(rc, "Next step")
    assert model.value.preset == "practitioner_continuity" and model.value.week == 0
    assert "The room's guess" in page_text(box)
    rc.close()


def test_scenario_text_is_shown_as_text_not_html_or_template(small) -> None:
    """A description with HTML and ``{{ 7*7 }}`` reaches the page escaped, inside an element
    whose content is set as HTML (never compiled as a Vue template)."""
    base, presets = small
    hostile = base.model_copy(
        update={"title": "T {{ 6*7 }}", "description": 'H {{ 7*7 }} <img src=x onerror="a()">'}
    )
    run = WorkshopRun(base=hostile, presets=presets, band_pairs=0)
    box, rc = solara.render(PolicyPanel(run), handle_error=False)
    html_widgets = rc.find(solara.widgets.HTML).widgets
    markup = " ".join(w.unsafe_innerHTML or "" for w in html_widgets)
    assert "H {{ 7*7 }} &lt;img src=x onerror=&quot;a()&quot;&gt;" in markup
    assert "T {{ 6*7 }}" in markup and "<img" not in markup
    for widget in rc.find(v.VuetifyTemplate).widgets:  # no Vue template holds the text
        template = getattr(widget.template, "template", widget.template) or ""
        assert "7*7" not in template and "6*7" not in template
    rc.close()
