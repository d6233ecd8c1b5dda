"""The comparison report as a policy brief (issue 13): titles, never file names; user text
escaped; the brief before the appendix in plain words; the league table's numbers, words and
order; and ``brief.pdf`` on one page. The browser tests of the first screen are in
tests/test_report_browser.py."""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd
import pytest

import reintegration_sim as rs
from reintegration_sim.outputs.brief import BRIEF_PDF
from reintegration_sim.outputs.league import (
    LeagueRow,
    Spread,
    money,
    money_range,
    per_thousand,
    sentence,
    titles,
)
from reintegration_sim.outputs.plotting import (
    acceptability_figure,
    cost_effect_figure,
    forest_figure,
    survival_comparison_figure,
    survival_panels,
)
from reintegration_sim.outputs.report import safe_link
from reintegration_sim.scenario import Scenario

SMALL = {"population.n_extremist": 80, "population.n_comparison": 80, "horizon_weeks": 156}
DERAD = "interventions.deradicalisation_programme"
SCRIPT_TITLE = "Derad <script>alert(1)</script> & co"
HOSTILE = "Deradicalisation <img src=x onerror=alert(2)> [x](javascript:alert(3)) **not bold**"
#: words of the method that belong in the appendix, not in the brief
JARGON = ("Kaplan", "paired t", "t interval", "power", "RNR", "AUC", "replications")


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    base = rs.load("baseline").with_overrides(SMALL)
    derad = base.with_overrides(
        {f"{DERAD}.coverage": 1.0, "name": "derad_file_name", "title": SCRIPT_TITLE}
    ).model_copy(update={"description": HOSTILE})
    staff = rs.load("staffing_up").with_overrides(SMALL)
    untitled = base.with_overrides(
        {"interventions.mentors.coverage": 1.0, "name": "mentors_everywhere"}
    )
    result = rs.compare([base, derad, staff, untitled], replications=2)
    folder = result.save(tmp_path_factory.mktemp("report") / "cmp")
    return result, folder


def _brief(md: str) -> str:
    return md.split("\n## Appendix\n")[0]


def test_titles_never_file_names(saved) -> None:
    result, folder = saved
    md = (folder / "report.md").read_text(encoding="utf-8")
    brief = _brief(md)
    shown = titles(result.scenarios)
    assert shown["baseline"] == "Today's practice" and shown["staffing_up"] == (
        "Agencies staffed 50 % above today"
    )
    assert shown["mentors_everywhere"] == "Mentors everywhere"  # no title: the name in words
    for name in ("baseline", "derad_file_name", "staffing_up", "mentors_everywhere"):
        assert name not in brief, name
    first = brief.splitlines()[0]
    assert "Agencies staffed 50 % above today" in first and "Today's practice" in first
    # the names appear once each in the appendix, beside the scenario texts
    assert "scenario `derad_file_name`" in md
    # plots: legends and labels are titles
    labels = shown
    order = [row.name for row in result.league().rows]
    forest = forest_figure(result.table, result.years, labels, order)
    ticks = {t.get_text() for ax in forest.axes for t in ax.get_yticklabels()}
    assert ticks == {labels[n] for n in order}
    plane = cost_effect_figure(
        result.economics.paired,
        result.economics.valuation.terrorism_offence,
        result.economics.base,
        labels,
    )
    legend = {t.get_text() for t in plane.axes[0].get_legend().get_texts()}
    assert legend == {labels[n] for n in order} | {"Today's practice (base)"}
    curve = acceptability_figure(result.economics.acceptability, 1.0, labels)
    assert {t.get_text() for t in curve.axes[0].get_legend().get_texts()} == set(labels.values())
    shown_panels = {("extremist", "any_reoffence"): order[:1]}
    survival = survival_comparison_figure(result.people, labels=labels, shown=shown_panels)
    assert {t.get_text() for t in survival.legends[0].get_texts()} <= set(labels.values())


def test_user_text_is_escaped_and_no_link_is_made(saved) -> None:
    _, folder = saved
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert "<script" not in page  # the page has no script at all
    assert "<img src=x" not in page and "<strong>not bold</strong>" not in page
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert all(safe_link(h) for h in hrefs), hrefs
    text = html.unescape(page)
    assert SCRIPT_TITLE in text and HOSTILE in text  # shown as typed
    md = (folder / "report.md").read_text(encoding="utf-8")
    assert "<script" not in md and "<img" not in md and "](javascript:" not in md


def test_the_brief_comes_first_in_plain_words(saved) -> None:
    result, folder = saved
    md = (folder / "report.md").read_text(encoding="utf-8")
    brief = _brief(md)
    for word in JARGON:
        assert word not in brief, word
    assert "Ranges cover chance only" in brief and "The people are synthetic" in brief
    assert "| Policy | Terrorism reoffences per 1,000 released |" in brief
    table = result.league()
    for row in table.rows:  # each policy's sentence is in the brief
        assert row.sentence in brief
    page = (folder / "report.html").read_text(encoding="utf-8")
    body, appendix = page.split('id="appendix"')
    assert "<details>" not in body and appendix.count("<details>") >= 6
    assert page.index('<table class="league">') < page.index("data:image/png")
    # rows the same in every run are listed once, not shown: the comparison cohort is the same
    # under the deradicalisation programme (for the extremist cohort only)
    details = appendix[appendix.index("Derad &lt;script&gt;") :]
    assert "The same in every run" in details


def test_the_league_is_sorted_and_its_numbers_are_the_comparison_s(saved) -> None:
    result, _ = saved
    table = result.league()
    centrals = [row.terror.central for row in table.rows]
    assert centrals == sorted(centrals) and len(centrals) == 3
    events = result.table[
        (result.table["kind"] == "event")
        & (result.table["years"] == result.years)
        & (result.table["cohort"] == "extremist")
        & (result.table["outcome"] == "terror_reoffence")
    ].set_index("scenario")
    costs = result.economics.table
    for row in table.rows:
        assert row.terror.central == pytest.approx(10 * events.loc[row.name, "difference"])
        cost = costs[
            (costs["scenario"] == row.name)
            & (costs["measure"] == "taxpayer_net_cost")
            & (costs["scale"] == "per participant")
        ].iloc[0]
        assert row.net_cost.central == pytest.approx(1000 * cost["median"])
        ratio = costs[
            (costs["scenario"] == row.name) & (costs["measure"] == "cost_per_terror_prevented")
        ].iloc[0]
        if np.isfinite(ratio["mean"]):  # the expected cost per expected offence prevented
            assert row.cost_per_terror == pytest.approx(ratio["mean"])
        else:
            assert np.isnan(row.cost_per_terror)
        assert 0 <= row.chance <= 1
    assert not table.draws and table.chance_over == "runs" and table.chance_n == 2


def test_the_brief_pdf_is_one_page(saved) -> None:
    _, folder = saved
    data = (folder / BRIEF_PDF).read_bytes()
    assert data.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data)) == 1
    assert len(re.findall(rb"/Type\s*/Pages\b", data)) == 1


def test_survival_curves_only_where_a_policy_differs() -> None:
    rows = []
    for scenario, diff, excludes in (("b", np.nan, False), ("p", -2.0, True), ("q", 0.5, False)):
        for outcome in ("terror_reoffence", "recall"):
            rows.append(
                {
                    "scenario": scenario,
                    "cohort": "extremist",
                    "kind": "event",
                    "outcome": outcome,
                    "years": 3.0,
                    "difference": diff if outcome == "recall" else 0.0,
                    "excludes_zero": excludes and outcome == "recall",
                }
            )
    assert survival_panels(pd.DataFrame(rows), 3.0) == {("extremist", "recall"): ["p"]}


# ---------------------------------------------------------------------- words for numbers


def _row(terror: Spread, chance: float, cost: Spread, exceed: float) -> LeagueRow:
    nan = Spread(np.nan, np.nan, np.nan)
    return LeagueRow(
        "p",
        "P",
        {"terror_reoffence": terror, "any_reoffence": nan, "recall": nan},
        chance,
        cost,
        np.nan,
        exceed,
        "",
    )


def test_one_plain_sentence_per_policy() -> None:
    fewer = sentence(_row(Spread(-3.2, -5.0, -1.0), 1.0, Spread(2e6, 1e6, 3e6), 0.4))
    assert fewer == (
        "Fewer terrorism reoffences: about 3.2 fewer per 1,000 released; it costs taxpayers "
        "about EUR 2.0 million more per 1,000 released, and the benefits to taxpayers and "
        "victims exceed its costs in 40 % of runs."
    )
    probably = sentence(_row(Spread(-1.0, -3.0, 0.5), 0.9, Spread(-5e5, -6e5, -4e5), 1.0), "draws")
    assert probably.startswith("Probably fewer terrorism reoffences (fewer in 90 % of draws)")
    assert "it saves taxpayers about EUR 500,000 per 1,000 released" in probably
    assert probably.endswith("exceed its costs in every run.")
    unclear = sentence(_row(Spread(0.2, -3.0, 3.0), 0.5, Spread(1e5, -1e5, 3e5), 0.0))
    assert unclear.startswith("No clear change in terrorism reoffences;")
    assert "net cost to taxpayers is uncertain" in unclear and "in no run" in unclear
    more = sentence(_row(Spread(4.0, 1.0, 7.0), 0.0, Spread(0, 0, 0), np.nan))
    assert more == (
        "More terrorism reoffences: about 4.0 more per 1,000 released; it costs the same."
    )
    same = sentence(_row(Spread(0, 0, 0), 0.5, Spread(0, 0, 0), 0.0))
    assert same.startswith("No change in terrorism reoffences;")


def test_numbers_in_words() -> None:
    assert per_thousand(-3.46) == "\u22123.5" and per_thousand(12.4) == "+12"
    assert per_thousand(0.0) == "0" and per_thousand(0.04) == "+0.04"
    assert per_thousand(16.3, signed=False) == "16" and per_thousand(np.nan) == "n/a"
    assert money(5_300_000) == "EUR 5.3 million" and money(-530_400) == "\u2212EUR 530,000"
    assert money(999) == "EUR 999"
    assert money_range(3.9e6, 7.31e6) == "(3.9 to 7.3 million)"
    assert money_range(-2e5, 4e5) == "(\u2212200,000 to 400,000)"
    assert money_range(np.nan, 1.0) == ""


def test_titles_fall_back_to_the_name_in_words_and_never_repeat() -> None:
    one = Scenario(name="nl_fortnightly", description="x")
    two = Scenario(name="other", title="Nl fortnightly", description="y")
    three = Scenario(name="third", title="Nl   fortnightly", description="z")
    assert titles([one, two, three]) == {
        "nl_fortnightly": "Nl fortnightly",
        "other": "Nl fortnightly (2)",
        "third": "Nl fortnightly (3)",
    }


@pytest.mark.parametrize(
    ("label", "releases", "words"),
    [
        (
            "France",
            50.0,
            "at about 50 terrorist prisoners released a year in France that is 8 years",
        ),
        ("uk", 40.0, "at about 40 terrorist prisoners released a year in the UK that is 10 years"),
        ("25 releases a year", 25.0, "at about 25 terrorist prisoners released a year that is 16"),
        (None, None, "at about 40 terrorist prisoners released a year in the UK that is 10 years"),
    ],
)
def test_evaluation_years_use_the_comparison_s_releases(label, releases, words) -> None:
    """Bug: the sentence on how long a real evaluation would take always used the UK's 40
    releases a year, even for a France-based comparison whose figures a year used 50."""
    from reintegration_sim.outputs.report import _benefit_cost_words

    rows = [{"measure": "evaluation_size_terror", "scale": "per arm", "median": 200.0}]
    if label is not None:
        rows.append(
            {
                "measure": "terror_prevented_per_year",
                "scale": "per year",
                "label": f"Terrorism offences prevented a year, {label}",
                "releases_per_year": releases,
            }
        )
    assert words in _benefit_cost_words(pd.DataFrame(rows), "A policy")


def test_a_title_with_dollars_is_drawn_as_typed(tmp_path) -> None:
    """Bug: matplotlib reads text between two "$" as TeX, so a policy titled
    "Grants ($\\bad{$ each)" stopped the comparison from being saved (ParseFatalException while
    drawing its legends and labels), and "$500 to $1,000" came out in italics. Every figure of
    the result folder and the brief now draws titles as typed, also when drawn later."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    from reintegration_sim.outputs.plotting import forest_figure

    base = rs.load("baseline").with_overrides(
        {**SMALL, "population.n_extremist": 300, "population.n_comparison": 300}
    )
    title = "Grants ($\\bad{$ each, $500 to $1,000)"
    policy = base.with_overrides({f"{DERAD}.coverage": 1.0, "name": "grants", "title": title})
    result = rs.compare([base, policy], replications=2)
    folder = result.save(tmp_path / "cmp")
    for name in ("brief.pdf", "forest.png", "cost_effect.png", "report.html"):
        assert (folder / name).stat().st_size > 0, name
    labels = {"baseline": "Base ($\\y{$)", "grants": "Grants ($\\x{$)"}
    figure = forest_figure(result.table, years=1, labels=labels)
    FigureCanvasAgg(figure).draw()  # tick labels are made here, outside the plotting call
    shown = [t.get_text() for t in figure.findobj(Text) if t.get_visible()]
    assert any(text.startswith("Difference from Base ($\\y{$)") for text in shown)
    assert "Grants ($\\x{$)" in shown  # a tick label of each panel


def test_benefit_cost_words_a_reader_can_reconcile() -> None:
    """From a walkthrough of docs/adapting.md: a count given to the unit ('614,703 years of
    releases') claimed a precision the simulation lacks; 'releases served per offence
    prevented' printed a range from 621 to -1,857 without saying it runs through no change;
    a number of releases given as such was named twice ('at 30 releases a year (30 releases a
    year)')."""
    from reintegration_sim.outputs.report import _about, _bc_range, _releases_where

    assert [_about(x) for x in (57.4, 400.0, 614_703.0, 1_523.4)] == [
        "57",
        "400",
        "610,000",
        "1,500",
    ]
    crossing = pd.Series({"low": 621.0, "high": -1857.0, "unit": "releases", "scale": "ratio"})
    assert _bc_range(crossing) == "unbounded: the range includes no change"
    one_side = crossing.copy()
    one_side["high"] = 1857.0
    assert _bc_range(one_side) == "621 to 1,857"
    assert _releases_where("Terrorism offences prevented a year, 30 releases a year") == ""
    assert _releases_where("Terrorism offences prevented a year, France") == " (France)"
    assert _releases_where("Terrorism offences prevented a year, uk") == " (UK)"


def test_the_first_screen_gives_the_country_s_figures_a_year(saved) -> None:
    """Issue 13: the brief's figures a year use the country's releases. A comparison on the
    France preset names France and its 50 releases a year under the league table, with each
    policy's terrorism offences prevented a year (median and range, the appendix's figure);
    a comparison on the baseline, which names no country, leaves the line out (its appendix
    gives the release presets)."""
    base = rs.load("france").with_overrides(
        {**SMALL, "population.n_extremist": 200, "population.n_comparison": 200}
    )
    policy = base.with_overrides({f"{DERAD}.coverage": 1.0, "name": "derad", "title": "Derad"})
    result = rs.compare([base, policy], replications=2)
    md = result.report()
    first = md[: md.index("## ")]
    line = next(p for p in first.split("\n\n") if p.startswith("**A year in France"))
    assert "at 50 terrorist prisoners released a year" in line and "Derad: " in line
    cost = result.economics.table
    row = cost[(cost["scenario"] == "derad") & (cost["measure"] == "terror_prevented_per_year")]
    assert len(row) == 1 and row["releases_per_year"].iloc[0] == 50.0
    from reintegration_sim.outputs.league import small_count

    assert f"Derad: {small_count(row['mean'].iloc[0])} (" in line  # the mean, as the table
    _, folder = saved
    baseline_md = (folder / "report.md").read_text(encoding="utf-8")
    assert "**A year " not in baseline_md


def test_the_printed_summary_says_what_a_figure_a_year_covers() -> None:
    """From a walkthrough: the printed figure a year sat under "The intervals cover chance only"
    while its range came from the benefit-cost runs (with draws: chance and the assumptions);
    each such line now says what its range covers."""
    base = rs.load("france").with_overrides(SMALL)
    policy = base.with_overrides({f"{DERAD}.coverage": 1.0, "name": "derad", "title": "Derad"})
    text = str(rs.compare([base, policy], replications=2))
    lines = [line for line in text.splitlines() if "prevented a year" in line]
    assert lines, text
    assert all("chance only" in line for line in lines), lines
    assert all(" mean (range " in line for line in lines), lines  # the mean, as the brief


def test_small_counts_and_rare_differences_read_right() -> None:
    """From a review: small counts came out in exponent notation ('4e-05'), and a rare-event
    difference whose 90 % range is 0 to 0 but whose mean is not was listed as "the same in
    every run"."""
    from reintegration_sim.outputs.league import small_count
    from reintegration_sim.outputs.report import _draws_section

    assert [small_count(x) for x in (4e-05, -2e-05, 0.041, 0.4123, 12.6)] == [
        "0.00004",
        "\u22120.00002",
        "0.041",
        "0.41",
        "13",
    ]
    base = rs.load("baseline")
    policy = base.with_overrides({"name": "rare", "title": "Rare"})
    row = {
        "scenario": "rare",
        "kind": "event",
        "years": 3.0,
        "cohort": "extremist",
        "outcome": "terror_reoffence",
        "label": "Terrorism reoffence",
        "total_median": 0.0,
        "total_low": 0.0,
        "total_high": 0.0,
        "prob_better": 0.55,
        "share_assumptions": 0.1,
    }
    meta = {"assumption_draws": {"drawn": {"a": 1}, "n_draws": 10, "replications_per_draw": 3}}
    shown = {"baseline": "Base", "rare": "Rare"}
    for mean, listed_as_same in ((-0.033, False), (0.0, True)):
        table = pd.DataFrame([{**row, "total_mean": mean}])
        text = " ".join(str(b) for b in _draws_section(table, [base, policy], meta, 3.0, shown))
        assert ("The same in every run" in text) is listed_as_same, text
