"""The parameter register: every parameter documented, sourced and inside its own ranges."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pytest
from pydantic import ValidationError

from reintegration_sim.parameters import EVIDENCE_SECTIONS, Parameters, ParamInfo, iter_register

REGISTER = list(iter_register())
ROOT = Path(__file__).resolve().parent.parent

#: section headings of the seed paper (Baaken, Korn & Walkenhorst 2018) that sources may cite
#: as "RAN 2018 [Section]"; a citation may shorten a heading to its first words
PAPER_SECTIONS = (
    "Introduction",
    "Goals and deliverables",
    "Challenges and barriers to reintegration",
    "Stigmatisation",
    "Trust",
    "Prisons and prison regime",
    "Release conditions",
    "Providers of exit work",
    "Transition management (post release planning)",
    "Social support and support structures (social networks)",
    "Theological support and support from religious communities",
    "Material support",
    "Mental health",
    "Co-owning the process",
    "Risk and resilience assessment",
    "Capacity building: Another way to address risks",
    "Multi-agency cooperation",
    "Staff training and train-the-trainer approaches",
    "New developments and promising practices",
    "New development: Contest 3.0 (published June 2018)",
    "Key takeaways",
)


def _field(info: ParamInfo):
    return Parameters.model_fields[info.group].annotation.model_fields[info.name]


def _bounds(info: ParamInfo) -> tuple[float, float]:
    """The hard limits pydantic enforces (ge / le) on a numeric parameter."""
    lo = hi = None
    for item in _field(info).metadata:
        lo = getattr(item, "ge", lo)
        hi = getattr(item, "le", hi)
    assert lo is not None and hi is not None, f"{info.key}: no hard bounds declared"
    return lo, hi


def _is_categorical(info: ParamInfo) -> bool:
    return isinstance(info.plausible[0], str)


def test_register_is_not_empty_and_keys_are_unique():
    keys = [info.key for info in REGISTER]
    assert len(keys) > 50
    assert len(keys) == len(set(keys))
    assert set(keys) == set(Parameters().flat())


@pytest.mark.parametrize("info", REGISTER, ids=lambda info: info.key)
def test_every_parameter_is_documented(info):
    assert info.unit.strip(), f"{info.key}: no unit"
    assert info.source.strip(), f"{info.key}: no source"
    assert info.doc.strip(), f"{info.key}: no doc"
    assert len(info.doc.split()) >= 3, f"{info.key}: doc too short to explain anything"
    source = info.source.lower()
    assert any(word in source for word in ("assumption", "evidence", "ran 2018", "calibrated")), (
        f"{info.key}: source {info.source!r} is neither EVIDENCE.md, the paper, a calibration "
        "nor 'assumption'"
    )


@pytest.mark.parametrize("info", REGISTER, ids=lambda info: info.key)
def test_default_lies_within_plausible_range_and_bounds(info):
    if _is_categorical(info):
        allowed = typing.get_args(_field(info).annotation)
        assert set(allowed) == set(info.plausible), f"{info.key}: Literal != plausible values"
        assert info.default in info.plausible, f"{info.key}: default not an allowed value"
        return
    assert len(info.plausible) == 2, f"{info.key}: plausible range is not (low, high)"
    p_lo, p_hi = info.plausible
    lo, hi = _bounds(info)
    assert p_lo <= p_hi, f"{info.key}: plausible range reversed"
    assert lo <= p_lo and p_hi <= hi, f"{info.key}: plausible {info.plausible} outside bounds"
    assert p_lo <= info.default <= p_hi, f"{info.key}: default {info.default} not plausible"
    annotation = _field(info).annotation
    assert isinstance(info.default, annotation), f"{info.key}: default is not {annotation}"
    if annotation is int:
        assert all(float(v).is_integer() for v in info.plausible), f"{info.key}: int range"


@pytest.mark.parametrize(
    "info", [i for i in REGISTER if not _is_categorical(i)], ids=lambda info: info.key
)
def test_bounds_are_enforced(info):
    lo, hi = _bounds(info)
    annotation = _field(info).annotation
    step = 1 if annotation is int else max(1e-6, abs(hi - lo) * 1e-3)
    for bad in (lo - step, hi + step):
        with pytest.raises(ValidationError):
            Parameters().override({info.group: {info.name: bad}})
    for good in (lo, hi):
        value = int(good) if annotation is int else good
        assert getattr(
            getattr(Parameters().override({info.group: {info.name: value}}), info.group),
            info.name,
        ) == pytest.approx(value)


def test_categorical_parameters_refuse_other_values():
    categorical = [info for info in REGISTER if _is_categorical(info)]
    assert categorical, "expected at least the prison regime"
    for info in categorical:
        with pytest.raises(ValidationError):
            Parameters().override({info.group: {info.name: "no-such-value"}})


def test_unknown_parameters_are_refused():
    with pytest.raises(ValidationError, match="extra"):
        Parameters().override({"prison": {"no_such_parameter": 1.0}})
    with pytest.raises(ValidationError):
        Parameters().override({"no_such_group": {"x": 1.0}})


def test_parameters_are_frozen_and_override_returns_a_copy():
    params = Parameters()
    value = 0.35 if params.prison.fairness != 0.35 else 0.45
    changed = params.override({"prison": {"fairness": value}})
    assert changed.prison.fairness == value
    assert params == Parameters(), "override changed the original"
    assert changed.prison.overcrowding == params.prison.overcrowding, "others kept"
    with pytest.raises(ValidationError):
        params.prison.fairness = 0.1  # type: ignore[misc]


def test_paper_citations_name_real_sections():
    pattern = re.compile(r"RAN 2018 \[([^\]]+)\]")
    headings = [h.lower() for h in PAPER_SECTIONS]
    cited = 0
    for info in REGISTER:
        for group in pattern.findall(info.source):
            for section in group.split(";"):
                section = section.strip().lower()
                cited += 1
                assert any(h.startswith(section) for h in headings), (
                    f"{info.key}: cites a section {section!r} that the paper does not have"
                )
    assert cited > 10


def test_evidence_citations_name_real_sections():
    sections = set(EVIDENCE_SECTIONS)
    for info in REGISTER:
        for number in re.findall(r"EVIDENCE (\d+)", info.source):
            assert number in sections, f"{info.key}: EVIDENCE section {number} does not exist"


def test_evidence_sections_match_the_evidence_notes():
    """The notes live outside the repository (../shared/EVIDENCE.md next to a checkout);
    where they are present their numbered sections are those the register names."""
    notes = ROOT.parent / "shared" / "EVIDENCE.md"
    if not notes.exists():
        pytest.skip("the evidence notes (../shared/EVIDENCE.md) are not next to this checkout")
    found = dict(
        re.findall(r"^##\s+(\d+)\.\s+(.+)$", notes.read_text(encoding="utf-8"), re.MULTILINE)
    )
    assert set(found) == set(EVIDENCE_SECTIONS)
    for number, title in EVIDENCE_SECTIONS.items():
        assert title.split()[0] in found[number].lower(), (number, found[number])
