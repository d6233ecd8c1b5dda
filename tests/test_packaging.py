"""What makes the package installable and citable: licence, citation, changelog, version, lock."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

import yaml
from packaging.markers import Marker, default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from reintegration_sim._version import __version__

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
VERSION = PYPROJECT["project"]["version"]


def test_version_is_read_from_the_installed_package() -> None:
    # a stale install (pyproject changed, `make` not rerun) would show here
    assert __version__ == VERSION == importlib.metadata.version("reintegration-sim")


def test_license() -> None:
    assert PYPROJECT["project"]["license"] == "MIT"
    assert PYPROJECT["project"]["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "the reintegration-sim authors" in text


def test_citation() -> None:
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    for key in ("cff-version", "message", "title", "authors"):  # required by CFF 1.2.0
        assert cff[key], key
    assert cff["cff-version"] == "1.2.0"
    assert str(cff["version"]) == VERSION
    assert cff["license"] == PYPROJECT["project"]["license"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(cff["date-released"]))
    for key in ("abstract", "keywords"):
        assert cff[key], key
    (paper,) = [r for r in cff["references"] if "resocialisation" in r["title"]]
    assert paper["type"] == "report" and paper["year"] == 2018
    assert [a["family-names"] for a in paper["authors"]] == ["Baaken", "Korn", "Walkenhorst"]


def test_changelog() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## \[([^\]]+)\]", text, flags=re.MULTILINE)
    assert headings[0] == "Unreleased"
    assert "0.1.0" in headings
    version = Version(VERSION)
    if not (version.is_devrelease or version.is_prerelease):
        assert VERSION in headings, f"CHANGELOG.md has no section for version {VERSION}"


def _lock_pins() -> dict[str, list[tuple[str, str]]]:
    """Name -> [(version, marker)] of every pin in requirements.lock (universal: a package may
    be pinned once per platform marker)."""
    pins: dict[str, list[tuple[str, str]]] = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)\s*(?:;\s*([^\\]*?))?\s*\\?$", line)
        if match:
            name, version, marker = match.groups()
            pins.setdefault(canonicalize_name(name), []).append((version, marker or ""))
    return pins


def test_lock_covers_pyproject() -> None:
    """Every dependency (test extra included), and theirs in turn as installed here, is pinned
    in requirements.lock within its bounds. `make` installs the lock with --no-deps for the
    package, so a requirement added to pyproject.toml without `make lock` would otherwise go
    missing without a word."""
    env = default_environment()
    pins = {
        name: [v for v, marker in entries if not marker or Marker(marker).evaluate(env)]
        for name, entries in _lock_pins().items()
    }
    deps = PYPROJECT["project"]["dependencies"]
    test_extra = PYPROJECT["project"]["optional-dependencies"]["test"]
    todo = [Requirement(r) for r in [*deps, *test_extra]]
    todo = [r for r in todo if r.marker is None or r.marker.evaluate(env)]
    seen: set[tuple[str, frozenset[str]]] = set()
    problems = []
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        versions = pins.get(name, [])
        if not any(req.specifier.contains(v, prereleases=True) for v in versions):
            problems.append(f"{req} (lock: {versions or 'missing'})")
            continue
        if (name, frozenset(req.extras)) in seen:
            continue
        seen.add((name, frozenset(req.extras)))
        # what this one needs in turn, with the extras asked of it
        for text in importlib.metadata.requires(req.name) or []:
            sub = Requirement(text)
            extras = req.extras or {""}
            if sub.marker is None or any(
                sub.marker.evaluate({**env, "extra": extra}) for extra in extras
            ):
                todo.append(sub)
    assert not problems, "requirements.lock is stale; run `make lock`: " + "; ".join(problems)
