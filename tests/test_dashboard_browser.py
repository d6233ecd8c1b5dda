"""The workshop dashboard in a real browser: ``reintegration-sim serve`` in a subprocess whose own
outside requests are refused and counted (``tests/serve_audited.py``), the Debian chromium
driven by Playwright with every request that leaves this machine refused (the page must work
without internet, and so must its server).

The guided-session test walks what a trainer does with a room at 1400 x 900: picks B by title,
steps and sees the chart and the story change, begins a walkthrough, makes the room's guess,
reveals, checks that the verdict follows the rule of ``dashboard/verdict.py``, opens a second
session (still at week 0), then plays 200 weeks with no error in the server's log. It saves a
screenshot in the test's temporary folder; with ``UPDATE_SCREENSHOT=1`` in the environment it
replaces ``docs/img/dashboard.png`` instead (the picture in the README and docs/dashboard.md),
so that running the tests leaves the repository unchanged.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from reintegration_sim.dashboard.plots import FOCUS_FONT

ROOT = Path(__file__).resolve().parents[1]
DOCS_SCREENSHOT = ROOT / "docs" / "img" / "dashboard.png"
LOCAL = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")
#: the window of a projector-sized laptop screen (issue 14)
VIEWPORT = {"width": 1400, "height": 900}

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_serve(sim, log: Path, *args: str):
    """``reintegration-sim serve ARGS`` on a free port, its outside requests refused and written
    to ``log`` with the suffix ``.outside``: ``(process, url)`` once it answers (chromium checked
    first: without it the server is of no use)."""
    sim.require_chromium()
    pytest.importorskip("playwright.sync_api")
    port = _free_port()
    outside = _outside_log(log)
    outside.write_text("")
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "tests" / "serve_audited.py"),
                str(outside),
                "--port",
                str(port),
                *args,
            ],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 90
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"serve exited with {process.returncode}:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"serve did not answer within 90 s:\n{log.read_text()}")
            time.sleep(0.5)
    except BaseException:
        _stop(process)
        raise
    return process, url


def _outside_log(log: Path) -> Path:
    return log.with_suffix(".outside")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def server(sim, tmp_path_factory):
    """``reintegration-sim serve`` on a free port; yields its URL and log; stopped afterwards."""
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    process, url = _start_serve(sim, log)
    try:
        yield url, log
    finally:
        _stop(process)


def _new_page(browser, blocked: list[str]):
    context = browser.new_context(viewport=VIEWPORT)

    def route(request_route) -> None:
        url = request_route.request.url
        if url.startswith(LOCAL):
            request_route.continue_()
        else:  # no internet in a workshop room: nothing may come from outside
            blocked.append(url)
            request_route.abort()

    context.route("**/*", route)
    return context, context.new_page()


def _week_shown(page, week: int, timeout: int = 30_000) -> None:
    page.get_by_text(f"Week {week} of 520").first.wait_for(timeout=timeout)


def _focus_src(page) -> str:
    return page.locator(".v-window-item--active img").first.get_attribute("src") or ""


def _verdict(page) -> tuple[str, str]:
    headline = page.locator(".v-window-item--active .rs-verdict").first.inner_text()
    detail = page.locator(".v-window-item--active .rs-verdict-detail").first.inner_text()
    return headline, detail


def _check_rule(headline: str, detail: str) -> str:
    """The verdict shown follows the rule: better/worse/higher/lower only when every paired
    replication is on one side and the interval of their mean excludes zero."""
    word = re.search(r"Verdict: (B better|B worse|B higher|B lower|too early to tell)\.", headline)
    assert word, headline
    counts = re.search(r"(\d+) of (\d+) paired replications on the same side", detail)
    interval = re.search(r"interval of the mean ([+−]\S+) to ([+−]\S+?) \(", detail)
    assert counts and interval, detail
    same, n = int(counts.group(1)), int(counts.group(2))
    low, high = (float(x.replace("−", "-")) for x in interval.groups())
    holds = n >= 5 and same == n and (low > 0 or high < 0)
    assert (word.group(1) != "too early to tell") == holds, (headline, detail)
    return word.group(1)


def test_a_guided_session_in_a_real_browser(sim, server, tmp_path) -> None:
    from playwright.sync_api import sync_playwright

    url, log = server
    update = os.environ.get("UPDATE_SCREENSHOT") == "1"
    screenshot = DOCS_SCREENSHOT if update else tmp_path / "dashboard.png"
    blocked: list[str] = []
    with sync_playwright() as playwright:
        browser = sim.launch_chromium(playwright)
        try:
            context, page = _new_page(browser, blocked)
            page.goto(url)
            _week_shown(page, 0, timeout=60_000)
            page.get_by_text("never a risk score for a real person").first.wait_for()
            assert page.get_by_text("Render Interval").count() == 0  # behind Advanced
            for tab in ("Outcomes", "One person's story", "Guided session", "Network"):
                page.get_by_role("tab", name=tab).first.wait_for()

            # B chosen by its title, from the grouped list
            page.get_by_role("button", name="Choose B…").click()
            page.get_by_text("Named practices of the paper").first.wait_for()
            page.get_by_role("button", name="German hybrid model", exact=True).click()
            page.get_by_text("B: German hybrid model").first.wait_for()
            _week_shown(page, 0)
            page.get_by_role("tab", name="One person's story").click()
            story_before = page.locator(".rs-story-big").first.inner_text()
            page.get_by_role("tab", name="Outcomes").click()
            chart_before = _focus_src(page)
            for week in (1, 2, 3, 4):
                page.get_by_role("button", name="Step", exact=True).click()
                _week_shown(page, week)
            page.wait_for_function(
                "(before) => { const e = document.querySelector('.v-window-item--active img');"
                " return e && e.getAttribute('src') !== before; }",
                arg=chart_before,
            )
            _check_rule(*_verdict(page))
            # large enough for the back of the room: the chart's smallest text and the verdict
            page.wait_for_function("document.querySelectorAll('img').length >= 1")
            natural, shown = page.locator(".v-window-item--active img").first.evaluate(
                "e => [e.naturalWidth, e.clientWidth]"
            )
            smallest = min(FOCUS_FONT.values()) * 100 / 72 * shown / natural
            assert smallest >= 18, f"chart text {smallest:.1f} px at 1400 x 900"
            for selector in (".rs-verdict", ".rs-verdict-detail", ".v-tab"):
                size = page.locator(selector).first.evaluate(
                    "e => parseFloat(getComputedStyle(e).fontSize)"
                )
                assert size >= 18, (selector, size)

            page.get_by_role("tab", name="One person's story").click()
            page.wait_for_function(
                "(before) => { const e = document.querySelector('.rs-story-big');"
                " return e && e.innerText !== before; }",
                arg=story_before,
            )
            assert "Week 1" in page.locator(".rs-story-big").first.inner_text()

            # a guided session: the question, the room's guess, then the runs
            page.get_by_role("tab", name="Guided session").click()
            page.get_by_role("button", name="Begin").click()
            page.get_by_text("Step 1 of 3: Someone at the gate").first.wait_for()
            page.get_by_text("B: Exit worker at the prison gate").first.wait_for()
            assert page.get_by_role("button", name="Reveal").is_disabled()
            page.get_by_role("tab", name="Outcomes").click()
            page.get_by_text("Hidden until the room has made its guess").first.wait_for()
            page.get_by_role("tab", name="Guided session").click()
            page.get_by_role("button", name="B lower").click()
            page.get_by_role("button", name="Reveal").click()
            _week_shown(page, 104, timeout=90_000)
            page.get_by_text("The room guessed: B lower.").first.wait_for()
            headline, detail = _verdict(page)
            assert headline.startswith("Week 104, re-engagement, B − A:"), headline
            _check_rule(headline, detail)
            # the picture for the docs: the revealed chart on the Outcomes tab
            page.get_by_role("tab", name="Outcomes").click()
            page.get_by_text("Week 104, re-engagement, B − A:").first.wait_for()
            page.wait_for_timeout(800)
            page.mouse.move(700, 5)
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot))
            print(f"screenshot: {screenshot}")

            # a second session has its own runs, still at week 0, with B as the base
            other_context, other = _new_page(browser, blocked)
            other.goto(url)
            _week_shown(other, 0, timeout=60_000)
            other.get_by_text("B: Today's practice (no preset)").first.wait_for()
            assert page.get_by_text("Week 104 of 520").first.is_visible()
            other_context.close()

            # Play, fast, for 200 weeks: no error drawn, none in the server's log
            page.get_by_role("tab", name="Outcomes").click()
            page.get_by_role("button", name="Fast: 4 weeks").click()
            start = time.perf_counter()
            page.get_by_role("button", name="▶ Play").click()
            page.wait_for_function(
                "() => parseInt(document.querySelector('.rs-week').innerText.split(' ')[1]) >= 304",
                timeout=150_000,
            )
            page.get_by_role("button", name="❚❚ Pause").click()
            print(f"200 weeks of Play in {time.perf_counter() - start:.0f} s")
            _check_rule(*_verdict(page))
            context.close()
        finally:
            browser.close()
    assert blocked == [], f"the page asked for outside resources: {blocked[:5]}"
    assert screenshot.stat().st_size > 50_000, "the screenshot looks empty"
    text = log.read_text()
    assert "Traceback" not in text and "Error" not in text, text[-3000:]
    # the server's own requests: none left this machine, not even for the CDN proxy's files
    try:
        urllib.request.urlopen(url + "_solara/cdn/katex@0.16.9/dist/katex.min.js", timeout=30)
        raise AssertionError("the server served a CDN file it cannot have without internet")
    except urllib.error.HTTPError as err:
        assert err.code == 404
    assert _outside_log(log).read_text() == "", _outside_log(log).read_text()


def test_the_outside_request_counter_counts(tmp_path) -> None:
    """The counter of ``serve_audited.py`` sees a request of any library and refuses it."""
    log = tmp_path / "outside.log"
    code = "\n".join(
        [
            "import pathlib, sys, urllib.request",
            "sys.path.insert(0, sys.argv[2])",
            "import serve_audited",
            "serve_audited.install(pathlib.Path(sys.argv[1]))",
            "try:",
            "    urllib.request.urlopen('http://192.0.2.1/', timeout=2)",
            "except OSError as err:",
            "    print('refused', err)",
            "import socket",
            "try:",
            "    socket.socket().connect(('192.0.2.2', 80))",
            "except OSError as err:",
            "    print('refused', err)",
            "socket.getaddrinfo('localhost', 80)",  # this machine: allowed, not counted
        ]
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(log), str(ROOT / "tests")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert [line.split()[0] for line in out.stdout.splitlines()] == ["refused"] * 2, out.stderr
    assert log.read_text().splitlines() == [
        "socket.getaddrinfo '192.0.2.1'",
        "socket.connect '192.0.2.2'",
    ]


#: a scenario description as an attacker would write it (issue 15, case 1): none of it may run
HOSTILE = (
    'Hostile {{ 7*7 }} <img src=x onerror="window.__pwned=1"> '
    '<iframe src="javascript:window.__pwned=2"></iframe> [link](javascript:window.__pwned=3) '
    "{{ constructor.constructor('window.__pwned=4')() }} end."
)


def test_scenario_text_never_runs_in_the_dashboard(sim, tmp_path) -> None:
    """Issue 15, case 1: the base scenario's description shows exactly as typed; no script in
    it runs, and ``{{ 7*7 }}`` is not evaluated by the page's templates."""
    from playwright.sync_api import sync_playwright

    scenario = tmp_path / "hostile.toml"
    title = "T {{ 6*7 }} <b>x</b>"
    scenario.write_text(
        'base = "baseline"\nname = "hostile"\n'
        f"title = {json.dumps(title)}\ndescription = {json.dumps(HOSTILE)}\n",
        encoding="utf-8",
    )
    process, url = _start_serve(sim, tmp_path / "serve.log", "--scenario", str(scenario))
    dialogs: list[str] = []
    blocked: list[str] = []
    try:
        with sync_playwright() as playwright:
            browser = sim.launch_chromium(playwright)
            try:
                context, page = _new_page(browser, blocked)
                page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
                page.goto(url)
                _week_shown(page, 0)
                page.get_by_role("tab", name="About A and B").click()  # the policy, the levers
                page.get_by_text("Hostile {{ 7*7 }}").first.wait_for(timeout=30_000)
                text = page.locator("body").inner_text()
                assert "Hostile {{ 7*7 }} <img src=x" in text
                assert "T {{ 6*7 }} <b>x</b>" in text
                assert "Hostile 49" not in text and "T 42" not in text
                assert "[link](javascript:window.__pwned=3)" in text
                page.wait_for_timeout(1500)
                assert page.evaluate("window.__pwned") is None
                assert page.locator("img[src='x'], iframe").count() == 0
                context.close()
            finally:
                browser.close()
    finally:
        _stop(process)
    assert dialogs == []
    assert blocked == []
    assert _outside_log(tmp_path / "serve.log").read_text() == ""
