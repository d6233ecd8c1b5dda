"""The cases of issue 15 ("Hardening"), one test each (numbered as in the issue), and the
promises of docs/reliability.md that need no subprocess. The faults (signals, a full disk, a
shadowing ``random.py``) are in tests/test_faults.py; the property-based tests in
tests/test_properties.py."""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

import pytest

import reintegration_sim as rs
from reintegration_sim.outputs.report import Paragraph, safe_link, to_html, to_markdown
from reintegration_sim.outputs.text import escape_markdown

SMALL = {"population.n_extremist": 60, "population.n_comparison": 60, "horizon_weeks": 60}
DERAD = "interventions.deradicalisation_programme"
HOSTILE = (
    "See [x](javascript:alert(1)) and [y](data:text/html;base64,PHNjcmlwdD4=) "
    "<img src=x onerror=alert(2)> **not bold** {{ 7*7 }} `code` & done"
)


# ---------------------------------------------------------------------- 1. the dashboard


def test_1_dashboard_markdown_takes_user_text_literally() -> None:
    """The dashboard's Markdown: user text escaped, and the HTML set as an element's content
    (``v-html``, never compiled as a Vue template), so ``{{ 7*7 }}`` is not evaluated and no
    tag is made (the browser test shows it in a page)."""
    pytest.importorskip("solara")
    import solara

    from reintegration_sim.dashboard.app import Markdown, markdown_html

    page = markdown_html(f"**Base: x.** {escape_markdown(HOSTILE)}")
    assert "<img" not in page and "<a " not in page and "<strong>not" not in page
    assert "{{ 7*7 }}" in page  # shown as typed
    _, rc = solara.render(Markdown(f"**Base: x.** {escape_markdown(HOSTILE)}"))
    widget = rc.find(solara.widgets.HTML).widget  # its template: v-html="unsafe_innerHTML"
    assert widget.unsafe_innerHTML == page
    assert 'v-html="unsafe_innerHTML"' in widget.template.template
    rc.close()


# ---------------------------------------------------------------------- 2. report links


def test_2_report_keeps_no_script_link_from_scenario_text(tmp_path) -> None:
    """A Markdown link in a description shows as typed in report.md and report.html; no
    ``javascript:`` or ``data:`` link (nor any tag of the description) is live."""
    small = rs.load("baseline").with_overrides(SMALL)
    policy = small.with_overrides(
        {f"{DERAD}.coverage": 1.0, "name": "derad", "title": "[t](javascript:alert(3))"}
    )
    policy = policy.model_copy(update={"description": HOSTILE})
    folder = rs.compare([small, policy], replications=2).save(tmp_path / "cmp")
    page = (folder / "report.html").read_text(encoding="utf-8")
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert all(safe_link(h) for h in hrefs), hrefs
    assert "<img src=x" not in page and "<strong>not bold</strong>" not in page
    assert HOSTILE in html.unescape(page)  # shown as typed
    md = (folder / "report.md").read_text(encoding="utf-8")
    assert "[x](javascript:" not in md and "\\[x\\]\\(javascript:alert\\(1\\)\\)" in md
    assert "<img" not in md


def test_2_report_links_only_to_the_web_or_relative_paths() -> None:
    for good in ("https://example.org/x", "http://a", "mailto:a@b", "../docs/ODD.md", "a.png"):
        assert safe_link(good), good
    for bad in ("javascript:alert(1)", "JaVaScRiPt:x", "data:text/html,x", "file:///etc", "//x"):
        assert not safe_link(bad), bad
    page = to_html([Paragraph("[a](javascript:alert(1)) [b](https://example.org)")])
    assert 'href="javascript' not in page and '<a href="https://example.org">b</a>' in page


def test_one_escaping_rule_reads_back_as_typed_in_both_renderings() -> None:
    text = "a *b* _c_ [d](e) <f> & 'g' \"h\" {{ 7*7 }} `i` \\ #j |k| ~l~ +m !n"
    block = [Paragraph(escape_markdown(text))]
    page = to_html(block)
    body = page[page.index("<p>") + 3 : page.index("</p>")]
    assert html.unescape(body) == text
    assert escape_markdown(text) in to_markdown(block)


# ---------------------------------------------------------------------- 6. paths, in-process


def test_6_out_is_checked_before_any_work(tmp_path, monkeypatch) -> None:
    from reintegration_sim.outputs.results import ResultsError, check_out_dir

    monkeypatch.chdir(tmp_path)
    for bad, why in (
        (".", "current folder"),
        ("..", "current folder"),
        ("x" * 300, "characters long"),
        ("/proc/x/y", "cannot be created"),
    ):
        with pytest.raises(ResultsError, match=why) as err:
            check_out_dir(bad)
        assert str(err.value).startswith("--out ") and len(str(err.value)) < 300
    assert list(tmp_path.iterdir()) == []  # the probe leaves nothing


# ---------------------------------------------------------------------- 7. a full disk


def test_7_a_full_disk_says_what_to_free_and_leaves_no_staging(tmp_path) -> None:
    import errno

    from reintegration_sim.outputs.results import ResultFolder, ResultsError

    full = pytest.raises(ResultsError, match="no space left.*Free space on the disk holding")
    with full, ResultFolder(tmp_path / "out") as folder:
        (folder.path / "a").write_text("partial")
        raise OSError(errno.ENOSPC, "No space left on device", str(folder.path / "b"))
    assert list(tmp_path.iterdir()) == []


def test_stale_staging_folders_are_removed_by_the_next_run(tmp_path) -> None:
    import subprocess
    import sys

    from reintegration_sim.outputs.results import ResultFolder

    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    stale = tmp_path / f".old.{dead.stdout.strip()}-0123abcd.partial"
    stale.mkdir()
    (stale / "half.parquet").write_text("x")
    mine = tmp_path / f".live.{os.getpid()}-0123abcd.partial"  # a run still going: kept
    mine.mkdir()
    other = tmp_path / ".notes.partial"  # not a staging folder's name: kept
    other.mkdir()
    with ResultFolder(tmp_path / "new") as folder:
        (folder.path / "a").write_text("a")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([mine.name, other.name, "new"])


# ---------------------------------------------------------------------- 9. smaller cases


def test_9_a_byte_order_mark_is_read(tmp_path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b'\xef\xbb\xbfbase = "baseline"\nname = "bom"\ndescription = "d"\n')
    assert rs.load(str(path)).name == "bom"


def test_9_a_huge_value_gives_a_short_message(tmp_path, capsys) -> None:
    from reintegration_sim import cli

    path = tmp_path / "long.toml"
    path.write_text(f'base = "baseline"\nname = "{"n" * 10_000}"\n')
    assert cli.main(["run", str(path), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert len(err) < 800 and err.count("\n") == 1, err


def test_9_host_other_than_loopback_warns(monkeypatch, capsys) -> None:
    from reintegration_sim import cli
    from reintegration_sim.dashboard import server

    monkeypatch.setattr(server, "serve", lambda *a, **k: 0)
    assert cli.main(["serve", "--host", "0.0.0.0"]) == 0
    assert "warning: --host 0.0.0.0" in capsys.readouterr().err
    assert cli.main(["serve", "--host", "127.0.0.1"]) == 0
    assert cli.main(["serve", "--host", "::1"]) == 0
    assert "warning" not in capsys.readouterr().err


def test_9_work_too_big_for_memory_is_refused_unless_allowed(tmp_path, capsys, monkeypatch) -> None:
    from reintegration_sim import cli
    from reintegration_sim.analysis import experiment

    scenario = rs.load("baseline").with_overrides(
        {"population.n_extremist": 2_000_000, "population.n_comparison": 2_000_000}
    )
    assert experiment.estimated_memory(scenario, 1) > 9e9  # about what the issue measured
    monkeypatch.setattr(experiment, "available_memory", lambda: 4e9)
    args = [
        "run",
        "baseline",
        "--set",
        "population.n_extremist=2000000",
        "--out",
        str(tmp_path / "o"),
    ]
    assert cli.main(args) == 2
    assert "--allow-large" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_9_a_sweep_of_millions_of_runs_is_refused_unless_allowed(tmp_path, capsys) -> None:
    from reintegration_sim import cli

    spec = tmp_path / "huge.toml"
    spec.write_text(
        f'base = "{(Path(__file__).parents[1] / "scenarios" / "baseline.toml").as_posix()}"\n'
        'method = "morris"\nsamples = 1000000\nseed = 1\n'
        'outcomes = ["extremist.any_reoffence.1y"]\nparameters = ["offending.terror_hazard"]\n'
    )
    assert cli.main(["sweep", str(spec), "--out", str(tmp_path / "o")]) == 2
    assert "2,000,000 runs" in capsys.readouterr().err


def test_9_workers_are_capped_at_the_processors(tmp_path, capsys) -> None:
    from reintegration_sim import cli

    many = str((os.cpu_count() or 1) + 5)
    args = [
        "run",
        "baseline",
        "-n",
        "1",
        "-j",
        many,
        "--set",
        "horizon_weeks=5",
        "--out",
        str(tmp_path / "o"),
    ]
    assert cli.main(args) == 0
    assert f"--workers {many} is more than" in capsys.readouterr().err


@pytest.mark.parametrize(
    "overrides",
    [
        {"population.n_extremist": 0, "population.n_comparison": 0},
        {
            "offending.base_hazard_extremist": 0.0,
            "offending.base_hazard_comparison": 0.0,
            "offending.terror_hazard": 0.0,
            "interventions.risk_assessment.coverage": 1.0,
        },
    ],
    ids=["population 0", "hazards 0 with risk assessment"],
)
def test_9_legal_edge_cases_print_no_warnings(tmp_path, overrides) -> None:
    import warnings

    scenario = rs.load("baseline").with_overrides({**overrides, "horizon_weeks": 60})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rs.run(scenario, replications=2).save(tmp_path / "o")


def test_replications_needed_for_a_vanishing_difference_is_a_number() -> None:
    from reintegration_sim.analysis.comparison import replications_needed

    assert replications_needed(5.0, 1e-12) > 1e9  # was a TypeError from scipy


def test_the_dashboard_listens_on_this_machine_only_by_default() -> None:
    from reintegration_sim import cli

    assert cli.build_parser().parse_args(["serve"]).host == "127.0.0.1"


def test_apostrophes_read_as_typed_and_open_no_attribute() -> None:
    """report.md, the text for editing, said "Today&#x27;s practice" for every title with an
    apostrophe. The apostrophe now stays as typed; with ``<`` escaped no tag, hence no
    attribute, can be opened by it, in the report or the dashboard."""
    pytest.importorskip("solara")
    from reintegration_sim.dashboard.app import markdown_html

    assert escape_markdown("Today's practice") == "Today's practice"
    hostile = "x' onmouseover='alert(1)' <b title='y' onclick=alert(2)>z</b> \"q\""
    escaped = escape_markdown(hostile)
    assert "<" not in escaped and '"' not in escaped
    for whole in (to_html([Paragraph(escaped)]), markdown_html(escaped)):
        page = whole[whole.index("<p>") : whole.rindex("</p>")]  # the paragraph
        assert re.search(r"<[a-z]+[^>]*(onmouseover|onclick|title=)", page) is None, page
        assert "<b" not in page  # the tag is text
        assert "onmouseover='alert(1)'" in html.unescape(page)  # shown as typed
