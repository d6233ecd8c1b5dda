"""The notebooks' form: saved without outputs, opening with their question and the ethics note,
listed in notebooks/README.md. Executing them is ``pytest --nbmake notebooks`` (``make test``)."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")

NOTEBOOKS_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))


def test_notebooks_exist() -> None:
    names = {p.name for p in NOTEBOOKS}
    assert {
        "01_quickstart.ipynb",
        "02_comparing_policies.ipynb",
        "03_sensitivity_analysis.ipynb",
        "04_calibration.ipynb",
        "05_adapting_to_a_country.ipynb",
    } <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_saved_clean(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: save with outputs cleared"
            assert cell.execution_count is None, f"{path.name}: save with outputs cleared"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_opens_with_question_and_ethics(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "markdown"
    text = first.source.lower()
    assert "**question.**" in text
    assert "synthetic" in text
    assert "never a risk score for a real person" in text


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_listed_in_readme(path: Path) -> None:
    assert f"({path.name})" in (NOTEBOOKS_DIR / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_writes_only_to_temporary_folders(path: Path) -> None:
    source = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
    assert "tempfile.TemporaryDirectory" in source
    assert "workdir.cleanup()" in source
