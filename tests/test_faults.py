"""Faults, each as a user or a machine makes them (issue 15): the real command in a subprocess,
with its output on pipes as CI or a notebook reads them.

* SIGKILL of a 2-worker run leaves no process behind (case 4);
* SIGTERM at many moments of a 2-worker run, compare and sweep (start-up, mid-run, while
  writing) ends the command within a few seconds with status 130 and no staging folder
  (case 5);
* a ``random.py`` (or ``concurrent.py``) in the working folder is not executed by the workers
  (case 3);
* ``--out .`` and other unusable destinations are refused before any simulation (case 6);
* a full disk gives one clear line and no staging folder (case 7; a small tmpfs, root only).

Linux only: the process tree is read from /proc.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads the process tree from /proc"
)

ROOT = Path(__file__).resolve().parents[1]
COMMAND = str(Path(sys.executable).parent / "reintegration-sim")
SMALL = [
    "--set",
    "population.n_extremist=300",
    "--set",
    "population.n_comparison=300",
    "--set",
    "horizon_weeks=260",
]
#: a command interrupted must have ended this long after the signal
PROMPT_SECONDS = 10.0
SPEC = """name = "tiny"
base = "{base}"
method = "morris"
samples = 4
seed = 1
horizon_weeks = 104
outcomes = ["extremist.any_reoffence.1y"]
parameters = ["offending.terror_hazard", "recruiters.gate_presence_accompanied"]

[overrides.population]
n_extremist = 150
n_comparison = 150
"""


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
            found.append(int(entry))
    return found


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        children = _children(todo.pop())
        found += children
        todo += children
    return found


def _alive(pids: list[int]) -> list[int]:
    alive = []
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state != "Z":
            alive.append(pid)
    return alive


def _start(args: list[str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [COMMAND, *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _end(process: subprocess.Popen, timeout: float) -> tuple[int | None, str]:
    """Wait for the command and for its output pipes to close; None if it did not end."""
    try:
        _, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:  # still running, or its pipes held open by what it left
        process.kill()
        process.wait()
        for pipe in (process.stdout, process.stderr):
            if pipe is not None:
                pipe.close()
        return None, ""
    return process.returncode, err


def _wait_for_workers(process: subprocess.Popen, n: int, timeout: float = 60) -> list[int]:
    """The process tree once ``n`` workers (children of the fork server) are running."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        tree = _descendants(process.pid)
        if len(tree) >= n + 2:  # the fork server, the resource tracker and the workers
            return tree
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    pytest.fail("the workers did not start")


def _no_process_left(pids: list[int], within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while _alive(pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(pids), f"processes left behind: {_alive(pids)}"


def _staging(parent: Path) -> list[Path]:
    return [p for p in parent.iterdir() if p.name.endswith(".partial")]


# ---------------------------------------------------------------------- 3. the caller's folder


def test_3_a_shadowing_module_in_the_working_folder_is_not_run(tmp_path) -> None:
    marker = tmp_path / "SHADOW_RAN"
    for name in ("random.py", "concurrent.py", "numpy.py"):
        (tmp_path / name).write_text(
            f"open({str(marker)!r}, 'a').write({name!r})\nraise SystemExit('shadow {name}')\n"
        )
    out = tmp_path / "out"
    process = _start(
        ["run", "baseline", "-n", "2", "--workers", "2", *SMALL, "--out", "out"], tmp_path
    )
    code, err = _end(process, 300)
    assert code == 0, err
    assert not marker.exists(), marker.read_text()
    assert (out / "metadata.json").is_file()


# ---------------------------------------------------------------------- 4. SIGKILL


@pytest.mark.parametrize("command", ["run", "compare", "sweep"])
def test_4_sigkill_of_a_2_worker_command_leaves_no_process(tmp_path, command) -> None:
    args = _args(command, tmp_path, replications=8)
    process = _start(args, tmp_path)
    tree = _wait_for_workers(process, 2)
    process.send_signal(signal.SIGKILL)
    code, _ = _end(process, PROMPT_SECONDS)  # and the output pipes close: nobody holds them
    try:
        assert code == -signal.SIGKILL, "the output pipes are still held open"
        _no_process_left(tree)
    finally:
        for pid in _alive(tree):  # whatever a failure left behind
            os.kill(pid, signal.SIGKILL)


# ---------------------------------------------------------------------- 5. SIGTERM


def _args(command: str, folder: Path, replications: int = 4) -> list[str]:
    out = ["--out", str(folder / "out")]
    if command == "run":
        return ["run", "baseline", "-n", str(replications), "--workers", "2", *SMALL, *out]
    if command == "compare":
        n = str(max(2, replications // 2))
        return ["compare", "baseline", "uk_contest_3", "-n", n, "--workers", "2", *SMALL, *out]
    spec = folder / "tiny.toml"
    spec.write_text(SPEC.format(base=(ROOT / "scenarios" / "baseline.toml").as_posix()))
    return ["sweep", str(spec), "--workers", "2", "--chunk", "4", *out]


#: when the signal comes, as a share of the command's uninterrupted wall time: start-up (loading
#: the modules and the scenario), while the workers start, mid-run, near the end (writing)
MOMENTS = (0.03, 0.12, 0.5, 0.8, 0.93, 0.98)


@pytest.mark.slow
@pytest.mark.parametrize("command", ["run", "compare", "sweep"])
def test_5_sigterm_at_any_moment_ends_the_command_cleanly(tmp_path, command) -> None:
    start = time.monotonic()
    code, err = _end(_start(_args(command, tmp_path), tmp_path), 300)
    assert code == 0, err
    wall = time.monotonic() - start
    for k, share in enumerate(MOMENTS):
        folder = tmp_path / f"try{k}"
        folder.mkdir()
        _sigterm_once(command, folder, share * wall)


def test_5_sigterm_mid_run_ends_the_command_cleanly(tmp_path) -> None:
    for k, command in enumerate(["run", "compare", "sweep"]):
        folder = tmp_path / f"try{k}"
        folder.mkdir()
        _sigterm_once(command, folder, None)


CRITICAL = """
import os, signal, sys, threading, time
import reintegration_sim.workflows as workflows
from reintegration_sim import cli

lock = threading.Lock()  # like the executor's shutdown lock: not reentrant


def run(*args, **kwargs):
    lock.acquire()
    os.kill(os.getpid(), signal.SIGTERM)  # arrives while the lock is held
    start = time.monotonic()
    while time.monotonic() - start < 0.3:
        pass
    lock.release()
    print("released", file=sys.stderr)
    try:
        from reintegration_sim.analysis.stopping import check_stop
    except ImportError:
        check_stop = lambda: None
    check_stop()  # the next safe point
    raise SystemExit("the signal was lost")


workflows.run = run
sys.exit(cli.main(["run", "baseline", "--out", sys.argv[1]]))
"""


def test_5_a_signal_never_lands_inside_a_critical_section(tmp_path) -> None:
    """Issue 15, case 5, deterministically: SIGTERM while the main thread holds a lock that is
    not reentrant (as the executor's shutdown lock was when a command hung) must not raise
    there: the section ends, the lock is released, the command stops at the next safe point."""
    done = subprocess.run(
        [sys.executable, "-c", CRITICAL, str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "released" in done.stderr, done.stderr
    assert done.returncode == 130, done.stderr
    assert list(tmp_path.iterdir()) == []


def _sigterm_once(command: str, folder: Path, after: float | None) -> None:
    """SIGTERM ``after`` seconds (None: once the workers run); the command must end promptly,
    leaving no process; 130 and no staging folder, or 0 and a complete folder if it had
    finished its work already (the signal came too late to count)."""
    process = _start(_args(command, folder), folder)
    if after is None:
        tree = _wait_for_workers(process, 2)
    else:
        time.sleep(after)
        tree = _descendants(process.pid)
    sent = time.monotonic()
    process.send_signal(signal.SIGTERM)
    code, err = _end(process, PROMPT_SECONDS + 5)
    took = time.monotonic() - sent
    assert code is not None, f"{command}: still running {PROMPT_SECONDS + 5} s after SIGTERM"
    assert took < PROMPT_SECONDS, f"{command}: took {took:.1f} s to end after SIGTERM"
    assert "Traceback" not in err, err
    assert not _staging(folder), f"{command}: staging folder left: {_staging(folder)}"
    out = folder / "out"
    if code == 0:  # finished before the signal was noticed: the result is complete
        assert (out / ("COMPLETE" if command == "sweep" else "metadata.json")).exists()
    else:
        assert code == 130, f"{command} after {after}: exit {code}\n{err}"
        assert "interrupted" in err
        if command != "sweep":  # a sweep keeps its finished runs for --resume
            assert not out.exists()
    try:
        _no_process_left(tree)
    finally:
        for pid in _alive(tree):  # whatever a failure left behind
            os.kill(pid, signal.SIGKILL)


# ---------------------------------------------------------------------- 6. paths


@pytest.mark.parametrize("command", ["run", "compare", "sweep"])
@pytest.mark.parametrize(
    "out",
    [".", "x" * 300, "/proc/x/y", "nested/" + "y" * 300 + "/z"],
    ids=["current folder", "300 characters", "/proc", "long part"],
)
def test_6_unusable_out_is_refused_in_one_line_before_any_work(tmp_path, command, out) -> None:
    folder = tmp_path / "work"
    folder.mkdir()
    args = _args(command, folder)
    args[args.index("--out") + 1] = out
    start = time.monotonic()
    code, err = _end(_start(args, folder), 120)
    assert code == 2, err
    assert time.monotonic() - start < 20  # before any simulation
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("reintegration-sim: error: --out"), err
    assert len(lines[0]) < 400
    assert sorted(p.name for p in folder.iterdir()) == (["tiny.toml"] if command == "sweep" else [])


# ---------------------------------------------------------------------- 7. a full disk


@pytest.fixture
def small_disk(tmp_path):
    """A 300 KB tmpfs (needs root and mount; skipped otherwise)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root")
    disk = tmp_path / "disk"
    disk.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", str(disk)], check=False
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


@pytest.mark.parametrize("command", ["run", "compare"])
def test_7_a_full_disk_gives_one_clear_line_and_no_staging_folder(small_disk, command) -> None:
    args = _args(command, small_disk.parent, replications=2)
    args[args.index("--out") + 1] = str(small_disk / "out")
    code, err = _end(_start(args, small_disk.parent), 300)
    assert code == 2, err
    lines = err.strip().splitlines()
    assert "Traceback" not in err
    assert lines[-1].startswith("reintegration-sim: error: ") and "free" in lines[-1], err
    assert list(small_disk.iterdir()) == []
