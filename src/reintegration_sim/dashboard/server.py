"""``reintegration-sim serve``: run the workshop dashboard with Solara's own server.

The scenario file is read (and refused with the usual one-line message) before anything
starts; the page then reads it from :data:`~.run.SCENARIO_ENV`. The server binds 127.0.0.1
unless told otherwise, runs in production mode (no auto-reload), does not open a browser, does
not look for a newer Solara on PyPI and sends no telemetry: a workshop room may have no
internet, and the page's JavaScript comes from the ``solara-assets`` package on this machine.

The server itself never fetches anything from outside either. Solara's Markdown component
loads KaTeX, Mermaid and RequireJS through the server's CDN proxy, which fetched them from
jsdelivr (72-108 attempts a session without internet); the page renders its text without that
component (:func:`~.app.Markdown`), and :func:`serve` replaces the proxy's fetch with one that
refuses (:func:`_no_cdn`), so whatever is not installed locally is a 404, never a request out.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
from pathlib import Path
from typing import Any

from ..scenario import load_scenario, resolve_scenario

__all__ = ["APP", "DEFAULT_HOST", "DEFAULT_PORT", "ServeError", "browse_url", "serve"]

#: the Solara app: the page component of :mod:`reintegration_sim.dashboard.app`
APP = "reintegration_sim.dashboard.app:Page"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


class ServeError(ValueError):
    """The dashboard cannot start; the message is meant for the user."""


def browse_url(host: str, port: int) -> str:
    """The address to open in a browser: an IPv6 host in brackets; for a wildcard host (all
    interfaces) this machine's own address, which the other laptops use with its network name
    or IP address instead."""
    shown = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def _check_port(host: str, port: int) -> None:
    """Refuse a port that is taken, before Solara starts (it would print a long error)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as err:
        raise ServeError(f"cannot listen on host {host!r} ({err.strerror})") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as err:
            raise ServeError(
                f"cannot listen on {host}:{port} ({err.strerror}); choose another with --port"
            ) from None


def _no_cdn(url: str) -> bytes:
    """Stands in for Solara's CDN fetch: the dashboard's server makes no outside request."""
    raise FileNotFoundError(f"not fetched (the dashboard works offline): {url}")


def serve(
    scenario: str | Path | None,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    overrides: dict[str, Any] | None = None,
    walkthroughs: str | Path | None = None,
) -> int:
    """Start the dashboard and block until it is stopped (Ctrl-C); return the exit status.

    Raises:
        ~reintegration_sim.scenario.ScenarioError: the scenario file cannot be used.
        ServeError: the address cannot be used.
    """
    from .run import OVERRIDES_ENV, SCENARIO_ENV, WALKTHROUGHS_ENV, default_scenario_path

    path = resolve_scenario(scenario) if scenario is not None else default_scenario_path()
    base = load_scenario(path)  # a bad file stops here, with the scenario module's message
    if overrides:
        base = base.with_overrides(overrides)  # and so does a bad --set
    if not 1 <= port <= 65535:
        raise ServeError(f"--port must be between 1 and 65535 (got {port})")
    if walkthroughs is not None and not Path(walkthroughs).is_dir():
        raise ServeError(f"--walkthroughs {walkthroughs}: not a folder")
    _check_port(host, port)
    os.environ[SCENARIO_ENV] = str(path.resolve())
    if walkthroughs is not None:
        os.environ[WALKTHROUGHS_ENV] = str(Path(walkthroughs).resolve())
    os.environ[OVERRIDES_ENV] = json.dumps(overrides or {})
    # read when Solara is imported: no usage telemetry leaves the machine
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "false")
    import click
    import solara.server.cdn_helper
    import solara.server.settings
    from solara.__main__ import run as solara_run

    solara.server.settings.telemetry.mixpanel_enable = False
    solara.server.cdn_helper.fetch_from_cdn = _no_cdn
    print(
        f"Workshop dashboard (base scenario {base.label}) at {browse_url(host, port)} ; "
        "stop with Ctrl-C",
        flush=True,
    )
    with contextlib.suppress(KeyboardInterrupt, click.exceptions.Abort):  # Ctrl-C stops it
        solara_run.main(
            [
                APP,
                "--host",
                host,
                "--port",
                str(port),
                "--production",
                "--no-open",
                "--no-check-version",
                "--log-level",
                "warning",
            ],
            standalone_mode=False,
        )
    print("Workshop dashboard stopped.", flush=True)
    return 0
