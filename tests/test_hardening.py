"""The cases of issue 15 ("Hardening"), one test each (numbered as in the issue), and the
promises of docs/reliability.md that need no subprocess. The faults (signals, a full disk, a
shadowing ``random.py``) are in tests/test_faults.py; the property-based tests in
tests/test_properties.py."""

from __future__ import annotations

import html
import re

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
    """The dashboard's Markdown: user text escaped, and Vue interpolation off (``v-pre``), so
    ``{{ 7*7 }}`` is not evaluated and no tag is made (the browser test shows it in a page)."""
    pytest.importorskip("solara")
    from reintegration_sim.dashboard.app import markdown_parser

    page = markdown_parser().convert(f"**Base: x.** {escape_markdown(HOSTILE)}")
    assert page.startswith("<div v-pre>") and page.endswith("</div>")
    assert "<img" not in page and "<a " not in page and "<strong>not" not in page
    assert "{{ 7*7 }}" in page  # shown as typed, inside v-pre


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
