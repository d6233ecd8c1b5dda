"""Stopping a command cleanly, whatever moment a signal arrives.

A signal handler that raises (``KeyboardInterrupt`` from SIGINT, or the SIGTERM handler the
command line used to have) can fire while the main thread holds a lock that the clean-up then
needs, such as the shutdown lock of a process pool; the command then waits for ever. Here a
signal only **sets a flag** (:func:`stop_on_signals`); the work checks it at safe points
(:func:`check_stop`: between the weeks of a replication, while waiting for workers, before a
result folder is moved into place) and raises ``KeyboardInterrupt`` from there, so the
command line's clean-up (staging folder removed, exit status 130) runs from a known state.

A watchdog thread learns of the signal at the C level (``signal.set_wakeup_fd``), even if the
main thread is stuck in a call that never returns to Python. If the command has not ended
:data:`GRACE_SECONDS` after the signal, it removes the folders registered with
:func:`remove_on_forced_exit` (staging folders), says so on stderr and ends the process with
status 130. Worker processes end by themselves when their parent has gone
(:func:`reintegration_sim.analysis.experiment.process_pool`).
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = [
    "GRACE_SECONDS",
    "check_stop",
    "remove_on_forced_exit",
    "stop_on_signals",
    "stop_requested",
]

#: seconds after a signal before the watchdog ends the process if the command has not ended
GRACE_SECONDS = 8.0
#: the exit status of an interrupted command (128 + SIGINT, as a shell reports Ctrl-C)
INTERRUPTED = 130

_signal: list[int] = []  # the signals received while a command runs (appends are atomic)
_folders: dict[Path, None] = {}  # staging folders to remove if the watchdog has to end the process


def stop_requested() -> bool:
    """Whether a stop signal has arrived while :func:`stop_on_signals` is active."""
    return bool(_signal)


def check_stop() -> None:
    """Raise ``KeyboardInterrupt`` if a stop signal has arrived (call at safe points only)."""
    if _signal:
        raise KeyboardInterrupt


def remove_on_forced_exit(folder: Path, keep: bool = True) -> None:
    """Register (``keep=True``) or unregister a folder for the watchdog to remove."""
    if keep:
        _folders[Path(folder)] = None
    else:
        _folders.pop(Path(folder), None)


def _handler(signum: int, frame: Any) -> None:
    _signal.append(signum)  # nothing else: no lock, no I/O, no exception


def _force_exit(message: str) -> None:
    for folder in list(_folders):
        shutil.rmtree(folder, ignore_errors=True)
    try:
        os.write(2, message.encode())
    finally:
        os._exit(INTERRUPTED)


def _watch(read_fd: int, disarm_fd: int, grace: float, message: str) -> None:
    """Wait for a signal's byte on ``read_fd`` (or a byte on ``disarm_fd``: the command ended
    before any signal), then give the command ``grace`` seconds before ending the process."""
    ready, _, _ = select.select([read_fd, disarm_fd], [], [])
    if read_fd not in ready:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        time.sleep(0.05)
    _force_exit(message)


@contextmanager
def stop_on_signals(
    signals: tuple[int, ...] = (signal.SIGTERM, signal.SIGINT),
    grace: float = GRACE_SECONDS,
    message: str = "interrupted; the command did not stop in time and was ended\n",
) -> Iterator[None]:
    """While active, ``signals`` set the stop flag instead of raising; a watchdog ends the
    process ``grace`` seconds after a signal if it is still running. Outside the main thread
    (or where signals cannot be set) this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _signal.clear()
    read_fd, write_fd = os.pipe()
    disarm_r, disarm_w = os.pipe()
    os.set_blocking(write_fd, False)
    previous_fd = signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
    previous = {s: signal.signal(s, _handler) for s in signals}
    watchdog = threading.Thread(
        target=_watch,
        args=(read_fd, disarm_r, grace, f"{Path(sys.argv[0]).name}: {message}"),
        name="stop-watchdog",
        daemon=True,
    )
    watchdog.start()
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        signal.set_wakeup_fd(previous_fd)
        if not _signal:  # no signal: stop the watchdog; after one it stays armed to the end
            os.write(disarm_w, b"x")
            watchdog.join()
            for fd in (read_fd, write_fd, disarm_r, disarm_w):
                os.close(fd)
