"""Dashboard benchmark: one step plus redraw of the default workshop view.

Run with ``.venv/bin/python benchmarks/dashboard.py``. Not part of the test suite.

The default view is what ``reintegration-sim serve`` opens: the presentation page with the
baseline scenario (2,000 people) as both A and B, six paired replications, the focus chart
(``--advanced``: Mesa's page, with the outcomes, the story and the two network views). The
page is rendered with ``solara.render`` (no browser) and its **Step** button is clicked; the
time of one click is a week of every run, the story trackers and the whole redraw on the server
(the components re-render, the figures are drawn and encoded as PNG). What the browser adds (the websocket and painting three images) is not included; the
browser test prints the time from a click to the new week on screen.

Prints one JSON line: the median, 90th percentile and maximum over ``--steps`` clicks (after
two warm-up clicks), and, apart, the median of the model step alone and of each figure.

``--browser`` also starts ``reintegration-sim serve`` and clicks Step in the Debian chromium
(``/usr/bin/chromium``, through Playwright): the time from the click to the new week on screen,
which adds the websocket and the browser's work (on the same machine). ``--playing K`` first
opens K other sessions on the same server and presses Play in each, to see how a server shared
by a room slows down.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import ipyvuetify as v
import numpy as np
import solara

from reintegration_sim.dashboard.app import Dashboard, load_config
from reintegration_sim.dashboard.netview import NetworkView
from reintegration_sim.dashboard.plots import PANELS, FocusView, OutcomeView
from reintegration_sim.dashboard.run import WorkshopRun
from reintegration_sim.dashboard.workshop import WorkshopPage


def _median_ms(values: list[float]) -> float:
    return round(1000 * statistics.median(values), 1)


def browser_clicks(steps: int, playing: int = 0) -> list[float]:
    """Seconds from a click on Step to the new week on screen, in chromium, while ``playing``
    other sessions on the same server run on Play."""
    from playwright.sync_api import sync_playwright

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "reintegration_sim", "serve", "--port", str(port)],
        cwd=Path(__file__).resolve().parent.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(180):
            try:
                with urllib.request.urlopen(url, timeout=5):
                    break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )

            def open_page():
                page = browser.new_context(viewport={"width": 1600, "height": 1250}).new_page()
                page.goto(url)
                page.get_by_text("Week 0 of").first.wait_for(timeout=60_000)
                page.wait_for_function("document.querySelectorAll('img').length >= 1")
                return page

            for other in [open_page() for _ in range(playing)]:
                other.get_by_role("button", name="▶ Play", exact=True).click()
            page = open_page()
            button = page.get_by_role("button", name="Step", exact=True)
            times = []
            for week in range(1, steps + 3):
                start = time.perf_counter()
                button.click()
                page.get_by_text(f"Week {week} of").first.wait_for(timeout=60_000)
                if week > 2:
                    times.append(time.perf_counter() - start)
            browser.close()
        return times
    finally:
        server.terminate()
        server.wait(timeout=15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20, help="clicks measured (default 20)")
    parser.add_argument(
        "--browser", action="store_true", help="also time clicks in chromium (end to end)"
    )
    parser.add_argument(
        "--from-week",
        type=int,
        default=0,
        help="server-side clicks start at this week of the run (default 0)",
    )
    parser.add_argument(
        "--advanced",
        action="store_true",
        help="server side: Mesa's page (Advanced controls) instead of the presentation page",
    )
    parser.add_argument(
        "--playing",
        type=int,
        default=0,
        help="with --browser: other sessions on the same server running on Play meanwhile",
    )
    args = parser.parse_args()

    base, presets, _ = load_config()
    start_run = WorkshopRun(base=base, presets=presets)
    for _ in range(args.from_week):  # later in a run: longer stories and series
        start_run.step()
    model = solara.reactive(start_run)
    page = Dashboard(model=model) if args.advanced else WorkshopPage(model=model)
    _, rc = solara.render(solara.AppLayout(children=[page]), handle_error=False)
    step = rc.find(v.Btn, children=["Step"]).widget
    for _ in range(2):
        step.click()
    clicks = []
    for _ in range(args.steps):
        start = time.perf_counter()
        step.click()
        clicks.append(time.perf_counter() - start)

    run = WorkshopRun(base=base, presets=presets)
    views = {
        "outcome_figure": OutcomeView(run),
        "network_figure": NetworkView(run, "base"),
        "focus_figure": FocusView(run, PANELS[0]),
    }
    parts: dict[str, list[float]] = {"model_step": [], **{name: [] for name in views}}
    for _ in range(args.steps):
        start = time.perf_counter()
        run.step()
        parts["model_step"].append(time.perf_counter() - start)
        for name, view in views.items():
            start = time.perf_counter()
            view.update(run)
            view.png()
            parts[name].append(time.perf_counter() - start)

    extra = {}
    if args.browser:
        seen = browser_clicks(args.steps, args.playing)
        extra = {
            "browser_click_to_screen_ms_median": _median_ms(seen),
            "browser_click_to_screen_ms_p90": round(1000 * float(np.percentile(seen, 90)), 1),
            "browser_sessions_playing_meanwhile": args.playing,
        }
    print(
        json.dumps(
            {
                "people": int(run.base.people.n),
                "page": "advanced" if args.advanced else "presentation",
                "paired_replications": len(run.pairs),
                "from_week": args.from_week,
                "steps": args.steps,
                "step_and_redraw_ms_median": _median_ms(clicks),
                "step_and_redraw_ms_p90": round(1000 * float(np.percentile(clicks, 90)), 1),
                "step_and_redraw_ms_max": round(1000 * max(clicks), 1),
                **{f"{name}_ms_median": _median_ms(values) for name, values in parts.items()},
                **extra,
            }
        )
    )


if __name__ == "__main__":
    main()
