"""Result folders: staging, refusal, metadata, reading back."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from reintegration_sim.outputs import results
from reintegration_sim.outputs.results import (
    ResultFolder,
    ResultsError,
    check_out_dir,
    default_out_dir,
    make_comparison_metadata,
    make_metadata,
    read_comparison,
    read_result,
    scenario_from_metadata,
    scenario_text,
    write_metadata,
    write_tables,
)
from reintegration_sim.scenario import Scenario, load_scenario


@pytest.fixture
def tiny_file(tmp_path):
    scenario = (
        Scenario(name="tiny", description="x")
        .with_parameters({"population": {"n_extremist": 150, "n_comparison": 150}})
        .with_horizon(156)
    )
    path = tmp_path / "tiny.toml"
    path.write_text("# a comment kept verbatim\n" + scenario.to_toml(), encoding="utf-8")
    return path


def test_default_out_dir() -> None:
    import datetime as dt

    path = default_out_dir("baseline", dt.datetime(2026, 11, 7, 9, 5, 3))
    assert path.as_posix() == "results/20261107-090503-baseline"


def test_check_out_dir(tmp_path) -> None:
    assert check_out_dir(tmp_path / "new" / "deeper") == tmp_path / "new" / "deeper"
    (tmp_path / "empty").mkdir()
    check_out_dir(tmp_path / "empty")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with pytest.raises(ResultsError, match="not empty"):
        check_out_dir(tmp_path / "full")
    (tmp_path / "file").write_text("x")
    with pytest.raises(ResultsError, match="not a folder"):
        check_out_dir(tmp_path / "file")
    with pytest.raises(ResultsError, match="cannot be created"):
        check_out_dir(tmp_path / "file" / "below")


def test_result_folder_moves_into_place(tmp_path) -> None:
    dest = tmp_path / "out"
    with ResultFolder(dest) as folder:
        assert folder.path.parent == tmp_path and folder.path.name.startswith(".out.")
        (folder.path / "a.txt").write_text("a")
        assert not dest.exists()
    assert (dest / "a.txt").read_text() == "a"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_result_folder_fills_an_empty_destination(tmp_path) -> None:
    dest = tmp_path / "out"
    dest.mkdir()
    with ResultFolder(dest) as folder:
        (folder.path / "a.txt").write_text("a")
    assert (dest / "a.txt").exists()


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_result_folder_leaves_nothing_on_failure(tmp_path, error) -> None:
    dest = tmp_path / "out"
    with pytest.raises(error), ResultFolder(dest) as folder:
        (folder.path / "a.txt").write_text("a")
        raise error
    assert list(tmp_path.iterdir()) == []


def test_scenario_text_round_trips(tiny_file) -> None:
    scenario = load_scenario(tiny_file)
    text = scenario_text(scenario)
    assert text == tiny_file.read_text()  # verbatim, comment included
    reseeded = scenario.with_seed(7)
    text = scenario_text(reseeded)
    assert "seed = 7" in text
    assert scenario_from_metadata({"scenario_text": text}).model_dump() == reseeded.model_dump()


def test_metadata_fields(tiny_file) -> None:
    scenario = load_scenario(tiny_file)
    meta = make_metadata(
        scenario, replications=2, workers=1, started="2026-11-07T09:05:03+00:00", command=["x"]
    )
    for key in (
        "version",
        "versions",
        "git",
        "command",
        "started",
        "scenario_text",
        "root_seed",
        "seeds",
        "replications",
        "workers",
    ):
        assert key in meta
    for lib in ("python", "mesa", "numpy", "scipy", "pandas", "networkx", "pydantic"):
        assert meta["versions"][lib]
    for lib in ("lifelines", "matplotlib", "pyarrow", "salib", "dask", "distributed"):
        assert meta["versions"][lib]
    # the lock this checkout's environment is installed from, by hash
    lock = Path(__file__).resolve().parents[1] / "requirements.lock"
    assert meta["lock_sha256"] == hashlib.sha256(lock.read_bytes()).hexdigest()
    assert str(lock) in meta["lock_note"]
    assert meta["root_seed"] == scenario.seed
    assert [s["replication"] for s in meta["seeds"]] == [0, 1]
    assert scenario_from_metadata(meta).model_dump() == scenario.model_dump()
    json.dumps(meta)  # serialisable


def test_lock_info(tmp_path) -> None:
    # an installed wheel: no checkout around it, so nothing to hash, and the note says so
    info = results.lock_info(tmp_path)
    assert info["lock_sha256"] is None and "installed package" in info["lock_note"]
    (tmp_path / "pyproject.toml").write_text("")
    info = results.lock_info(tmp_path)
    assert info["lock_sha256"] is None and "no requirements.lock" in info["lock_note"]
    (tmp_path / "requirements.lock").write_bytes(b"numpy==2.0\n")
    info = results.lock_info(tmp_path)
    assert info["lock_sha256"] == hashlib.sha256(b"numpy==2.0\n").hexdigest()


def test_git_info_outside_git(monkeypatch) -> None:
    def no_git(*args, **kwargs):
        raise FileNotFoundError("git")

    monkeypatch.setattr(subprocess, "run", no_git)
    assert results.git_info() is None

    def not_a_repo(*args, **kwargs):
        raise subprocess.CalledProcessError(128, "git")

    monkeypatch.setattr(subprocess, "run", not_a_repo)
    assert results.git_info() is None


def test_git_info_dirty_means_a_tracked_file_changed(tmp_path) -> None:
    """Bug: a user's own scenario folder in the checkout (docs/adapting.md makes one) made every
    report say the code had uncommitted changes. Untracked files do not count; a changed
    tracked file does."""

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "model.py").write_text("x = 1\n")
    git("add", "model.py")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "one")
    (tmp_path / "my_country").mkdir()
    (tmp_path / "my_country" / "today.toml").write_text('base = "france"\n')
    info = results.git_info(tmp_path)
    assert info is not None and len(info["commit"]) == 40
    assert info["dirty"] is False
    (tmp_path / "model.py").write_text("x = 2\n")
    assert results.git_info(tmp_path) == {"commit": info["commit"], "dirty": True}


def test_write_and_read_back(tmp_path, tiny_file) -> None:
    scenario = load_scenario(tiny_file)
    timeseries = pd.DataFrame(
        {"replication": [0, 0], "week": [0, 1], "cohort": pd.Categorical(["all", "all"])}
    )
    people = pd.DataFrame({"replication": [0], "cohort": pd.Categorical(["extremist"])})
    summary = pd.DataFrame({"cohort": ["extremist"], "cum_incidence": [0.25]})
    meta = make_metadata(scenario, replications=1, workers=1, started="now", command=["x"])
    with ResultFolder(tmp_path / "out") as folder:
        write_tables(folder.path, timeseries, people, summary)
        write_metadata(folder.path, meta)
    result = read_result(tmp_path / "out")
    pd.testing.assert_frame_equal(result.timeseries, timeseries)
    pd.testing.assert_frame_equal(result.people, people)
    assert result.summary["cum_incidence"].tolist() == [0.25]
    assert result.metadata["finished"]
    assert result.scenario.model_dump() == scenario.model_dump()
    with pytest.raises(ResultsError):
        read_result(tmp_path)


def test_comparison_metadata(tiny_file) -> None:
    loaded = [load_scenario(tiny_file)]
    other = Scenario.model_validate(
        {
            **loaded[0].model_dump(exclude={"parameters", "interventions"}),
            "name": "other",
            "seed": 9,
        }
    )
    loaded.append(other)
    run_as = [s.with_seed(3) for s in loaded]
    meta = make_comparison_metadata(
        loaded,
        run_as,
        seed_source="--seed",
        replications=2,
        workers=1,
        started="now",
        command=["x"],
    )
    assert meta["kind"] == "comparison" and meta["base"] == "tiny"
    assert meta["root_seed"] == 3 and meta["seeds_overridden"] == {"tiny": 20181106, "other": 9}
    assert [e["name"] for e in meta["scenarios"]] == ["tiny", "other"]
    assert meta["scenarios"][0]["file_text"] == tiny_file.read_text()
    for entry, scenario in zip(meta["scenarios"], run_as, strict=True):
        again = scenario_from_metadata({"scenario_text": entry["scenario_text"]})
        assert again.model_dump() == scenario.model_dump()
    assert "scenario_text" not in meta  # one per scenario instead
    json.dumps(meta)


def test_read_comparison_refuses_other_folders(tmp_path) -> None:
    with pytest.raises(ResultsError, match="not a comparison folder"):
        read_comparison(tmp_path)
