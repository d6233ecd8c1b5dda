"""The workshop dashboard in a real browser: ``reintegration-sim serve`` in a subprocess, the
Debian chromium driven by Playwright, with every request that leaves this machine refused (the
page must work without internet).

The test changes a preset and a lever, steps, checks that the plots, the "policy − base" line
and the story change, opens a second browser session that must still be at week 0, and saves
a screenshot in the test's temporary folder; with ``UPDATE_SCREENSHOT=1`` in the environment it
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
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
DOCS_SCREENSHOT = ROOT / "docs" / "img" / "dashboard.png"
LOCAL = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_serve(log: Path, *args: str):
    """``reintegration-sim serve ARGS`` on a free port: ``(process, url)`` once it answers."""
    if not CHROMIUM.exists():
        if os.geteuid() != 0:
            pytest.skip(
                "no /usr/bin/chromium and not root, so it cannot be installed: install the "
                "Debian package 'chromium' (make test does so when run as root)"
            )
        pytest.fail("/usr/bin/chromium is missing: run `make test` (installs it) first")
    pytest.importorskip("playwright.sync_api")
    port = _free_port()
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "reintegration_sim", "serve", "--port", str(port), *args],
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


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``reintegration-sim serve`` on a free port; yields its URL; stopped afterwards."""
    process, url = _start_serve(tmp_path_factory.mktemp("serve") / "serve.log")
    try:
        yield url
    finally:
        _stop(process)


def _new_page(browser, blocked: list[str]):
    context = browser.new_context(viewport={"width": 1600, "height": 1250})

    def route(request_route) -> None:
        url = request_route.request.url
        if url.startswith(LOCAL):
            request_route.continue_()
        else:  # no internet in a workshop room: nothing may come from outside
            blocked.append(url)
            request_route.abort()

    context.route("**/*", route)
    return context, context.new_page()


def _week_shown(page, week: int) -> None:
    page.get_by_text(f"Week {week} of 520").first.wait_for(timeout=30_000)


def _images(page) -> list[str]:
    return [img.get_attribute("src") or "" for img in page.locator("img").all()]


def _press(page, slider_label: str, key: str, times: int) -> str:
    """Move a sidebar slider with the keyboard; return its new value."""
    slider = page.locator(".v-input__slider").filter(has_text=slider_label).first
    thumb = slider.get_by_role("slider")
    thumb.focus()
    for _ in range(times):
        thumb.press(key)
    return thumb.get_attribute("aria-valuenow") or ""


def test_workshop_in_a_real_browser(server, tmp_path) -> None:
    from playwright.sync_api import sync_playwright

    update = os.environ.get("UPDATE_SCREENSHOT") == "1"
    screenshot = DOCS_SCREENSHOT if update else tmp_path / "dashboard.png"
    blocked: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            context, page = _new_page(browser, blocked)
            page.goto(server)
            _week_shown(page, 0)
            # not a blank page: the ethics note, the panels and three drawn images
            page.get_by_text("never a risk score for a real person").first.wait_for()
            for heading in ("Outcomes: base and policy", "One person's story"):
                page.get_by_text(heading).first.wait_for()
            page.wait_for_function("document.querySelectorAll('img').length >= 3")
            widths = page.locator("img").evaluate_all("els => els.map(e => e.naturalWidth)")
            assert len(widths) == 3 and min(widths) > 300

            # a preset and a lever, then Reset applies them
            page.locator(".v-select").filter(has_text="Policy preset").first.locator(
                ".v-select__slot"
            ).click()
            page.locator(".menuable__content__active .v-list-item").filter(
                has_text=re.compile(r"^german_hybrid_model$")
            ).first.click()
            assert _press(page, "Staffing of every agency", "ArrowRight", 5) == "1.1"
            page.get_by_role("button", name="Reset", exact=True).click()
            page.get_by_text("policy: german_hybrid_model + 1 lever(s)").first.wait_for()
            _week_shown(page, 0)
            story_before = page.locator(".rs-story").inner_text()
            images_before = _images(page)

            timings = []
            for week in (1, 2, 3):
                start = time.perf_counter()
                page.get_by_role("button", name="Step", exact=True).click()
                _week_shown(page, week)
                timings.append(time.perf_counter() - start)
            print(f"click to new week on screen: {[round(t, 3) for t in timings]} s")
            page.get_by_text("Week 3, policy − base:").first.wait_for()
            page.wait_for_function(
                "(before) => [...document.querySelectorAll('img')].every((e, i) => "
                "e.getAttribute('src') !== before[i])",
                arg=images_before,
            )
            diff_line = page.locator("p", has_text="Week 3, policy − base:").first.inner_text()
            assert re.search(r"reoffending [+−]\d", diff_line), diff_line
            story_after = page.locator(".rs-story").inner_text()
            assert story_after != story_before and "Week 1" in story_after

            # a second session has its own models, still at week 0, with the default policy
            other_context, other = _new_page(browser, blocked)
            other.goto(server)
            _week_shown(other, 0)
            assert other.get_by_text("policy: baseline").first.is_visible()
            assert page.get_by_text("Week 3 of 520").first.is_visible()
            other_context.close()

            # several weeks per click for the screenshot: render interval 11
            assert _press(page, "Render Interval", "ArrowRight", 5) == "11"
            for week in (14, 25, 36):
                page.get_by_role("button", name="Step", exact=True).click()
                _week_shown(page, week)
            page.wait_for_timeout(800)
            page.mouse.move(800, 5)
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot))
            print(f"screenshot: {screenshot}")
            context.close()
        finally:
            browser.close()
    assert blocked == [], f"the page asked for outside resources: {blocked[:5]}"
    assert screenshot.stat().st_size > 50_000, "the screenshot looks empty"


#: a scenario description as an attacker would write it (issue 15, case 1): none of it may run
HOSTILE = (
    'Hostile {{ 7*7 }} <img src=x onerror="window.__pwned=1"> '
    '<iframe src="javascript:window.__pwned=2"></iframe> [link](javascript:window.__pwned=3) '
    "{{ constructor.constructor('window.__pwned=4')() }} end."
)


def test_scenario_text_never_runs_in_the_dashboard(tmp_path) -> None:
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
    process, url = _start_serve(tmp_path / "serve.log", "--scenario", str(scenario))
    dialogs: list[str] = []
    blocked: list[str] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            try:
                context, page = _new_page(browser, blocked)
                page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
                page.goto(url)
                _week_shown(page, 0)
                page.get_by_role("tab", name="Page 1").click()  # the policy and the levers
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
