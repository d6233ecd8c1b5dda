"""``reintegration-sim serve`` with every outside request of the server's own process refused
and counted (the browser test's server; issue 14: the server fetched KaTeX from a CDN although
the browser's requests were all refused).

Usage: ``python tests/serve_audited.py LOG serve-arguments...``. An audit hook
(:func:`sys.addaudithook`, so every library's sockets, whatever they use) refuses each
connection to, and each name lookup of, an address other than this machine's, and writes one
line per attempt to LOG; the test requires LOG to stay empty.
"""

from __future__ import annotations

import ipaddress
import socket
import sys
from pathlib import Path
from typing import Any

LOCAL_NAMES = {"localhost", "localhost.", "", None}


def is_local(host: Any) -> bool:
    """Whether ``host`` (a name or an address) is this machine."""
    if isinstance(host, bytes):
        host = host.decode()
    if host in LOCAL_NAMES:
        return True
    try:
        address = ipaddress.ip_address(str(host).strip("[]").split("%")[0])
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def install(log: Path) -> None:
    """Refuse and record every outside connection and name lookup of this process."""

    def hook(event: str, args: tuple) -> None:
        if event == "socket.connect":
            sock, address = args
            if sock.family == socket.AF_UNIX or not isinstance(address, tuple):
                return
            host = address[0]
        elif event == "socket.getaddrinfo":
            host = args[0]
        elif event in ("socket.sendto", "socket.sendmsg"):
            address = args[-1]
            if not isinstance(address, tuple):
                return
            host = address[0]
        else:
            return
        if is_local(host):
            return
        with open(log, "a", encoding="utf-8") as out:
            out.write(f"{event} {host!r}\n")
        raise OSError(f"outside request refused by the test: {event} {host!r}")

    sys.addaudithook(hook)


if __name__ == "__main__":
    install(Path(sys.argv[1]))
    from reintegration_sim.cli import main

    sys.exit(main(["serve", *sys.argv[2:]]))
