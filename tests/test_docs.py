"""The documents that restate the code must agree with it: the ODD, the parameter register page
and the README's commands. Each test fails when the code changes and the docs do not."""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from pathlib import Path

import pytest

from reintegration_sim.model import ReintegrationModel, submodels
from reintegration_sim.parameters import register_markdown

ROOT = Path(__file__).resolve().parents[1]
ODD = ROOT / "docs" / "ODD.md"
START = "<!-- step-docstring:start -->"
END = "<!-- step-docstring:end -->"


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _normalise(text: str) -> list[str]:
    """Lines with runs of whitespace collapsed, outer blank lines and a code fence dropped."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    if len(lines) >= 2 and lines[0].startswith("```") and lines[-1] == "```":
        lines = lines[1:-1]
    return lines


def _step_submodels() -> set[str]:
    """Names of the ``submodels.<name>(...)`` calls in ``ReintegrationModel.step``."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(ReintegrationModel.step)))
    return {
        node.func.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "submodels"
    }


def _odd_submodel_headings() -> list[str]:
    """Function names in the ``### 7.n `name` `` headings of the ODD."""
    return re.findall(r"^### 7\.\d+ `(\w+)`\s*$", _read(ODD), flags=re.MULTILINE)


def test_odd_quotes_the_step_docstring():
    text = _read(ODD)
    assert text.count(START) == 1 and text.count(END) == 1, "step-docstring markers missing"
    quoted = text.split(START, 1)[1].split(END, 1)[0]
    expected = inspect.getdoc(ReintegrationModel.step)
    assert expected, "ReintegrationModel.step has no docstring"
    assert _normalise(quoted) == _normalise(expected), (
        "docs/ODD.md section 3 no longer quotes ReintegrationModel.step's docstring; "
        "copy the docstring between the step-docstring markers"
    )


def test_parameter_page_is_generated_from_the_register():
    assert _read(ROOT / "docs" / "parameters.md") == register_markdown(), (
        "docs/parameters.md is stale; run `make docs`"
    )


def test_odd_names_every_submodel_the_step_calls():
    called = _step_submodels()
    assert called, "found no submodels.<name>(...) calls in ReintegrationModel.step"
    unknown = sorted(name for name in called if not inspect.isfunction(getattr(submodels, name)))
    assert not unknown, f"step calls non-functions of submodels: {unknown}"
    text = _read(ODD)
    missing = sorted(name for name in called if f"`{name}`" not in text)
    assert not missing, f"docs/ODD.md does not mention these submodels: {missing}"


def test_odd_has_a_subsection_per_submodel_function():
    public = {
        name
        for name, fn in inspect.getmembers(submodels, inspect.isfunction)
        if fn.__module__ == submodels.__name__ and not name.startswith("_")
    }
    headings = _odd_submodel_headings()
    assert len(headings) == len(set(headings)), "a submodel has two ODD subsections"
    missing = sorted(public - set(headings))
    stale = sorted(set(headings) - public)
    assert not missing, f"docs/ODD.md section 7 lacks a subsection for: {missing}"
    assert not stale, f"docs/ODD.md section 7 describes functions that no longer exist: {stale}"


@pytest.mark.parametrize("command", ["make demo", "make test"])
def test_readme_gives_the_two_commands(command):
    assert f"`{command}`" in _read(ROOT / "README.md")


@pytest.mark.parametrize("page", ["docs/ODD.md", "docs/scenarios/baseline.md", "docs/adapting.md"])
def test_relative_links_resolve(page):
    path = ROOT / page
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", _read(path))
    local = [t for t in targets if not re.match(r"[a-z]+:", t)]
    broken = [t for t in local if not (path.parent / t).exists()]
    assert not broken, f"{page} links to missing files: {broken}"
