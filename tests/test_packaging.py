"""What makes the package citable: licence, citation, changelog, version."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

import yaml
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
